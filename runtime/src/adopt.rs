//! Taking over another tool's history: what its rows say was applied, matched to the migrations
//! and checked here, without a database; `run.rs` reads the rows and writes strata's.

use crate::error::{Error, Result};
use crate::history::Layout;
use crate::migrations::Migrations;
use std::fmt;

/// The tool whose history [`Migrator::adopt`](crate::Migrator::adopt) takes over. Each stores
/// versions only, so what can be checked is that every row is a migration of the set, that none
/// is dirty, and that together they are the set's first migrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum From {
    /// diesel's `__diesel_schema_migrations (version, run_on)`.
    Diesel,
    /// golang-migrate's `schema_migrations (version, dirty)`: one row, the last version applied.
    GolangMigrate,
    /// dbmate's `schema_migrations (version)`.
    Dbmate,
}

impl From {
    pub(crate) const fn layout(self) -> Layout {
        match self {
            From::Diesel => Layout::Diesel,
            From::GolangMigrate => Layout::GolangMigrate,
            From::Dbmate => Layout::Dbmate,
        }
    }

    /// The tool `adopt` takes over whose name (as messages write it) is `tool`.
    pub(crate) fn named(tool: &str) -> Option<Self> {
        [From::Diesel, From::GolangMigrate, From::Dbmate].into_iter().find(|from| from.layout().tool() == tool)
    }

    /// The table the tool writes unless told otherwise.
    pub fn table(self) -> &'static str {
        self.layout().default_table().unwrap_or_default()
    }

    /// The query for its rows: the version (as the tool stores it) and whether it is dirty.
    pub(crate) fn read_sql(self, table: &str) -> String {
        match self {
            From::GolangMigrate => format!("SELECT version, dirty FROM {table}"),
            From::Diesel | From::Dbmate => format!("SELECT version, 0 FROM {table}"),
        }
    }
}

impl fmt::Display for From {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.layout().tool())
    }
}

/// `Ok` when `columns` (lower-case; none: no table) are `from`'s table's; else why not, with
/// the `--from` to use when another tool's table has that name.
pub(crate) fn check_table(from: From, columns: &[String]) -> Result<()> {
    let table = from.table();
    let refused = match Layout::recognise(columns) {
        _ if columns.is_empty() => format!("there is no `{table}` table where strata's history is"),
        Some(layout) if layout == from.layout() => return Ok(()),
        Some(layout) => {
            let whose = format!("`{table}` holds {}'s history, not {from}'s", layout.tool());
            match From::named(layout.tool()) {
                Some(right) => format!("{whose}: take over {right}'s with `strata adopt --from {right}`"),
                None => whose,
            }
        }
        None => format!("`{table}` has columns no tool strata knows writes ({})", columns.join(", ")),
    };
    Err(Error::AdoptRefused { tool: from.layout().tool(), refused: vec![refused] })
}

/// One row of another tool's history: its version as stored, and whether it is dirty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ForeignRow {
    pub(crate) version: String,
    pub(crate) dirty: bool,
}

/// The positions the rows record as applied, checked: every row names a migration, none is
/// dirty, and they are the set's first migrations (a set applied out of order is not taken over:
/// strata would have refused to apply it so). Every row refused is named, with why.
pub(crate) fn adopted(from: From, migrations: &Migrations, rows: &[ForeignRow]) -> Result<Vec<usize>> {
    let mut refused = Vec::new();
    let mut positions = Vec::new();
    for row in rows {
        let position = row.version.trim().parse::<i64>().ok().and_then(|version| migrations.position(version));
        match position {
            _ if row.dirty => refused.push(format!("{}: dirty in {from}: it stopped part-way", row.version)),
            None => refused.push(format!("{}: no migration of this set has that version", row.version)),
            Some(position) => positions.push(position),
        }
    }
    // golang-migrate records only the last version: every migration up to it was applied.
    if from == From::GolangMigrate {
        positions = positions.iter().flat_map(|&last| 0..=last).collect();
    }
    positions.sort_unstable();
    positions.dedup();
    if refused.is_empty()
        && let Some(gap) = (0..positions.len()).find(|&position| positions[position] != position)
    {
        refused.push(format!(
            "{}: {from} did not apply it, but it applied later ones: only a set's first migrations are taken over",
            migrations[gap].id()
        ));
    }
    match refused.is_empty() {
        true => Ok(positions),
        false => Err(Error::AdoptRefused { tool: from.layout().tool(), refused }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::Dialect;
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
        versions.iter().map(|version| ForeignRow { version: (*version).to_owned(), dirty: false }).collect()
    }

    #[test]
    fn the_tool_s_table_must_be_there_with_its_columns() {
        let columns = |names: &[&str]| names.iter().map(|name| name.to_string()).collect::<Vec<_>>();
        assert!(check_table(From::Dbmate, &columns(&["version"])).is_ok());
        let message = |from, names: &[&str]| check_table(from, &columns(names)).map_err(|e| e.to_string()).err();
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
        let adopted = adopted(From::Diesel, &set(), &rows(&["20240102000000", "20240101000000"]));
        assert_eq!(adopted.ok(), Some(vec![0, 1]));
        assert_eq!(super::adopted(From::Dbmate, &set(), &rows(&[])).ok(), Some(vec![]));
        let last = super::adopted(From::GolangMigrate, &set(), &rows(&["20240102000000"]));
        assert_eq!(last.ok(), Some(vec![0, 1]), "golang-migrate's one row is the last applied");
    }

    #[test]
    fn unknown_dirty_and_gapped_rows_are_refused_naming_each() {
        let Err(error) = adopted(From::Diesel, &set(), &rows(&["20240101000000", "20991231000000", "x"])) else {
            panic!("an unknown row was adopted")
        };
        let Error::AdoptRefused { tool, refused } = &error else { panic!("{error}") };
        assert_eq!(tool, &"diesel");
        assert_eq!(
            refused,
            &[
                "20991231000000: no migration of this set has that version",
                "x: no migration of this set has that version"
            ]
        );
        let dirty = [ForeignRow { version: "20240101000000".into(), dirty: true }];
        assert!(matches!(adopted(From::GolangMigrate, &set(), &dirty), Err(Error::AdoptRefused { .. })));
        let gap = adopted(From::Dbmate, &set(), &rows(&["20240101000000", "20240103000000"]));
        let Err(Error::AdoptRefused { refused, .. }) = gap else { panic!("a gap was adopted") };
        assert!(refused[0].starts_with("20240102000000_m: dbmate did not apply it"), "{refused:?}");
    }
}
