//! The SQLite backend: an in-memory database (or a copy of a cached snapshot), SQLite's own
//! messages and offsets, its pragmas for the schema, `VACUUM INTO` for snapshots.

use super::schema::Touched;
use super::schema::{Difference, SchemaObject, normalize_sql};
use super::{
    Backend, Cache, Database, DownChange, DryRunOptions, Journal, Schema, down_problem, hint, run_from, was_and_is,
    within,
};
use crate::dialect::Dialect;
use crate::flags::Direction;
use crate::load::Loaded;
use crate::model::{MigrationDef, MigrationSet, ScriptFile};
use crate::problem::{Problem, Problems};
use rusqlite::Connection;

/// The dry run on SQLite, in memory, with the bundled SQLite (FTS5, JSON and R*Tree included).
#[derive(Debug, Clone, Copy, Default)]
pub struct Sqlite;

impl Backend for Sqlite {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn check(&self, loaded: &Loaded, options: &DryRunOptions, cache: Option<&Cache>) -> Vec<Problem> {
        match cache {
            Some(cache) => dry_run_cached(loaded, options, cache),
            None => dry_run_loaded(loaded, options),
        }
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
    let keys = Cache::prefix_keys(set, options, &identity());
    let key = Cache::key_of(&keys, &identity());
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

/// What the cache knows this backend by: the bundled SQLite's version.
pub(crate) fn identity() -> String {
    format!("sqlite {}", rusqlite::version())
}

fn run_all(set: &MigrationSet, options: &DryRunOptions, broken: &[i64], unplaced: &[String]) -> Vec<Problem> {
    match Run::new() {
        Ok(run) => run_from(set, options, run, 0, broken, unplaced, |_, _| {}),
        Err(error) => vec![database_problem(&error)],
    }
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

    fn apply(&mut self, migration: &MigrationDef, options: &DryRunOptions) -> Result<(), Vec<Problem>> {
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
        script: &ScriptFile,
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
                touched.statement(statement.sql());
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

    fn statements(&self, script: &ScriptFile) -> Result<(), Vec<Problem>> {
        for statement in &script.statements {
            // The runtime honours `PRAGMA foreign_keys = OFF` around the transaction; inside it
            // SQLite ignores the pragma, so the dry run does too.
            if let Err(error) = self.conn.execute_batch(statement.sql()) {
                let (message, offset) = match &error {
                    rusqlite::Error::SqlInputError { msg, offset, .. } => (msg.clone(), usize::try_from(*offset).ok()),
                    rusqlite::Error::SqliteFailure(_, Some(message)) => (message.clone(), None),
                    other => (other.to_string(), None),
                };
                let position = offset.map_or(crate::Position::of(statement), |offset| {
                    within(crate::Position::of(statement), statement.sql(), offset)
                });
                let help = hint::help(&self.conn, &message, statement, &script.text, position);
                return Err(vec![Problem::in_file(script.file.clone(), message).at(position).help(help)]);
            }
        }
        Ok(())
    }

    fn foreign_key_check(&self, script: &ScriptFile) -> Result<(), Vec<Problem>> {
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

impl Database for Run {
    fn migration(&mut self, migration: &MigrationDef, options: &DryRunOptions) -> Result<(), Vec<Problem>> {
        self.apply(migration, options)
    }
}

fn difference_problem(difference: &Difference, migration: &MigrationDef, down: &ScriptFile) -> Problem {
    let change = match difference {
        Difference::Remains(object) => DownChange::Remains(object.to_string()),
        Difference::Missing(object) => DownChange::Missing(object.to_string()),
        Difference::Changed { after, details, .. } if !details.is_empty() => {
            DownChange::Changed(after.to_string(), details.join("; "))
        }
        Difference::Changed { before, after, .. } => {
            let shown = |object: &SchemaObject| normalize_sql(object.sql.as_deref().unwrap_or(""));
            DownChange::Changed(after.to_string(), was_and_is(&shown(before), &shown(after)))
        }
    };
    down_problem(change, migration, down)
}
