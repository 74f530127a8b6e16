//! The compile-time dry run: every up script applied in order to an in-memory SQLite database,
//! statement by statement, the way the runtime applies it; every down script checked to restore
//! the schema its up script found, then the up script applied again ("redo").
//!
//! A statement SQLite rejects is a problem at its line and column (at the error inside it when
//! SQLite gives an offset), with SQLite's message. The migration is rolled back and the run goes
//! on with the next one, leaving out the failures that a failed (or broken, or misnamed) script
//! explains: *no such table: tags* after the script that creates `tags` failed is its echo, not
//! a problem of its own.

mod cache;
mod hint;
mod schema;
mod table;

pub use cache::{Cache, SNAPSHOT_EVERY};

pub use schema::{Difference, Journal, Schema, SchemaObject, normalize_sql};

use crate::flags::Direction;
use crate::load::Loaded;
use crate::model::{MigrationDef, MigrationSet, Script};
use crate::problem::{Position, Problem, Problems};
use rusqlite::Connection;
use schema::Touched;
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

/// Applies `set` to an in-memory SQLite database and checks every down script.
///
/// # Errors
///
/// Statements SQLite rejects, down scripts that do not restore the schema, foreign key
/// violations left by a migration that turned foreign keys off; or the in-memory database itself
/// failing.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("0001_a.sql"), "CREATE TABLE a(x);")?;
/// std::fs::write(dir.path().join("0002_b.sql"), "CREATE INDEX b ON missing(x);")?;
/// let set = strata_core::load_dir(dir.path(), "migrations", &Default::default())?;
/// let problems = strata_core::dry_run::dry_run(&set, &Default::default()).unwrap_err();
/// assert_eq!(problems.to_string().lines().next(), Some("migrations/0002_b.sql:1:1: no such table: main.missing"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn dry_run(set: &MigrationSet, options: &DryRunOptions) -> Result<(), Problems> {
    let problems = run_all(set, options, &[], &[]);
    if problems.is_empty() { Ok(()) } else { Err(Problems::new(set.folder.clone(), problems)) }
}

/// The dry run of a folder that [`load`](crate::load) read with problems: every migration but
/// the broken ones runs, and a failure that their absence explains (*no such table* of a table
/// a broken, misnamed or failed script names) is left out as a consequence, so that what is
/// reported is a problem of its own.
pub fn dry_run_loaded(loaded: &Loaded, options: &DryRunOptions) -> Vec<Problem> {
    match &loaded.set {
        Some(set) => run_all(set, options, &loaded.broken, &loaded.unplaced),
        None => Vec::new(),
    }
}

/// [`dry_run_loaded`], skipped when `cache` remembers that the same folder, checked the same way
/// by the same build, passed; a pass is remembered. A folder that only grew, or changed after
/// its first migrations, starts from the database the cache kept after the unchanged ones
/// (see [`Cache`]). A folder with problems always runs in full.
pub fn dry_run_cached(loaded: &Loaded, options: &DryRunOptions, cache: &Cache) -> Vec<Problem> {
    let Some(set) = loaded.set.as_ref().filter(|_| loaded.problems.is_empty()) else {
        return dry_run_loaded(loaded, options);
    };
    let keys = Cache::prefix_keys(set, options);
    let key = Cache::key_of(&keys);
    if cache.passed(&key) {
        return Vec::new();
    }
    // `no-dry-run` stops the run part-way: no state worth keeping.
    let snapshots = !set.migrations.iter().any(|migration| migration.has(crate::Flags::NO_DRY_RUN));
    let working = cache.working_copy();
    let resumed = snapshots
        .then(|| cache.latest_snapshot(&keys))
        .flatten()
        .and_then(|(done, path)| Some((done, Run::from_snapshot(&path, &working).ok()?)));
    let (done, run) = match resumed {
        Some(resumed) => resumed,
        None => match Run::new() {
            Ok(run) => (0, run),
            Err(error) => return vec![database_problem(&error)],
        },
    };
    let checkpoint = |run: &Run, index: usize| {
        if snapshots && cache.keeps_snapshot_after(index, keys.len()) {
            cache.save_snapshot(&run.conn, &keys[index]);
        }
    };
    let problems = run_from(set, options, run, done, &[], &[], checkpoint);
    let _ = std::fs::remove_file(&working);
    if problems.is_empty() {
        cache.record_pass(&key);
        cache.forget_passed_snapshots(&keys);
    }
    problems
}

fn run_all(set: &MigrationSet, options: &DryRunOptions, broken: &[i64], unplaced: &[String]) -> Vec<Problem> {
    match Run::new() {
        Ok(run) => run_from(set, options, run, 0, broken, unplaced, |_, _| {}),
        Err(error) => vec![database_problem(&error)],
    }
}

/// Runs the migrations of `set` from position `start` on `run`, calling `checkpoint` after each
/// one that passed while nothing has failed.
fn run_from(
    set: &MigrationSet,
    options: &DryRunOptions,
    mut run: Run,
    start: usize,
    broken: &[i64],
    unplaced: &[String],
    checkpoint: impl Fn(&Run, usize),
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

fn database_problem(error: &rusqlite::Error) -> Problem {
    Problem::new(format!("the dry run's in-memory SQLite database failed: {error}"))
        .help("turn the dry run off with `dry_run = false` and report this")
}

/// The in-memory database and what the dry run knows of its schema.
struct Run {
    conn: Connection,
    schema: Schema,
}

impl Run {
    fn new() -> rusqlite::Result<Self> {
        let conn = Connection::open_in_memory()?;
        let schema = Schema::read(&conn)?;
        Ok(Self { conn, schema })
    }

    /// A run that starts from a snapshot, on a copy of it at `working` (the snapshot stays as it
    /// is for other builds). No durability is needed: the copy is thrown away.
    fn from_snapshot(snapshot: &std::path::Path, working: &std::path::Path) -> Result<Self, ()> {
        std::fs::copy(snapshot, working).map_err(drop)?;
        let conn = Connection::open(working).map_err(drop)?;
        conn.execute_batch("PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536")
            .map_err(drop)?;
        let schema = Schema::read(&conn).map_err(drop)?;
        Ok(Self { conn, schema })
    }

    fn migration(&mut self, migration: &MigrationDef, options: &DryRunOptions) -> Result<(), Vec<Problem>> {
        // Notes the value, before the up script, of everything the up and down scripts change.
        let mut journal = Journal::default();
        let accept = |_: &Schema, _: &Journal| Vec::new();
        self.script(migration, Direction::Up, &migration.up, &mut journal, accept)?;
        let Some(down) = migration.down.as_ref().filter(|_| options.verify_down) else {
            return Ok(());
        };
        // A down script that does not restore the schema is rolled back, so that the later
        // migrations still run on the schema the up script made, not on the down script's.
        let restores = |schema: &Schema, journal: &Journal| -> Vec<Problem> {
            schema.differences(journal).iter().map(|d| difference_problem(d, migration, down)).collect()
        };
        self.script(migration, Direction::Down, down, &mut journal, restores)?;
        // Redo: the up script again, on the schema the down script restored.
        let redo = self.script(migration, Direction::Up, &migration.up, &mut Journal::default(), accept);
        if let Err(found) = redo {
            let help = format!(
                "the up script failed when run again after `{}`: make the down script undo everything the up script does",
                down.file
            );
            return Err(found.into_iter().map(|problem| problem.help(help.clone())).collect());
        }
        Ok(())
    }

    /// Runs one script (`script`, of `direction`) the way the runtime does, by the same rule
    /// ([`Flags::runs_in_transaction`](crate::Flags::runs_in_transaction)): in a transaction or
    /// not, with foreign keys off around it when it turns them off; brings the schema up to date,
    /// and commits if `keep` finds no problem with the result (else rolls back, where it can).
    fn script(
        &mut self,
        migration: &MigrationDef,
        direction: Direction,
        script: &Script,
        journal: &mut Journal,
        keep: impl FnOnce(&Schema, &Journal) -> Vec<Problem>,
    ) -> Result<(), Vec<Problem>> {
        let database = |error: rusqlite::Error| vec![database_problem(&error)];
        let foreign_keys_off = migration.flags.disables_foreign_keys(direction);
        if foreign_keys_off {
            self.conn.execute_batch("PRAGMA foreign_keys = OFF").map_err(database)?;
        }
        let transactional = migration.flags.runs_in_transaction(direction);
        if transactional {
            self.conn.execute_batch("BEGIN").map_err(database)?;
        }
        let mut result = self.statements(script);
        if result.is_ok() && foreign_keys_off {
            result = self.foreign_key_check(script);
        }
        let mut advanced = false;
        if result.is_ok() {
            let mut touched = Touched::default();
            for statement in &script.statements {
                touched.statement(&statement.sql);
            }
            self.schema.advance(&self.conn, &touched, journal).map_err(database)?;
            advanced = true;
            let problems = keep(&self.schema, journal);
            if !problems.is_empty() {
                result = Err(problems);
            }
        }
        if transactional {
            let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
            self.conn.execute_batch(end).map_err(database)?;
            if advanced && result.is_err() {
                // Rare: the picture follows the rollback with a full read.
                self.schema = Schema::read(&self.conn).map_err(database)?;
            }
        }
        if foreign_keys_off {
            self.conn.execute_batch("PRAGMA foreign_keys = ON").map_err(database)?;
        }
        result
    }

    fn statements(&self, script: &Script) -> Result<(), Vec<Problem>> {
        for statement in &script.statements {
            // The runtime honours `PRAGMA foreign_keys = OFF` around the transaction; inside it
            // SQLite ignores the pragma, so the dry run does too.
            if let Err(error) = self.conn.execute_batch(&statement.sql) {
                let (message, offset) = match &error {
                    rusqlite::Error::SqlInputError { msg, offset, .. } => (msg.clone(), usize::try_from(*offset).ok()),
                    rusqlite::Error::SqliteFailure(_, Some(message)) => (message.clone(), None),
                    other => (other.to_string(), None),
                };
                let position =
                    offset.map_or(statement.position, |offset| within(statement.position, &statement.sql, offset));
                let help = hint::help(&self.conn, &message, statement, &script.text, position);
                return Err(vec![Problem::in_file(script.file.clone(), message).at(position).help(help)]);
            }
        }
        Ok(())
    }

    fn foreign_key_check(&self, script: &Script) -> Result<(), Vec<Problem>> {
        let violation: Option<(String, String)> = self
            .conn
            .query_row("PRAGMA foreign_key_check", [], |row| Ok((row.get(0)?, row.get(2)?)))
            .map(Some)
            .or_else(|error| if error == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(error) })
            .map_err(|error| vec![database_problem(&error)])?;
        match violation {
            Some((table, parent)) => Err(vec![Problem::in_file(
                script.file.clone(),
                format!("foreign keys are violated after the script: a row of `{table}` references a missing row of `{parent}`"),
            )
            .help("copy every referenced row when rebuilding a table with foreign keys off")]),
            None => Ok(()),
        }
    }
}

/// The position of byte `offset` of `sql`, a statement that starts at `start`.
fn within(start: Position, sql: &str, offset: usize) -> Position {
    let relative = Position::of_offset(sql, offset);
    if relative.line == 1 {
        Position::new(start.line, start.column + relative.column - 1)
    } else {
        Position::new(start.line + relative.line - 1, relative.column)
    }
}

fn difference_problem(difference: &Difference, migration: &MigrationDef, down: &Script) -> Problem {
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
