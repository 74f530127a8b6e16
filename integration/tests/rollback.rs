//! Rolling back: down scripts in reverse order, refused before anything runs when it cannot be
//! done safely. Every property runs through every driver (see `common::db`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test panics

mod common;

use common::db::Db;
use strata::{Dialect, Direction, Error, IrreversibleReason, Migrations, Target};

fn reversible(db: &Db) -> Migrations {
    db.migrations(&[
        ("0001_a.sql", "CREATE TABLE a (x INTEGER);"),
        ("0001_a.down.sql", "DROP TABLE a;"),
        ("0002_b.sql", "CREATE TABLE b (x INTEGER);"),
        ("0002_b.down.sql", "DROP TABLE b;"),
        ("0003_c.sql", "CREATE TABLE c (x INTEGER);"),
        ("0003_c.down.sql", "DROP TABLE c;"),
    ])
}

on_every_database! {
    fn rolls_back_newest_first_down_to_the_target(db: &mut Db) {
        let migrations = reversible(db);
        db.apply(&migrations.migrator()).unwrap();
        let report = db.rollback_to(&migrations.migrator(), 1).unwrap();
        assert_eq!(report.ran.iter().map(|r| r.version).collect::<Vec<_>>(), [3, 2]);
        let shown = report.to_string();
        assert!(shown.starts_with("reverted ") && !shown.contains("applied"), "a rollback says what it did: {shown}");
        assert_eq!(db.tables(), ["a"]);
        assert_eq!(db.recorded(), [1]);

        // The digest was cleared: the next start sees the pending migrations.
        let again = db.apply(&migrations.migrator()).unwrap();
        assert_eq!(again.ran.len(), 2);
        db.rollback_to(&migrations.migrator(), Target::Empty).unwrap();
        assert!(db.tables().is_empty());
        assert!(db.recorded().is_empty());
    }

    fn a_migration_without_down_script_is_refused_before_anything_runs(db: &mut Db) {
        let migrations = db.migrations(&[
            ("0001_a.sql", "CREATE TABLE a (x INTEGER);"),
            ("0002_b.sql", "CREATE TABLE b (x INTEGER);"),
            ("0002_b.down.sql", "-- nothing to undo\n"),
            ("0003_c.sql", "CREATE TABLE c (x INTEGER);"),
            ("0003_c.down.sql", "DROP TABLE c;"),
        ]);
        db.apply(&migrations.migrator()).unwrap();
        let error = db.rollback_to(&migrations.migrator(), 1).unwrap_err();
        assert!(
            matches!(&error, Error::Irreversible { migration, reason: IrreversibleReason::NoDownScript } if migration.version == 2),
            "{error}"
        );
        assert_eq!(db.tables(), ["a", "b", "c"], "0003 was not rolled back either");
    }

    fn dbmate_and_goose_files_apply_their_up_section_and_revert_their_down_section(db: &mut Db) {
        let migrations = db.migrations(&[
            ("20240101000000_users.sql", "-- migrate:up\nCREATE TABLE users (id INTEGER);\n\n-- migrate:down\nDROP TABLE users;\n"),
            (
                "20240102000000_posts.sql",
                "-- +goose Up\nCREATE TABLE posts (id INTEGER);\n-- +goose StatementBegin\nINSERT INTO posts VALUES (1);\n-- +goose StatementEnd\n-- +goose Down\nDROP TABLE posts;\n",
            ),
        ]);
        assert_eq!(migrations[0].down().map(|down| down.statements()[0].line()), Some(5), "the file's own line");
        db.apply(&migrations.migrator()).unwrap();
        assert_eq!(db.tables(), ["posts", "users"], "each up section ran, and no down section");
        assert_eq!(db.count("SELECT count(*) FROM posts"), 1);
        db.rollback_to(&migrations.migrator(), Target::Empty).unwrap();
        assert!(db.tables().is_empty(), "each down section reverted its migration");
    }

    fn a_rollback_with_nothing_to_revert_says_so(db: &mut Db) {
        let migrations = reversible(db);
        db.apply(&migrations.migrator()).unwrap();
        let report = db.rollback_to(&migrations.migrator(), 3).unwrap();
        assert!(report.ran.is_empty());
        assert_eq!(report.to_string(), "nothing to do: no applied migration comes after the target\n");
        assert_eq!(db.tables(), ["a", "b", "c"]);
    }

    fn a_failed_rollback_says_how_many_it_reverted(db: &mut Db) {
        let migrations = db.migrations(&[
            ("0001_a.sql", "CREATE TABLE a (x INTEGER);"),
            ("0002_b.sql", "CREATE TABLE b (x INTEGER);"),
            ("0002_b.down.sql", "DROP TABLE no_such_table;"),
            ("0003_c.sql", "CREATE TABLE c (x INTEGER);"),
            ("0003_c.down.sql", "DROP TABLE c;"),
        ]);
        db.apply(&migrations.migrator()).unwrap();
        let error = db.rollback_to(&migrations.migrator(), 1).unwrap_err();
        assert!(matches!(&error, Error::Statement { migration, direction: Direction::Down, .. } if migration.version == 2));
        assert_eq!(error.completed(), Some(1), "0003 was reverted and stays so: {error}");
        assert_eq!(db.tables(), ["a", "b"]);
    }

    fn an_irreversible_migration_is_refused(db: &mut Db) {
        let migrations = db.migrations(&[("0001_a.sql", "-- strata:irreversible\nCREATE TABLE a (x INTEGER);")]);
        db.apply(&migrations.migrator()).unwrap();
        let error = db.rollback_to(&migrations.migrator(), Target::Empty).unwrap_err();
        assert!(matches!(error, Error::Irreversible { reason: IrreversibleReason::Marked, .. }), "{error}");
        assert!(error.to_string().contains("strata:irreversible"));
    }

    fn a_migration_that_stays_never_loses_a_dependency(db: &mut Db) {
        // 0001 depends on 0003, so the order is 2, 3, 1. Rolling back "to 0002" by version would
        // revert 0003 and keep 0001, which needs it; by application order it reverts 0001 first,
        // then 0003, and keeps 0002.
        let migrations = db.migrations(&[
            ("0001_a.sql", "-- strata:depends-on 3\nCREATE VIEW a AS SELECT * FROM c;"),
            ("0001_a.down.sql", "DROP VIEW a;"),
            ("0002_b.sql", "CREATE TABLE b (x INTEGER);"),
            ("0002_b.down.sql", "DROP TABLE b;"),
            ("0003_c.sql", "CREATE TABLE c (x INTEGER);"),
            ("0003_c.down.sql", "DROP TABLE c;"),
        ]);
        db.apply(&migrations.migrator()).unwrap();
        let report = db.rollback_to(&migrations.migrator(), 3).unwrap();
        assert_eq!(
            report.ran.iter().map(|r| r.version).collect::<Vec<_>>(),
            [1],
            "keeping 0003 reverts only what follows it"
        );
        db.apply(&migrations.migrator()).unwrap();
        let report = db.rollback_to(&migrations.migrator(), 2).unwrap();
        assert_eq!(report.ran.iter().map(|r| r.version).collect::<Vec<_>>(), [1, 3]);
        assert_eq!(db.tables(), ["b"]);
    }

    fn rolling_back_under_newer_unknown_migrations_is_refused(db: &mut Db) {
        let newer = db.migrations_in("v2", &[
            ("0001_a.sql", "CREATE TABLE a (x INTEGER);"),
            ("0001_a.down.sql", "DROP TABLE a;"),
            ("0002_b.sql", "-- strata:backward-compatible\nCREATE VIEW b AS SELECT * FROM a;"),
        ]);
        db.apply(&newer.migrator()).unwrap();
        let older = db.migrations_in("v1", &[("0001_a.sql", "CREATE TABLE a (x INTEGER);"), ("0001_a.down.sql", "DROP TABLE a;")]);
        // Backward-compatible lets the older binary run, not revert what the newer one built on.
        let error = db.rollback_to(&older.migrator(), Target::Empty).unwrap_err();
        assert!(matches!(&error, Error::DatabaseAhead { unknown } if unknown[0].version == 2), "{error}");
        assert_eq!(db.recorded(), [1, 2]);
    }

    fn a_no_transaction_migration_rolls_back_outside_a_transaction(db: &mut Db) {
        let files = |down: &'static str| {
            [
                ("0001_a.sql", "CREATE TABLE a (x INTEGER);"),
                ("0002_big.sql", "-- strata:no-transaction\nCREATE TABLE big (x INTEGER);"),
                ("0002_big.down.sql", down),
            ]
        };
        // VACUUM cannot run inside a transaction: this rollback only works outside one (on MySQL,
        // OPTIMIZE TABLE commits whatever transaction it is in).
        let down = match db.dialect() {
            Dialect::Sqlite => "DROP TABLE big;\nVACUUM;",
            Dialect::Postgres => "DROP TABLE big;\nVACUUM a;",
            _ => "DROP TABLE big;\nOPTIMIZE TABLE a;",
        };
        let migrations = db.migrations(&files(down));
        db.apply(&migrations.migrator()).unwrap();
        db.rollback_to(&migrations.migrator(), 1).unwrap();
        assert_eq!(db.tables(), ["a"]);
        assert_eq!(db.recorded(), [1]);

        // A down script that fails part-way leaves the row dirty, which stops later runs.
        let broken = db.migrations(&files("DROP TABLE big;\nDROP TABLE nowhere;"));
        db.apply(&broken.migrator()).unwrap();
        let error = db.rollback_to(&broken.migrator(), 1).unwrap_err();
        assert!(matches!(error, Error::Statement { statement: 2, .. }), "{error}");
        let refused = db.apply(&broken.migrator()).unwrap_err();
        assert!(matches!(refused, Error::Dirty { ref migration, failure: Some(ref f), .. } if migration.version == 2 && f.starts_with("down statement 2")), "{refused}");
    }
}
