//! Crash trials: a child process applies 200 migrations and is killed with `SIGKILL` at a random
//! moment; then every migration must be there whole, with its row, or absent, with no row and
//! nothing of it, and a fresh run must finish the job. Thirty trials per database, through each
//! of its drivers in turn.
//!
//! What a kill may leave, per database:
//! - **SQLite and PostgreSQL**: a migration in a transaction is whole with its `applied` row, or
//!   absent. A `no-transaction` migration may also be `dirty`, with any prefix of its statements
//!   done; it is always the last row. SQLite's file passes `PRAGMA integrity_check`; half the
//!   SQLite trials use the rollback journal, half WAL.
//! - **MariaDB/MySQL**: DDL commits implicitly, so every migration with DDL runs under the dirty
//!   row, like a `no-transaction` one: it may be `dirty` with any prefix of its statements done.
//!   A migration of data statements only runs in a transaction and is whole or absent.
//!
//! After a kill the next `apply` either finishes or, when a row is dirty, refuses with
//! `Error::Dirty` naming it; `repair` clears it, and `apply` then runs it again (the scripts that
//! run outside a transaction are written to be re-runnable, as they must be) and finishes.
//!
//! `STRATA_CRASH_TRIALS` sets the trials per database (default 30) and `STRATA_CRASH_SEED` the
//! first seed; a failure names the seed of its trial. The seed fixes when the kill comes, not
//! what the child had reached by then: that is the point.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test panics

mod common;

use common::db::{self, Db, Via};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write as _};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use strata::{Dialect, Error, Migrations};

const MIGRATIONS: i64 = 200;
const DEFAULT_TRIALS: u64 = 30;
const PARALLEL_TRIALS: usize = 6;

/// What a migration does, by version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Version 1: the `log` and `counter` tables, and the counter's row.
    Setup,
    /// Table, two rows, index: four statements.
    Steps,
    /// One `CREATE TABLE`.
    Table,
    /// Data only: a `log` row and the counter's increment, which must go together.
    Data,
    /// `no-transaction`: table, row, index, each committed on its own.
    NoTransaction,
}

fn kind(version: i64) -> Kind {
    match version {
        1 => Kind::Setup,
        v if v % 10 == 0 => Kind::NoTransaction,
        v if v % 8 == 1 => Kind::Steps,
        v if v % 8 == 5 => Kind::Table,
        _ => Kind::Data,
    }
}

/// Whether a kill may leave `version` dirty on `dialect`: it runs outside a transaction.
fn runs_under_dirty_row(version: i64, dialect: Dialect) -> bool {
    match kind(version) {
        Kind::NoTransaction => true,
        Kind::Data => false,
        _ => dialect == Dialect::Mysql,
    }
}

fn script(version: i64, dialect: Dialect) -> String {
    // Where a migration runs under the dirty row, recovery is `repair` and running it again, so
    // its script must be re-runnable; elsewhere it is plain, so that a re-run after a rollback
    // that left anything behind would fail.
    let rerunnable = runs_under_dirty_row(version, dialect);
    let if_not_exists = if rerunnable { "IF NOT EXISTS " } else { "" };
    let insert = |table: &str, values: &str| match (rerunnable, dialect) {
        (false, _) => format!("INSERT INTO {table} VALUES {values};"),
        (true, Dialect::Sqlite) => format!("INSERT OR IGNORE INTO {table} VALUES {values};"),
        (true, Dialect::Postgres) => format!("INSERT INTO {table} VALUES {values} ON CONFLICT DO NOTHING;"),
        (true, _) => format!("INSERT IGNORE INTO {table} VALUES {values};"),
    };
    let table = format!("CREATE TABLE {if_not_exists}t{version} (id INTEGER PRIMARY KEY, v VARCHAR(8));");
    let index = format!("CREATE INDEX {if_not_exists}i{version} ON t{version} (v);");
    let t = format!("t{version}");
    match kind(version) {
        Kind::Setup => [
            format!("CREATE TABLE {if_not_exists}log (version BIGINT PRIMARY KEY);"),
            format!("CREATE TABLE {if_not_exists}counter (id INTEGER PRIMARY KEY, n BIGINT NOT NULL);"),
            insert("counter", "(1, 0)"),
        ]
        .join("\n"),
        Kind::Steps => [table, insert(&t, "(1, 'a')"), insert(&t, "(2, 'b')"), index].join("\n"),
        Kind::Table => table,
        Kind::Data => format!("INSERT INTO log VALUES ({version});\nUPDATE counter SET n = n + 1;"),
        Kind::NoTransaction => format!("-- strata:no-transaction\n{table}\n{}\n{index}", insert(&t, "(1, 'a')")),
    }
}

fn files(dialect: Dialect) -> Vec<(String, String)> {
    (1..=MIGRATIONS).map(|version| (format!("{version:04}_m{version}.sql"), script(version, dialect))).collect()
}

/// What a database holds after a run: the tracking rows and every migration's objects.
#[derive(Debug)]
struct Observed {
    rows: BTreeMap<i64, String>,
    tables: BTreeSet<String>,
    indexes: BTreeSet<String>,
    rows_in: BTreeMap<String, i64>,
    logged: BTreeSet<i64>,
    counter: Option<i64>,
}

/// How much of a migration's work is in the database.
#[derive(Debug, PartialEq, Eq)]
enum Presence {
    Whole,
    Absent,
    Partial,
}

impl Observed {
    fn read(db: &mut Db) -> Observed {
        let versions = if db.recorded_table_missing() { Vec::new() } else { db.recorded() };
        let states = if versions.is_empty() {
            Vec::new()
        } else {
            db.texts("SELECT state FROM strata_migrations ORDER BY version")
        };
        let tables: BTreeSet<String> = db.tables().into_iter().collect();
        let index_sql = match db.dialect() {
            Dialect::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'i%'".to_owned(),
            Dialect::Postgres => format!("SELECT indexname::TEXT FROM pg_indexes WHERE schemaname = '{}'", db.name),
            _ => format!(
                "SELECT DISTINCT CAST(index_name AS CHAR) FROM information_schema.statistics WHERE table_schema = '{}'",
                db.name
            ),
        };
        let indexes = db.texts(&index_sql).into_iter().filter(|name| name.starts_with('i')).collect();
        let rows_in = tables
            .iter()
            .filter(|table| table.starts_with('t'))
            .map(|table| (table.clone(), db.count(&format!("SELECT count(*) FROM {table}"))))
            .collect();
        let logged = if tables.contains("log") { db.integers("SELECT version FROM log") } else { Vec::new() };
        let counter =
            tables.contains("counter").then(|| db.integers("SELECT n FROM counter")).and_then(|n| n.first().copied());
        Observed {
            rows: versions.into_iter().zip(states).collect(),
            tables,
            indexes,
            rows_in,
            logged: logged.into_iter().collect(),
            counter,
        }
    }

    /// How much of `version`'s work is here, from the parts it makes.
    fn presence(&self, version: i64) -> Presence {
        let t = format!("t{version}");
        let rows = self.rows_in.get(&t).copied();
        let parts = match kind(version) {
            Kind::Setup => vec![self.tables.contains("log"), self.tables.contains("counter"), self.counter.is_some()],
            Kind::Steps => {
                vec![rows.is_some(), rows >= Some(1), rows == Some(2), self.indexes.contains(&format!("i{version}"))]
            }
            Kind::Table => vec![rows.is_some()],
            Kind::Data => vec![self.logged.contains(&version)],
            Kind::NoTransaction => vec![rows.is_some(), rows == Some(1), self.indexes.contains(&format!("i{version}"))],
        };
        match (parts.iter().all(|&part| part), parts.iter().any(|&part| part)) {
            (true, _) => Presence::Whole,
            (false, false) => Presence::Absent,
            (false, true) => Presence::Partial,
        }
    }

    /// Every way this state breaks the rules above, for `dialect`.
    fn violations(&self, dialect: Dialect) -> Vec<String> {
        let mut found = Vec::new();
        let last = self.rows.keys().next_back().copied().unwrap_or(0);
        if self.rows.keys().copied().ne(1..=last) {
            found.push(format!("the rows are not the versions 1..={last}: {:?}", self.rows.keys().collect::<Vec<_>>()));
        }
        for version in 1..=MIGRATIONS {
            let presence = self.presence(version);
            match self.rows.get(&version).map(String::as_str) {
                Some("applied") if presence != Presence::Whole => {
                    found.push(format!("{version} ({:?}) is recorded as applied but is {presence:?}", kind(version)));
                }
                None if presence != Presence::Absent => {
                    found.push(format!("{version} ({:?}) has no row but is {presence:?}", kind(version)));
                }
                Some("dirty") if version != last || !runs_under_dirty_row(version, dialect) => {
                    found.push(format!("{version} ({:?}) is dirty, which a kill cannot leave", kind(version)));
                }
                Some("applied" | "dirty") | None => {}
                Some(other) => found.push(format!("{version} has the state {other:?}")),
            }
        }
        if let Some(n) = self.counter
            && n != self.logged.len() as i64
        {
            found.push(format!(
                "the counter says {n} but the log holds {} rows: a data migration was split",
                self.logged.len()
            ));
        }
        found
    }

    fn dirty(&self) -> Option<i64> {
        self.rows.iter().find(|(_, state)| *state == "dirty").map(|(&version, _)| version)
    }

    fn applied(&self) -> usize {
        self.rows.values().filter(|state| *state == "applied").count()
    }
}

/// What one trial saw.
struct Trial {
    seed: u64,
    via: Via,
    delay: Duration,
    /// The child finished before the kill came.
    finished: bool,
    /// From the child's start of `apply` to its end.
    took: Duration,
    /// How long a whole run takes now: the child's, or the next run's pace times 200.
    whole_run: Option<Duration>,
    applied: usize,
    dirty: Option<i64>,
    problems: Vec<String>,
}

/// Applies the 200 migrations in a child process, kills it `delay` after it starts applying
/// (unless it is done by then), checks what it left, then finishes the job and checks again.
fn trial(db: &mut Db, migrations: &Migrations, seed: u64, delay: Duration) -> Trial {
    let mut problems = Vec::new();
    let baseline = db.other_connections();
    let mut child = db::child_process(db, "crash_child").spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(lines.any(|line| line.unwrap().contains("strata-crash-child applying")), "the child started");
    let applying = Instant::now();
    let mut exited = child.try_wait().unwrap();
    while exited.is_none() && applying.elapsed() < delay {
        std::thread::sleep((delay.saturating_sub(applying.elapsed())).min(Duration::from_millis(1)));
        exited = child.try_wait().unwrap();
    }
    let finished = exited.is_some();
    child.kill().unwrap();
    let status = child.wait().unwrap();
    let took = applying.elapsed();
    if finished && !status.success() {
        problems.push(format!("the child failed on its own: {status}"));
    }
    db.wait_for_connections(baseline);

    if db.dialect() == Dialect::Sqlite {
        let integrity = db.texts("PRAGMA integrity_check");
        if integrity != ["ok"] {
            problems.push(format!("PRAGMA integrity_check: {integrity:?}"));
        }
    }
    let killed = Observed::read(db);
    problems.extend(killed.violations(db.dialect()));

    // The next run reports a dirty row; repair clears it; the run after finishes. (On SQLite a
    // run waits for a dirty row as long as the busy timeout, in case another migrator is running
    // that migration: nobody is, after the kill.)
    let migrator = migrations.migrator().busy_timeout(Duration::from_millis(250));
    let mut ran = 0;
    let recovering = Instant::now();
    match db.apply(&migrator) {
        Ok(report) => {
            ran += report.ran.len();
            if let Some(version) = killed.dirty() {
                problems.push(format!("apply ran over the dirty row of {version}"));
            }
        }
        Err(Error::Dirty { migration, .. }) if Some(migration.version) == killed.dirty() => {
            let repaired = db.repair(&migrator).unwrap();
            if repaired.dirty_cleared != [format!("{:04}_m{}", migration.version, migration.version)] {
                problems.push(format!("repair cleared {:?}", repaired.dirty_cleared));
            }
            match db.apply(&migrator) {
                Ok(report) => ran += report.ran.len(),
                Err(error) => problems.push(format!("apply after repair: {error}")),
            }
        }
        Err(error) => problems.push(format!("the next apply: {error}")),
    }
    let whole_run = if finished {
        Some(took)
    } else {
        (ran >= 20).then(|| recovering.elapsed().mul_f64(MIGRATIONS as f64 / ran as f64))
    };
    if ran != MIGRATIONS as usize - killed.applied() {
        problems.push(format!("the next runs applied {ran} after {} had been", killed.applied()));
    }
    let done = Observed::read(db);
    problems.extend(done.violations(db.dialect()).into_iter().map(|problem| format!("after the next run: {problem}")));
    if done.applied() != MIGRATIONS as usize {
        problems.push(format!("after the next run only {} are applied", done.applied()));
    }
    Trial {
        seed,
        via: db.via,
        delay,
        finished,
        took,
        whole_run,
        applied: killed.applied(),
        dirty: killed.dirty(),
        problems,
    }
}

/// The trials for one database, its drivers taking turns. The first runs undisturbed, to time
/// a whole run; each other kills at a moment drawn from 0 to 1.1 times a whole run's length.
fn trials(vias: &[Via]) {
    let dialect = vias[0].dialect();
    let Some(mut first) = Db::open(vias[0]) else { return db::skipped(vias[0]) };
    let count = env_number("STRATA_CRASH_TRIALS").unwrap_or(DEFAULT_TRIALS);
    let base_seed = env_number("STRATA_CRASH_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |t| t.as_secs())
    });
    let files = files(dialect);
    let files: Vec<(&str, &str)> = files.iter().map(|(name, sql)| (name.as_str(), sql.as_str())).collect();

    let started = Instant::now();
    let calibration = {
        let migrations = first.migrations(&files);
        let trial = trial(&mut first, &migrations, base_seed, Duration::from_secs(600));
        assert!(trial.finished && trial.problems.is_empty(), "an undisturbed run: {:?}", trial.problems);
        trial.took
    };
    drop(first);

    // A few trials at a time: each mostly waits on the server's commits. Running them together
    // slows each: the window follows the median pace of the runs so far, so that kills keep
    // landing anywhere in a run as the load changes.
    let whole_runs = Mutex::new(vec![calibration]);
    let next = AtomicU64::new(1);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL_TRIALS {
            scope.spawn(|| {
                loop {
                    let number = next.fetch_add(1, Ordering::Relaxed);
                    if number > count {
                        break;
                    }
                    let seed = base_seed.wrapping_add(number);
                    let window = {
                        let mut runs = whole_runs.lock().unwrap();
                        runs.sort_unstable();
                        runs[runs.len() / 2].mul_f64(1.1)
                    };
                    let delay = window.mul_f64(fastrand::Rng::with_seed(seed).f64());
                    let mut db = Db::open(vias[number as usize % vias.len()]).unwrap();
                    if dialect == Dialect::Sqlite && number % 2 == 1 {
                        // Half the SQLite files in WAL mode, which recovers from its own log.
                        db.execute("PRAGMA journal_mode = WAL");
                    }
                    let migrations = db.migrations(&files);
                    let trial = trial(&mut db, &migrations, seed, delay);
                    whole_runs.lock().unwrap().extend(trial.whole_run);
                    results.lock().unwrap().push(trial);
                }
            });
        }
    });
    let results = results.into_inner().unwrap();

    let failures: Vec<String> = results
        .iter()
        .filter(|trial| !trial.problems.is_empty())
        .map(|t| format!("seed {} ({:?}, kill after {:?}):\n  {}", t.seed, t.via, t.delay, t.problems.join("\n  ")))
        .collect();
    let mut applied: Vec<usize> = results.iter().filter(|t| !t.finished).map(|t| t.applied).collect();
    applied.sort_unstable();
    let mut summary = format!(
        "crash trials on {dialect}: {count} kills of a child applying {MIGRATIONS} migrations (seeds {}..={}), in {:.1?}; \
         a whole run took {calibration:.1?}; ",
        base_seed + 1,
        base_seed + count,
        started.elapsed(),
    );
    let killed = applied.len();
    let _ = write!(
        summary,
        "{killed} killed mid-run, with {} to {} applied (median {}); {} left a dirty row; {} had finished",
        applied.first().unwrap_or(&0),
        applied.last().unwrap_or(&0),
        applied.get(killed / 2).unwrap_or(&0),
        results.iter().filter(|t| t.dirty.is_some()).count(),
        count as usize - killed,
    );
    let _ = writeln!(std::io::stderr(), "{summary}");
    assert!(failures.is_empty(), "{summary}\n{} trial(s) failed:\n{}", failures.len(), failures.join("\n"));
    assert!(killed * 2 >= count as usize, "most kills must land mid-run: {summary}");
}

fn env_number(var: &str) -> Option<u64> {
    std::env::var(var).ok().and_then(|value| value.parse().ok())
}

#[test]
fn sqlite_survives_kill_9() {
    trials(&[
        Via::Sqlite,
        Via::Sqlx09Sqlite,
        #[cfg(feature = "diesel")]
        Via::DieselSqlite,
    ]);
}

#[test]
fn postgres_survives_kill_9() {
    trials(&[
        Via::Postgres,
        Via::TokioPostgres,
        Via::SqlxPostgres,
        Via::Sqlx09Postgres,
        #[cfg(feature = "diesel")]
        Via::DieselPostgres,
        #[cfg(feature = "diesel")]
        Via::DieselAsyncPostgres,
    ]);
}

#[test]
fn mysql_survives_kill_9() {
    trials(&[
        Via::Mysql,
        Via::SqlxMysql,
        Via::Sqlx09Mysql,
        #[cfg(feature = "diesel")]
        Via::DieselMysql,
        #[cfg(feature = "diesel")]
        Via::DieselAsyncMysql,
    ]);
}

/// The process the trials kill: it applies the folder and says when it starts.
#[test]
#[ignore = "run as a child process by the crash trials"]
fn crash_child() {
    let (_, migrations, runtime, mut conn) = db::in_child_process();
    println!("\nstrata-crash-child applying");
    std::io::stdout().flush().unwrap();
    let report = db::apply(&runtime, &mut conn, &migrations.migrator()).unwrap();
    println!("strata-crash-child applied {}", report.ran.len());
}
