//! Looking without touching: status, plan and verify; and the maintenance operations repair and
//! baseline. Every property runs through every driver (see `common::db`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test panics

mod common;

use strata::{Dialect, Direction, Error, MigrationState, Operation, Target};

const FILES: &[(&str, &str)] = &[
    ("0001_a.sql", "CREATE TABLE a (x INTEGER);"),
    ("0001_a.down.sql", "DROP TABLE a;"),
    ("0002_b.sql", "CREATE TABLE b (x INTEGER);\nINSERT INTO b VALUES (1);"),
    ("0002_b.down.sql", "DROP TABLE b;"),
    ("0003_c.sql", "-- strata:no-transaction\nCREATE TABLE c (x INTEGER);"),
];

on_every_database! {
    fn plan_lists_steps_with_their_sql_and_writes_nothing(db: &mut Db) {
        let migrations = db.migrations(FILES);
        let plan = db.plan(&migrations.migrator(), Operation::Apply(Target::Latest)).unwrap();
        let steps: Vec<(i64, Direction, usize, bool)> =
            plan.steps.iter().map(|s| (s.version, s.direction, s.statements.len(), s.no_transaction)).collect();
        // On MySQL, DDL commits implicitly: every step here runs outside a transaction.
        let ddl_outside = db.dialect() == Dialect::Mysql;
        assert_eq!(
            steps,
            [(1, Direction::Up, 1, ddl_outside), (2, Direction::Up, 2, ddl_outside), (3, Direction::Up, 1, true)]
        );
        assert_eq!(plan.steps[1].statements[1], "INSERT INTO b VALUES (1)");
        let text = plan.to_string();
        assert!(text.contains("CREATE TABLE b (x INTEGER);\nINSERT INTO b VALUES (1);\n"), "{text}");
        assert!(text.contains("-- up 0003_c (0003_c.sql, outside a transaction)"), "{text}");
        assert!(db.tables().is_empty());
        assert!(db.recorded_table_missing(), "not even the tracking table was created");

        db.apply(&migrations.migrator()).unwrap();
        let rollback = db.plan(&migrations.migrator(), Operation::Rollback(Target::Version(1)));
        // 0003 has no down script: the plan refuses like the rollback would.
        assert!(matches!(rollback, Err(Error::Irreversible { .. })));
        db.rollback_to(&migrations.migrator(), 2).unwrap_err();
    }

    fn status_shows_each_migration_and_unknown_ones(db: &mut Db) {
        let migrations = db.migrations(FILES);
        db.apply_to(&migrations.migrator(), 2).unwrap();
        // A newer binary's migration, and an edit of 0002.
        let future = db.migrations_in("future", &[("0009_future.sql", "SELECT 1;")]);
        db.baseline(&future.migrator().table("other"), 9).unwrap();
        db.execute("INSERT INTO strata_migrations SELECT * FROM other WHERE version = 9");
        db.execute(&format!(
            "UPDATE strata_migrations SET checksum = 'sha256:{}' WHERE version = 2",
            "1".repeat(64)
        ));
        let status = db.status(&migrations.migrator()).unwrap();
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
             2 applied, 1 pending, 1 unknown (not in these migrations)\n"
                .replace("{a}", &applied_at(&status, 0))
                .replace("{b}", &applied_at(&status, 1))
                .replace("{f}", &status.unknown[0].applied_at)
        );
    }

    fn verify_passes_on_a_healthy_database_and_repair_accepts_edits(db: &mut Db) {
        let migrations = db.migrations(FILES);
        db.verify(&migrations.migrator()).unwrap();
        db.apply(&migrations.migrator()).unwrap();
        db.verify(&migrations.migrator()).unwrap();

        let mut edited_files = FILES.to_vec();
        edited_files[2] = ("0002_b.sql", "CREATE TABLE b (x INTEGER);\nINSERT INTO b VALUES (2);");
        let edited = db.migrations(&edited_files);
        assert!(matches!(db.verify(&edited.migrator()), Err(Error::ChecksumMismatch { .. })));
        let report = db.repair(&edited.migrator()).unwrap();
        assert_eq!(report.checksums_updated.len(), 1);
        assert_eq!(report.checksums_updated[0].migration, "0002_b");
        assert!(report.to_string().starts_with("accepted the edited script of 0002_b: sha256:"), "{report}");
        assert_eq!(report.checksums_updated[0].now, edited.get(2).unwrap().checksum());
        db.verify(&edited.migrator()).unwrap();
        assert!(db.apply(&edited.migrator()).unwrap().ran.is_empty());
    }

    fn baseline_records_without_running_and_only_on_an_empty_history(db: &mut Db) {
        let migrations = db.migrations(FILES);
        db.execute("CREATE TABLE a (x INTEGER)");
        db.execute("CREATE TABLE b (x INTEGER)");
        let report = db.baseline(&migrations.migrator(), "0002_b").unwrap();
        assert!(report.ran.is_empty());
        assert_eq!(report.baselined, ["0001_a", "0002_b"]);
        assert_eq!(
            report.to_string(),
            "recorded 0001_a as applied, without running it\nrecorded 0002_b as applied, without running it\n"
        );
        assert_eq!(db.recorded(), [1, 2]);
        assert_eq!(db.count("SELECT count(*) FROM b"), 0, "0002's INSERT did not run");
        db.apply(&migrations.migrator()).unwrap();
        assert_eq!(db.recorded(), [1, 2, 3]);
        let error = db.baseline(&migrations.migrator(), 1).unwrap_err();
        assert!(matches!(error, Error::BaselineNotEmpty { rows: 3, .. }), "{error}");
        let error = db.baseline(&migrations.migrator(), 8).unwrap_err();
        assert!(matches!(error, Error::UnknownTarget { ref target } if target == "8"), "{error}");
    }
}

fn applied_at(status: &strata::Status, index: usize) -> String {
    match &status.migrations[index].state {
        MigrationState::Applied(row) | MigrationState::Edited(row) => row.applied_at.clone(),
        other => panic!("{other:?}"),
    }
}
