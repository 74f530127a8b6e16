//! Statements that cannot take effect inside the transaction strata runs a migration in.
//!
//! The rules are the folder's dialect's:
//!
//! - SQLite refuses `VACUUM` there and ignores a change of `journal_mode` there. `PRAGMA
//!   foreign_keys` is not among them: strata honours it (see the runtime's table-rebuild
//!   handling).
//! - PostgreSQL refuses, inside a transaction block, `VACUUM`, the `CONCURRENTLY` forms of
//!   `CREATE INDEX`, `DROP INDEX`, `REINDEX` and `ALTER TABLE … DETACH PARTITION`, `REINDEX
//!   SCHEMA | DATABASE | SYSTEM`, `CREATE | DROP DATABASE`, `ALTER DATABASE … SET TABLESPACE`,
//!   `CREATE | DROP TABLESPACE`, `ALTER SYSTEM`, `CLUSTER` without a table, `DISCARD ALL`, and
//!   `COMMIT | ROLLBACK PREPARED`.
//! - MySQL and MariaDB: `LOCK TABLES` commits the transaction, and while the tables are locked
//!   strata cannot write the migration's tracking row; `SET autocommit` changes how the
//!   connection commits. Their DDL commits implicitly too, but that is not refused here: the
//!   runtime handles it.
//!
//! In every dialect an explicit `BEGIN`, `COMMIT` or `ROLLBACK` (and their synonyms) would end
//! strata's transaction, so that the migration and its tracking row no longer commit together.
//! `SAVEPOINT`, `RELEASE` and `ROLLBACK TO` are fine.
//!
//! The rules read a statement's words, skipping comments, strings and quoted identifiers: a
//! column named `vacuum` or an index on a column `concurrently` is no problem, and a `BEGIN` or
//! `COMMIT` in a function body or a MySQL stored program (which the lexer keeps whole) is part of
//! its `CREATE` statement: it runs when the program is called, not when the migration creates it.
//! A MariaDB compound statement outside a stored program (`BEGIN NOT ATOMIC … END`, `IF … END
//! IF`, …) runs at once: the statements inside it follow the rules.

use crate::dialect::Dialect;
use crate::model::{MigrationDef, pragma_value};
use crate::problem::Problem;
use crate::script::Statement;
use crate::tokens::{Token, Tokens};

/// Whether MySQL/MariaDB commits the open transaction before running `sql`: data definition,
/// account and table-maintenance statements. In doubt, yes: the dirty-row protocol is always
/// safe, a transaction around a statement that commits is not.
pub fn commits_implicitly(sql: &str) -> bool {
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
    let mut tokens = Tokens::new(sql, Dialect::Mysql);
    let Some(first) = tokens.next() else { return false };
    let has = |word: &str| Tokens::new(sql, Dialect::Mysql).any(|token| token.is(word));
    COMMITTING.iter().any(|keyword| first.is(keyword))
        || first.is("START") && !has("SLAVE")
        || first.is("UNLOCK")
        || first.is("LOAD") && has("INDEX")
}

/// The statements of `migration`'s scripts that cannot run inside its transaction, by the rules
/// of `dialect`; none when it runs outside one. Lexical: they are checked with or without the
/// dry run.
pub fn statement_rules(migration: &MigrationDef, dialect: Dialect) -> Vec<Problem> {
    if migration.has(crate::flags::Flags::NO_TRANSACTION) {
        return Vec::new();
    }
    let scripts = std::iter::once(&migration.up).chain(migration.down.as_ref());
    scripts
        .flat_map(|script| script.statements.iter().map(move |statement| (script, statement)))
        .filter_map(|(script, statement)| {
            let (message, help) = outside_transaction_only(statement.sql(), dialect)?;
            Some(Problem::in_file(script.file.clone(), message).at(crate::Position::of(statement)).help(help))
        })
        .collect()
}

/// Whether `statements` are wrapped in one transaction of the script's own, a plain `BEGIN` (or
/// `START TRANSACTION`) first and a `COMMIT` (or `END`) last, as scripts written for tools that
/// run none put them (sqlx runs its own around them, and the `COMMIT` ends it early). strata's
/// transaction takes their place: the migration then commits with its row, as intended. A
/// `BEGIN` with options (`ISOLATION LEVEL`, `READ ONLY`) asks for something strata's does not
/// give, and stays refused.
pub fn wrapped_in_own_transaction(statements: &[Statement], dialect: Dialect) -> bool {
    let [first, .., last] = statements else { return false };
    let words = |statement: &Statement| -> Vec<String> {
        Tokens::new(statement.sql(), dialect)
            .take(4)
            .map(|token| token.word().map_or_else(|| token.text().to_owned(), str::to_ascii_uppercase))
            .collect()
    };
    let (first, last) = (words(first), words(last));
    let first: Vec<&str> = first.iter().map(String::as_str).collect();
    let last: Vec<&str> = last.iter().map(String::as_str).collect();
    let opens = match (first.as_slice(), dialect) {
        (["BEGIN"] | ["BEGIN", "WORK" | "TRANSACTION"] | ["START", "TRANSACTION"], _) => true,
        // SQLite's lock modes: strata's own `BEGIN IMMEDIATE` is at least as strong.
        (
            ["BEGIN", "DEFERRED" | "IMMEDIATE" | "EXCLUSIVE"]
            | ["BEGIN", "DEFERRED" | "IMMEDIATE" | "EXCLUSIVE", "TRANSACTION"],
            Dialect::Sqlite,
        ) => true,
        _ => false,
    };
    let closes = matches!(
        (last.as_slice(), dialect),
        (["COMMIT"] | ["COMMIT", "WORK" | "TRANSACTION"], _)
            | (["END"] | ["END", "WORK" | "TRANSACTION"], Dialect::Sqlite | Dialect::Postgres)
    );
    opens && closes
}

const NO_TRANSACTION: &str =
    "add `-- strata:no-transaction` at the top of the up script to run the migration outside a transaction";

/// Why `sql`, a statement of a `dialect` script, cannot run inside a migration's transaction,
/// and what to do; `None` if it can.
pub fn outside_transaction_only(sql: &str, dialect: Dialect) -> Option<(String, String)> {
    let words: Vec<Token<'_>> = Tokens::new(sql, dialect).take(HEAD).collect();
    let first = words.first()?.word()?.to_ascii_uppercase();
    if let Some(problem) = transaction_control(&first, &words, dialect) {
        return Some(problem);
    }
    match dialect {
        Dialect::Sqlite => sqlite(&first, sql),
        Dialect::Postgres => postgres(&first, &words, sql),
        Dialect::Mysql if opens_compound(&words) => compound(sql),
        Dialect::Mysql => mysql(&first, &words, sql),
    }
}

/// How many tokens of a statement the rules look at; the few rules that need more read on.
const HEAD: usize = 16;

/// `BEGIN`, `COMMIT`, `ROLLBACK` and their synonyms, in the dialect's syntax.
fn transaction_control(first: &str, words: &[Token<'_>], dialect: Dialect) -> Option<(String, String)> {
    let is = |index: usize, keyword: &str| words.get(index).is_some_and(|token| token.is(keyword));
    match (first, dialect) {
        // MySQL's `BEGIN` starts a transaction only as `BEGIN [WORK]`; followed by more, it
        // opens a block (`BEGIN NOT ATOMIC`, or a block inside a compound statement).
        ("BEGIN", Dialect::Mysql) if words.len() == 1 || (is(1, "WORK") && words.len() == 2) => {
            Some(commits_itself(first))
        }
        ("BEGIN", Dialect::Mysql) => None,
        ("COMMIT", Dialect::Postgres) if is(1, "PREPARED") => Some(cannot_run("COMMIT PREPARED")),
        ("BEGIN" | "COMMIT", _) | ("END", Dialect::Sqlite | Dialect::Postgres) => Some(commits_itself(first)),
        ("START", Dialect::Postgres | Dialect::Mysql) if is(1, "TRANSACTION") => {
            Some(commits_itself("START TRANSACTION"))
        }
        ("PREPARE", Dialect::Postgres) if is(1, "TRANSACTION") && words.get(2).is_some_and(Token::is_quoted) => {
            Some(commits_itself("PREPARE TRANSACTION"))
        }
        ("ROLLBACK", Dialect::Postgres) if is(1, "PREPARED") => Some(cannot_run("ROLLBACK PREPARED")),
        ("ROLLBACK", _) => {
            let to = if is(1, "WORK") || is(1, "TRANSACTION") { 2 } else { 1 };
            (!is(to, "TO")).then(|| rolls_back_itself("ROLLBACK"))
        }
        ("ABORT", Dialect::Postgres) => Some(rolls_back_itself("ABORT")),
        ("XA", Dialect::Mysql) => {
            let verb = words.get(1)?.word()?.to_ascii_uppercase();
            matches!(verb.as_str(), "START" | "BEGIN" | "END" | "PREPARE" | "COMMIT" | "ROLLBACK")
                .then(|| commits_itself(&format!("XA {verb}")))
        }
        _ => None,
    }
}

fn sqlite(first: &str, sql: &str) -> Option<(String, String)> {
    match first {
        "VACUUM" => Some(cannot_run("VACUUM")),
        "PRAGMA" if pragma_value(sql, "journal_mode").is_some_and(|value| !value.is_empty()) => Some((
            "`PRAGMA journal_mode` cannot be changed inside a transaction".to_owned(),
            format!("{NO_TRANSACTION}, or set the journal mode when the application opens its connection"),
        )),
        _ => None,
    }
}

fn postgres(first: &str, words: &[Token<'_>], sql: &str) -> Option<(String, String)> {
    let is = |index: usize, keyword: &str| words.get(index).is_some_and(|token| token.is(keyword));
    let what = match first {
        "VACUUM" => "VACUUM".to_owned(),
        // `CREATE [UNIQUE] INDEX [CONCURRENTLY] [[IF NOT EXISTS] name] ON …`
        "CREATE" if is(1, "INDEX") && is(2, "CONCURRENTLY") => "CREATE INDEX CONCURRENTLY".to_owned(),
        "CREATE" if is(1, "UNIQUE") && is(2, "INDEX") && is(3, "CONCURRENTLY") => {
            "CREATE UNIQUE INDEX CONCURRENTLY".to_owned()
        }
        // `DROP INDEX [CONCURRENTLY] [IF EXISTS] name`
        "DROP" if is(1, "INDEX") && is(2, "CONCURRENTLY") => "DROP INDEX CONCURRENTLY".to_owned(),
        "CREATE" | "DROP" if is(1, "DATABASE") || is(1, "TABLESPACE") => {
            format!("{first} {}", words[1].word()?.to_ascii_uppercase())
        }
        "REINDEX" => reindex(words)?,
        "ALTER" if is(1, "SYSTEM") => "ALTER SYSTEM".to_owned(),
        // `ALTER DATABASE name SET TABLESPACE new` moves the database's files.
        "ALTER" if is(1, "DATABASE") && is(3, "SET") && is(4, "TABLESPACE") => {
            "ALTER DATABASE ... SET TABLESPACE".to_owned()
        }
        "ALTER" if is(1, "TABLE") && detaches_concurrently(sql) => {
            "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY".to_owned()
        }
        // `CLUSTER [VERBOSE]` and `CLUSTER (options)` recluster every table in the database.
        "CLUSTER" if clusters_everything(words) => {
            return Some((
                "`CLUSTER` without a table cannot run inside a transaction".to_owned(),
                format!("name the table to cluster; or {NO_TRANSACTION}"),
            ));
        }
        "DISCARD" if is(1, "ALL") => "DISCARD ALL".to_owned(),
        _ => return None,
    };
    Some(cannot_run(&what))
}

/// `REINDEX [(options)] {INDEX | TABLE | SCHEMA | DATABASE | SYSTEM} [CONCURRENTLY] [name]` as
/// the statement to name, when it cannot run inside a transaction: concurrently (the keyword or
/// the `CONCURRENTLY` option), or a whole schema, database or system catalog.
fn reindex(words: &[Token<'_>]) -> Option<String> {
    let mut index = 1;
    let mut concurrently = false;
    if words.get(1).is_some_and(|token| token.is_symbol("(")) {
        let close = index + 1 + words.get(index + 1..)?.iter().position(|token| token.is_symbol(")"))?;
        let options = &words[index + 1..close];
        concurrently = options.iter().enumerate().any(|(at, token)| {
            token.is("CONCURRENTLY")
                && options.get(at + 1).is_none_or(|value| {
                    let value = value.text().trim_matches(|c| c == '\'' || c == '"');
                    !["FALSE", "OFF", "0", "NO"].iter().any(|off| value.eq_ignore_ascii_case(off))
                })
        });
        index = close + 1;
    }
    let kind = words.get(index)?.word()?.to_ascii_uppercase();
    if !matches!(kind.as_str(), "INDEX" | "TABLE" | "SCHEMA" | "DATABASE" | "SYSTEM") {
        return None;
    }
    concurrently |= words.get(index + 1).is_some_and(|token| token.is("CONCURRENTLY"));
    if concurrently {
        Some(format!("REINDEX {kind} CONCURRENTLY"))
    } else {
        matches!(kind.as_str(), "SCHEMA" | "DATABASE" | "SYSTEM").then(|| format!("REINDEX {kind}"))
    }
}

/// Whether an `ALTER TABLE` statement is `… DETACH PARTITION name CONCURRENTLY`.
fn detaches_concurrently(sql: &str) -> bool {
    let tokens: Vec<Token<'_>> = Tokens::new(sql, Dialect::Postgres).collect();
    tokens.windows(2).enumerate().any(|(at, pair)| {
        if !(pair[0].is("DETACH") && pair[1].is("PARTITION")) {
            return false;
        }
        // The partition's name: `name`, `"name"` or `schema.name`.
        let mut next = at + 3;
        while tokens.get(next).is_some_and(|token| token.is_symbol(".")) {
            next += 2;
        }
        tokens.get(next).is_some_and(|token| token.is("CONCURRENTLY"))
    })
}

/// Whether a `CLUSTER` statement names no table: `CLUSTER`, `CLUSTER VERBOSE`, `CLUSTER (…)`.
fn clusters_everything(words: &[Token<'_>]) -> bool {
    match words.get(1) {
        None => true,
        Some(token) if token.is("VERBOSE") => words.len() == 2,
        Some(token) if token.is_symbol("(") => {
            words.iter().position(|token| token.is_symbol(")")).is_some_and(|close| close + 1 == words.len())
        }
        Some(_) => false,
    }
}

fn mysql(first: &str, words: &[Token<'_>], sql: &str) -> Option<(String, String)> {
    let is = |index: usize, keyword: &str| words.get(index).is_some_and(|token| token.is(keyword));
    match first {
        // `LOCK TABLE[S] t WRITE, …`, not MySQL 8's `LOCK INSTANCE FOR BACKUP`.
        "LOCK" if is(1, "TABLES") || is(1, "TABLE") => Some((
            "`LOCK TABLES` commits the transaction strata runs each migration in".to_owned(),
            format!(
                "{NO_TRANSACTION}, and end the script with `UNLOCK TABLES`: strata cannot record the migration while tables are locked"
            ),
        )),
        "SET" if sets_autocommit(sql) => Some((
            "`SET autocommit` conflicts with the transaction strata runs each migration in".to_owned(),
            format!("remove it: strata commits the migration together with its tracking row; or {NO_TRANSACTION}"),
        )),
        _ => None,
    }
}

/// Whether a MySQL statement is a MariaDB compound statement outside a stored program, as the
/// lexer reads one: `BEGIN NOT ATOMIC`, `IF`, `CASE`, `WHILE`, `LOOP`, `REPEAT` or `FOR` first.
fn opens_compound(words: &[Token<'_>]) -> bool {
    let is = |index: usize, keyword: &str| words.get(index).is_some_and(|token| token.is(keyword));
    (is(0, "BEGIN") && is(1, "NOT") && is(2, "ATOMIC"))
        || ["IF", "CASE", "WHILE", "LOOP", "REPEAT", "FOR"].iter().any(|keyword| is(0, keyword))
}

/// The first statement inside a MariaDB compound statement that cannot run inside a migration's
/// transaction: one that starts after a `;`, `BEGIN`, `NOT ATOMIC`, `THEN`, `ELSE`, `DO`,
/// `LOOP`, `REPEAT` or a label's `:`.
fn compound(sql: &str) -> Option<(String, String)> {
    let mut tokens = Tokens::new(sql, Dialect::Mysql);
    // Each token with the byte offsets of its start and end.
    let mut spans: Vec<(usize, usize, Token<'_>)> = Vec::new();
    while let Some(token) = tokens.next() {
        spans.push((tokens.offset() - token.text().len(), tokens.offset(), token));
    }
    let starts_statement = |at: usize| {
        let Some((_, _, before)) = at.checked_sub(1).and_then(|before| spans.get(before)) else {
            return false;
        };
        before.is_symbol(";")
            || (before.is_symbol(":") && !spans[at].2.is_symbol("="))
            || ["BEGIN", "ATOMIC", "THEN", "ELSE", "DO", "LOOP", "REPEAT"].iter().any(|keyword| before.is(keyword))
    };
    (1..spans.len()).filter(|&at| starts_statement(at)).find_map(|at| {
        let first = spans[at].2.word()?.to_ascii_uppercase();
        let end = spans[at..].iter().position(|(_, _, token)| token.is_symbol(";")).map_or(spans.len(), |n| at + n);
        let words: Vec<Token<'_>> = spans[at..end].iter().take(HEAD).map(|(_, _, token)| *token).collect();
        let text = &sql[spans[at].0..spans[end - 1].1];
        transaction_control(&first, &words, Dialect::Mysql).or_else(|| mysql(&first, &words, text))
    })
}

/// Whether a MySQL `SET` statement assigns the `autocommit` system variable, in any of its
/// spellings: `autocommit = 0`, `SESSION autocommit := 0`, `@@session.autocommit = 0`, or in a
/// list (`SET foreign_key_checks = 0, autocommit = 0`). A user variable `@autocommit` is not it.
fn sets_autocommit(sql: &str) -> bool {
    let tokens: Vec<Token<'_>> = Tokens::new(sql, Dialect::Mysql).collect();
    tokens.windows(2).any(|pair| pair[0].is("AUTOCOMMIT") && (pair[1].is_symbol("=") || pair[1].is_symbol(":")))
}

/// A statement PostgreSQL or SQLite refuses inside a transaction.
fn cannot_run(what: &str) -> (String, String) {
    (format!("`{what}` cannot run inside a transaction"), NO_TRANSACTION.to_owned())
}

/// An explicit statement that starts or commits a transaction.
fn commits_itself(what: &str) -> (String, String) {
    (
        format!("explicit `{what}` conflicts with the transaction strata runs each migration in"),
        format!("remove it: strata commits the migration together with its tracking row; or {NO_TRANSACTION}"),
    )
}

/// An explicit statement that rolls a transaction back.
fn rolls_back_itself(what: &str) -> (String, String) {
    (
        format!("explicit `{what}` conflicts with the transaction strata runs each migration in"),
        format!("remove it: a failing statement already rolls the migration back; or {NO_TRANSACTION}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
            assert!(commits_implicitly(sql), "{sql}");
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
            assert!(!commits_implicitly(sql), "{sql}");
        }
    }

    fn refused(dialect: Dialect, sql: &str) -> Option<String> {
        outside_transaction_only(sql, dialect).map(|(message, _)| message)
    }

    fn assert_refused(dialect: Dialect, cases: &[(&str, &str)]) {
        for (sql, statement) in cases {
            let message = refused(dialect, sql);
            assert!(
                message.as_deref().is_some_and(|message| message.contains(&format!("`{statement}`"))),
                "{dialect}: {sql:?} gave {message:?}, expected one naming `{statement}`"
            );
        }
    }

    fn assert_allowed(dialect: Dialect, cases: &[&str]) {
        for sql in cases {
            assert_eq!(refused(dialect, sql), None, "{dialect}: {sql:?}");
        }
    }

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
            assert!(outside_transaction_only(sql, Dialect::Sqlite).is_some(), "{sql}");
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
            assert!(outside_transaction_only(sql, Dialect::Sqlite).is_none(), "{sql}");
        }
    }

    #[test]
    fn sqlite_messages_are_unchanged() {
        let vacuum = outside_transaction_only("VACUUM", Dialect::Sqlite);
        assert_eq!(
            vacuum,
            Some((
                "`VACUUM` cannot run inside a transaction".to_owned(),
                "add `-- strata:no-transaction` at the top of the up script to run the migration outside a transaction"
                    .to_owned()
            ))
        );
        let (message, help) = outside_transaction_only("PRAGMA journal_mode = WAL", Dialect::Sqlite).unwrap();
        assert_eq!(message, "`PRAGMA journal_mode` cannot be changed inside a transaction");
        assert_eq!(
            help,
            "add `-- strata:no-transaction` at the top of the up script to run the migration outside a transaction, or set the journal mode when the application opens its connection"
        );
        let (message, help) = outside_transaction_only("end", Dialect::Sqlite).unwrap();
        assert_eq!(message, "explicit `END` conflicts with the transaction strata runs each migration in");
        assert_eq!(
            help,
            "remove it: strata commits the migration together with its tracking row; or add `-- strata:no-transaction` at the top of the up script to run the migration outside a transaction"
        );
        let (message, help) = outside_transaction_only("rollback transaction", Dialect::Sqlite).unwrap();
        assert_eq!(message, "explicit `ROLLBACK` conflicts with the transaction strata runs each migration in");
        assert_eq!(
            help,
            "remove it: a failing statement already rolls the migration back; or add `-- strata:no-transaction` at the top of the up script to run the migration outside a transaction"
        );
    }

    #[test]
    fn sqlite_reads_words_past_comments_and_line_breaks() {
        assert_refused(Dialect::Sqlite, &[("COMMIT/* done */", "COMMIT"), ("vacuum\n-- all of it", "VACUUM")]);
        assert_allowed(
            Dialect::Sqlite,
            &["ROLLBACK TRANSACTION\nTO sp", "ROLLBACK /* to the savepoint */ TO sp", "SELECT vacuum FROM t"],
        );
    }

    #[test]
    fn postgres_refuses_what_cannot_run_in_a_transaction_block() {
        assert_refused(
            Dialect::Postgres,
            &[
                ("CREATE INDEX CONCURRENTLY idx ON t (x)", "CREATE INDEX CONCURRENTLY"),
                ("create index concurrently on t (x)", "CREATE INDEX CONCURRENTLY"),
                ("CREATE INDEX CONCURRENTLY IF NOT EXISTS idx ON t USING gin (doc)", "CREATE INDEX CONCURRENTLY"),
                ("CREATE UNIQUE INDEX CONCURRENTLY idx ON t (x)", "CREATE UNIQUE INDEX CONCURRENTLY"),
                ("CREATE /* online */ INDEX\n  CONCURRENTLY idx ON t (x)", "CREATE INDEX CONCURRENTLY"),
                ("DROP INDEX CONCURRENTLY idx", "DROP INDEX CONCURRENTLY"),
                ("DROP INDEX CONCURRENTLY IF EXISTS public.idx", "DROP INDEX CONCURRENTLY"),
                ("REINDEX INDEX CONCURRENTLY idx", "REINDEX INDEX CONCURRENTLY"),
                ("REINDEX TABLE CONCURRENTLY t", "REINDEX TABLE CONCURRENTLY"),
                ("REINDEX (VERBOSE) TABLE CONCURRENTLY t", "REINDEX TABLE CONCURRENTLY"),
                ("REINDEX (VERBOSE, CONCURRENTLY) TABLE t", "REINDEX TABLE CONCURRENTLY"),
                ("REINDEX (CONCURRENTLY true, TABLESPACE fast) INDEX idx", "REINDEX INDEX CONCURRENTLY"),
                ("REINDEX SCHEMA public", "REINDEX SCHEMA"),
                ("REINDEX DATABASE app", "REINDEX DATABASE"),
                ("REINDEX SYSTEM", "REINDEX SYSTEM"),
                ("VACUUM", "VACUUM"),
                ("VACUUM FULL t", "VACUUM"),
                ("VACUUM (VERBOSE, ANALYZE) t", "VACUUM"),
                ("vacuum analyze", "VACUUM"),
                ("CREATE DATABASE reporting", "CREATE DATABASE"),
                ("DROP DATABASE IF EXISTS reporting", "DROP DATABASE"),
                ("ALTER DATABASE app SET TABLESPACE fast", "ALTER DATABASE ... SET TABLESPACE"),
                ("ALTER SYSTEM SET work_mem = '64MB'", "ALTER SYSTEM"),
                ("ALTER SYSTEM RESET ALL", "ALTER SYSTEM"),
                ("CREATE TABLESPACE fast LOCATION '/mnt/fast'", "CREATE TABLESPACE"),
                ("DROP TABLESPACE IF EXISTS fast", "DROP TABLESPACE"),
                (
                    "ALTER TABLE measurements DETACH PARTITION measurements_2020 CONCURRENTLY",
                    "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY",
                ),
                (
                    "ALTER TABLE ONLY public.m DETACH PARTITION public.\"m 2020\" CONCURRENTLY",
                    "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY",
                ),
                ("CLUSTER", "CLUSTER"),
                ("CLUSTER VERBOSE", "CLUSTER"),
                ("CLUSTER (VERBOSE)", "CLUSTER"),
                ("DISCARD ALL", "DISCARD ALL"),
                ("COMMIT PREPARED 'tx1'", "COMMIT PREPARED"),
                ("ROLLBACK PREPARED 'tx1'", "ROLLBACK PREPARED"),
            ],
        );
    }

    #[test]
    fn postgres_refuses_explicit_transaction_control() {
        assert_refused(
            Dialect::Postgres,
            &[
                ("BEGIN", "BEGIN"),
                ("BEGIN WORK", "BEGIN"),
                ("BEGIN ISOLATION LEVEL SERIALIZABLE", "BEGIN"),
                ("begin transaction read only", "BEGIN"),
                ("START TRANSACTION", "START TRANSACTION"),
                ("start transaction isolation level repeatable read", "START TRANSACTION"),
                ("COMMIT", "COMMIT"),
                ("COMMIT WORK", "COMMIT"),
                ("COMMIT AND CHAIN", "COMMIT"),
                ("END", "END"),
                ("END TRANSACTION", "END"),
                ("ROLLBACK", "ROLLBACK"),
                ("ROLLBACK WORK", "ROLLBACK"),
                ("ROLLBACK AND NO CHAIN", "ROLLBACK"),
                ("ABORT", "ABORT"),
                ("PREPARE TRANSACTION 'tx1'", "PREPARE TRANSACTION"),
            ],
        );
        let (message, help) = outside_transaction_only("START TRANSACTION", Dialect::Postgres).unwrap();
        assert_eq!(
            message,
            "explicit `START TRANSACTION` conflicts with the transaction strata runs each migration in"
        );
        assert!(help.starts_with("remove it: strata commits the migration together with its tracking row; or add"));
        let (_, help) = outside_transaction_only("ABORT", Dialect::Postgres).unwrap();
        assert!(help.starts_with("remove it: a failing statement already rolls the migration back; or add"));
    }

    #[test]
    fn postgres_allows_what_can_run_in_a_transaction_block() {
        assert_allowed(
            Dialect::Postgres,
            &[
                "CREATE INDEX idx ON t (concurrently)",
                "CREATE INDEX idx ON t (\"concurrently\")",
                "CREATE UNIQUE INDEX idx ON t (x) WHERE concurrently",
                "CREATE INDEX IF NOT EXISTS idx ON t (x)",
                "DROP INDEX idx",
                "DROP INDEX IF EXISTS concurrently_idx",
                "REINDEX INDEX idx",
                "REINDEX TABLE t",
                "REINDEX (VERBOSE) TABLE t",
                "REINDEX (CONCURRENTLY false) TABLE t",
                "REINDEX (CONCURRENTLY off, VERBOSE) INDEX idx",
                "CREATE TABLE database_x (vacuum int, concurrently_done bool)",
                "CREATE TABLE tablespace_usage (x int)",
                "ALTER TABLE t ADD COLUMN vacuum int",
                "ALTER TABLE t DETACH PARTITION p",
                "ALTER TABLE t DETACH PARTITION p FINALIZE",
                "ALTER TABLE t ADD COLUMN detach int",
                "ALTER DATABASE app SET work_mem = '64MB'",
                "ALTER DATABASE app SET default_tablespace = fast",
                "ALTER TABLESPACE fast RENAME TO faster",
                "ALTER ROLE app SET search_path = app",
                "CLUSTER t USING t_pkey",
                "CLUSTER VERBOSE t",
                "CLUSTER (VERBOSE) t",
                "DISCARD PLANS",
                "ANALYZE t",
                "SELECT vacuum FROM t",
                "UPDATE t SET vacuum = 'VACUUM'",
                "INSERT INTO t VALUES ('BEGIN'), ($$COMMIT$$), (E'\\'ROLLBACK')",
                "LOCK TABLE t IN ACCESS EXCLUSIVE MODE",
                "SET LOCAL lock_timeout = '5s'",
                "SAVEPOINT sp",
                "RELEASE SAVEPOINT sp",
                "ROLLBACK TO sp",
                "ROLLBACK TO SAVEPOINT sp",
                "ROLLBACK WORK TO SAVEPOINT sp",
                "ROLLBACK TRANSACTION TO sp",
                "PREPARE begin_stmt AS SELECT 1",
                "PRAGMA journal_mode = WAL",
                "CREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  COMMIT;\nEND;\n$$ LANGUAGE plpgsql",
                "CREATE PROCEDURE p() LANGUAGE plpgsql AS $body$ BEGIN VACUUM; END $body$",
                "DO $$ BEGIN PERFORM 1; END $$",
                "\"vacuum\"",
            ],
        );
    }

    #[test]
    fn mysql_refuses_explicit_transaction_control_and_table_locks() {
        assert_refused(
            Dialect::Mysql,
            &[
                ("BEGIN", "BEGIN"),
                ("begin work", "BEGIN"),
                ("START TRANSACTION", "START TRANSACTION"),
                ("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ WRITE", "START TRANSACTION"),
                ("COMMIT", "COMMIT"),
                ("COMMIT WORK AND NO CHAIN NO RELEASE", "COMMIT"),
                ("ROLLBACK", "ROLLBACK"),
                ("ROLLBACK WORK", "ROLLBACK"),
                ("XA START 'xid'", "XA START"),
                ("xa commit 'xid'", "XA COMMIT"),
                ("SET autocommit = 0", "SET autocommit"),
                ("set AUTOCOMMIT=1", "SET autocommit"),
                ("SET SESSION autocommit := OFF", "SET autocommit"),
                ("SET @@autocommit = 0", "SET autocommit"),
                ("SET @@session.autocommit = 0", "SET autocommit"),
                ("SET foreign_key_checks = 0, autocommit = 0", "SET autocommit"),
                ("LOCK TABLES accounts WRITE", "LOCK TABLES"),
                ("lock table accounts read, orders write", "LOCK TABLES"),
                ("# before\nCOMMIT", "COMMIT"),
            ],
        );
        let (message, help) = outside_transaction_only("LOCK TABLES t WRITE", Dialect::Mysql).unwrap();
        assert_eq!(message, "`LOCK TABLES` commits the transaction strata runs each migration in");
        assert!(help.starts_with("add `-- strata:no-transaction` at the top of the up script"));
        assert!(help.contains("`UNLOCK TABLES`"));
    }

    #[test]
    fn mysql_allows_what_can_run_in_a_transaction() {
        assert_allowed(
            Dialect::Mysql,
            &[
                // DDL commits implicitly; the runtime handles that.
                "CREATE TABLE t (id INT PRIMARY KEY)",
                "ALTER TABLE t ADD COLUMN begin_at DATETIME",
                "CREATE INDEX idx ON t (x)",
                "CREATE DATABASE reporting",
                "ROLLBACK TO sp",
                "ROLLBACK WORK TO SAVEPOINT sp",
                "SAVEPOINT sp",
                "RELEASE SAVEPOINT sp",
                "UNLOCK TABLES",
                "LOCK INSTANCE FOR BACKUP",
                "SET foreign_key_checks = 0",
                "SET @autocommit = 0",
                "SET @`autocommit` = 0",
                "SET @x = 'autocommit = 0'",
                "SELECT @@autocommit",
                "UPDATE t SET autocommit = 0",
                "INSERT INTO t VALUES ('it\\'s; COMMIT')",
                "SELECT `begin`, `commit` FROM t",
                "XA RECOVER",
                "VACUUM",
                "PRAGMA journal_mode = WAL",
                // MySQL has no `END` statement, and a `BEGIN` followed by more opens a block.
                "END",
                "BEGIN DECLARE x INT DEFAULT 0",
                "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 1; END",
                "CREATE PROCEDURE p() BEGIN START TRANSACTION; COMMIT; END",
            ],
        );
    }

    /// Migration `0001_a` with the up script `sql` and the down script `down`, if any, split as
    /// `dialect` splits them.
    fn migration(dialect: Dialect, sql: &str, down: Option<&str>) -> MigrationDef {
        let script = |file: &str, sql: &str| crate::model::ScriptFile {
            file: file.to_owned(),
            text: sql.to_owned(),
            statements: crate::split_statements(sql, dialect).unwrap(),
        };
        MigrationDef {
            id: "0001_a".to_owned(),
            version: crate::names::Version { number: 1, digits: "0001".to_owned(), written: "0001".to_owned() },
            name: "a".to_owned(),
            layout: crate::names::Layout::Flat,
            checksum: String::new(),
            foreign: crate::ForeignChecksums::of(sql, 1, "a"),
            up: script("0001_a.sql", sql),
            down: down.map(|down| script("0001_a.down.sql", down)),
            depends_on: Vec::new(),
            kind: crate::flags::Kind::Versioned,
            flags: crate::flags::Flags::empty(),
        }
    }

    /// The problems of a migration whose up script is `sql`, split as `dialect` splits it.
    fn problems_of(dialect: Dialect, sql: &str) -> Vec<String> {
        let migration = migration(dialect, sql, None);
        statement_rules(&migration, dialect).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn stored_program_and_begin_atomic_bodies_are_part_of_their_create_statement() {
        // The body runs when the procedure is called, not when the migration creates it.
        let procedure = "CREATE DEFINER=`root`@`localhost` PROCEDURE transfer(IN amount INT)
BEGIN
  DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
  START TRANSACTION;
  IF amount > 0 THEN
    UPDATE accounts SET balance = balance - amount;
  END IF;
  COMMIT;
END;
CREATE TRIGGER t BEFORE INSERT ON accounts FOR EACH ROW BEGIN
  CASE WHEN NEW.balance < 0 THEN SET NEW.balance = 0; ELSE BEGIN END; END CASE;
END;";
        assert_eq!(problems_of(Dialect::Mysql, procedure), Vec::<String>::new());
        let function = "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;
END;
CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END;";
        assert_eq!(problems_of(Dialect::Postgres, function), Vec::<String>::new());
        // A transaction's statements outside a body are still each reported.
        let problems = problems_of(Dialect::Mysql, "CREATE PROCEDURE p() BEGIN COMMIT; END;\nBEGIN;\nCOMMIT;");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("0001_a.sql:2:1: explicit `BEGIN`"), "{problems:?}");
        assert!(problems[1].starts_with("0001_a.sql:3:1: explicit `COMMIT`"), "{problems:?}");
    }

    #[test]
    fn mariadb_compound_statements_run_at_once_and_their_statements_are_checked() {
        assert_refused(
            Dialect::Mysql,
            &[
                ("BEGIN NOT ATOMIC\n  START TRANSACTION;\n  UPDATE t SET x = 1;\n  COMMIT;\nEND", "START TRANSACTION"),
                ("BEGIN NOT ATOMIC UPDATE t SET x = 1; COMMIT; END", "COMMIT"),
                ("IF @x THEN SELECT 1; ELSE ROLLBACK; END IF", "ROLLBACK"),
                ("WHILE @x > 0 DO SET autocommit = 0; END WHILE", "SET autocommit"),
                ("BEGIN NOT ATOMIC inner_block: BEGIN LOCK TABLES t WRITE; END inner_block; END", "LOCK TABLES"),
                ("FOR i IN 1..3 DO XA START 'x'; END FOR", "XA START"),
            ],
        );
        assert_allowed(
            Dialect::Mysql,
            &[
                "BEGIN NOT ATOMIC SAVEPOINT sp; ROLLBACK TO sp; BEGIN SELECT 1; END; END",
                "IF @x THEN UPDATE t SET autocommit = 0; SET @autocommit = 1; END IF",
                "CASE @x WHEN 1 THEN SELECT 'COMMIT'; END CASE",
                "REPEAT SET @x = @x - 1; UNTIL @x <= 0 END REPEAT",
            ],
        );
        let problems = problems_of(Dialect::Mysql, "CREATE TABLE t (x INT);\nBEGIN NOT ATOMIC\n  COMMIT;\nEND;");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("0001_a.sql:2:1: explicit `COMMIT` conflicts"), "{problems:?}");
    }

    #[test]
    fn tokens_skip_comments_and_keep_quotes_whole() {
        let tokens = |sql, dialect| Tokens::new(sql, dialect).map(|token| token.text()).collect::<Vec<_>>();
        assert_eq!(
            tokens("CREATE /* a /* nested */ b */ INDEX -- note\n $x$ ; $x$ 'it''s' \"q\"", Dialect::Postgres),
            ["CREATE", "INDEX", "$x$ ; $x$", "'it''s'", "\"q\""]
        );
        assert_eq!(tokens("SET @@x=@y # c\n, `a``b`", Dialect::Mysql), ["SET", "@@", "x", "=", "@y", ",", "`a``b`"]);
        assert_eq!(tokens("[a b] $1 é", Dialect::Sqlite), ["[a b]", "$", "1", "é"]);
        // Unterminated quotes and comments (which the lexer reports) run to the end.
        assert_eq!(tokens("a 'b", Dialect::Sqlite), ["a", "'b"]);
        assert_eq!(tokens("a /* b", Dialect::Postgres), ["a"]);
        assert_eq!(tokens("a $$ b", Dialect::Postgres), ["a", "$$ b"]);
    }

    #[test]
    fn no_transaction_migrations_are_not_checked() {
        let sql = "CREATE INDEX CONCURRENTLY idx ON t (x);\nVACUUM t;";
        let mut migration = migration(Dialect::Postgres, sql, Some("DROP INDEX CONCURRENTLY idx"));
        let problems: Vec<String> =
            statement_rules(&migration, Dialect::Postgres).iter().map(ToString::to_string).collect();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[1].contains("0001_a.sql:2:1: `VACUUM` cannot run inside a transaction"), "{problems:?}");
        assert!(problems[2].contains("0001_a.down.sql:1:1: `DROP INDEX CONCURRENTLY`"), "{problems:?}");
        assert!(statement_rules(&migration, Dialect::Mysql).is_empty());
        migration.flags = crate::flags::Flags::NO_TRANSACTION;
        assert!(statement_rules(&migration, Dialect::Postgres).is_empty());
    }
}
