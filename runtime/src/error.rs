//! Errors of the migrator, each with the context needed to act on it.

use crate::driver::{Dialect, DriverError};
use std::fmt;
use std::time::Duration;
pub use strata_core::Direction;

/// A client library's error, as strata keeps it: the cause of [`Error::Statement`] and
/// [`Error::Database`] (`source()` gives it back, to downcast to `rusqlite::Error`,
/// `postgres::Error`, …).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The result of every fallible operation of strata's runtime.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A migration as an error names it: as the user wrote it, version, name and file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MigrationRef {
    /// The migration as the user wrote it (`0002_add_posts`; `<version>_<name>` for one this
    /// binary does not know).
    pub id: String,
    /// The version.
    pub version: i64,
    /// The name.
    pub name: String,
    /// The script's file, relative to the migrations folder (empty for migrations this binary
    /// does not know).
    pub file: String,
}

impl fmt::Display for MigrationRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)?;
        if !self.file.is_empty() {
            write!(f, " ({})", self.file)?;
        }
        Ok(())
    }
}

/// Why a migration cannot be rolled back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IrreversibleReason {
    /// It has no down script (or only an empty or comment-only one).
    NoDownScript,
    /// It is marked `strata:irreversible`.
    Marked,
}

/// Everything that can go wrong when strata reads or changes a database.
///
/// `Display` says what happened and what to do; `Debug` (what `fn main() -> Result<(), Box<dyn
/// Error>>` prints) says the same, followed by the chain of causes, as `anyhow` does. The
/// details are the variants' fields.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A statement of a migration failed; the migration's transaction was rolled back (a
    /// `no-transaction` migration is left `dirty`).
    ///
    /// The message names the statement; the database's message is the cause, [`source()`], as
    /// it is [`message`](Error::Statement::message), so that a chain of causes prints it once
    /// ([`with_causes`] puts them on one line).
    ///
    /// [`source()`]: std::error::Error::source
    #[error("migration {migration} failed at statement {statement} (line {line})")]
    Statement {
        /// The migration and the file of the script that failed.
        migration: MigrationRef,
        /// Whether the up or the down script failed.
        direction: Direction,
        /// The statement's index in its script, from 1.
        statement: usize,
        /// The statement's line in its file.
        line: u32,
        /// The database's message.
        message: String,
        /// The driver's error.
        #[source]
        source: BoxError,
        /// How many migrations this run had applied (or reverted) and committed before it
        /// stopped: they stay done. See [`Error::completed`].
        completed: usize,
    },
    /// `PRAGMA foreign_key_check` found a violation before commit in a migration that turned
    /// foreign keys off; the migration was rolled back.
    #[error(
        "migration {migration} leaves a row of `{table}` (rowid {rowid}) whose parent in `{parent}` does not exist; it was rolled back"
    )]
    ForeignKeyViolation {
        /// The migration.
        migration: MigrationRef,
        /// The child table.
        table: String,
        /// The offending row's rowid (0 for `WITHOUT ROWID` tables).
        rowid: i64,
        /// The parent table it references.
        parent: String,
        /// How many migrations this run had applied (or reverted) and committed before it
        /// stopped: they stay done. See [`Error::completed`].
        completed: usize,
    },
    /// The database holds migrations these do not (the embedded set, or the folder the CLI
    /// read): a newer build or folder migrated it. Nothing was run.
    #[error("the database is ahead of these migrations: it holds {} migration(s) they do not have: {}; apply from the newer build or folder that has them, or mark such migrations `strata:backward-compatible`", unknown.len(), list(unknown))]
    DatabaseAhead {
        /// The applied migrations these do not include.
        unknown: Vec<MigrationRef>,
    },
    /// An applied migration's script was edited after it was applied.
    #[error(
        "migration {migration} was edited after it was applied: the database has {applied}, the migration now has {embedded}; restore the file, or run `repair` to record the new checksum (repair does not run the edited SQL)"
    )]
    ChecksumMismatch {
        /// The migration.
        migration: MigrationRef,
        /// The checksum recorded when it was applied.
        applied: String,
        /// The checksum of the script in this binary.
        embedded: String,
    },
    /// A pending migration is ordered before one that is already applied.
    #[error(
        "migration {migration} is pending but ordered before {applied_after}, which is applied; allow it with `allow_out_of_order()`"
    )]
    OutOfOrder {
        /// The pending migration.
        migration: MigrationRef,
        /// An applied migration ordered after it.
        applied_after: MigrationRef,
    },
    /// A migration that ran outside a transaction (`no-transaction`, or DDL on MySQL) failed or
    /// was interrupted part-way: the database may hold part of it.
    #[error(
        "migration {migration} is dirty: it ran outside a transaction and stopped part-way{}; check the database by hand{}, then run `repair` to clear the row and apply it again",
        failure.as_ref().map(|failure| format!(" ({failure})")).unwrap_or_default(),
        invalid_indexes_hint(invalid_indexes)
    )]
    Dirty {
        /// The migration.
        migration: MigrationRef,
        /// Where it failed and the database's message, when it failed rather than being
        /// interrupted.
        failure: Option<String>,
        /// PostgreSQL indexes left `INVALID` by an interrupted `CREATE INDEX CONCURRENTLY`
        /// (`schema.index`): `IF NOT EXISTS` would skip them for ever, so they must be dropped.
        invalid_indexes: Vec<String>,
    },
    /// The tracking table holds a row strata cannot read.
    #[error("the tracking table `{table}` is corrupt{}: {reason}", version.map(|v| format!(" at version {v}")).unwrap_or_default())]
    CorruptHistory {
        /// The tracking table.
        table: String,
        /// The row's version, when it could be read.
        version: Option<i64>,
        /// What is wrong.
        reason: String,
        /// The driver's error, when there is one.
        #[source]
        source: Option<BoxError>,
    },
    /// A table of the tracking table's name exists and is not strata's: another tool's history,
    /// which strata neither reads nor writes. Nothing was written.
    #[error(
        "the table `{table}` is not a strata tracking table: {} ({}), and strata writes nothing to it; give strata a table of its own (`.table(…)`, `--table`)",
        tool.map_or_else(|| "its columns are not strata's".to_owned(), |tool| format!("it looks like {tool}'s history")),
        columns.join(", ")
    )]
    ForeignTable {
        /// The table.
        table: String,
        /// The tool whose history table has exactly these columns, when strata knows it: `sqlx`,
        /// `diesel`, `refinery`, `Flyway`, `golang-migrate`, `dbmate`, `goose`.
        tool: Option<&'static str>,
        /// Its columns.
        columns: Vec<String>,
    },
    /// strata's history is empty, but another tool's history beside it records migrations:
    /// applying would run them again (and fail on "already exists", or worse, succeed). Nothing
    /// was run or written.
    #[error(
        "the database has no strata history, but {tool}'s history ({table}) records {rows} applied migration(s): applying would run them again; {}",
        take_over(tool)
    )]
    ForeignHistory {
        /// The tool: `sqlx`, `diesel`, `refinery`, `Flyway`, `golang-migrate`, `dbmate`, `goose`,
        /// `rusqlite_migration`.
        tool: &'static str,
        /// Where its history is: the table, or `PRAGMA user_version` for rusqlite_migration.
        table: String,
        /// How many migrations it records as applied.
        rows: i64,
    },
    /// [`adopt`](crate::Migrator::adopt) found rows of the other tool's history it cannot take
    /// over. Nothing was written.
    #[error("cannot take over {tool}'s history: {}", refused.join("; "))]
    AdoptRefused {
        /// The tool.
        tool: &'static str,
        /// Each row refused, and why.
        refused: Vec<String>,
    },
    /// The tracking table's name is not a plain SQL identifier.
    #[error(
        "`{name}` is not a valid tracking table name: use letters, digits and `_`, not starting with a digit, at most 57 characters, optionally after `schema.`"
    )]
    InvalidTableName {
        /// The name given.
        name: String,
    },
    /// A rollback would revert a migration that cannot be reverted. Nothing was run.
    #[error("cannot roll back {migration}: {}", match reason { IrreversibleReason::Marked => "it is marked `strata:irreversible`", IrreversibleReason::NoDownScript => "it has no down script" })]
    Irreversible {
        /// The migration.
        migration: MigrationRef,
        /// Why.
        reason: IrreversibleReason,
    },
    /// A target that names none of the migrations.
    #[error("no migration is `{target}`: name one by its version or as its file or folder is named")]
    UnknownTarget {
        /// The target as given.
        target: String,
    },
    /// A target that names several migrations (`2024` in a diesel folder). Nothing was run.
    #[error("`{target}` names {} migrations: {}; name one by its whole version or as its file or folder is named", matches.len(), matches.join(", "))]
    AmbiguousTarget {
        /// The target as given.
        target: String,
        /// The migrations it names, as the user wrote them.
        matches: Vec<String>,
    },
    /// `single_transaction()` cannot run a `no-transaction` migration. Nothing was run.
    #[error("migration {migration} runs outside a transaction and cannot be part of `single_transaction()`")]
    NoTransactionInSingleTransaction {
        /// The migration.
        migration: MigrationRef,
    },
    /// `baseline` on a database whose tracking table already has rows.
    #[error("cannot baseline: the tracking table `{table}` already records {rows} migration(s)")]
    BaselineNotEmpty {
        /// The tracking table.
        table: String,
        /// How many rows it has.
        rows: usize,
    },
    /// The migrations were embedded for another database than the driver's. Nothing was run.
    #[error(
        "these migrations were embedded for {migrations} and cannot be applied through a {driver} driver; embed them with `dialect = \"{driver}\"`"
    )]
    WrongDialect {
        /// The dialect the migrations were embedded (or loaded) for.
        migrations: Dialect,
        /// The driver's.
        driver: Dialect,
    },
    /// Another migrator held the lock for longer than the migrator's `lock_timeout`. Nothing was
    /// run.
    #[error(
        "another migrator has held {lock} for longer than {waited:?}; it is still running, or (for a lease) its lease has not expired yet"
    )]
    LockTimeout {
        /// The lock.
        lock: String,
        /// How long this run waited.
        waited: Duration,
    },
    /// The lease lock expired during the run and another migrator may have taken it: the run
    /// stopped between two migrations (or two statements of one that runs outside a
    /// transaction).
    #[error(
        "the lease {lock} expired while this run held it, and another migrator may have taken it; use a ttl longer than the longest migration"
    )]
    LockLost {
        /// The lock.
        lock: String,
        /// How many migrations this run had applied (or reverted) and committed before it
        /// stopped: they stay done. See [`Error::completed`].
        completed: usize,
    },
    /// The run was stopped by a [`Cancel`](crate::Cancel): the statement in flight was
    /// interrupted, the migration's transaction rolled back and the lock released.
    #[error("{}", cancelled(migration.as_ref(), *dirty))]
    Cancelled {
        /// The migration it stopped in; `None` when it stopped before the next one started
        /// (waiting for the lock, or between two migrations).
        migration: Option<MigrationRef>,
        /// Whether that migration ran outside a transaction and is now dirty.
        dirty: bool,
        /// How many migrations this run had applied (or reverted) and committed before it
        /// stopped: they stay done. See [`Error::completed`].
        completed: usize,
    },
    /// Reading or writing the tracking table, taking the lock, or another statement of strata's
    /// own, failed.
    ///
    /// The database's message is the cause, [`source()`](std::error::Error::source), as for
    /// [`Error::Statement`].
    #[error("{operation} failed")]
    Database {
        /// What strata was doing.
        operation: &'static str,
        /// The database's message.
        message: String,
        /// The driver's error.
        #[source]
        source: BoxError,
        /// How many migrations this run had applied (or reverted) and committed before it
        /// stopped: they stay done. See [`Error::completed`].
        completed: usize,
    },
}

impl fmt::Debug for Error {
    /// The message, then the causes it does not already quote.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (message, causes) = message_and_causes(self);
        f.write_str(&message)?;
        if !causes.is_empty() {
            write!(f, "\n\nCaused by:\n    {}", causes.join("\n    "))?;
        }
        Ok(())
    }
}

fn cancelled(migration: Option<&MigrationRef>, dirty: bool) -> String {
    match migration {
        None => "interrupted before the next migration started: nothing more was applied".to_owned(),
        Some(migration) if dirty => format!(
            "interrupted during {migration}, which runs outside a transaction: it is dirty; check the database by hand, then run `repair`"
        ),
        Some(migration) => format!("interrupted during {migration}: nothing of it was applied"),
    }
}

fn invalid_indexes_hint(indexes: &[String]) -> String {
    if indexes.is_empty() {
        return String::new();
    }
    let drops: Vec<String> = indexes.iter().map(|index| format!("DROP INDEX CONCURRENTLY {index};")).collect();
    format!(" (it left invalid indexes, which `IF NOT EXISTS` would skip: {})", drops.join(" "))
}

/// How to take `tool`'s history over: the `adopt` call, and the feature it needs for the tools
/// whose checksums it compares.
pub(crate) fn take_over(tool: &str) -> String {
    let layout = crate::history::Layout::ALL.into_iter().find(|layout| layout.tool() == tool);
    match layout.and_then(crate::history::Layout::adopt_names) {
        Some((variant, flag)) => {
            let feature = match layout.map(crate::history::Layout::checksum) {
                Some(crate::history::ChecksumPolicy::VersionOnly | crate::history::ChecksumPolicy::Count) => "",
                _ => " with strata's feature `adopt`",
            };
            let call = format!(
                "take it over first with `adopt(strata::From::{variant})`{feature} (`strata adopt --from {flag}`)"
            );
            match layout {
                Some(crate::history::Layout::RusqliteMigration) => format!(
                    "{call}; if the number is your application's own, `baseline` the migration the database is at instead, or, for a database strata should migrate from its first migration, set it to 0 (`PRAGMA user_version = 0`)"
                ),
                _ => call,
            }
        }
        None => "take it over first with `strata adopt`".to_owned(),
    }
}

fn list(migrations: &[MigrationRef]) -> String {
    migrations.iter().map(|m| m.id.as_str()).collect::<Vec<_>>().join(", ")
}

/// An error's message and each cause it does not already quote, on one line, joined by `: `:
/// what a log line or a command-line tool prints. strata's own errors do not quote their causes
/// (the database's message is the cause of [`Error::Statement`]); other libraries' sometimes do.
///
/// ```
/// let error = strata::Error::Database {
///     operation: "reading the tracking table",
///     message: "disk I/O error".into(),
///     source: Box::new(std::io::Error::other("disk I/O error")),
///     completed: 0,
/// };
/// assert_eq!(error.to_string(), "reading the tracking table failed");
/// assert_eq!(strata::with_causes(&error), "reading the tracking table failed: disk I/O error");
/// ```
pub fn with_causes(error: &dyn std::error::Error) -> String {
    let (message, causes) = message_and_causes(error);
    std::iter::once(message).chain(causes).collect::<Vec<_>>().join(": ")
}

/// `error`'s message and the messages of its causes that nothing before them already quotes.
fn message_and_causes(error: &dyn std::error::Error) -> (String, Vec<String>) {
    let message = error.to_string();
    let mut said = message.clone();
    let mut causes = Vec::new();
    let mut cause = error.source();
    while let Some(error) = cause {
        let text = error.to_string();
        if !said.contains(&text) {
            said.push_str(&text);
            causes.push(text);
        }
        cause = error.source();
    }
    (message, causes)
}

/// Wraps a driver error with what strata was doing.
pub(crate) fn database(operation: &'static str) -> impl FnOnce(DriverError) -> Error {
    move |error| Error::Database {
        operation,
        message: error.message().to_owned(),
        source: error.into_source(),
        completed: 0,
    }
}

impl Error {
    /// How far a run that failed got: the number of migrations it applied (or reverted) and
    /// committed before it stopped, which stay done, for the errors that can stop a run part-way
    /// ([`Statement`](Error::Statement), [`ForeignKeyViolation`](Error::ForeignKeyViolation),
    /// [`LockLost`](Error::LockLost), [`Cancelled`](Error::Cancelled),
    /// [`Database`](Error::Database)); `None` for the refusals, which stop it before anything
    /// runs. In [`single_transaction`](crate::Migrator::single_transaction) mode a failure
    /// rolls everything back: 0.
    ///
    /// ```
    /// # static MIGRATIONS: strata::Migrations = strata::embed_migrations!("../migrations");
    /// let mut conn = rusqlite::Connection::open_in_memory()?;
    /// conn.execute_batch("CREATE TABLE posts (id INTEGER)")?; // 0002 creates it again
    /// let error = MIGRATIONS.migrator().apply(&mut conn).unwrap_err();
    /// assert_eq!(error.completed(), Some(1), "0001 was applied and stays");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn completed(&self) -> Option<usize> {
        match self {
            Error::Statement { completed, .. }
            | Error::ForeignKeyViolation { completed, .. }
            | Error::LockLost { completed, .. }
            | Error::Cancelled { completed, .. }
            | Error::Database { completed, .. } => Some(*completed),
            _ => None,
        }
    }

    /// The same error, saying that `count` migrations were completed before it.
    pub(crate) fn after(mut self, count: usize) -> Self {
        if let Error::Statement { completed, .. }
        | Error::ForeignKeyViolation { completed, .. }
        | Error::LockLost { completed, .. }
        | Error::Cancelled { completed, .. }
        | Error::Database { completed, .. } = &mut self
        {
            *completed = count;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn migration() -> MigrationRef {
        MigrationRef {
            id: "0002_add_posts".into(),
            version: 2,
            name: "add_posts".into(),
            file: "0002_add_posts.sql".into(),
        }
    }

    fn unknown() -> MigrationRef {
        MigrationRef { id: "9_future".into(), version: 9, name: "future".into(), file: String::new() }
    }

    /// A client library's error with a cause of its own.
    #[derive(Debug, thiserror::Error)]
    #[error("no such table: tags")]
    struct ClientError(#[source] std::io::Error);

    fn driver_error() -> BoxError {
        Box::new(ClientError(std::io::Error::other("code 1")))
    }

    /// Every error's message, pinned: what users read, and what they may match on in logs.
    #[test]
    fn every_message() {
        let cases: Vec<(Error, &str)> = vec![
            (
                Error::Statement {
                    migration: migration(),
                    direction: Direction::Up,
                    statement: 2,
                    line: 5,
                    message: "no such table: tags".into(),
                    source: driver_error(),
                    completed: 0,
                },
                "migration 0002_add_posts (0002_add_posts.sql) failed at statement 2 (line 5)",
            ),
            (
                Error::ForeignKeyViolation {
                    migration: migration(),
                    table: "books".into(),
                    rowid: 3,
                    parent: "authors".into(),
                    completed: 2,
                },
                "migration 0002_add_posts (0002_add_posts.sql) leaves a row of `books` (rowid 3) whose parent in `authors` does not exist; it was rolled back",
            ),
            (
                Error::DatabaseAhead { unknown: vec![unknown()] },
                "the database is ahead of these migrations: it holds 1 migration(s) they do not have: 9_future; apply from the newer build or folder that has them, or mark such migrations `strata:backward-compatible`",
            ),
            (
                Error::ChecksumMismatch {
                    migration: migration(),
                    applied: "sha256:aa".into(),
                    embedded: "sha256:bb".into(),
                },
                "migration 0002_add_posts (0002_add_posts.sql) was edited after it was applied: the database has sha256:aa, the migration now has sha256:bb; restore the file, or run `repair` to record the new checksum (repair does not run the edited SQL)",
            ),
            (
                Error::OutOfOrder { migration: migration(), applied_after: unknown() },
                "migration 0002_add_posts (0002_add_posts.sql) is pending but ordered before 9_future, which is applied; allow it with `allow_out_of_order()`",
            ),
            (
                Error::Dirty {
                    migration: migration(),
                    failure: None,
                    invalid_indexes: vec!["app.orders_total_idx".into()],
                },
                "migration 0002_add_posts (0002_add_posts.sql) is dirty: it ran outside a transaction and stopped part-way; check the database by hand (it left invalid indexes, which `IF NOT EXISTS` would skip: DROP INDEX CONCURRENTLY app.orders_total_idx;), then run `repair` to clear the row and apply it again",
            ),
            (
                Error::Cancelled { migration: Some(migration()), dirty: false, completed: 0 },
                "interrupted during 0002_add_posts (0002_add_posts.sql): nothing of it was applied",
            ),
            (
                Error::Cancelled { migration: Some(migration()), dirty: true, completed: 1 },
                "interrupted during 0002_add_posts (0002_add_posts.sql), which runs outside a transaction: it is dirty; check the database by hand, then run `repair`",
            ),
            (
                Error::Cancelled { migration: None, dirty: false, completed: 0 },
                "interrupted before the next migration started: nothing more was applied",
            ),
            (
                Error::Dirty { migration: migration(), failure: None, invalid_indexes: Vec::new() },
                "migration 0002_add_posts (0002_add_posts.sql) is dirty: it ran outside a transaction and stopped part-way; check the database by hand, then run `repair` to clear the row and apply it again",
            ),
            (
                Error::Dirty {
                    migration: migration(),
                    failure: Some("statement 2 (line 5): duplicate column name".into()),
                    invalid_indexes: Vec::new(),
                },
                "migration 0002_add_posts (0002_add_posts.sql) is dirty: it ran outside a transaction and stopped part-way (statement 2 (line 5): duplicate column name); check the database by hand, then run `repair` to clear the row and apply it again",
            ),
            (
                Error::CorruptHistory {
                    table: "strata_migrations".into(),
                    version: Some(2),
                    reason: "bad state".into(),
                    source: None,
                },
                "the tracking table `strata_migrations` is corrupt at version 2: bad state",
            ),
            (
                Error::ForeignHistory { tool: "sqlx", table: "`_sqlx_migrations`".into(), rows: 3 },
                "the database has no strata history, but sqlx's history (`_sqlx_migrations`) records 3 applied migration(s): applying would run them again; take it over first with `adopt(strata::From::Sqlx)` with strata's feature `adopt` (`strata adopt --from sqlx`)",
            ),
            (
                Error::ForeignHistory { tool: "golang-migrate", table: "`schema_migrations`".into(), rows: 1 },
                "the database has no strata history, but golang-migrate's history (`schema_migrations`) records 1 applied migration(s): applying would run them again; take it over first with `adopt(strata::From::GolangMigrate)` (`strata adopt --from golang-migrate`)",
            ),
            (
                Error::InvalidTableName { name: "x;y".into() },
                "`x;y` is not a valid tracking table name: use letters, digits and `_`, not starting with a digit, at most 57 characters, optionally after `schema.`",
            ),
            (
                Error::Irreversible { migration: migration(), reason: IrreversibleReason::Marked },
                "cannot roll back 0002_add_posts (0002_add_posts.sql): it is marked `strata:irreversible`",
            ),
            (
                Error::Irreversible { migration: migration(), reason: IrreversibleReason::NoDownScript },
                "cannot roll back 0002_add_posts (0002_add_posts.sql): it has no down script",
            ),
            (
                Error::UnknownTarget { target: "0009".into() },
                "no migration is `0009`: name one by its version or as its file or folder is named",
            ),
            (
                Error::AmbiguousTarget {
                    target: "2024".into(),
                    matches: vec!["2024-01-01-000000_a".into(), "2024-02-12-120203_b".into()],
                },
                "`2024` names 2 migrations: 2024-01-01-000000_a, 2024-02-12-120203_b; name one by its whole version or as its file or folder is named",
            ),
            (
                Error::NoTransactionInSingleTransaction { migration: migration() },
                "migration 0002_add_posts (0002_add_posts.sql) runs outside a transaction and cannot be part of `single_transaction()`",
            ),
            (
                Error::BaselineNotEmpty { table: "strata_migrations".into(), rows: 3 },
                "cannot baseline: the tracking table `strata_migrations` already records 3 migration(s)",
            ),
            (
                Error::WrongDialect { migrations: Dialect::Sqlite, driver: Dialect::Postgres },
                "these migrations were embedded for sqlite and cannot be applied through a postgres driver; embed them with `dialect = \"postgres\"`",
            ),
            (
                Error::LockTimeout { lock: "PostgreSQL advisory lock 42".into(), waited: Duration::from_secs(5) },
                "another migrator has held PostgreSQL advisory lock 42 for longer than 5s; it is still running, or (for a lease) its lease has not expired yet",
            ),
            (
                Error::LockLost { lock: "`strata_migrations_lock`".into(), completed: 3 },
                "the lease `strata_migrations_lock` expired while this run held it, and another migrator may have taken it; use a ttl longer than the longest migration",
            ),
            (
                Error::Database {
                    operation: "reading the tracking table",
                    message: "no such table: tags".into(),
                    source: driver_error(),
                    completed: 0,
                },
                "reading the tracking table failed",
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(error.to_string(), expected);
        }
    }

    #[test]
    fn debug_reads_like_display_with_the_causes() {
        let error = Error::Database {
            operation: "reading the tracking table",
            message: "no such table: tags".into(),
            source: driver_error(),
            completed: 0,
        };
        assert_eq!(
            format!("{error:?}"),
            "reading the tracking table failed\n\nCaused by:\n    no such table: tags\n    code 1"
        );
        // Once, on one line: the message does not quote its cause.
        assert_eq!(with_causes(&error), "reading the tracking table failed: no such table: tags: code 1");
        let dirty = Error::Dirty { migration: migration(), failure: None, invalid_indexes: Vec::new() };
        assert_eq!(format!("{dirty:?}"), dirty.to_string());
    }
}
