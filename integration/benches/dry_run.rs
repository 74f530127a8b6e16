//! The compile-time dry run against its floor: SQLite alone executing the same statements, the
//! same way (each script in its own transaction, up, down, up again), in an in-memory database.
//!
//! ```text
//! cargo bench --bench dry_run
//! ```
//!
//! SQLite's own cost grows faster than linearly here (every `CREATE` scans `sqlite_master`,
//! every `ALTER TABLE` re-reads the whole schema); the target is that the dry run costs at most
//! 1.5x its floor and that what strata adds on top grows linearly.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing benchmark panics

use rusqlite::Connection;
use strata_core::dry_run::{DryRunOptions, dry_run};
use strata_core::{LoadOptions, MigrationSet, load_dir};

fn main() {
    divan::main();
}

/// `count` migrations: tables with a foreign key, an index and a few rows, and every tenth an
/// `ALTER TABLE` of the previous table, each with a down script.
fn generated(count: usize) -> (tempfile::TempDir, MigrationSet) {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..count {
        let (up, down) = if i % 10 == 9 {
            let table = i - 1;
            (
                format!("ALTER TABLE t_{table} ADD COLUMN extra_{i} TEXT;"),
                format!("ALTER TABLE t_{table} DROP COLUMN extra_{i};"),
            )
        } else {
            // The previous table: migration i - 1 is an ALTER when i - 1 ends in 9.
            let parent = match i {
                0 => String::new(),
                _ if i % 10 == 0 => format!(" REFERENCES t_{}(id)", i - 2),
                _ => format!(" REFERENCES t_{}(id)", i - 1),
            };
            (
                format!(
                    "CREATE TABLE t_{i}(\n  id INTEGER PRIMARY KEY,\n  name TEXT NOT NULL,\n  parent INTEGER{parent},\n  created_at TEXT DEFAULT CURRENT_TIMESTAMP\n);\nCREATE INDEX t_{i}_name ON t_{i}(name);\nINSERT INTO t_{i}(name) VALUES ('a'), ('b');"
                ),
                format!("DROP INDEX t_{i}_name;\nDROP TABLE t_{i};"),
            )
        };
        std::fs::write(dir.path().join(format!("{:06}_m{i}.sql", i + 1)), up).unwrap();
        std::fs::write(dir.path().join(format!("{:06}_m{i}.down.sql", i + 1)), down).unwrap();
    }
    let set = load_dir(dir.path(), "migrations", &LoadOptions::default()).unwrap();
    (dir, set)
}

/// The floor: the statements the dry run executes, in the same transactions, and nothing else.
fn floor(set: &MigrationSet) {
    let conn = Connection::open_in_memory().unwrap();
    let script = |statements: &[strata_core::Statement]| {
        conn.execute_batch("BEGIN").unwrap();
        for statement in statements {
            conn.execute_batch(statement.sql()).unwrap_or_else(|e| panic!("{}: {e}", statement.sql()));
        }
        conn.execute_batch("COMMIT").unwrap();
    };
    for migration in &set.migrations {
        script(&migration.up.statements);
        if let Some(down) = &migration.down {
            script(&down.statements);
            script(&migration.up.statements);
        }
    }
}

/// 100 and 1,000 migrations, sampled a few times.
const SIZES: [usize; 2] = [100, 1_000];

/// 10,000 migrations take minutes (SQLite's own cost is quadratic here): one sample each.
const LARGE: [usize; 1] = [10_000];

#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn sqlite_floor(bencher: divan::Bencher<'_, '_>, count: usize) {
    let (_dir, set) = generated(count);
    bencher.bench_local(|| floor(&set));
}

#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn strata_dry_run(bencher: divan::Bencher<'_, '_>, count: usize) {
    let (_dir, set) = generated(count);
    bencher.bench_local(|| dry_run(&set, &DryRunOptions::default()).unwrap());
}

#[divan::bench(args = LARGE, sample_count = 1, sample_size = 1)]
fn sqlite_floor_large(bencher: divan::Bencher<'_, '_>, count: usize) {
    let (_dir, set) = generated(count);
    bencher.bench_local(|| floor(&set));
}

#[divan::bench(args = LARGE, sample_count = 1, sample_size = 1)]
fn strata_dry_run_large(bencher: divan::Bencher<'_, '_>, count: usize) {
    let (_dir, set) = generated(count);
    bencher.bench_local(|| dry_run(&set, &DryRunOptions::default()).unwrap());
}
