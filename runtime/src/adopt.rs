//! Taking over another tool's history: what its rows say was applied, matched to the migrations
//! and checked here, without a database; `run.rs` reads the rows and writes strata's.

use crate::driver::{Dialect, Value};
use crate::error::{Error, Result};
use crate::history::Layout;
use crate::migrations::Migrations;
use std::borrow::Cow;
use std::fmt;

/// The tool whose history [`Migrator::adopt`](crate::Migrator::adopt) takes over, and what its
/// rows let strata check: sqlx, refinery and Flyway store a checksum of each file (compared:
/// their variants need the feature `adopt`, with which `embed_migrations!` embeds those
/// checksums, 80 bytes a migration); diesel, golang-migrate, dbmate and goose store versions;
/// rusqlite_migration a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum From {
    /// sqlx's `_sqlx_migrations`: each row's SHA-384 of the file is compared, and a row that
    /// failed (`success = false`) is refused.
    #[cfg(feature = "adopt")]
    Sqlx,
    /// diesel's `__diesel_schema_migrations (version, run_on)`.
    Diesel,
    /// refinery's `refinery_schema_history`: each row's SipHash of name, version and SQL is
    /// compared.
    #[cfg(feature = "adopt")]
    Refinery,
    /// rusqlite_migration's `PRAGMA user_version` (SQLite): how many migrations were applied.
    RusqliteMigration,
    /// Flyway's `flyway_schema_history`: each row's CRC32 is compared, a failed row refused, and
    /// a baseline row stands for every migration up to its version.
    #[cfg(feature = "adopt")]
    Flyway,
    /// golang-migrate's `schema_migrations (version, dirty)`: one row, the last version applied.
    GolangMigrate,
    /// dbmate's `schema_migrations (version)`.
    Dbmate,
    /// goose's `goose_db_version`: a row per apply (and, in older versions, per rollback); the
    /// latest row of a version says whether it is applied.
    Goose,
}

impl From {
    const ALL: &'static [From] = &[
        #[cfg(feature = "adopt")]
        From::Sqlx,
        From::Diesel,
        #[cfg(feature = "adopt")]
        From::Refinery,
        From::RusqliteMigration,
        #[cfg(feature = "adopt")]
        From::Flyway,
        From::GolangMigrate,
        From::Dbmate,
        From::Goose,
    ];

    pub(crate) const fn layout(self) -> Layout {
        match self {
            #[cfg(feature = "adopt")]
            From::Sqlx => Layout::Sqlx,
            From::Diesel => Layout::Diesel,
            #[cfg(feature = "adopt")]
            From::Refinery => Layout::Refinery,
            From::RusqliteMigration => Layout::RusqliteMigration,
            #[cfg(feature = "adopt")]
            From::Flyway => Layout::Flyway,
            From::GolangMigrate => Layout::GolangMigrate,
            From::Dbmate => Layout::Dbmate,
            From::Goose => Layout::Goose,
        }
    }

    /// The tool `adopt` takes over whose name (as messages write it) is `tool`.
    pub(crate) fn named(tool: &str) -> Option<Self> {
        From::ALL.iter().copied().find(|from| from.layout().tool() == tool)
    }

    /// The table the tool writes unless told otherwise (`Adopt::table`); none for
    /// rusqlite_migration, which keeps a count in `PRAGMA user_version`.
    pub fn table(self) -> Option<&'static str> {
        self.layout().default_table()
    }

    /// The query for its rows, in the columns [`From::row`] reads: the version as stored, then
    /// what the tool records of its outcome and checksum.
    #[cfg_attr(not(feature = "adopt"), allow(unused_variables, reason = "only sqlx's checksum is read per dialect"))]
    pub(crate) fn read_sql(self, table: &str, dialect: Dialect) -> String {
        match self {
            #[cfg(feature = "adopt")]
            From::Sqlx => {
                let hex = match dialect {
                    Dialect::Postgres => "encode(checksum, 'hex')",
                    Dialect::Sqlite | Dialect::Mysql => "hex(checksum)",
                };
                format!("SELECT version, success, {hex} FROM {table}")
            }
            #[cfg(feature = "adopt")]
            From::Refinery => format!("SELECT version, checksum FROM {table}"),
            #[cfg(feature = "adopt")]
            From::Flyway => format!("SELECT version, success, checksum, type FROM {table} ORDER BY installed_rank"),
            From::RusqliteMigration => "PRAGMA user_version".to_owned(),
            From::GolangMigrate => format!("SELECT version, dirty FROM {table}"),
            From::Goose => format!("SELECT version_id, is_applied FROM {table} ORDER BY id"),
            From::Diesel | From::Dbmate => format!("SELECT version FROM {table}"),
        }
    }

    /// One row of [`read_sql`](Self::read_sql)'s answer, as the tool means it.
    pub(crate) fn row(self, values: &[Value]) -> ForeignRow {
        let text = |index: usize| match values.get(index) {
            Some(Value::Text(text)) => Some(text.clone()),
            Some(Value::Integer(n)) => Some(n.to_string()),
            Some(Value::Other(other)) => Some(other.clone()),
            Some(Value::Null) | None => None,
        };
        let yes = |index: usize| !matches!(values.get(index), Some(Value::Integer(0) | Value::Null) | None);
        let version = text(0).unwrap_or_default();
        let state = match self {
            From::GolangMigrate if yes(1) => RowState::Dirty,
            From::Goose if !yes(1) => RowState::RolledBack,
            #[cfg(feature = "adopt")]
            From::Sqlx if !yes(1) => RowState::Failed,
            #[cfg(feature = "adopt")]
            From::Flyway => match text(3).unwrap_or_default().as_str() {
                "SCHEMA" => RowState::NotAMigration,
                "BASELINE" => RowState::Baseline,
                _ if version.is_empty() => RowState::Unsupported("a repeatable migration"),
                "DELETE" => RowState::Unsupported("marked deleted by `flyway repair`"),
                "UNDO_SQL" | "UNDO_JDBC" | "UNDO_SCRIPT" => RowState::Unsupported("an undo"),
                _ if !yes(1) => RowState::Failed,
                _ => RowState::Applied,
            },
            _ => RowState::Applied,
        };
        let checksum = match self {
            #[cfg(feature = "adopt")]
            From::Refinery => text(1),
            #[cfg(feature = "adopt")]
            From::Sqlx | From::Flyway => text(2),
            _ => None,
        };
        ForeignRow { version, state, checksum }
    }
}

impl fmt::Display for From {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.layout().tool())
    }
}

/// How to take another tool's history over: the tool, and where its table or what of its rows
/// to accept differs from what it does by default.
///
/// ```
/// use strata::{Adopt, From};
/// let adopt = Adopt::new(From::Diesel).table("old_migrations").force(["20240101000000"]);
/// assert_eq!(adopt.from(), From::Diesel);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adopt<'a> {
    from: From,
    table: Option<Cow<'a, str>>,
    force: Vec<Cow<'a, str>>,
}

impl<'a> Adopt<'a> {
    /// Taking `from`'s history over from its default table, accepting nothing it refuses.
    pub const fn new(from: From) -> Self {
        Self { from, table: None, force: Vec::new() }
    }

    /// The tool.
    pub const fn from(&self) -> From {
        self.from
    }

    /// Reads the tool's history from `table` (in the schema of strata's table) instead of its
    /// default one: sqlx's and refinery's configurations can rename it.
    #[must_use]
    pub fn table(mut self, table: impl Into<Cow<'a, str>>) -> Self {
        self.table = Some(table.into());
        self
    }

    /// Accepts these rows although they are refused, each named by its version as the tool
    /// stores it or by the migration's id: a row that failed or is dirty, or whose checksum
    /// differs, is recorded as applied; a row no migration has is left out. Every row must be
    /// refused by name for it: a name that nothing refuses is an error.
    #[must_use]
    pub fn force<S: Into<Cow<'a, str>>>(mut self, rows: impl IntoIterator<Item = S>) -> Self {
        self.force.extend(rows.into_iter().map(Into::into));
        self
    }

    /// Where the tool's history is: its table's name, unquoted.
    pub(crate) fn table_name(&self) -> Option<&str> {
        self.table.as_deref().or(self.from.table())
    }
}

impl std::convert::From<From> for Adopt<'_> {
    fn from(from: From) -> Self {
        Adopt::new(from)
    }
}

/// `Ok` when `columns` (lower-case; none: no table) are those of `from`'s table named `table`;
/// else why not, with the `--from` to use when another tool's table has that name.
pub(crate) fn check_table(from: From, table: &str, columns: &[String]) -> Result<()> {
    let refused = match Layout::recognise(columns) {
        _ if columns.is_empty() => format!("there is no `{table}` table where strata's history is"),
        Some(layout) if layout == from.layout() => return Ok(()),
        Some(layout) => {
            let whose = format!("`{table}` holds {}'s history, not {from}'s", layout.tool());
            match From::named(layout.tool()) {
                Some(right) => format!("{whose}: take over {right}'s with `strata adopt --from {}`", right.flag()),
                None => whose,
            }
        }
        None => format!("`{table}` has columns no tool strata knows writes ({})", columns.join(", ")),
    };
    Err(Error::AdoptRefused { tool: from.layout().tool(), refused: vec![refused] })
}

impl From {
    /// How `strata adopt --from` names it.
    pub(crate) fn flag(self) -> &'static str {
        self.layout().adopt_names().map_or("", |(_, flag)| flag)
    }
}

/// One row of another tool's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ForeignRow {
    /// Its version as stored (for rusqlite_migration, the count).
    pub(crate) version: String,
    pub(crate) state: RowState,
    /// Its checksum as text (hex, or a number's decimal digits), for the tools that store one.
    pub(crate) checksum: Option<String>,
}

/// What a row says of its migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(feature = "adopt"), allow(dead_code, reason = "only sqlx's and Flyway's rows say these"))]
pub(crate) enum RowState {
    Applied,
    /// golang-migrate's: it stopped part-way.
    Dirty,
    /// sqlx's and Flyway's `success = false`.
    Failed,
    /// goose's `is_applied = false`: rolled back (the latest row of a version counts).
    RolledBack,
    /// Flyway's baseline: every migration up to its version counts as applied.
    Baseline,
    /// Flyway's schema-creation row: not a migration.
    NotAMigration,
    /// A row of a kind strata has no counterpart for.
    Unsupported(&'static str),
}

/// What `adopt` found: the positions to record as applied, and the rows accepted by force.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Adopted {
    pub(crate) positions: Vec<usize>,
    pub(crate) forced: Vec<String>,
}

/// The positions the rows record as applied, checked: every row names a migration, none is
/// dirty or failed, each stored checksum is the file's, and they are the set's first migrations
/// (unless `out_of_order`: strata would have refused to apply them so). Every row refused is
/// named, with why; a refusal `adopt.force` names is accepted and listed instead.
pub(crate) fn adopted(
    adopt: &Adopt<'_>,
    migrations: &Migrations,
    rows: &[ForeignRow],
    out_of_order: bool,
) -> Result<Adopted> {
    let from = adopt.from;
    let mut refusals = Refusals { force: adopt.force.iter().map(AsRef::as_ref).collect(), ..Refusals::default() };
    let mut positions = Vec::new();
    for row in latest_per_version(from, rows) {
        let version = row.version.trim().parse::<i64>().ok();
        if from == From::RusqliteMigration {
            let count = version.and_then(|n| usize::try_from(n).ok()).unwrap_or_default();
            let why = format!("`PRAGMA user_version` is {count}, but the folder has {} migration(s)", migrations.len());
            match count <= migrations.len() {
                true => positions.extend(0..count),
                false => refusals.refused.push(why),
            }
            continue;
        }
        // Flyway's baseline stands for every migration up to its version, one of them or not.
        if row.state == RowState::Baseline {
            let up_to = version.map_or(0, |version| migrations.iter().take_while(|m| m.version() <= version).count());
            positions.extend(0..up_to);
            continue;
        }
        let Some(position) = version.and_then(|version| migrations.position(version)) else {
            if !matches!(row.state, RowState::NotAMigration | RowState::RolledBack) {
                let why = "no migration of this set has that version";
                refusals.refuse(&row.version, None, why.to_owned(), "left out");
            }
            continue;
        };
        let migration = &migrations[position];
        let id = Some(migration.id());
        let recorded = "recorded as applied";
        let accepted = match row.state {
            RowState::Applied => match checksum_differs(from, migration, row) {
                Some(why) => refusals.refuse(&row.version, id, why, recorded),
                None => true,
            },
            RowState::Dirty => {
                refusals.refuse(&row.version, id, format!("dirty in {from}: it stopped part-way"), recorded)
            }
            RowState::Failed => refusals.refuse(&row.version, id, format!("failed in {from}"), recorded),
            RowState::Unsupported(what) => {
                refusals.refuse(&row.version, id, format!("{what}, which strata cannot take over"), "left out");
                false
            }
            RowState::RolledBack | RowState::NotAMigration | RowState::Baseline => false,
        };
        if accepted {
            positions.push(position);
            // golang-migrate records only the last version: every one before it was applied.
            if from == From::GolangMigrate {
                positions.extend(0..position);
            }
        }
    }
    positions.sort_unstable();
    positions.dedup();
    // A migration that may run in any order (refinery's unversioned) may be missing.
    let gap = (0..migrations.len())
        .filter(|&position| !migrations[position].any_order())
        .find(|position| positions.binary_search(position).is_err())
        .filter(|&missing| positions.last().is_some_and(|&last| missing < last));
    let Refusals { mut refused, forced, force } = refusals;
    if let Some(gap) = gap.filter(|_| !out_of_order && refused.is_empty()) {
        refused.push(format!(
            "{}: {from} did not apply it, but it applied later ones: only a set's first migrations are taken over, unless out-of-order runs are allowed",
            migrations[gap].id()
        ));
    }
    refused.extend(force.into_iter().map(|name| format!("{name}: named to force, but nothing refuses it")));
    match refused.is_empty() {
        true => Ok(Adopted { positions, forced }),
        false => Err(Error::AdoptRefused { tool: from.layout().tool(), refused }),
    }
}

/// The rows refused, and those accepted because `force` named them.
#[derive(Default)]
struct Refusals<'a> {
    refused: Vec<String>,
    forced: Vec<String>,
    /// What `force` names that no refusal has named yet.
    force: Vec<&'a str>,
}

impl Refusals<'_> {
    /// Refuses `row` (the migration `id`, if any) for `why`, unless `force` names it: then it
    /// is listed as `forced_means` and `true` is returned.
    fn refuse(&mut self, row: &str, id: Option<&str>, why: String, forced_means: &str) -> bool {
        let before = self.force.len();
        self.force.retain(|name| *name != row && Some(*name) != id);
        let forced = self.force.len() < before;
        match forced {
            true => self.forced.push(format!("{row}: {why}; {forced_means} (forced)")),
            false => self.refused.push(format!("{row}: {why}")),
        }
        forced
    }
}

/// The rows that say what is applied: goose's latest per version, every other tool's all.
fn latest_per_version(from: From, rows: &[ForeignRow]) -> Vec<&ForeignRow> {
    if from != From::Goose {
        return rows.iter().collect();
    }
    let mut latest: Vec<&ForeignRow> = Vec::new();
    for row in rows {
        latest.retain(|earlier| earlier.version != row.version);
        // goose's row for version 0 is written when it creates its table.
        if row.version.trim() != "0" {
            latest.push(row);
        }
    }
    latest
}

/// Why the checksum `row` stores is not `migration`'s as `from` computes it; `None` when it is
/// (or `from` stores none).
#[cfg_attr(not(feature = "adopt"), allow(unused_variables))]
fn checksum_differs(from: From, migration: &crate::Migration, row: &ForeignRow) -> Option<String> {
    #[cfg(feature = "adopt")]
    {
        let stored = match from {
            From::Sqlx | From::Refinery | From::Flyway => row.checksum.as_deref().unwrap_or_default().trim(),
            _ => return None,
        };
        let Some(ours) = migration.foreign_checksums() else {
            return Some(format!(
                "{from} stores a checksum, and this migration was built without them to compare (`Migration::with_foreign_checksums`)"
            ));
        };
        let same = match from {
            From::Sqlx => stored.eq_ignore_ascii_case(&ours.sqlx_hex()),
            From::Refinery => [ours.refinery, ours.refinery_int8].iter().any(|ours| ours.to_string() == stored),
            _ => ours.flyway.to_string() == stored,
        };
        if !same {
            return Some(format!(
                "{from}'s checksum is not the file's: `{}` was edited (or its line endings changed) after {from} applied it; `force` it once you have checked it",
                migration.up().file()
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::Migration;
    use strata_core::Script;

    fn set() -> Migrations {
        let migration = |version: i64| {
            let id = format!("{version}_m");
            Migration::new(version, id.clone(), "sha256:", Script::new(format!("{id}.sql"), Vec::new()))
        };
        Migrations::of([20240101000000, 20240102000000, 20240103000000].map(migration).to_vec(), Dialect::Sqlite)
    }

    fn rows(versions: &[&str]) -> Vec<ForeignRow> {
        versions
            .iter()
            .map(|version| ForeignRow { version: (*version).to_owned(), state: RowState::Applied, checksum: None })
            .collect()
    }

    fn refused(result: Result<Adopted>) -> Vec<String> {
        match result {
            Err(Error::AdoptRefused { refused, .. }) => refused,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn the_tool_s_table_must_be_there_with_its_columns() {
        let columns = |names: &[&str]| names.iter().map(|name| name.to_string()).collect::<Vec<_>>();
        assert!(check_table(From::Dbmate, "schema_migrations", &columns(&["version"])).is_ok());
        let message = |from, names: &[&str]| {
            check_table(from, from.table().unwrap_or_default(), &columns(names)).map_err(|e| e.to_string()).err()
        };
        assert_eq!(
            message(From::Diesel, &[]).as_deref(),
            Some(
                "cannot take over diesel's history: there is no `__diesel_schema_migrations` table where strata's history is"
            )
        );
        assert!(
            message(From::GolangMigrate, &["version"])
                .is_some_and(|m| m.ends_with("with `strata adopt --from dbmate`"))
        );
        assert!(
            message(From::Dbmate, &["id", "note"])
                .is_some_and(|m| m.contains("no tool strata knows writes (id, note)"))
        );
    }

    #[test]
    fn the_set_s_first_migrations_are_adopted() {
        let adopt = |from: From, versions: &[&str]| {
            adopted(&Adopt::new(from), &set(), &rows(versions), false).map(|adopted| adopted.positions).ok()
        };
        assert_eq!(adopt(From::Diesel, &["20240102000000", "20240101000000"]), Some(vec![0, 1]));
        assert_eq!(adopt(From::Dbmate, &[]), Some(vec![]));
        assert_eq!(adopt(From::GolangMigrate, &["20240102000000"]), Some(vec![0, 1]), "the last applied");
        assert_eq!(adopt(From::RusqliteMigration, &["2"]), Some(vec![0, 1]), "a count");
        assert_eq!(adopt(From::RusqliteMigration, &["0"]), Some(vec![]));
    }

    #[test]
    fn unknown_dirty_and_gapped_rows_are_refused_naming_each() {
        let adopt = |from: From, rows: &[ForeignRow]| adopted(&Adopt::new(from), &set(), rows, false);
        assert_eq!(
            refused(adopt(From::Diesel, &rows(&["20240101000000", "20991231000000", "x"]))),
            [
                "20991231000000: no migration of this set has that version",
                "x: no migration of this set has that version"
            ]
        );
        let dirty = [ForeignRow { state: RowState::Dirty, ..rows(&["20240101000000"])[0].clone() }];
        assert_eq!(
            refused(adopt(From::GolangMigrate, &dirty)),
            ["20240101000000: dirty in golang-migrate: it stopped part-way"]
        );
        let gap = refused(adopt(From::Dbmate, &rows(&["20240101000000", "20240103000000"])));
        assert!(gap[0].starts_with("20240102000000_m: dbmate did not apply it"), "{gap:?}");
        assert_eq!(
            refused(adopt(From::RusqliteMigration, &rows(&["4"]))),
            ["`PRAGMA user_version` is 4, but the folder has 3 migration(s)"]
        );
    }

    #[test]
    fn out_of_order_runs_allow_a_gap() {
        let rows = rows(&["20240101000000", "20240103000000"]);
        let adopted = adopted(&Adopt::new(From::Dbmate), &set(), &rows, true).map(|adopted| adopted.positions);
        assert_eq!(adopted.ok(), Some(vec![0, 2]));
    }

    #[test]
    fn goose_s_latest_row_per_version_counts_and_its_version_0_is_not_a_migration() {
        let goose = |rows: &[(&str, bool)]| {
            let rows: Vec<ForeignRow> = rows
                .iter()
                .map(|&(version, applied)| {
                    From::Goose.row(&[Value::Text(version.into()), Value::Integer(applied.into())])
                })
                .collect();
            adopted(&Adopt::new(From::Goose), &set(), &rows, false).map(|adopted| adopted.positions).ok()
        };
        let applied_then_rolled_back =
            [("0", true), ("20240101000000", true), ("20240102000000", true), ("20240102000000", false)];
        assert_eq!(goose(&applied_then_rolled_back), Some(vec![0]));
        assert_eq!(goose(&[("0", true), ("20240102000000", false), ("20240102000000", true)]), None, "a gap");
    }

    #[test]
    fn force_accepts_the_rows_it_names_and_nothing_else() {
        let dirty = ForeignRow { state: RowState::Dirty, ..rows(&["20240102000000"])[0].clone() };
        let rows = [rows(&["20240101000000"]), vec![dirty], rows(&["20991231000000"])].concat();
        let forced = Adopt::new(From::GolangMigrate).force(["20240102000000_m", "20991231000000"]);
        let Ok(adopted) = adopted(&forced, &set(), &rows, false) else { panic!("forced rows were refused") };
        assert_eq!(adopted.positions, [0, 1]);
        assert_eq!(
            adopted.forced,
            [
                "20240102000000: dirty in golang-migrate: it stopped part-way; recorded as applied (forced)",
                "20991231000000: no migration of this set has that version; left out (forced)"
            ]
        );
        let typo = Adopt::new(From::Diesel).force(["20240101000001"]);
        assert_eq!(
            refused(super::adopted(&typo, &set(), &rows[..1], false)),
            ["20240101000001: named to force, but nothing refuses it"]
        );
    }

    #[test]
    #[cfg(feature = "adopt")]
    fn the_checksums_cost_a_migration_what_the_manual_says() {
        assert_eq!(std::mem::size_of::<Option<strata_core::ForeignChecksums>>(), 80);
    }

    #[test]
    fn each_tool_is_named_by_its_flag_and_its_message_name() {
        for &from in From::ALL {
            assert_eq!(From::named(from.layout().tool()), Some(from));
            assert!(from.flag().chars().all(|c| c.is_ascii_lowercase() || c == '-' || c == '_'), "{from}");
        }
        assert_eq!(From::RusqliteMigration.table(), None);
        assert_eq!(Adopt::new(From::Dbmate).table("old").table_name(), Some("old"));
    }
}
