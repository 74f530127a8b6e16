//! What strata needs of a database connection: a dialect, statements, and queries returning
//! integers and text. Everything else (the tracking table, transactions, locks, what to run and
//! what to refuse) is strata's own, written once for every driver, sync and async.

use crate::cancel::Interrupt;
use std::fmt;
use std::future::Future;
use std::time::Duration;

#[cfg(any(
    feature = "diesel-postgres",
    feature = "diesel-mysql",
    feature = "diesel-sqlite",
    feature = "diesel-async-postgres",
    feature = "diesel-async-mysql"
))]
mod diesel;
#[cfg(any(feature = "diesel-async-postgres", feature = "diesel-async-mysql"))]
mod diesel_async;
#[cfg(feature = "mysql")]
mod mysql;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(any(feature = "postgres", feature = "tokio-postgres"))]
mod postgres_values;
#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(any(
    feature = "sqlx-postgres",
    feature = "sqlx-mysql",
    feature = "sqlx-0_9-postgres",
    feature = "sqlx-0_9-mysql",
    feature = "sqlx-0_9-sqlite"
))]
mod sqlx;
#[cfg(feature = "tokio-postgres")]
mod tokio_postgres;

pub use strata_core::Dialect;

/// A parameter of one of strata's own queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param<'a> {
    /// A 64-bit integer (`BIGINT`).
    Integer(i64),
    /// Text.
    Text(&'a str),
}

/// A column value of one of strata's own queries: strata only reads integers and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `NULL`.
    Null,
    /// Any integer column (and booleans, as 0 or 1).
    Integer(i64),
    /// Any text column.
    Text(String),
    /// A value of any other type (a blob, a real, text that is not UTF-8), by its type's name:
    /// strata reports the column as unreadable.
    Other(String),
}

/// One row of a query's result.
pub type Row = Vec<Value>;

/// An error of the database or of its client library, with the database's own message.
///
/// ```
/// let error = strata::DriverError::new(std::io::Error::other("connection reset"));
/// assert_eq!(error.message(), "connection reset");
/// ```
#[derive(Debug)]
pub struct DriverError {
    message: String,
    offset: Option<usize>,
    busy: bool,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl DriverError {
    /// Wraps `source`; its `Display` is the message.
    pub fn new(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self { message: source.to_string(), offset: None, busy: false, source: Box::new(source) }
    }

    /// Wraps `source` with the database's own message, when the client library's `Display`
    /// adds more (a prefix, the statement, an offset).
    pub fn with_message(message: impl Into<String>, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self { message: message.into(), offset: None, busy: false, source: Box::new(source) }
    }

    /// Where in the statement the database found the error, in characters from 0, when it
    /// says (PostgreSQL does): strata then names that line of the file, not the statement's first.
    #[must_use]
    pub fn at_offset(mut self, offset: usize) -> Self {
        self.offset = Some(offset);
        self
    }

    /// See [`at_offset`](Self::at_offset).
    pub fn offset(&self) -> Option<usize> {
        self.offset
    }

    /// Marks the error as another connection holding the database's write lock (SQLite's
    /// `SQLITE_BUSY`): a migrator waiting for a lease then tries again instead of failing.
    #[must_use]
    pub fn busy(mut self) -> Self {
        self.busy = true;
        self
    }

    /// See [`busy`](Self::busy).
    pub fn is_busy(&self) -> bool {
        self.busy
    }

    /// The database's message: what an error of strata quotes.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The client library's error.
    pub fn into_source(self) -> Box<dyn std::error::Error + Send + Sync> {
        self.source
    }
}

impl fmt::Display for DriverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DriverError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// A blocking connection strata can migrate: implemented for `rusqlite::Connection`,
/// `postgres::Client` and `mysql::Conn` (each behind its feature), and by you for any other.
///
/// Three methods carry SQL strata writes for [`dialect`](Driver::dialect); the migrator does the
/// rest (transactions are plain `BEGIN`/`COMMIT` statements, locks are queries). Parameters are
/// written `?1`, `?2`… for SQLite, `$1`, `$2`… for PostgreSQL and `?` for MySQL; strata's queries
/// return integer and text columns only (`NULL` too).
///
/// ```
/// use strata::{Dialect, Driver, DriverError, Param, Row};
///
/// /// A connection that logs every statement it runs.
/// struct Logged(rusqlite::Connection, Vec<String>);
///
/// impl Driver for Logged {
///     fn dialect(&self) -> Dialect {
///         Dialect::Sqlite
///     }
///     fn execute(&mut self, sql: &str) -> Result<(), DriverError> {
///         self.1.push(sql.to_owned());
///         Driver::execute(&mut self.0, sql)
///     }
///     fn execute_with(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, DriverError> {
///         self.1.push(sql.to_owned());
///         Driver::execute_with(&mut self.0, sql, params)
///     }
///     fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, DriverError> {
///         Driver::query(&mut self.0, sql, params)
///     }
/// }
///
/// # static MIGRATIONS: strata::Migrations = strata::embed_migrations!("../migrations");
/// let mut conn = Logged(rusqlite::Connection::open_in_memory()?, Vec::new());
/// MIGRATIONS.migrator().apply(&mut conn)?;
/// assert!(conn.1.iter().any(|sql| sql.starts_with("CREATE TABLE users")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "strata cannot migrate through `{Self}`",
    label = "not a connection strata has a driver for",
    note = "strata's drivers: `rusqlite::Connection` (feature `sqlite`, rusqlite 0.32 to 0.43), `postgres::Client` (`postgres`), `mysql::Conn` and `mysql::PooledConn` (`mysql`), diesel's `PgConnection`, `MysqlConnection` and `SqliteConnection` (`diesel-postgres`, `diesel-mysql`, `diesel-sqlite`); the async ones take `apply_async`",
    note = "a `rusqlite::Connection` that is refused comes from a second rusqlite in the build: `cargo tree -i rusqlite` shows both, and `cargo update -p rusqlite@<strata's version> --precise <yours>` makes them one",
    note = "for any other client, implement `strata::Driver` (see its documentation)"
)]
pub trait Driver {
    /// The SQL this connection speaks.
    fn dialect(&self) -> Dialect;

    /// Runs one statement without parameters that returns no rows: a migration's statement (as
    /// written, so through the simple protocol where the database has one) or one of strata's.
    ///
    /// # Errors
    ///
    /// The database's error.
    fn execute(&mut self, sql: &str) -> Result<(), DriverError>;

    /// Runs one statement with parameters; returns how many rows it changed.
    ///
    /// # Errors
    ///
    /// The database's error.
    fn execute_with(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, DriverError>;

    /// Runs one query with parameters; returns every row.
    ///
    /// # Errors
    ///
    /// The database's error, or a column that is neither an integer nor text.
    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, DriverError>;

    /// A way to interrupt this connection's statement in flight from another thread, which a
    /// [`Cancel`](crate::Cancel) fires: SQLite's interrupt, PostgreSQL's cancel request. `None`
    /// (the default): a cancel takes effect before the next statement.
    fn interrupter(&self) -> Option<Interrupt> {
        None
    }
}

/// An async connection strata can migrate: implemented for `tokio_postgres::Client`, sqlx 0.8's
/// `PgConnection` and `MySqlConnection`, sqlx 0.9's `PgConnection`, `MySqlConnection` and
/// `SqliteConnection`, and diesel-async's `AsyncPgConnection` and `AsyncMysqlConnection` (each
/// behind its feature), and by you for any other.
///
/// [`Driver`]'s methods, returning `Send` futures so that a migration can run on any executor's
/// worker thread. strata awaits nothing but these: while it waits for another migrator's lock it
/// awaits [`pause`](AsyncDriver::pause), so that no executor thread is blocked and no statement
/// is held open on the server.
#[diagnostic::on_unimplemented(
    message = "strata cannot migrate through `{Self}` asynchronously",
    label = "not a connection strata has an async driver for",
    note = "strata's async drivers: `tokio_postgres::Client` (feature `tokio-postgres`); sqlx 0.8's `PgConnection` and `MySqlConnection` (`sqlx-postgres`, `sqlx-mysql`); sqlx 0.9's `PgConnection`, `MySqlConnection` and `SqliteConnection` (`sqlx-0_9-postgres`, `sqlx-0_9-mysql`, `sqlx-0_9-sqlite`); diesel-async's `AsyncPgConnection` and `AsyncMysqlConnection` (`diesel-async-postgres`, `diesel-async-mysql`); a pool's through `&mut *pool.acquire().await?`; a blocking connection takes `apply`",
    note = "an sqlx connection that is refused is of the other sqlx version than the feature's (`cargo tree -i sqlx` tells yours); a diesel-async one comes from a second diesel-async in the build: `cargo update -p diesel-async@<strata's> --precise <yours>` makes them one",
    note = "for any other client, implement `strata::AsyncDriver` (see its documentation)"
)]
pub trait AsyncDriver: Send {
    /// The SQL this connection speaks.
    fn dialect(&self) -> Dialect;

    /// See [`Driver::execute`].
    fn execute(&mut self, sql: &str) -> impl Future<Output = Result<(), DriverError>> + Send;

    /// See [`Driver::execute_with`].
    fn execute_with(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> impl Future<Output = Result<u64, DriverError>> + Send;

    /// See [`Driver::query`].
    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> impl Future<Output = Result<Vec<Row>, DriverError>> + Send;

    /// See [`Driver::interrupter`].
    fn interrupter(&self) -> Option<Interrupt> {
        None
    }

    /// Waits `duration` between two tries for another migrator's lock, outside any statement: a
    /// waiter must hold no snapshot open on the server (`CREATE INDEX CONCURRENTLY` in the
    /// holder's migration waits for every one). The default wakes the task from a timer thread
    /// of its own, on any executor; a driver may use its runtime's timer instead.
    fn pause(&mut self, duration: Duration) -> impl Future<Output = ()> + Send {
        crate::timer::sleep(duration)
    }
}

/// A blocking driver seen as an async one whose futures are always ready: the migrator's logic
/// is written once, async, and the blocking entry points run it to completion in one poll.
pub(crate) struct Blocking<'d, D: ?Sized>(pub(crate) &'d mut D);

impl<D: Driver + Send + ?Sized> AsyncDriver for Blocking<'_, D> {
    fn dialect(&self) -> Dialect {
        self.0.dialect()
    }

    fn execute(&mut self, sql: &str) -> impl Future<Output = Result<(), DriverError>> + Send {
        std::future::ready(self.0.execute(sql))
    }

    fn execute_with(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> impl Future<Output = Result<u64, DriverError>> + Send {
        std::future::ready(self.0.execute_with(sql, params))
    }

    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> impl Future<Output = Result<Vec<Row>, DriverError>> + Send {
        std::future::ready(self.0.query(sql, params))
    }

    fn interrupter(&self) -> Option<Interrupt> {
        self.0.interrupter()
    }

    /// A blocking run sleeps on its own thread, which is what it is for.
    fn pause(&mut self, duration: Duration) -> impl Future<Output = ()> + Send {
        std::thread::sleep(duration);
        std::future::ready(())
    }
}

/// Runs a future built only on [`Blocking`] drivers: every await in it is ready, so one poll
/// finishes it.
pub(crate) fn run_blocking<T>(future: impl Future<Output = T>) -> T {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(value) => value,
        // Unreachable: `Blocking`'s futures are `Ready`, and the migrator awaits nothing else
        // (its pauses go through the driver too).
        std::task::Poll::Pending => unreachable!("a blocking driver's future was pending"),
    }
}
