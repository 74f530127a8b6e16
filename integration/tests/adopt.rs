//! Taking over another tool's history, through every driver: the tool's table in its exact
//! shape, rows as the tool writes them; strata adopts them, applies the rest, and refuses, with
//! nothing written, a row it cannot take over.

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

    fn goose_s_history_is_seen_and_its_latest_row_per_version_taken_over(db: &mut Db) {
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
        assert!(error.to_string().contains("`adopt(strata::From::Goose)` (`strata adopt --from goose`)"), "{error}");
        assert!(db.tables().iter().all(|table| table == "goose_db_version"), "nothing ran");
        // Older goose records a rollback as a row with `is_applied` false: 20240102000000 was
        // applied and rolled back, so only the first is taken over.
        db.execute("INSERT INTO goose_db_version (id, version_id, is_applied) VALUES (3, 20240102000000, TRUE)");
        db.execute("INSERT INTO goose_db_version (id, version_id, is_applied) VALUES (4, 20240102000000, FALSE)");
        db.execute("CREATE TABLE users (id INTEGER)");
        let report = db.adopt(&migrations.migrator(), From::Goose).unwrap();
        assert_eq!(report.adopted, ["20240101000000_users"]);
        assert_eq!(db.apply(&migrations.migrator()).unwrap().ran.len(), 2, "the rest is applied");
        for table in ["goose_db_version", "users", "posts", "tags"] {
            db.execute(&format!("DROP TABLE {table}"));
        }
    }

    fn rusqlite_migration_s_count_is_taken_over_on_sqlite_only(db: &mut Db) {
        let migrations = migrations(db);
        if db.dialect() != strata::Dialect::Sqlite {
            let error = db.adopt(&migrations.migrator(), From::RusqliteMigration).unwrap_err();
            assert_eq!(
                error.to_string(),
                "cannot take over rusqlite_migration's history: rusqlite_migration keeps its history in SQLite's `PRAGMA user_version` only"
            );
            return;
        }
        db.execute("CREATE TABLE users (id INTEGER); CREATE TABLE posts (id INTEGER); PRAGMA user_version = 2");
        let refused = db.apply(&migrations.migrator()).unwrap_err();
        assert!(matches!(refused, Error::ForeignHistory { tool: "rusqlite_migration", rows: 2, .. }), "{refused}");
        assert!(refused.to_string().ends_with("set it to 0 (`PRAGMA user_version = 0`)"), "{refused}");
        let status = db.status(&migrations.migrator()).unwrap();
        assert_eq!(status.foreign_history.map(|found| found.table), Some("`PRAGMA user_version`".to_owned()));
        let report = db.adopt(&migrations.migrator(), From::RusqliteMigration).unwrap();
        assert_eq!(report.adopted, ["20240101000000_users", "20240102000000_posts"]);
        assert_eq!(db.apply(&migrations.migrator()).unwrap().ran.len(), 1);
        db.execute("PRAGMA user_version = 7");
        let ahead = db.migrations_in("ahead", &FILES);
        let error = db.adopt(&ahead.migrator(), From::RusqliteMigration).unwrap_err();
        assert!(error.to_string().contains("`PRAGMA user_version` is 7, but the folder has 3 migration(s)"), "{error}");
    }

    fn a_strata_history_that_does_not_begin_with_the_tool_s_rows_is_refused(db: &mut Db) {
        let migrations = migrations(db);
        db.apply_to(&migrations.migrator(), 20240101000000).unwrap();
        tool_history(db, From::Dbmate, &["20240101000000", "20240102000000"], false);
        let error = db.adopt(&migrations.migrator(), From::Dbmate).unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot take over dbmate's history: strata's history (`strata_migrations`) already records 1 migration(s), and they do not begin with the ones dbmate records"
        );
        assert_eq!(db.recorded(), [20240101000000], "nothing written");
    }

    fn force_accepts_the_named_rows_and_a_renamed_table_is_read(db: &mut Db) {
        db.execute("CREATE TABLE old_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL)");
        db.execute("INSERT INTO old_migrations (version, dirty) VALUES (20240102000000, TRUE)");
        let migrations = migrations(db);
        let adopt = strata::Adopt::new(From::GolangMigrate).table("old_migrations");
        let refused = db.adopt(&migrations.migrator(), adopt.clone()).unwrap_err();
        assert!(refused.to_string().ends_with("20240102000000: dirty in golang-migrate: it stopped part-way"), "{refused}");
        let typo = db.adopt(&migrations.migrator(), adopt.clone().force(["20240102000000", "20240101000000_users"]));
        assert!(typo.unwrap_err().to_string().ends_with("20240101000000_users: named to force, but nothing refuses it"));
        assert!(db.recorded_table_missing() || db.recorded().is_empty(), "nothing written");
        let report = db.adopt(&migrations.migrator(), adopt.force(["20240102000000_posts"])).unwrap();
        assert_eq!(report.adopted, ["20240101000000_users", "20240102000000_posts"]);
        assert_eq!(report.forced, ["20240102000000: dirty in golang-migrate: it stopped part-way; recorded as applied (forced)"]);
        assert!(report.to_string().contains("accepted 20240102000000: dirty"), "{report}");
        db.execute("DROP TABLE old_migrations");
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

/// Files whose checksums the real sqlx, refinery and Flyway stored (see strata-core's
/// `foreign_checksums` tests): an up script with LF, one with CRLF.
const INIT: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n";
const ADD_EMAIL: &str = "-- a comment\r\nALTER TABLE users ADD COLUMN email TEXT;\r\n";
const TAGS: &str = "CREATE TABLE tags (id INTEGER);";
const SQLX_INIT: &str =
    "9378E190639DF961241B5A661BBFDA7754E3247AD1E3F11BBF00346BCE46C7F80B13D5DF78E4FD035183E051281CFC2E";
const SQLX_ADD_EMAIL: &str =
    "248EC210151C26D8D97AA720A5A38A5E814F8BCC227E89A052973B8D0823673DA1A6E7AE7AF3CC8921928D33B2157820";

/// The schema the first two files make, as the tool left it.
fn first_two_applied(db: &mut Db) {
    db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
    db.execute("ALTER TABLE users ADD COLUMN email TEXT");
}

/// sqlx's table as it creates it on this database, with rows for the first two files.
fn sqlx_history(db: &mut Db, second_checksum: &str, second_success: bool) {
    let (installed_on, blob) = match db.dialect() {
        strata::Dialect::Postgres => ("TIMESTAMPTZ NOT NULL DEFAULT now()", "BYTEA"),
        _ => ("TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP", "BLOB"),
    };
    db.execute(&format!(
        "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on {installed_on}, success BOOLEAN NOT NULL, checksum {blob} NOT NULL, execution_time BIGINT NOT NULL)"
    ));
    let dialect = db.dialect();
    let bytes = |hex: &str| match dialect {
        strata::Dialect::Postgres => format!("decode('{hex}', 'hex')"),
        _ => format!("X'{hex}'"),
    };
    let rows = [(1, "init", SQLX_INIT, true), (2, "add email", second_checksum, second_success)];
    for (version, description, checksum, success) in rows {
        let checksum = bytes(checksum);
        db.execute(&format!(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES ({version}, '{description}', {success}, {checksum}, 1000)"
        ));
    }
}

/// refinery's table (one layout on every database), with rows for the first two files.
fn refinery_history(db: &mut Db, second_checksum: &str) {
    db.execute("CREATE TABLE refinery_schema_history (version INT4 PRIMARY KEY, name VARCHAR(255), applied_on VARCHAR(255), checksum VARCHAR(255))");
    for (version, name, checksum) in [(1, "init", "13375844083937056905"), (2, "add_email", second_checksum)] {
        db.execute(&format!(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES ({version}, '{name}', '2026-12-06T21:11:45.708560939Z', '{checksum}')"
        ));
    }
}

/// Flyway's table, with `rows` of (installed_rank, version, type, checksum, success) after its
/// schema-creation row.
fn flyway_history(db: &mut Db, rows: &[(i32, &str, &str, &str, bool)]) {
    db.execute("CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, checksum INT, installed_by VARCHAR(100) NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, execution_time INT NOT NULL, success BOOLEAN NOT NULL)");
    db.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES (0, NULL, '<< Flyway Schema Creation >>', 'SCHEMA', 'app', NULL, 'app', 0, TRUE)");
    for (rank, version, kind, checksum, success) in rows {
        db.execute(&format!(
            "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES ({rank}, '{version}', 'm', '{kind}', 'V{version}__m.sql', {checksum}, 'app', 3, {success})"
        ));
    }
}

fn drop_all(db: &mut Db, theirs: &str) {
    for table in [theirs, "users", "tags", "strata_migrations", "strata_migrations_state"] {
        db.execute(&format!("DROP TABLE IF EXISTS {table}"));
    }
}

/// The migrations: sqlx's names, or refinery's and Flyway's; the second edited when `edited`.
fn checked_set(db: &Db, refinery_names: bool, edited: bool) -> Migrations {
    let second = if edited { "-- a comment\nALTER TABLE users ADD COLUMN email TEXT;\n" } else { ADD_EMAIL };
    let files = match refinery_names {
        false => [("0001_init.sql", INIT), ("0002_add_email.sql", second), ("0003_tags.sql", TAGS)],
        true => [("V1__init.sql", INIT), ("V2__add_email.sql", second), ("V3__tags.sql", TAGS)],
    };
    db.migrations_in(if edited { "edited" } else { "checked" }, &files)
}

/// Takes `from`'s history over, applies the rest, and checks the no-op after.
fn adopted_then_applied(db: &mut Db, from: From, migrations: &Migrations, expected: &[&str]) {
    let migrator = migrations.migrator();
    assert!(matches!(db.apply(&migrator), Err(Error::ForeignHistory { .. })), "{from}: apply refuses first");
    let report = db.adopt(&migrator, from).unwrap();
    assert_eq!(report.adopted, expected, "{from}");
    assert!(db.adopt(&migrator, from).unwrap().already_adopted, "{from}");
    assert_eq!(db.apply(&migrator).unwrap().ran.len(), 1, "{from}: the rest is applied");
    assert!(db.apply(&migrator).unwrap().up_to_date, "{from}");
    // An `adopt` left in start-up code stays a no-op once strata has applied more.
    assert!(db.adopt(&migrator, from).unwrap().already_adopted, "{from}: after later migrations too");
}

/// `adopt` refuses with `expected` first, and writes nothing.
fn refused(db: &mut Db, from: From, migrations: &Migrations, expected: &str) {
    let error = db.adopt(&migrations.migrator(), from).unwrap_err();
    assert!(matches!(&error, Error::AdoptRefused { refused, .. } if refused[0] == expected), "{from}: {error}");
    assert!(db.recorded_table_missing() || db.recorded().is_empty(), "{from}: nothing written");
}

on_every_database! {
    fn sqlx_s_checksums_are_compared_and_its_failed_rows_refused(db: &mut Db) {
        let migrations = checked_set(db, false, false);
        first_two_applied(db);
        sqlx_history(db, SQLX_ADD_EMAIL, true);
        adopted_then_applied(db, From::Sqlx, &migrations, &["0001_init", "0002_add_email"]);
        drop_all(db, "_sqlx_migrations");

        first_two_applied(db);
        sqlx_history(db, SQLX_ADD_EMAIL, true);
        let edited = checked_set(db, false, true);
        refused(db, From::Sqlx, &edited, "2: sqlx's checksum is not the file's: `0002_add_email.sql` was edited (or its line endings changed) after sqlx applied it; `force` it once you have checked it");
        drop_all(db, "_sqlx_migrations");

        first_two_applied(db);
        sqlx_history(db, SQLX_ADD_EMAIL, false);
        refused(db, From::Sqlx, &migrations, "2: failed in sqlx");
        drop_all(db, "_sqlx_migrations");
    }

    fn refinery_s_checksums_are_compared(db: &mut Db) {
        let migrations = checked_set(db, true, false);
        first_two_applied(db);
        refinery_history(db, "4196270117440398954");
        adopted_then_applied(db, From::Refinery, &migrations, &["V1__init", "V2__add_email"]);
        drop_all(db, "refinery_schema_history");

        first_two_applied(db);
        refinery_history(db, "4196270117440398955");
        refused(db, From::Refinery, &migrations, "2: refinery's checksum is not the file's: `V2__add_email.sql` was edited (or its line endings changed) after refinery applied it; `force` it once you have checked it");
        drop_all(db, "refinery_schema_history");
    }

    fn flyway_s_checksums_baseline_and_failed_rows(db: &mut Db) {
        let migrations = checked_set(db, true, false);
        first_two_applied(db);
        flyway_history(db, &[(1, "1", "SQL", "51675886", true), (2, "2", "SQL", "641462687", true)]);
        adopted_then_applied(db, From::Flyway, &migrations, &["V1__init", "V2__add_email"]);
        drop_all(db, "flyway_schema_history");

        // A baseline stands for every migration up to its version; only later rows are checked.
        first_two_applied(db);
        flyway_history(db, &[(1, "1", "BASELINE", "NULL", true), (2, "2", "SQL", "641462687", true)]);
        adopted_then_applied(db, From::Flyway, &migrations, &["V1__init", "V2__add_email"]);
        drop_all(db, "flyway_schema_history");

        first_two_applied(db);
        flyway_history(db, &[(1, "1", "SQL", "51675886", true), (2, "2", "SQL", "641462687", false)]);
        refused(db, From::Flyway, &migrations, "2: failed in Flyway");
        drop_all(db, "flyway_schema_history");

        first_two_applied(db);
        flyway_history(db, &[(1, "1", "SQL", "51675887", true), (2, "2", "SQL", "641462687", true)]);
        refused(db, From::Flyway, &migrations, "1: Flyway's checksum is not the file's: `V1__init.sql` was edited (or its line endings changed) after Flyway applied it; `force` it once you have checked it");
        drop_all(db, "flyway_schema_history");
    }
}
