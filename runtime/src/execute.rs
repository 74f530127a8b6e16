//! Running one migration's script on SQLite: inside `BEGIN IMMEDIATE` with its tracking row,
//! outside a transaction with a dirty row first, or with foreign keys off as SQLite's
//! table-rebuild procedure prescribes.

use crate::error::{Direction, Error, Result, sqlite};
use crate::migration::{Migration, Script};
use crate::tracking::{State, TrackingTable};
use rusqlite::{Connection, TransactionBehavior};
use std::time::{Duration, Instant};

/// Runs every statement of `script`, naming the one that fails.
pub(crate) fn run_script(
    conn: &Connection,
    migration: &Migration,
    script: &Script,
    direction: Direction,
) -> Result<()> {
    for (index, statement) in script.statements().iter().enumerate() {
        conn.execute_batch(statement.sql()).map_err(|source| Error::Statement {
            migration: migration.reference_in(script),
            direction,
            statement: index + 1,
            line: statement.line(),
            message: driver_message(&source, statement.sql()),
            source,
        })?;
    }
    Ok(())
}

/// SQLite's own message for a failed statement.
///
/// rusqlite reports errors that point into the statement as `SqlInputError`, a variant that
/// rusqlite before 0.41 only has with its `modern_sqlite` feature (which `bundled` turns on and
/// a system SQLite build does not): naming it would break the build of every application on the
/// system SQLite. Its text is `<message> in <sql> at offset <n>`; the message is what comes first.
fn driver_message(error: &rusqlite::Error, sql: &str) -> String {
    if let rusqlite::Error::SqliteFailure(_, Some(message)) = error {
        return message.clone();
    }
    let mut text = error.to_string();
    let message_len = text
        .rsplit_once(" at offset ")
        .filter(|(_, offset)| !offset.is_empty() && offset.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|(head, _)| head.strip_suffix(sql))
        .and_then(|head| head.strip_suffix(" in "))
        .map(str::len);
    if let Some(len) = message_len {
        text.truncate(len);
    }
    text
}

/// Runs `work` with foreign keys off when `needed` and they are on, restoring them afterwards
/// whatever happens. `work` learns whether they were on (then it must check them before commit).
/// SQLite ignores `PRAGMA foreign_keys` inside a transaction, so this is the only place it works.
pub(crate) fn with_foreign_keys_off<T>(
    conn: &mut Connection,
    needed: bool,
    work: impl FnOnce(&mut Connection, bool) -> Result<T>,
) -> Result<T> {
    if !needed {
        return work(conn, false);
    }
    let enabled: bool =
        conn.query_row("PRAGMA foreign_keys", [], |row| row.get(0)).map_err(sqlite("reading `PRAGMA foreign_keys`"))?;
    if !enabled {
        return work(conn, false);
    }
    conn.execute_batch("PRAGMA foreign_keys = OFF").map_err(sqlite("turning foreign keys off"))?;
    let result = work(conn, true);
    let restored = conn.execute_batch("PRAGMA foreign_keys = ON").map_err(sqlite("turning foreign keys back on"));
    let value = result?;
    restored?;
    Ok(value)
}

/// `PRAGMA foreign_key_check`: the first violation, as an error naming the table.
pub(crate) fn check_foreign_keys(conn: &Connection, migration: &Migration) -> Result<()> {
    let mut statement = conn.prepare("PRAGMA foreign_key_check").map_err(sqlite("checking foreign keys"))?;
    let mut rows = statement.query([]).map_err(sqlite("checking foreign keys"))?;
    if let Some(row) = rows.next().map_err(sqlite("checking foreign keys"))? {
        let table: String = row.get(0).map_err(sqlite("checking foreign keys"))?;
        let rowid: Option<i64> = row.get(1).map_err(sqlite("checking foreign keys"))?;
        let parent: String = row.get(2).map_err(sqlite("checking foreign keys"))?;
        return Err(Error::ForeignKeyViolation {
            migration: migration.reference(),
            table,
            rowid: rowid.unwrap_or(0),
            parent,
        });
    }
    Ok(())
}

/// Applies `migration` and records it, unless another process already has (then `None`).
pub(crate) fn apply_one(
    conn: &mut Connection,
    table: &TrackingTable,
    migration: &Migration,
) -> Result<Option<Duration>> {
    if migration.no_transaction() {
        return apply_without_transaction(conn, table, migration);
    }
    with_foreign_keys_off(conn, migration.disables_foreign_keys(), |conn, check_foreign_keys_after| {
        let tx =
            conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sqlite("starting a transaction"))?;
        // Re-read inside the write lock: a concurrent process may have applied it meanwhile.
        if table.state_of(&tx, migration.version())?.is_some() {
            return Ok(None);
        }
        let started = Instant::now();
        run_script(&tx, migration, migration.up(), Direction::Up)?;
        if check_foreign_keys_after {
            check_foreign_keys(&tx, migration)?;
        }
        let duration = started.elapsed();
        table.insert(&tx, migration, State::Applied, duration)?;
        table.clear_digest(&tx)?;
        tx.commit().map_err(sqlite("committing a migration"))?;
        Ok(Some(duration))
    })
}

/// A `no-transaction` migration: a dirty row first (the claim), the statements in autocommit,
/// then the row marked applied. A failure leaves the row dirty, which stops later runs.
fn apply_without_transaction(
    conn: &mut Connection,
    table: &TrackingTable,
    migration: &Migration,
) -> Result<Option<Duration>> {
    {
        let tx =
            conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sqlite("starting a transaction"))?;
        if table.state_of(&tx, migration.version())?.is_some() {
            return Ok(None);
        }
        table.insert(&tx, migration, State::Dirty, Duration::ZERO)?;
        table.clear_digest(&tx)?;
        tx.commit().map_err(sqlite("recording a dirty migration"))?;
    }
    let started = Instant::now();
    run_script(conn, migration, migration.up(), Direction::Up)?;
    let duration = started.elapsed();
    table.mark_applied(conn, migration.version(), duration)?;
    Ok(Some(duration))
}

/// Runs `migration`'s down script and removes its row, unless it is no longer applied.
pub(crate) fn revert_one(
    conn: &mut Connection,
    table: &TrackingTable,
    migration: &Migration,
    down: &Script,
) -> Result<Option<Duration>> {
    if migration.no_transaction() {
        return revert_without_transaction(conn, table, migration, down);
    }
    let needs_foreign_keys_off = migration.flags().contains(crate::migration::Flags::DOWN_DISABLES_FOREIGN_KEYS);
    with_foreign_keys_off(conn, needs_foreign_keys_off, |conn, check_foreign_keys_after| {
        let tx =
            conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sqlite("starting a transaction"))?;
        if table.state_of(&tx, migration.version())?.is_none() {
            return Ok(None);
        }
        let started = Instant::now();
        run_script(&tx, migration, down, Direction::Down)?;
        if check_foreign_keys_after {
            check_foreign_keys(&tx, migration)?;
        }
        table.delete(&tx, migration.version())?;
        table.clear_digest(&tx)?;
        tx.commit().map_err(sqlite("committing a rollback"))?;
        Ok(Some(started.elapsed()))
    })
}

/// A `no-transaction` migration's down script runs outside a transaction too: its row is marked
/// dirty first and removed after, so a failure part-way stops later runs like a failed apply.
fn revert_without_transaction(
    conn: &mut Connection,
    table: &TrackingTable,
    migration: &Migration,
    down: &Script,
) -> Result<Option<Duration>> {
    {
        let tx =
            conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sqlite("starting a transaction"))?;
        if table.state_of(&tx, migration.version())? != Some(State::Applied) {
            return Ok(None);
        }
        table.mark_dirty(&tx, migration.version())?;
        table.clear_digest(&tx)?;
        tx.commit().map_err(sqlite("recording a dirty migration"))?;
    }
    let started = Instant::now();
    run_script(conn, migration, down, Direction::Down)?;
    table.delete(conn, migration.version())?;
    Ok(Some(started.elapsed()))
}

#[cfg(test)]
mod tests {
    use super::driver_message;

    #[test]
    fn the_driver_message_is_sqlite_s_own_whatever_the_variant() {
        let conn = rusqlite::Connection::open_in_memory().expect("memory");
        // With an offset (`SqlInputError` on a modern SQLite) and without (`SqliteFailure`).
        for (sql, expected) in
            [("SELEC 1", "near \"SELEC\": syntax error"), ("SELECT * FROM missing", "no such table: missing")]
        {
            let error = conn.execute_batch(sql).expect_err("fails");
            assert_eq!(driver_message(&error, sql), expected, "{error:?}");
        }
        assert_eq!(driver_message(&rusqlite::Error::InvalidQuery, "x"), rusqlite::Error::InvalidQuery.to_string());
    }
}
