//! The migrator: a builder over the embedded migrations, and the operations it offers, blocking
//! and async, on every driver.

use crate::cancel::Cancel;
use crate::driver::{AsyncDriver, Blocking, Driver, run_blocking};
use crate::error::{Error, Result};
use crate::event::{Event, Listener};
use crate::history::DEFAULT_TABLE;
use crate::lock::Lock;
use crate::migrations::Migrations;
use crate::report::{AdoptReport, Plan, RepairReport, Report, Status};
use std::borrow::Cow;
use std::future::Future;
use std::ops::DerefMut;
use std::sync::Arc;
use std::time::Duration;

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

/// Applies, rolls back and inspects migrations through any connection strata has a driver for
/// (SQLite, PostgreSQL, MySQL/MariaDB; blocking and async).
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
    pub(crate) migrations: &'m Migrations,
    pub(crate) table: Cow<'static, str>,
    pub(crate) single_transaction: bool,
    pub(crate) allow_out_of_order: bool,
    pub(crate) allow_database_ahead: bool,
    pub(crate) busy_timeout: Option<Duration>,
    pub(crate) lock: Lock,
    pub(crate) lock_timeout: Option<Duration>,
    pub(crate) listener: Option<Listener>,
    pub(crate) cancel: Option<Cancel>,
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
            .field("lock", &self.lock)
            .field("lock_timeout", &self.lock_timeout)
            .field("cancel", &self.cancel)
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
    /// out-of-order and unknown applied migrations refused, the database's session lock waited
    /// for as long as it takes, SQLite's busy timeout as the connection has it.
    pub const fn new(migrations: &'m Migrations) -> Self {
        Self {
            migrations,
            table: Cow::Borrowed(DEFAULT_TABLE),
            single_transaction: false,
            allow_out_of_order: false,
            allow_database_ahead: false,
            busy_timeout: None,
            lock: Lock::Session,
            lock_timeout: None,
            listener: None,
            cancel: None,
        }
    }

    /// Records migrations in `name` instead of `strata_migrations` (and the set's digest in
    /// `<name>_state`, a lease in `<name>_lock`). The name is a plain identifier (letters,
    /// digits, `_`, at most 57 characters), optionally after a schema (`app.schema_history`);
    /// anything else makes every operation fail with `Error::InvalidTableName`. Without a schema
    /// the table lands in the connection's current schema (PostgreSQL) or database (MySQL) as it
    /// is when the run starts, whatever a migration does to `search_path`.
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

    /// Sets a SQLite connection's busy timeout: how long to wait for another process's
    /// migration (other databases wait for the [`lock`](Self::lock) instead).
    pub const fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = Some(timeout);
        self
    }

    /// Calls `listener` as each migration starts, is applied, rolled back or fails.
    pub fn on_event(mut self, listener: impl Fn(&Event<'_>) + Send + Sync + 'static) -> Self {
        self.listener = Some(Arc::new(listener));
        self
    }

    /// How to keep other migrators out while this one runs: see [`Lock`]. The default is the
    /// database's session lock.
    pub const fn lock(mut self, lock: Lock) -> Self {
        self.lock = lock;
        self
    }

    /// Fails with `Error::LockTimeout` after waiting `timeout` for another migrator's lock,
    /// instead of waiting as long as it runs.
    pub const fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = Some(timeout);
        self
    }

    /// Lets `cancel` stop the run from another thread (a signal handler): see [`Cancel`].
    pub fn cancel_with(mut self, cancel: &Cancel) -> Self {
        self.cancel = Some(cancel.clone());
        self
    }

    /// The position of the last migration `target` includes, `None` for none.
    pub(crate) fn last_position(&self, target: &Target) -> Result<Option<usize>> {
        let unknown = |target: String| Error::UnknownTarget { target };
        match target {
            Target::Latest => Ok(self.migrations.len().checked_sub(1)),
            Target::Empty => Ok(None),
            Target::Version(version) => {
                self.migrations.position(*version).map(Some).ok_or_else(|| unknown(version.to_string()))
            }
            Target::Named(name) => match self.migrations.position_named(name) {
                Some(position) => Ok(Some(position)),
                None => match self.migrations.starting_with(name).as_slice() {
                    several @ [_, _, ..] => Err(Error::AmbiguousTarget {
                        target: name.clone(),
                        matches: several.iter().map(|m| m.id().to_owned()).collect(),
                    }),
                    _ => Err(unknown(name.clone())),
                },
            },
        }
    }
}

/// The blocking operations, for any [`Driver`]: `rusqlite::Connection`, `postgres::Client`,
/// `mysql::Conn`, … Each takes the connection as `&mut conn`, or anything that dereferences to it
/// (a pooled connection, by value or as `&mut *pooled`).
impl Migrator<'_> {
    /// Applies every pending migration.
    ///
    /// # Errors
    ///
    /// See [`apply_to`](Self::apply_to).
    pub fn apply<C, D>(&self, mut conn: C) -> Result<Report>
    where
        C: DerefMut<Target = D>,
        D: Driver + Send + ?Sized,
    {
        run_blocking(self.run_apply(&mut Blocking(&mut *conn), Target::Latest))
    }

    /// Applies the pending migrations up to and including `target`, in order, under the
    /// [`lock`](Self::lock). Each commits with its tracking row in one transaction (or all in one
    /// with `single_transaction`); a `no-transaction` migration, and on MySQL one with DDL (which
    /// commits implicitly), runs outside a transaction with its row marked dirty until it
    /// finishes. An up-to-date database costs one query.
    ///
    /// # Errors
    ///
    /// Before anything runs: `WrongDialect`, `Dirty`, `DatabaseAhead`, `ChecksumMismatch`,
    /// `OutOfOrder`, `UnknownTarget`, `InvalidTableName`, `CorruptHistory`, `LockTimeout`,
    /// `NoTransactionInSingleTransaction`. While running: `Statement` (the failing migration is
    /// rolled back, or left dirty when it ran outside a transaction; the ones before it stay
    /// applied, except in single-transaction mode), `ForeignKeyViolation`, `LockLost`;
    /// `Cancelled` when a [`Cancel`] stopped it (waiting, or in a migration, which is rolled back
    /// or, outside a transaction, left dirty); `Database` for strata's own statements.
    pub fn apply_to<C, D>(&self, mut conn: C, target: impl Into<Target>) -> Result<Report>
    where
        C: DerefMut<Target = D>,
        D: Driver + Send + ?Sized,
    {
        run_blocking(self.run_apply(&mut Blocking(&mut *conn), target.into()))
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
    /// unless `allow_database_ahead`; and the other checks of [`apply_to`](Self::apply_to). While
    /// running: `Statement` (that migration stays applied), `ForeignKeyViolation` and `Cancelled`.
    pub fn rollback_to<C, D>(&self, mut conn: C, target: impl Into<Target>) -> Result<Report>
    where
        C: DerefMut<Target = D>,
        D: Driver + Send + ?Sized,
    {
        run_blocking(self.run_rollback(&mut Blocking(&mut *conn), target.into()))
    }

    /// Every migration of the binary and where it stands, and the database's unknown ones.
    /// Writes nothing.
    ///
    /// # Errors
    ///
    /// `WrongDialect`, `InvalidTableName`, `CorruptHistory`, `Database`.
    pub fn status<C, D>(&self, mut conn: C) -> Result<Status>
    where
        C: DerefMut<Target = D>,
        D: Driver + Send + ?Sized,
    {
        run_blocking(self.run_status(&mut Blocking(&mut *conn)))
    }

    /// What `operation` would run, in order, with its SQL, after the same checks. Writes
    /// nothing, not even the tracking table.
    ///
    /// # Errors
    ///
    /// The errors the operation itself would return before running anything.
    pub fn plan<C, D>(&self, mut conn: C, operation: Operation) -> Result<Plan>
    where
        C: DerefMut<Target = D>,
        D: Driver + Send + ?Sized,
    {
        run_blocking(self.run_plan(&mut Blocking(&mut *conn), operation))
    }

    /// The checks alone: dirty rows, downgrade protection, drift and order. Writes nothing.
    ///
    /// # Errors
    ///
    /// `Dirty`, `DatabaseAhead`, `ChecksumMismatch`, `OutOfOrder`, and `WrongDialect`,
    /// `InvalidTableName`, `CorruptHistory`, `Database`.
    pub fn verify<C, D>(&self, mut conn: C) -> Result<()>
    where
        C: DerefMut<Target = D>,
        D: Driver + Send + ?Sized,
    {
        run_blocking(self.run_verify(&mut Blocking(&mut *conn)))
    }

    /// Accepts the binary's checksums for edited applied migrations and removes dirty rows (their
    /// migrations become pending again), reporting each change.
    ///
    /// # Errors
    ///
    /// `WrongDialect`, `InvalidTableName`, `CorruptHistory`, `LockTimeout`, `Cancelled`,
    /// `Database`.
    pub fn repair<C, D>(&self, mut conn: C) -> Result<RepairReport>
    where
        C: DerefMut<Target = D>,
        D: Driver + Send + ?Sized,
    {
        run_blocking(self.run_repair(&mut Blocking(&mut *conn)))
    }

    /// Records every migration up to and including `target` as applied without running it, for
    /// a database whose schema predates strata.
    ///
    /// # Errors
    ///
    /// `BaselineNotEmpty` if the tracking table already has rows, `UnknownTarget`, and
    /// `WrongDialect`, `InvalidTableName`, `CorruptHistory`, `LockTimeout`, `Cancelled`,
    /// `Database`.
    pub fn baseline<C, D>(&self, mut conn: C, target: impl Into<Target>) -> Result<Report>
    where
        C: DerefMut<Target = D>,
        D: Driver + Send + ?Sized,
    {
        run_blocking(self.run_baseline(&mut Blocking(&mut *conn), target.into()))
    }

    /// Takes over another tool's history: reads its table (under its default name unless
    /// [`Adopt::table`](crate::Adopt::table) names another, in the schema of strata's), checks
    /// that every row is one of these migrations, none is dirty or failed, each checksum the
    /// tool stores is the file's, and together they are the first ones (unless
    /// [`allow_out_of_order`](Self::allow_out_of_order)), and records them as strata's rows in
    /// one transaction, under strata's lock. The other tool's table is left as it was; adopting
    /// twice is a no-op that says so. Then `apply` runs the rest. `adopt` is a [`crate::From`],
    /// or an [`Adopt`](crate::Adopt) that also names the table or rows to accept anyway.
    ///
    /// ```
    /// # static MIGRATIONS: strata::Migrations = strata::embed_migrations!("../migrations");
    /// let mut conn = rusqlite::Connection::open_in_memory()?;
    /// // What dbmate left: its table, and the first two migrations applied.
    /// conn.execute_batch(
    ///     "CREATE TABLE schema_migrations (version VARCHAR(128) PRIMARY KEY);
    ///      INSERT INTO schema_migrations VALUES ('0001'), ('0002');
    ///      CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);
    ///      CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), title TEXT NOT NULL, body TEXT NOT NULL DEFAULT '');",
    /// )?;
    /// let migrator = MIGRATIONS.migrator();
    /// let report = migrator.adopt(&mut conn, strata::From::Dbmate)?;
    /// assert_eq!(report.adopted, ["0001_create_users", "0002_create_posts"]);
    /// assert!(migrator.adopt(&mut conn, strata::From::Dbmate)?.already_adopted);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `AdoptRefused`, naming each row it cannot take over (and each row named to force that
    /// nothing refuses), with nothing written;
    /// `BaselineNotEmpty` if strata's history holds other rows; `ForeignTable` if the tool's
    /// table has another tool's columns; and `WrongDialect`, `InvalidTableName`,
    /// `CorruptHistory`, `LockTimeout`, `Cancelled`, `Database`.
    pub fn adopt<'a, C, D>(&self, mut conn: C, adopt: impl Into<crate::Adopt<'a>>) -> Result<AdoptReport>
    where
        C: DerefMut<Target = D>,
        D: Driver + Send + ?Sized,
    {
        run_blocking(self.run_adopt(&mut Blocking(&mut *conn), &adopt.into()))
    }
}

/// The async operations, for any [`AsyncDriver`]: `tokio_postgres::Client`, sqlx's
/// `PgConnection` and `MySqlConnection`, … Each takes `&mut client`, or anything that
/// dereferences to it: a deadpool or bb8 object, sqlx's `PoolConnection` (by value or as
/// `&mut *conn`). The futures are `Send`. They are the blocking operations' twins: the same
/// checks, the same errors.
// Not `async fn`: the signatures promise `Send`, so that the compiler checks it here rather
// than in each application that spawns the future.
#[allow(clippy::manual_async_fn)]
impl Migrator<'_> {
    /// [`apply`](Self::apply), async.
    ///
    /// # Errors
    ///
    /// See [`apply_to`](Self::apply_to).
    pub fn apply_async<C, D>(&self, conn: C) -> impl Future<Output = Result<Report>> + Send
    where
        C: DerefMut<Target = D> + Send,
        D: AsyncDriver + ?Sized,
    {
        self.apply_to_async(conn, Target::Latest)
    }

    /// [`apply_to`](Self::apply_to), async.
    ///
    /// # Errors
    ///
    /// See [`apply_to`](Self::apply_to).
    pub fn apply_to_async<C, D>(
        &self,
        mut conn: C,
        target: impl Into<Target>,
    ) -> impl Future<Output = Result<Report>> + Send
    where
        C: DerefMut<Target = D> + Send,
        D: AsyncDriver + ?Sized,
    {
        let target = target.into();
        async move { self.run_apply(&mut *conn, target).await }
    }

    /// [`rollback_to`](Self::rollback_to), async.
    ///
    /// # Errors
    ///
    /// See [`rollback_to`](Self::rollback_to).
    pub fn rollback_to_async<C, D>(
        &self,
        mut conn: C,
        target: impl Into<Target>,
    ) -> impl Future<Output = Result<Report>> + Send
    where
        C: DerefMut<Target = D> + Send,
        D: AsyncDriver + ?Sized,
    {
        let target = target.into();
        async move { self.run_rollback(&mut *conn, target).await }
    }

    /// [`status`](Self::status), async.
    ///
    /// # Errors
    ///
    /// See [`status`](Self::status).
    pub fn status_async<C, D>(&self, mut conn: C) -> impl Future<Output = Result<Status>> + Send
    where
        C: DerefMut<Target = D> + Send,
        D: AsyncDriver + ?Sized,
    {
        async move { self.run_status(&mut *conn).await }
    }

    /// [`plan`](Self::plan), async.
    ///
    /// # Errors
    ///
    /// See [`plan`](Self::plan).
    pub fn plan_async<C, D>(&self, mut conn: C, operation: Operation) -> impl Future<Output = Result<Plan>> + Send
    where
        C: DerefMut<Target = D> + Send,
        D: AsyncDriver + ?Sized,
    {
        async move { self.run_plan(&mut *conn, operation).await }
    }

    /// [`verify`](Self::verify), async.
    ///
    /// # Errors
    ///
    /// See [`verify`](Self::verify).
    pub fn verify_async<C, D>(&self, mut conn: C) -> impl Future<Output = Result<()>> + Send
    where
        C: DerefMut<Target = D> + Send,
        D: AsyncDriver + ?Sized,
    {
        async move { self.run_verify(&mut *conn).await }
    }

    /// [`repair`](Self::repair), async.
    ///
    /// # Errors
    ///
    /// See [`repair`](Self::repair).
    pub fn repair_async<C, D>(&self, mut conn: C) -> impl Future<Output = Result<RepairReport>> + Send
    where
        C: DerefMut<Target = D> + Send,
        D: AsyncDriver + ?Sized,
    {
        async move { self.run_repair(&mut *conn).await }
    }

    /// [`baseline`](Self::baseline), async.
    ///
    /// # Errors
    ///
    /// See [`baseline`](Self::baseline).
    pub fn baseline_async<C, D>(
        &self,
        mut conn: C,
        target: impl Into<Target>,
    ) -> impl Future<Output = Result<Report>> + Send
    where
        C: DerefMut<Target = D> + Send,
        D: AsyncDriver + ?Sized,
    {
        let target = target.into();
        async move { self.run_baseline(&mut *conn, target).await }
    }

    /// [`adopt`](Self::adopt), async.
    ///
    /// # Errors
    ///
    /// See [`adopt`](Self::adopt).
    pub fn adopt_async<'a, C, D>(
        &self,
        mut conn: C,
        adopt: impl Into<crate::Adopt<'a>>,
    ) -> impl Future<Output = Result<AdoptReport>> + Send
    where
        C: DerefMut<Target = D> + Send,
        D: AsyncDriver + ?Sized,
    {
        let adopt = adopt.into();
        async move { self.run_adopt(&mut *conn, &adopt).await }
    }
}
