//! PostgreSQL: typed `$n` parameters, `current_schema()`, an advisory lock on a `BIGINT` key,
//! a statement-level trigger in PL/pgSQL for the digest guard, and `INVALID` indexes.

use super::{Arg, DialectSql, Names, SessionLock, SessionLockOn};

#[derive(Debug)]
pub(crate) struct Postgres;

/// The advisory lock; `pg_locks` shows the key's halves (`classid`, `objid`).
const ADVISORY: SessionLock = SessionLock {
    try_lock: "SELECT CAST(CASE WHEN pg_try_advisory_lock(CAST($1 AS BIGINT)) THEN 1 ELSE 0 END AS BIGINT)",
    unlock: "SELECT CAST(CASE WHEN pg_advisory_unlock(CAST($1 AS BIGINT)) THEN 1 ELSE 0 END AS BIGINT)",
    held_here: "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid() AND objsubid = 1 AND CAST(classid AS BIGINT) = $1 AND CAST(objid AS BIGINT) = $2",
    holder: "SELECT CAST(a.pid AS BIGINT), COALESCE(a.application_name, ''), COALESCE(host(a.client_addr), 'a local socket'), COALESCE(a.state, ''), CAST(COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - a.state_change), 0) AS BIGINT), COALESCE(a.query, '') FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND CAST(l.classid AS BIGINT) = $1 AND CAST(l.objid AS BIGINT) = $2 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    connection: ("backend", "of"),
};

/// The two halves of an advisory key as `pg_locks` shows them (`classid`, `objid`).
pub(crate) fn halves(key: i64) -> (i64, i64) {
    let bits = u64::from_ne_bytes(key.to_ne_bytes());
    (i64::from((bits >> 32) as u32), i64::from(bits as u32))
}

/// The schema as a query's parameter: empty for the connection's current one.
fn schema(names: Names<'_>) -> String {
    names.schema.unwrap_or_default().to_owned()
}

impl DialectSql for Postgres {
    fn quote(&self, identifier: &str) -> String {
        format!("\"{identifier}\"")
    }

    /// Each placeholder carries its type, so that the server never has to guess it.
    fn placeholder(&self, n: usize, sql_type: &str) -> String {
        format!("CAST(${n} AS {sql_type})")
    }

    fn current_schema(&self) -> Option<&'static str> {
        Some("SELECT current_schema()::TEXT")
    }

    fn begin(&self) -> &'static str {
        "BEGIN"
    }

    fn now_ms(&self) -> &'static str {
        "CAST(extract(epoch FROM clock_timestamp()) * 1000 AS BIGINT)"
    }

    fn columns(&self, names: Names<'_>) -> (String, Vec<String>) {
        (
            format!(
                "SELECT lower(column_name::TEXT) FROM information_schema.columns WHERE table_name = {} AND table_schema = COALESCE(NULLIF({}, ''), current_schema()) ORDER BY ordinal_position",
                self.placeholder(1, "TEXT"),
                self.placeholder(2, "TEXT")
            ),
            vec![names.table.to_owned(), schema(names)],
        )
    }

    fn exists(&self, names: Names<'_>, table: &str) -> (String, Vec<String>) {
        (
            format!(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = {} AND table_schema = COALESCE(NULLIF({}, ''), current_schema())",
                self.placeholder(1, "TEXT"),
                self.placeholder(2, "TEXT")
            ),
            vec![table.to_owned(), schema(names)],
        )
    }

    fn history_columns(&self) -> &'static str {
        "version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL, \
         duration_ms BIGINT NOT NULL, state TEXT NOT NULL, backward_compatible BOOLEAN NOT NULL, failure TEXT"
    }

    fn digest_and_owner_types(&self) -> (&'static str, &'static str) {
        ("TEXT", "TEXT")
    }

    /// PostgreSQL keeps 63 bytes of an identifier.
    fn guard_name_limit(&self) -> usize {
        63
    }

    fn guard(&self, names: Names<'_>, guard: &str, table: &str, state: &str) -> ((String, Vec<String>), Vec<String>) {
        let function = match names.schema {
            Some(schema) => format!("\"{schema}\".\"{guard}\""),
            None => format!("\"{guard}\""),
        };
        let count = format!(
            "SELECT COUNT(*) FROM information_schema.triggers WHERE trigger_name = {} AND event_object_schema = COALESCE(NULLIF({}, ''), current_schema())",
            self.placeholder(1, "TEXT"),
            self.placeholder(2, "TEXT")
        );
        let create = vec![
            format!(
                "CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $strata$ BEGIN DELETE FROM {state}; RETURN NULL; END $strata$"
            ),
            format!(
                "CREATE TRIGGER \"{guard}\" AFTER INSERT OR UPDATE OR DELETE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            ),
        ];
        ((count, vec![guard.to_owned(), schema(names)]), create)
    }

    fn read_columns(&self) -> (&'static str, &'static str) {
        (
            "to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
            "CAST(CAST(backward_compatible AS INTEGER) AS BIGINT)",
        )
    }

    fn insert_values(&self, compatible: String) -> (&'static str, String) {
        ("clock_timestamp()", format!("{compatible} <> 0"))
    }

    fn invalid_indexes(&self, names: Names<'_>) -> Option<(String, Option<String>)> {
        let schema = match names.schema {
            Some(_) => "$1",
            None => "current_schema()",
        };
        let sql = format!(
            "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT i.indisvalid AND n.nspname = {schema} ORDER BY 1"
        );
        Some((sql, names.schema.map(str::to_owned)))
    }

    fn session_lock(&self, key: i64) -> Option<SessionLockOn> {
        let (high, low) = halves(key);
        Some(SessionLockOn {
            sql: &ADVISORY,
            lock: vec![Arg::Integer(key)],
            lookup: vec![Arg::Integer(high), Arg::Integer(low)],
            what: format!("PostgreSQL advisory lock {key}"),
        })
    }

    fn insert_if_absent(&self, table: &str, columns: &str, values: &str) -> String {
        format!("INSERT INTO {table} ({columns}) VALUES ({values}) ON CONFLICT DO NOTHING")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lock::key;

    #[test]
    fn the_key_s_halves_are_what_pg_locks_shows() {
        // `pg_locks` shows a BIGINT key's high half as `classid`, its low half as `objid`.
        assert_eq!(halves(0x0000_0001_0000_0002), (1, 2));
        assert_eq!(halves(-1), (0xffff_ffff, 0xffff_ffff));
        let (high, low) = halves(key(""));
        assert_eq!(u64::try_from(high).unwrap_or(0) << 32 | u64::try_from(low).unwrap_or(0), key("") as u64);
    }
}
