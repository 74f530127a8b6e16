//! SQLite: `?n` parameters, one writer at a time (`BEGIN IMMEDIATE` takes the write lock), no
//! session lock, and the catalogue in `sqlite_master` and the pragmas.

use super::{DialectSql, Names, SessionLockOn};

#[derive(Debug)]
pub(crate) struct Sqlite;

impl Sqlite {
    /// The catalogue of the table's schema.
    fn master(names: Names<'_>) -> String {
        match names.schema {
            Some(schema) => format!("\"{schema}\".sqlite_master"),
            None => "sqlite_master".to_owned(),
        }
    }

    /// `"schema".` when the name has one: SQLite qualifies a trigger, not its table.
    fn prefix(names: Names<'_>) -> String {
        names.schema.map(|schema| format!("\"{schema}\".")).unwrap_or_default()
    }
}

impl DialectSql for Sqlite {
    fn quote(&self, identifier: &str) -> String {
        format!("\"{identifier}\"")
    }

    fn placeholder(&self, n: usize, _sql_type: &str) -> String {
        format!("?{n}")
    }

    fn current_schema(&self) -> Option<&'static str> {
        None
    }

    fn begin(&self) -> &'static str {
        "BEGIN IMMEDIATE"
    }

    fn now_ms(&self) -> &'static str {
        "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
    }

    fn busy_timeout(&self, millis: u128) -> Option<String> {
        Some(format!("PRAGMA busy_timeout = {millis}"))
    }

    fn rebuilds_with_foreign_keys_off(&self) -> bool {
        true
    }

    fn columns(&self, names: Names<'_>) -> (String, Vec<String>) {
        let prefix = Self::prefix(names);
        (format!("SELECT lower(name) FROM {prefix}pragma_table_info(?1)"), vec![names.table.to_owned()])
    }

    fn exists(&self, names: Names<'_>, table: &str) -> (String, Vec<String>) {
        let master = Self::master(names);
        (format!("SELECT COUNT(*) FROM {master} WHERE type = 'table' AND name = ?1"), vec![table.to_owned()])
    }

    fn history_columns(&self) -> &'static str {
        "version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL, \
         duration_ms INTEGER NOT NULL, state TEXT NOT NULL, backward_compatible INTEGER NOT NULL, failure TEXT"
    }

    fn digest_and_owner_types(&self) -> (&'static str, &'static str) {
        ("TEXT", "TEXT")
    }

    fn guard_name_limit(&self) -> usize {
        usize::MAX
    }

    fn guard(&self, names: Names<'_>, guard: &str, _table: &str, _state: &str) -> ((String, Vec<String>), Vec<String>) {
        let (master, prefix) = (Self::master(names), Self::prefix(names));
        let unqualified = |suffix: &str| format!("\"{}{suffix}\"", names.table);
        let create = ["INSERT", "UPDATE", "DELETE"].map(|event| {
            format!(
                "CREATE TRIGGER IF NOT EXISTS {prefix}\"{guard}_{}\" AFTER {event} ON {} BEGIN DELETE FROM {}; END",
                event.to_ascii_lowercase(),
                unqualified(""),
                unqualified("_state"),
            )
        });
        let count = format!("SELECT COUNT(*) FROM {master} WHERE type = 'trigger' AND name LIKE ?1");
        ((count, vec![format!("{guard}_%")]), create.to_vec())
    }

    fn read_columns(&self) -> (&'static str, &'static str) {
        ("applied_at", "backward_compatible")
    }

    fn insert_values(&self, compatible: String) -> (&'static str, String) {
        ("strftime('%Y-%m-%dT%H:%M:%fZ', 'now')", compatible)
    }

    fn session_lock(&self, _key: i64) -> Option<SessionLockOn> {
        // The database's write lock, taken by each migration's `BEGIN IMMEDIATE`.
        None
    }

    fn insert_if_absent(&self, table: &str, columns: &str, values: &str) -> String {
        format!("INSERT OR IGNORE INTO {table} ({columns}) VALUES ({values})")
    }
}
