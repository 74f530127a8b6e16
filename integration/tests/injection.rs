//! Nothing a user names reaches SQL unvalidated. strata writes three identifiers into SQL: the
//! tracking table (with the `_state` and `_lock` tables named after it), its schema, and the
//! lock's key (a hash of the table's name, passed as a parameter). Migration names, checksums,
//! failures and lease owners are always parameters. Every hostile name here is refused with
//! `InvalidTableName` before any statement, through every driver, under every lock; the odd
//! but valid ones are quoted and land exactly where they say; and a schema or database whose own
//! name is hostile, which strata reads back from the server, is never written into SQL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test panics

mod common;

use common::db::{self, Db};
use std::time::Duration;
use strata::{Dialect, Error, Lock};

const HOSTILE: &[&str] = &[
    "strata_migrations; DROP TABLE victim; --",
    "x'; DROP TABLE victim; --",
    "x\"; DROP TABLE victim; --",
    "x`; DROP TABLE victim; --",
    "x]; DROP TABLE victim; --",
    "victim (x INTEGER); --",
    "x--",
    "x/*",
    "x y",
    "",
    ".",
    "a.",
    ".a",
    "a.b.c",
    "victim\0",
    "ta\nble",
    "tab\tle",
    "täble",
    "1table",
    "\"victim\"",
    "`victim`",
    "[victim]",
    "victim; --.strata",
    "public.strata; DROP TABLE victim",
    "x\"; DROP TABLE victim; --.strata",
    "a_name_that_is_exactly_one_character_longer_than_allowed_x",
];

const LOCKS: [Lock; 3] = [Lock::Session, Lock::Lease { ttl: Duration::from_secs(30) }, Lock::None];

on_every_database! {
    fn hostile_table_names_are_refused_before_any_statement(db: &mut Db) {
        db.execute("CREATE TABLE victim (x INTEGER)");
        let migrations = db.migrations(&[("0001_a.sql", "CREATE TABLE a (x INTEGER);")]);
        for &name in HOSTILE {
            for lock in LOCKS {
                let migrator = migrations.migrator().table(name).lock(lock);
                let refused = |outcome: Result<String, Error>| match outcome {
                    Err(Error::InvalidTableName { name: named }) => assert_eq!(named, name),
                    other => panic!("{name:?} under {lock:?}: {other:?}"),
                };
                refused(db.apply(&migrator).map(|report| report.to_string()));
                refused(db.status(&migrator).map(|status| status.to_string()));
                refused(db.repair(&migrator).map(|report| report.to_string()));
                refused(db.baseline(&migrator, 1).map(|report| report.to_string()));
                refused(db.rollback_to(&migrator, 0).map(|report| report.to_string()));
            }
        }
        assert_eq!(db.tables(), ["victim"], "nothing ran and nothing was dropped");
        assert!(db.recorded_table_missing());
    }

    fn valid_names_are_quoted_and_land_where_they_say(db: &mut Db) {
        let migrations = db.migrations(&[("0001_a.sql", "CREATE TABLE a (x INTEGER);")]);
        // SQLite's schemas are its attached databases.
        let schema = if db.dialect() == Dialect::Sqlite { "main" } else { db.name.as_str() };
        let qualified = format!("{schema}.History_2");
        for (name, table) in [("Strata_History", "Strata_History"), ("_h1", "_h1"), (qualified.as_str(), "History_2")] {
            let migrator = migrations.migrator().table(name.to_owned()).lock(Lock::Lease { ttl: Duration::from_secs(30) });
            db.apply(&migrator).unwrap();
            let sql = match db.dialect() {
                Dialect::Sqlite => format!("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '{table}%' ORDER BY name"),
                Dialect::Postgres => format!("SELECT table_name::TEXT FROM information_schema.tables WHERE table_schema = '{}' AND table_name LIKE '{table}%' ORDER BY 1", db.name),
                _ => format!("SELECT CAST(table_name AS CHAR) FROM information_schema.tables WHERE table_schema = '{}' AND table_name LIKE '{table}%' ORDER BY 1", db.name),
            };
            let mut found = db.texts(&sql);
            found.sort_by_key(|name| name.to_lowercase());
            assert_eq!(found, [table.to_owned(), format!("{table}_lock"), format!("{table}_state")], "{name}");
            db.execute("DROP TABLE a");
        }
    }

    fn the_longest_table_name_keeps_its_digest_guarded(db: &mut Db) {
        // 57 characters: PostgreSQL would cut the guard's trigger to 63 bytes and the next full
        // run failed on "already exists"; MySQL refused its 64-character triggers, silently.
        let name = format!("h{}", "x".repeat(56));
        let migrations = db.migrations(&[("0001_a.sql", "CREATE TABLE a (x INTEGER);")]);
        let migrator = migrations.migrator().table(name.clone());
        db.apply(&migrator).unwrap();
        assert_eq!(db.count(&format!("SELECT count(*) FROM {name}_state")), 1, "the digest is stored");
        // A full run again (the digest cleared by hand) finds the guard it made.
        db.execute(&format!("DELETE FROM {name}_state"));
        assert!(!db.apply(&migrator).unwrap().up_to_date);
        assert_eq!(db.count(&format!("SELECT count(*) FROM {name}_state")), 1);
        // The guard works: a write to the history behind strata's back clears the digest.
        db.execute(&format!("UPDATE {name} SET duration_ms = 1"));
        assert_eq!(db.count(&format!("SELECT count(*) FROM {name}_state")), 0, "the guard cleared the digest");
    }
}

/// The schema strata pins an unqualified table to comes from the server; one whose name would
/// break out of its quotes is left unpinned rather than written into SQL.
#[test]
fn a_hostile_current_schema_is_never_written_into_sql() {
    let Some(mut db) = Db::open(db::Via::Postgres) else { return db::skipped(db::Via::Postgres) };
    let hostile = "we\"ird; DROP TABLE victim; --";
    let quoted = format!("\"{}\"", hostile.replace('"', "\"\""));
    db.execute(&format!("CREATE TABLE {}.victim (x INTEGER)", db.name));
    db.execute(&format!("CREATE SCHEMA {quoted}"));
    let migrations = db.migrations(&[("0001_a.sql", "CREATE TABLE a (x INTEGER);")]);
    let url = std::env::var(db::POSTGRES_URL).unwrap();
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client.batch_execute(&format!("SET search_path TO {quoted}, {}", db.name)).unwrap();
    let outcome = migrations.migrator().apply(&mut client);
    let left = client
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename = 'strata_migrations'",
            &[&hostile],
        )
        .unwrap()
        .get::<_, i64>(0);
    client.batch_execute(&format!("DROP SCHEMA {quoted} CASCADE")).unwrap();
    outcome.unwrap();
    assert_eq!(left, 1, "the tracking table is in the current schema, found by search_path");
    assert_eq!(db.count("SELECT count(*) FROM victim"), 0, "the victim is still there");
}

/// MySQL's current database, read back from the server, likewise.
#[test]
fn a_hostile_current_database_is_never_written_into_sql() {
    let Some(mut db) = Db::open(db::Via::Mysql) else { return db::skipped(db::Via::Mysql) };
    let hostile = "we`ird; DROP TABLE victim; --";
    let quoted = format!("`{}`", hostile.replace('`', "``"));
    db.execute("CREATE TABLE victim (x INTEGER)");
    db.execute(&format!("CREATE DATABASE {quoted}"));
    let migrations = db.migrations(&[("0001_a.sql", "CREATE TABLE a (x INTEGER);")]);
    let url = std::env::var(db::MYSQL_URL).unwrap();
    let mut conn = mysql::Conn::new(mysql::Opts::from_url(&url).unwrap()).unwrap();
    mysql::prelude::Queryable::query_drop(&mut conn, format!("USE {quoted}")).unwrap();
    let outcome = migrations.migrator().apply(&mut conn);
    mysql::prelude::Queryable::query_drop(&mut conn, format!("DROP DATABASE {quoted}")).unwrap();
    outcome.unwrap();
    assert_eq!(db.count("SELECT count(*) FROM victim"), 0, "the victim is still there");
}
