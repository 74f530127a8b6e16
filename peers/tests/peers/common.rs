//! Scratch databases, strata's connection to them, folder copies, and the two trials every tool
//! goes through: strata takes over what the tool applied and ends where strata alone would, or
//! it refuses with nothing written.

use mysql::prelude::Queryable;
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use strata::{Adopt, AdoptReport, Dialect, Error, From, LoadOptions, Migrations, Report};
use tempfile::TempDir;

const POSTGRES_URL: &str = "STRATA_TEST_POSTGRES_URL";
const MYSQL_URL: &str = "STRATA_TEST_MYSQL_URL";

/// The tools' history tables: theirs, not the application's, so not in the schema compared.
const HISTORY_TABLES: [&str; 4] =
    ["_sqlx_migrations", "__diesel_schema_migrations", "refinery_schema_history", "schema_migrations"];

/// Runs a test body once per database, each its own test (`<name>::sqlite`, `::postgres`,
/// `::mariadb`), so that nextest runs each in its own process.
macro_rules! on_each_database {
    ($($(#[$meta:meta])* fn $name:ident($kind:ident) $body:block)*) => {$(
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn body($kind: $crate::common::Kind) $body

            #[test]
            fn sqlite() {
                body($crate::common::Kind::Sqlite)
            }

            #[test]
            fn postgres() {
                body($crate::common::Kind::Postgres)
            }

            #[test]
            fn mariadb() {
                body($crate::common::Kind::Mariadb)
            }
        }
    )*};
}
pub(crate) use on_each_database;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
    Mariadb,
}

impl Kind {
    pub fn dialect(self) -> Dialect {
        match self {
            Kind::Sqlite => Dialect::Sqlite,
            Kind::Postgres => Dialect::Postgres,
            Kind::Mariadb => Dialect::Mysql,
        }
    }
}

/// One test's own database: a SQLite file, a PostgreSQL schema or a MariaDB database, dropped
/// when the value is.
pub struct Scratch {
    pub kind: Kind,
    pub name: String,
    /// The server's URL as the environment gives it (empty for SQLite).
    base_url: String,
    dir: TempDir,
}

impl Scratch {
    /// A new scratch database named after `label`; `None` (and "skipped" printed) when the
    /// server's URL is not set.
    pub fn new(kind: Kind, label: &str) -> Option<Scratch> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        // Unique across the processes nextest runs at once, and across runs left half-way.
        let name = format!("peers_{label}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
        let dir = tempfile::tempdir().expect("a temporary directory");
        let base_url = match kind {
            Kind::Sqlite => String::new(),
            Kind::Postgres | Kind::Mariadb => {
                let var = if kind == Kind::Postgres { POSTGRES_URL } else { MYSQL_URL };
                let Ok(url) = std::env::var(var) else {
                    println!("skipped: {var} is not set");
                    return None;
                };
                url
            }
        };
        let scratch = Scratch { kind, name, base_url, dir };
        match kind {
            Kind::Sqlite => {}
            Kind::Postgres => {
                scratch.postgres_admin().batch_execute(&format!("CREATE SCHEMA {}", scratch.name)).unwrap()
            }
            Kind::Mariadb => scratch.mysql_admin().query_drop(format!("CREATE DATABASE {}", scratch.name)).unwrap(),
        }
        Some(scratch)
    }

    /// Another scratch database on the same server.
    pub fn sibling(&self, label: &str) -> Scratch {
        Scratch::new(self.kind, label).expect("the server that made the first one")
    }

    pub fn sqlite_path(&self) -> PathBuf {
        self.dir.path().join("app.db")
    }

    /// The PostgreSQL URL with the scratch schema as `search_path`, in libpq's syntax.
    pub fn postgres_url(&self) -> String {
        let separator = if self.base_url.contains('?') { '&' } else { '?' };
        format!("{}{separator}options=-c%20search_path%3D{}", self.base_url, self.name)
    }

    /// The MariaDB URL of the scratch database.
    pub fn mysql_url(&self) -> String {
        let (server, _database) = self.base_url.rsplit_once('/').expect("a URL with a database");
        format!("{server}/{}", self.name)
    }

    /// The server's URL as given, for a tool that names the schema its own way (sqlx, dbmate).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn sqlite(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.sqlite_path()).unwrap()
    }

    pub fn postgres(&self) -> postgres::Client {
        let mut config = postgres::Config::from_str(&self.base_url).unwrap();
        config.options(&format!("-c search_path={}", self.name));
        config.connect(postgres::NoTls).unwrap()
    }

    pub fn mysql(&self) -> mysql::Conn {
        mysql::Conn::new(mysql::Opts::from_url(&self.mysql_url()).unwrap()).unwrap()
    }

    /// strata's connection to this database.
    pub fn strata(&self) -> Db {
        let conn = match self.kind {
            Kind::Sqlite => Conn::Sqlite(self.sqlite()),
            Kind::Postgres => Conn::Postgres(self.postgres()),
            Kind::Mariadb => Conn::Mysql(self.mysql()),
        };
        Db { conn, schema: self.name.clone() }
    }

    fn postgres_admin(&self) -> postgres::Client {
        postgres::Client::connect(&self.base_url, postgres::NoTls).unwrap()
    }

    fn mysql_admin(&self) -> mysql::Conn {
        mysql::Conn::new(mysql::Opts::from_url(&self.base_url).unwrap()).unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Best effort: a failing test must still report its own failure, not this one.
        match self.kind {
            Kind::Sqlite => {}
            Kind::Postgres => {
                if let Ok(mut admin) = postgres::Client::connect(&self.base_url, postgres::NoTls) {
                    let _ = admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
                }
            }
            Kind::Mariadb => {
                if let Ok(mut admin) = mysql::Opts::from_url(&self.base_url)
                    .map_err(drop)
                    .and_then(|opts| mysql::Conn::new(opts).map_err(drop))
                {
                    let _ = admin.query_drop(format!("DROP DATABASE IF EXISTS {}", self.name));
                }
            }
        }
    }
}

enum Conn {
    Sqlite(rusqlite::Connection),
    Postgres(postgres::Client),
    Mysql(mysql::Conn),
}

/// strata's connection to a scratch database, and what is read of it to compare two.
pub struct Db {
    conn: Conn,
    /// The scratch's name, which PostgreSQL's catalog writes into index definitions.
    schema: String,
}

/// What a database holds, compared before and after a refusal, and between two databases.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub schema: Vec<String>,
    pub rows: Vec<String>,
}

impl Db {
    pub fn apply(&mut self, migrations: &Migrations) -> strata::Result<Report> {
        let migrator = migrations.migrator();
        match &mut self.conn {
            Conn::Sqlite(conn) => migrator.apply(conn),
            Conn::Postgres(conn) => migrator.apply(conn),
            Conn::Mysql(conn) => migrator.apply(conn),
        }
    }

    pub fn adopt(&mut self, migrations: &Migrations, adopt: impl Into<Adopt<'static>>) -> strata::Result<AdoptReport> {
        let migrator = migrations.migrator();
        match &mut self.conn {
            Conn::Sqlite(conn) => migrator.adopt(conn, adopt),
            Conn::Postgres(conn) => migrator.adopt(conn, adopt),
            Conn::Mysql(conn) => migrator.adopt(conn, adopt),
        }
    }

    pub fn execute(&mut self, sql: &str) {
        match &mut self.conn {
            Conn::Sqlite(conn) => conn.execute_batch(sql).unwrap(),
            Conn::Postgres(conn) => conn.batch_execute(sql).unwrap(),
            Conn::Mysql(conn) => conn.query_drop(sql).unwrap(),
        }
    }

    /// Each row of `sql`'s answer, its values as text joined by `|`. On PostgreSQL, select text.
    pub fn query(&mut self, sql: &str) -> Vec<String> {
        match &mut self.conn {
            Conn::Sqlite(conn) => {
                let mut statement = conn.prepare(sql).unwrap();
                let columns = statement.column_count();
                let rows = statement.query_map([], |row| {
                    let values = (0..columns).map(|i| row.get::<_, rusqlite::types::Value>(i).map(|v| sqlite_text(&v)));
                    values.collect::<rusqlite::Result<Vec<_>>>().map(|values| values.join("|"))
                });
                rows.unwrap().collect::<rusqlite::Result<_>>().unwrap()
            }
            Conn::Postgres(conn) => {
                let rows = conn.simple_query(sql).unwrap().into_iter();
                let rows = rows.filter_map(|message| match message {
                    postgres::SimpleQueryMessage::Row(row) => Some(row),
                    _ => None,
                });
                rows.map(|row| (0..row.len()).map(|i| row.get(i).unwrap_or("NULL")).collect::<Vec<_>>().join("|"))
                    .collect()
            }
            Conn::Mysql(conn) => {
                let rows: Vec<mysql::Row> = conn.query(sql).unwrap();
                rows.into_iter().map(|row| row.unwrap().iter().map(mysql_text).collect::<Vec<_>>().join("|")).collect()
            }
        }
    }

    /// The application's tables: not the tools' histories, not strata's own.
    pub fn app_tables(&mut self) -> Vec<String> {
        let sql = match self.conn {
            Conn::Sqlite(_) => "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
            Conn::Postgres(_) => {
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1"
            }
            Conn::Mysql(_) => {
                "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1"
            }
        };
        let tables = self.query(sql).into_iter();
        tables.filter(|table| is_app_table(table)).collect()
    }

    /// The application's schema as the catalog tells it.
    pub fn schema(&mut self) -> Vec<String> {
        let tables = self.app_tables();
        let of_app_table = |line: &String| tables.iter().any(|table| line.split('|').next() == Some(table));
        let lines = match self.conn {
            // `tbl_name` first, so that indexes are kept with their table.
            Conn::Sqlite(_) => self.query("SELECT tbl_name, type, name, sql FROM sqlite_master ORDER BY 1, 2, 3"),
            Conn::Postgres(_) => [
                "SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default \
                 FROM information_schema.columns WHERE table_schema = current_schema() \
                 ORDER BY table_name, ordinal_position",
                "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1, 2",
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint \
                 WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2",
            ]
            .into_iter()
            .flat_map(|sql| self.query(sql))
            .collect(),
            Conn::Mysql(_) => tables.iter().flat_map(|table| self.query(&format!("SHOW CREATE TABLE `{table}`"))).collect(),
        };
        // Two scratch schemas differ by name only: the catalog writes it into index definitions.
        let schema = format!("{}.", self.schema);
        // SQLite keeps each CREATE statement as it was run: the tools run a CRLF file as written,
        // strata with its line endings made LF (it normalises every file it reads).
        let lines = lines.into_iter().filter(of_app_table).map(|line| line.replace(&schema, "").replace("\r\n", "\n"));
        lines.collect()
    }

    /// Every row of every application table, as `table: values`, sorted.
    pub fn rows(&mut self) -> Vec<String> {
        let mut rows = Vec::new();
        for table in self.app_tables() {
            let sql = match self.conn {
                Conn::Sqlite(_) => format!("SELECT * FROM \"{table}\""),
                Conn::Postgres(_) => format!("SELECT t::text FROM \"{table}\" t"),
                Conn::Mysql(_) => format!("SELECT * FROM `{table}`"),
            };
            let mut values: Vec<String> = self.query(&sql).into_iter().map(|row| format!("{table}: {row}")).collect();
            values.sort();
            rows.extend(values);
        }
        rows
    }

    pub fn snapshot(&mut self) -> Snapshot {
        Snapshot { schema: self.schema(), rows: self.rows() }
    }

    /// The tool's history as it stands: its table's rows, or rusqlite_migration's count.
    pub fn history_of(&mut self, from: From) -> Vec<String> {
        let mut rows = match (from.table(), &self.conn) {
            (None, _) => self.query("PRAGMA user_version"),
            (Some(table), Conn::Postgres(_)) => self.query(&format!("SELECT t::text FROM {table} t")),
            (Some(table), _) => self.query(&format!("SELECT * FROM {table}")),
        };
        rows.sort();
        rows
    }

    /// How many migrations strata's history records; 0 when it has no table.
    pub fn strata_recorded(&mut self) -> usize {
        let tables = self.query(match self.conn {
            Conn::Sqlite(_) => "SELECT name FROM sqlite_master WHERE name = 'strata_migrations'",
            Conn::Postgres(_) => {
                "SELECT table_name FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name = 'strata_migrations'"
            }
            Conn::Mysql(_) => {
                "SELECT table_name FROM information_schema.tables \
                 WHERE table_schema = DATABASE() AND table_name = 'strata_migrations'"
            }
        });
        match tables.is_empty() {
            true => 0,
            false => self.query("SELECT count(*) FROM strata_migrations")[0].parse().unwrap(),
        }
    }
}

fn is_app_table(table: &str) -> bool {
    !HISTORY_TABLES.contains(&table) && !table.starts_with("strata_") && !table.starts_with("sqlite_")
}

fn sqlite_text(value: &rusqlite::types::Value) -> String {
    match value {
        rusqlite::types::Value::Null => "NULL".to_owned(),
        rusqlite::types::Value::Integer(n) => n.to_string(),
        rusqlite::types::Value::Real(x) => x.to_string(),
        rusqlite::types::Value::Text(text) => text.clone(),
        rusqlite::types::Value::Blob(bytes) => format!("x'{}'", hex(bytes)),
    }
}

fn mysql_text(value: &mysql::Value) -> String {
    match value {
        mysql::Value::NULL => "NULL".to_owned(),
        mysql::Value::Bytes(bytes) => String::from_utf8(bytes.clone()).unwrap_or_else(|_| format!("x'{}'", hex(bytes))),
        other => other.as_sql(true),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The folder of fixtures for `tool`, in that tool's layout.
pub fn fixture(tool: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(tool)
}

/// The folder loaded as strata loads it at run time, in `kind`'s dialect.
pub fn load(folder: &Path, kind: Kind) -> Migrations {
    let options = LoadOptions { dialect: kind.dialect(), ..LoadOptions::default() };
    Migrations::from_dir_with(folder, &options).unwrap_or_else(|problems| panic!("{}: {problems}", folder.display()))
}

/// The files and folders of `folder`, in the order of their names.
fn entries(folder: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = fs::read_dir(folder).unwrap().map(|entry| entry.unwrap().path()).collect();
    entries.sort();
    entries
}

/// The migrations of `folder`, in order, each as its entries: a file, a folder (diesel's,
/// rusqlite_migration's), or sqlx's `.up.sql` and `.down.sql` pair (named alike up to the dot).
fn migrations_in(folder: &Path) -> Vec<Vec<PathBuf>> {
    let mut migrations: Vec<Vec<PathBuf>> = Vec::new();
    let stem = |entry: &Path| entry.file_name().unwrap().to_str().unwrap().split('.').next().unwrap().to_owned();
    for entry in entries(folder) {
        match migrations.last_mut() {
            Some(last) if stem(&last[0]) == stem(&entry) => last.push(entry),
            _ => migrations.push(vec![entry]),
        }
    }
    migrations
}

fn copy_entry(from: &Path, to_dir: &Path) {
    let to = to_dir.join(from.file_name().unwrap());
    if from.is_dir() {
        fs::create_dir(&to).unwrap();
        for file in entries(from) {
            fs::copy(&file, to.join(file.file_name().unwrap())).unwrap();
        }
    } else {
        fs::copy(from, to).unwrap();
    }
}

/// A copy of `folder` with the migrations whose position (from 0) `keep` accepts, and every
/// migration of `extra`: what the tool's folder held when it ran.
pub fn copy_of(folder: &Path, keep: impl Fn(usize) -> bool, extra: Option<&Path>) -> TempDir {
    let copy = tempfile::tempdir().unwrap();
    let kept = migrations_in(folder).into_iter().enumerate().filter(|(position, _)| keep(*position));
    for entry in kept.flat_map(|(_, entries)| entries).chain(extra.map(entries).unwrap_or_default()) {
        copy_entry(&entry, copy.path());
    }
    copy
}

/// A copy of `folder` where the up script of the migration at `position` differs from the
/// original by one byte (`VARCHAR(200)` becomes `VARCHAR(201)`): an edit after the tool ran it.
pub fn edited(folder: &Path, position: usize) -> TempDir {
    let copy = copy_of(folder, |_| true, None);
    let migration = &migrations_in(copy.path())[position];
    let up = migration.iter().find(|entry| !entry.to_str().unwrap().ends_with(".down.sql")).unwrap();
    let file = if up.is_dir() { up.join("up.sql") } else { up.clone() };
    let mut bytes = fs::read(&file).unwrap();
    let at = bytes.windows(4).position(|window| window == b"200)").expect("a VARCHAR(200) to edit");
    bytes[at + 2] = b'1';
    fs::write(&file, bytes).unwrap();
    copy
}

/// The first trial: `tool_db` holds what the tool applied of `folder`, its first `applied`
/// migrations. strata, given the whole folder, refuses to apply over the tool's history, adopts
/// exactly those, applies the rest, and then has nothing to do; and the database ends with the
/// schema and rows of one that strata migrated alone, the tool's history untouched.
pub fn takes_over(tool_db: &Scratch, folder: &Path, from: From, applied: usize) {
    let migrations = load(folder, tool_db.kind);
    let ids: Vec<&str> = migrations.iter().map(|migration| migration.id()).collect();
    let mut db = tool_db.strata();
    let theirs = db.history_of(from);
    let before = db.snapshot();

    let refused = db.apply(&migrations).expect_err("apply must not run the tool's migrations again");
    assert!(matches!(refused, Error::ForeignHistory { .. }), "{refused}");
    assert_eq!(db.snapshot(), before, "the refused apply changed nothing");
    assert_eq!(db.strata_recorded(), 0, "the refused apply recorded nothing");

    let report = db.adopt(&migrations, from).expect("adopt");
    assert_eq!(report.adopted, ids[..applied], "{from}: adopted exactly what the tool applied");
    assert!(report.forced.is_empty());
    let ran = db.apply(&migrations).expect("apply after adopt");
    assert_eq!(ran.ran.iter().map(|ran| ran.id.as_str()).collect::<Vec<_>>(), ids[applied..], "the rest");
    assert!(db.apply(&migrations).expect("second apply").up_to_date, "the second apply is the no-op");
    assert_eq!(db.history_of(from), theirs, "the tool's history is left as it was");

    let alone_db = tool_db.sibling("alone");
    let mut alone = alone_db.strata();
    assert_eq!(alone.apply(&migrations).expect("strata alone").ran.len(), ids.len());
    let (ours, expected) = (db.snapshot(), alone.snapshot());
    assert!(!expected.schema.is_empty() && !expected.rows.is_empty(), "the comparison compares something");
    assert_eq!(ours.schema, expected.schema, "the schema is the one strata alone makes");
    assert_eq!(ours.rows, expected.rows, "the rows are those strata alone writes");
}

/// The second trial: given `folder`, strata's adopt refuses `tool_db`'s history with exactly
/// `expected`, and writes nothing.
pub fn refuses(tool_db: &Scratch, folder: &Path, from: impl Into<Adopt<'static>>, expected: &[String]) {
    let migrations = load(folder, tool_db.kind);
    let adopt = from.into();
    let mut db = tool_db.strata();
    let theirs = db.history_of(adopt.from());
    let before = db.snapshot();
    match db.adopt(&migrations, adopt.clone()) {
        Err(Error::AdoptRefused { refused, .. }) => assert_eq!(refused, expected),
        other => panic!("{}: not refused as expected: {other:?}", adopt.from()),
    }
    assert_eq!(db.snapshot(), before, "the refusal changed nothing");
    assert_eq!(db.strata_recorded(), 0, "the refusal recorded nothing");
    assert_eq!(db.history_of(adopt.from()), theirs, "the tool's history is left as it was");
}
