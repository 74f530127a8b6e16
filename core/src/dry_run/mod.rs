//! The compile-time dry run: every up script applied in order to a scratch database (a
//! [`Backend`]; SQLite in memory is the first), statement by statement, the way the runtime
//! applies it; every down script checked to restore the schema its up script found, then the up
//! script applied again ("redo"). This module holds what every backend shares: the run over the
//! set, the echoes left out, positions and messages; `sqlite` holds the SQLite backend (feature
//! `dry-run`), `server` the PostgreSQL and MySQL/MariaDB ones, on a scratch database of a server
//! the build names (features `dry-run-postgres`, `dry-run-mysql`).
//!
//! A statement the database rejects is a problem at its line and column (at the error inside it
//! when the database gives an offset), with the database's message. The migration is rolled back and the run goes
//! on with the next one, leaving out the failures that a failed (or broken, or misnamed) script
//! explains: *no such table: tags* after the script that creates `tags` failed is its echo, not
//! a problem of its own.

// With the loader alone (no backend), the shared run is there for none.
#![cfg_attr(not(any(feature = "dry-run", feature = "dry-run-postgres", feature = "dry-run-mysql")), allow(dead_code))]

mod cache;
#[cfg(any(feature = "dry-run", feature = "dry-run-postgres", feature = "dry-run-mysql"))]
mod hint;
#[cfg(feature = "dry-run")]
mod schema;
#[cfg(feature = "dry-run")]
mod table;

#[cfg(any(feature = "dry-run-postgres", feature = "dry-run-mysql"))]
mod server;
#[cfg(feature = "dry-run")]
mod sqlite;

pub use cache::{Cache, SNAPSHOT_EVERY};
#[cfg(feature = "dry-run")]
pub use schema::{Difference, Journal, Schema, SchemaObject, normalize_sql};
#[cfg(any(feature = "dry-run-postgres", feature = "dry-run-mysql"))]
pub use server::{KEPT_PREFIX, SCRATCH_PREFIX};
#[cfg(feature = "dry-run")]
pub use sqlite::{Sqlite, dry_run, dry_run_cached, dry_run_loaded};

use crate::dialect::Dialect;
use crate::load::Loaded;
use crate::model::{MigrationDef, MigrationSet};
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
/// (`Sqlite`, feature `dry-run`), or a scratch database on a PostgreSQL or MySQL/MariaDB
/// server (features `dry-run-postgres` and `dry-run-mysql`). The macro and
/// `strata check` ask [`backend`] for the one of a folder's dialect.
pub trait Backend: Sync {
    /// The dialect it speaks.
    fn dialect(&self) -> Dialect;

    /// Every problem of applying `loaded`'s migrations (what [`load`](crate::load) found
    /// broken is left out, with the failures its absence explains). With a `cache`, a folder
    /// that passed before is not run again, and one that grew resumes where it was.
    fn check(&self, loaded: &Loaded, options: &DryRunOptions, cache: Option<&Cache>) -> Vec<Problem>;
}

/// Where a dry run on a server comes from: its URL and what named it, which messages name
/// (`STRATA_DRY_RUN_POSTGRES_URL`, `--db`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerUrl<'a> {
    /// The server's URL (`postgres://…`, `mysql://…`).
    pub url: &'a str,
    /// The variable or option it was given by.
    pub named_by: &'a str,
}

/// The environment variable that names the server for a build's dry run of `dialect`'s folders:
/// `STRATA_DRY_RUN_POSTGRES_URL`, `STRATA_DRY_RUN_MYSQL_URL`; none for SQLite.
///
/// ```
/// use strata_core::Dialect;
/// assert_eq!(strata_core::dry_run::server_variable(Dialect::Postgres), Some("STRATA_DRY_RUN_POSTGRES_URL"));
/// assert_eq!(strata_core::dry_run::server_variable(Dialect::Sqlite), None);
/// ```
pub const fn server_variable(dialect: Dialect) -> Option<&'static str> {
    match dialect {
        Dialect::Sqlite => None,
        Dialect::Postgres => Some("STRATA_DRY_RUN_POSTGRES_URL"),
        Dialect::Mysql => Some("STRATA_DRY_RUN_MYSQL_URL"),
    }
}

/// The dry run of folders in `dialect`, if this build has one: SQLite's in memory (feature
/// `dry-run`); PostgreSQL's and MySQL's on the `server` given (features `dry-run-postgres`,
/// `dry-run-mysql`). Without one, a folder is checked by the lexer and the statement rules alone.
///
/// ```
/// use strata_core::Dialect;
/// assert!(strata_core::dry_run::backend(Dialect::Sqlite, None).is_some());
/// assert!(strata_core::dry_run::backend(Dialect::Postgres, None).is_none());
/// ```
pub fn backend(dialect: Dialect, server: Option<ServerUrl<'_>>) -> Option<Box<dyn Backend>> {
    match (dialect, server) {
        #[cfg(feature = "dry-run")]
        (Dialect::Sqlite, _) => Some(Box::new(Sqlite)),
        #[cfg(feature = "dry-run-postgres")]
        (Dialect::Postgres, Some(server)) => Some(Box::new(server::OnServer::<server::Postgres>::new(server))),
        #[cfg(feature = "dry-run-mysql")]
        (Dialect::Mysql, Some(server)) => Some(Box::new(server::OnServer::<server::Mysql>::new(server))),
        _ => {
            let _ = server;
            None
        }
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

/// The objects the database's `message` says are missing. SQLite's: `no such table: main.tags`
/// → `tags`; `table posts has no column named tag` → `posts`, `tag`. PostgreSQL's:
/// `relation "tags" does not exist`, `column "tag" of relation "posts" does not exist`,
/// `function touch(integer) does not exist`. MySQL's: `Table 'db.tags' doesn't exist`,
/// `Unknown column 'tag' in 'field list'`.
fn missing_objects(message: &str) -> Vec<String> {
    let names: Vec<&str> = if let Some((_, name)) = message.strip_prefix("no such ").and_then(|r| r.split_once(": ")) {
        vec![name]
    } else if let Some((table, column)) =
        message.strip_prefix("table ").and_then(|rest| rest.split_once(" has no column named "))
    {
        vec![table, column]
    } else if let Some(subject) = message.strip_suffix(" does not exist") {
        match quoted(subject, '"') {
            names if !names.is_empty() => names,
            // `function touch(integer)`: the name before its arguments.
            _ => subject.split('(').next().and_then(|head| head.split_whitespace().last()).into_iter().collect(),
        }
    } else if message.contains("doesn't exist") || message.starts_with("Unknown ") {
        quoted(message, '\'').into_iter().take(1).collect()
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

/// The parts of `text` between pairs of `quote`.
fn quoted(text: &str, quote: char) -> Vec<&str> {
    text.split(quote).skip(1).step_by(2).collect()
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

/// How a down script failed to restore one object, as a message says it.
pub(crate) enum DownChange {
    /// What the up script created and the down script left (`table `tags``).
    Remains(String),
    /// What existed before the up script and is gone after the down script.
    Missing(String),
    /// An object whose definition differs, and how (`it was … and is now …`, or by detail).
    Changed(String, String),
}

/// The problem of a down script `down` of `migration` that leaves `change`.
pub(crate) fn down_problem(change: DownChange, migration: &MigrationDef, down: &crate::model::ScriptFile) -> Problem {
    let up = &migration.up.file;
    let (message, help) = match change {
        DownChange::Remains(object) => (
            format!("{object} still exists after `{}`", down.file),
            format!("drop it in the down script: `{up}` creates it"),
        ),
        DownChange::Missing(object) => (
            format!("{object} is missing after `{}`", down.file),
            format!("the down script drops what existed before `{up}`; drop only what `{up}` creates"),
        ),
        DownChange::Changed(object, how) => (
            format!("{object} differs after `{}`: {how}", down.file),
            "make the down script restore the definition the up script found".to_owned(),
        ),
    };
    Problem::in_file(down.file.clone(), message).help(help)
}

/// `it was `…` and is now `…``, with only the part that differs of long definitions.
pub(crate) fn was_and_is(before: &str, after: &str) -> String {
    let (was, now) = differing_parts(before, after);
    format!("it was `{was}` and is now `{now}`")
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
#[cfg(feature = "dry-run")]
mod tests;
