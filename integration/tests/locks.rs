//! The lock: held for the whole run, released on every exit (errors and panics included), and
//! never held past its owner's death for longer than the server takes to notice (session lock)
//! or the lease's ttl. Every property runs through every driver (see `common::db`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::result_large_err)] // a failing test panics

mod common;

use common::db::{self, Db};
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};
use strata::{Dialect, Error, Event, Lock, Migrations};

const LEASE: Lock = Lock::Lease { ttl: Duration::from_secs(2) };

fn good(db: &Db) -> Migrations {
    db.migrations(&[("0001_a.sql", "CREATE TABLE a (x INTEGER);"), ("0002_b.sql", "INSERT INTO a VALUES (1);")])
}

/// Applies `migrations` on a second connection, waiting at most `timeout` for the lock.
fn apply_elsewhere(db: &Db, lock: Lock, timeout: Duration) -> strata::Result<strata::Report> {
    let migrations = good(db);
    let runtime = db::runtime();
    let mut conn = db.endpoint().connect(&runtime);
    db::apply(&runtime, &mut conn, &migrations.migrator().lock(lock).lock_timeout(timeout))
}

/// The database clock's milliseconds, as the lease compares them.
fn now_ms(db: &Db) -> &'static str {
    match db.dialect() {
        Dialect::Sqlite => "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)",
        Dialect::Postgres => "CAST(extract(epoch FROM clock_timestamp()) * 1000 AS BIGINT)",
        _ => "CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)",
    }
}

on_every_database! {
    fn a_failed_migration_leaves_no_lock_held(db: &mut Db) {
        for lock in [Lock::Session, LEASE] {
            let broken = db.migrations(&[("0001_a.sql", "INSERT INTO missing VALUES (1);")]);
            let error = db.apply(&broken.migrator().lock(lock)).unwrap_err();
            assert!(matches!(error, Error::Statement { .. }), "{error}");
            // Another client takes the lock at once, and so does this connection.
            apply_elsewhere(db, lock, Duration::from_millis(500)).expect("the lock was released");
            let report = db.apply(&good(db).migrator().lock(lock)).unwrap();
            assert!(report.up_to_date, "{report:?}");
            db.execute("DROP TABLE a");
            db.execute("DELETE FROM strata_migrations");
            db.execute("DELETE FROM strata_migrations_state");
        }
    }

    fn a_panic_in_the_run_releases_the_lock(db: &mut Db) {
        for lock in [Lock::Session, LEASE] {
            let migrations = good(db);
            let migrator = migrations.migrator().lock(lock).on_event(|event| {
                if let Event::Applied { .. } = event {
                    panic!("the application's listener panics");
                }
            });
            let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| db.apply(&migrator)));
            assert!(panicked.is_err());
            apply_elsewhere(db, lock, Duration::from_millis(500)).expect("the lock was released");
            db.apply(&migrations.migrator().lock(lock)).expect("this connection is usable and unlocked");
            assert_eq!(db.recorded(), [1, 2]);
            db.execute("DROP TABLE a");
            db.execute("DELETE FROM strata_migrations");
            db.execute("DELETE FROM strata_migrations_state");
        }
    }

    fn a_lease_is_taken_released_and_waited_for_until_it_expires(db: &mut Db) {
        db.apply(&good(db).migrator().lock(LEASE)).unwrap();
        assert_eq!(
            db.count("SELECT count(*) FROM strata_migrations_lock WHERE owner = '' AND expires_ms = 0"),
            1,
            "released: the row stays, expired, for the next try to take"
        );
        // A live lease of another migrator: this one waits, then times out. (Without the set's
        // digest: an up-to-date database is answered before any lock.)
        db.execute("DELETE FROM strata_migrations_state");
        let now = now_ms(db);
        db.execute(&format!("UPDATE strata_migrations_lock SET owner = 'other', expires_ms = {now} + 60000"));
        let started = Instant::now();
        let error = apply_elsewhere(db, LEASE, Duration::from_millis(300)).unwrap_err();
        assert!(matches!(error, Error::LockTimeout { .. }), "{error}");
        assert!(started.elapsed() >= Duration::from_millis(300));
        // A lease about to expire (its owner died): the next run waits for it, no longer.
        db.execute(&format!("UPDATE strata_migrations_lock SET expires_ms = {now} + 1000"));
        let started = Instant::now();
        apply_elsewhere(db, LEASE, Duration::from_secs(30)).unwrap();
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(700) && waited < Duration::from_secs(10), "{waited:?}");
    }

    fn a_held_session_lock_makes_others_wait_or_time_out(db: &mut Db) {
        if db.dialect() == Dialect::Sqlite {
            return; // SQLite's session lock is each migration's own write transaction.
        }
        let slow = db.migrations(&[("0001_slow.sql", &format!("{};", if db.dialect() == Dialect::Postgres { "SELECT pg_sleep(1.5)" } else { "DO SLEEP(1.5)" }))]);
        let endpoint = db.endpoint();
        std::thread::scope(|scope| {
            let holder = scope.spawn(|| {
                let runtime = db::runtime();
                let mut conn = endpoint.connect(&runtime);
                db::apply(&runtime, &mut conn, &slow.migrator())
            });
            std::thread::sleep(Duration::from_millis(500));
            let runtime = db::runtime();
            let mut conn = endpoint.connect(&runtime);
            let error = db::apply(&runtime, &mut conn, &slow.migrator().lock_timeout(Duration::from_millis(200))).unwrap_err();
            assert!(matches!(error, Error::LockTimeout { .. }), "{error}");
            // Waiting without a timeout: it gets the lock once the holder is done, and finds
            // nothing left to do.
            let report = db::apply(&runtime, &mut conn, &slow.migrator()).unwrap();
            assert_eq!(report.ran.len(), 0);
            assert_eq!(holder.join().unwrap().unwrap().ran.len(), 1);
        });
    }

    fn a_killed_holder_blocks_the_next_run_only_until_the_server_notices_or_the_lease_expires(db: &mut Db) {
        for (lock, name, at_most) in [(Lock::Session, "session", Duration::from_secs(5)), (LEASE, "lease", Duration::from_secs(6))] {
            drop(good(db));
            let mut child = db::child_process(db, "child_holds_the_lock").env("STRATA_TEST_LOCK", name).spawn().unwrap();
            let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
            assert!(lines.any(|line| line.unwrap().contains("strata-child holding")), "the child took the lock");
            child.kill().unwrap(); // SIGKILL: no destructor, no unlock
            child.wait().unwrap();
            let started = Instant::now();
            let report = apply_elsewhere(db, lock, Duration::from_secs(30)).unwrap();
            let waited = started.elapsed();
            assert_eq!(report.ran.len(), 2, "{name}: the killed run applied nothing");
            assert!(waited < at_most, "{name}: waited {waited:?}");
            db.execute("DROP TABLE a");
            db.execute("DELETE FROM strata_migrations");
            db.execute("DELETE FROM strata_migrations_state");
        }
    }
}

/// The body of the process `a_killed_holder…` kills: it takes the lock, says so, and waits.
#[test]
#[ignore = "run as a child process by a_killed_holder_blocks_the_next_run…"]
fn child_holds_the_lock() {
    let lock = if std::env::var("STRATA_TEST_LOCK").as_deref() == Ok("lease") { LEASE } else { Lock::Session };
    let (_, migrations, runtime, mut conn) = db::in_child_process();
    // The listener runs inside the lock, before the first migration's statements.
    let migrator = migrations.migrator().lock(lock).on_event(|event| {
        if let Event::Started { .. } = event {
            println!("\nstrata-child holding");
            std::thread::sleep(Duration::from_secs(120));
        }
    });
    let _ = db::apply(&runtime, &mut conn, &migrator);
}
