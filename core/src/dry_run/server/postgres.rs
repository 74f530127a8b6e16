//! PostgreSQL: the `postgres` client, advisory locks for "in use", the catalog from `pg_catalog`
//! (per schema; what an extension owns left to the extension), errors with their character
//! position and hint.

use super::{Connection, Names, Refusal, Server};
use crate::dialect::Dialect;
use postgres::error::ErrorPosition;
use std::collections::BTreeSet;
use std::time::Duration;

/// The dry run's PostgreSQL.
pub(crate) struct Postgres;

/// The advisory lock space of the dry run's scratch databases ("STRA").
const LOCK_SPACE: i32 = 0x5354_5241;

impl Server for Postgres {
    type Connection = postgres::Client;
    const NAME: &'static str = "PostgreSQL";
    const DIALECT: Dialect = Dialect::Postgres;
    const BEGIN: &'static str = "BEGIN";
    const CATALOG: &'static str = CATALOG;
    fn narrowed(names: &BTreeSet<String>) -> String {
        // The whole catalog costs the server 0.1 s at a thousand tables.
        narrowed(names)
    }
    const NAMES: Names = Names {
        tables: "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') \
                 AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'",
        columns: "SELECT DISTINCT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
                  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE a.attnum > 0 AND NOT a.attisdropped \
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'",
        types: "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
                WHERE t.typname NOT LIKE '\\_%' AND (t.typtype IN ('e', 'd', 'r', 'c') OR n.nspname = 'pg_catalog') \
                UNION ALL SELECT unnest(ARRAY['integer', 'smallint', 'bigint', 'boolean', 'character varying', \
                'varchar', 'character', 'timestamp', 'timestamptz', 'double precision', 'decimal', 'numeric', 'real'])",
    };

    fn connect(url: &str, database: Option<&str>) -> Result<postgres::Client, String> {
        let mut config: postgres::Config = url.parse().map_err(|error: postgres::Error| error.to_string())?;
        if let Some(database) = database {
            config.dbname(database);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        config.application_name("strata dry run");
        config.connect(postgres::NoTls).map_err(|error| with_causes(&error))
    }

    fn create(admin: &mut postgres::Client, name: &str) -> Result<(), Refusal> {
        // `template0`, never connected to: `template1` refuses to be copied while a session is on it.
        Connection::execute(admin, &format!("CREATE DATABASE \"{name}\" TEMPLATE template0"))
    }

    fn drop(admin: &mut postgres::Client, name: &str) -> Result<(), Refusal> {
        // `FORCE` (PostgreSQL 13) ends a session a dead build left on it.
        Connection::execute(admin, &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .or_else(|_| Connection::execute(admin, &format!("DROP DATABASE IF EXISTS \"{name}\"")))
    }

    fn claim(admin: &mut postgres::Client, name: &str) -> Result<bool, Refusal> {
        let rows = Connection::rows(admin, &format!("SELECT pg_try_advisory_lock({LOCK_SPACE}, hashtext('{name}'))"))?;
        Ok(rows.first().and_then(|row| row.first()).is_some_and(|value| value.as_deref() == Some("t")))
    }

    fn databases(admin: &mut postgres::Client, prefix: &str) -> Result<Vec<String>, Refusal> {
        let sql = format!("SELECT datname FROM pg_database WHERE left(datname, {}) = '{prefix}'", prefix.len());
        Ok(Connection::rows(admin, &sql)?.into_iter().filter_map(|row| row.into_iter().next().flatten()).collect())
    }
}

impl Connection for postgres::Client {
    fn execute(&mut self, sql: &str) -> Result<(), Refusal> {
        self.batch_execute(sql).map_err(|error| refusal(sql, &error))
    }

    fn rows(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>, Refusal> {
        let messages = self.simple_query(sql).map_err(|error| refusal(sql, &error))?;
        Ok(messages
            .iter()
            .filter_map(|message| match message {
                postgres::SimpleQueryMessage::Row(row) => {
                    Some((0..row.len()).map(|index| row.get(index).map(str::to_owned)).collect())
                }
                _ => None,
            })
            .collect())
    }
}

/// What PostgreSQL said of `sql`: its message (with the detail), where in `sql` (PostgreSQL
/// counts characters from 1), its hint.
fn refusal(sql: &str, error: &postgres::Error) -> Refusal {
    let Some(db) = error.as_db_error() else { return Refusal::new(with_causes(error)) };
    let message = match db.detail() {
        Some(detail) => format!("{}: {detail}", db.message()),
        None => db.message().to_owned(),
    };
    let offset = match db.position() {
        Some(ErrorPosition::Original(position)) => {
            usize::try_from(*position).ok().map(|position| char_offset(sql, position))
        }
        _ => None,
    };
    Refusal { message, offset, hint: db.hint().map(str::to_owned) }
}

/// `error connecting to server: Connection refused (os error 111)`: the client's message says
/// little without its causes.
fn with_causes(error: &postgres::Error) -> String {
    let mut message = error.to_string();
    let mut cause = std::error::Error::source(error);
    while let Some(error) = cause {
        message = format!("{message}: {error}");
        cause = error.source();
    }
    message
}

/// The schema as rows of (kind, name, parent, definition), in one query: one round trip per
/// reading. Its first `SELECT` gives the columns their type: `text`, not the catalog's `name`
/// (63 bytes), which would cut the `schema.table.column` the others build. The `/*…*/` marks
/// are where [`narrowed`] narrows it.
const CATALOG: &str = concat!(
    "WITH ns AS (SELECT oid, nspname FROM pg_namespace WHERE ",
    "nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%'",
    "), owned AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e'), ",
    "rel AS (SELECT c.oid, c.relname, c.relkind, c.relpersistence, ns.nspname || '.' || c.relname AS name ",
    "FROM pg_class c JOIN ns ON ns.oid = c.relnamespace ",
    "WHERE NOT EXISTS (SELECT 1 FROM owned WHERE classid = 'pg_class'::regclass AND objid = c.oid) /*rel*/) ",
    // Schemas, extensions.
    "SELECT 'schema'::text AS kind, nspname::text AS name, NULL::text AS parent, ''::text AS definition FROM ns ",
    "UNION ALL SELECT 'extension', extname, NULL, extversion FROM pg_extension ",
    // Tables, views, sequences.
    "UNION ALL SELECT CASE relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' ",
    "WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' ELSE 'table' END, name, NULL, ",
    "CASE WHEN relkind IN ('v', 'm') THEN pg_get_viewdef(oid) ",
    "WHEN relkind = 'S' THEN (SELECT format('%s start %s increment %s min %s max %s cache %s cycle %s', ",
    "format_type(seqtypid, NULL), seqstart, seqincrement, seqmin, seqmax, seqcache, seqcycle) ",
    "FROM pg_sequence WHERE seqrelid = rel.oid) ",
    "ELSE relkind::text || CASE relpersistence WHEN 'u' THEN ' unlogged' ELSE '' END END ",
    "FROM rel WHERE relkind IN ('r', 'p', 'v', 'm', 'S', 'f') ",
    // Columns (of tables, views and composite types), with type, nullability, default, identity.
    "UNION ALL SELECT 'column', rel.name || '.' || a.attname, rel.name, ",
    "format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END ",
    "|| COALESCE(' default ' || pg_get_expr(d.adbin, d.adrelid), '') ",
    "|| CASE a.attidentity WHEN 'a' THEN ' generated always as identity' WHEN 'd' THEN ' generated by default as identity' ELSE '' END ",
    "|| CASE a.attgenerated WHEN 's' THEN ' stored' ELSE '' END ",
    "|| COALESCE(' collate ' || (SELECT collname FROM pg_collation WHERE oid = a.attcollation AND a.attcollation <> 100), '') ",
    "FROM pg_attribute a JOIN rel ON rel.oid = a.attrelid ",
    "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum ",
    "WHERE a.attnum > 0 AND NOT a.attisdropped AND rel.relkind IN ('r', 'p', 'v', 'm', 'f', 'c') ",
    // Indexes.
    "UNION ALL SELECT 'index', ns.nspname || '.' || i.relname, t.name, pg_get_indexdef(i.oid) ",
    "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN rel t ON t.oid = x.indrelid ",
    "JOIN ns ON ns.oid = i.relnamespace ",
    // Constraints of tables and domains.
    "UNION ALL SELECT 'constraint', ns.nspname || '.' || COALESCE(t.relname, ty.typname) || '.' || con.conname, ",
    "ns.nspname || '.' || COALESCE(t.relname, ty.typname), pg_get_constraintdef(con.oid) ",
    "FROM pg_constraint con JOIN ns ON ns.oid = con.connamespace ",
    "LEFT JOIN pg_class t ON t.oid = con.conrelid LEFT JOIN pg_type ty ON ty.oid = con.contypid WHERE true /*con*/ ",
    // Functions and procedures.
    "UNION ALL SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END, ",
    "ns.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', NULL, ",
    "CASE WHEN p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid) ELSE '' END ",
    "FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace ",
    "WHERE NOT EXISTS (SELECT 1 FROM owned WHERE classid = 'pg_proc'::regclass AND objid = p.oid) /*fun*/ ",
    // Triggers.
    "UNION ALL SELECT 'trigger', t.name || '.' || tg.tgname, t.name, pg_get_triggerdef(tg.oid) ",
    "FROM pg_trigger tg JOIN rel t ON t.oid = tg.tgrelid WHERE NOT tg.tgisinternal ",
    // Row-level security policies.
    "UNION ALL SELECT 'policy', t.name || '.' || pol.polname, t.name, ",
    "pol.polcmd::text || ' ' || COALESCE(pg_get_expr(pol.polqual, pol.polrelid), '') || ' ' || COALESCE(pg_get_expr(pol.polwithcheck, pol.polrelid), '') ",
    "FROM pg_policy pol JOIN rel t ON t.oid = pol.polrelid ",
    // Enums, domains, ranges and standalone composite types.
    "UNION ALL SELECT 'type', ns.nspname || '.' || t.typname, NULL, CASE t.typtype ",
    "WHEN 'e' THEN 'enum (' || COALESCE((SELECT string_agg(quote_literal(enumlabel), ', ' ORDER BY enumsortorder) ",
    "FROM pg_enum WHERE enumtypid = t.oid), '') || ')' ",
    "WHEN 'd' THEN 'domain ' || format_type(t.typbasetype, t.typtypmod) ",
    "|| CASE WHEN t.typnotnull THEN ' not null' ELSE '' END || COALESCE(' default ' || t.typdefault, '') ",
    "WHEN 'r' THEN 'range' ELSE 'composite' END ",
    "FROM pg_type t JOIN ns ON ns.oid = t.typnamespace WHERE (t.typtype IN ('e', 'd', 'r') ",
    "OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class WHERE oid = t.typrelid AND relkind = 'c'))) ",
    "AND NOT EXISTS (SELECT 1 FROM owned WHERE classid = 'pg_type'::regclass AND objid = t.oid) /*typ*/",
);

/// The catalog's query narrowed to the objects named `names` (in any case: PostgreSQL folds
/// unquoted names to lower case) and what a statement on them changes too: a table's indexes,
/// sequences, constraints, triggers and policies, the views on it, the tables whose columns are
/// of a named type, the foreign keys that reference it (a rename or a `CASCADE` changes them).
fn narrowed(names: &BTreeSet<String>) -> String {
    let mut all: BTreeSet<String> = names.iter().map(|name| name.to_lowercase()).collect();
    all.extend(names.iter().cloned());
    // Words of letters, digits, `_` and `$` need no quotes in an array literal.
    let list = format!("'{{{}}}'::name[]", all.into_iter().collect::<Vec<_>>().join(","));
    let on_named = |kind: &str, class: &str, column: &str| {
        format!(
            "EXISTS (SELECT 1 FROM pg_depend d JOIN {class} r ON r.oid = d.refobjid WHERE d.classid = '{kind}'::regclass \
             AND d.objid = {column} AND d.refclassid = '{class}'::regclass AND r.{name} = ANY({list}))",
            name = if class == "pg_type" { "typname" } else { "relname" },
        )
    };
    let relation = format!(
        " AND (c.relname = ANY({list}) OR {} OR {} OR EXISTS (SELECT 1 FROM pg_rewrite w WHERE w.ev_class = c.oid AND {}))",
        on_named("pg_class", "pg_class", "c.oid"),
        on_named("pg_class", "pg_type", "c.oid"),
        on_named("pg_rewrite", "pg_class", "w.oid"),
    );
    let constraint = format!(
        " AND (con.conrelid IN (SELECT oid FROM rel) OR con.conname = ANY({list}) OR ty.typname = ANY({list}) \
         OR EXISTS (SELECT 1 FROM pg_class r WHERE r.oid = con.confrelid AND r.relname = ANY({list})))"
    );
    CATALOG
        .replace("/*rel*/", &relation)
        .replace("/*con*/", &constraint)
        .replace("/*fun*/", &format!(" AND p.proname = ANY({list})"))
        .replace("/*typ*/", &format!(" AND t.typname = ANY({list})"))
}

/// The byte offset of the `position`th character (from 1) of `sql`: PostgreSQL counts
/// characters.
fn char_offset(sql: &str, position: usize) -> usize {
    sql.char_indices().nth(position.saturating_sub(1)).map_or(sql.len(), |(offset, _)| offset)
}
