//! `strata status` and `strata verify`: what the database holds, read without writing.

use super::print_json;
use crate::database::Database;
use crate::failure::{Failure, Outcome};
use crate::on_database;
use serde::Serialize;
use strata_runtime::{MigrationState, Migrations, Migrator, Status};

/// One migration as `status --json` prints it.
#[derive(Serialize)]
struct Line<'a> {
    id: String,
    version: i64,
    name: &'a str,
    /// `applied`, `pending`, `out of order`, `dirty`, `edited` or `unknown`.
    state: &'static str,
    applied_at: Option<&'a str>,
    duration_ms: Option<u128>,
    /// Where a dirty migration stopped.
    failure: Option<&'a str>,
}

#[derive(Serialize)]
struct Summary {
    applied: usize,
    pending: usize,
    dirty: usize,
    edited: usize,
    unknown: usize,
}

#[derive(Serialize)]
struct Json<'a> {
    migrations: Vec<Line<'a>>,
    summary: Summary,
    /// Another tool's history where strata has none (see `Status::foreign_history`).
    #[serde(skip_serializing_if = "Option::is_none")]
    foreign_history: Option<Foreign<'a>>,
}

#[derive(Serialize)]
struct Foreign<'a> {
    tool: &'a str,
    table: &'a str,
    rows: i64,
}

/// Each migration's state; a pending one ordered before an applied one is out of order.
fn lines<'a>(status: &'a Status, migrations: &Migrations) -> Vec<Line<'a>> {
    let last_applied = status.migrations.iter().rposition(|line| line.state != MigrationState::Pending);
    let mut lines: Vec<Line<'a>> = status
        .migrations
        .iter()
        .enumerate()
        .map(|(position, line)| {
            let (state, row) = match &line.state {
                MigrationState::Applied(row) => ("applied", Some(row)),
                MigrationState::Edited(row) => ("edited", Some(row)),
                MigrationState::Dirty(row) => ("dirty", Some(row)),
                _ if last_applied.is_some_and(|last| last > position) && !migrations[position].any_order() => {
                    ("out of order", None)
                }
                _ => ("pending", None),
            };
            Line {
                id: line.id.clone(),
                version: line.version,
                name: &line.name,
                state,
                applied_at: row.map(|row| row.applied_at.as_str()),
                duration_ms: row.map(|row| row.duration.as_millis()),
                failure: row.and_then(|row| row.failure.as_deref()),
            }
        })
        .collect();
    lines.extend(status.unknown.iter().map(|row| Line {
        id: row.id(),
        version: row.version,
        name: &row.name,
        state: "unknown",
        applied_at: Some(&row.applied_at),
        duration_ms: Some(row.duration.as_millis()),
        failure: row.failure.as_deref(),
    }));
    lines
}

pub fn status(migrator: &Migrator<'_>, migrations: &Migrations, db: &mut Database, json: bool) -> Outcome {
    let status = on_database!(db, |conn| migrator.status(conn))?;
    let lines = lines(&status, migrations);
    let count = |state: &str| lines.iter().filter(|line| line.state == state).count();
    let summary = Summary {
        applied: count("applied") + count("edited"),
        pending: count("pending") + count("out of order"),
        dirty: count("dirty"),
        edited: count("edited"),
        unknown: count("unknown"),
    };
    if json {
        let foreign_history = status.foreign_history.as_ref().map(|found| Foreign {
            tool: found.tool,
            table: found.table.trim_matches('`'),
            rows: found.rows,
        });
        print_json(&Json { migrations: lines, summary, foreign_history });
        return Ok(());
    }
    let id_width = lines.iter().map(|line| line.id.chars().count()).chain([9]).max().unwrap_or(9);
    let version_width = lines.iter().map(|line| line.version.to_string().len()).chain([7]).max().unwrap_or(7);
    println!(
        "{:>version_width$}  {:<id_width$}  {:<12}  {:<24}  duration",
        "version", "migration", "state", "applied at"
    );
    for line in &lines {
        let duration = line.duration_ms.map(milliseconds).unwrap_or_default();
        let text = format!(
            "{:>version_width$}  {:<id_width$}  {:<12}  {:<24}  {duration}",
            line.version,
            line.id,
            line.state,
            line.applied_at.unwrap_or_default(),
        );
        anstream::println!("{}", paint(line.state, text.trim_end()));
        if let Some(failure) = line.failure {
            println!("{:>version_width$}  stopped at {failure}", "");
        }
    }
    let mut text = format!("{} applied, {} pending", summary.applied, summary.pending);
    for (count, what) in [
        (summary.dirty, "dirty"),
        (summary.edited, "edited since applied"),
        (summary.unknown, "unknown to this folder"),
    ] {
        if count > 0 {
            text.push_str(&format!(", {count} {what}"));
        }
    }
    println!("{text}");
    if let Some(found) = &status.foreign_history {
        println!("{found}");
    }
    Ok(())
}

/// A status line in its state's colour (on a terminal).
fn paint(state: &str, text: &str) -> String {
    use anstyle::{AnsiColor, Style};
    let style = match state {
        "applied" => Style::new().fg_color(Some(AnsiColor::Green.into())),
        "pending" => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
        _ => Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
    };
    format!("{style}{text}{style:#}")
}

#[derive(Serialize)]
struct Verified {
    ok: bool,
    /// The refusal, as `strata::Error` says it.
    error: Option<String>,
}

pub fn verify(migrator: &Migrator<'_>, db: &mut Database, json: bool) -> Outcome {
    let result = on_database!(db, |conn| migrator.verify(conn));
    if json {
        print_json(&Verified { ok: result.is_ok(), error: result.as_ref().err().map(ToString::to_string) });
        return result.map_err(|_| Failure::Problems);
    }
    result?;
    println!("the database agrees with the folder");
    Ok(())
}

/// A duration the history recorded, in whole milliseconds: a quicker migration's 0 is under one.
fn milliseconds(ms: u128) -> String {
    if ms == 0 { "<1 ms".to_owned() } else { format!("{ms} ms") }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_migration_quicker_than_a_millisecond_took_under_one() {
        assert_eq!(super::milliseconds(0), "<1 ms");
        assert_eq!(super::milliseconds(12), "12 ms");
    }
}
