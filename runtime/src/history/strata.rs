//! strata's own history: which migrations a database has, and the digest of a fully checked set.
//!
//! `<table>` holds one row per applied (or dirty) migration. `<table>_state` holds one row: the
//! digest of the embedded set when every one of its migrations was last found applied and
//! unchanged, so that the start-up check of an up-to-date database is one small query; triggers on
//! `<table>` clear it whenever anything writes the history. This module writes their SQL for each
//! dialect and reads their rows; the session runs it.

use super::{AppliedMigration, Layout, State};
use crate::driver::{Dialect, Value};
use crate::error::{Error, Result};
use crate::sql::{self, DialectSql, Names};
use std::time::Duration;

/// The longest table name: PostgreSQL keeps 63 bytes of an identifier, and strata adds `_state`.
const MAX_NAME: usize = 57;

/// A validated tracking table name, with its SQL for one dialect.
#[derive(Debug, Clone)]
pub(crate) struct TrackingTable {
    dialect: Dialect,
    sql: &'static dyn DialectSql,
    /// The name as given: what messages say.
    name: String,
    schema: Option<String>,
    table: String,
}

impl TrackingTable {
    /// Checks that `name` is `table` or `schema.table`, each part a plain identifier: it is then
    /// safe to quote into SQL.
    pub(crate) fn new(name: &str, dialect: Dialect) -> Result<Self> {
        let (schema, table) = match name.split_once('.') {
            Some((schema, table)) => (Some(schema), table),
            None => (None, name),
        };
        if !schema.is_none_or(is_identifier) || !is_identifier(table) {
            return Err(Error::InvalidTableName { name: name.to_owned() });
        }
        Ok(Self {
            dialect,
            sql: sql::of(dialect),
            name: name.to_owned(),
            schema: schema.map(str::to_owned),
            table: table.to_owned(),
        })
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Whether the name leaves the schema to the connection.
    pub(crate) fn unqualified(&self) -> bool {
        self.schema.is_none()
    }

    /// Pins an unqualified table to `schema` (the connection's current one), so that a
    /// migration that changes `search_path` or the default database does not move it.
    pub(crate) fn pin_schema(&mut self, schema: String) {
        if self.schema.is_none() && is_identifier(&schema) {
            self.schema = Some(schema);
        }
    }

    /// The dialect's SQL.
    pub(crate) fn sql(&self) -> &'static dyn DialectSql {
        self.sql
    }

    fn names(&self) -> Names<'_> {
        Names { schema: self.schema.as_deref(), table: &self.table }
    }

    /// The query for the connection's current schema (PostgreSQL) or database (MySQL); `None`
    /// for SQLite, whose `main` is always where an unqualified name lands.
    pub(crate) fn current_schema_sql(&self) -> Option<&'static str> {
        self.sql.current_schema()
    }

    /// `name` quoted for this dialect, with the schema when there is one.
    pub(crate) fn quoted(&self, suffix: &str) -> String {
        self.quoted_beside(&format!("{}{suffix}", self.table))
    }

    /// `table`, a table in the same schema as this one, quoted.
    pub(crate) fn quoted_beside(&self, table: &str) -> String {
        let table = self.sql.quote(table);
        match &self.schema {
            Some(schema) => format!("{}.{table}", self.sql.quote(schema)),
            None => table,
        }
    }

    /// A query for the columns of `table`, beside this one (none when it does not exist), and
    /// its parameters: another tool's history, looked for on a first run.
    pub(crate) fn columns_beside_sql(&self, table: &str) -> (String, Vec<String>) {
        self.sql.columns(Names { schema: self.schema.as_deref(), table })
    }

    /// A query counting the rows of `table` beside this one (`""`: this one) where `condition`
    /// holds.
    pub(crate) fn count_sql(&self, table: &str, condition: &str) -> String {
        let table = if table.is_empty() { self.quoted("") } else { self.quoted_beside(table) };
        format!("SELECT COUNT(*) FROM {table} WHERE {condition}")
    }

    /// The `n`th parameter (from 1) of an integer.
    pub(crate) fn int(&self, n: usize) -> String {
        self.sql.placeholder(n, "BIGINT")
    }

    /// The `n`th parameter (from 1) of text.
    pub(crate) fn text(&self, n: usize) -> String {
        self.sql.placeholder(n, "TEXT")
    }

    /// A query for the columns of `<table>` (none when it does not exist), lower-case, and its
    /// parameters.
    pub(crate) fn columns_sql(&self) -> (String, Vec<String>) {
        self.sql.columns(self.names())
    }

    /// `Err(ForeignTable)` when a table of this name exists with columns that are not strata's:
    /// another tool's history, which strata must not write into.
    pub(crate) fn check_columns(&self, columns: &[String]) -> Result<()> {
        match Layout::recognise(columns) {
            _ if columns.is_empty() => Ok(()),
            Some(Layout::Strata) => Ok(()),
            other => Err(Error::ForeignTable {
                table: self.name.clone(),
                tool: other.map(Layout::tool),
                columns: columns.to_vec(),
            }),
        }
    }

    /// The statements that create both tables when they do not exist.
    pub(crate) fn create_sql(&self) -> [String; 2] {
        let (table, state) = (self.quoted(""), self.quoted("_state"));
        let (columns, (digest, _)) = (self.sql.history_columns(), self.sql.digest_and_owner_types());
        [
            format!("CREATE TABLE IF NOT EXISTS {table} ({columns})"),
            format!(
                "CREATE TABLE IF NOT EXISTS {state} (id INTEGER PRIMARY KEY CHECK (id = 1), digest {digest} NOT NULL)"
            ),
        ]
    }

    /// The guard that keeps the stored digest honest: whatever writes the tracking table (strata,
    /// a person deleting a row to run a migration again, another tool), the digest is cleared in
    /// the same transaction, so the next start does the full check. A query counting the guard's
    /// triggers (and their parameters), and the statements that create them.
    pub(crate) fn guard_sql(&self) -> ((String, Vec<String>), Vec<String>) {
        self.sql.guard(self.names(), &self.guard_name(), &self.quoted(""), &self.quoted("_state"))
    }

    /// The digest guard's name: `<table>_digest_guard` (its triggers add `_insert`, … on SQLite
    /// and MySQL), within the server's limit on identifiers (PostgreSQL keeps 63 bytes, MySQL
    /// allows 64). A longer table name keeps its first letters and adds a hash of the whole, so
    /// that the name the guard is looked for by is the one it was made with.
    pub(crate) fn guard_name(&self) -> String {
        const SUFFIX: &str = "_digest_guard";
        let limit = self.sql.guard_name_limit();
        let name = format!("{}{SUFFIX}", self.table);
        if name.len() <= limit {
            return name;
        }
        let hash = format!("{:08x}", crate::lock::key(&self.table) as u64 as u32);
        // The table name is ASCII (see `is_identifier`): any byte is a character boundary.
        let kept = &self.table[..limit - SUFFIX.len() - hash.len() - 1];
        format!("{kept}_{hash}{SUFFIX}")
    }

    /// A query counting the tables named `name<suffix>` (0 or 1), and its parameters.
    pub(crate) fn exists_sql(&self, suffix: &str) -> (String, Vec<String>) {
        self.sql.exists(self.names(), &format!("{}{suffix}", self.table))
    }

    pub(crate) fn digest_sql(&self) -> String {
        format!("SELECT digest FROM {} WHERE id = 1", self.quoted("_state"))
    }

    pub(crate) fn clear_digest_sql(&self) -> String {
        format!("DELETE FROM {}", self.quoted("_state"))
    }

    pub(crate) fn store_digest_sql(&self) -> String {
        format!("INSERT INTO {} (id, digest) VALUES (1, {})", self.quoted("_state"), self.text(1))
    }

    /// Every row, by version, with every column as an integer or text.
    pub(crate) fn read_sql(&self) -> String {
        let (applied_at, backward_compatible) = self.sql.read_columns();
        format!(
            "SELECT version, name, checksum, {applied_at}, duration_ms, state, {backward_compatible}, failure FROM {} ORDER BY version",
            self.quoted("")
        )
    }

    /// PostgreSQL's invalid indexes in the table's schema (the connection's current one when the
    /// table is not pinned to one), qualified, and the schema as the query's parameter; `None`
    /// elsewhere.
    pub(crate) fn invalid_indexes_sql(&self) -> Option<(String, Option<String>)> {
        self.sql.invalid_indexes(self.names())
    }

    pub(crate) fn state_of_sql(&self) -> String {
        format!("SELECT state FROM {} WHERE version = {}", self.quoted(""), self.int(1))
    }

    /// Inserts a row: version, name, checksum, duration in ms, state, backward-compatible (0/1).
    pub(crate) fn insert_sql(&self) -> String {
        let (now, compatible) = self.sql.insert_values(self.int(6));
        format!(
            "INSERT INTO {} (version, name, checksum, applied_at, duration_ms, state, backward_compatible) VALUES ({}, {}, {}, {now}, {}, {}, {compatible})",
            self.quoted(""),
            self.int(1),
            self.text(2),
            self.text(3),
            self.int(4),
            self.text(5),
        )
    }

    /// Marks a row applied: duration in ms, version.
    pub(crate) fn mark_applied_sql(&self) -> String {
        format!(
            "UPDATE {} SET state = 'applied', failure = NULL, duration_ms = {} WHERE version = {}",
            self.quoted(""),
            self.int(1),
            self.int(2)
        )
    }

    /// Marks a row dirty: version.
    pub(crate) fn mark_dirty_sql(&self) -> String {
        format!("UPDATE {} SET state = 'dirty' WHERE version = {}", self.quoted(""), self.int(1))
    }

    /// Records why a dirty migration stopped: failure, version.
    pub(crate) fn record_failure_sql(&self) -> String {
        format!("UPDATE {} SET failure = {} WHERE version = {}", self.quoted(""), self.text(1), self.int(2))
    }

    /// Accepts a new checksum: checksum, version.
    pub(crate) fn update_checksum_sql(&self) -> String {
        format!("UPDATE {} SET checksum = {} WHERE version = {}", self.quoted(""), self.text(1), self.int(2))
    }

    /// Removes a row: version.
    pub(crate) fn delete_sql(&self) -> String {
        format!("DELETE FROM {} WHERE version = {}", self.quoted(""), self.int(1))
    }

    /// One row of [`read_sql`](Self::read_sql).
    pub(crate) fn parse_row(&self, row: Vec<Value>) -> Result<AppliedMigration> {
        let [version, name, checksum, applied_at, duration_ms, state, backward_compatible, failure]: [Value; 8] =
            row.try_into().map_err(|_| self.corrupt(None, "it does not have strata's columns"))?;
        let Value::Integer(version) = version else {
            return Err(self.corrupt(None, "a `version` is not an integer"));
        };
        let text = |value: Value, column: &str| match value {
            Value::Text(text) => Ok(text),
            _ => Err(self.corrupt(Some(version), &format!("`{column}` is not text"))),
        };
        let integer = |value: Value, column: &str| match value {
            Value::Integer(n) => Ok(n),
            _ => Err(self.corrupt(Some(version), &format!("`{column}` is not an integer"))),
        };
        let checksum = text(checksum, "checksum")?;
        if !Layout::Strata.checksum().accepts(&checksum) {
            return Err(self.corrupt(
                Some(version),
                &format!("checksum `{checksum}` is not `sha256:` and 64 lower-case hex digits"),
            ));
        }
        let state = self.state(version, &text(state, "state")?)?;
        let duration_ms = integer(duration_ms, "duration_ms")?;
        Ok(AppliedMigration {
            version,
            name: text(name, "name")?,
            checksum,
            applied_at: text(applied_at, "applied_at")?,
            duration: Duration::from_millis(u64::try_from(duration_ms).unwrap_or(0)),
            state,
            backward_compatible: integer(backward_compatible, "backward_compatible")? != 0,
            failure: match failure {
                Value::Null => None,
                failure => Some(text(failure, "failure")?),
            },
        })
    }

    /// The state `text` records in `version`'s row: the one place a state is read.
    pub(crate) fn state(&self, version: i64, text: &str) -> Result<State> {
        State::parse(text)
            .ok_or_else(|| self.corrupt(Some(version), &format!("state `{text}` is neither `applied` nor `dirty`")))
    }

    pub(crate) fn corrupt(&self, version: Option<i64>, reason: &str) -> Error {
        Error::CorruptHistory { table: self.name.clone(), version, reason: reason.to_owned(), source: None }
    }
}

/// Whether `name` is a plain SQL identifier strata may quote and use as a table's name.
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= MAX_NAME
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_are_plain_identifiers_with_an_optional_schema() {
        for good in ["strata_migrations", "_m", "M2", "app.schema_history", &"a".repeat(57)] {
            assert!(TrackingTable::new(good, Dialect::Postgres).is_ok(), "{good}");
        }
        for bad in
            ["", "2m", "a-b", "a b", "x\"; DROP TABLE users; --", "é", &"a".repeat(58), "a.b.c", ".a", "a.", "a`.b"]
        {
            assert!(matches!(TrackingTable::new(bad, Dialect::Sqlite), Err(Error::InvalidTableName { .. })), "{bad}");
        }
    }

    #[test]
    fn another_tool_s_history_table_is_refused_naming_the_tool() {
        let table = TrackingTable::new("_sqlx_migrations", Dialect::Postgres).expect("valid");
        let columns = |names: &[&str]| names.iter().map(|name| name.to_string()).collect::<Vec<_>>();
        let sqlx = columns(&["version", "description", "installed_on", "success", "checksum", "execution_time"]);
        let Err(error) = table.check_columns(&sqlx) else { panic!("sqlx's table was taken") };
        assert_eq!(
            error.to_string(),
            "the table `_sqlx_migrations` is not a strata tracking table: it looks like sqlx's history (version, description, installed_on, success, checksum, execution_time), and strata writes nothing to it; give strata a table of its own (`.table(…)`, `--table`)"
        );
        assert!(matches!(
            table.check_columns(&columns(&["version", "run_on"])),
            Err(Error::ForeignTable { tool: Some("diesel"), .. })
        ));
        assert!(matches!(table.check_columns(&columns(&["id", "note"])), Err(Error::ForeignTable { tool: None, .. })));
        // strata's own (any version of its layout), and no table yet.
        let strata =
            columns(&["version", "name", "checksum", "applied_at", "duration_ms", "state", "backward_compatible"]);
        assert!(table.check_columns(&strata).is_ok());
        assert!(table.check_columns(&[]).is_ok());
    }

    #[test]
    fn the_digest_guard_s_name_fits_every_server() {
        let table = |name: &str, dialect| TrackingTable::new(name, dialect).expect("valid");
        let short = table("strata_migrations", Dialect::Postgres);
        assert_eq!(short.guard_name(), "strata_migrations_digest_guard", "as it always was");
        let longest = "t".repeat(MAX_NAME);
        let postgres = table(&longest, Dialect::Postgres).guard_name();
        let mysql = table(&longest, Dialect::Mysql).guard_name();
        assert!(postgres.len() <= 63 && postgres.ends_with("_digest_guard"), "{postgres}");
        assert!(mysql.len() + "_delete".len() <= 64, "{mysql}");
        assert_ne!(
            table(&format!("{}a", "t".repeat(56)), Dialect::Postgres).guard_name(),
            postgres,
            "the hash tells them apart"
        );
        assert_eq!(
            table(&longest, Dialect::Sqlite).guard_name(),
            format!("{longest}_digest_guard"),
            "SQLite has no limit"
        );
    }

    #[test]
    fn names_are_quoted_for_each_dialect() {
        let table = |name: &str, dialect| TrackingTable::new(name, dialect).expect("valid");
        assert_eq!(table("m", Dialect::Sqlite).quoted("_state"), "\"m_state\"");
        assert_eq!(table("app.m", Dialect::Postgres).quoted(""), "\"app\".\"m\"");
        assert_eq!(table("app.m", Dialect::Mysql).quoted("_state"), "`app`.`m_state`");
        let mut pinned = table("m", Dialect::Postgres);
        pinned.pin_schema("public".into());
        assert_eq!(pinned.quoted(""), "\"public\".\"m\"");
        // A schema given by the user stays; one that is not an identifier is never quoted in.
        let mut given = table("app.m", Dialect::Postgres);
        given.pin_schema("public".into());
        assert_eq!(given.quoted(""), "\"app\".\"m\"");
        let mut odd = table("m", Dialect::Postgres);
        odd.pin_schema("we\"ird".into());
        assert_eq!(odd.quoted(""), "\"m\"");
    }

    #[test]
    fn placeholders_follow_the_dialect() {
        let sql = |dialect| TrackingTable::new("m", dialect).expect("valid").delete_sql();
        assert_eq!(sql(Dialect::Sqlite), "DELETE FROM \"m\" WHERE version = ?1");
        assert_eq!(sql(Dialect::Postgres), "DELETE FROM \"m\" WHERE version = CAST($1 AS BIGINT)");
        assert_eq!(sql(Dialect::Mysql), "DELETE FROM `m` WHERE version = ?");
    }

    #[test]
    fn rows_are_read_strictly() {
        let table = TrackingTable::new("m", Dialect::Sqlite).expect("valid");
        let checksum = format!("sha256:{}", "ab".repeat(32));
        let row = |state: &str, failure: Value| {
            vec![
                Value::Integer(2),
                Value::Text("posts".into()),
                Value::Text(checksum.clone()),
                Value::Text("2024-01-31T12:00:00.000Z".into()),
                Value::Integer(5),
                Value::Text(state.into()),
                Value::Integer(1),
                failure,
            ]
        };
        let parsed = table.parse_row(row("dirty", Value::Text("statement 2".into()))).expect("valid row");
        assert_eq!((parsed.state, parsed.backward_compatible), (State::Dirty, true));
        assert_eq!(parsed.failure.as_deref(), Some("statement 2"));
        let error = table.parse_row(row("done", Value::Null)).expect_err("bad state");
        assert_eq!(
            error.to_string(),
            "the tracking table `m` is corrupt at version 2: state `done` is neither `applied` nor `dirty`"
        );
        let mut short = row("applied", Value::Null);
        short.pop();
        assert!(matches!(table.parse_row(short), Err(Error::CorruptHistory { version: None, .. })));
        let mut text_version = row("applied", Value::Null);
        text_version[0] = Value::Text("2".into());
        assert!(matches!(table.parse_row(text_version), Err(Error::CorruptHistory { version: None, .. })));
    }
}
