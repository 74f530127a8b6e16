//! Helpers shared by the integration tests: migration folders written at test time, loaded the
//! way an application in development would (`Migrations::from_dir`), and SQLite files.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::result_large_err,
    clippy::large_enum_variant
)]

pub mod db;

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use strata::Migrations;
use tempfile::TempDir;

/// A scratch directory holding a database file and any number of migration folders.
pub struct Scratch {
    pub dir: TempDir,
}

impl Scratch {
    pub fn new() -> Self {
        Self { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("app.db")
    }

    pub fn open(&self) -> Connection {
        Connection::open(self.db()).expect("open database")
    }

    /// Writes `files` into the folder `name` (replacing it) and loads it.
    pub fn migrations(&self, name: &str, files: &[(&str, &str)]) -> Migrations {
        let folder = self.dir.path().join(name);
        let _ = std::fs::remove_dir_all(&folder);
        write_files(&folder, files);
        Migrations::from_dir(&folder).unwrap_or_else(|problems| panic!("{problems}"))
    }
}

pub fn write_files(folder: &Path, files: &[(&str, &str)]) {
    for (file, text) in files {
        let path = folder.join(file);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("create folder");
        std::fs::write(path, text).expect("write migration");
    }
}

/// The names of the tables in `conn`, sorted, without SQLite's and strata's own.
pub fn tables(conn: &Connection) -> Vec<String> {
    let mut statement = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'strata_%' ORDER BY name")
        .expect("prepare");
    statement.query_map([], |row| row.get(0)).expect("query").map(|name| name.expect("name")).collect()
}

/// The versions recorded in the tracking table, in order.
pub fn recorded(conn: &Connection) -> Vec<i64> {
    let mut statement = conn.prepare("SELECT version FROM strata_migrations ORDER BY version").expect("prepare");
    statement.query_map([], |row| row.get(0)).expect("query").map(|v| v.expect("version")).collect()
}

pub fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |row| row.get(0)).expect("count")
}
