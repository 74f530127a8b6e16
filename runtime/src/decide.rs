//! How each migration runs on each database: in a transaction with its tracking row, or outside
//! one under the dirty-row protocol. Plain code, no I/O.

use crate::driver::Dialect;
use crate::migration::{Migration, Script};

/// Whether `script` of `migration` runs inside a transaction that commits it with its row.
///
/// Not when the migration says `no-transaction`; and not on MySQL when a statement commits
/// implicitly (any DDL): there the transaction would end at that statement, so the migration
/// follows the dirty-row protocol instead (row marked dirty before, clean after).
pub(crate) fn runs_in_transaction(migration: &Migration, script: &Script, dialect: Dialect) -> bool {
    if migration.no_transaction() {
        return false;
    }
    match dialect {
        Dialect::Sqlite | Dialect::Postgres => true,
        Dialect::Mysql => !script.statements().iter().any(|statement| implicitly_commits(statement.sql())),
    }
}

/// Whether MySQL/MariaDB commits the open transaction before running `sql`: data definition,
/// account and table-maintenance statements. In doubt, yes: the dirty-row protocol is always
/// safe, a transaction around a statement that commits is not.
pub(crate) fn implicitly_commits(sql: &str) -> bool {
    const COMMITTING: [&str; 19] = [
        "ALTER",
        "ANALYZE",
        "BEGIN",
        "CACHE",
        "CHECK",
        "COMMIT",
        "CREATE",
        "DROP",
        "FLUSH",
        "GRANT",
        "INSTALL",
        "LOCK",
        "OPTIMIZE",
        "RENAME",
        "REPAIR",
        "RESET",
        "REVOKE",
        "TRUNCATE",
        "UNINSTALL",
    ];
    let keyword = first_keyword(sql).to_ascii_uppercase();
    COMMITTING.contains(&keyword.as_str())
        || keyword == "START" && !sql.to_ascii_uppercase().contains("SLAVE")
        || keyword == "UNLOCK"
        || keyword == "LOAD" && sql.to_ascii_uppercase().contains("INDEX")
}

/// The first word of `sql` after whitespace and comments.
fn first_keyword(sql: &str) -> &str {
    let mut rest = sql;
    loop {
        rest = rest.trim_start();
        if let Some(comment) = rest.strip_prefix("--").or_else(|| rest.strip_prefix('#')) {
            rest = comment.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(comment) = rest.strip_prefix("/*") {
            rest = comment.split_once("*/").map_or("", |(_, after)| after);
        } else {
            break;
        }
    }
    let end = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
    &rest[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::Statement;
    use strata_core::Flags;

    fn migration(sql: &[&str], flags: Flags) -> Migration {
        let statements = sql.iter().map(|sql| Statement::new(sql.to_string(), 1, 1)).collect();
        let up = Script::new("0001_m.sql", statements);
        Migration::new(1, "0001_m", format!("sha256:{}", "0".repeat(64)), up).with_flags(flags)
    }

    #[test]
    fn mysql_runs_ddl_outside_a_transaction_and_dml_inside() {
        let ddl = migration(&["INSERT INTO t VALUES (1)", "CREATE TABLE u (id INT)"], Flags::empty());
        let dml = migration(&["INSERT INTO t VALUES (1)", "UPDATE t SET id = 2"], Flags::empty());
        assert!(!runs_in_transaction(&ddl, ddl.up(), Dialect::Mysql));
        assert!(runs_in_transaction(&dml, dml.up(), Dialect::Mysql));
        for dialect in [Dialect::Sqlite, Dialect::Postgres] {
            assert!(runs_in_transaction(&ddl, ddl.up(), dialect), "{dialect}");
        }
        let marked = migration(&["UPDATE t SET id = 2"], Flags::NO_TRANSACTION);
        for dialect in [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql] {
            assert!(!runs_in_transaction(&marked, marked.up(), dialect), "{dialect}");
        }
    }

    #[test]
    fn implicit_commits_are_found_behind_comments_and_case() {
        for sql in [
            "CREATE TABLE t (id INT)",
            "-- why\ncreate index i on t (id)",
            "/* a */ /* b */ Alter TABLE t ADD c INT",
            "# mysql comment\nDROP TABLE t",
            "RENAME TABLE a TO b",
            "TRUNCATE t",
            "GRANT SELECT ON t TO u",
            "LOCK TABLES t WRITE",
            "UNLOCK TABLES",
            "START TRANSACTION",
            "LOAD INDEX INTO CACHE t",
        ] {
            assert!(implicitly_commits(sql), "{sql}");
        }
        for sql in [
            "INSERT INTO created VALUES (1)",
            "UPDATE t SET altered = 1",
            "DELETE FROM drops",
            "SELECT 1",
            "SET @x = 1",
            "-- CREATE\nINSERT INTO t VALUES (1)",
            "LOAD DATA INFILE 'x' INTO TABLE t",
        ] {
            assert!(!implicitly_commits(sql), "{sql}");
        }
    }
}
