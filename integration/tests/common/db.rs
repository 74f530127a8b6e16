//! One test body per property, run through every driver: SQLite, PostgreSQL (`postgres`,
//! `tokio-postgres`, sqlx 0.8 and 0.9) and MariaDB/MySQL (`mysql`, sqlx 0.8 and 0.9), SQLite
//! through sqlx 0.9 too; with the feature `diesel`, diesel's three connections and diesel-async's
//! two. Each test gets its own database
//! (a SQLite file, a PostgreSQL schema, a MySQL database) and drops it.
//!
//! PostgreSQL and MySQL tests need `STRATA_TEST_POSTGRES_URL` and `STRATA_TEST_MYSQL_URL`
//! (`.ci/run` sets them); without them they say once that they were skipped, and pass.

use super::Scratch;
use mysql::prelude::Queryable;
use std::io::Write as _;
use std::str::FromStr;
use std::sync::Once;
use std::sync::atomic::{AtomicU32, Ordering};
use strata::{Dialect, LoadOptions, Migrations, Migrator, Operation, Plan, RepairReport, Report, Status, Target};
use tokio::runtime::Runtime;

/// Calls one migrator operation on whichever connection `conn` is, blocking or async.
macro_rules! on_conn {
    ($runtime:expr, $conn:expr, |$c:ident| $blocking:expr, async $async_call:expr) => {
        match $conn {
            Conn::Sqlite($c) => $blocking,
            Conn::Postgres($c) => $blocking,
            Conn::Mysql($c) => $blocking,
            Conn::TokioPostgres($c) => $runtime.block_on($async_call),
            Conn::SqlxPostgres($c) => $runtime.block_on($async_call),
            Conn::SqlxMysql($c) => $runtime.block_on($async_call),
            Conn::Sqlx09Sqlite($c) => $runtime.block_on($async_call),
            Conn::Sqlx09Postgres($c) => $runtime.block_on($async_call),
            Conn::Sqlx09Mysql($c) => $runtime.block_on($async_call),
            #[cfg(feature = "diesel")]
            Conn::DieselSqlite($c) => $blocking,
            #[cfg(feature = "diesel")]
            Conn::DieselPostgres($c) => $blocking,
            #[cfg(feature = "diesel")]
            Conn::DieselMysql($c) => $blocking,
            #[cfg(feature = "diesel")]
            Conn::DieselAsyncPostgres($c) => $runtime.block_on($async_call),
            #[cfg(feature = "diesel")]
            Conn::DieselAsyncMysql($c) => $runtime.block_on($async_call),
        }
    };
}

pub const POSTGRES_URL: &str = "STRATA_TEST_POSTGRES_URL";
pub const MYSQL_URL: &str = "STRATA_TEST_MYSQL_URL";

/// Which client a test body runs through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Sqlite,
    Postgres,
    TokioPostgres,
    SqlxPostgres,
    Mysql,
    SqlxMysql,
    Sqlx09Sqlite,
    Sqlx09Postgres,
    Sqlx09Mysql,
    #[cfg(feature = "diesel")]
    DieselSqlite,
    #[cfg(feature = "diesel")]
    DieselPostgres,
    #[cfg(feature = "diesel")]
    DieselMysql,
    #[cfg(feature = "diesel")]
    DieselAsyncPostgres,
    #[cfg(feature = "diesel")]
    DieselAsyncMysql,
}

impl Via {
    /// Every client the tests run through.
    pub const ALL: &[Via] = &[
        Via::Sqlite,
        Via::Postgres,
        Via::TokioPostgres,
        Via::SqlxPostgres,
        Via::Mysql,
        Via::SqlxMysql,
        Via::Sqlx09Sqlite,
        Via::Sqlx09Postgres,
        Via::Sqlx09Mysql,
        #[cfg(feature = "diesel")]
        Via::DieselSqlite,
        #[cfg(feature = "diesel")]
        Via::DieselPostgres,
        #[cfg(feature = "diesel")]
        Via::DieselMysql,
        #[cfg(feature = "diesel")]
        Via::DieselAsyncPostgres,
        #[cfg(feature = "diesel")]
        Via::DieselAsyncMysql,
    ];

    pub fn dialect(self) -> Dialect {
        match self {
            Via::Sqlite | Via::Sqlx09Sqlite => Dialect::Sqlite,
            Via::Postgres | Via::TokioPostgres | Via::SqlxPostgres | Via::Sqlx09Postgres => Dialect::Postgres,
            Via::Mysql | Via::SqlxMysql | Via::Sqlx09Mysql => Dialect::Mysql,
            #[cfg(feature = "diesel")]
            Via::DieselSqlite => Dialect::Sqlite,
            #[cfg(feature = "diesel")]
            Via::DieselPostgres | Via::DieselAsyncPostgres => Dialect::Postgres,
            #[cfg(feature = "diesel")]
            Via::DieselMysql | Via::DieselAsyncMysql => Dialect::Mysql,
        }
    }
}

/// The connection a body migrates through.
pub enum Conn {
    Sqlite(rusqlite::Connection),
    Postgres(postgres::Client),
    TokioPostgres(tokio_postgres::Client),
    SqlxPostgres(sqlx::PgConnection),
    Mysql(mysql::Conn),
    SqlxMysql(sqlx::MySqlConnection),
    Sqlx09Sqlite(sqlx_0_9::SqliteConnection),
    Sqlx09Postgres(sqlx_0_9::PgConnection),
    Sqlx09Mysql(sqlx_0_9::MySqlConnection),
    #[cfg(feature = "diesel")]
    DieselSqlite(diesel::SqliteConnection),
    #[cfg(feature = "diesel")]
    DieselPostgres(diesel::PgConnection),
    #[cfg(feature = "diesel")]
    DieselMysql(diesel::MysqlConnection),
    #[cfg(feature = "diesel")]
    DieselAsyncPostgres(diesel_async::AsyncPgConnection),
    #[cfg(feature = "diesel")]
    DieselAsyncMysql(diesel_async::AsyncMysqlConnection),
}

/// How to reach one test's database: sendable to a thread, writable into a child's environment.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub via: Via,
    pub name: String,
    pub sqlite: std::path::PathBuf,
}

impl Endpoint {
    /// A new connection, its async parts (if any) on `runtime`.
    pub fn connect(&self, runtime: &Runtime) -> Conn {
        let name = &self.name;
        let postgres_config = || {
            let mut config = tokio_postgres::Config::from_str(&url(POSTGRES_URL).unwrap()).unwrap();
            config.options(format!("-c search_path={name}"));
            // Names the test's connections, so that a test can wait for a killed child's to end.
            config.application_name(name);
            config
        };
        let mysql_opts = || {
            mysql::OptsBuilder::from_opts(mysql::Opts::from_url(&url(MYSQL_URL).unwrap()).unwrap())
                .db_name(Some(name.clone()))
        };
        match self.via {
            Via::Sqlite => Conn::Sqlite(rusqlite::Connection::open(&self.sqlite).unwrap()),
            Via::Postgres => {
                Conn::Postgres(postgres::Config::from(postgres_config()).connect(postgres::NoTls).unwrap())
            }
            Via::TokioPostgres => {
                let (client, connection) = runtime.block_on(postgres_config().connect(tokio_postgres::NoTls)).unwrap();
                runtime.spawn(connection);
                Conn::TokioPostgres(client)
            }
            Via::SqlxPostgres => {
                let options = sqlx::postgres::PgConnectOptions::from_str(&url(POSTGRES_URL).unwrap())
                    .unwrap()
                    .options([("search_path", name.as_str())])
                    .application_name(name);
                Conn::SqlxPostgres(runtime.block_on(sqlx::ConnectOptions::connect(&options)).unwrap())
            }
            Via::Mysql => Conn::Mysql(mysql::Conn::new(mysql_opts()).unwrap()),
            Via::SqlxMysql => {
                let options =
                    sqlx::mysql::MySqlConnectOptions::from_str(&url(MYSQL_URL).unwrap()).unwrap().database(name);
                Conn::SqlxMysql(runtime.block_on(sqlx::ConnectOptions::connect(&options)).unwrap())
            }
            Via::Sqlx09Sqlite => {
                let options = sqlx_0_9::sqlite::SqliteConnectOptions::new().filename(&self.sqlite);
                Conn::Sqlx09Sqlite(runtime.block_on(sqlx_0_9::ConnectOptions::connect(&options)).unwrap())
            }
            Via::Sqlx09Postgres => {
                let options = sqlx_0_9::postgres::PgConnectOptions::from_str(&url(POSTGRES_URL).unwrap())
                    .unwrap()
                    .options([("search_path", name.as_str())])
                    .application_name(name);
                Conn::Sqlx09Postgres(runtime.block_on(sqlx_0_9::ConnectOptions::connect(&options)).unwrap())
            }
            Via::Sqlx09Mysql => {
                let options =
                    sqlx_0_9::mysql::MySqlConnectOptions::from_str(&url(MYSQL_URL).unwrap()).unwrap().database(name);
                Conn::Sqlx09Mysql(runtime.block_on(sqlx_0_9::ConnectOptions::connect(&options)).unwrap())
            }
            #[cfg(feature = "diesel")]
            Via::DieselSqlite => {
                use diesel::Connection;
                Conn::DieselSqlite(diesel::SqliteConnection::establish(&self.sqlite.display().to_string()).unwrap())
            }
            #[cfg(feature = "diesel")]
            Via::DieselPostgres => {
                use diesel::Connection;
                // libpq's URI parameters: the test's schema, and its name on the server.
                let base = url(POSTGRES_URL).unwrap();
                let separator = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{separator}options=-c%20search_path%3D{name}&application_name={name}");
                Conn::DieselPostgres(diesel::PgConnection::establish(&url).unwrap())
            }
            #[cfg(feature = "diesel")]
            Via::DieselMysql => {
                use diesel::Connection;
                let base = url(MYSQL_URL).unwrap();
                let server = base.rsplit_once('/').map_or(base.as_str(), |(server, _)| server);
                Conn::DieselMysql(diesel::MysqlConnection::establish(&format!("{server}/{name}")).unwrap())
            }
            #[cfg(feature = "diesel")]
            Via::DieselAsyncPostgres => {
                use diesel_async::AsyncConnection;
                // tokio-postgres's URL parameters, as libpq's.
                let base = url(POSTGRES_URL).unwrap();
                let separator = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{separator}options=-c%20search_path%3D{name}&application_name={name}");
                Conn::DieselAsyncPostgres(runtime.block_on(diesel_async::AsyncPgConnection::establish(&url)).unwrap())
            }
            #[cfg(feature = "diesel")]
            Via::DieselAsyncMysql => {
                use diesel_async::AsyncConnection;
                let base = url(MYSQL_URL).unwrap();
                let server = base.rsplit_once('/').map_or(base.as_str(), |(server, _)| server);
                let url = format!("{server}/{name}");
                Conn::DieselAsyncMysql(runtime.block_on(diesel_async::AsyncMysqlConnection::establish(&url)).unwrap())
            }
        }
    }

    /// The variables that carry it into a child process.
    pub fn to_env(&self) -> [(&'static str, String); 3] {
        [
            ("STRATA_TEST_VIA", format!("{:?}", self.via)),
            ("STRATA_TEST_NAME", self.name.clone()),
            ("STRATA_TEST_SQLITE", self.sqlite.display().to_string()),
        ]
    }

    /// The endpoint a parent process passed down, if this is such a child.
    pub fn from_env() -> Option<Endpoint> {
        let via = std::env::var("STRATA_TEST_VIA").ok()?;
        let via = Via::ALL.iter().copied().find(|candidate| format!("{candidate:?}") == via)?;
        Some(Endpoint {
            via,
            name: std::env::var("STRATA_TEST_NAME").ok()?,
            sqlite: std::env::var_os("STRATA_TEST_SQLITE")?.into(),
        })
    }
}

/// This test binary, to run the ignored test `test` as a child process on `db`'s database and
/// its folder `m`, its output piped.
pub fn child_process(db: &Db, test: &str) -> std::process::Command {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command
        .args(["--exact", test, "--ignored", "--nocapture", "--test-threads=1"])
        .envs(db.endpoint().to_env())
        .env("STRATA_TEST_FOLDER", db.scratch.dir.path().join("m"))
        .stdout(std::process::Stdio::piped());
    command
}

/// What a child process started by [`child_process`] works with: its database's endpoint, the
/// folder loaded, a runtime for async clients and a connection.
pub fn in_child_process() -> (Endpoint, Migrations, Runtime, Conn) {
    let endpoint = Endpoint::from_env().expect("spawned with the database's endpoint");
    let folder = std::env::var_os("STRATA_TEST_FOLDER").expect("spawned with the folder");
    let options = LoadOptions { dialect: endpoint.via.dialect(), ..LoadOptions::default() };
    let migrations = Migrations::from_dir_with(folder, &options).unwrap();
    let runtime = runtime();
    let conn = endpoint.connect(&runtime);
    (endpoint, migrations, runtime, conn)
}

/// A fresh runtime for one thread's async clients.
pub fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// `apply` through `conn`, blocking or on `runtime`.
pub fn apply(runtime: &Runtime, conn: &mut Conn, migrator: &Migrator<'_>) -> strata::Result<Report> {
    on_conn!(runtime, conn, |c| migrator.apply(c), async migrator.apply_async(c))
}

/// A database of one test's own, the connection under test, and a second, plain connection
/// (`admin`) for setting up and looking.
pub struct Db {
    pub via: Via,
    pub scratch: Scratch,
    /// The schema (PostgreSQL) or database (MySQL) this test owns.
    pub name: String,
    pub conn: Conn,
    admin: Admin,
    runtime: Runtime,
}

enum Admin {
    Sqlite(rusqlite::Connection),
    Postgres(postgres::Client),
    Mysql(mysql::Conn),
}

/// Runs `body` through `via`, or says once why it cannot.
pub fn run(via: Via, body: impl FnOnce(&mut Db)) {
    match Db::open(via) {
        Some(mut db) => body(&mut db),
        None => skipped(via),
    }
}

/// Says, once per database, that its tests were skipped and why.
pub fn skipped(via: Via) {
    static POSTGRES: Once = Once::new();
    static MYSQL: Once = Once::new();
    let (once, var) = match via.dialect() {
        Dialect::Postgres => (&POSTGRES, POSTGRES_URL),
        _ => (&MYSQL, MYSQL_URL),
    };
    // Straight to stderr: the test harness captures `eprintln!` of passing tests.
    once.call_once(|| {
        let _ = writeln!(std::io::stderr(), "skipped: the {} tests, because {var} is not set", via.dialect());
    });
}

fn url(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|url| !url.is_empty())
}

fn unique_name() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("strata_t{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

impl Db {
    pub fn open(via: Via) -> Option<Db> {
        let runtime = runtime();
        let scratch = Scratch::new();
        let name = unique_name();
        let admin = match via.dialect() {
            Dialect::Sqlite => Admin::Sqlite(scratch.open()),
            Dialect::Postgres => {
                let mut admin = postgres::Client::connect(&url(POSTGRES_URL)?, postgres::NoTls).unwrap();
                admin.batch_execute(&format!("CREATE SCHEMA {name}; SET search_path TO {name}")).unwrap();
                Admin::Postgres(admin)
            }
            _ => {
                let mut admin = mysql::Conn::new(mysql::Opts::from_url(&url(MYSQL_URL)?).unwrap()).unwrap();
                admin.query_drop(format!("CREATE DATABASE {name}")).unwrap();
                admin.query_drop(format!("USE {name}")).unwrap();
                Admin::Mysql(admin)
            }
        };
        let mut db = Db { via, conn: Conn::Sqlite(scratch.open()), scratch, name, admin, runtime };
        db.conn = db.connect();
        Some(db)
    }

    /// Another connection to this test's database, through the same client.
    pub fn connect(&self) -> Conn {
        self.endpoint().connect(&self.runtime)
    }

    /// Where this test's database is, for other threads and processes.
    pub fn endpoint(&self) -> Endpoint {
        Endpoint { via: self.via, name: self.name.clone(), sqlite: self.scratch.db() }
    }

    pub fn dialect(&self) -> Dialect {
        self.via.dialect()
    }

    /// Writes `files` into the folder `name` (replacing it) and loads it for this database.
    pub fn migrations_in(&self, name: &str, files: &[(&str, &str)]) -> Migrations {
        let folder = self.scratch.dir.path().join(name);
        let _ = std::fs::remove_dir_all(&folder);
        super::write_files(&folder, files);
        let options = LoadOptions { dialect: self.dialect(), ..LoadOptions::default() };
        Migrations::from_dir_with(&folder, &options).unwrap_or_else(|problems| panic!("{problems}"))
    }

    pub fn migrations(&self, files: &[(&str, &str)]) -> Migrations {
        self.migrations_in("m", files)
    }

    /// Runs `sql` (one statement) on the admin connection.
    pub fn execute(&mut self, sql: &str) {
        match &mut self.admin {
            Admin::Sqlite(conn) => conn.execute_batch(sql).unwrap(),
            Admin::Postgres(client) => client.batch_execute(sql).unwrap(),
            Admin::Mysql(conn) => conn.query_drop(sql).unwrap(),
        }
    }

    /// The integer `sql` returns (`SELECT count(*) …`).
    pub fn count(&mut self, sql: &str) -> i64 {
        match &mut self.admin {
            Admin::Sqlite(conn) => conn.query_row(sql, [], |row| row.get(0)).unwrap(),
            Admin::Postgres(client) => client.query_one(sql, &[]).unwrap().get(0),
            Admin::Mysql(conn) => conn.query_first::<i64, _>(sql).unwrap().unwrap(),
        }
    }

    /// The rows of `sql` as text, each column rendered.
    pub fn texts(&mut self, sql: &str) -> Vec<String> {
        match &mut self.admin {
            Admin::Sqlite(conn) => {
                let mut statement = conn.prepare(sql).unwrap();
                statement.query_map([], |row| row.get::<_, String>(0)).unwrap().map(Result::unwrap).collect()
            }
            Admin::Postgres(client) => client.query(sql, &[]).unwrap().iter().map(|row| row.get(0)).collect(),
            Admin::Mysql(conn) => conn.query::<String, _>(sql).unwrap(),
        }
    }

    /// This test's tables, sorted, without strata's own.
    pub fn tables(&mut self) -> Vec<String> {
        let sql = match self.dialect() {
            Dialect::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'strata_%' ORDER BY name".to_owned(),
            Dialect::Postgres => format!("SELECT table_name::TEXT FROM information_schema.tables WHERE table_schema = '{}' AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'strata_%' ORDER BY 1", self.name),
            _ => format!("SELECT CAST(table_name AS CHAR) FROM information_schema.tables WHERE table_schema = '{}' AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'strata\\_%' ORDER BY 1", self.name),
        };
        self.texts(&sql)
    }

    /// The versions the tracking table records, in order.
    pub fn recorded(&mut self) -> Vec<i64> {
        self.integers("SELECT version FROM strata_migrations ORDER BY version")
    }

    /// The first column of every row of `sql`, an integer.
    pub fn integers(&mut self, sql: &str) -> Vec<i64> {
        match &mut self.admin {
            Admin::Sqlite(conn) => {
                let mut statement = conn.prepare(sql).unwrap();
                statement.query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect()
            }
            Admin::Postgres(client) => client.query(sql, &[]).unwrap().iter().map(|row| row.get(0)).collect(),
            Admin::Mysql(conn) => conn.query(sql).unwrap(),
        }
    }

    /// How many connections to this test's database there are besides the admin connection.
    pub fn other_connections(&mut self) -> i64 {
        let sql = match self.dialect() {
            Dialect::Sqlite => return 0,
            Dialect::Postgres => {
                format!("SELECT count(*) FROM pg_stat_activity WHERE application_name = '{}'", self.name)
            }
            _ => format!(
                "SELECT count(*) FROM information_schema.processlist WHERE db = '{}' AND id <> CONNECTION_ID()",
                self.name
            ),
        };
        self.count(&sql)
    }

    /// Waits until the server has ended the connections of a killed client, so that what it
    /// left is final: until at most `remaining` other connections are left.
    pub fn wait_for_connections(&mut self, remaining: i64) {
        let started = std::time::Instant::now();
        while self.other_connections() > remaining {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "the server kept a killed client's connection"
            );
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }

    /// Whether the tracking table is missing (nothing was written).
    pub fn recorded_table_missing(&mut self) -> bool {
        let sql = match self.dialect() {
            Dialect::Sqlite => "SELECT count(*) FROM sqlite_master WHERE name LIKE 'strata%'".to_owned(),
            _ => format!(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = '{}' AND table_name LIKE 'strata%'",
                self.name
            ),
        };
        self.count(&sql) == 0
    }

    /// A statement that takes a while, in this dialect: for runs that must overlap.
    pub fn slow_statement(&self) -> &'static str {
        match self.dialect() {
            Dialect::Sqlite => {
                "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 20000) SELECT count(*) FROM n"
            }
            Dialect::Postgres => "SELECT pg_sleep(0.02)",
            _ => "DO SLEEP(0.02)",
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let name = self.name.clone();
        match &mut self.admin {
            Admin::Sqlite(_) => {}
            Admin::Postgres(client) => {
                let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"));
            }
            Admin::Mysql(conn) => {
                let _ = conn.query_drop(format!("DROP DATABASE IF EXISTS {name}"));
            }
        }
    }
}

/// The migrator's operations on this test's connection under test.
impl Db {
    pub fn apply(&mut self, migrator: &Migrator<'_>) -> strata::Result<Report> {
        on_conn!(self.runtime, &mut self.conn, |c| migrator.apply(c), async migrator.apply_async(c))
    }

    pub fn apply_to(&mut self, migrator: &Migrator<'_>, target: impl Into<Target>) -> strata::Result<Report> {
        let target = target.into();
        on_conn!(self.runtime, &mut self.conn, |c| migrator.apply_to(c, target), async migrator.apply_to_async(c, target))
    }

    pub fn rollback_to(&mut self, migrator: &Migrator<'_>, target: impl Into<Target>) -> strata::Result<Report> {
        let target = target.into();
        on_conn!(self.runtime, &mut self.conn, |c| migrator.rollback_to(c, target), async migrator.rollback_to_async(c, target))
    }

    pub fn status(&mut self, migrator: &Migrator<'_>) -> strata::Result<Status> {
        on_conn!(self.runtime, &mut self.conn, |c| migrator.status(c), async migrator.status_async(c))
    }

    pub fn plan(&mut self, migrator: &Migrator<'_>, operation: Operation) -> strata::Result<Plan> {
        on_conn!(self.runtime, &mut self.conn, |c| migrator.plan(c, operation), async migrator.plan_async(c, operation))
    }

    pub fn verify(&mut self, migrator: &Migrator<'_>) -> strata::Result<()> {
        on_conn!(self.runtime, &mut self.conn, |c| migrator.verify(c), async migrator.verify_async(c))
    }

    pub fn repair(&mut self, migrator: &Migrator<'_>) -> strata::Result<RepairReport> {
        on_conn!(self.runtime, &mut self.conn, |c| migrator.repair(c), async migrator.repair_async(c))
    }

    pub fn baseline(&mut self, migrator: &Migrator<'_>, target: impl Into<Target>) -> strata::Result<Report> {
        let target = target.into();
        on_conn!(self.runtime, &mut self.conn, |c| migrator.baseline(c, target), async migrator.baseline_async(c, target))
    }

    pub fn adopt<'a>(
        &mut self,
        migrator: &Migrator<'_>,
        adopt: impl Into<strata::Adopt<'a>>,
    ) -> strata::Result<strata::AdoptReport> {
        let adopt = adopt.into();
        on_conn!(
            self.runtime,
            &mut self.conn,
            |c| migrator.adopt(c, adopt.clone()),
            async migrator.adopt_async(c, adopt.clone())
        )
    }

    /// `apply` on another connection of this test's database, on this thread.
    pub fn apply_on(&self, conn: &mut Conn, migrator: &Migrator<'_>) -> strata::Result<Report> {
        apply(&self.runtime, conn, migrator)
    }
}

/// Generates, for each property, one test per client, all running the same body.
#[macro_export]
macro_rules! on_every_database {
    ($(fn $name:ident($db:ident: &mut Db) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            fn body($db: &mut $crate::common::db::Db) $body
            #[test]
            fn sqlite() { $crate::common::db::run($crate::common::db::Via::Sqlite, body) }
            #[test]
            fn postgres() { $crate::common::db::run($crate::common::db::Via::Postgres, body) }
            #[test]
            fn tokio_postgres() { $crate::common::db::run($crate::common::db::Via::TokioPostgres, body) }
            #[test]
            fn sqlx_postgres() { $crate::common::db::run($crate::common::db::Via::SqlxPostgres, body) }
            #[test]
            fn mysql() { $crate::common::db::run($crate::common::db::Via::Mysql, body) }
            #[test]
            fn sqlx_mysql() { $crate::common::db::run($crate::common::db::Via::SqlxMysql, body) }
            #[test]
            fn sqlx_0_9_sqlite() { $crate::common::db::run($crate::common::db::Via::Sqlx09Sqlite, body) }
            #[test]
            fn sqlx_0_9_postgres() { $crate::common::db::run($crate::common::db::Via::Sqlx09Postgres, body) }
            #[test]
            fn sqlx_0_9_mysql() { $crate::common::db::run($crate::common::db::Via::Sqlx09Mysql, body) }
            #[cfg(feature = "diesel")]
            #[test]
            fn diesel_sqlite() { $crate::common::db::run($crate::common::db::Via::DieselSqlite, body) }
            #[cfg(feature = "diesel")]
            #[test]
            fn diesel_postgres() { $crate::common::db::run($crate::common::db::Via::DieselPostgres, body) }
            #[cfg(feature = "diesel")]
            #[test]
            fn diesel_mysql() { $crate::common::db::run($crate::common::db::Via::DieselMysql, body) }
            #[cfg(feature = "diesel")]
            #[test]
            fn diesel_async_postgres() { $crate::common::db::run($crate::common::db::Via::DieselAsyncPostgres, body) }
            #[cfg(feature = "diesel")]
            #[test]
            fn diesel_async_mysql() { $crate::common::db::run($crate::common::db::Via::DieselAsyncMysql, body) }
        }
    )*};
}
