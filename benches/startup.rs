//! The call every application makes at every start: `apply` on an up-to-date database. It must
//! cost one small query whatever the number of migrations; the full check (every row read and
//! compared) is what it saves.
//!
//! ```text
//! cargo bench --bench startup
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing benchmark panics

use rusqlite::Connection;
use strata::Migrations;

fn main() {
    divan::main();
}

/// `count` one-table migrations, loaded the way a development build loads them.
fn migrations(count: usize) -> (tempfile::TempDir, Migrations) {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..count {
        let sql = format!("CREATE TABLE t_{i}(id INTEGER PRIMARY KEY, name TEXT);");
        std::fs::write(dir.path().join(format!("{:05}_t{i}.sql", i + 1)), sql).unwrap();
    }
    let migrations = Migrations::from_dir(dir.path()).unwrap();
    (dir, migrations)
}

/// A database file with every migration applied.
fn applied(migrations: &Migrations, dir: &tempfile::TempDir) -> Connection {
    let mut conn = Connection::open(dir.path().join("app.db")).unwrap();
    migrations.migrator().apply(&mut conn).unwrap();
    conn
}

const SIZES: [usize; 3] = [10, 100, 1_000];

/// The no-op start: one query of the stored digest.
#[divan::bench(args = SIZES)]
fn apply_up_to_date(bencher: divan::Bencher<'_, '_>, count: usize) {
    let (dir, migrations) = migrations(count);
    let mut conn = applied(&migrations, &dir);
    bencher.bench_local(|| assert!(migrations.migrator().apply(&mut conn).unwrap().up_to_date));
}

/// What the digest saves: the full check of every row (drift, downgrade, order, dirty).
#[divan::bench(args = SIZES)]
fn verify_every_row(bencher: divan::Bencher<'_, '_>, count: usize) {
    let (dir, migrations) = migrations(count);
    let mut conn = applied(&migrations, &dir);
    bencher.bench_local(|| migrations.migrator().verify(&mut conn).unwrap());
}
