//! Replicas starting together: N processes (6 and 12) start at once on a fresh database, under
//! each lock, through every driver, on four folders:
//!
//! - **fast**: five quick migrations;
//! - **slow**: one migration takes a second or more while the others wait;
//! - **no-transaction**: a `no-transaction` migration (`CREATE INDEX CONCURRENTLY` on PostgreSQL,
//!   then a second's wait) runs while the others wait for the lock: a waiter blocked inside a
//!   statement would hold a snapshot the index build waits for, and the server would kill one of
//!   the two; on SQLite, whose session lock is each migration's own transaction, the others see
//!   its dirty row while it runs and must wait for it, not refuse it;
//! - **failing**: the second migration fails.
//!
//! Every process must end within [`BOUND`], each migration is recorded once and logged once, no
//! row is dirty, and each process ends as the folder says (all succeed; on the failing folder all
//! fail at its second migration). Then the slow folder again, with one process killed while it
//! holds the lock and one while it waits: the others finish the job.
//!
//! Each migration writes a row into `log` in the same transaction as its tracking row, so a
//! migration applied twice would show twice.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::result_large_err)] // a failing test panics

mod common;

use common::db::{self, Db};
use std::io::{BufRead, BufReader};
use std::process::Child;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use strata::{Dialect, Error, Event, Lock};

/// How long any one process may take, start to end, on this shared machine: runs take a few
/// seconds (RELIABILITY.md has the figures); a hang is what this catches.
const BOUND: Duration = Duration::from_secs(60);

/// The lease's ttl: longer than any one statement takes here under load. At 3 s, a SQLite
/// holder of a no-transaction migration, its statement waiting for the write lock while five
/// others polled the lease, once ran past it in CI's low-end run, and a waiter took over and
/// found the row dirty. No process is killed here, so a long ttl delays nothing.
const TTL: Duration = Duration::from_secs(10);

const LOCKS: [(&str, Lock); 2] = [("session", Lock::Session), ("lease", Lock::Lease { ttl: TTL })];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Folder {
    Fast,
    Slow,
    NoTransaction,
    Failing,
}

/// A statement that takes a second or more.
fn slow_statement(dialect: Dialect) -> &'static str {
    match dialect {
        // A second or two, unoptimised; more under load.
        Dialect::Sqlite => {
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 6000000) SELECT count(*) FROM n"
        }
        Dialect::Postgres => "SELECT pg_sleep(1)",
        _ => "DO SLEEP(1)",
    }
}

/// A table of some rows, for an index build that takes a moment.
fn big_table(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => "CREATE TABLE big AS SELECT g AS x FROM generate_series(1, 200000) AS g",
        _ => {
            "CREATE TABLE big AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000) SELECT x FROM n"
        }
    }
}

fn log(version: i64) -> String {
    format!("INSERT INTO log (version) VALUES ({version})")
}

/// The folder's files, and how many migrations it has.
fn files(folder: Folder, dialect: Dialect) -> Vec<(String, String)> {
    let setup = format!("CREATE TABLE log (version BIGINT NOT NULL);\n{};", log(1));
    let table = |version: i64| format!("CREATE TABLE t{version} (x INTEGER);\n{};", log(version));
    let mut files = vec![("0001_setup.sql".to_owned(), setup)];
    match folder {
        Folder::Fast => files.extend((2..=5).map(|v| (format!("{v:04}_t{v}.sql"), table(v)))),
        Folder::Slow => {
            files.push(("0002_slow.sql".into(), format!("{};\n{};", slow_statement(dialect), log(2))));
            files.push(("0003_t3.sql".into(), table(3)));
        }
        Folder::NoTransaction => {
            files.push(("0002_big.sql".into(), format!("{};\n{};", big_table(dialect), log(2))));
            let index = match dialect {
                Dialect::Postgres => "CREATE INDEX CONCURRENTLY big_x ON big (x)",
                _ => "CREATE INDEX big_x ON big (x)",
            };
            // A second more outside the transaction, so that the others start while it runs.
            let slow = slow_statement(dialect);
            files.push(("0003_index.sql".into(), format!("-- strata:no-transaction\n{index};\n{slow};\n{};", log(3))));
            files.push(("0004_t4.sql".into(), table(4)));
        }
        Folder::Failing => {
            files.push(("0002_broken.sql".into(), format!("INSERT INTO missing VALUES (1);\n{};", log(2))));
            files.push(("0003_t3.sql".into(), table(3)));
        }
    }
    files
}

/// What one process said and how it ended.
#[derive(Debug, Default)]
struct Process {
    lines: Vec<String>,
    /// `ok ran=N`, or `error <version> <kind>: <message>`.
    outcome: Option<String>,
    killed: bool,
    took: Duration,
}

/// Starts `n` processes at once on `db`'s folder under `lock`, kills the holder and a waiter
/// when `kill` says so, and waits for them all (at most [`BOUND`] each).
fn start_together(db: &Db, lock: &str, n: usize, kill: bool) -> Vec<Process> {
    let started = Instant::now();
    let mut children: Vec<Child> =
        (0..n).map(|_| db::child_process(db, "child_replica").env("STRATA_TEST_LOCK", lock).spawn().unwrap()).collect();
    let (lines, received) = mpsc::channel::<(usize, Option<String>)>();
    for (index, child) in children.iter_mut().enumerate() {
        let stdout = child.stdout.take().unwrap();
        let lines = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(line) = line.strip_prefix("strata-child ") {
                    let _ = lines.send((index, Some(line.to_owned())));
                }
            }
            let _ = lines.send((index, None));
        });
    }
    drop(lines);
    let mut processes: Vec<Process> = (0..n).map(|_| Process::default()).collect();
    let (mut holder_killed, mut waiter_killed) = (None, None);
    let mut open = n;
    while open > 0 {
        let line = received.recv_timeout(Duration::from_millis(200));
        if let Ok((index, line)) = line {
            match line {
                None => {
                    open -= 1;
                    processes[index].took = started.elapsed();
                }
                Some(line) => {
                    if let Some(outcome) = line.strip_prefix("outcome ") {
                        processes[index].outcome = Some(outcome.to_owned());
                    }
                    processes[index].lines.push(line);
                }
            }
        }
        if kill {
            // The holder: the first to start the slow migration. A waiter: the first to say it
            // waits, or (SQLite's write lock says nothing) any other still running a second on.
            let holder = match db.dialect() {
                // Every process says it starts a migration before its `BEGIN IMMEDIATE` waits:
                // the holder is the one with SQLite's RESERVED lock on the file.
                Dialect::Sqlite => sqlite_writer(&db.scratch.db())
                    .and_then(|pid| children.iter().position(|child| child.id() == pid))
                    .filter(|&index| processes[index].lines.iter().any(|l| l == "started 2")),
                _ => processes.iter().position(|p| p.lines.iter().any(|l| l == "started 2")),
            };
            if holder_killed.is_none()
                && let Some(index) = holder
            {
                children[index].kill().unwrap();
                processes[index].killed = true;
                holder_killed = Some(Instant::now());
            }
            if let Some(holder_at) = holder_killed.filter(|_| waiter_killed.is_none()) {
                let writer = sqlite_writer(&db.scratch.db());
                let running = |(index, p): (usize, &Process)| {
                    !p.killed && p.outcome.is_none() && writer != Some(children[index].id())
                };
                let waiter = processes
                    .iter()
                    .enumerate()
                    .position(|(index, p)| running((index, p)) && p.lines.iter().any(|l| l == "waiting"))
                    .or_else(|| {
                        let says_it_waits = db.dialect() != Dialect::Sqlite;
                        let patience = Duration::from_millis(if says_it_waits { 1500 } else { 300 });
                        (holder_at.elapsed() > patience)
                            .then(|| processes.iter().enumerate().position(running))
                            .flatten()
                    });
                if let Some(index) = waiter {
                    children[index].kill().unwrap();
                    processes[index].killed = true;
                    waiter_killed = Some(index);
                }
            }
        }
        if started.elapsed() > BOUND {
            for child in &mut children {
                let _ = child.kill();
            }
            panic!("processes still running after {BOUND:?}: {processes:#?}");
        }
    }
    for mut child in children {
        child.wait().unwrap();
    }
    if kill {
        assert!(
            holder_killed.is_some() && waiter_killed.is_some(),
            "a holder and a waiter were killed: {processes:#?}"
        );
    }
    processes
}

/// The process holding SQLite's RESERVED lock on `file` (a write transaction), from the
/// kernel's table of POSIX locks: `POSIX ADVISORY WRITE <pid> <major>:<minor>:<inode> <start> <end>`,
/// the RESERVED byte at offset 0x40000001.
fn sqlite_writer(file: &std::path::Path) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    const RESERVED_BYTE: &str = "1073741825";
    let inode = std::fs::metadata(file).ok()?.ino().to_string();
    let locks = std::fs::read_to_string("/proc/locks").ok()?;
    locks.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let at = fields.iter().position(|field| *field == "WRITE")?;
        let (pid, file, start) = (fields.get(at + 1)?, fields.get(at + 2)?, fields.get(at + 3)?);
        (file.rsplit(':').next() == Some(inode.as_str()) && *start == RESERVED_BYTE).then(|| pid.parse().ok())?
    })
}

/// Every migration recorded once, applied, logged once; nothing dirty.
fn each_recorded_once(db: &mut Db, versions: &[i64], context: &str) {
    assert_eq!(db.recorded(), versions, "{context}: the recorded versions");
    assert_eq!(
        db.count("SELECT count(*) FROM strata_migrations WHERE state <> 'applied'"),
        0,
        "{context}: a row is dirty"
    );
    assert_eq!(
        db.integers("SELECT version FROM log ORDER BY version"),
        versions,
        "{context}: each migration logged once"
    );
}

/// Starts again from an empty database.
fn reset(db: &mut Db) {
    for table in
        ["log", "big", "t2", "t3", "t4", "t5", "strata_migrations", "strata_migrations_state", "strata_migrations_lock"]
    {
        db.execute(&format!("DROP TABLE IF EXISTS {table}"));
    }
}

fn run_folder(db: &mut Db, folder: Folder) {
    let files = files(folder, db.dialect());
    let files: Vec<(&str, &str)> = files.iter().map(|(name, sql)| (name.as_str(), sql.as_str())).collect();
    drop(db.migrations(&files));
    let total = files.len() as i64;
    for (lock, _) in LOCKS {
        for n in [6, 12] {
            reset(db);
            let context = format!("{:?}: {folder:?}, {lock} lock, {n} processes", db.via);
            let processes = start_together(db, lock, n, false);
            let slowest = processes.iter().map(|p| p.took).max().unwrap_or_default();
            println!("{context}: every process ended within {slowest:?}");
            for process in &processes {
                let outcome = process.outcome.as_deref().unwrap_or_else(|| panic!("{context}: {process:?}"));
                if folder == Folder::Failing {
                    assert!(outcome.starts_with("error 2 Statement"), "{context}: {outcome}");
                } else {
                    assert!(outcome.starts_with("ok"), "{context}: {outcome}");
                }
            }
            if folder == Folder::Failing {
                each_recorded_once(db, &[1], &context);
                continue;
            }
            let ran: i64 = processes
                .iter()
                .filter_map(|p| p.outcome.as_deref()?.strip_prefix("ok ran="))
                .map(|ran| ran.parse::<i64>().unwrap())
                .sum();
            assert_eq!(ran, total, "{context}: between them the processes applied each migration once");
            each_recorded_once(db, &(1..=total).collect::<Vec<_>>(), &context);
        }
    }
}

on_every_database! {
    fn fast_migrations(db: &mut Db) {
        run_folder(db, Folder::Fast);
    }

    fn a_slow_migration(db: &mut Db) {
        run_folder(db, Folder::Slow);
    }

    fn a_no_transaction_migration(db: &mut Db) {
        run_folder(db, Folder::NoTransaction);
    }

    fn a_failing_migration(db: &mut Db) {
        run_folder(db, Folder::Failing);
    }

    fn a_holder_and_a_waiter_killed(db: &mut Db) {
        let files = files(Folder::Slow, db.dialect());
        let files: Vec<(&str, &str)> = files.iter().map(|(name, sql)| (name.as_str(), sql.as_str())).collect();
        drop(db.migrations(&files));
        for (lock, _) in LOCKS {
            reset(db);
            let context = format!("{:?}: Killed, {lock} lock, 6 processes (the holder and a waiter killed)", db.via);
            let processes = start_together(db, lock, 6, true);
            let slowest = processes.iter().map(|p| p.took).max().unwrap_or_default();
            println!("{context}: every process ended within {slowest:?}");
            for process in processes.iter().filter(|p| !p.killed) {
                let outcome = process.outcome.as_deref().unwrap_or_else(|| panic!("{context}: {process:?}"));
                assert!(outcome.starts_with("ok"), "{context}: {outcome}");
            }
            // Until the server has ended the killed ones' connections (the test's own stays).
            db.wait_for_connections(1);
            each_recorded_once(db, &[1, 2, 3], &context);
        }
    }
}

/// The body of each replica: applies the folder under the lock it is given, saying when it
/// starts each migration and when it waits, then how it ended.
#[test]
#[ignore = "run as a child process by the replica tests"]
fn child_replica() {
    let lock = if std::env::var("STRATA_TEST_LOCK").as_deref() == Ok("lease") { LOCKS[1].1 } else { Lock::Session };
    let (_, migrations, runtime, mut conn) = db::in_child_process();
    let migrator = migrations.migrator().lock(lock).busy_timeout(BOUND).on_event(|event| match event {
        Event::Started { migration, .. } => println!("\nstrata-child started {}", migration.version()),
        Event::Waiting { .. } => println!("\nstrata-child waiting"),
        _ => {}
    });
    match db::apply(&runtime, &mut conn, &migrator) {
        Ok(report) => println!("\nstrata-child outcome ok ran={}", report.ran.len()),
        Err(error) => {
            let (version, kind) = match &error {
                Error::Statement { migration, .. } => (migration.version, "Statement"),
                Error::Dirty { migration, .. } => (migration.version, "Dirty"),
                _ => (0, "other"),
            };
            println!("\nstrata-child outcome error {version} {kind}: {error}");
        }
    }
}
