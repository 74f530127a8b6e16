//! The compile-time dry run: every up script applied in order to a scratch database (a
//! [`Backend`]; SQLite in memory is the first), statement by statement, the way the runtime
//! applies it; every down script checked to restore the schema its up script found, then the up
//! script applied again ("redo"). This module holds what every backend shares: the run over the
//! set, the echoes left out, positions and messages; `sqlite` holds the SQLite backend.
//!
//! A statement the database rejects is a problem at its line and column (at the error inside it
//! when the database gives an offset), with the database's message. The migration is rolled back and the run goes
//! on with the next one, leaving out the failures that a failed (or broken, or misnamed) script
//! explains: *no such table: tags* after the script that creates `tags` failed is its echo, not
//! a problem of its own.

mod cache;
mod hint;
mod schema;
mod table;

mod sqlite;

pub use cache::{Cache, SNAPSHOT_EVERY};
pub use schema::{Difference, Journal, Schema, SchemaObject, normalize_sql};
pub use sqlite::{Sqlite, dry_run, dry_run_cached, dry_run_loaded};

use crate::dialect::Dialect;
use crate::load::Loaded;
use crate::model::{MigrationDef, MigrationSet, ScriptFile};
use crate::problem::{Position, Problem};
use std::collections::HashSet;

/// What the dry run checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DryRunOptions {
    /// Check that each down script restores the schema its up script found.
    pub verify_down: bool,
}

impl Default for DryRunOptions {
    fn default() -> Self {
        Self { verify_down: true }
    }
}

/// A database the dry run applies a folder to, the way the runtime would: SQLite in memory
/// ([`Sqlite`]) today. The macro and `strata check` ask [`backend`] for the one of a folder's
/// dialect, so that a dry run on another database is one more implementation.
pub trait Backend: Sync {
    /// The dialect it speaks.
    fn dialect(&self) -> Dialect;

    /// Every problem of applying `loaded`'s migrations (what [`load`](crate::load) found
    /// broken is left out, with the failures its absence explains). With a `cache`, a folder
    /// that passed before is not run again, and one that grew resumes where it was.
    fn check(&self, loaded: &Loaded, options: &DryRunOptions, cache: Option<&Cache>) -> Vec<Problem>;
}

/// The dry run of folders in `dialect`, if strata has one: SQLite only, for now. Other
/// dialects are checked by the lexer and the statement rules alone.
///
/// ```
/// use strata_core::Dialect;
/// assert!(strata_core::dry_run::backend(Dialect::Sqlite).is_some());
/// assert!(strata_core::dry_run::backend(Dialect::Postgres).is_none());
/// ```
pub fn backend(dialect: Dialect) -> Option<&'static dyn Backend> {
    match dialect {
        Dialect::Sqlite => Some(&Sqlite),
        Dialect::Postgres | Dialect::Mysql => None,
    }
}

/// One run of a backend: a database the migrations are applied to one after the other.
pub(crate) trait Database {
    /// Applies `migration`'s up script; with `options.verify_down`, checks that its down script
    /// restores the schema, and that the up script applies again after it.
    fn migration(&mut self, migration: &MigrationDef, options: &DryRunOptions) -> Result<(), Vec<Problem>>;
}

/// Runs the migrations of `set` from position `start` on `run`, calling `checkpoint` after each
/// one that passed while nothing has failed.
pub(crate) fn run_from<R: Database>(
    set: &MigrationSet,
    options: &DryRunOptions,
    mut run: R,
    start: usize,
    broken: &[i64],
    unplaced: &[String],
    checkpoint: impl Fn(&R, usize),
) -> Vec<Problem> {
    let mut absent = Absent::default();
    for text in unplaced {
        absent.add(text);
    }
    let mut problems = Vec::new();
    let mut clean = broken.is_empty() && unplaced.is_empty();
    for (index, migration) in set.migrations.iter().enumerate().skip(start) {
        // `strata:no-dry-run` skips the file, and the later ones' semantics with it: they may
        // need what it creates.
        if migration.has(crate::Flags::NO_DRY_RUN) {
            break;
        }
        if broken.contains(&migration.version.number) {
            absent.add(&migration.up.text);
            continue;
        }
        match run.migration(migration, options) {
            Ok(()) if clean => checkpoint(&run, index),
            Ok(()) => {}
            Err(found) => {
                clean = false;
                problems.extend(found.into_iter().filter(|problem| !absent.explains(problem)));
                absent.add(&migration.up.text);
            }
        }
    }
    problems
}

/// The names in scripts that did not run: a statement that fails for want of one of those
/// objects fails as a consequence.
#[derive(Default)]
struct Absent {
    words: HashSet<String>,
}

impl Absent {
    fn add(&mut self, text: &str) {
        let words = text.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|word| !word.is_empty());
        self.words.extend(words.map(str::to_lowercase));
    }

    /// Whether `problem` is SQLite missing an object that an absent script names.
    fn explains(&self, problem: &Problem) -> bool {
        missing_objects(&problem.message).iter().any(|name| self.words.contains(&name.to_lowercase()))
    }
}

/// The objects SQLite's `message` says are missing: `no such table: main.tags` → `tags`;
/// `table posts has no column named tag` → `posts`, `tag`.
fn missing_objects(message: &str) -> Vec<String> {
    let names: Vec<&str> = if let Some((_, name)) = message.strip_prefix("no such ").and_then(|r| r.split_once(": ")) {
        vec![name]
    } else if let Some((table, column)) =
        message.strip_prefix("table ").and_then(|rest| rest.split_once(" has no column named "))
    {
        vec![table, column]
    } else {
        Vec::new()
    };
    names
        .into_iter()
        .map(|name| {
            let name = name.rsplit('.').next().unwrap_or(name);
            name.trim().trim_matches(|c| matches!(c, '"' | '`' | '[' | ']' | '\'')).to_owned()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// The position of byte `offset` of `sql`, a statement that starts at `start`.
pub(crate) fn within(start: Position, sql: &str, offset: usize) -> Position {
    let relative = Position::of_offset(sql, offset);
    if relative.line == 1 {
        Position::new(start.line, start.column + relative.column - 1)
    } else {
        Position::new(start.line + relative.line - 1, relative.column)
    }
}

pub(crate) fn difference_problem(difference: &Difference, migration: &MigrationDef, down: &ScriptFile) -> Problem {
    let up = &migration.up.file;
    let (message, help) = match difference {
        Difference::Remains(object) => (
            format!("{object} still exists after `{}`", down.file),
            format!("drop it in the down script: `{up}` creates it"),
        ),
        Difference::Missing(object) => (
            format!("{object} is missing after `{}`", down.file),
            format!("the down script drops what existed before `{up}`; drop only what `{up}` creates"),
        ),
        Difference::Changed { after, details, .. } if !details.is_empty() => (
            format!("{after} differs after `{}`: {}", down.file, details.join("; ")),
            "make the down script restore the definition the up script found".to_owned(),
        ),
        Difference::Changed { before, after, .. } => {
            let shown = |object: &SchemaObject| normalize_sql(object.sql.as_deref().unwrap_or(""));
            let (was, now) = differing_parts(&shown(before), &shown(after));
            (
                format!("{after} differs after `{}`: it was `{was}` and is now `{now}`", down.file),
                "make the down script restore the definition the up script found".to_owned(),
            )
        }
    };
    Problem::in_file(down.file.clone(), message).help(help)
}

/// Two definitions as a message shows them: whole when short; else the part where they differ,
/// widened to whole column definitions (from after a `(` or `,` to before a `,` or `)`), the
/// rest `…`, so that a wide table's change is readable.
fn differing_parts(before: &str, after: &str) -> (String, String) {
    const SHORT: usize = 100;
    if before.len().max(after.len()) <= SHORT {
        return (before.to_owned(), after.to_owned());
    }
    let mut prefix = before.bytes().zip(after.bytes()).take_while(|(a, b)| a == b).count();
    while !before.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let room = before.len().min(after.len()) - prefix;
    let mut suffix = before.bytes().rev().zip(after.bytes().rev()).take_while(|(a, b)| a == b).count().min(room);
    // Shrunk to a character boundary, the shared ends stay shared and start a character in both.
    while !before.is_char_boundary(before.len() - suffix) {
        suffix -= 1;
    }
    let start = before[..prefix].rfind(['(', ',']).map_or(0, |at| at + 1);
    let common_end = &before[before.len() - suffix..];
    let extra = common_end.find([',', ')']).unwrap_or(common_end.len());
    let cut = |text: &str| {
        let end = (text.len() - suffix + extra).max(start);
        let Some(part) = text.get(start..end) else { return text.to_owned() };
        let head = if start > 0 { "…" } else { "" };
        let tail = if end < text.len() { "…" } else { "" };
        format!("{head}{part}{tail}")
    };
    (cut(before), cut(after))
}

#[cfg(test)]
mod tests;
