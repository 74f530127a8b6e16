//! Each database's SQL, one file per dialect: how strata names things, writes its history and
//! digest guard, reads the catalogue, starts a transaction and takes its locks. Everything else
//! in the runtime is written once for every dialect through [`DialectSql`]; a new engine is a new
//! file here (and a driver).

use crate::driver::{Dialect, Param};

mod mysql;
mod postgres;
mod sqlite;

/// The statements of one dialect.
pub(crate) trait DialectSql: Sync + std::fmt::Debug {
    /// `identifier` quoted.
    fn quote(&self, identifier: &str) -> String;

    /// The `n`th parameter (from 1), of `sql_type` (`BIGINT` or `TEXT`).
    fn placeholder(&self, n: usize, sql_type: &str) -> String;

    /// The query for the connection's current schema (PostgreSQL) or database (MySQL); `None`
    /// where an unqualified name always lands in the same place (SQLite's `main`).
    fn current_schema(&self) -> Option<&'static str>;

    /// The statement that starts strata's transactions.
    fn begin(&self) -> &'static str;

    /// The database's clock in milliseconds since 1970, as an expression: a lease expires by the
    /// server's time, so that migrators on machines whose clocks disagree still agree.
    fn now_ms(&self) -> &'static str;

    /// The statement that sets how long a statement waits for another connection's write lock,
    /// where the database has one (SQLite).
    fn busy_timeout(&self, _millis: u128) -> Option<String> {
        None
    }

    /// Whether a migration that turns foreign keys off runs SQLite's table-rebuild procedure.
    fn rebuilds_with_foreign_keys_off(&self) -> bool {
        false
    }

    /// A query for the columns of `names`' table (none when it does not exist), lower-case, and
    /// its parameters.
    fn columns(&self, names: Names<'_>) -> (String, Vec<String>);

    /// A query counting the tables called `table` in `names`' schema (0 or 1), and its
    /// parameters.
    fn exists(&self, names: Names<'_>, table: &str) -> (String, Vec<String>);

    /// The history table's columns, for its `CREATE TABLE`.
    fn history_columns(&self) -> &'static str;

    /// The type of the stored digest, and of a lease's owner.
    fn digest_and_owner_types(&self) -> (&'static str, &'static str);

    /// The longest digest guard name the server keeps (with the suffixes its triggers add).
    fn guard_name_limit(&self) -> usize;

    /// The digest guard: a query counting its parts (and the query's parameters), and the
    /// statements that create it. `guard` is its name, `table` and `state` the two tables,
    /// quoted.
    fn guard(&self, names: Names<'_>, guard: &str, table: &str, state: &str) -> ((String, Vec<String>), Vec<String>);

    /// Whether the server may refuse to create the guard for want of a privilege (MySQL with
    /// binary logging): the digest then stays unguarded and every other guarantee holds.
    fn guard_may_be_refused(&self) -> bool {
        false
    }

    /// The history's `applied_at` and `backward_compatible` columns as text and as an integer.
    fn read_columns(&self) -> (&'static str, &'static str);

    /// The time of a new row, in UTC, and a `backward_compatible` value from an integer
    /// parameter's placeholder.
    fn insert_values(&self, compatible: String) -> (&'static str, String);

    /// The query for the indexes an interrupted `CREATE INDEX CONCURRENTLY` left `INVALID` in
    /// `names`' schema, and its parameter: PostgreSQL only.
    fn invalid_indexes(&self, _names: Names<'_>) -> Option<(String, Option<String>)> {
        None
    }

    /// The session lock on `key`, where the database has one that a connection holds until it
    /// ends (PostgreSQL's advisory lock, MySQL's named lock).
    fn session_lock(&self, key: i64) -> Option<SessionLockOn>;

    /// `INSERT` of `values` into `table`'s `columns` that does nothing when the row exists.
    fn insert_if_absent(&self, table: &str, columns: &str, values: &str) -> String;
}

/// The SQL of `dialect`.
pub(crate) fn of(dialect: Dialect) -> &'static dyn DialectSql {
    match dialect {
        Dialect::Sqlite => &sqlite::Sqlite,
        Dialect::Postgres => &postgres::Postgres,
        Dialect::Mysql => &mysql::Mysql,
    }
}

/// The history table's schema (when the name has one) and table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Names<'a> {
    pub(crate) schema: Option<&'a str>,
    pub(crate) table: &'a str,
}

/// A session lock's statements.
#[derive(Debug)]
pub(crate) struct SessionLock {
    /// One try: 1 when taken, at once, never a wait inside the statement.
    pub(crate) try_lock: &'static str,
    /// 1 while this connection still held it.
    pub(crate) unlock: &'static str,
    /// Whether this connection holds it already (a run of it that never finished).
    pub(crate) held_here: &'static str,
    /// Who holds it: connection, user or application, address, state, seconds, statement.
    pub(crate) holder: &'static str,
    /// What the database calls a connection, and the word before its user or application.
    pub(crate) connection: (&'static str, &'static str),
}

/// A session lock on one key: its statements, the parameters that name it in `try_lock` and
/// `unlock` (`lock`) and in the catalogue queries (`lookup`), and what messages call it.
#[derive(Debug)]
pub(crate) struct SessionLockOn {
    pub(crate) sql: &'static SessionLock,
    pub(crate) lock: Vec<Arg>,
    pub(crate) lookup: Vec<Arg>,
    pub(crate) what: String,
}

/// An owned query parameter, for a statement kept for later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Arg {
    Integer(i64),
    Text(String),
}

impl Arg {
    pub(crate) fn param(&self) -> Param<'_> {
        match self {
            Arg::Integer(n) => Param::Integer(*n),
            Arg::Text(text) => Param::Text(text),
        }
    }
}

/// The parameters of `args`.
pub(crate) fn params(args: &[Arg]) -> Vec<Param<'_>> {
    args.iter().map(Arg::param).collect()
}
