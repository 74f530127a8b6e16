//! Applying migrations to real SQLite files: transactions, the tracking table, idempotence.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test panics

mod common;

use common::{Scratch, count, recorded, tables};
use std::error::Error as _;
use std::sync::{Arc, Mutex};
use strata::{Direction, Error, Event, Target};

const THREE: &[(&str, &str)] = &[
    ("0001_users.sql", "CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT);"),
    (
        "0002_posts.sql",
        "CREATE TABLE posts(id INTEGER PRIMARY KEY, user_id INTEGER);\nCREATE INDEX posts_user ON posts(user_id);",
    ),
    ("0003_tags.sql", "CREATE TABLE tags(name TEXT);"),
];

#[test]
fn applies_everything_then_nothing() {
    let scratch = Scratch::new();
    let migrations = scratch.migrations("m", THREE);
    let mut conn = scratch.open();
    let report = migrations.migrator().apply(&mut conn).unwrap();
    let ran: Vec<i64> = report.ran.iter().map(|r| r.version).collect();
    assert_eq!((ran, report.skipped, report.up_to_date), (vec![1, 2, 3], 0, false));
    assert_eq!(tables(&conn), ["posts", "tags", "users"]);

    let again = migrations.migrator().apply(&mut scratch.open()).unwrap();
    assert!(again.ran.is_empty());
    assert!(again.up_to_date, "the second start is answered by the set's digest");
    assert_eq!(again.skipped, 3);
}

#[test]
fn tracking_rows_hold_what_the_design_says() {
    let scratch = Scratch::new();
    let migrations = scratch.migrations("m", THREE);
    let mut conn = scratch.open();
    migrations.migrator().apply(&mut conn).unwrap();
    let (name, checksum, applied_at, duration, state, compatible): (String, String, String, i64, String, i64) = conn
        .query_row(
            "SELECT name, checksum, applied_at, duration_ms, state, backward_compatible FROM strata_migrations WHERE version = 2",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .unwrap();
    assert_eq!(name, "posts");
    assert_eq!(checksum, migrations.get(2).unwrap().checksum());
    assert!(applied_at.ends_with('Z') && applied_at.len() == "2024-01-31T12:00:00.000Z".len(), "{applied_at}");
    assert!(duration >= 0);
    assert_eq!((state.as_str(), compatible), ("applied", 0));
}

#[test]
fn a_failing_statement_rolls_back_its_migration_only() {
    let scratch = Scratch::new();
    let migrations = scratch.migrations(
        "m",
        &[
            ("0001_users.sql", "CREATE TABLE users(id INTEGER PRIMARY KEY);"),
            ("0002_broken.sql", "CREATE TABLE half(x);\n\nINSERT INTO missing VALUES (1);\nCREATE TABLE never(x);"),
        ],
    );
    let mut conn = scratch.open();
    let error = migrations.migrator().apply(&mut conn).unwrap_err();
    match &error {
        Error::Statement { migration, direction, statement, line, message, .. } => {
            assert_eq!(
                (migration.version, migration.name.as_str(), migration.file.as_str()),
                (2, "broken", "0002_broken.sql")
            );
            assert_eq!((*direction, *statement, *line), (Direction::Up, 2, 3));
            assert_eq!(message, "no such table: missing");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(error.source().is_some_and(|s| s.is::<rusqlite::Error>()));
    assert!(error.to_string().contains("0002_broken.sql"), "{error}");
    assert_eq!(tables(&conn), ["users"], "the failed migration left nothing behind");
    assert_eq!(recorded(&conn), [1]);
}

#[test]
fn single_transaction_is_all_or_nothing() {
    let scratch = Scratch::new();
    let migrations = scratch.migrations(
        "m",
        &[
            ("0001_users.sql", "CREATE TABLE users(id INTEGER PRIMARY KEY);"),
            ("0002_broken.sql", "CREATE TABLE half(x);\nSELECT * FROM missing;"),
        ],
    );
    let mut conn = scratch.open();
    let error = migrations.migrator().single_transaction().apply(&mut conn).unwrap_err();
    assert!(matches!(error, Error::Statement { ref migration, .. } if migration.version == 2));
    assert!(tables(&conn).is_empty(), "nothing of the run is left");
    assert!(recorded(&conn).is_empty());

    let fixed = scratch.migrations(
        "m",
        &[("0001_users.sql", "CREATE TABLE users(id INTEGER PRIMARY KEY);"), ("0002_ok.sql", "CREATE TABLE ok(x);")],
    );
    let report = fixed.migrator().single_transaction().apply(&mut conn).unwrap();
    assert_eq!(report.ran.len(), 2);
    assert_eq!(recorded(&conn), [1, 2]);
}

#[test]
fn single_transaction_refuses_no_transaction_migrations_before_running() {
    let scratch = Scratch::new();
    let migrations = scratch.migrations(
        "m",
        &[("0001_a.sql", "CREATE TABLE a(x);"), ("0002_vacuum.sql", "-- strata:no-transaction\nVACUUM;")],
    );
    let mut conn = scratch.open();
    let error = migrations.migrator().single_transaction().apply(&mut conn).unwrap_err();
    assert!(
        matches!(error, Error::NoTransactionInSingleTransaction { ref migration } if migration.version == 2),
        "{error}"
    );
    assert!(tables(&conn).is_empty());
}

#[test]
fn apply_to_stops_at_the_target() {
    let scratch = Scratch::new();
    let migrations = scratch.migrations("m", THREE);
    let mut conn = scratch.open();
    migrations.migrator().apply_to(&mut conn, 2).unwrap();
    assert_eq!(recorded(&conn), [1, 2]);
    let error = migrations.migrator().apply_to(&mut conn, 7).unwrap_err();
    assert!(matches!(&error, Error::UnknownTarget { target } if target == "7"), "{error}");
    migrations.migrator().apply_to(&mut conn, Target::Latest).unwrap();
    assert_eq!(recorded(&conn), [1, 2, 3]);
}

#[test]
fn targets_name_migrations_as_their_folders_do() {
    // diesel's `-0000` folders have 18-digit versions nobody types: name them instead.
    let scratch = Scratch::new();
    let migrations = scratch.migrations(
        "m",
        &[
            ("2024-01-01-000000-0000_create_users/up.sql", "CREATE TABLE users(id);"),
            ("2024-01-01-000000-0000_create_users/down.sql", "DROP TABLE users;"),
            ("2024-02-12-120203-0000_add_tags/up.sql", "CREATE TABLE tags(name);"),
            ("2024-02-12-120203-0000_add_tags/down.sql", "DROP TABLE tags;"),
            ("2024-03-13_170000_add_posts/up.sql", "CREATE TABLE posts(id);"),
            ("2024-03-13_170000_add_posts/down.sql", "DROP TABLE posts;"),
        ],
    );
    let mut conn = scratch.open();
    let report = migrations.migrator().apply_to(&mut conn, "2024-02-12-120203-0000_add_tags").unwrap();
    let ran: Vec<&str> = report.ran.iter().map(|ran| ran.id.as_str()).collect();
    assert_eq!(ran, ["2024-01-01-000000-0000_create_users", "2024-02-12-120203-0000_add_tags"]);
    assert!(report.to_string().starts_with("ran 2024-01-01-000000-0000_create_users in "), "{report}");
    migrations.migrator().apply(&mut conn).unwrap();
    // By the version as written, too.
    let report = migrations.migrator().rollback_to(&mut conn, "2024-01-01-000000-0000").unwrap();
    let reverted: Vec<&str> = report.ran.iter().map(|ran| ran.id.as_str()).collect();
    assert_eq!(reverted, ["2024-03-13_170000_add_posts", "2024-02-12-120203-0000_add_tags"]);
    assert_eq!(tables(&conn), ["users"]);
    let error = migrations.migrator().apply_to(&mut conn, "2024-02-12_add_tags").unwrap_err();
    assert_eq!(
        error.to_string(),
        "no migration is `2024-02-12_add_tags`: name one by its version or as its file or folder is named"
    );
}

#[test]
fn events_report_start_success_and_failure_with_durations() {
    let scratch = Scratch::new();
    let migrations =
        scratch.migrations("m", &[("0001_a.sql", "CREATE TABLE a(x);"), ("0002_b.sql", "SELECT * FROM nowhere;")]);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let migrator = migrations.migrator().on_event(move |event| {
        let line = match event {
            Event::Started { migration, direction } => format!("started {} {direction}", migration.version()),
            Event::Applied { migration, .. } => format!("applied {}", migration.version()),
            Event::Failed { migration, error, .. } => {
                format!("failed {}: {}", migration.version(), matches!(error, Error::Statement { .. }))
            }
            Event::RolledBack { migration, .. } => format!("rolled back {}", migration.version()),
            _ => "other".to_owned(),
        };
        sink.lock().unwrap().push(line);
    });
    assert!(migrator.apply(&mut scratch.open()).is_err());
    assert_eq!(*seen.lock().unwrap(), ["started 1 up", "applied 1", "started 2 up", "failed 2: true"]);
}

#[test]
fn a_custom_tracking_table_is_used_and_validated() {
    let scratch = Scratch::new();
    let migrations = scratch.migrations("m", THREE);
    let mut conn = scratch.open();
    migrations.migrator().table("schema_history").apply(&mut conn).unwrap();
    assert_eq!(count(&conn, "SELECT count(*) FROM schema_history"), 3);
    for bad in ["schema history", "x\"; DROP TABLE users; --", "1abc"] {
        let error = migrations.migrator().table(bad).apply(&mut conn).unwrap_err();
        assert!(matches!(error, Error::InvalidTableName { ref name } if name == bad), "{error}");
    }
    assert_eq!(tables(&conn), ["posts", "schema_history", "schema_history_state", "tags", "users"]);
}

#[test]
fn embedded_sample_migrations_apply_and_roll_back_to_the_irreversible_one() {
    static MIGRATIONS: strata::Migrations = strata::embed_migrations!("migrations");
    let scratch = Scratch::new();
    let mut conn = scratch.open();
    MIGRATIONS.migrator().apply(&mut conn).unwrap();
    conn.execute("INSERT INTO posts(user_id, title, body) VALUES (1, 'hello', 'full text search')", []).unwrap();
    assert_eq!(count(&conn, "SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'search'"), 1);
    let error = MIGRATIONS.migrator().rollback_to(&mut conn, 1).unwrap_err();
    assert!(matches!(error, Error::Irreversible { ref migration, .. } if migration.version == 4), "{error}");
    assert_eq!(recorded(&conn), [1, 2, 3, 4]);
}
