//! Eight clients applying at once on an empty database, as threads and as separate processes:
//! every migration runs exactly once and no client fails. On PostgreSQL and MySQL the session
//! lock serialises them; on SQLite each migration's `BEGIN IMMEDIATE` does, with the busy
//! timeout. Every property runs through every driver (see `common::db`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::result_large_err)] // a failing test panics

mod common;

use common::db::{self, Db};
use std::time::Duration;
use strata::Migrations;

const CLIENTS: usize = 8;
const MIGRATIONS: i64 = 8;

/// Eight migrations, each slow enough that concurrent runs overlap, each logging that it ran.
fn files(db: &Db) -> Vec<(String, String)> {
    (1..=MIGRATIONS)
        .map(|version| {
            let create = if version == 1 { "CREATE TABLE log (version INTEGER NOT NULL);\n" } else { "" };
            let sql = format!("{create}{};\nINSERT INTO log (version) VALUES ({version});", db.slow_statement());
            (format!("{version:04}_step_{version}.sql"), sql)
        })
        .collect()
}

fn load(db: &Db) -> Migrations {
    let files = files(db);
    let files: Vec<(&str, &str)> = files.iter().map(|(name, sql)| (name.as_str(), sql.as_str())).collect();
    db.migrations(&files)
}

fn each_ran_once(db: &mut Db) {
    assert_eq!(db.count("SELECT count(*) FROM log"), MIGRATIONS, "eight migrations, eight log rows");
    assert_eq!(db.count("SELECT count(DISTINCT version) FROM log"), MIGRATIONS);
    assert_eq!(db.count("SELECT count(*) FROM strata_migrations WHERE state = 'applied'"), MIGRATIONS);
}

fn migrator(migrations: &Migrations) -> strata::Migrator<'_> {
    migrations.migrator().busy_timeout(Duration::from_secs(60))
}

on_every_database! {
    fn eight_threads_apply_each_migration_once(db: &mut Db) {
        let migrations = load(db);
        let endpoint = db.endpoint();
        let ran: usize = std::thread::scope(|scope| {
            let runs: Vec<_> = (0..CLIENTS)
                .map(|_| {
                    let (endpoint, migrations) = (endpoint.clone(), &migrations);
                    scope.spawn(move || {
                        let runtime = db::runtime();
                        let mut conn = endpoint.connect(&runtime);
                        db::apply(&runtime, &mut conn, &migrator(migrations))
                    })
                })
                .collect();
            runs.into_iter()
                .map(|run| {
                    let report = run.join().unwrap().expect("no client fails");
                    assert_eq!(report.ran.len() + report.skipped, MIGRATIONS as usize);
                    report.ran.len()
                })
                .sum()
        });
        assert_eq!(ran, MIGRATIONS as usize, "between them the clients applied each migration once");
        each_ran_once(db);
    }

    fn eight_processes_apply_each_migration_once(db: &mut Db) {
        let migrations = load(db);
        drop(migrations);
        let children: Vec<_> = (0..CLIENTS)
            .map(|_| {
                db::child_process(db, "child_process_applies").spawn().unwrap()
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
        assert_eq!(ran, MIGRATIONS as usize);
        each_ran_once(db);
    }
}

/// The body of each process spawned by `eight_processes_apply_each_migration_once`.
#[test]
#[ignore = "run as a child process by eight_processes_apply_each_migration_once"]
fn child_process_applies() {
    let (_, migrations, runtime, mut conn) = db::in_child_process();
    let report = db::apply(&runtime, &mut conn, &migrator(&migrations)).unwrap();
    assert_eq!(report.ran.len() + report.skipped, MIGRATIONS as usize);
    println!("\nstrata-child ran={}", report.ran.len());
}
