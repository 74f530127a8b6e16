//! What strata refuses: a database ahead of the binary, edited migrations, out-of-order
//! migrations, dirty rows, and tracking rows it cannot read. Every property that involves a
//! database runs through every driver (see `common::db`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test panics

mod common;

use common::Scratch;
use common::db::Db;
use strata::{Error, Migrations};

const A: (&str, &str) = ("0001_a.sql", "CREATE TABLE a (x INTEGER);");
const B: (&str, &str) = ("0002_b.sql", "CREATE TABLE b (x INTEGER);");
const C: (&str, &str) = ("0003_c.sql", "CREATE TABLE c (x INTEGER);");

/// A database where 0001 and 0003 are applied, for binaries that bring a 0002.
fn with_one_and_three_applied(db: &mut Db) {
    let early = db.migrations_in("early", &[A, C]);
    db.apply(&early.migrator()).unwrap();
}

on_every_database! {
    fn a_database_ahead_of_the_binary_is_refused_before_anything_runs(db: &mut Db) {
        let newer = db.migrations_in("v2", &[A, C]);
        db.apply(&newer.migrator()).unwrap();

        // An older binary that knows 1 and a new 2 of its own.
        let older = db.migrations_in("v1", &[A, B]);
        let error = db.apply(&older.migrator().allow_out_of_order()).unwrap_err();
        match &error {
            Error::DatabaseAhead { unknown } => {
                assert_eq!(unknown.iter().map(|m| (m.version, m.name.as_str())).collect::<Vec<_>>(), [(3, "c")]);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(error.to_string().contains("3_c"), "{error}");
        assert_eq!(db.tables(), ["a", "c"], "nothing ran");
        assert!(db.verify(&older.migrator()).is_err());

        let report = db.apply(&older.migrator().allow_database_ahead().allow_out_of_order()).unwrap();
        assert_eq!(report.database_ahead, [3]);
        assert_eq!(db.recorded(), [1, 2, 3]);
    }

    fn backward_compatible_migrations_let_older_binaries_run(db: &mut Db) {
        let newer = db.migrations_in("v2", &[A, ("0002_index.sql", "-- strata:backward-compatible\nCREATE INDEX a_x ON a (x);")]);
        db.apply(&newer.migrator()).unwrap();
        let report = db.apply(&db.migrations_in("v1", &[A]).migrator()).unwrap();
        assert_eq!(report.database_ahead, [2], "the run proceeds and says so");
        assert!(!report.up_to_date);
        assert!(report.to_string().contains("newer migrations"), "{report}");
    }

    fn an_edited_migration_is_refused_but_line_endings_are_not_an_edit(db: &mut Db) {
        let original = db.migrations(&[("0001_a.sql", "CREATE TABLE a (x INTEGER);\nCREATE TABLE b (y INTEGER);\n")]);
        db.apply(&original.migrator()).unwrap();

        let crlf = db.migrations(&[("0001_a.sql", "\u{feff}CREATE TABLE a (x INTEGER);\r\nCREATE TABLE b (y INTEGER);\r\n")]);
        db.apply(&crlf.migrator()).expect("a CRLF checkout is the same migration");

        let edited = db.migrations(&[("0001_a.sql", "CREATE TABLE a (x INTEGER, z INTEGER);\nCREATE TABLE b (y INTEGER);\n")]);
        let error = db.apply(&edited.migrator()).unwrap_err();
        match &error {
            Error::ChecksumMismatch { migration, applied, embedded } => {
                assert_eq!((migration.version, migration.file.as_str()), (1, "0001_a.sql"));
                assert_eq!(embedded, edited.get(1).unwrap().checksum());
                assert_eq!(applied, crlf.get(1).unwrap().checksum());
                assert_ne!(applied, embedded);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(db.verify(&edited.migrator()), Err(Error::ChecksumMismatch { .. })));
    }

    fn out_of_order_migrations_are_refused_unless_allowed(db: &mut Db) {
        with_one_and_three_applied(db);
        let with_two = db.migrations(&[A, B, C]);
        let error = db.apply(&with_two.migrator()).unwrap_err();
        assert!(
            matches!(&error, Error::OutOfOrder { migration, applied_after } if migration.version == 2 && applied_after.version == 3),
            "{error}"
        );
        assert!(matches!(db.verify(&with_two.migrator()), Err(Error::OutOfOrder { .. })));
        db.verify(&with_two.migrator().allow_out_of_order()).unwrap();

        let report = db.apply(&with_two.migrator().allow_out_of_order()).unwrap();
        assert_eq!(report.ran.iter().map(|r| r.version).collect::<Vec<_>>(), [2]);
        assert_eq!(db.recorded(), [1, 2, 3]);
    }

    fn refinery_unversioned_migrations_may_run_out_of_order_but_versioned_ones_may_not(db: &mut Db) {
        let early = db.migrations_in("early", &[("V1__a.sql", A.1), ("V3__c.sql", C.1)]);
        db.apply(&early.migrator()).unwrap();

        // A versioned `V2` in that place is out of order.
        let versioned = db.migrations(&[("V1__a.sql", A.1), ("V2__b.sql", B.1), ("V3__c.sql", C.1)]);
        let error = db.apply(&versioned.migrator()).unwrap_err();
        assert!(matches!(&error, Error::OutOfOrder { migration, .. } if migration.version == 2), "{error}");

        // refinery's `U2` (no `V2` beside it) is an up migration that may come late.
        let unversioned = db.migrations(&[("V1__a.sql", A.1), ("U2__b.sql", B.1), ("V3__c.sql", C.1)]);
        assert!(unversioned.get(2).unwrap().any_order());
        db.verify(&unversioned.migrator()).unwrap();
        let report = db.apply(&unversioned.migrator()).unwrap();
        assert_eq!(report.ran.iter().map(|r| r.version).collect::<Vec<_>>(), [2]);
        assert_eq!(db.tables(), ["a", "b", "c"]);
    }

    fn an_out_of_order_migration_waits_for_its_dependencies(db: &mut Db) {
        with_one_and_three_applied(db);
        // 0002 depends on 0004: the topological order puts 0004 first, so when 0002 runs out of
        // order its dependency is always applied before it.
        let later = db.migrations(&[
            A,
            ("0002_b.sql", "-- strata:depends-on 4\nCREATE TABLE b (x INTEGER);"),
            C,
            ("0004_d.sql", "CREATE TABLE d (x INTEGER);"),
        ]);
        // Order: 1, 3, 4, 2 — 4 precedes 2 in this run, so both apply.
        let report = db.apply(&later.migrator().allow_out_of_order()).unwrap();
        assert_eq!(report.ran.iter().map(|r| r.version).collect::<Vec<_>>(), [4, 2]);
        assert_eq!(db.recorded(), [1, 2, 3, 4]);
    }

    fn the_history_changed_behind_strata_s_back_is_checked_in_full(db: &mut Db) {
        let migrations = db.migrations(&[A, B, C]);
        db.apply(&migrations.migrator()).unwrap();
        assert!(db.apply(&migrations.migrator()).unwrap().up_to_date);

        // A row deleted by hand (with its table), to run the migration again: it runs.
        db.execute("DROP TABLE c");
        db.execute("DELETE FROM strata_migrations WHERE version = 3");
        let report = db.apply(&migrations.migrator()).unwrap();
        assert!(!report.up_to_date, "the digest did not survive the delete");
        assert_eq!(report.ran.iter().map(|r| r.version).collect::<Vec<_>>(), [3]);
        // An earlier one deleted is found too (and is out of order now).
        db.execute("DELETE FROM strata_migrations WHERE version = 2");
        assert!(matches!(db.apply(&migrations.migrator()), Err(Error::OutOfOrder { .. })));
        db.execute("DROP TABLE b");
        db.apply(&migrations.migrator().allow_out_of_order()).unwrap();
        assert!(db.apply(&migrations.migrator()).unwrap().up_to_date);

        // A checksum edited by hand: refused.
        db.execute(&format!("UPDATE strata_migrations SET checksum = 'sha256:{}' WHERE version = 1", "0".repeat(64)));
        let error = db.apply(&migrations.migrator()).unwrap_err();
        assert!(matches!(error, Error::ChecksumMismatch { ref migration, .. } if migration.version == 1), "{error}");
        db.repair(&migrations.migrator()).unwrap();
        assert!(!db.apply(&migrations.migrator()).unwrap().up_to_date, "repair leaves the digest to the next full check");

        // A row written by another writer: the database is ahead.
        db.execute(
            "INSERT INTO strata_migrations (version, name, checksum, applied_at, duration_ms, state, backward_compatible) \
             SELECT 9, 'other', checksum, applied_at, 0, 'applied', backward_compatible FROM strata_migrations WHERE version = 1",
        );
        let error = db.apply(&migrations.migrator()).unwrap_err();
        assert!(matches!(error, Error::DatabaseAhead { ref unknown } if unknown[0].version == 9), "{error}");
    }

    fn a_failed_no_transaction_migration_leaves_a_dirty_row_that_stops_later_runs(db: &mut Db) {
        let broken = db.migrations(&[
            A,
            ("0002_bulk.sql", "-- strata:no-transaction\nCREATE TABLE b (x INTEGER);\nINSERT INTO nowhere VALUES (1);"),
        ]);
        let error = db.apply(&broken.migrator()).unwrap_err();
        assert!(matches!(error, Error::Statement { ref migration, .. } if migration.version == 2));
        assert_eq!(db.tables(), ["a", "b"], "outside a transaction, the first statement stays");
        assert_eq!(db.texts("SELECT state FROM strata_migrations WHERE version = 2"), ["dirty"]);

        let error = db.apply(&broken.migrator()).unwrap_err();
        assert!(matches!(error, Error::Dirty { ref migration, .. } if migration.version == 2));
        assert!(error.to_string().contains("repair"), "the message says how to repair: {error}");
        assert!(error.to_string().contains("(up statement 2 (line 3): "), "and where it stopped: {error}");
        assert!(matches!(db.verify(&broken.migrator()), Err(Error::Dirty { .. })));
        let status = db.status(&broken.migrator()).unwrap();
        assert!(matches!(&status.migrations[1].state, strata::MigrationState::Dirty(row) if row.failure.is_some()));

        // The operator cleans up by hand, fixes the file, repairs: the migration runs again.
        db.execute("DROP TABLE b");
        let fixed = db.migrations(&[
            A,
            ("0002_bulk.sql", "-- strata:no-transaction\nCREATE TABLE b (x INTEGER);\nINSERT INTO b VALUES (1);"),
        ]);
        let repaired = db.repair(&fixed.migrator()).unwrap();
        assert_eq!(repaired.dirty_cleared, ["0002_bulk"]);
        assert_eq!(repaired.to_string(), "cleared the dirty row of 0002_bulk: it is pending again\n");
        db.apply(&fixed.migrator()).unwrap();
        assert_eq!(db.texts("SELECT state FROM strata_migrations WHERE version = 2"), ["applied"]);
    }
}

fn v1(scratch: &Scratch) -> Migrations {
    scratch.migrations("v1", &[("0001_a.sql", "CREATE TABLE a(x);")])
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
    assert!(matches!(error, Error::ForeignTable { tool: None, .. }), "{error}");
    assert!(error.to_string().contains("its columns are not strata's (id)"), "{error}");
    assert_eq!(
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get::<_, i64>(0)).unwrap(),
        1,
        "nothing written"
    );
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

/// The history table another tool made, named as strata's: refused before anything is written.
mod another_tool_s_table {
    use super::*;

    on_every_database! {
        fn is_refused_before_anything_is_written(db: &mut Db) {
            let (integer, text, when) = match db.dialect() {
                strata::Dialect::Mysql => ("BIGINT", "VARCHAR(255)", "TIMESTAMP"),
                _ => ("BIGINT", "TEXT", "TIMESTAMP"),
            };
            db.execute(&format!(
                "CREATE TABLE _sqlx_migrations (version {integer} PRIMARY KEY, description {text} NOT NULL, installed_on {when} NOT NULL, success BOOLEAN NOT NULL, checksum {text} NOT NULL, execution_time {integer} NOT NULL)"
            ));
            let migrations = db.migrations(&[("0001_a.sql", "CREATE TABLE a (x INTEGER);")]);
            let migrator = migrations.migrator().table("_sqlx_migrations");
            for outcome in [db.apply(&migrator).map(drop), db.status(&migrator).map(drop), db.repair(&migrator).map(drop)] {
                let error = outcome.unwrap_err();
                assert!(matches!(error, Error::ForeignTable { tool: Some("sqlx"), .. }), "{error}");
            }
            let error = db.apply(&migrator).unwrap_err();
            assert!(error.to_string().starts_with("the table `_sqlx_migrations` is not a strata tracking table: it looks like sqlx's history (version, description, installed_on, success, checksum, execution_time)"), "{error}");
            assert_eq!(db.tables(), ["_sqlx_migrations"], "no migration ran");
            let ours = match db.dialect() {
                strata::Dialect::Sqlite => "SELECT count(*) FROM sqlite_master WHERE name LIKE '\\_sqlx\\_migrations\\_%' ESCAPE '\\' OR type = 'trigger'".to_owned(),
                strata::Dialect::Postgres => format!("SELECT count(*) FROM information_schema.tables WHERE table_schema = '{}' AND table_name LIKE '\\_sqlx\\_migrations\\_%'", db.name),
                _ => format!("SELECT count(*) FROM information_schema.tables WHERE table_schema = '{}' AND table_name LIKE '\\\\_sqlx\\\\_migrations\\\\_%'", db.name),
            };
            assert_eq!(db.count(&ours), 0, "no `_state` or `_lock` table, no trigger");
        }

        fn a_first_apply_beside_another_tool_s_history_is_refused_naming_it(db: &mut Db) {
            let text = if db.dialect() == strata::Dialect::Mysql { "VARCHAR(255)" } else { "TEXT" };
            db.execute(&format!("CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY, run_on {text})"));
            let migrations = db.migrations(&[("0001_a.sql", "CREATE TABLE a (x INTEGER);")]);
            // An empty history of diesel's records nothing to run again.
            db.apply(&migrations.migrator()).unwrap();
            let mut tables = db.tables();
            tables.sort();
            assert_eq!(tables, ["__diesel_schema_migrations", "a"]);
            db.execute("DROP TABLE a");
            for table in ["strata_migrations", "strata_migrations_state"] {
                db.execute(&format!("DROP TABLE {table}"));
            }
            db.execute("INSERT INTO __diesel_schema_migrations (version) VALUES ('20240101000000'), ('20240102000000')");
            let error = db.apply(&migrations.migrator()).unwrap_err();
            assert!(
                matches!(&error, Error::ForeignHistory { tool: "diesel", rows: 2, table } if table == "`__diesel_schema_migrations`"),
                "{error}"
            );
            assert!(error.to_string().contains("(`strata adopt --from diesel`)"), "{error}");
            let status = db.status(&migrations.migrator()).unwrap();
            let found = status.foreign_history.as_ref().map(|found| (found.tool, found.rows));
            assert_eq!(found, Some(("diesel", 2)), "status says so too");
            let plan = db.plan(&migrations.migrator(), strata::Operation::Apply(strata::Target::Latest));
            assert!(matches!(plan, Err(Error::ForeignHistory { .. })), "plan refuses as apply does: {plan:?}");
            assert!(status.to_string().contains("diesel's history (`__diesel_schema_migrations`) records 2 migration(s)"), "{status}");
            assert_eq!(db.tables(), ["__diesel_schema_migrations"], "nothing ran, nothing was created");
            assert!(db.recorded_table_missing());
            // Once strata has a history of its own, the other tool's is no longer its business.
            db.baseline(&migrations.migrator(), 1).unwrap();
            db.apply(&migrations.migrator()).unwrap();
        }
    }
}
