//! `strata plan`, `up`, `down`, `repair` and `baseline`: the runtime's operations.

use super::print_json;
use crate::database::Database;
use crate::failure::{Failure, Outcome};
use crate::on_database;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::io::IsTerminal;
use std::time::Duration;
use strata_runtime::{Event, Migrator, Operation, Target};

#[derive(Serialize)]
struct JsonStep<'a> {
    id: &'a str,
    version: i64,
    direction: String,
    file: &'a str,
    outside_transaction: bool,
    statements: &'a [String],
}

pub fn plan(migrator: &Migrator<'_>, db: &mut Database, operation: Operation, json: bool) -> Outcome {
    let plan = on_database!(db, |conn| migrator.plan(conn, operation))?;
    if json {
        let steps: Vec<JsonStep<'_>> = plan
            .steps
            .iter()
            .map(|step| JsonStep {
                id: &step.id,
                version: step.version,
                direction: step.direction.to_string(),
                file: &step.file,
                outside_transaction: step.no_transaction,
                statements: &step.statements,
            })
            .collect();
        print_json(&steps);
    } else {
        print!("{plan}");
    }
    Ok(())
}

/// How a run shows its progress: one line a migration on stdout, and a bar under them on stderr
/// when both are the terminal. Into a pipe or a file (`strata up | tee log`) the lines alone: a
/// bar drawn on the terminal beside them would come out of order with them.
fn progress(total: usize) -> Option<ProgressBar> {
    if !(std::io::stderr().is_terminal() && std::io::stdout().is_terminal()) {
        return None;
    }
    let bar = ProgressBar::new(total as u64);
    let style = ProgressStyle::with_template("{elapsed_precise} [{wide_bar:.cyan/blue}] {pos}/{len} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar.enable_steady_tick(Duration::from_millis(100));
    Some(bar)
}

/// The migrator, reporting each migration as a line and to `bar`.
fn reporting<'m>(migrator: &Migrator<'m>, bar: Option<ProgressBar>) -> Migrator<'m> {
    migrator.clone().on_event(move |event| {
        let line = match event {
            Event::Waiting { lock, holder, waited } => {
                let held_by = holder.map(|holder| format!(", held by {holder}")).unwrap_or_default();
                let line = format!("waiting {} for {lock}{held_by}", human(*waited));
                if let Some(bar) = &bar {
                    bar.set_message("waiting for the lock");
                }
                print_line(bar.as_ref(), line);
                return;
            }
            Event::Started { migration, .. } => {
                if let Some(bar) = &bar {
                    bar.set_message(migration.id().to_owned());
                }
                return;
            }
            Event::Applied { migration, duration } => format!("applied {migration} in {}", human(*duration)),
            Event::RolledBack { migration, duration } => format!("rolled back {migration} in {}", human(*duration)),
            Event::Failed { migration, error: strata_runtime::Error::Cancelled { .. }, .. } => {
                format!("interrupted {migration}")
            }
            Event::Failed { migration, .. } => format!("failed {migration}"),
            _ => return,
        };
        print_line(bar.as_ref(), line);
        if let Some(bar) = bar.as_ref().filter(|_| !matches!(event, Event::Failed { .. })) {
            bar.inc(1);
        }
    })
}

/// A line on stdout: above the bar, when there is one (stdout is then the terminal too).
fn print_line(bar: Option<&ProgressBar>, line: String) {
    match bar {
        Some(bar) => bar.println(line),
        None => println!("{line}"),
    }
}

/// A duration as people read it: `850 µs`, `21 ms`, `5.54 s`.
pub fn human(duration: Duration) -> String {
    let micros = duration.as_micros();
    match micros {
        0..1_000 => format!("{micros} µs"),
        1_000..10_000 => format!("{:.1} ms", duration.as_secs_f64() * 1e3),
        10_000..1_000_000 => format!("{} ms", micros / 1_000),
        _ => format!("{:.2} s", duration.as_secs_f64()),
    }
}

/// `n thing` or `n things`.
pub fn count(n: usize, thing: &str) -> String {
    if n == 1 { format!("1 {thing}") } else { format!("{n} {thing}s") }
}

/// Runs `operation` under the bar, then says how far it got when it failed.
fn run_reported<T>(
    migrator: &Migrator<'_>,
    total: usize,
    did: &str,
    operation: impl FnOnce(&Migrator<'_>) -> strata_runtime::Result<T>,
) -> Result<T, Failure> {
    let bar = progress(total);
    let result = operation(&reporting(migrator, bar.clone()));
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    result.map_err(|error| {
        if let Some(done) = error.completed().filter(|&done| done > 0) {
            let what =
                if matches!(error, strata_runtime::Error::Cancelled { .. }) { "interruption" } else { "failure" };
            println!("{did} {} before the {what}", count(done, "migration"));
        }
        Failure::from(error)
    })
}

pub fn up(migrator: &Migrator<'_>, db: &mut Database, target: Target) -> Outcome {
    let pending = on_database!(db, |conn| migrator.plan(conn, Operation::Apply(target.clone())))?.steps.len();
    let report = run_reported(migrator, pending, "applied", |run| on_database!(db, |conn| run.apply_to(conn, target)))?;
    if report.ran.is_empty() {
        println!("nothing to do: {} already applied", count(report.skipped, "migration"));
    } else {
        println!("applied {} in {}", count(report.ran.len(), "migration"), human(report.duration));
    }
    if !report.database_ahead.is_empty() {
        let versions: Vec<String> = report.database_ahead.iter().map(i64::to_string).collect();
        println!("the database also holds newer migrations this folder does not have: {}", versions.join(", "));
    }
    Ok(())
}

pub fn down(migrator: &Migrator<'_>, db: &mut Database, target: Target, yes: bool) -> Outcome {
    let steps = on_database!(db, |conn| migrator.plan(conn, Operation::Rollback(target.clone())))?.steps;
    if steps.is_empty() {
        println!("nothing to roll back");
        return Ok(());
    }
    let what = match steps.as_slice() {
        [only] => only.id.clone(),
        [first, .., last] => format!("{} migrations, {} … {}", steps.len(), first.id, last.id),
        [] => String::new(),
    };
    if !yes {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            return Err(Failure::usage(format!(
                "not rolling back {what} without confirmation: pass --yes when there is no terminal to ask on"
            )));
        }
        eprint!("roll back {what}? [y/N] ");
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .map_err(|error| Failure::usage(format!("reading the answer: {error}")))?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("nothing rolled back");
            return Ok(());
        }
    }
    let report = run_reported(migrator, steps.len(), "rolled back", |run| {
        on_database!(db, |conn| run.rollback_to(conn, target))
    })?;
    println!("rolled back {} in {}", count(report.ran.len(), "migration"), human(report.duration));
    Ok(())
}

pub fn repair(migrator: &Migrator<'_>, db: &mut Database) -> Outcome {
    let report = on_database!(db, |conn| migrator.repair(conn))?;
    print!("{report}");
    Ok(())
}

pub fn adopt(migrator: &Migrator<'_>, db: &mut Database, adopt: strata_runtime::Adopt<'_>) -> Outcome {
    let report = on_database!(db, |conn| migrator.adopt(conn, adopt.clone()))?;
    print!("{report}");
    Ok(())
}

pub fn baseline(migrator: &Migrator<'_>, db: &mut Database, migration: &str) -> Outcome {
    let report = on_database!(db, |conn| migrator.baseline(conn, migration))?;
    print!("{report}");
    Ok(())
}
