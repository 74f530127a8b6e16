//! The dry run on a server: a scratch database created for the run on the PostgreSQL or
//! MySQL/MariaDB server the build names, the migrations applied to it the way the runtime applies
//! them, each down script checked against the schema read from the server's catalog, and the
//! database dropped on every way out (a panic included; one a killed build left behind is dropped
//! by the next run, see [`scratch`]).
//!
//! What differs between the servers is a [`Server`]: connecting, creating and dropping a
//! database, marking it in use, the catalog's query, and reading its errors (`postgres`,
//! `mysql`). The run, the comparison and the messages are here, once.

mod catalog;
#[cfg(feature = "dry-run-mysql")]
mod mysql;
#[cfg(feature = "dry-run-postgres")]
mod postgres;
mod scratch;

#[cfg(feature = "dry-run-mysql")]
pub(crate) use mysql::Mysql;
#[cfg(feature = "dry-run-postgres")]
pub(crate) use postgres::Postgres;
pub use scratch::{KEPT_PREFIX, SCRATCH_PREFIX};

use super::{Backend, Cache, Database, DryRunOptions, ServerUrl, down_problem, hint, run_from, within};
use crate::dialect::Dialect;
use crate::flags::Direction;
use crate::load::Loaded;
use crate::model::{MigrationDef, ScriptFile};
use crate::problem::{Position, Problem};
use catalog::Catalog;
use scratch::Scratch;
use std::borrow::Cow;
use std::collections::BTreeSet;

/// What the server said of a statement it refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// Its message, as the server words it.
    pub message: String,
    /// The byte offset in the statement it points at, when it gives one.
    pub offset: Option<usize>,
    /// Its own hint, when it gives one (PostgreSQL's `HINT`).
    pub hint: Option<String>,
}

impl Refusal {
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), offset: None, hint: None }
    }
}

/// One connection to a server.
pub(crate) trait Connection {
    /// Runs `sql`, a statement or a `;`-separated batch, with no parameters.
    fn execute(&mut self, sql: &str) -> Result<(), Refusal>;
    /// The rows of `sql`, each column as text (`NULL` as `None`).
    fn rows(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>, Refusal>;
}

/// What a server's dialect brings to the dry run.
pub(crate) trait Server: Sync {
    /// Its connection.
    type Connection: Connection;
    /// The server's name in messages: `PostgreSQL`.
    const NAME: &'static str;
    /// The dialect of its folders.
    const DIALECT: Dialect;
    /// The one query reading the schema: rows of (kind, name, parent table, definition), see
    /// [`Catalog`].
    const CATALOG: &'static str;
    /// [`CATALOG`](Self::CATALOG) of the objects named `names` (the words of a migration's
    /// scripts: what they can touch) and what belongs to them.
    fn narrowed(names: &BTreeSet<String>) -> String;
    /// Names a typo may have meant, by what a message says is missing: tables, columns, types.
    const NAMES: Names;

    /// Connects to `url`, to its `database` instead of the URL's when one is given.
    fn connect(url: &str, database: Option<&str>) -> Result<Self::Connection, String>;
    /// Creates the empty database `name`.
    fn create(admin: &mut Self::Connection, name: &str) -> Result<(), Refusal>;
    /// Drops the database `name`, if it exists.
    fn drop(admin: &mut Self::Connection, name: &str) -> Result<(), Refusal>;
    /// Marks `name` as in use by this connection's session, if no other session does: a lock
    /// the server releases when the session ends, however it ends.
    fn claim(admin: &mut Self::Connection, name: &str) -> Result<bool, Refusal>;
    /// The databases whose names start with `prefix`.
    fn databases(admin: &mut Self::Connection, prefix: &str) -> Result<Vec<String>, Refusal>;
    /// The statement that starts a transaction.
    const BEGIN: &'static str;
}

/// The catalog queries for the names a hint may suggest.
pub(crate) struct Names {
    pub tables: &'static str,
    pub columns: &'static str,
    pub types: &'static str,
}

/// The dry run of `loaded` on the server `server` names, as [`Backend::check`].
pub(crate) fn check<S: Server>(
    server: &ServerUrl<'_>,
    loaded: &Loaded,
    options: &DryRunOptions,
    cache: Option<&Cache>,
) -> Vec<Problem> {
    // A panic in the run (a bug of strata's) is one problem, after the guards have dropped the
    // scratch database on the way out.
    let run = std::panic::AssertUnwindSafe(|| check_unguarded::<S>(server, loaded, options, cache));
    std::panic::catch_unwind(run).unwrap_or_else(|_| {
        vec![
            Problem::new(format!("the dry run on the {} server of `{}` failed unexpectedly", S::NAME, server.named_by))
                .help("the scratch database was dropped; report this, and turn the dry run off with `dry_run = false` meanwhile"),
        ]
    })
}

fn check_unguarded<S: Server>(
    server: &ServerUrl<'_>,
    loaded: &Loaded,
    options: &DryRunOptions,
    cache: Option<&Cache>,
) -> Vec<Problem> {
    let Some(set) = loaded.set.as_ref() else { return Vec::new() };
    // Only a folder that loaded clean is remembered; the URL stands for the server.
    let identity = format!("{} {}", S::NAME, server.url);
    let cache = cache.filter(|_| loaded.problems.is_empty());
    let keys = Cache::prefix_keys(set, options, &identity);
    let key = Cache::key_of(&keys, &identity);
    if cache.is_some_and(|cache| cache.passed(&key)) {
        return Vec::new();
    }
    // `no-dry-run` stops the run part-way: no database worth keeping.
    let keep = cache.filter(|_| !set.migrations.iter().any(|migration| migration.has(crate::Flags::NO_DRY_RUN)));
    let mut scratch = match Scratch::<S>::open(server, keep, &keys) {
        Ok(scratch) => scratch,
        Err(problem) => return vec![*problem],
    };
    let start = scratch.holds();
    let database = scratch.name().to_owned();
    let Some(conn) = scratch.connection() else {
        return vec![Problem::new(format!(
            "the dry run lost its session on the {} server of `{}`",
            S::NAME,
            server.named_by
        ))];
    };
    let run = Run::<S> { conn, named_by: server.named_by, database: &database };
    let problems = run_from(set, options, run, start, &loaded.broken, &loaded.unplaced, |_, _| {});
    if problems.is_empty() {
        if let Some(cache) = cache {
            cache.record_pass(&key);
        }
        if let Some(cache) = keep {
            // The folder, as the build reads it: a record per folder, the newest.
            let folder =
                set.files_read.first().and_then(|file| file.parent()).map(|dir| dir.to_string_lossy().into_owned());
            scratch.keep(cache, &key, &folder.unwrap_or_else(|| set.folder.clone()));
        }
    }
    problems
}

/// A run on the scratch database.
struct Run<'a, S: Server> {
    conn: &'a mut S::Connection,
    named_by: &'a str,
    /// The scratch database's name, which messages leave out (MySQL's name tables with it).
    database: &'a str,
}

/// Why a script stopped: a statement the server refused (with the statement), or problems found
/// after it ran.
enum Stop<'a> {
    Refused(&'a crate::script::Statement, Refusal),
    Problems(Vec<Problem>),
}

impl<S: Server> Run<'_, S> {
    /// The schema, of the objects `names` name and what hangs on them (a down script's check
    /// reads only those: a whole read costs the server a tenth of a second at a thousand tables).
    fn catalog(&mut self, names: &BTreeSet<String>) -> Result<Catalog, Vec<Problem>> {
        let sql = if names.is_empty() || names.len() > MOST_NAMES {
            Cow::Borrowed(S::CATALOG)
        } else {
            Cow::Owned(S::narrowed(names))
        };
        let rows = self.conn.rows(&sql).map_err(|refusal| vec![self.server_problem(&refusal)])?;
        Ok(Catalog::from_rows(rows, self.database))
    }

    fn server_problem(&self, refusal: &Refusal) -> Problem {
        Problem::new(format!(
            "the dry run could not read the scratch database on the {} server of `{}`: {}",
            S::NAME,
            self.named_by,
            refusal.message
        ))
        .help(format!("check that the user of `{}` may create databases and read their catalog", self.named_by))
    }

    /// Runs `script` the way the runtime does, by the same rule
    /// ([`Flags::runs_in_transaction`](crate::Flags::runs_in_transaction)): in a transaction or
    /// statement by statement; then `keep` looks at the result, and a transaction commits only if
    /// it finds nothing.
    fn script(
        &mut self,
        migration: &MigrationDef,
        direction: Direction,
        script: &ScriptFile,
        keep: impl FnOnce(&mut Self) -> Result<Vec<Problem>, Vec<Problem>>,
    ) -> Result<(), Vec<Problem>> {
        let transactional = migration.flags.runs_in_transaction(direction);
        if transactional {
            self.conn.execute(S::BEGIN).map_err(|refusal| vec![self.server_problem(&refusal)])?;
        }
        let mut stop = None;
        for statement in &script.statements {
            if let Err(refusal) = self.conn.execute(statement.sql()) {
                stop = Some(Stop::Refused(statement, refusal));
                break;
            }
        }
        if stop.is_none() {
            match keep(self) {
                Ok(problems) if problems.is_empty() => {}
                Ok(problems) | Err(problems) => stop = Some(Stop::Problems(problems)),
            }
        }
        if transactional {
            let end = if stop.is_none() { "COMMIT" } else { "ROLLBACK" };
            self.conn.execute(end).map_err(|refusal| vec![self.server_problem(&refusal)])?;
        }
        match stop {
            None => Ok(()),
            Some(Stop::Problems(problems)) => Err(problems),
            // After the rollback: a hint reads the catalog, which an aborted transaction refuses.
            Some(Stop::Refused(statement, refusal)) => Err(vec![self.refused(script, statement, &refusal)]),
        }
    }

    fn refused(&mut self, script: &ScriptFile, statement: &crate::script::Statement, refusal: &Refusal) -> Problem {
        let start = Position::of(statement);
        let position = refusal.offset.map_or(start, |offset| within(start, statement.sql(), offset));
        let help = refusal.hint.clone().or_else(|| self.hint(&refusal.message, statement, &script.text, position));
        let general = format!(
            "the dry run applies every migration in order to a scratch database on the {} server of `{}`; fix the statement, or mark the file `-- strata:no-dry-run` if it needs what that server lacks",
            S::NAME,
            self.named_by
        );
        let message = catalog::without_database(&refusal.message, self.database);
        Problem::in_file(script.file.clone(), message).at(position).help(help.unwrap_or(general))
    }

    /// A did-you-mean for what the message says is missing or misspelt, from the scratch
    /// database's catalog.
    fn hint(
        &mut self,
        message: &str,
        statement: &crate::script::Statement,
        text: &str,
        position: Position,
    ) -> Option<String> {
        if let Some(token) = syntax_error_token(message) {
            return hint::missing_semicolon(token, statement, text, position).or_else(|| hint::keyword_typo(token));
        }
        let missing = super::missing_objects(message);
        let query = if message.starts_with("column ") || message.starts_with("Unknown column") {
            S::NAMES.columns
        } else if message.starts_with("type ") {
            S::NAMES.types
        } else {
            S::NAMES.tables
        };
        let name = missing.first()?;
        let names: Vec<String> =
            self.conn.rows(query).ok()?.into_iter().filter_map(|row| row.into_iter().next().flatten()).collect();
        hint::close_name(name, &names)
    }
}

/// Past this many names (a huge data script) the query would carry them all: the whole catalog is
/// read instead.
const MOST_NAMES: usize = 4096;

/// Every word of `scripts` that could name an object (SQL's keywords among them, which name
/// nothing): what a catalog read for their check may be narrowed to.
fn names_in(scripts: [&ScriptFile; 2]) -> BTreeSet<String> {
    scripts
        .iter()
        .flat_map(|script| script.text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')))
        .filter(|word| !word.is_empty() && !word.starts_with(|c: char| c.is_ascii_digit()))
        .map(str::to_owned)
        .collect()
}

/// The word a syntax error is at: PostgreSQL's `syntax error at or near "SELEC"`, MySQL's
/// `… near 'SELEC 1' at line 1`.
fn syntax_error_token(message: &str) -> Option<&str> {
    if let Some(rest) = message.strip_prefix("syntax error at or near \"") {
        return rest.strip_suffix('"');
    }
    let (_, near) = message.split_once("right syntax to use near '")?;
    let (near, _) = near.rsplit_once("' at line ")?;
    near.split(|c: char| !(c.is_alphanumeric() || c == '_')).find(|word| !word.is_empty())
}

impl<S: Server> Database for Run<'_, S> {
    fn migration(&mut self, migration: &MigrationDef, options: &DryRunOptions) -> Result<(), Vec<Problem>> {
        #[cfg(test)]
        if scratch::witness::PANIC.with(|panic| panic.replace(false)) {
            panic!("a test's panic in the dry run");
        }
        let down = migration.down.as_ref().filter(|_| options.verify_down);
        // The schema before the up script, read only when a down script is to be compared with it.
        // The objects the scripts name, and what hangs on them: what they can change.
        let names = down.map(|down| names_in([&migration.up, down]));
        let before = match &names {
            Some(names) => Some(self.catalog(names)?),
            None => None,
        };
        let accept = |_: &mut Self| Ok(Vec::new());
        self.script(migration, Direction::Up, &migration.up, accept)?;
        let (Some(down), Some(before), Some(names)) = (down, before, names) else { return Ok(()) };
        // A down script that does not restore the schema is rolled back where the server can, so
        // that the later migrations still run on the schema the up script made.
        let restores = |run: &mut Self| {
            let changes = before.changes(&run.catalog(&names)?);
            Ok(changes.into_iter().map(|change| down_problem(change, migration, down)).collect())
        };
        self.script(migration, Direction::Down, down, restores)?;
        // Redo: the up script again, on the schema the down script restored.
        self.script(migration, Direction::Up, &migration.up, accept).map_err(|found| {
            let help = format!(
                "the up script failed when run again after `{}`: make the down script undo everything the up script does",
                down.file
            );
            found.into_iter().map(|problem| problem.help(help.clone())).collect()
        })
    }
}

/// A [`Backend`] on a server of kind `S`.
pub(crate) struct OnServer<S> {
    url: String,
    named_by: String,
    server: std::marker::PhantomData<fn() -> S>,
}

impl<S> OnServer<S> {
    pub fn new(server: ServerUrl<'_>) -> Self {
        Self { url: server.url.to_owned(), named_by: server.named_by.to_owned(), server: std::marker::PhantomData }
    }
}

impl<S: Server> Backend for OnServer<S> {
    fn dialect(&self) -> Dialect {
        S::DIALECT
    }

    fn check(&self, loaded: &Loaded, options: &DryRunOptions, cache: Option<&Cache>) -> Vec<Problem> {
        check::<S>(&ServerUrl { url: &self.url, named_by: &self.named_by }, loaded, options, cache)
    }
}

#[cfg(test)]
mod tests;
