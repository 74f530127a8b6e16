//! What strata refuses: a database ahead of the binary, edited migrations, out-of-order
//! migrations, dirty rows, and tracking rows it cannot read.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test panics

mod common;

use common::{Scratch, recorded, tables};
use strata::{Error, Migrations};

fn v1(scratch: &Scratch) -> Migrations {
    scratch.migrations("v1", &[("0001_a.sql", "CREATE TABLE a(x);")])
}

#[test]
fn a_database_ahead_of_the_binary_is_refused_before_anything_runs() {
    let scratch = Scratch::new();
    let newer = scratch.migrations("v2", &[("0001_a.sql", "CREATE TABLE a(x);"), ("0003_c.sql", "CREATE TABLE c(x);")]);
    let mut conn = scratch.open();
    newer.migrator().apply(&mut conn).unwrap();

    // An older binary that knows 1 and a new 2 of its own.
    let older = scratch.migrations("v1", &[("0001_a.sql", "CREATE TABLE a(x);"), ("0002_b.sql", "CREATE TABLE b(x);")]);
    let error = older.migrator().allow_out_of_order().apply(&mut conn).unwrap_err();
    match &error {
        Error::DatabaseAhead { unknown } => {
            assert_eq!(unknown.iter().map(|m| (m.version, m.name.as_str())).collect::<Vec<_>>(), [(3, "c")]);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(error.to_string().contains("3_c"), "{error}");
    assert_eq!(tables(&conn), ["a", "c"], "nothing ran");
    assert!(older.migrator().verify(&mut conn).is_err());

    let report = older.migrator().allow_database_ahead().allow_out_of_order().apply(&mut conn).unwrap();
    assert_eq!(report.database_ahead, [3]);
    assert_eq!(recorded(&conn), [1, 2, 3]);
}

#[test]
fn backward_compatible_migrations_let_older_binaries_run() {
    let scratch = Scratch::new();
    let newer = scratch.migrations(
        "v2",
        &[
            ("0001_a.sql", "CREATE TABLE a(x);"),
            ("0002_index.sql", "-- strata:backward-compatible\nCREATE INDEX a_x ON a(x);"),
        ],
    );
    let mut conn = scratch.open();
    newer.migrator().apply(&mut conn).unwrap();
    let report = v1(&scratch).migrator().apply(&mut conn).unwrap();
    assert_eq!(report.database_ahead, [2], "the run proceeds and says so");
    assert!(!report.up_to_date);
    assert!(report.to_string().contains("newer migrations"), "{report}");
}

#[test]
fn an_edited_migration_is_refused_but_line_endings_are_not_an_edit() {
    let scratch = Scratch::new();
    let mut conn = scratch.open();
    scratch
        .migrations("m", &[("0001_a.sql", "CREATE TABLE a(x);\nCREATE TABLE b(y);\n")])
        .migrator()
        .apply(&mut conn)
        .unwrap();

    let crlf = scratch.migrations("m", &[("0001_a.sql", "\u{feff}CREATE TABLE a(x);\r\nCREATE TABLE b(y);\r\n")]);
    crlf.migrator().apply(&mut conn).expect("a CRLF checkout is the same migration");

    let edited = scratch.migrations("m", &[("0001_a.sql", "CREATE TABLE a(x, z);\nCREATE TABLE b(y);\n")]);
    let error = edited.migrator().apply(&mut conn).unwrap_err();
    match &error {
        Error::ChecksumMismatch { migration, applied, embedded } => {
            assert_eq!((migration.version, migration.file.as_str()), (1, "0001_a.sql"));
            assert_eq!(embedded, edited.get(1).unwrap().checksum());
            assert_eq!(applied, crlf.get(1).unwrap().checksum());
            assert_ne!(applied, embedded);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(matches!(edited.migrator().verify(&mut conn), Err(Error::ChecksumMismatch { .. })));
}

/// A database where 0001 and 0003 are applied, for binaries that bring a 0002.
fn with_one_and_three_applied(scratch: &Scratch) -> rusqlite::Connection {
    let mut conn = scratch.open();
    let early = scratch.migrations("m", &[("0001_a.sql", "CREATE TABLE a(x);"), ("0003_c.sql", "CREATE TABLE c(x);")]);
    early.migrator().apply(&mut conn).unwrap();
    conn
}

#[test]
fn out_of_order_migrations_are_refused_unless_allowed() {
    let scratch = Scratch::new();
    let mut conn = with_one_and_three_applied(&scratch);

    let with_two = scratch.migrations(
        "m",
        &[
            ("0001_a.sql", "CREATE TABLE a(x);"),
            ("0002_b.sql", "CREATE TABLE b(x);"),
            ("0003_c.sql", "CREATE TABLE c(x);"),
        ],
    );
    let error = with_two.migrator().apply(&mut conn).unwrap_err();
    assert!(
        matches!(&error, Error::OutOfOrder { migration, applied_after } if migration.version == 2 && applied_after.version == 3),
        "{error}"
    );
    assert!(matches!(with_two.migrator().verify(&mut conn), Err(Error::OutOfOrder { .. })));
    with_two.migrator().allow_out_of_order().verify(&mut conn).unwrap();

    let report = with_two.migrator().allow_out_of_order().apply(&mut conn).unwrap();
    assert_eq!(report.ran.iter().map(|r| r.version).collect::<Vec<_>>(), [2]);
    assert_eq!(recorded(&conn), [1, 2, 3]);
}

#[test]
fn refinery_unversioned_migrations_may_run_out_of_order_but_versioned_ones_may_not() {
    let scratch = Scratch::new();
    let mut conn = scratch.open();
    let early = scratch.migrations("m", &[("V1__a.sql", "CREATE TABLE a(x);"), ("V3__c.sql", "CREATE TABLE c(x);")]);
    early.migrator().apply(&mut conn).unwrap();

    // refinery's `U2` (no `V2` beside it) is an up migration that may come late.
    let unversioned = scratch.migrations(
        "m",
        &[
            ("V1__a.sql", "CREATE TABLE a(x);"),
            ("U2__b.sql", "CREATE TABLE b(x);"),
            ("V3__c.sql", "CREATE TABLE c(x);"),
        ],
    );
    assert!(unversioned.get(2).unwrap().any_order());
    unversioned.migrator().verify(&mut conn).unwrap();
    let report = unversioned.migrator().apply(&mut conn).unwrap();
    assert_eq!(report.ran.iter().map(|r| r.version).collect::<Vec<_>>(), [2]);
    assert_eq!(tables(&conn), ["a", "b", "c"]);

    // A versioned `V2` in the same place is out of order.
    let scratch = Scratch::new();
    let mut conn = scratch.open();
    early.migrator().apply(&mut conn).unwrap();
    let versioned = scratch.migrations(
        "m",
        &[
            ("V1__a.sql", "CREATE TABLE a(x);"),
            ("V2__b.sql", "CREATE TABLE b(x);"),
            ("V3__c.sql", "CREATE TABLE c(x);"),
        ],
    );
    let error = versioned.migrator().apply(&mut conn).unwrap_err();
    assert!(matches!(&error, Error::OutOfOrder { migration, .. } if migration.version == 2), "{error}");
}

#[test]
fn an_out_of_order_migration_waits_for_its_dependencies() {
    let scratch = Scratch::new();
    let mut conn = with_one_and_three_applied(&scratch);
    // 0002 depends on 0004: the topological order puts 0004 first, so when 0002 runs out of
    // order its dependency is always applied before it.
    let later = scratch.migrations(
        "m",
        &[
            ("0001_a.sql", "CREATE TABLE a(x);"),
            ("0002_b.sql", "-- strata:depends-on 4\nCREATE TABLE b(x);"),
            ("0003_c.sql", "CREATE TABLE c(x);"),
            ("0004_d.sql", "CREATE TABLE d(x);"),
        ],
    );
    // Order: 1, 3, 4, 2 — 4 precedes 2 in this run, so both apply.
    let report = later.migrator().allow_out_of_order().apply(&mut conn).unwrap();
    assert_eq!(report.ran.iter().map(|r| r.version).collect::<Vec<_>>(), [4, 2]);
    assert_eq!(recorded(&conn), [1, 2, 3, 4]);
}

#[test]
fn a_failed_no_transaction_migration_leaves_a_dirty_row_that_stops_later_runs() {
    let scratch = Scratch::new();
    let mut conn = scratch.open();
    let broken = scratch.migrations(
        "m",
        &[
            ("0001_a.sql", "CREATE TABLE a(x);"),
            ("0002_bulk.sql", "-- strata:no-transaction\nCREATE TABLE b(x);\nINSERT INTO nowhere VALUES (1);"),
        ],
    );
    let error = broken.migrator().apply(&mut conn).unwrap_err();
    assert!(matches!(error, Error::Statement { ref migration, .. } if migration.version == 2));
    assert_eq!(tables(&conn), ["a", "b"], "outside a transaction, the first statement stays");
    let state: String =
        conn.query_row("SELECT state FROM strata_migrations WHERE version = 2", [], |r| r.get(0)).unwrap();
    assert_eq!(state, "dirty");

    let error = broken.migrator().apply(&mut conn).unwrap_err();
    assert!(matches!(error, Error::Dirty { ref migration, .. } if migration.version == 2));
    assert!(error.to_string().contains("repair"), "the message says how to repair: {error}");
    assert!(matches!(broken.migrator().verify(&mut conn), Err(Error::Dirty { .. })));

    // The operator cleans up by hand, fixes the file, repairs: the migration runs again.
    conn.execute_batch("DROP TABLE b").unwrap();
    let fixed = scratch.migrations(
        "m",
        &[
            ("0001_a.sql", "CREATE TABLE a(x);"),
            ("0002_bulk.sql", "-- strata:no-transaction\nCREATE TABLE b(x);\nINSERT INTO b VALUES (1);"),
        ],
    );
    let repaired = fixed.migrator().repair(&mut conn).unwrap();
    assert_eq!(repaired.dirty_cleared, ["0002_bulk"]);
    assert_eq!(repaired.to_string(), "cleared the dirty row of 0002_bulk: it is pending again\n");
    fixed.migrator().apply(&mut conn).unwrap();
    let state: String =
        conn.query_row("SELECT state FROM strata_migrations WHERE version = 2", [], |r| r.get(0)).unwrap();
    assert_eq!(state, "applied");
}

#[test]
fn unreadable_tracking_rows_are_corrupt_history_not_panics() {
    let scratch = Scratch::new();
    let migrations = v1(&scratch);
    let cases = [
        ("UPDATE strata_migrations SET state = 'half-done'", "state `half-done`"),
        ("UPDATE strata_migrations SET checksum = 'md5:abc'", "checksum `md5:abc`"),
        ("UPDATE strata_migrations SET duration_ms = 'slow'", "`duration_ms` is not an integer"),
        ("UPDATE strata_migrations SET name = x'ff'", "`name` is not text"),
    ];
    for (corruption, expected) in cases {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        migrations.migrator().apply(&mut conn).unwrap();
        conn.execute_batch(corruption).unwrap();
        conn.execute_batch("DELETE FROM strata_migrations_state").unwrap();
        let error = migrations.migrator().apply(&mut conn).unwrap_err();
        assert!(matches!(error, Error::CorruptHistory { .. }), "{corruption}: {error:?}");
        assert!(error.to_string().contains(expected), "{corruption}: {error}");
        assert!(migrations.migrator().status(&mut conn).is_err());
    }
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE strata_migrations(id INTEGER)").unwrap();
    let error = migrations.migrator().apply(&mut conn).unwrap_err();
    assert!(error.to_string().contains("does not have strata's columns"), "{error}");
}

#[test]
fn from_dir_refuses_statements_that_cannot_run_in_a_transaction() {
    let scratch = Scratch::new();
    let folder = scratch.dir.path().join("vacuum");
    common::write_files(&folder, &[("0001_a.sql", "CREATE TABLE a(x);\nVACUUM;")]);
    let problems = Migrations::from_dir(&folder).unwrap_err();
    let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(messages, ["0001_a.sql:2:1: `VACUUM` cannot run inside a transaction"]);
}

#[test]
fn from_dir_returns_problems_as_values() {
    let scratch = Scratch::new();
    let folder = scratch.dir.path().join("bad");
    common::write_files(&folder, &[("0001_a.sql", "SELECT 'oops;"), ("init.sql", "SELECT 1;")]);
    let problems = Migrations::from_dir(&folder).unwrap_err();
    let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
    // Every problem at once: the misnamed file does not hide the sibling's.
    assert_eq!(messages, ["init.sql: `init.sql` matches no migration layout", "0001_a.sql:1:8: unterminated string"]);
    std::fs::remove_file(folder.join("init.sql")).unwrap();
    let problems = Migrations::from_dir(&folder).unwrap_err();
    assert_eq!(problems.len(), 1);
    // Files are named from the folder as given, so that the message can be opened.
    assert_eq!(
        problems.to_string(),
        format!(
            "{}/0001_a.sql:1:8: unterminated string\n  help: close the string with `'`; write a quote inside a string as `''`",
            folder.display()
        )
    );
}
