//! Taking over another tool's history (diesel, golang-migrate, dbmate: versions only), through
//! every driver: the tool's table in its exact shape, rows as the tool writes them; strata adopts
//! them, applies the rest, and refuses, with nothing written, a row it cannot take over.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test panics

mod common;

use common::db::Db;
use strata::{Error, From, Migrations};

const FILES: [(&str, &str); 3] = [
    ("20240101000000_users.sql", "CREATE TABLE users (id INTEGER);"),
    ("20240102000000_posts.sql", "CREATE TABLE posts (id INTEGER);"),
    ("20240103000000_tags.sql", "CREATE TABLE tags (id INTEGER);"),
];

/// The tool's table as it creates it, with `versions` applied (and their tables made).
fn tool_history(db: &mut Db, from: From, versions: &[&str], dirty: bool) {
    db.execute(match from {
        From::Diesel => "CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
        From::GolangMigrate => "CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL)",
        _ => "CREATE TABLE schema_migrations (version VARCHAR(128) PRIMARY KEY)",
    });
    let insert = |version: &str| match from {
        From::GolangMigrate => format!("INSERT INTO schema_migrations (version, dirty) VALUES ({version}, {dirty})"),
        From::Diesel => format!("INSERT INTO __diesel_schema_migrations (version) VALUES ('{version}')"),
        _ => format!("INSERT INTO schema_migrations (version) VALUES ('{version}')"),
    };
    match from {
        From::GolangMigrate => {
            if let Some(last) = versions.last() {
                db.execute(&insert(last));
            }
        }
        _ => versions.iter().for_each(|version| db.execute(&insert(version))),
    }
}

fn migrations(db: &Db) -> Migrations {
    db.migrations(&FILES)
}

on_every_database! {
    fn each_tool_s_history_is_taken_over_and_the_rest_applied(db: &mut Db) {
        for from in [From::Diesel, From::GolangMigrate, From::Dbmate] {
            tool_history(db, from, &["20240101000000", "20240102000000"], false);
            db.execute("CREATE TABLE users (id INTEGER)");
            db.execute("CREATE TABLE posts (id INTEGER)");
            let migrations = migrations(db);
            let migrator = migrations.migrator();
            let refused = db.apply(&migrator).unwrap_err();
            assert!(matches!(refused, Error::ForeignHistory { .. }), "{from}: {refused}");
            let report = db.adopt(&migrator, from).unwrap();
            assert_eq!(report.adopted, ["20240101000000_users", "20240102000000_posts"], "{from}");
            assert!(report.to_string().ends_with("its table is left as it was\n"), "{report}");
            assert!(db.adopt(&migrator, from).unwrap().already_adopted, "{from}: adopting twice is a no-op");
            let applied = db.apply(&migrator).unwrap();
            assert_eq!(applied.ran.iter().map(|ran| ran.version).collect::<Vec<_>>(), [20240103000000], "{from}");
            assert!(db.apply(&migrator).unwrap().up_to_date, "{from}: then the one-query no-op");
            let mut tables = db.tables();
            tables.sort();
            let theirs = if from == From::Diesel { "__diesel_schema_migrations" } else { "schema_migrations" };
            let mut expected = vec![theirs, "posts", "tags", "users"];
            expected.sort();
            assert_eq!(tables, expected, "{from}: the tool's table is left as it was");
            for table in [theirs, "users", "posts", "tags", "strata_migrations", "strata_migrations_state"] {
                db.execute(&format!("DROP TABLE {table}"));
            }
        }
    }

    fn goose_s_history_is_seen_though_not_taken_over_yet(db: &mut Db) {
        let boolean = if db.dialect() == strata::Dialect::Sqlite { "INTEGER" } else { "BOOLEAN" };
        db.execute(&format!(
            "CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY, version_id BIGINT NOT NULL, is_applied {boolean} NOT NULL, tstamp TIMESTAMP NULL)"
        ));
        // goose writes a row for version 0 when it makes its table: nothing applied yet.
        db.execute("INSERT INTO goose_db_version (id, version_id, is_applied) VALUES (1, 0, TRUE)");
        let migrations = migrations(db);
        db.status(&migrations.migrator()).map(|status| assert!(status.foreign_history.is_none())).unwrap();
        db.execute("INSERT INTO goose_db_version (id, version_id, is_applied) VALUES (2, 20240101000000, TRUE)");
        let error = db.apply(&migrations.migrator()).unwrap_err();
        assert!(matches!(error, Error::ForeignHistory { tool: "goose", rows: 1, .. }), "{error}");
        assert!(error.to_string().contains("`baseline(<its last migration>)`"), "{error}");
        assert!(db.tables().iter().all(|table| table == "goose_db_version"), "nothing ran");
        db.execute("DROP TABLE goose_db_version");
    }

    fn rows_strata_cannot_take_over_are_refused_with_nothing_written(db: &mut Db) {
        let cases: [(From, &[&str], bool, &str); 4] = [
            (From::Diesel, &["20240101000000", "20991231000000"], false, "20991231000000: no migration of this set has that version"),
            (From::Dbmate, &["20240101000000", "20240103000000"], false, "20240102000000_posts: dbmate did not apply it"),
            (From::GolangMigrate, &["20240102000000"], true, "20240102000000: dirty in golang-migrate"),
            (From::GolangMigrate, &["20240105000000"], false, "20240105000000: no migration"),
        ];
        let migrations = migrations(db);
        let missing = db.adopt(&migrations.migrator(), From::Diesel).unwrap_err();
        assert_eq!(missing.to_string(), "cannot take over diesel's history: there is no `__diesel_schema_migrations` table where strata's history is");
        tool_history(db, From::Dbmate, &["20240101000000"], false);
        let wrong = db.adopt(&migrations.migrator(), From::GolangMigrate).unwrap_err();
        assert_eq!(
            wrong.to_string(),
            "cannot take over golang-migrate's history: `schema_migrations` holds dbmate's history, not golang-migrate's: take over dbmate's with `strata adopt --from dbmate`"
        );
        db.execute("DROP TABLE schema_migrations");
        for (from, versions, dirty, expected) in cases {
            tool_history(db, from, versions, dirty);
            let error = db.adopt(&migrations.migrator(), from).unwrap_err();
            assert!(matches!(&error, Error::AdoptRefused { refused, .. } if refused[0].starts_with(expected)), "{from}: {error}");
            assert!(db.recorded_table_missing() || db.recorded().is_empty(), "{from}: nothing written");
            let theirs = if from == From::Diesel { "__diesel_schema_migrations" } else { "schema_migrations" };
            db.execute(&format!("DROP TABLE {theirs}"));
        }
    }
}
