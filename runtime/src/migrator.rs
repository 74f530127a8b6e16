//! The migrator: a builder over the embedded migrations, and the operations it runs.

use crate::check::History;
use crate::error::{Direction, Error, IrreversibleReason, Result, sqlite};
use crate::event::{Event, Listener, emit, span};
use crate::execute::{apply_one, check_foreign_keys, revert_one, run_script, with_foreign_keys_off};
use crate::migrations::Migrations;
use crate::report::{MigrationState, Plan, Ran, RepairReport, Report, Status, StatusLine, Step};
use crate::tracking::{DEFAULT_TABLE, State, TrackingTable};
use rusqlite::{Connection, TransactionBehavior};
use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How far to go.
///
/// A number is a version (`apply_to(&mut conn, 3)`); a string names a migration as the user
/// wrote it or by its version as written (`"0003_add_orders"`, `"2024-02-12-120203-0000"`,
/// `"2024-02-12-120203-0000_add_tags"`): diesel's 18-digit versions need not be typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Target {
    /// Every migration.
    #[default]
    Latest,
    /// Up to and including the migration with this version.
    Version(i64),
    /// Up to and including the migration named so (see [`Migration::id`](crate::Migration::id)).
    Named(String),
    /// Before the first migration: `rollback_to(Target::Empty)` reverts everything.
    Empty,
}

impl From<i64> for Target {
    fn from(version: i64) -> Self {
        Target::Version(version)
    }
}

impl From<&str> for Target {
    fn from(name: &str) -> Self {
        Target::Named(name.to_owned())
    }
}

impl From<String> for Target {
    fn from(name: String) -> Self {
        Target::Named(name)
    }
}

/// What [`Migrator::plan`] should plan.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `apply_to(target)`.
    Apply(Target),
    /// `rollback_to(target)`.
    Rollback(Target),
}

/// Applies, rolls back and inspects migrations on a SQLite connection.
///
/// Made by [`Migrations::migrator`]; every setting has a default that suits an application that
/// migrates at start-up.
///
/// ```
/// # static MIGRATIONS: strata::Migrations = strata::embed_migrations!("../migrations");
/// let mut conn = rusqlite::Connection::open_in_memory()?;
/// let report = MIGRATIONS.migrator().apply(&mut conn)?;
/// assert_eq!(report.ran.len(), MIGRATIONS.len());
/// // Every later start costs one query.
/// assert!(MIGRATIONS.migrator().apply(&mut conn)?.up_to_date);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
#[must_use]
pub struct Migrator<'m> {
    migrations: &'m Migrations,
    table: Cow<'static, str>,
    single_transaction: bool,
    allow_out_of_order: bool,
    allow_database_ahead: bool,
    busy_timeout: Option<Duration>,
    listener: Option<Listener>,
}

impl std::fmt::Debug for Migrator<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Migrator")
            .field("migrations", &self.migrations.len())
            .field("table", &self.table)
            .field("single_transaction", &self.single_transaction)
            .field("allow_out_of_order", &self.allow_out_of_order)
            .field("allow_database_ahead", &self.allow_database_ahead)
            .field("busy_timeout", &self.busy_timeout)
            .finish_non_exhaustive()
    }
}

impl Migrations {
    /// A migrator for these migrations, with the default settings.
    pub const fn migrator(&self) -> Migrator<'_> {
        Migrator::new(self)
    }
}

impl<'m> Migrator<'m> {
    /// A migrator for `migrations`: table `strata_migrations`, one transaction per migration,
    /// out-of-order and unknown applied migrations refused, the connection's busy timeout.
    pub const fn new(migrations: &'m Migrations) -> Self {
        Self {
            migrations,
            table: Cow::Borrowed(DEFAULT_TABLE),
            single_transaction: false,
            allow_out_of_order: false,
            allow_database_ahead: false,
            busy_timeout: None,
            listener: None,
        }
    }

    /// Records migrations in `name` instead of `strata_migrations` (and the set's digest in
    /// `<name>_state`). The name must be a plain identifier (letters, digits, `_`, at most 58
    /// characters); anything else makes every operation fail with `Error::InvalidTableName`.
    pub fn table(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.table = name.into();
        self
    }

    /// Applies all pending migrations in one transaction: all or nothing.
    pub const fn single_transaction(mut self) -> Self {
        self.single_transaction = true;
        self
    }

    /// Applies a pending migration ordered before an applied one (when its dependencies are
    /// applied) instead of failing with `Error::OutOfOrder`.
    pub const fn allow_out_of_order(mut self) -> Self {
        self.allow_out_of_order = true;
        self
    }

    /// Goes on when the database holds migrations this binary does not know, instead of failing
    /// with `Error::DatabaseAhead`.
    pub const fn allow_database_ahead(mut self) -> Self {
        self.allow_database_ahead = true;
        self
    }

    /// Sets the connection's busy timeout: how long to wait for another process's migration.
    pub const fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = Some(timeout);
        self
    }

    /// Calls `listener` as each migration starts, is applied, rolled back or fails.
    pub fn on_event(mut self, listener: impl Fn(&Event<'_>) + Send + Sync + 'static) -> Self {
        self.listener = Some(Arc::new(listener));
        self
    }

    fn tracking(&self) -> Result<TrackingTable> {
        TrackingTable::new(&self.table)
    }

    fn prepare(&self, conn: &Connection) -> Result<TrackingTable> {
        let table = self.tracking()?;
        if let Some(timeout) = self.busy_timeout {
            conn.busy_timeout(timeout).map_err(sqlite("setting the busy timeout"))?;
        }
        Ok(table)
    }

    /// The position of the last migration `target` includes, `None` for none.
    fn last_position(&self, target: &Target) -> Result<Option<usize>> {
        let unknown = |target: String| Error::UnknownTarget { target };
        match target {
            Target::Latest => Ok(self.migrations.len().checked_sub(1)),
            Target::Empty => Ok(None),
            Target::Version(version) => {
                self.migrations.position(*version).map(Some).ok_or_else(|| unknown(version.to_string()))
            }
            Target::Named(name) => self.migrations.position_named(name).map(Some).ok_or_else(|| unknown(name.clone())),
        }
    }

    /// Applies every pending migration.
    ///
    /// # Errors
    ///
    /// See [`apply_to`](Self::apply_to).
    pub fn apply(&self, conn: &mut Connection) -> Result<Report> {
        self.apply_to(conn, Target::Latest)
    }

    /// Applies the pending migrations up to and including `target`, in order, each with its
    /// tracking row in one `BEGIN IMMEDIATE` transaction (or all in one with
    /// `single_transaction`). An up-to-date database costs one query.
    ///
    /// # Errors
    ///
    /// Before anything runs: `Dirty`, `DatabaseAhead`, `ChecksumMismatch`, `OutOfOrder`,
    /// `UnknownTarget`, `InvalidTableName`, `CorruptHistory`,
    /// `NoTransactionInSingleTransaction`. While running: `Statement` (the failing migration is
    /// rolled back; the ones before it stay applied, except in single-transaction mode) and
    /// `ForeignKeyViolation`; `Sqlite` for the tracking table itself.
    pub fn apply_to(&self, conn: &mut Connection, target: impl Into<Target>) -> Result<Report> {
        let started = Instant::now();
        let target = target.into();
        let table = self.prepare(conn)?;
        let last = self.last_position(&target)?;
        if table.stored_digest(conn).as_deref() == Some(self.migrations.digest()) {
            return Ok(Report {
                skipped: self.migrations.len(),
                up_to_date: true,
                duration: started.elapsed(),
                ..Report::default()
            });
        }
        table.create(conn)?;
        let history = History::new(self.migrations, table.read(conn)?);
        let database_ahead = self.check(&history)?;
        let pending = history.pending(self.migrations, last, self.allow_out_of_order)?;
        let mut report = Report { database_ahead, skipped: history.applied_count(), ..Report::default() };
        if self.single_transaction {
            self.apply_all_at_once(conn, &table, last, &pending, &mut report)?;
        } else {
            for position in pending {
                let migration = &self.migrations[position];
                match self.run(migration, Direction::Up, || apply_one(conn, &table, migration))? {
                    Some(duration) => report.ran.push(Ran::new(migration, duration)),
                    None => report.skipped += 1,
                }
            }
        }
        // Only a run that leaves every known migration applied, and nothing unknown, can complete
        // the set: anything else skips the extra write transaction.
        if report.database_ahead.is_empty() && report.ran.len() + report.skipped == self.migrations.len() {
            self.record_digest_if_complete(conn, &table)?;
        }
        report.duration = started.elapsed();
        Ok(report)
    }

    /// Dirty rows, downgrade protection and drift, in that order.
    fn check(&self, history: &History) -> Result<Vec<i64>> {
        history.check_dirty(self.migrations)?;
        let ahead = history.check_ahead(self.allow_database_ahead)?;
        history.check_drift(self.migrations)?;
        Ok(ahead)
    }

    /// The checks before a rollback: those of `apply`, except that `backward-compatible` unknown
    /// migrations do not license it (they may build on what would be reverted).
    fn check_rollback(&self, history: &History) -> Result<Vec<i64>> {
        history.check_dirty(self.migrations)?;
        if !history.unknown.is_empty() && !self.allow_database_ahead {
            return Err(history.ahead_error());
        }
        history.check_drift(self.migrations)?;
        Ok(history.unknown.iter().map(|&index| history.rows[index].version).collect())
    }

    /// Runs one migration's work between its events (and in its span).
    fn run(
        &self,
        migration: &crate::Migration,
        direction: Direction,
        work: impl FnOnce() -> Result<Option<Duration>>,
    ) -> Result<Option<Duration>> {
        let _span = span(migration, direction);
        let listener = self.listener.as_ref();
        emit(listener, &Event::Started { migration, direction });
        let started = Instant::now();
        match work() {
            Ok(Some(duration)) => {
                let event = match direction {
                    Direction::Up => Event::Applied { migration, duration },
                    Direction::Down => Event::RolledBack { migration, duration },
                };
                emit(listener, &event);
                Ok(Some(duration))
            }
            Ok(None) => Ok(None),
            Err(error) => {
                emit(listener, &Event::Failed { migration, direction, duration: started.elapsed(), error: &error });
                Err(error)
            }
        }
    }

    /// Single-transaction mode: the checks again inside the write lock, then every pending
    /// migration, then one commit.
    fn apply_all_at_once(
        &self,
        conn: &mut Connection,
        table: &TrackingTable,
        last: Option<usize>,
        expected: &[usize],
        report: &mut Report,
    ) -> Result<()> {
        // Foreign keys can only be turned off outside the transaction: decide from the pending
        // migrations as read before it.
        let needs_foreign_keys_off = expected.iter().any(|&p| self.migrations[p].disables_foreign_keys());
        with_foreign_keys_off(conn, needs_foreign_keys_off, |conn, check_foreign_keys_after| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sqlite("starting a transaction"))?;
            let history = History::new(self.migrations, table.read(&tx)?);
            report.database_ahead = self.check(&history)?;
            report.skipped = history.applied_count();
            let pending = history.pending(self.migrations, last, self.allow_out_of_order)?;
            if let Some(&position) = pending.iter().find(|&&p| self.migrations[p].no_transaction()) {
                return Err(Error::NoTransactionInSingleTransaction {
                    migration: self.migrations[position].reference(),
                });
            }
            let rebuild = pending.iter().map(|&p| &self.migrations[p]).find(|m| m.disables_foreign_keys());
            let mut ran = Vec::with_capacity(pending.len());
            for position in pending {
                let migration = &self.migrations[position];
                let duration = self.run(migration, Direction::Up, || {
                    let started = Instant::now();
                    run_script(&tx, migration, migration.up(), Direction::Up)?;
                    let duration = started.elapsed();
                    table.insert(&tx, migration, State::Applied, duration)?;
                    Ok(Some(duration))
                })?;
                ran.push(Ran::new(migration, duration.unwrap_or_default()));
            }
            if let Some(rebuild) = rebuild.filter(|_| check_foreign_keys_after) {
                check_foreign_keys(&tx, rebuild)?;
            }
            table.clear_digest(&tx)?;
            tx.commit().map_err(sqlite("committing the migrations"))?;
            report.ran = ran;
            Ok(())
        })
    }

    /// After a run: if the database now records exactly this binary's migrations, store the
    /// set's digest so that the next start is one query. Checked inside the write lock, so a
    /// concurrent newer binary cannot slip a migration in between.
    fn record_digest_if_complete(&self, conn: &mut Connection, table: &TrackingTable) -> Result<()> {
        let tx =
            conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sqlite("starting a transaction"))?;
        let history = History::new(self.migrations, table.read(&tx)?);
        if history.matches_exactly(self.migrations) {
            table.store_digest(&tx, self.migrations.digest())?;
            tx.commit().map_err(sqlite("recording the migration set's digest"))?;
        }
        Ok(())
    }

    /// Reverts the applied migrations ordered after `target` (which stays applied), newest
    /// first, each with the removal of its row in one transaction. `Target::Empty` reverts
    /// everything.
    ///
    /// # Errors
    ///
    /// Before anything runs: `Irreversible` if a migration in range has no down script or is
    /// `strata:irreversible`; `DatabaseAhead` if the database holds migrations this binary does
    /// not know (even `backward-compatible` ones: they may build on what would be reverted)
    /// unless `allow_database_ahead`; and the other checks of [`apply_to`](Self::apply_to). While running:
    /// `Statement` (that migration stays applied) and `ForeignKeyViolation`.
    pub fn rollback_to(&self, conn: &mut Connection, target: impl Into<Target>) -> Result<Report> {
        let started = Instant::now();
        let table = self.prepare(conn)?;
        let keep = self.last_position(&target.into())?;
        let history = History::new(self.migrations, table.read(conn)?);
        let database_ahead = self.check_rollback(&history)?;
        let range = self.rollback_range(&history, keep)?;
        let mut report = Report { database_ahead, ..Report::default() };
        for position in range {
            let migration = &self.migrations[position];
            let Some(down) = migration.down() else { continue };
            match self.run(migration, Direction::Down, || revert_one(conn, &table, migration, down))? {
                Some(duration) => report.ran.push(Ran::new(migration, duration)),
                None => report.skipped += 1,
            }
        }
        report.duration = started.elapsed();
        Ok(report)
    }

    /// The applied positions after `keep`, newest first, once every one is known reversible.
    ///
    /// Nothing that stays applied can depend on one of them: the order is topological, so a
    /// migration's dependents all come after it and are reverted before it.
    fn rollback_range(&self, history: &History, keep: Option<usize>) -> Result<Vec<usize>> {
        let first = keep.map_or(0, |k| k + 1);
        let range: Vec<usize> = (first..self.migrations.len()).rev().filter(|&p| history.is_applied(p)).collect();
        for &position in &range {
            let migration = &self.migrations[position];
            let reason = if migration.irreversible() {
                Some(IrreversibleReason::Marked)
            } else if migration.down().is_none() {
                Some(IrreversibleReason::NoDownScript)
            } else {
                None
            };
            if let Some(reason) = reason {
                return Err(Error::Irreversible { migration: migration.reference(), reason });
            }
        }
        Ok(range)
    }

    /// Every migration of the binary and where it stands, and the database's unknown ones.
    /// Writes nothing.
    ///
    /// # Errors
    ///
    /// `InvalidTableName`, `CorruptHistory`, `Sqlite`.
    pub fn status(&self, conn: &Connection) -> Result<Status> {
        let table = self.tracking()?;
        let history = History::new(self.migrations, table.read(conn)?);
        let migrations = self
            .migrations
            .iter()
            .zip(&history.row_of)
            .map(|(migration, row)| {
                let state = match row.map(|index| history.rows[index].clone()) {
                    None => MigrationState::Pending,
                    Some(row) if row.state == State::Dirty => MigrationState::Dirty(row),
                    Some(row) if row.checksum != migration.checksum() => MigrationState::Edited(row),
                    Some(row) => MigrationState::Applied(row),
                };
                StatusLine {
                    id: migration.id().to_owned(),
                    version: migration.version(),
                    name: migration.name().to_owned(),
                    state,
                }
            })
            .collect();
        let unknown = history.unknown.iter().map(|&index| history.rows[index].clone()).collect();
        Ok(Status { migrations, unknown })
    }

    /// What `operation` would run, in order, with its SQL, after the same checks. Writes
    /// nothing, not even the tracking table.
    ///
    /// # Errors
    ///
    /// The errors the operation itself would return before running anything.
    pub fn plan(&self, conn: &Connection, operation: Operation) -> Result<Plan> {
        let table = self.tracking()?;
        let history = History::new(self.migrations, table.read(conn)?);
        self.check(&history)?;
        let (positions, direction) = match operation {
            Operation::Apply(target) => {
                let last = self.last_position(&target)?;
                (history.pending(self.migrations, last, self.allow_out_of_order)?, Direction::Up)
            }
            Operation::Rollback(target) => {
                self.check_rollback(&history)?;
                let keep = self.last_position(&target)?;
                (self.rollback_range(&history, keep)?, Direction::Down)
            }
        };
        let steps = positions
            .into_iter()
            .filter_map(|position| {
                let migration = &self.migrations[position];
                let script = match direction {
                    Direction::Up => Some(migration.up()),
                    Direction::Down => migration.down(),
                }?;
                Some(Step {
                    id: migration.id().to_owned(),
                    version: migration.version(),
                    name: migration.name().to_owned(),
                    direction,
                    file: script.file().to_owned(),
                    statements: script.statements().iter().map(|s| s.sql().to_owned()).collect(),
                    no_transaction: migration.no_transaction(),
                })
            })
            .collect();
        Ok(Plan { steps })
    }

    /// The checks alone: dirty rows, downgrade protection, drift and order. Writes nothing.
    ///
    /// # Errors
    ///
    /// `Dirty`, `DatabaseAhead`, `ChecksumMismatch`, `OutOfOrder`, and `InvalidTableName`,
    /// `CorruptHistory`, `Sqlite`.
    pub fn verify(&self, conn: &Connection) -> Result<()> {
        let table = self.tracking()?;
        let history = History::new(self.migrations, table.read(conn)?);
        self.check(&history)?;
        history.check_order(self.migrations, self.allow_out_of_order)
    }

    /// Accepts the binary's checksums for edited applied migrations and removes dirty rows (their
    /// migrations become pending again), reporting each change.
    ///
    /// # Errors
    ///
    /// `InvalidTableName`, `CorruptHistory`, `Sqlite`.
    pub fn repair(&self, conn: &mut Connection) -> Result<RepairReport> {
        let table = self.prepare(conn)?;
        table.create(conn)?;
        let tx =
            conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sqlite("starting a transaction"))?;
        let mut report = RepairReport::default();
        for row in table.read(&tx)? {
            if row.state == State::Dirty {
                table.delete(&tx, row.version)?;
                let id = self
                    .migrations
                    .get(row.version)
                    .map_or_else(|| format!("{}_{}", row.version, row.name), |m| m.id().to_owned());
                report.dirty_cleared.push(id);
            } else if let Some(migration) = self.migrations.get(row.version).filter(|m| m.checksum() != row.checksum) {
                table.update_checksum(&tx, row.version, migration.checksum())?;
                report.checksums_updated.push((
                    migration.id().to_owned(),
                    row.checksum,
                    migration.checksum().to_owned(),
                ));
            }
        }
        table.clear_digest(&tx)?;
        tx.commit().map_err(sqlite("committing the repair"))?;
        Ok(report)
    }

    /// Records every migration up to and including `target` as applied without running it, for
    /// a database whose schema predates strata.
    ///
    /// # Errors
    ///
    /// `BaselineNotEmpty` if the tracking table already has rows, `UnknownTarget`, and
    /// `InvalidTableName`, `CorruptHistory`, `Sqlite`.
    pub fn baseline(&self, conn: &mut Connection, target: impl Into<Target>) -> Result<Report> {
        let started = Instant::now();
        let table = self.prepare(conn)?;
        let Some(last) = self.last_position(&target.into())? else { return Ok(Report::default()) };
        table.create(conn)?;
        let tx =
            conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sqlite("starting a transaction"))?;
        let rows = table.read(&tx)?.len();
        if rows > 0 {
            return Err(Error::BaselineNotEmpty { table: table.name().to_owned(), rows });
        }
        let mut report = Report::default();
        for migration in &self.migrations.as_slice()[..=last] {
            table.insert(&tx, migration, State::Applied, Duration::ZERO)?;
            report.baselined.push(migration.id().to_owned());
        }
        tx.commit().map_err(sqlite("committing the baseline"))?;
        report.duration = started.elapsed();
        Ok(report)
    }
}
