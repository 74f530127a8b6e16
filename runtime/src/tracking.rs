//! The tracking table: which migrations a database has, and the digest of a fully checked set.
//!
//! `<table>` holds one row per applied (or dirty) migration. `<table>_state` holds one row: the
//! digest of the embedded set when every one of its migrations was last found applied and
//! unchanged, so that the start-up check of an up-to-date database is one small query.

use crate::error::{Error, Result, sqlite};
use crate::migration::Migration;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};
use std::time::Duration;

/// The default tracking table.
pub const DEFAULT_TABLE: &str = "strata_migrations";

/// Whether a recorded migration finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Applied and committed.
    Applied,
    /// A `no-transaction` migration started and did not finish.
    Dirty,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            State::Applied => "applied",
            State::Dirty => "dirty",
        }
    }

    /// The state a row's text records; `None` for anything else (a corrupt row).
    fn parse(text: &str) -> Option<Self> {
        [State::Applied, State::Dirty].into_iter().find(|state| state.as_str() == text)
    }
}

/// One row of the tracking table.
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

/// A validated tracking table name, quoted once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TrackingTable {
    name: String,
    table: String,
    state: String,
}

impl TrackingTable {
    /// Checks that `name` is a plain identifier: it is then safe to quote into SQL.
    pub(crate) fn new(name: &str) -> Result<Self> {
        let mut chars = name.chars();
        let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
            && name.len() <= 58;
        if !valid {
            return Err(Error::InvalidTableName { name: name.to_owned() });
        }
        Ok(Self { name: name.to_owned(), table: format!("\"{name}\""), state: format!("\"{name}_state\"") })
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn create(&self, conn: &Connection) -> Result<()> {
        conn.execute_batch(&format!(
            "CREATE TABLE IF NOT EXISTS {} (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                checksum TEXT NOT NULL,
                applied_at TEXT NOT NULL,
                duration_ms INTEGER NOT NULL,
                state TEXT NOT NULL,
                backward_compatible INTEGER NOT NULL
            );
            CREATE TABLE IF NOT EXISTS {} (id INTEGER PRIMARY KEY CHECK (id = 1), digest TEXT NOT NULL);",
            self.table, self.state
        ))
        .map_err(sqlite("creating the tracking table"))
    }

    pub(crate) fn exists(&self, conn: &Connection) -> Result<bool> {
        conn.query_row("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", [&self.name], |_| Ok(()))
            .optional()
            .map(|found| found.is_some())
            .map_err(sqlite("looking for the tracking table"))
    }

    /// The digest of the last fully checked set, or `None` (no table yet included).
    pub(crate) fn stored_digest(&self, conn: &Connection) -> Option<String> {
        // Any failure (no table yet, locked) means "not known": the full check follows.
        conn.query_row(&format!("SELECT digest FROM {} WHERE id = 1", self.state), [], |row| row.get(0)).ok()
    }

    pub(crate) fn store_digest(&self, conn: &Connection, digest: &str) -> Result<()> {
        conn.execute(&format!("INSERT OR REPLACE INTO {} (id, digest) VALUES (1, ?1)", self.state), [digest])
            .map(drop)
            .map_err(sqlite("recording the migration set's digest"))
    }

    pub(crate) fn clear_digest(&self, conn: &Connection) -> Result<()> {
        conn.execute(&format!("DELETE FROM {}", self.state), [])
            .map(drop)
            .map_err(sqlite("clearing the migration set's digest"))
    }

    /// Every row, by version. A table that does not exist is an empty history.
    pub(crate) fn read(&self, conn: &Connection) -> Result<Vec<AppliedMigration>> {
        if !self.exists(conn)? {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT version, name, checksum, applied_at, duration_ms, state, backward_compatible FROM {} ORDER BY version",
            self.table
        );
        let mut statement = conn
            .prepare(&sql)
            .map_err(|source| self.corrupt(None, "it does not have strata's columns", Some(source)))?;
        let mut rows = statement.query([]).map_err(sqlite("reading the tracking table"))?;
        let mut history = Vec::new();
        while let Some(row) = rows.next().map_err(sqlite("reading the tracking table"))? {
            history.push(self.parse_row(row)?);
        }
        Ok(history)
    }

    fn parse_row(&self, row: &rusqlite::Row<'_>) -> Result<AppliedMigration> {
        let value = |index: usize| {
            row.get_ref(index).map_err(|source| self.corrupt(None, "a column cannot be read", Some(source)))
        };
        let ValueRef::Integer(version) = value(0)? else {
            return Err(self.corrupt(None, "a `version` is not an integer", None));
        };
        let text = |index: usize, column: &str| -> Result<String> {
            match value(index)? {
                ValueRef::Text(bytes) => String::from_utf8(bytes.to_vec())
                    .map_err(|_| self.corrupt(Some(version), &format!("`{column}` is not UTF-8 text"), None)),
                _ => Err(self.corrupt(Some(version), &format!("`{column}` is not text"), None)),
            }
        };
        let integer = |index: usize, column: &str| -> Result<i64> {
            match value(index)? {
                ValueRef::Integer(n) => Ok(n),
                _ => Err(self.corrupt(Some(version), &format!("`{column}` is not an integer"), None)),
            }
        };
        let checksum = text(2, "checksum")?;
        if !is_checksum(&checksum) {
            return Err(self.corrupt(
                Some(version),
                &format!("checksum `{checksum}` is not `sha256:` and 64 lower-case hex digits"),
                None,
            ));
        }
        let state = self.state(version, &text(5, "state")?)?;
        let duration_ms = integer(4, "duration_ms")?;
        Ok(AppliedMigration {
            version,
            name: text(1, "name")?,
            checksum,
            applied_at: text(3, "applied_at")?,
            duration: Duration::from_millis(u64::try_from(duration_ms).unwrap_or(0)),
            state,
            backward_compatible: integer(6, "backward_compatible")? != 0,
        })
    }

    /// The state `text` records in `version`'s row: the one place a state is read.
    fn state(&self, version: i64, text: &str) -> Result<State> {
        State::parse(text).ok_or_else(|| {
            self.corrupt(Some(version), &format!("state `{text}` is neither `applied` nor `dirty`"), None)
        })
    }

    fn corrupt(&self, version: Option<i64>, reason: &str, source: Option<rusqlite::Error>) -> Error {
        Error::CorruptHistory { table: self.name.clone(), version, reason: reason.to_owned(), source }
    }

    /// The state of `version`'s row, if it has one.
    pub(crate) fn state_of(&self, conn: &Connection, version: i64) -> Result<Option<State>> {
        let state: Option<String> = conn
            .query_row(&format!("SELECT state FROM {} WHERE version = ?1", self.table), [version], |row| row.get(0))
            .optional()
            .map_err(sqlite("reading the tracking table"))?;
        state.map(|text| self.state(version, &text)).transpose()
    }

    pub(crate) fn insert(
        &self,
        conn: &Connection,
        migration: &Migration,
        state: State,
        duration: Duration,
    ) -> Result<()> {
        conn.execute(
            &format!(
                "INSERT INTO {} (version, name, checksum, applied_at, duration_ms, state, backward_compatible)
                 VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?4, ?5, ?6)",
                self.table
            ),
            params![
                migration.version(),
                migration.name(),
                migration.checksum(),
                millis(duration),
                state.as_str(),
                migration.backward_compatible()
            ],
        )
        .map(drop)
        .map_err(sqlite("recording a migration"))
    }

    pub(crate) fn mark_applied(&self, conn: &Connection, version: i64, duration: Duration) -> Result<()> {
        conn.execute(
            &format!("UPDATE {} SET state = 'applied', duration_ms = ?2 WHERE version = ?1", self.table),
            params![version, millis(duration)],
        )
        .map(drop)
        .map_err(sqlite("recording a migration"))
    }

    /// Marks an applied migration dirty: a `no-transaction` down script is about to run.
    pub(crate) fn mark_dirty(&self, conn: &Connection, version: i64) -> Result<()> {
        conn.execute(&format!("UPDATE {} SET state = 'dirty' WHERE version = ?1", self.table), [version])
            .map(drop)
            .map_err(sqlite("recording a dirty migration"))
    }

    pub(crate) fn update_checksum(&self, conn: &Connection, version: i64, checksum: &str) -> Result<()> {
        conn.execute(&format!("UPDATE {} SET checksum = ?2 WHERE version = ?1", self.table), params![version, checksum])
            .map(drop)
            .map_err(sqlite("updating a checksum"))
    }

    pub(crate) fn delete(&self, conn: &Connection, version: i64) -> Result<()> {
        conn.execute(&format!("DELETE FROM {} WHERE version = ?1", self.table), [version])
            .map(drop)
            .map_err(sqlite("removing a migration's row"))
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

fn is_checksum(text: &str) -> bool {
    text.strip_prefix("sha256:")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_are_plain_identifiers() {
        for good in ["strata_migrations", "_m", "M2"] {
            assert!(TrackingTable::new(good).is_ok(), "{good}");
        }
        for bad in ["", "2m", "a-b", "a b", "x\"; DROP TABLE users; --", "é", &"a".repeat(59)] {
            assert!(matches!(TrackingTable::new(bad), Err(Error::InvalidTableName { .. })), "{bad}");
        }
    }

    #[test]
    fn checksums_must_be_prefixed_lower_hex() {
        assert!(is_checksum(&format!("sha256:{}", "ab".repeat(32))));
        assert!(!is_checksum(&format!("sha256:{}", "AB".repeat(32))));
        assert!(!is_checksum(&format!("md5:{}", "ab".repeat(32))));
        assert!(!is_checksum("sha256:abc"));
    }
}
