//! Statements that cannot take effect inside the transaction strata runs a migration in.
//!
//! SQLite refuses `VACUUM` there, ignores a change of `journal_mode` there, and an explicit
//! `BEGIN`, `COMMIT` or `ROLLBACK` would end strata's transaction, so that the migration and its
//! tracking row no longer commit together. `PRAGMA foreign_keys` is not among them: strata
//! honours it (see the runtime's table-rebuild handling).

use crate::model::{MigrationDef, pragma_value};
use crate::problem::Problem;

/// The statements of `migration`'s scripts that cannot run inside its transaction; none when it
/// runs outside one. Lexical: they are checked in every dialect, with or without the dry run.
pub fn statement_rules(migration: &MigrationDef) -> Vec<Problem> {
    if migration.no_transaction {
        return Vec::new();
    }
    let scripts = std::iter::once(&migration.up).chain(migration.down.as_ref());
    scripts
        .flat_map(|script| script.statements.iter().map(move |statement| (script, statement)))
        .filter_map(|(script, statement)| {
            let (message, help) = outside_transaction_only(&statement.sql)?;
            Some(Problem::in_file(script.file.clone(), message).at(statement.position).help(help))
        })
        .collect()
}

/// Why `sql` cannot run inside a migration's transaction, and what to do; `None` if it can.
pub fn outside_transaction_only(sql: &str) -> Option<(String, String)> {
    let mut words = sql.split_whitespace().map(|w| w.trim_end_matches(';').to_ascii_uppercase());
    let first = words.next()?;
    let second = words.next();
    let no_transaction =
        "add `-- strata:no-transaction` at the top of the up script to run the migration outside a transaction";
    match first.as_str() {
        "VACUUM" => Some(("`VACUUM` cannot run inside a transaction".to_owned(), no_transaction.to_owned())),
        "PRAGMA" if pragma_value(sql, "journal_mode").is_some_and(|value| !value.is_empty()) => Some((
            "`PRAGMA journal_mode` cannot be changed inside a transaction".to_owned(),
            format!("{no_transaction}, or set the journal mode when the application opens its connection"),
        )),
        "BEGIN" | "COMMIT" | "END" => Some((
            format!("explicit `{first}` conflicts with the transaction strata runs each migration in"),
            format!("remove it: strata commits the migration together with its tracking row; or {no_transaction}"),
        )),
        "ROLLBACK"
            if second.as_deref() != Some("TO")
                && !matches!(second.as_deref(), Some("TRANSACTION") if sql.to_ascii_uppercase().contains(" TO ")) =>
        {
            Some((
                "explicit `ROLLBACK` conflicts with the transaction strata runs each migration in".to_owned(),
                format!("remove it: a failing statement already rolls the migration back; or {no_transaction}"),
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::outside_transaction_only;

    #[test]
    fn refuses_what_cannot_run_in_a_transaction() {
        for sql in [
            "VACUUM",
            "vacuum main",
            "PRAGMA journal_mode = WAL",
            "PRAGMA main.journal_mode=delete",
            "BEGIN",
            "BEGIN IMMEDIATE TRANSACTION",
            "COMMIT",
            "END TRANSACTION",
            "ROLLBACK",
        ] {
            assert!(outside_transaction_only(sql).is_some(), "{sql}");
        }
    }

    #[test]
    fn allows_what_can() {
        for sql in [
            "PRAGMA journal_mode",
            "PRAGMA foreign_keys = OFF",
            "ROLLBACK TO sp",
            "ROLLBACK TRANSACTION TO SAVEPOINT sp",
            "SAVEPOINT sp",
            "RELEASE sp",
            "CREATE TABLE begin_at(x)",
            "SELECT 1",
        ] {
            assert!(outside_transaction_only(sql).is_none(), "{sql}");
        }
    }
}
