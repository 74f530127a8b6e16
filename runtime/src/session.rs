//! One operation's conversation with the database: the tracking table's statements, transactions
//! and a script's statements, each failure named. Written once, async, for every driver (a
//! blocking one runs it through `driver::Blocking`).

use crate::cancel::{Armed, Cancel};
use crate::driver::{AsyncDriver, Dialect, DriverError, Param, Row, Value};
use crate::error::{Direction, Error, Result, database};
use crate::event::Listener;
use crate::history::{AppliedMigration, Layout, State, TrackingTable, millis};
use crate::migration::Migration;
use crate::report::ForeignHistory;
use std::time::{Duration, Instant};
use strata_core::Script;

/// The hook the statement loop runs before each statement outside a transaction, installed by
/// the lock that needs it: a statement run at most every `every`, whose changing no row means
/// the lock was lost.
#[derive(Debug)]
pub(crate) struct Keepalive {
    /// The statement; its parameters are `integer` and `text`, in that order.
    pub(crate) sql: String,
    pub(crate) integer: i64,
    pub(crate) text: String,
    pub(crate) every: Duration,
    pub(crate) last: Instant,
    /// The lock, as [`Error::LockLost`] names it.
    pub(crate) lock: String,
}

pub(crate) struct Session<'d, D: ?Sized> {
    db: &'d mut D,
    pub(crate) table: TrackingTable,
    /// What the held lock runs between statements to stay held (a lease's renewal).
    pub(crate) keepalive: Option<Keepalive>,
    /// Whether a transaction of strata's is open: the keepalive runs only outside one, so
    /// that a waiter's statement never queues behind the holder's transaction.
    in_transaction: bool,
    /// What stops the run from outside, and the driver's interrupt it holds while the run lasts.
    pub(crate) cancel: Option<(Cancel, Armed)>,
    /// Who hears that the run waits for a lock.
    pub(crate) listener: Option<Listener>,
    /// Whether the table's columns were found to be strata's (once a session is enough).
    table_checked: bool,
}

impl<'d, D: AsyncDriver + ?Sized> Session<'d, D> {
    pub(crate) fn new(db: &'d mut D, table: &str) -> Result<Self> {
        let table = TrackingTable::new(table, db.dialect())?;
        Ok(Self {
            db,
            table,
            keepalive: None,
            in_transaction: false,
            cancel: None,
            listener: None,
            table_checked: false,
        })
    }

    /// Lets `cancel` stop this session's work, interrupting its statement in flight.
    pub(crate) fn cancel_with(&mut self, cancel: Option<&Cancel>) {
        self.cancel = cancel.map(|cancel| (cancel.clone(), cancel.arm(self.db.interrupter())));
    }

    pub(crate) fn cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(|(cancel, _)| cancel.is_cancelled())
    }

    pub(crate) fn dialect(&self) -> Dialect {
        self.table.dialect()
    }

    pub(crate) async fn execute(&mut self, sql: &str, operation: &'static str) -> Result<()> {
        self.db.execute(sql).await.map_err(database(operation))
    }

    pub(crate) async fn execute_with(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        operation: &'static str,
    ) -> Result<u64> {
        self.db.execute_with(sql, params).await.map_err(database(operation))
    }

    /// `execute_with`, keeping the driver's error for the caller to judge.
    pub(crate) async fn execute_raw(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, DriverError> {
        self.db.execute_with(sql, params).await
    }

    /// `query`, keeping the driver's error for the caller to judge.
    pub(crate) async fn query_raw(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, DriverError> {
        self.db.query(sql, params).await
    }

    pub(crate) async fn query(&mut self, sql: &str, params: &[Param<'_>], operation: &'static str) -> Result<Vec<Row>> {
        self.db.query(sql, params).await.map_err(database(operation))
    }

    /// The first column of the first row, if the query returns one.
    pub(crate) async fn query_value(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        operation: &'static str,
    ) -> Result<Option<Value>> {
        Ok(self.query(sql, params, operation).await?.into_iter().next().and_then(|row| row.into_iter().next()))
    }

    /// Starts a transaction; on SQLite it takes the write lock at once, so that what is read in
    /// it stays true until commit.
    pub(crate) async fn begin(&mut self) -> Result<()> {
        self.execute(self.table.sql().begin(), "starting a transaction").await?;
        self.in_transaction = true;
        Ok(())
    }

    /// Commits after `outcome` succeeded, rolls back after it failed (keeping its error).
    pub(crate) async fn finish<T>(&mut self, outcome: Result<T>, operation: &'static str) -> Result<T> {
        match outcome {
            Ok(value) => match self.db.execute("COMMIT").await {
                Ok(()) => {
                    self.in_transaction = false;
                    Ok(value)
                }
                Err(error) => {
                    self.rollback().await;
                    Err(database(operation)(error))
                }
            },
            Err(error) => {
                self.rollback().await;
                Err(error)
            }
        }
    }

    /// Rolls back whatever transaction is open. Its own failure is not reported: the error that
    /// led here is the one to report, and a connection whose rollback fails is broken anyway.
    pub(crate) async fn rollback(&mut self) {
        let _: Result<(), DriverError> = self.db.execute("ROLLBACK").await;
        self.in_transaction = false;
    }

    /// Pins an unqualified tracking table to the connection's current schema (PostgreSQL) or
    /// database (MySQL), before any migration can change them.
    pub(crate) async fn pin_schema(&mut self) -> Result<()> {
        let Some(sql) = self.table.current_schema_sql().filter(|_| self.table.unqualified()) else { return Ok(()) };
        if let Some(Value::Text(schema)) = self.query_value(sql, &[], "reading the current schema").await? {
            self.table.pin_schema(schema);
        }
        Ok(())
    }

    pub(crate) async fn create_table(&mut self) -> Result<()> {
        self.check_not_foreign().await?;
        for sql in self.table.create_sql() {
            if let Err(error) = self.db.execute(&sql).await {
                // Two migrators without a lock may race to create it: the loser finds it made.
                if !self.exists("").await.unwrap_or(false) {
                    return Err(database("creating the tracking table")(error));
                }
            }
        }
        self.guard_digest().await
    }

    /// Creates the digest's guard (see `TrackingTable::guard_sql`) unless it is there: one query
    /// on the full path, none on the no-op start-up.
    async fn guard_digest(&mut self) -> Result<()> {
        let ((count, names), create) = self.table.guard_sql();
        let params: Vec<Param<'_>> = names.iter().map(|name| Param::Text(name)).collect();
        let present = self.query_value(&count, &params, "looking for the digest's guard").await?;
        if matches!(present, Some(Value::Integer(n)) if n >= 1) {
            return Ok(());
        }
        for sql in create {
            if let Err(error) = self.db.execute(&sql).await {
                // A concurrent migrator may have made it; MySQL with binary logging refuses
                // triggers to users without the privilege: the digest then stays unguarded and
                // every other guarantee holds, so that is no reason to stop.
                if !self.table.sql().guard_may_be_refused() {
                    let made = self.query_value(&count, &params, "looking for the digest's guard").await?;
                    if !matches!(made, Some(Value::Integer(n)) if n >= 1) {
                        return Err(database("guarding the migration set's digest")(error));
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether `<table><suffix>` exists.
    pub(crate) async fn exists(&mut self, suffix: &str) -> Result<bool> {
        let (sql, names) = self.table.exists_sql(suffix);
        let params: Vec<Param<'_>> = names.iter().map(|name| Param::Text(name)).collect();
        let count = self.query_value(&sql, &params, "looking for the tracking table").await?;
        Ok(matches!(count, Some(Value::Integer(n)) if n > 0))
    }

    /// The digest of the last fully checked set, or `None` (no table yet included).
    pub(crate) async fn stored_digest(&mut self) -> Option<String> {
        // Any failure (no table yet, locked) means "not known": the full check follows.
        let sql = self.table.digest_sql();
        match self.db.query(&sql, &[]).await {
            Ok(rows) => match rows.into_iter().next().and_then(|row| row.into_iter().next()) {
                Some(Value::Text(digest)) => Some(digest),
                _ => None,
            },
            Err(_) => None,
        }
    }

    pub(crate) async fn store_digest(&mut self, digest: &str) -> Result<()> {
        self.clear_digest().await?;
        let sql = self.table.store_digest_sql();
        self.execute_with(&sql, &[Param::Text(digest)], "recording the migration set's digest").await.map(drop)
    }

    pub(crate) async fn clear_digest(&mut self) -> Result<()> {
        let sql = self.table.clear_digest_sql();
        self.execute_with(&sql, &[], "clearing the migration set's digest").await.map(drop)
    }

    /// SQLite's busy timeout as the connection has it: how long it waits for another writer.
    pub(crate) async fn busy_timeout(&mut self) -> Result<Duration> {
        match self.query_value("PRAGMA busy_timeout", &[], "reading the busy timeout").await? {
            Some(Value::Integer(ms)) => Ok(Duration::from_millis(u64::try_from(ms).unwrap_or(0))),
            _ => Ok(Duration::ZERO),
        }
    }

    /// PostgreSQL's indexes in the tracking table's schema that are `INVALID`: what an
    /// interrupted `CREATE INDEX CONCURRENTLY` leaves. Empty elsewhere, and when the catalog
    /// cannot be read (this is advice for a message, not a check).
    pub(crate) async fn invalid_indexes(&mut self) -> Vec<String> {
        let Some((sql, schema)) = self.table.invalid_indexes_sql() else { return Vec::new() };
        let params: Vec<Param<'_>> = schema.iter().map(|schema| Param::Text(schema)).collect();
        match self.db.query(&sql, &params).await {
            Ok(rows) => rows
                .into_iter()
                .filter_map(|row| match row.into_iter().next() {
                    Some(Value::Text(index)) => Some(index),
                    _ => None,
                })
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// `outcome`, with a `Dirty` refusal naming the invalid indexes its migration left.
    pub(crate) async fn explained<T>(&mut self, outcome: Result<T>) -> Result<T> {
        match outcome {
            Err(Error::Dirty { migration, failure, .. }) => {
                Err(Error::Dirty { migration, failure, invalid_indexes: self.invalid_indexes().await })
            }
            outcome => outcome,
        }
    }

    /// Refuses a table of the tracking table's name that another tool made, before anything is
    /// written: strata's guard triggers and `_state` table must not land on it.
    /// The columns `(sql, names)` lists, lower-case; none for a table that does not exist.
    async fn columns(&mut self, (sql, names): (String, Vec<String>), operation: &'static str) -> Result<Vec<String>> {
        let params: Vec<Param<'_>> = names.iter().map(|name| Param::Text(name)).collect();
        let rows = self.query(&sql, &params, operation).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| match row.into_iter().next() {
                Some(Value::Text(column)) => Some(column),
                _ => None,
            })
            .collect())
    }

    /// The number `sql` selects; 0 for none.
    pub(crate) async fn count(&mut self, sql: &str, params: &[Param<'_>], operation: &'static str) -> Result<i64> {
        match self.query_value(sql, params, operation).await? {
            Some(Value::Integer(n)) => Ok(n),
            _ => Ok(0),
        }
    }

    /// Whether strata's history has a row.
    pub(crate) async fn has_history(&mut self) -> Result<bool> {
        Ok(self.exists("").await?
            && self.count(&self.table.count_sql("", "1 = 1"), &[], "counting the history").await? > 0)
    }

    /// Another tool's history table in the schema strata's is in, with rows: its layout, the
    /// table and how many migrations it records. Looked for on a first run only.
    pub(crate) async fn foreign_history(&mut self) -> Result<Option<ForeignHistory>> {
        for table in Layout::foreign_tables() {
            let columns =
                self.columns(self.table.columns_beside_sql(table), "looking for another tool's history").await?;
            let Some(layout) = Layout::recognise(&columns).filter(|&layout| layout != Layout::Strata) else { continue };
            let sql = self.table.count_sql(table, layout.applied_rows());
            let rows = self.count(&sql, &[], "counting another tool's history").await?;
            if rows > 0 {
                return Ok(Some(ForeignHistory { tool: layout.tool(), table: format!("`{table}`"), rows }));
            }
        }
        // rusqlite_migration counts what it applied in `PRAGMA user_version`. An application
        // that set it for a scheme of its own has a schema too, which migration 1 would not
        // expect: refusing is right either way, and the message says how to go on.
        if self.table.dialect() == Dialect::Sqlite {
            let rows = self.count("PRAGMA user_version", &[], "reading `PRAGMA user_version`").await?;
            if rows > 0 {
                let (tool, table) = (Layout::RusqliteMigration.tool(), "`PRAGMA user_version`".to_owned());
                return Ok(Some(ForeignHistory { tool, table, rows }));
            }
        }
        Ok(None)
    }

    /// The rows of the other tool's history, from its table in the schema strata's is in (it
    /// must be there, with that tool's columns), or rusqlite_migration's `PRAGMA user_version`.
    pub(crate) async fn foreign_rows(&mut self, adopt: &crate::Adopt<'_>) -> Result<Vec<crate::adopt::ForeignRow>> {
        let from = adopt.from();
        let read = "reading another tool's history";
        let Some(table) = adopt.table_name() else {
            if self.table.dialect() != Dialect::Sqlite {
                let refused = vec![format!("{from} keeps its history in SQLite's `PRAGMA user_version` only")];
                return Err(Error::AdoptRefused { tool: from.layout().tool(), refused });
            }
            let rows = self.query(&from.read_sql("", Dialect::Sqlite), &[], read).await?;
            return Ok(rows.iter().map(|row| from.row(row)).collect());
        };
        if !crate::history::is_identifier(table) {
            return Err(Error::InvalidTableName { name: table.to_owned() });
        }
        let columns = self.columns(self.table.columns_beside_sql(table), "looking for another tool's history").await?;
        crate::adopt::check_table(from, table, &columns)?;
        let sql = from.read_sql(&self.table.quoted_beside(table), self.table.dialect());
        Ok(self.query(&sql, &[], read).await?.iter().map(|row| from.row(row)).collect())
    }

    async fn check_not_foreign(&mut self) -> Result<()> {
        if self.table_checked {
            return Ok(());
        }
        let columns = self.columns(self.table.columns_sql(), "reading the tracking table's columns").await?;
        self.table.check_columns(&columns)?;
        // No table yet is no answer: the one strata then creates is checked by creating it.
        self.table_checked = !columns.is_empty();
        Ok(())
    }

    /// Every row, by version. A table that does not exist is an empty history.
    pub(crate) async fn read_history(&mut self) -> Result<Vec<AppliedMigration>> {
        if !self.exists("").await? {
            return Ok(Vec::new());
        }
        self.check_not_foreign().await?;
        let sql = self.table.read_sql();
        let rows = self.db.query(&sql, &[]).await.map_err(|error| {
            // The database's message is the cause, not part of the reason.
            let mut corrupt = self.table.corrupt(None, "it does not have strata's columns");
            if let Error::CorruptHistory { source, .. } = &mut corrupt {
                *source = Some(error.into_source());
            }
            corrupt
        })?;
        rows.into_iter().map(|row| self.table.parse_row(row)).collect()
    }

    /// The state of `version`'s row, if it has one.
    pub(crate) async fn state_of(&mut self, version: i64) -> Result<Option<State>> {
        let sql = self.table.state_of_sql();
        match self.query_value(&sql, &[Param::Integer(version)], "reading the tracking table").await? {
            None => Ok(None),
            Some(Value::Text(text)) => self.table.state(version, &text).map(Some),
            Some(_) => Err(self.table.corrupt(Some(version), "`state` is not text")),
        }
    }

    pub(crate) async fn insert(&mut self, migration: &Migration, state: State, duration: Duration) -> Result<()> {
        let sql = self.table.insert_sql();
        let params = [
            Param::Integer(migration.version()),
            Param::Text(migration.name()),
            Param::Text(migration.checksum()),
            Param::Integer(millis(duration)),
            Param::Text(state.as_str()),
            Param::Integer(i64::from(migration.backward_compatible())),
        ];
        self.execute_with(&sql, &params, "recording a migration").await.map(drop)
    }

    pub(crate) async fn mark_applied(&mut self, version: i64, duration: Duration) -> Result<()> {
        let sql = self.table.mark_applied_sql();
        let params = [Param::Integer(millis(duration)), Param::Integer(version)];
        self.execute_with(&sql, &params, "recording a migration").await.map(drop)
    }

    pub(crate) async fn mark_dirty(&mut self, version: i64) -> Result<()> {
        let sql = self.table.mark_dirty_sql();
        self.execute_with(&sql, &[Param::Integer(version)], "recording a dirty migration").await.map(drop)
    }

    pub(crate) async fn update_checksum(&mut self, version: i64, checksum: &str) -> Result<()> {
        let sql = self.table.update_checksum_sql();
        let params = [Param::Text(checksum), Param::Integer(version)];
        self.execute_with(&sql, &params, "updating a checksum").await.map(drop)
    }

    pub(crate) async fn delete(&mut self, version: i64) -> Result<()> {
        let sql = self.table.delete_sql();
        self.execute_with(&sql, &[Param::Integer(version)], "removing a migration's row").await.map(drop)
    }

    /// The run was cancelled: nothing more may start.
    pub(crate) fn stop_if_cancelled(&self) -> Result<()> {
        if self.cancelled() {
            return Err(Error::Cancelled { migration: None, dirty: false, completed: 0 });
        }
        Ok(())
    }

    /// Runs the keepalive when it is due. Called only outside strata's transactions: a lease
    /// renewed inside one would have its row locked until commit, and a waiter's try would queue
    /// behind it (and on MySQL fail after `innodb_lock_wait_timeout`).
    pub(crate) async fn keep_alive(&mut self) -> Result<()> {
        let Some(keepalive) = self.keepalive.as_ref().filter(|keepalive| keepalive.last.elapsed() >= keepalive.every)
        else {
            return Ok(());
        };
        // Cloned, so that a failed renewal leaves the keepalive for the release to use.
        let (sql, integer, text) = (keepalive.sql.clone(), keepalive.integer, keepalive.text.clone());
        if self.execute_with(&sql, &[Param::Integer(integer), Param::Text(&text)], "renewing the lease").await? == 0 {
            let lock = self.keepalive.take().map(|keepalive| keepalive.lock).unwrap_or_default();
            return Err(Error::LockLost { lock, completed: 0 });
        }
        if let Some(keepalive) = self.keepalive.as_mut() {
            keepalive.last = Instant::now();
        }
        Ok(())
    }

    /// Runs every statement of `script`, naming the one that fails; the lock's keepalive, if
    /// any, runs before each.
    pub(crate) async fn run_script(
        &mut self,
        migration: &Migration,
        script: &Script,
        direction: Direction,
    ) -> Result<()> {
        let cancelled =
            || Error::Cancelled { migration: Some(migration.reference_in(script)), dirty: false, completed: 0 };
        for (index, statement) in script.statements().iter().enumerate() {
            if self.cancelled() {
                return Err(cancelled());
            }
            if !self.in_transaction {
                self.keep_alive().await?;
            }
            let outcome = self.db.execute(statement.sql()).await;
            // An interrupted statement fails with the database's "canceled" error: what the
            // caller wants to know is that it was cancelled.
            outcome.map_err(|error| match self.cancelled() {
                true => cancelled(),
                false => Error::Statement {
                    migration: migration.reference_in(script),
                    direction,
                    statement: index + 1,
                    line: line_of(statement, error.offset()),
                    message: error.message().to_owned(),
                    source: error.into_source(),
                    completed: 0,
                },
            })?;
        }
        // A statement that a cancel ended early may still have succeeded (MySQL's `SLEEP`
        // returns 1): a migration in a transaction is not committed after a cancel.
        if self.in_transaction && self.cancelled() {
            return Err(cancelled());
        }
        Ok(())
    }

    /// Runs `script` outside a transaction, its row dirty: a failure is written into the row,
    /// so that `status` and the next run's refusal say where it stopped.
    pub(crate) async fn run_script_dirty(
        &mut self,
        migration: &Migration,
        script: &Script,
        direction: Direction,
    ) -> Result<Duration> {
        let started = Instant::now();
        if let Err(mut error) = self.run_script(migration, script, direction).await {
            let failure = match &mut error {
                Error::Statement { statement, line, message, .. } => {
                    Some(format!("{direction} statement {statement} (line {line}): {message}"))
                }
                Error::Cancelled { dirty, .. } => {
                    *dirty = true;
                    Some(format!("{direction} script interrupted"))
                }
                _ => None,
            };
            if let Some(failure) = failure {
                let sql = self.table.record_failure_sql();
                let params = [Param::Text(&failure), Param::Integer(migration.version())];
                // The statement's error is the one to report; the row stays dirty either way. A
                // cancel request reaches the server on a connection of its own and may land late,
                // on this write instead of the statement it was for: after a cancel, try twice.
                let tries = if self.cancelled() { 2 } else { 1 };
                for _ in 0..tries {
                    if self.execute_with(&sql, &params, "recording a failure").await.is_ok() {
                        break;
                    }
                }
            }
            return Err(error);
        }
        Ok(started.elapsed())
    }

    /// Waits `duration` outside any statement (see [`AsyncDriver::pause`]).
    pub(crate) async fn pause(&mut self, duration: Duration) {
        self.db.pause(duration).await;
    }
}

/// The file's line of the character at `offset` in `statement` (its first line without one).
fn line_of(statement: &strata_core::Statement, offset: Option<usize>) -> u32 {
    let before = offset.map_or(0, |offset| statement.sql().chars().take(offset).filter(|&c| c == '\n').count());
    statement.line().saturating_add(u32::try_from(before).unwrap_or(u32::MAX))
}
