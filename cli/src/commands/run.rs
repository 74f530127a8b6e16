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

/// How a run shows its progress: a bar on a terminal, one plain line a migration otherwise.
fn progress(total: usize) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(total as u64);
    let style = ProgressStyle::with_template("{elapsed_precise} [{bar:30.cyan/blue}] {pos}/{len} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar.enable_steady_tick(Duration::from_millis(100));
    Some(bar)
}

/// The migrator, reporting each migration to `bar` or as a plain line.
fn reporting<'m>(migrator: &Migrator<'m>, bar: Option<ProgressBar>) -> Migrator<'m> {
    migrator.clone().on_event(move |event| match (event, &bar) {
        (Event::Started { migration, .. }, Some(bar)) => bar.set_message(migration.id().to_owned()),
        (Event::Applied { .. } | Event::RolledBack { .. }, Some(bar)) => bar.inc(1),
        (Event::Applied { migration, duration }, None) => println!("applied {migration} in {duration:?}"),
        (Event::RolledBack { migration, duration }, None) => println!("rolled back {migration} in {duration:?}"),
        (Event::Failed { migration, .. }, None) => println!("failed {migration}"),
        _ => {}
    })
}

pub fn up(migrator: &Migrator<'_>, db: &mut Database, target: Target) -> Outcome {
    let pending = on_database!(db, |conn| migrator.plan(conn, Operation::Apply(target.clone())))?.steps.len();
    let bar = progress(pending);
    let run = reporting(migrator, bar.clone());
    let result = on_database!(db, |conn| run.apply_to(conn, target));
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let report = result?;
    if report.ran.is_empty() {
        println!("nothing to do: {} migration(s) already applied", report.skipped);
    } else {
        println!("applied {} migration(s) in {:?}", report.ran.len(), report.duration);
    }
    if !report.database_ahead.is_empty() {
        println!("the database also holds newer migrations this folder does not know: {:?}", report.database_ahead);
    }
    Ok(())
}

pub fn down(migrator: &Migrator<'_>, db: &mut Database, target: Target, yes: bool) -> Outcome {
    let steps = on_database!(db, |conn| migrator.plan(conn, Operation::Rollback(target.clone())))?.steps;
    if steps.is_empty() {
        println!("nothing to roll back");
        return Ok(());
    }
    let ids: Vec<&str> = steps.iter().map(|step| step.id.as_str()).collect();
    if !yes {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            return Err(Failure::usage(format!(
                "rolling back {} would undo {} migration(s); pass --yes to do it without a terminal to confirm on",
                ids.join(", "),
                ids.len()
            )));
        }
        eprint!("roll back {} ({} migration(s))? [y/N] ", ids.join(", "), ids.len());
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .map_err(|error| Failure::usage(format!("reading the answer: {error}")))?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("nothing rolled back");
            return Ok(());
        }
    }
    let bar = progress(steps.len());
    let run = reporting(migrator, bar.clone());
    let result = on_database!(db, |conn| run.rollback_to(conn, target));
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let report = result?;
    println!("rolled back {} migration(s) in {:?}", report.ran.len(), report.duration);
    Ok(())
}

pub fn repair(migrator: &Migrator<'_>, db: &mut Database) -> Outcome {
    let report = on_database!(db, |conn| migrator.repair(conn))?;
    print!("{report}");
    Ok(())
}

pub fn baseline(migrator: &Migrator<'_>, db: &mut Database, migration: &str) -> Outcome {
    let report = on_database!(db, |conn| migrator.baseline(conn, migration))?;
    print!("{report}");
    Ok(())
}
