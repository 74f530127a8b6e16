//! The call every application makes at every start: `apply` on an up-to-date database. It must
//! cost one small query whatever the number of migrations; the full check (every row read and
//! compared) is what it saves. On PostgreSQL (when `STRATA_TEST_POSTGRES_URL` is set) it is
//! measured beside its floor, a one-row `SELECT` on the same connection.
//!
//! ```text
//! STRATA_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench startup
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing benchmark panics

use rusqlite::Connection;
use strata::Migrations;

fn main() {
    divan::main();
}

/// `count` one-table migrations, loaded the way a development build loads them.
fn migrations(count: usize) -> (tempfile::TempDir, Migrations) {
    migrations_for(count, strata::Dialect::Sqlite)
}

fn migrations_for(count: usize, dialect: strata::Dialect) -> (tempfile::TempDir, Migrations) {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..count {
        let sql = format!("CREATE TABLE t_{i}(id INTEGER PRIMARY KEY, name TEXT);");
        std::fs::write(dir.path().join(format!("{:05}_t{i}.sql", i + 1)), sql).unwrap();
    }
    let options = strata::LoadOptions { dialect, ..Default::default() };
    let migrations = Migrations::from_dir_with(dir.path(), &options).unwrap();
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

/// Applying every migration to a fresh in-memory database, each with its own transaction and
/// tracking row: the runtime's per-migration cost.
#[divan::bench(args = SIZES)]
fn apply_all(bencher: divan::Bencher<'_, '_>, count: usize) {
    let (_dir, migrations) = migrations(count);
    bencher
        .with_inputs(|| Connection::open_in_memory().unwrap())
        .bench_local_values(|mut conn| migrations.migrator().apply(&mut conn).unwrap());
}

/// The same in one transaction.
#[divan::bench(args = SIZES)]
fn apply_all_single_transaction(bencher: divan::Bencher<'_, '_>, count: usize) {
    let (_dir, migrations) = migrations(count);
    bencher
        .with_inputs(|| Connection::open_in_memory().unwrap())
        .bench_local_values(|mut conn| migrations.migrator().single_transaction().apply(&mut conn).unwrap());
}

/// A PostgreSQL connection in a fresh schema of its own, or `None` without a server to use.
fn postgres(schema: &str) -> Option<postgres::Client> {
    let url = std::env::var("STRATA_TEST_POSTGRES_URL").ok()?;
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; SET search_path TO {schema}"
        ))
        .unwrap();
    Some(client)
}

/// The no-op start on PostgreSQL: one query of the stored digest, one round trip.
#[divan::bench(args = SIZES)]
fn postgres_apply_up_to_date(bencher: divan::Bencher<'_, '_>, count: usize) {
    let schema = format!("strata_bench_{count}");
    let Some(mut client) = postgres(&schema) else { return };
    let (_dir, migrations) = migrations_for(count, strata::Dialect::Postgres);
    migrations.migrator().apply(&mut client).unwrap();
    bencher.bench_local(|| assert!(migrations.migrator().apply(&mut client).unwrap().up_to_date));
    client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).unwrap();
}

/// The floor: the cheapest query a start-up could make, on the same kind of connection.
#[divan::bench]
fn postgres_select_one(bencher: divan::Bencher<'_, '_>) {
    let Some(mut client) = postgres("strata_bench_floor") else { return };
    bencher.bench_local(|| client.query_one("SELECT 1", &[]).unwrap());
    client.batch_execute("DROP SCHEMA strata_bench_floor CASCADE").unwrap();
}
