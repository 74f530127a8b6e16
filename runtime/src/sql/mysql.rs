//! MySQL and MariaDB: backticks, `?` parameters, `DATABASE()`, a named lock, row triggers for
//! the digest guard (which binary logging may refuse), and sized text types.

use super::{Arg, DialectSql, Names, SessionLock, SessionLockOn};

#[derive(Debug)]
pub(crate) struct Mysql;

/// The named lock.
const NAMED: SessionLock = SessionLock {
    try_lock: "SELECT CAST(COALESCE(GET_LOCK(?, 0), 0) AS SIGNED)",
    unlock: "SELECT CAST(COALESCE(RELEASE_LOCK(?), 0) AS SIGNED)",
    held_here: "SELECT CAST(COALESCE(IS_USED_LOCK(?) = CONNECTION_ID(), 0) AS SIGNED)",
    holder: "SELECT CAST(ID AS SIGNED), CAST(USER AS CHAR), CAST(HOST AS CHAR), CAST(COMMAND AS CHAR), CAST(TIME AS SIGNED), CAST(COALESCE(INFO, '') AS CHAR) FROM information_schema.PROCESSLIST WHERE ID = IS_USED_LOCK(?)",
    connection: ("connection", "of user"),
};

/// The schema as a query's parameter: empty for the connection's current database.
fn schema(names: Names<'_>) -> String {
    names.schema.unwrap_or_default().to_owned()
}

impl DialectSql for Mysql {
    fn quote(&self, identifier: &str) -> String {
        format!("`{identifier}`")
    }

    fn placeholder(&self, _n: usize, _sql_type: &str) -> String {
        "?".to_owned()
    }

    fn current_schema(&self) -> Option<&'static str> {
        Some("SELECT DATABASE()")
    }

    fn begin(&self) -> &'static str {
        "START TRANSACTION"
    }

    fn now_ms(&self) -> &'static str {
        "CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)"
    }

    fn columns(&self, names: Names<'_>) -> (String, Vec<String>) {
        (
            "SELECT CAST(lower(column_name) AS CHAR) FROM information_schema.columns WHERE table_name = ? AND table_schema = COALESCE(NULLIF(?, ''), DATABASE()) ORDER BY ordinal_position".to_owned(),
            vec![names.table.to_owned(), schema(names)],
        )
    }

    fn exists(&self, names: Names<'_>, table: &str) -> (String, Vec<String>) {
        (
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = ? AND table_schema = COALESCE(NULLIF(?, ''), DATABASE())".to_owned(),
            vec![table.to_owned(), schema(names)],
        )
    }

    fn history_columns(&self) -> &'static str {
        "version BIGINT PRIMARY KEY, name VARCHAR(255) NOT NULL, checksum VARCHAR(80) NOT NULL, \
         applied_at DATETIME(3) NOT NULL, duration_ms BIGINT NOT NULL, state VARCHAR(16) NOT NULL, \
         backward_compatible BOOLEAN NOT NULL, failure TEXT NULL"
    }

    fn digest_and_owner_types(&self) -> (&'static str, &'static str) {
        ("VARCHAR(80)", "VARCHAR(128)")
    }

    /// MySQL allows 64 characters, and the triggers add `_insert`.
    fn guard_name_limit(&self) -> usize {
        64 - "_insert".len()
    }

    fn guard(&self, names: Names<'_>, guard: &str, table: &str, state: &str) -> ((String, Vec<String>), Vec<String>) {
        let trigger = |event: &str| match names.schema {
            Some(schema) => format!("`{schema}`.`{guard}_{event}`"),
            None => format!("`{guard}_{event}`"),
        };
        let create = ["INSERT", "UPDATE", "DELETE"]
            .map(|event| {
                format!(
                    "CREATE TRIGGER {} AFTER {event} ON {table} FOR EACH ROW DELETE FROM {state}",
                    trigger(&event.to_ascii_lowercase())
                )
            })
            .to_vec();
        let count = "SELECT COUNT(*) FROM information_schema.triggers WHERE trigger_name LIKE ? AND trigger_schema = COALESCE(NULLIF(?, ''), DATABASE())".to_owned();
        ((count, vec![format!("{guard}\\_%"), schema(names)]), create)
    }

    fn guard_may_be_refused(&self) -> bool {
        true
    }

    fn read_columns(&self) -> (&'static str, &'static str) {
        (
            "CONCAT(DATE_FORMAT(applied_at, '%Y-%m-%dT%H:%i:%s.'), LPAD(MICROSECOND(applied_at) DIV 1000, 3, '0'), 'Z')",
            "CAST(backward_compatible AS SIGNED)",
        )
    }

    fn insert_values(&self, compatible: String) -> (&'static str, String) {
        ("UTC_TIMESTAMP(3)", compatible)
    }

    fn session_lock(&self, key: i64) -> Option<SessionLockOn> {
        let name = format!("strata_{key:016x}");
        Some(SessionLockOn {
            sql: &NAMED,
            lock: vec![Arg::Text(name.clone())],
            lookup: vec![Arg::Text(name.clone())],
            what: format!("MySQL lock `{name}`"),
        })
    }

    fn insert_if_absent(&self, table: &str, columns: &str, values: &str) -> String {
        format!("INSERT IGNORE INTO {table} ({columns}) VALUES ({values})")
    }
}
