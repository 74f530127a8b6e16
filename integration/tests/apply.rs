//! Applying migrations: transactions, the tracking table, idempotence, targets, events. Every
//! property runs through every driver (see `common::db`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test panics

mod common;

use common::{Scratch, count, recorded};
use std::error::Error as _;
use std::sync::{Arc, Mutex};
use strata::{Dialect, Direction, Error, Event, Target};

const THREE: &[(&str, &str)] = &[
    ("0001_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);"),
    (
        "0002_posts.sql",
        "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER);\nCREATE INDEX posts_user ON posts (user_id);",
    ),
    ("0003_tags.sql", "CREATE TABLE tags (name TEXT);"),
];

on_every_database! {
    // zero-to-production's shape: a script written for sqlx wraps itself in `BEGIN; … COMMIT;`.
    // It runs in strata's transaction instead, so that a failure leaves nothing and success
    // commits with the row.
    fn a_script_wrapped_in_its_own_transaction_commits_with_its_row(db: &mut Db) {
        db.execute("CREATE TABLE s (x INTEGER)");
        let failing = db.migrations_in("failing", &[(
            "0001_wrapped.sql",
            "BEGIN;\nINSERT INTO s VALUES (1);\nINSERT INTO nowhere VALUES (1);\nCOMMIT;\n",
        )]);
        let error = db.apply(&failing.migrator()).unwrap_err();
        assert!(error.to_string().contains("failed at statement 2 (line 3)"), "{error}");
        assert_eq!(db.count("SELECT count(*) FROM s"), 0, "the insert before the failure was rolled back");
        let working = db.migrations_in("working", &[(
            "0001_wrapped.sql",
            "BEGIN;\nINSERT INTO s VALUES (1);\nINSERT INTO s VALUES (2);\nCOMMIT;\n",
        )]);
        assert_eq!(db.apply(&working.migrator()).unwrap().ran.len(), 1);
        assert_eq!((db.count("SELECT count(*) FROM s"), db.recorded()), (2, vec![1]));
        db.execute("DROP TABLE s");
    }

    fn applies_everything_then_nothing(db: &mut Db) {
        let migrations = db.migrations(THREE);
        let report = db.apply(&migrations.migrator()).unwrap();
        let ran: Vec<i64> = report.ran.iter().map(|r| r.version).collect();
        assert_eq!((ran, report.skipped, report.up_to_date), (vec![1, 2, 3], 0, false));
        assert_eq!(db.tables(), ["posts", "tags", "users"]);

        let mut other = db.connect();
        let again = db.apply_on(&mut other, &migrations.migrator()).unwrap();
        assert!(again.ran.is_empty());
        assert!(again.up_to_date, "the second start is answered by the set's digest");
        assert_eq!(again.skipped, 3);
    }

    fn tracking_rows_hold_what_the_design_says(db: &mut Db) {
        let migrations = db.migrations(THREE);
        db.apply(&migrations.migrator()).unwrap();
        let status = db.status(&migrations.migrator()).unwrap();
        let strata::MigrationState::Applied(row) = &status.migrations[1].state else { panic!("{status}") };
        assert_eq!((row.version, row.name.as_str()), (2, "posts"));
        assert_eq!(row.checksum, migrations.get(2).unwrap().checksum());
        assert!(row.applied_at.ends_with('Z') && row.applied_at.len() == "2024-01-31T12:00:00.000Z".len(), "{}", row.applied_at);
        assert_eq!((row.state, row.backward_compatible, row.failure.as_deref()), (strata::State::Applied, false, None));
        assert_eq!(db.texts("SELECT state FROM strata_migrations WHERE version = 2"), ["applied"]);
    }

    fn a_failing_statement_undoes_its_migration_or_leaves_it_dirty(db: &mut Db) {
        let migrations = db.migrations(&[
            ("0001_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);"),
            ("0002_broken.sql", "CREATE TABLE half (x INTEGER);\n\nINSERT INTO missing VALUES (1);\nCREATE TABLE never (x INTEGER);"),
        ]);
        let error = db.apply(&migrations.migrator()).unwrap_err();
        match &error {
            Error::Statement { migration, direction, statement, line, message, .. } => {
                assert_eq!(
                    (migration.version, migration.name.as_str(), migration.file.as_str()),
                    (2, "broken", "0002_broken.sql")
                );
                assert_eq!((*direction, *statement, *line), (Direction::Up, 2, 3));
                assert!(message.contains("missing"), "the database's own message: {message}");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(error.source().is_some(), "the driver's error is the cause");
        assert!(error.to_string().contains("0002_broken.sql"), "{error}");
        assert_eq!(error.completed(), Some(1), "the error says how far the run got: 0001 stays applied");
        if db.dialect() == Dialect::Mysql {
            // MySQL commits DDL implicitly: the migration ran outside a transaction, and its
            // dirty row says where it stopped.
            assert_eq!(db.tables(), ["half", "users"]);
            let failure = db.texts("SELECT failure FROM strata_migrations WHERE version = 2");
            assert!(failure[0].starts_with("up statement 2 (line 3): "), "{failure:?}");
            let refused = db.apply(&migrations.migrator()).unwrap_err();
            assert!(matches!(refused, Error::Dirty { failure: Some(ref f), .. } if f.contains("missing")), "{refused}");
        } else {
            assert_eq!(db.tables(), ["users"], "the failed migration left nothing behind");
            assert_eq!(db.recorded(), [1]);
        }
    }

    fn a_failure_names_the_line_the_database_points_at(db: &mut Db) {
        let migrations = db.migrations(&[
            ("0001_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);"),
            ("0002_copy.sql", "-- a copy\nINSERT INTO users (id)\nSELECT\n    no_such_column\nFROM users;"),
        ]);
        let error = db.apply(&migrations.migrator()).unwrap_err();
        let Error::Statement { line, statement, .. } = error else { panic!("{error}") };
        // PostgreSQL says where in the statement; the others, that the statement failed.
        let expected = if db.dialect() == Dialect::Postgres { 4 } else { 2 };
        assert_eq!((statement, line), (1, expected));
    }

    fn single_transaction_is_all_or_nothing(db: &mut Db) {
        if db.dialect() == Dialect::Mysql {
            // DDL cannot be part of one transaction there: refused before anything runs.
            let migrations = db.migrations(&[("0001_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);")]);
            let error = db.apply(&migrations.migrator().single_transaction()).unwrap_err();
            assert!(matches!(error, Error::NoTransactionInSingleTransaction { .. }), "{error}");
            assert!(db.tables().is_empty());
            return;
        }
        let migrations = db.migrations(&[
            ("0001_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);"),
            ("0002_broken.sql", "CREATE TABLE half (x INTEGER);\nSELECT * FROM missing;"),
        ]);
        let error = db.apply(&migrations.migrator().single_transaction()).unwrap_err();
        assert!(matches!(error, Error::Statement { ref migration, .. } if migration.version == 2));
        assert_eq!(error.completed(), Some(0), "all of it was rolled back");
        assert!(db.tables().is_empty(), "nothing of the run is left");
        assert!(db.recorded().is_empty());

        let fixed = db.migrations(&[
            ("0001_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);"),
            ("0002_ok.sql", "CREATE TABLE ok (x INTEGER);"),
        ]);
        let report = db.apply(&fixed.migrator().single_transaction()).unwrap();
        assert_eq!(report.ran.len(), 2);
        assert_eq!(db.recorded(), [1, 2]);
    }

    fn single_transaction_refuses_no_transaction_migrations_before_running(db: &mut Db) {
        let migrations = db.migrations(&[
            ("0001_a.sql", "CREATE TABLE a (x INTEGER);"),
            ("0002_b.sql", "-- strata:no-transaction\nCREATE TABLE b (x INTEGER);"),
        ]);
        let error = db.apply(&migrations.migrator().single_transaction()).unwrap_err();
        assert!(matches!(error, Error::NoTransactionInSingleTransaction { .. }), "{error}");
        assert!(db.tables().is_empty());
    }

    fn apply_to_stops_at_the_target(db: &mut Db) {
        let migrations = db.migrations(THREE);
        db.apply_to(&migrations.migrator(), 2).unwrap();
        assert_eq!(db.recorded(), [1, 2]);
        let error = db.apply_to(&migrations.migrator(), 7).unwrap_err();
        assert!(matches!(&error, Error::UnknownTarget { target } if target == "7"), "{error}");
        db.apply_to(&migrations.migrator(), Target::Latest).unwrap();
        assert_eq!(db.recorded(), [1, 2, 3]);
    }

    fn targets_name_migrations_as_their_folders_do(db: &mut Db) {
        // diesel's `-0000` folders have 18-digit versions nobody types: name them instead.
        let migrations = db.migrations(&[
            ("2024-01-01-000000-0000_create_users/up.sql", "CREATE TABLE users (id INTEGER);"),
            ("2024-01-01-000000-0000_create_users/down.sql", "DROP TABLE users;"),
            ("2024-02-12-120203-0000_add_tags/up.sql", "CREATE TABLE tags (name TEXT);"),
            ("2024-02-12-120203-0000_add_tags/down.sql", "DROP TABLE tags;"),
            ("2024-03-13_170000_add_posts/up.sql", "CREATE TABLE posts (id INTEGER);"),
            ("2024-03-13_170000_add_posts/down.sql", "DROP TABLE posts;"),
        ]);
        let report = db.apply_to(&migrations.migrator(), "2024-02-12-120203-0000_add_tags").unwrap();
        let ran: Vec<&str> = report.ran.iter().map(|ran| ran.id.as_str()).collect();
        assert_eq!(ran, ["2024-01-01-000000-0000_create_users", "2024-02-12-120203-0000_add_tags"]);
        assert!(report.to_string().starts_with("applied 2024-01-01-000000-0000_create_users in "), "{report}");
        db.apply(&migrations.migrator()).unwrap();
        // By the version as written, too.
        let report = db.rollback_to(&migrations.migrator(), "2024-01-01-000000-0000").unwrap();
        let reverted: Vec<&str> = report.ran.iter().map(|ran| ran.id.as_str()).collect();
        assert_eq!(reverted, ["2024-03-13_170000_add_posts", "2024-02-12-120203-0000_add_tags"]);
        assert_eq!(db.tables(), ["users"]);
        // A prefix of several versions names none of them.
        let error = db.apply_to(&migrations.migrator(), "2024").unwrap_err();
        assert_eq!(
            error.to_string(),
            "`2024` names 3 migrations: 2024-01-01-000000-0000_create_users, 2024-02-12-120203-0000_add_tags, 2024-03-13_170000_add_posts; name one by its whole version or as its file or folder is named"
        );
        assert_eq!(db.tables(), ["users"], "nothing ran");
        // A target matches a version exactly: a part of one that happens to be unique names none.
        let error = db.apply_to(&migrations.migrator(), "2024-02").unwrap_err();
        assert_eq!(
            error.to_string(),
            "no migration is `2024-02`: name one by its version or as its file or folder is named"
        );
        assert_eq!(db.tables(), ["users"], "nothing ran");
        let error = db.apply_to(&migrations.migrator(), "2024-02-12_add_tags").unwrap_err();
        assert_eq!(
            error.to_string(),
            "no migration is `2024-02-12_add_tags`: name one by its version or as its file or folder is named"
        );
    }

    fn events_report_start_success_and_failure_with_durations(db: &mut Db) {
        let migrations =
            db.migrations(&[("0001_a.sql", "CREATE TABLE a (x INTEGER);"), ("0002_b.sql", "SELECT * FROM nowhere;")]);
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
        assert!(db.apply(&migrator).is_err());
        assert_eq!(*seen.lock().unwrap(), ["started 1 up", "applied 1", "started 2 up", "failed 2: true"]);
    }

    fn single_transaction_events_say_applied_only_once_committed(db: &mut Db) {
        let table = [("0001_a.sql", "CREATE TABLE a (x INTEGER);")];
        let first = db.migrations(&table);
        db.apply(&first.migrator()).unwrap();
        fn events(migrator: strata::Migrator<'_>) -> (strata::Migrator<'_>, Arc<Mutex<Vec<String>>>) {
            let seen = Arc::new(Mutex::new(Vec::new()));
            let sink = Arc::clone(&seen);
            let migrator = migrator.single_transaction().on_event(move |event| {
                sink.lock().unwrap().push(match event {
                    Event::Started { migration, .. } => format!("started {}", migration.version()),
                    Event::Applied { migration, .. } => format!("applied {}", migration.version()),
                    Event::Failed { migration, left_dirty, .. } => {
                        format!("failed {} dirty {left_dirty}", migration.version())
                    }
                    _ => "other".to_owned(),
                });
            });
            (migrator, seen)
        }
        // Data changes only, so that MySQL runs them in the one transaction too.
        let failing = db.migrations(&[table[0], ("0002_b.sql", "INSERT INTO a VALUES (1);"), ("0003_c.sql", "SELECT * FROM nowhere;")]);
        let (migrator, seen) = events(failing.migrator());
        assert!(db.apply(&migrator).is_err());
        assert_eq!(db.count("SELECT count(*) FROM a"), 0, "rolled back as one");
        assert_eq!(*seen.lock().unwrap(), ["started 2", "started 3", "failed 3 dirty false"], "2 was never applied");
        let passing = db.migrations(&[table[0], ("0002_b.sql", "INSERT INTO a VALUES (1);"), ("0003_c.sql", "INSERT INTO a VALUES (2);")]);
        let (migrator, seen) = events(passing.migrator());
        db.apply(&migrator).unwrap();
        assert_eq!(*seen.lock().unwrap(), ["started 2", "started 3", "applied 2", "applied 3"]);
    }

    fn a_failed_event_says_whether_the_migration_is_left_dirty(db: &mut Db) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let listener = move |event: &Event<'_>| {
            if let Event::Failed { migration, left_dirty, .. } = event {
                sink.lock().unwrap().push((migration.version(), *left_dirty));
            }
        };
        let outside = db.migrations(&[("0001_a.sql", "-- strata:no-transaction\nSELECT * FROM nowhere;")]);
        assert!(db.apply(&outside.migrator().on_event(listener.clone())).is_err());
        let inside = db.migrations(&[("0001_a.sql", "SELECT * FROM nowhere;")]);
        db.execute("DELETE FROM strata_migrations");
        assert!(db.apply(&inside.migrator().on_event(listener)).is_err());
        assert_eq!(*seen.lock().unwrap(), [(1, true), (1, false)]);
    }

    fn a_custom_tracking_table_is_used_and_validated(db: &mut Db) {
        let migrations = db.migrations(THREE);
        db.apply(&migrations.migrator().table("schema_history")).unwrap();
        assert_eq!(db.count("SELECT count(*) FROM schema_history"), 3);
        for bad in ["schema history", "x\"; DROP TABLE users; --", "1abc", "a.b.c"] {
            let error = db.apply(&migrations.migrator().table(bad)).unwrap_err();
            assert!(matches!(error, Error::InvalidTableName { ref name } if name == bad), "{error}");
        }
        assert_eq!(db.tables(), ["posts", "schema_history", "schema_history_state", "tags", "users"]);
    }

    fn the_tracking_table_stays_where_the_run_started_or_where_it_is_named(db: &mut Db) {
        let (create, switch, drop) = match db.dialect() {
            Dialect::Sqlite => return, // one schema, `main`
            Dialect::Postgres => ("CREATE SCHEMA", "SET search_path TO", "DROP SCHEMA {} CASCADE"),
            _ => ("CREATE DATABASE", "USE", "DROP DATABASE {}"),
        };
        let elsewhere = format!("{}_elsewhere", db.name);
        db.execute(&format!("{create} {elsewhere}"));
        let migrations = db.migrations(&[
            ("0001_a.sql", "CREATE TABLE a (x INTEGER);"),
            ("0002_switch.sql", &format!("{switch} {elsewhere};")),
            ("0003_c.sql", "CREATE TABLE c (x INTEGER);"),
        ]);
        db.apply(&migrations.migrator()).unwrap();
        assert_eq!(db.recorded(), [1, 2, 3], "every row in the schema the run started in");
        let strata_tables_elsewhere = format!(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = '{elsewhere}' AND table_name LIKE 'strata%'"
        );
        assert_eq!(db.count(&strata_tables_elsewhere), 0);
        // Named with its schema, it lands there whatever the connection's.
        let named = format!("{elsewhere}.history");
        let other = db.migrations_in("other", &[("0001_noop.sql", "SELECT 1;")]);
        db.apply(&other.migrator().table(named.clone())).unwrap();
        assert_eq!(db.count(&format!("SELECT count(*) FROM {named}")), 1);
        db.execute(&drop.replace("{}", &elsewhere));
    }

    fn a_set_for_another_database_is_refused_before_anything_runs(db: &mut Db) {
        let other = match db.dialect() {
            Dialect::Sqlite => strata::Dialect::Postgres,
            _ => strata::Dialect::Sqlite,
        };
        let folder = db.scratch.dir.path().join("other");
        common::write_files(&folder, THREE);
        let options = strata::LoadOptions { dialect: other, ..Default::default() };
        let migrations = strata::Migrations::from_dir_with(&folder, &options).unwrap();
        let error = db.apply(&migrations.migrator()).unwrap_err();
        assert!(matches!(error, Error::WrongDialect { migrations, driver } if migrations == other && driver == db.dialect()), "{error}");
        assert!(db.tables().is_empty());
    }
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
