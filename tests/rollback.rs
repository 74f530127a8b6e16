//! Rolling back: down scripts in reverse order, refused before anything runs when it cannot be
//! done safely.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test panics

mod common;

use common::{Scratch, recorded, tables};
use strata::{Error, IrreversibleReason, Migrations, Target};

fn reversible(scratch: &Scratch) -> Migrations {
    scratch.migrations(
        "m",
        &[
            ("0001_a.sql", "CREATE TABLE a(x);"),
            ("0001_a.down.sql", "DROP TABLE a;"),
            ("0002_b.sql", "CREATE TABLE b(x);"),
            ("0002_b.down.sql", "DROP TABLE b;"),
            ("0003_c.sql", "CREATE TABLE c(x);"),
            ("0003_c.down.sql", "DROP TABLE c;"),
        ],
    )
}

#[test]
fn rolls_back_newest_first_down_to_the_target() {
    let scratch = Scratch::new();
    let migrations = reversible(&scratch);
    let mut conn = scratch.open();
    migrations.migrator().apply(&mut conn).unwrap();
    let report = migrations.migrator().rollback_to(&mut conn, 1).unwrap();
    assert_eq!(report.ran.iter().map(|r| r.version).collect::<Vec<_>>(), [3, 2]);
    assert_eq!(tables(&conn), ["a"]);
    assert_eq!(recorded(&conn), [1]);

    // The digest was cleared: the next start sees the pending migrations.
    let again = migrations.migrator().apply(&mut conn).unwrap();
    assert_eq!(again.ran.len(), 2);
    migrations.migrator().rollback_to(&mut conn, Target::Empty).unwrap();
    assert!(tables(&conn).is_empty());
    assert!(recorded(&conn).is_empty());
}

#[test]
fn a_migration_without_down_script_is_refused_before_anything_runs() {
    let scratch = Scratch::new();
    let migrations = scratch.migrations(
        "m",
        &[
            ("0001_a.sql", "CREATE TABLE a(x);"),
            ("0002_b.sql", "CREATE TABLE b(x);"),
            ("0002_b.down.sql", "-- nothing to undo\n"),
            ("0003_c.sql", "CREATE TABLE c(x);"),
            ("0003_c.down.sql", "DROP TABLE c;"),
        ],
    );
    let mut conn = scratch.open();
    migrations.migrator().apply(&mut conn).unwrap();
    let error = migrations.migrator().rollback_to(&mut conn, 1).unwrap_err();
    assert!(
        matches!(&error, Error::Irreversible { migration, reason: IrreversibleReason::NoDownScript } if migration.version == 2),
        "{error}"
    );
    assert_eq!(tables(&conn), ["a", "b", "c"], "0003 was not rolled back either");
}

#[test]
fn an_irreversible_migration_is_refused() {
    let scratch = Scratch::new();
    let migrations = scratch.migrations("m", &[("0001_a.sql", "-- strata:irreversible\nCREATE TABLE a(x);")]);
    let mut conn = scratch.open();
    migrations.migrator().apply(&mut conn).unwrap();
    let error = migrations.migrator().rollback_to(&mut conn, Target::Empty).unwrap_err();
    assert!(matches!(error, Error::Irreversible { reason: IrreversibleReason::Marked, .. }), "{error}");
    assert!(error.to_string().contains("strata:irreversible"));
}

#[test]
fn a_migration_that_stays_never_loses_a_dependency() {
    // 0001 depends on 0003, so the order is 2, 3, 1. Rolling back "to 0002" by version would
    // revert 0003 and keep 0001, which needs it; by application order it reverts 0001 first,
    // then 0003, and keeps 0002.
    let scratch = Scratch::new();
    let migrations = scratch.migrations(
        "m",
        &[
            ("0001_a.sql", "-- strata:depends-on 3\nCREATE VIEW a AS SELECT * FROM c;"),
            ("0001_a.down.sql", "DROP VIEW a;"),
            ("0002_b.sql", "CREATE TABLE b(x);"),
            ("0002_b.down.sql", "DROP TABLE b;"),
            ("0003_c.sql", "CREATE TABLE c(x);"),
            ("0003_c.down.sql", "DROP TABLE c;"),
        ],
    );
    let mut conn = scratch.open();
    migrations.migrator().apply(&mut conn).unwrap();
    let report = migrations.migrator().rollback_to(&mut conn, 3).unwrap();
    assert_eq!(
        report.ran.iter().map(|r| r.version).collect::<Vec<_>>(),
        [1],
        "keeping 0003 reverts only what follows it"
    );
    migrations.migrator().apply(&mut conn).unwrap();
    let report = migrations.migrator().rollback_to(&mut conn, 2).unwrap();
    assert_eq!(report.ran.iter().map(|r| r.version).collect::<Vec<_>>(), [1, 3]);
    assert_eq!(tables(&conn), ["b"]);
}

#[test]
fn rolling_back_under_newer_unknown_migrations_is_refused() {
    let scratch = Scratch::new();
    let newer = scratch.migrations(
        "v2",
        &[
            ("0001_a.sql", "CREATE TABLE a(x);"),
            ("0001_a.down.sql", "DROP TABLE a;"),
            ("0002_b.sql", "-- strata:backward-compatible\nCREATE VIEW b AS SELECT * FROM a;"),
        ],
    );
    let mut conn = scratch.open();
    newer.migrator().apply(&mut conn).unwrap();
    let older = scratch.migrations("v1", &[("0001_a.sql", "CREATE TABLE a(x);"), ("0001_a.down.sql", "DROP TABLE a;")]);
    // Backward-compatible lets the older binary run, not revert what the newer one built on.
    let error = older.migrator().rollback_to(&mut conn, Target::Empty).unwrap_err();
    assert!(matches!(&error, Error::DatabaseAhead { unknown } if unknown[0].version == 2), "{error}");
    assert_eq!(recorded(&conn), [1, 2]);
}

#[test]
fn a_no_transaction_migration_rolls_back_outside_a_transaction() {
    let scratch = Scratch::new();
    let files = |down: &'static str| {
        [
            ("0001_a.sql", "CREATE TABLE a(x);"),
            ("0002_big.sql", "-- strata:no-transaction\nCREATE TABLE big(x);"),
            ("0002_big.down.sql", down),
        ]
    };
    // VACUUM cannot run inside a transaction: this rollback only works outside one.
    let migrations = scratch.migrations("m", &files("DROP TABLE big;\nVACUUM;"));
    let mut conn = scratch.open();
    migrations.migrator().apply(&mut conn).unwrap();
    migrations.migrator().rollback_to(&mut conn, 1).unwrap();
    assert_eq!(tables(&conn), ["a"]);
    assert_eq!(recorded(&conn), [1]);

    // A down script that fails part-way leaves the row dirty, which stops later runs.
    let broken = scratch.migrations("m", &files("DROP TABLE big;\nDROP TABLE nowhere;"));
    broken.migrator().apply(&mut conn).unwrap();
    let error = broken.migrator().rollback_to(&mut conn, 1).unwrap_err();
    assert!(matches!(error, Error::Statement { statement: 2, .. }), "{error}");
    assert!(
        matches!(broken.migrator().apply(&mut conn), Err(Error::Dirty { ref migration, .. }) if migration.version == 2)
    );
}
