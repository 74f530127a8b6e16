//! Looking without touching: status, plan and verify; and the maintenance operations repair and
//! baseline.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test panics

mod common;

use common::{Scratch, recorded, tables};
use strata::{Direction, Error, MigrationState, Operation, Target};

const FILES: &[(&str, &str)] = &[
    ("0001_a.sql", "CREATE TABLE a(x);"),
    ("0001_a.down.sql", "DROP TABLE a;"),
    ("0002_b.sql", "CREATE TABLE b(x);\nINSERT INTO b VALUES (1);"),
    ("0002_b.down.sql", "DROP TABLE b;"),
    ("0003_c.sql", "-- strata:no-transaction\nCREATE TABLE c(x);"),
];

#[test]
fn plan_lists_steps_with_their_sql_and_writes_nothing() {
    let scratch = Scratch::new();
    let migrations = scratch.migrations("m", FILES);
    let mut conn = scratch.open();
    let plan = migrations.migrator().plan(&mut conn, Operation::Apply(Target::Latest)).unwrap();
    let steps: Vec<(i64, Direction, usize, bool)> =
        plan.steps.iter().map(|s| (s.version, s.direction, s.statements.len(), s.no_transaction)).collect();
    assert_eq!(steps, [(1, Direction::Up, 1, false), (2, Direction::Up, 2, false), (3, Direction::Up, 1, true)]);
    assert_eq!(plan.steps[1].statements[1], "INSERT INTO b VALUES (1)");
    let text = plan.to_string();
    assert!(text.contains("-- up 0002_b (0002_b.sql)\nCREATE TABLE b(x);\nINSERT INTO b VALUES (1);\n"), "{text}");
    assert!(text.contains("outside a transaction"), "{text}");
    let mut conn = conn;
    assert!(tables(&conn).is_empty());
    let count: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).unwrap();
    assert_eq!(count, 0, "not even the tracking table was created");

    migrations.migrator().apply(&mut conn).unwrap();
    let rollback = migrations.migrator().plan(&mut conn, Operation::Rollback(Target::Version(1)));
    // 0003 has no down script: the plan refuses like the rollback would.
    assert!(matches!(rollback, Err(Error::Irreversible { .. })));
    migrations.migrator().rollback_to(&mut conn, 2).unwrap_err();
}

#[test]
fn status_shows_each_migration_and_unknown_ones() {
    let scratch = Scratch::new();
    let migrations = scratch.migrations("m", FILES);
    let mut conn = scratch.open();
    migrations.migrator().apply_to(&mut conn, 2).unwrap();
    conn.execute_batch(
        "INSERT INTO strata_migrations VALUES (9, 'future', 'sha256:0000000000000000000000000000000000000000000000000000000000000000', '2030-01-01T00:00:00.000Z', 5, 'applied', 0, NULL);
         UPDATE strata_migrations SET checksum = 'sha256:1111111111111111111111111111111111111111111111111111111111111111' WHERE version = 2;",
    )
    .unwrap();
    let status = migrations.migrator().status(&mut conn).unwrap();
    let states: Vec<(i64, &str)> = status
        .migrations
        .iter()
        .map(|line| {
            (
                line.version,
                match line.state {
                    MigrationState::Applied(_) => "applied",
                    MigrationState::Edited(_) => "edited",
                    MigrationState::Dirty(_) => "dirty",
                    MigrationState::Pending => "pending",
                    _ => "other",
                },
            )
        })
        .collect();
    assert_eq!(states, [(1, "applied"), (2, "edited"), (3, "pending")]);
    assert_eq!(status.unknown.iter().map(|r| r.version).collect::<Vec<_>>(), [9]);
    assert_eq!(status.pending().iter().map(|line| line.id.as_str()).collect::<Vec<_>>(), ["0003_c"]);
    // Names as the user wrote them, the first column as wide as the longest, a summary.
    assert_eq!(
        status.to_string(),
        "migration  state    applied at\n\
         0001_a     applied  {a}\n\
         0002_b     EDITED   {b}\n\
         0003_c     pending\n\
         9_future   unknown  {f}\n\
         2 applied, 1 pending, 1 unknown to this binary\n"
            .replace("{a}", &applied_at(&status, 0))
            .replace("{b}", &applied_at(&status, 1))
            .replace("{f}", &status.unknown[0].applied_at)
    );
}

#[test]
fn verify_passes_on_a_healthy_database_and_repair_accepts_edits() {
    let scratch = Scratch::new();
    let migrations = scratch.migrations("m", FILES);
    let mut conn = scratch.open();
    migrations.migrator().verify(&mut conn).unwrap();
    migrations.migrator().apply(&mut conn).unwrap();
    migrations.migrator().verify(&mut conn).unwrap();

    let mut edited_files = FILES.to_vec();
    edited_files[2] = ("0002_b.sql", "CREATE TABLE b(x);\nINSERT INTO b VALUES (2);");
    let edited = scratch.migrations("m", &edited_files);
    assert!(matches!(edited.migrator().verify(&mut conn), Err(Error::ChecksumMismatch { .. })));
    let report = edited.migrator().repair(&mut conn).unwrap();
    assert_eq!(report.checksums_updated.len(), 1);
    assert_eq!(report.checksums_updated[0].0, "0002_b");
    assert!(report.to_string().starts_with("accepted the edited script of 0002_b: sha256:"), "{report}");
    assert_eq!(report.checksums_updated[0].2, edited.get(2).unwrap().checksum());
    edited.migrator().verify(&mut conn).unwrap();
    assert!(edited.migrator().apply(&mut conn).unwrap().ran.is_empty());
}

#[test]
fn baseline_records_without_running_and_only_on_an_empty_history() {
    let scratch = Scratch::new();
    let migrations = scratch.migrations("m", FILES);
    let mut conn = scratch.open();
    conn.execute_batch("CREATE TABLE a(x); CREATE TABLE b(x);").unwrap();
    let report = migrations.migrator().baseline(&mut conn, "0002_b").unwrap();
    assert!(report.ran.is_empty());
    assert_eq!(report.baselined, ["0001_a", "0002_b"]);
    assert_eq!(
        report.to_string(),
        "recorded 0001_a as applied, without running it\nrecorded 0002_b as applied, without running it\n"
    );
    assert_eq!(recorded(&conn), [1, 2]);
    let count: i64 = conn.query_row("SELECT count(*) FROM b", [], |r| r.get(0)).unwrap();
    assert_eq!(count, 0, "0002's INSERT did not run");
    migrations.migrator().apply(&mut conn).unwrap();
    assert_eq!(recorded(&conn), [1, 2, 3]);
    let error = migrations.migrator().baseline(&mut conn, 1).unwrap_err();
    assert!(matches!(error, Error::BaselineNotEmpty { rows: 3, .. }), "{error}");
    assert!(
        matches!(migrations.migrator().baseline(&mut scratch.open(), 8), Err(Error::UnknownTarget { target }) if target == "8")
    );
}

fn applied_at(status: &strata::Status, index: usize) -> String {
    match &status.migrations[index].state {
        MigrationState::Applied(row) | MigrationState::Edited(row) => row.applied_at.clone(),
        other => panic!("{other:?}"),
    }
}
