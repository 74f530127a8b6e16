//! Several connections, and several processes, applying at once: every migration runs exactly
//! once and no run fails (the losers wait under the busy timeout and re-read the applied set).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::result_large_err)] // a failing test panics

mod common;

use common::count;
use std::process::Command;
use std::thread;
use std::time::Duration;

static MIGRATIONS: strata::Migrations = strata::embed_migrations!("tests/fixtures/slow");

const DB_VAR: &str = "STRATA_CONCURRENCY_DB";

fn each_ran_once(db: &std::path::Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    assert_eq!(count(&conn, "SELECT count(*) FROM log"), 8, "eight migrations, eight log rows");
    assert_eq!(count(&conn, "SELECT count(DISTINCT version) FROM log"), 8);
    assert_eq!(count(&conn, "SELECT count(*) FROM strata_migrations WHERE state = 'applied'"), 8);
}

#[test]
fn concurrent_connections_apply_each_migration_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.db");
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let db = db.clone();
            thread::spawn(move || {
                let mut conn = rusqlite::Connection::open(db).unwrap();
                MIGRATIONS.migrator().busy_timeout(Duration::from_secs(60)).apply(&mut conn)
            })
        })
        .collect();
    let mut ran = 0;
    for run in runs {
        let report = run.join().unwrap().expect("no run fails");
        assert_eq!(report.ran.len() + report.skipped, 8);
        ran += report.ran.len();
    }
    assert_eq!(ran, 8, "between them the runs applied each migration once");
    each_ran_once(&db);
}

#[test]
fn concurrent_processes_apply_each_migration_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.db");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(&exe)
                .args(["--exact", "child_process_applies", "--ignored", "--nocapture", "--test-threads=1"])
                .env(DB_VAR, &db)
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut ran = 0;
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "a process failed:\n{stdout}");
        let line = stdout.lines().find_map(|l| l.split("strata-child ran=").nth(1)).expect("the child reports");
        ran += line.trim().parse::<usize>().unwrap();
    }
    assert_eq!(ran, 8);
    each_ran_once(&db);
}

/// The body of each process spawned by `concurrent_processes_apply_each_migration_once`.
#[test]
#[ignore = "run as a child process by concurrent_processes_apply_each_migration_once"]
fn child_process_applies() {
    let db = std::env::var_os(DB_VAR).expect("spawned with the database path");
    let mut conn = rusqlite::Connection::open(db).unwrap();
    let report = MIGRATIONS.migrator().busy_timeout(Duration::from_secs(60)).apply(&mut conn).unwrap();
    assert_eq!(report.ran.len() + report.skipped, 8);
    println!("\nstrata-child ran={}", report.ran.len());
}
