//! Stopping a run from outside, and runs that wait: a `Cancel` interrupts the statement in
//! flight, rolls back and releases the lock; a `no-transaction` migration cancelled mid-way is
//! dirty, and on PostgreSQL the invalid index an interrupted `CREATE INDEX CONCURRENTLY` leaves
//! is named by the refusal, `status` and `repair`; a run that waits says who holds the lock; an
//! async run whose future is dropped leaves no lock behind. Every property runs through every
//! driver (see `common::db`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::result_large_err)] // a failing test panics

mod common;

use common::db::{self, Db, MYSQL_URL, POSTGRES_URL};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use strata::{Cancel, Dialect, Error, Event, Interrupt, Lock, Migrations};

const LEASE: Lock = Lock::Lease { ttl: Duration::from_secs(30) };

/// A statement that runs for `seconds` unless interrupted.
fn sleep(db: &Db, seconds: u32) -> String {
    match db.dialect() {
        // Counting far enough takes minutes; SQLite's interrupt stops it at once.
        Dialect::Sqlite => format!(
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {}) SELECT count(*) FROM n",
            u64::from(seconds) * 10_000_000
        ),
        Dialect::Postgres => format!("SELECT pg_sleep({seconds})"),
        _ => format!("DO SLEEP({seconds})"),
    }
}

/// Whether strata can interrupt the statement in flight on this connection. diesel's and sqlx's
/// `SqliteConnection` lend no handle to interrupt them with (sqlx's progress handler would take
/// the application's place).
fn interruptible(db: &Db) -> bool {
    #[cfg(feature = "diesel")]
    if db.via == db::Via::DieselSqlite {
        return false;
    }
    db.via != db::Via::Sqlx09Sqlite
}

/// The test's connection under test, interruptible from another thread whatever its driver:
/// SQLite's and `postgres`'s own interrupts, and for the others (which have none) the
/// application's own, as the manual shows: PostgreSQL's `pg_cancel_backend`, MySQL's `KILL QUERY`.
fn cancel_for(db: &mut Db) -> Cancel {
    let name = db.name.clone();
    match db.dialect() {
        Dialect::Sqlite => Cancel::new(),
        Dialect::Postgres => {
            let sql = format!(
                "SELECT pid FROM pg_stat_activity WHERE application_name = '{name}' AND pid <> pg_backend_pid()"
            );
            let pid = db.integers(&format!("SELECT CAST(pid AS BIGINT) FROM ({sql}) AS p"))[0];
            let url = std::env::var(POSTGRES_URL).unwrap();
            Cancel::new().with_interrupt(Interrupt::new(move || {
                let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
                admin.execute("SELECT pg_cancel_backend($1)", &[&(pid as i32)]).unwrap();
            }))
        }
        _ => {
            let sql = format!(
                "SELECT CAST(id AS SIGNED) FROM information_schema.processlist WHERE db = '{name}' AND id <> CONNECTION_ID()"
            );
            let id = db.integers(&sql)[0];
            let url = std::env::var(MYSQL_URL).unwrap();
            Cancel::new().with_interrupt(Interrupt::new(move || {
                use mysql::prelude::Queryable;
                let mut admin = mysql::Conn::new(mysql::Opts::from_url(&url).unwrap()).unwrap();
                admin.query_drop(format!("KILL QUERY {id}")).unwrap();
            }))
        }
    }
}

/// Runs `migrations` on the connection under test while another thread cancels it once
/// `when` says so (polled every 20 ms); returns the run's outcome and how long it took after
/// the cancel.
fn cancel_during(
    db: &mut Db,
    migrations: &Migrations,
    lock: Lock,
    mut when: impl FnMut() -> bool + Send,
) -> (strata::Result<strata::Report>, Duration) {
    let cancel = cancel_for(db);
    let cancelled_at = Arc::new(Mutex::new(None));
    let migrator = migrations.migrator().lock(lock).cancel_with(&cancel);
    let outcome = std::thread::scope(|scope| {
        let (cancel, cancelled_at) = (cancel.clone(), Arc::clone(&cancelled_at));
        scope.spawn(move || {
            while !when() {
                std::thread::sleep(Duration::from_millis(20));
            }
            *cancelled_at.lock().unwrap() = Some(Instant::now());
            cancel.cancel();
        });
        db.apply(&migrator)
    });
    let after = cancelled_at.lock().unwrap().map(|at| at.elapsed()).unwrap_or_default();
    (outcome, after)
}

/// Whether `migration`'s `Started` event has come.
fn started(events: &Arc<Mutex<Vec<String>>>, migration: &str) -> bool {
    events.lock().unwrap().iter().any(|id| id == migration)
}

on_every_database! {
    fn a_cancel_interrupts_the_statement_in_flight_rolls_back_and_releases_the_lock(db: &mut Db) {
        if !interruptible(db) {
            return; // Its cancel lands between statements, as the other properties here show.
        }
        for lock in [Lock::Session, LEASE] {
            let files = [
                ("0001_a.sql", "CREATE TABLE a (x INTEGER);".to_owned()),
                ("0002_slow.sql", format!("INSERT INTO a VALUES (1);\n{};", sleep(db, 30))),
            ];
            let files: Vec<(&str, &str)> = files.iter().map(|(n, s)| (*n, s.as_str())).collect();
            let migrations = db.migrations(&files);
            db.apply_to(&migrations.migrator().lock(lock), 1).unwrap();
            let started = Instant::now();
            let (outcome, after) = cancel_during(db, &migrations, lock, || started.elapsed() > Duration::from_millis(700));
            let error = outcome.unwrap_err();
            assert!(
                matches!(&error, Error::Cancelled { migration: Some(m), dirty: false, completed: 0 } if m.version == 2),
                "{error}"
            );
            assert_eq!(error.to_string(), "interrupted during 0002_slow (0002_slow.sql): nothing of it was applied");
            assert!(after < Duration::from_secs(10), "the statement in flight was interrupted, not waited for: {after:?}");
            assert_eq!(db.recorded(), [1]);
            assert_eq!(db.count("SELECT count(*) FROM a"), 0, "its insert was rolled back");
            // The lock is free: another client takes it at once (and finds nothing it knows pending).
            let first = db.migrations_in("first", &files[..1]);
            let mut other = db.connect();
            let elsewhere = first.migrator().lock(lock).lock_timeout(Duration::from_secs(2));
            db.apply_on(&mut other, &elsewhere).expect("the lock was released");
            db.execute("DROP TABLE a");
            for table in ["strata_migrations", "strata_migrations_state"] {
                db.execute(&format!("DELETE FROM {table}"));
            }
        }
    }

    fn a_cancel_before_the_lock_is_taken_runs_nothing(db: &mut Db) {
        let migrations = db.migrations(&[("0001_a.sql", "CREATE TABLE a (x INTEGER);")]);
        let cancel = Cancel::new();
        cancel.cancel();
        let error = db.apply(&migrations.migrator().cancel_with(&cancel)).unwrap_err();
        assert!(matches!(error, Error::Cancelled { .. }), "{error}");
        assert!(db.tables().is_empty(), "nothing ran");
        assert!(db.recorded_table_missing() || db.recorded().is_empty());
    }

    fn a_cancelled_no_transaction_migration_is_dirty_and_says_so(db: &mut Db) {
        // Without an interrupt, the cancel waits for the statement in flight: a short one.
        let slow = sleep(db, if interruptible(db) { 30 } else { 2 });
        let files = [
            ("0001_a.sql", "CREATE TABLE a (x INTEGER);".to_owned()),
            ("0002_slow.sql", format!("-- strata:no-transaction\nINSERT INTO a VALUES (1);\n{slow};\nINSERT INTO a VALUES (2);")),
        ];
        let files: Vec<(&str, &str)> = files.iter().map(|(n, s)| (*n, s.as_str())).collect();
        let migrations = db.migrations(&files);
        db.apply_to(&migrations.migrator(), 1).unwrap();
        let started = Instant::now();
        let (outcome, _) = cancel_during(db, &migrations, Lock::Session, || started.elapsed() > Duration::from_millis(700));
        let error = outcome.unwrap_err();
        assert!(matches!(&error, Error::Cancelled { migration: Some(m), dirty: true, completed: 0 } if m.version == 2), "{error}");
        assert!(error.to_string().contains("it is dirty"), "{error}");
        let refused = db.apply(&migrations.migrator()).unwrap_err();
        assert!(
            matches!(&refused, Error::Dirty { failure: Some(f), .. } if f == "up script interrupted"),
            "{refused}"
        );
    }

    fn an_interrupted_concurrent_index_build_is_named_by_the_refusal_status_and_repair(db: &mut Db) {
        if db.dialect() != Dialect::Postgres {
            return; // `CREATE INDEX CONCURRENTLY` and `INVALID` indexes are PostgreSQL's.
        }
        let migrations = db.migrations(&[
            ("0001_big.sql", "CREATE TABLE big (x INTEGER);"),
            ("0002_index.sql", "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS big_x ON big (x);"),
        ]);
        db.apply_to(&migrations.migrator(), 1).unwrap();
        // An open writer: the index build records the index, then waits for it to end.
        db.execute("BEGIN");
        db.execute("INSERT INTO big VALUES (1)");
        let name = db.name.clone();
        let mut watcher = postgres::Client::connect(&std::env::var(POSTGRES_URL).unwrap(), postgres::NoTls).unwrap();
        let (outcome, _) = cancel_during(db, &migrations, Lock::Session, || {
            let sql = "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'CREATE INDEX%' AND wait_event_type = 'Lock'";
            watcher.query_one(sql, &[&name]).unwrap().get::<_, i64>(0) > 0
        });
        db.execute("ROLLBACK");
        let error = outcome.unwrap_err();
        assert!(matches!(&error, Error::Cancelled { dirty: true, .. }), "{error}");
        let index = format!("{name}.big_x");
        let refused = db.apply(&migrations.migrator()).unwrap_err();
        assert!(matches!(&refused, Error::Dirty { invalid_indexes, .. } if invalid_indexes == std::slice::from_ref(&index)), "{refused}");
        assert!(refused.to_string().contains(&format!("DROP INDEX CONCURRENTLY {index};")), "{refused}");
        assert_eq!(db.status(&migrations.migrator()).unwrap().invalid_indexes, std::slice::from_ref(&index));
        let repaired = db.repair(&migrations.migrator()).unwrap();
        assert_eq!(repaired.invalid_indexes, std::slice::from_ref(&index));
        assert!(repaired.to_string().contains(&format!("  DROP INDEX CONCURRENTLY {index};")), "{repaired}");
        // What `IF NOT EXISTS` would do with it: skip it, and leave it invalid. `status` still says.
        db.apply(&migrations.migrator()).unwrap();
        assert_eq!(db.status(&migrations.migrator()).unwrap().invalid_indexes, std::slice::from_ref(&index));
        db.execute(&format!("DROP INDEX {index}"));
        assert!(db.status(&migrations.migrator()).unwrap().invalid_indexes.is_empty());
    }

    fn a_run_that_waits_says_who_holds_the_lock(db: &mut Db) {
        for lock in [Lock::Session, LEASE] {
            if db.dialect() == Dialect::Sqlite && lock == Lock::Session {
                continue; // SQLite's write lock is waited for inside `BEGIN IMMEDIATE`, silently.
            }
            let slow = format!("{};", sleep(db, 3));
            let migrations = db.migrations(&[("0001_slow.sql", slow.as_str())]);
            let endpoint = db.endpoint();
            let events = Arc::new(Mutex::new(Vec::new()));
            let holder_started = Arc::new(Mutex::new(Vec::new()));
            std::thread::scope(|scope| {
                let (migrations, started_events) = (&migrations, Arc::clone(&holder_started));
                let holder = scope.spawn(move || {
                    let runtime = db::runtime();
                    let mut conn = endpoint.connect(&runtime);
                    let migrator = migrations.migrator().lock(lock).busy_timeout(Duration::from_secs(30)).on_event(move |event| {
                        if let Event::Started { migration, .. } = event {
                            started_events.lock().unwrap().push(migration.id().to_owned());
                        }
                    });
                    db::apply(&runtime, &mut conn, &migrator)
                });
                while !started(&holder_started, "0001_slow") {
                    std::thread::sleep(Duration::from_millis(20));
                }
                std::thread::sleep(Duration::from_millis(200));
                let seen = Arc::clone(&events);
                let waiter = migrations.migrator().lock(lock).lock_timeout(Duration::from_millis(1500)).on_event(move |event| {
                    if let Event::Waiting { lock, holder, waited } = event {
                        seen.lock().unwrap().push((lock.to_string(), holder.map(str::to_owned), *waited));
                    }
                });
                let error = db.apply(&waiter).unwrap_err();
                assert!(matches!(error, Error::LockTimeout { .. }), "{error}");
                holder.join().unwrap().unwrap();
            });
            let events = events.lock().unwrap();
            let [(what, holder, waited)] = events.as_slice() else { panic!("one event after a second: {events:?}") };
            assert!(*waited >= Duration::from_secs(1), "{waited:?}");
            let holder = holder.as_deref().unwrap_or_else(|| panic!("{what}: the holder is named"));
            match (lock, db.dialect()) {
                (Lock::Session, Dialect::Postgres) => {
                    assert!(what.starts_with("PostgreSQL advisory lock "), "{what}");
                    assert!(holder.starts_with("backend ") && holder.contains("running `SELECT pg_sleep(3)` for "), "{holder}");
                    assert!(holder.contains(&format!("`{}`", db.name)), "the application's name: {holder}");
                }
                (Lock::Session, _) => {
                    assert!(what.starts_with("MySQL lock `strata_"), "{what}");
                    assert!(holder.starts_with("connection ") && holder.contains("running `DO SLEEP(3)` for "), "{holder}");
                }
                _ => {
                    assert!(what.starts_with("the lease "), "{what}");
                    assert!(holder.contains(&format!(" pid {} run ", std::process::id())), "{holder}");
                    assert!(holder.contains("whose lease expires in "), "{holder}");
                }
            }
            for table in ["strata_migrations", "strata_migrations_state"] {
                db.execute(&format!("DELETE FROM {table}"));
            }
        }
    }
}

/// An async run whose future is dropped mid-migration (a cancelled task) cannot release a
/// session lock: its pooled connection keeps it, with the migration's transaction open. The
/// next run on that connection rolls that transaction back, frees the lock and finishes; a run
/// on another connection then takes the lock at once.
#[test]
fn a_dropped_async_run_leaves_no_lock_behind_on_a_pooled_connection() {
    for via in [db::Via::SqlxPostgres, db::Via::SqlxMysql] {
        db::run(via, |db| {
            let slow = format!("INSERT INTO a VALUES (1);\n{};", sleep(db, 2));
            let migrations =
                db.migrations(&[("0001_a.sql", "CREATE TABLE a (x INTEGER);"), ("0002_slow.sql", slow.as_str())]);
            let url = std::env::var(if via == db::Via::SqlxPostgres { POSTGRES_URL } else { MYSQL_URL }).unwrap();
            let migrator = migrations.migrator().lock_timeout(Duration::from_secs(10));
            db.apply_to(&migrator, 1).unwrap();
            let runtime = db::runtime();
            runtime.block_on(async {
                // One connection, so that the next acquire hands back the one the dropped run used.
                macro_rules! trial {
                    ($pool:expr, $other:expr) => {{
                        let pool = $pool;
                        let mut conn = pool.acquire().await.unwrap();
                        let run = migrator.apply_async(&mut *conn);
                        let dropped = tokio::time::timeout(Duration::from_millis(500), run).await;
                        assert!(dropped.is_err(), "the run was still going when its future was dropped");
                        drop(conn);
                        let report = migrator.apply_async(pool.acquire().await.unwrap()).await.unwrap();
                        assert_eq!(report.ran.len(), 1, "{via:?}: the next run on that connection applies 0002");
                        // Answered by the digest without the lock, unless it is cleared.
                        let mut other = $other;
                        sqlx::query("DELETE FROM strata_migrations_state").execute(&mut other).await.unwrap();
                        let report = migrator.lock_timeout(Duration::from_secs(2)).apply_async(&mut other).await;
                        assert!(report.is_ok(), "{via:?}: another connection takes the lock at once: {report:?}");
                    }};
                }
                if via == db::Via::SqlxPostgres {
                    let options = url.parse::<sqlx::postgres::PgConnectOptions>().unwrap();
                    let options = options.options([("search_path", db.name.as_str())]);
                    let other = <sqlx::PgConnection as sqlx::Connection>::connect_with(&options).await.unwrap();
                    trial!(
                        sqlx::postgres::PgPoolOptions::new().max_connections(1).connect_with(options).await.unwrap(),
                        other
                    );
                } else {
                    let options = url.parse::<sqlx::mysql::MySqlConnectOptions>().unwrap().database(&db.name);
                    let other = <sqlx::MySqlConnection as sqlx::Connection>::connect_with(&options).await.unwrap();
                    trial!(
                        sqlx::mysql::MySqlPoolOptions::new().max_connections(1).connect_with(options).await.unwrap(),
                        other
                    );
                }
            });
            assert_eq!(db.count("SELECT count(*) FROM a"), 1, "{via:?}: the dropped run's insert was rolled back");
        });
    }
}
