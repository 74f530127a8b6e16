//! Injected faults: a statement that fails at the first, middle or last migration and at the
//! first, middle or last statement of its file; a read-only SQLite file; a full disk (SQLite's
//! `max_page_count`, swept over every page the run writes); and a connection the server drops
//! mid-run (`pg_terminate_backend`, MySQL's `KILL`). Each gives a clear error, leaves no partial
//! migration and no lock, and the next run completes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::result_large_err)] // a failing test panics

mod common;

use common::Scratch;
use common::db::{self, Db, Via};
use rusqlite::{Connection, OpenFlags};
use std::io::Write as _;
use std::time::{Duration, Instant};
use strata::{Dialect, Error, Migrations};

/// Migration `version` of `count`: two tables and a row, in three statements.
fn three_statements(version: usize) -> [String; 3] {
    [
        format!("CREATE TABLE t{version}_a (x INTEGER);"),
        format!("INSERT INTO t{version}_a (x) VALUES ({version});"),
        format!("CREATE TABLE t{version}_b (x INTEGER);"),
    ]
}

/// The tables migrations `1..=version` make, sorted as the database sorts them.
fn tables_up_to(version: usize) -> Vec<String> {
    let mut tables: Vec<String> = (1..=version).flat_map(|v| [format!("t{v}_a"), format!("t{v}_b")]).collect();
    tables.sort();
    tables
}

on_every_database! {
    fn a_failing_statement_leaves_the_database_as_the_migration_before_left_it(db: &mut Db) {
        const COUNT: usize = 5;
        for failing in [1, 3, COUNT] {
            for statement in 1..=3 {
                let mut case = Db::open(db.via).unwrap();
                let files: Vec<(String, String)> = (1..=COUNT)
                    .map(|version| {
                        let mut statements = three_statements(version);
                        if version == failing {
                            statements[statement - 1] = "INSERT INTO no_such_table (x) VALUES (1);".to_owned();
                        }
                        (format!("{version:04}_step{version}.sql"), format!("-- step {version}\n{}", statements.join("\n")))
                    })
                    .collect();
                let files: Vec<(&str, &str)> = files.iter().map(|(name, sql)| (name.as_str(), sql.as_str())).collect();
                let migrations = case.migrations(&files);
                let error = case.apply(&migrations.migrator()).unwrap_err();
                let what = format!("{:?}, migration {failing}, statement {statement}", db.via);

                let Error::Statement { migration, statement: index, line, message, .. } = &error else {
                    panic!("{what}: {error:?}")
                };
                assert_eq!((migration.version, migration.file.as_str()), (failing as i64, files[failing - 1].0), "{what}");
                // Line 1 is the comment: statement n is on line n + 1.
                assert_eq!((*index, *line), (statement, statement as u32 + 1), "{what}");
                assert!(message.contains("no_such_table"), "{what}: the database's message: {message}");
                let shown = error.to_string();
                for part in [files[failing - 1].0, &format!("statement {statement}"), &format!("line {}", statement + 1)] {
                    assert!(shown.contains(part), "{what}: `{shown}` names {part}");
                }

                let before = failing - 1;
                let mut expected = tables_up_to(before);
                if case.dialect() == Dialect::Mysql && statement > 1 {
                    // MySQL commits DDL as it runs it: the migration ran under its dirty row, and
                    // the statements before the failing one stay done.
                    expected.push(format!("t{failing}_a"));
                    expected.sort();
                    assert_eq!(case.recorded(), (1..=failing as i64).collect::<Vec<_>>(), "{what}");
                    let failure = case.texts(&format!("SELECT failure FROM strata_migrations WHERE version = {failing} AND state = 'dirty'"));
                    assert!(failure[0].starts_with(&format!("up statement {statement} (line {}): ", statement + 1)), "{what}: {failure:?}");
                } else if case.dialect() == Dialect::Mysql {
                    // Failing at its first statement, it changed nothing; its row stays dirty.
                    assert_eq!(case.recorded(), (1..=failing as i64).collect::<Vec<_>>(), "{what}");
                } else {
                    assert_eq!(case.recorded(), (1..=before as i64).collect::<Vec<_>>(), "{what}: history after {before}");
                }
                assert_eq!(case.tables(), expected, "{what}: schema");
            }
        }
    }
}

fn sqlite_set(scratch: &Scratch) -> Migrations {
    scratch.migrations(
        "m",
        &[
            ("0001_items.sql", "CREATE TABLE items (id INTEGER PRIMARY KEY, body TEXT NOT NULL);"),
            (
                "0002_fill.sql",
                "INSERT INTO items (body)\n  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)\n  SELECT printf('%0200d', i) FROM n;",
            ),
            ("0003_index.sql", "CREATE INDEX items_body ON items (body);"),
            (
                "0004_copy.sql",
                "-- strata:no-transaction\nCREATE TABLE IF NOT EXISTS copy (id INTEGER PRIMARY KEY, body TEXT);\nINSERT OR IGNORE INTO copy SELECT id, body FROM items;",
            ),
            ("0005_tags.sql", "CREATE TABLE tags (name TEXT);\nINSERT INTO tags VALUES ('a');"),
        ],
    )
}

/// Whether every migration recorded in `conn` left all it makes, and no other left anything.
fn sqlite_consistent(conn: &Connection) -> Result<(), String> {
    let recorded = if common::count(conn, "SELECT count(*) FROM sqlite_master WHERE name = 'strata_migrations'") == 0 {
        Vec::new()
    } else {
        common::recorded(conn)
    };
    let states: Vec<String> = if recorded.is_empty() {
        Vec::new()
    } else {
        let mut statement = conn.prepare("SELECT state FROM strata_migrations ORDER BY version").unwrap();
        statement.query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect()
    };
    let tables = common::tables(conn);
    let has = |table: &str| tables.iter().any(|t| t == table);
    let rows = |sql: &str| if has("items") { common::count(conn, sql) } else { 0 };
    let index = common::count(conn, "SELECT count(*) FROM sqlite_master WHERE name = 'items_body'") == 1;
    let whole = [
        has("items"),
        rows("SELECT count(*) FROM items") == 400,
        index,
        has("copy") && common::count(conn, "SELECT count(*) FROM copy") == 400,
        has("tags") && common::count(conn, "SELECT count(*) FROM tags") == 1,
    ];
    let none = [!has("items"), rows("SELECT count(*) FROM items") == 0, !index, !has("copy"), !has("tags")];
    for version in 1..=5_usize {
        let state = recorded.iter().position(|&v| v == version as i64).map(|at| states[at].as_str());
        match state {
            Some("applied") if !whole[version - 1] => return Err(format!("{version} is applied but not whole")),
            None if !none[version - 1] => return Err(format!("{version} has no row but left something")),
            Some("dirty") if version != 4 => return Err(format!("{version} is dirty")),
            _ => {}
        }
    }
    if recorded.iter().copied().ne(1..=recorded.len() as i64) {
        return Err(format!("the rows are not a prefix: {recorded:?}"));
    }
    Ok(())
}

/// The server drops the connection while migration 2 runs: a clear error naming the statement,
/// no row and nothing of the migration, no lock left. SQLite has no connection to drop: its
/// equivalent, a process killed mid-run, is `tests/crash.rs`.
fn dropped_connection(db: &mut Db) {
    let migrations = db.migrations(&[
        (
            "0001_counter.sql",
            "CREATE TABLE counter (id INTEGER PRIMARY KEY, n BIGINT NOT NULL);\nINSERT INTO counter VALUES (1, 0);",
        ),
        // Data only, so that it runs in a transaction on MySQL too.
        ("0002_count.sql", "INSERT INTO counter VALUES (2, 0);\nUPDATE counter SET n = n + 1 WHERE id = 1;"),
    ]);
    db.apply_to(&migrations.migrator(), 1).unwrap();
    let baseline = db.other_connections();

    // The admin holds the row migration 2 updates, so that the run waits there, mid-migration,
    // until the admin drops its connection.
    let begin = if db.dialect() == Dialect::Postgres { "BEGIN" } else { "START TRANSACTION" };
    db.execute(begin);
    db.execute("SELECT n FROM counter WHERE id = 1 FOR UPDATE");
    let endpoint = db.endpoint();
    let run = std::thread::spawn({
        let migrations = migrations.clone();
        move || {
            let runtime = db::runtime();
            let mut conn = endpoint.connect(&runtime);
            db::apply(&runtime, &mut conn, &migrations.migrator())
        }
    });
    let (waiting, kill) = match db.dialect() {
        Dialect::Postgres => (
            format!(
                "SELECT pid::BIGINT FROM pg_stat_activity WHERE application_name = '{}' AND query LIKE 'UPDATE counter%' AND wait_event_type = 'Lock'",
                db.name
            ),
            "SELECT pg_terminate_backend({})",
        ),
        _ => (
            format!(
                "SELECT id FROM information_schema.processlist WHERE db = '{}' AND info LIKE 'UPDATE counter%'",
                db.name
            ),
            "KILL CONNECTION {}",
        ),
    };
    let started = Instant::now();
    let victim = loop {
        if db.dialect() == Dialect::Postgres {
            // The admin is in a transaction, which would see one snapshot of the statistics.
            db.execute("SELECT pg_stat_clear_snapshot()");
        }
        if let Some(&id) = db.integers(&waiting).first() {
            break id;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the run never reached migration 2");
        std::thread::sleep(Duration::from_millis(5));
    };
    db.execute(&kill.replace("{}", &victim.to_string()));
    db.execute("ROLLBACK");

    let error = run.join().unwrap().unwrap_err();
    let shown = error.to_string();
    assert!(
        matches!(&error, Error::Statement { migration, statement: 2, .. } if migration.version == 2),
        "{:?}: {error:?}",
        db.via
    );
    assert!(shown.contains("0002_count.sql") && shown.contains("statement 2"), "{shown}");
    db.wait_for_connections(baseline);
    assert_eq!(db.recorded(), [1], "no row for the interrupted migration");
    assert_eq!(db.integers("SELECT n FROM counter ORDER BY id"), [0], "none of its statements");

    // No lock was left: the next run takes it at once and completes.
    let report = db.apply(&migrations.migrator().lock_timeout(Duration::from_secs(5))).unwrap();
    assert_eq!(report.ran.len(), 1);
    assert_eq!(db.integers("SELECT n FROM counter ORDER BY id"), [1, 0]);
}

mod a_dropped_connection_leaves_no_partial_migration_and_no_lock {
    use super::*;
    #[test]
    fn postgres() {
        db::run(Via::Postgres, dropped_connection);
    }
    #[test]
    fn tokio_postgres() {
        db::run(Via::TokioPostgres, dropped_connection);
    }
    #[test]
    fn sqlx_postgres() {
        db::run(Via::SqlxPostgres, dropped_connection);
    }
    #[test]
    fn mysql() {
        db::run(Via::Mysql, dropped_connection);
    }
    #[test]
    fn sqlx_mysql() {
        db::run(Via::SqlxMysql, dropped_connection);
    }
    #[test]
    fn sqlx_0_9_postgres() {
        db::run(Via::Sqlx09Postgres, dropped_connection);
    }
    #[test]
    fn sqlx_0_9_mysql() {
        db::run(Via::Sqlx09Mysql, dropped_connection);
    }
    #[cfg(feature = "diesel")]
    #[test]
    fn diesel_postgres() {
        db::run(Via::DieselPostgres, dropped_connection);
    }
    #[cfg(feature = "diesel")]
    #[test]
    fn diesel_mysql() {
        db::run(Via::DieselMysql, dropped_connection);
    }
    #[cfg(feature = "diesel")]
    #[test]
    fn diesel_async_postgres() {
        db::run(Via::DieselAsyncPostgres, dropped_connection);
    }
    #[cfg(feature = "diesel")]
    #[test]
    fn diesel_async_mysql() {
        db::run(Via::DieselAsyncMysql, dropped_connection);
    }
}

/// Every page limit from one page to what the whole run needs: the run fails wherever the
/// disk fills (creating the tracking table, its guard, a migration's statements, its row, the
/// digest), each time with SQLite's "full" error and nothing half done; raised, the next run
/// completes.
#[test]
fn a_full_disk_at_every_page_leaves_no_partial_migration() {
    let scratch = Scratch::new();
    let migrations = sqlite_set(&scratch);
    let needed = {
        let mut conn = Connection::open(scratch.dir.path().join("whole.db")).unwrap();
        migrations.migrator().apply(&mut conn).unwrap();
        common::count(&conn, "PRAGMA page_count")
    };
    let mut failures = 0;
    for limit in 1..=needed + 1 {
        let path = scratch.dir.path().join(format!("full{limit}.db"));
        let mut conn = Connection::open(&path).unwrap();
        conn.query_row(&format!("PRAGMA max_page_count = {limit}"), [], |_| Ok(())).unwrap();
        let outcome = migrations.migrator().apply(&mut conn);
        if let Err(error) = &outcome {
            failures += 1;
            let shown = strata::with_causes(error);
            assert!(shown.contains("full"), "limit {limit}: a clear error: {shown}");
            assert!(conn.is_autocommit(), "limit {limit}: no transaction left open");
        }
        assert_eq!(
            common::count(&conn, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'"),
            0
        );
        sqlite_consistent(&conn).unwrap_or_else(|problem| panic!("limit {limit}: {problem} after {outcome:?}"));

        // No lock left: another connection writes at once. Then, with room, the run completes.
        Connection::open(&path).unwrap().execute_batch("BEGIN IMMEDIATE; ROLLBACK").unwrap();
        conn.query_row("PRAGMA max_page_count = 1000000", [], |_| Ok(())).unwrap();
        if let Err(Error::Dirty { migration, .. }) = migrations.migrator().apply(&mut conn) {
            assert_eq!(migration.version, 4, "limit {limit}");
            migrations.migrator().repair(&mut conn).unwrap();
        }
        let report = migrations.migrator().apply(&mut conn);
        assert!(report.is_ok(), "limit {limit}: {report:?}");
        assert_eq!(common::recorded(&conn), [1, 2, 3, 4, 5], "limit {limit}");
        sqlite_consistent(&conn).unwrap_or_else(|problem| panic!("limit {limit}, completed: {problem}"));
    }
    let summary = format!(
        "full disk: {needed} page limits swept, the run stopped at {failures}, each consistent and then completed"
    );
    let _ = writeln!(std::io::stderr(), "{summary}");
    assert!(failures as i64 >= needed - 1, "{summary}: the disk must fill up at nearly every limit");
}

/// A database file the process may only read: a clear error before any row, whether the
/// tracking table is new or holds rows; the same file opened for writing then completes.
#[test]
fn a_read_only_database_file_is_a_clear_error_and_changes_nothing() {
    let scratch = Scratch::new();
    let migrations = sqlite_set(&scratch);
    let first = scratch
        .migrations("first", &[("0001_items.sql", "CREATE TABLE items (id INTEGER PRIMARY KEY, body TEXT NOT NULL);")]);
    for applied_before in [None, Some(&first)] {
        let path = scratch.dir.path().join(format!("ro{}.db", applied_before.is_some()));
        let mut writer = Connection::open(&path).unwrap();
        if let Some(first) = applied_before {
            first.migrator().apply(&mut writer).unwrap();
        }
        let before = std::fs::read(&path).unwrap();

        let mut reader = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let error = migrations.migrator().apply(&mut reader).unwrap_err();
        let shown = strata::with_causes(&error);
        assert!(shown.contains("readonly"), "{shown}");
        assert!(matches!(error, Error::Database { .. } | Error::Statement { .. }), "{error:?}");
        assert!(std::error::Error::source(&error).is_some(), "SQLite's error is the cause");
        assert!(reader.is_autocommit());
        drop(reader);
        assert_eq!(std::fs::read(&path).unwrap(), before, "the file is unchanged");

        writer.execute_batch("BEGIN IMMEDIATE; ROLLBACK").unwrap();
        let report = migrations.migrator().apply(&mut writer).unwrap();
        assert_eq!(report.ran.len(), if applied_before.is_some() { 4 } else { 5 });
        sqlite_consistent(&writer).unwrap();
    }
}
