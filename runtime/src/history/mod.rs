//! Migration history tables: strata's own, which it reads and writes, and the other tools' it
//! recognises, each a [`Layout`] with what its rows record and how far a checksum in them can be
//! checked. strata's table is [`TrackingTable`] (`strata.rs`); reading another tool's table to
//! take its history over is a new layout here and a reader beside `strata.rs`.

mod strata;

use std::time::Duration;
pub(crate) use strata::{TrackingTable, is_identifier};

/// Whose history a table is: strata's, or a tool strata's users come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Layout {
    Strata,
    Sqlx,
    Diesel,
    Refinery,
    Flyway,
    GolangMigrate,
    Dbmate,
    Goose,
    /// rusqlite_migration: no table, `PRAGMA user_version` counts the migrations applied.
    RusqliteMigration,
}

/// What a layout's rows record of a migration's text, and so what can be checked against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChecksumPolicy {
    /// `sha256:` and the hex SHA-256 of the normalised up script (strata).
    Sha256Prefixed,
    /// The SHA-384 of the file's bytes, stored as bytes and read as hex (sqlx).
    Sha384Bytes,
    /// SipHash-1-3 of name, version and SQL, as an unsigned 64-bit number (refinery).
    SipHash13,
    /// CRC32 of the script's lines, as a signed 32-bit number (Flyway).
    Crc32,
    /// Versions only: nothing to check a migration's text against (diesel, golang-migrate,
    /// dbmate).
    VersionOnly,
    /// How many migrations were applied (rusqlite_migration).
    Count,
}

impl Layout {
    /// Every layout, strata's first.
    pub(crate) const ALL: [Layout; 9] = [
        Layout::Strata,
        Layout::Sqlx,
        Layout::Diesel,
        Layout::Refinery,
        Layout::Flyway,
        Layout::GolangMigrate,
        Layout::Dbmate,
        Layout::Goose,
        Layout::RusqliteMigration,
    ];

    /// The tool, as messages name it.
    pub(crate) const fn tool(self) -> &'static str {
        match self {
            Layout::Strata => "strata",
            Layout::Sqlx => "sqlx",
            Layout::Diesel => "diesel",
            Layout::Refinery => "refinery",
            Layout::Flyway => "Flyway",
            Layout::GolangMigrate => "golang-migrate",
            Layout::Dbmate => "dbmate",
            Layout::Goose => "goose",
            Layout::RusqliteMigration => "rusqlite_migration",
        }
    }

    /// How `adopt` names the tool: its [`From`](crate::From) variant and `strata adopt --from`'s
    /// value; `None` for strata.
    pub(crate) const fn adopt_names(self) -> Option<(&'static str, &'static str)> {
        Some(match self {
            Layout::Strata => return None,
            Layout::Sqlx => ("Sqlx", "sqlx"),
            Layout::Diesel => ("Diesel", "diesel"),
            Layout::Refinery => ("Refinery", "refinery"),
            Layout::Flyway => ("Flyway", "flyway"),
            Layout::GolangMigrate => ("GolangMigrate", "golang-migrate"),
            Layout::Dbmate => ("Dbmate", "dbmate"),
            Layout::Goose => ("Goose", "goose"),
            Layout::RusqliteMigration => ("RusqliteMigration", "rusqlite_migration"),
        })
    }

    /// The table the tool writes unless told otherwise; `None` for rusqlite_migration, which
    /// keeps a count in `PRAGMA user_version`.
    pub(crate) const fn default_table(self) -> Option<&'static str> {
        match self {
            Layout::Strata => Some(crate::history::DEFAULT_TABLE),
            Layout::Sqlx => Some("_sqlx_migrations"),
            Layout::Diesel => Some("__diesel_schema_migrations"),
            Layout::Refinery => Some("refinery_schema_history"),
            Layout::Flyway => Some("flyway_schema_history"),
            Layout::GolangMigrate | Layout::Dbmate => Some("schema_migrations"),
            Layout::Goose => Some("goose_db_version"),
            Layout::RusqliteMigration => None,
        }
    }

    /// The tables other tools write unless told otherwise, each once (golang-migrate's and
    /// dbmate's share a name; their columns tell them apart).
    pub(crate) fn foreign_tables() -> Vec<&'static str> {
        let mut tables: Vec<&'static str> = Layout::ALL
            .iter()
            .filter(|&&layout| layout != Layout::Strata)
            .filter_map(|layout| layout.default_table())
            .collect();
        tables.dedup();
        tables
    }

    /// The condition on its rows that counts the migrations it records as applied: goose writes
    /// a row for version 0 when it creates its table, and a row per apply and per rollback.
    pub(crate) const fn applied_rows(self) -> &'static str {
        match self {
            Layout::Goose => "version_id > 0 AND is_applied",
            // Its schema-creation row is no migration.
            Layout::Flyway => "type <> 'SCHEMA'",
            _ => "1 = 1",
        }
    }

    /// The columns that identify the tool's table: all of them for another tool's, strata's
    /// that every version of its table has had (later ones added columns).
    pub(crate) const fn columns(self) -> &'static [&'static str] {
        match self {
            Layout::Strata => &["version", "name", "checksum", "state"],
            Layout::Sqlx => &["version", "description", "installed_on", "success", "checksum", "execution_time"],
            Layout::Diesel => &["version", "run_on"],
            Layout::Refinery => &["version", "name", "applied_on", "checksum"],
            Layout::Flyway => &[
                "installed_rank",
                "version",
                "description",
                "type",
                "script",
                "checksum",
                "installed_by",
                "installed_on",
                "execution_time",
                "success",
            ],
            Layout::GolangMigrate => &["version", "dirty"],
            Layout::Dbmate => &["version"],
            Layout::Goose => &["id", "version_id", "is_applied", "tstamp"],
            Layout::RusqliteMigration => &[],
        }
    }

    /// What its rows record of a migration's text.
    pub(crate) const fn checksum(self) -> ChecksumPolicy {
        match self {
            Layout::Strata => ChecksumPolicy::Sha256Prefixed,
            Layout::Sqlx => ChecksumPolicy::Sha384Bytes,
            Layout::Refinery => ChecksumPolicy::SipHash13,
            Layout::Flyway => ChecksumPolicy::Crc32,
            Layout::Diesel | Layout::GolangMigrate | Layout::Dbmate | Layout::Goose => ChecksumPolicy::VersionOnly,
            Layout::RusqliteMigration => ChecksumPolicy::Count,
        }
    }

    /// The layout of a table with these (lower-case) columns: strata's when it has strata's, in
    /// any order and with later additions, another tool's when it has exactly that tool's.
    /// `None` for a table nobody here wrote.
    pub(crate) fn recognise(columns: &[String]) -> Option<Layout> {
        let has = |column: &&str| columns.iter().any(|c| c == column);
        if Layout::Strata.columns().iter().all(has) {
            return Some(Layout::Strata);
        }
        let mut sorted: Vec<&str> = columns.iter().map(String::as_str).collect();
        sorted.sort_unstable();
        Layout::ALL.into_iter().filter(|layout| !layout.columns().is_empty()).find(|layout| {
            let mut theirs = layout.columns().to_vec();
            theirs.sort_unstable();
            theirs == sorted
        })
    }
}

impl ChecksumPolicy {
    /// Whether `text` is a checksum of this form as strata reads it from a row (a number as its
    /// decimal text, bytes as hex, nothing as empty text): strata's own is checked strictly, so
    /// that a hand-edited row is refused as corrupt rather than reported as drift.
    pub(crate) fn accepts(self, text: &str) -> bool {
        match self {
            ChecksumPolicy::Sha256Prefixed => strata_core::is_checksum(text),
            ChecksumPolicy::Sha384Bytes => text.len() == 96 && text.bytes().all(|b| b.is_ascii_hexdigit()),
            ChecksumPolicy::SipHash13 => text.parse::<u64>().is_ok(),
            ChecksumPolicy::Crc32 => text.parse::<i32>().is_ok(),
            ChecksumPolicy::VersionOnly | ChecksumPolicy::Count => text.is_empty(),
        }
    }
}

/// The default tracking table.
pub const DEFAULT_TABLE: &str = "strata_migrations";

/// Whether a recorded migration finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Applied and committed.
    Applied,
    /// Started outside a transaction (a `no-transaction` migration, or DDL on MySQL) and not
    /// finished.
    Dirty,
}

impl State {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            State::Applied => "applied",
            State::Dirty => "dirty",
        }
    }

    /// The state a row's text records; `None` for anything else (a corrupt row).
    pub(crate) fn parse(text: &str) -> Option<Self> {
        [State::Applied, State::Dirty].into_iter().find(|state| state.as_str() == text)
    }
}

/// One row of the tracking table.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AppliedMigration {
    /// The version.
    pub version: i64,
    /// The name it had when applied.
    pub name: String,
    /// Its checksum when applied (`sha256:…`).
    pub checksum: String,
    /// When it was applied, in UTC (`2024-01-31T12:00:00.000Z`).
    pub applied_at: String,
    /// How long it took.
    pub duration: Duration,
    /// Applied, or dirty.
    pub state: State,
    /// Marked `strata:backward-compatible` when applied.
    pub backward_compatible: bool,
    /// For a dirty row whose migration failed: the statement that failed and the database's
    /// message.
    pub failure: Option<String>,
}

impl AppliedMigration {
    /// How messages name the row: its version and name, `7_add_orders`. A row whose migration
    /// is embedded is named by that migration's [`id`](crate::Migration::id) instead.
    pub fn id(&self) -> String {
        strata_core::row_id(self.version, &self.name)
    }
}

/// A duration as the tracking table stores it.
pub(crate) fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn every_tool_s_table_is_recognised_by_its_columns_in_any_order() {
        for layout in Layout::ALL.into_iter().filter(|layout| !layout.columns().is_empty()) {
            let mut reversed = columns(layout.columns());
            reversed.reverse();
            assert_eq!(Layout::recognise(&reversed), Some(layout), "{}", layout.tool());
        }
        // strata's table of any version; other tools' only exactly.
        let later = columns(&["version", "name", "checksum", "applied_at", "state", "backward_compatible"]);
        assert_eq!(Layout::recognise(&later), Some(Layout::Strata));
        assert_eq!(Layout::recognise(&columns(&["version", "dirty", "note"])), None);
        assert_eq!(Layout::recognise(&columns(&["id", "note"])), None);
    }

    #[test]
    fn a_row_is_named_by_version_and_name_and_its_duration_saturates() {
        let row = AppliedMigration {
            version: 7,
            name: "add_orders".into(),
            checksum: String::new(),
            applied_at: String::new(),
            duration: Duration::from_millis(1500),
            state: State::Applied,
            backward_compatible: false,
            failure: None,
        };
        assert_eq!(row.id(), "7_add_orders");
        assert_eq!(millis(row.duration), 1500);
        assert_eq!(millis(Duration::MAX), i64::MAX);
    }

    #[test]
    fn other_tools_tables_are_looked_for_once_each() {
        assert_eq!(
            Layout::foreign_tables(),
            [
                "_sqlx_migrations",
                "__diesel_schema_migrations",
                "refinery_schema_history",
                "flyway_schema_history",
                "schema_migrations",
                "goose_db_version"
            ]
        );
    }

    #[test]
    fn checksums_are_read_in_their_tool_s_form() {
        let sha256 = format!("sha256:{}", "ab".repeat(32));
        assert!(ChecksumPolicy::Sha256Prefixed.accepts(&sha256));
        assert!(!ChecksumPolicy::Sha256Prefixed.accepts(&sha256.to_uppercase()));
        assert!(ChecksumPolicy::Sha384Bytes.accepts(&"0f".repeat(48)));
        assert!(!ChecksumPolicy::Sha384Bytes.accepts(&"0f".repeat(32)));
        assert!(ChecksumPolicy::SipHash13.accepts("18446744073709551615"));
        assert!(!ChecksumPolicy::SipHash13.accepts("-1"));
        assert!(ChecksumPolicy::Crc32.accepts("-1520439823"));
        assert!(!ChecksumPolicy::Crc32.accepts("4294967295"));
        assert!(ChecksumPolicy::VersionOnly.accepts(""));
        assert!(!ChecksumPolicy::Count.accepts("3"));
        assert_eq!(Layout::Refinery.checksum(), ChecksumPolicy::SipHash13);
        assert_eq!(Layout::Dbmate.checksum(), ChecksumPolicy::VersionOnly);
    }
}
