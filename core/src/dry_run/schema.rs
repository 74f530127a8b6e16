//! What the dry run knows of the schema, kept up to date at a cost proportional to what each
//! script touches rather than to the size of the schema.
//!
//! SQLite gives every new `sqlite_master` row a rowid above every row that exists at that moment,
//! so the rows a script created are those above the highest surviving rowid, found by a rowid
//! range scan. What it dropped, and which tables `ALTER TABLE .. ADD`/`DROP` rewrote in place,
//! its statements say (DDL cannot hide in triggers, so the top-level statements are all there
//! is). A rename (which rewrites the rows of every object that refers to the table), virtual
//! tables (whose modules create and drop shadow tables) and `VACUUM` (which may renumber rows)
//! fall back to reading the whole schema; SQLite's own cost for those is already proportional
//! to it.
//!
//! An authorizer could report drops too, but SQLite calls it for every object it re-parses
//! during an `ALTER TABLE`: on a large schema that alone made the dry run half again as slow.

use super::table;
use crate::dialect::Dialect;
use crate::scan;
use crate::tokens::{Token, Tokens};
use rusqlite::Connection;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

/// One `sqlite_master` row.
#[derive(Debug, Clone, Eq)]
pub struct SchemaObject {
    /// `table`, `index`, `view` or `trigger`.
    pub kind: String,
    /// The object's name.
    pub name: String,
    /// The table it belongs to.
    pub table: String,
    /// Its SQL as SQLite keeps it (`None` for automatic indexes); messages show it through
    /// [`normalize_sql`].
    pub sql: Option<String>,
    /// What comparisons read: the SQL also without identifier quotes and in one case, since
    /// neither changes the schema (SQLite quotes the new name after `ALTER TABLE .. RENAME`, the
    /// last step of a table rebuild).
    pub shape: Option<String>,
}

impl SchemaObject {
    fn new(kind: String, name: String, table: String, sql: Option<String>) -> Self {
        let shape = sql.as_deref().map(|sql| normalize(sql, true));
        Self { kind, name, table, sql, shape }
    }
}

impl PartialEq for SchemaObject {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && self.name.eq_ignore_ascii_case(&other.name)
            && self.table.eq_ignore_ascii_case(&other.table)
            && self.shape == other.shape
    }
}

impl fmt::Display for SchemaObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} `{}`", self.kind, self.name)
    }
}

/// Collapses runs of white space and drops it around punctuation, and leaves comments out, so
/// that two spellings of one definition compare equal.
pub fn normalize_sql(sql: &str) -> String {
    normalize(sql, false)
}

/// Appends `piece`, with the space before it that white space left pending, unless punctuation
/// makes it needless.
fn push(out: &mut String, piece: &str, pending_space: &mut bool) {
    let punctuation = piece.starts_with(['(', ')', ',', ';', '=']);
    if *pending_space && !out.is_empty() && !punctuation && !out.ends_with(['(', ',', '=']) {
        out.push(' ');
    }
    *pending_space = false;
    out.push_str(piece);
}

/// [`normalize_sql`]; with `fold`, also identifiers unquoted where they are plain words, and
/// everything but string literals in lower case.
fn normalize(sql: &str, fold: bool) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut pending_space = false;
    let mut at = 0;
    // Every length `scan` gives ends before an ASCII byte or at the end: `at` stays on a
    // character boundary.
    while let Some(ch) = sql[at..].chars().next() {
        let rest = &sql.as_bytes()[at..];
        if let Some(comment) = scan::comment(rest, Dialect::Sqlite) {
            at += comment.len;
            pending_space = true;
            continue;
        }
        match ch {
            c if c.is_whitespace() => {
                pending_space = true;
                at += c.len_utf8();
            }
            '\'' => {
                let literal = scan::quoted(rest, b'\'', false);
                push(&mut out, &sql[at..at + literal.len], &mut pending_space);
                at += literal.len;
            }
            '"' | '`' | '[' => {
                let close = if ch == '[' { ']' } else { ch };
                let quoted = scan::quoted(rest, if ch == '[' { b']' } else { rest[0] }, false);
                let inner = &sql[at + 1..at + quoted.len - usize::from(quoted.closed)];
                at += quoted.len;
                let name = match close {
                    ']' => inner.to_owned(),
                    _ => inner.replace(&format!("{close}{close}"), &close.to_string()),
                };
                let plain = name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
                    && name.chars().all(|c| c.is_alphanumeric() || c == '_');
                let piece = match (fold, plain) {
                    (true, true) => name.to_lowercase(),
                    (true, false) => format!("\"{}\"", name.to_lowercase()),
                    (false, _) if close == ']' => format!("[{name}]"),
                    (false, _) => format!("{ch}{name}{close}"),
                };
                push(&mut out, &piece, &mut pending_space);
            }
            c => {
                let piece: String = if fold { c.to_lowercase().collect() } else { c.to_string() };
                push(&mut out, &piece, &mut pending_space);
                at += c.len_utf8();
            }
        }
    }
    out
}

/// What a script's statements do to the schema.
#[derive(Debug, Default)]
pub struct Touched {
    /// Names of dropped objects.
    pub dropped: BTreeSet<String>,
    /// Names of dropped tables (their indexes and triggers went with them).
    pub dropped_tables: BTreeSet<String>,
    /// Tables changed in place by `ALTER TABLE .. ADD` or `DROP COLUMN`.
    pub altered: BTreeSet<String>,
    /// The script did something only a full read of the schema follows.
    pub needs_full_read: bool,
}

impl Touched {
    /// Notes what `sql`, one statement, does to the schema.
    pub fn statement(&mut self, sql: &str) {
        // The words that say it come first; a name may be quoted (`"my table"`) or qualified.
        let tokens: Vec<Token<'_>> = Tokens::new(sql, Dialect::Sqlite).take(12).collect();
        let mut words = tokens.iter().peekable();
        let mut next_name = || {
            let mut name = words.next()?;
            while words.next_if(|token| token.is_symbol(".")).is_some() {
                name = words.next()?;
            }
            Some(table::name(name.text()))
        };
        let first = next_name().unwrap_or_default();
        let second = next_name().unwrap_or_default();
        let is = |word: &str, expected: &str| word.eq_ignore_ascii_case(expected);
        if is(&first, "vacuum") {
            // VACUUM may renumber `sqlite_master`.
            self.needs_full_read = true;
        } else if is(&first, "create") && is(&second, "virtual") {
            self.needs_full_read = true;
        } else if is(&first, "alter") && is(&second, "table") {
            // `ALTER TABLE t ADD|DROP ..` rewrites t's row in place; a rename rewrites the rows
            // of every object that refers to the table.
            match (next_name(), next_name()) {
                (Some(name), Some(action)) if is(&action, "add") || is(&action, "drop") => {
                    self.altered.insert(name);
                }
                _ => self.needs_full_read = true,
            }
        } else if is(&first, "drop") {
            let mut name = next_name();
            if name.as_deref().is_some_and(|w| is(w, "if")) {
                next_name(); // EXISTS
                name = next_name();
            }
            let Some(name) = name else { return };
            if is(&second, "table") {
                self.dropped_tables.insert(name.clone());
                self.dropped.insert(name);
            } else if ["index", "trigger", "view"].iter().any(|kind| is(&second, kind)) {
                self.dropped.insert(name);
            }
        }
    }
}

/// The values objects had when a journal started: what a later state is compared against.
#[derive(Debug, Default)]
pub struct Journal {
    originals: HashMap<String, Option<SchemaObject>>,
}

/// How the picture indexes a name: SQLite's names are case-insensitive (`DROP TABLE Users` drops
/// `users`).
fn key(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// Whether SQLite reserves `name` for itself (every key is lower case already).
fn is_internal(name: &str) -> bool {
    name.starts_with("sqlite_")
}

/// The dry run's picture of `sqlite_master`, changed in place as scripts run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    by_rowid: BTreeMap<i64, SchemaObject>,
    /// Rowids by [`key`].
    rowid_of: HashMap<String, i64>,
    /// Object keys by the key of the table they belong to, for what `DROP TABLE` takes with it.
    by_table: HashMap<String, BTreeSet<String>>,
}

/// How one object differs between two states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// In the later state only.
    Remains(SchemaObject),
    /// In the earlier state only.
    Missing(SchemaObject),
    /// In both, defined differently.
    Changed {
        /// The earlier definition.
        before: SchemaObject,
        /// The later one.
        after: SchemaObject,
        /// For a table, each way it differs by what SQLite reports of it (a column's default,
        /// the order of the columns), by name; empty where only the text says it.
        details: Vec<String>,
    },
}

const COLUMNS: &str = "SELECT rowid, type, name, tbl_name, sql FROM sqlite_master";

fn object(row: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, SchemaObject)> {
    Ok((row.get(0)?, SchemaObject::new(row.get(1)?, row.get(2)?, row.get(3)?, row.get::<_, Option<String>>(4)?)))
}

impl Schema {
    /// Reads the whole schema.
    pub fn read(conn: &Connection) -> rusqlite::Result<Self> {
        let mut schema = Schema::default();
        let mut statement = conn.prepare(COLUMNS)?;
        for row in statement.query_map([], object)? {
            let (rowid, object) = row?;
            schema.insert(rowid, object);
        }
        Ok(schema)
    }

    fn get(&self, name: &str) -> Option<&SchemaObject> {
        self.rowid_of.get(&key(name)).and_then(|rowid| self.by_rowid.get(rowid))
    }

    fn insert(&mut self, rowid: i64, object: SchemaObject) {
        let name = key(&object.name);
        self.remove(&name);
        self.by_table.entry(key(&object.table)).or_default().insert(name.clone());
        self.rowid_of.insert(name, rowid);
        self.by_rowid.insert(rowid, object);
    }

    fn remove(&mut self, name: &str) -> Option<SchemaObject> {
        let name = key(name);
        let rowid = self.rowid_of.remove(&name)?;
        let object = self.by_rowid.remove(&rowid)?;
        let table = key(&object.table);
        if let Some(names) = self.by_table.get_mut(&table) {
            names.remove(&name);
            if names.is_empty() {
                self.by_table.remove(&table);
            }
        }
        Some(object)
    }

    /// Records `name`'s value in `journal` unless the journal already has it.
    fn note(&self, journal: &mut Journal, name: &str) {
        if let std::collections::hash_map::Entry::Vacant(entry) = journal.originals.entry(key(name)) {
            let value = self.get(entry.key()).cloned();
            entry.insert(value);
        }
    }

    /// Brings the picture up to date after a script that did `touched`, noting in `journal` the
    /// values of whatever changes.
    pub fn advance(&mut self, conn: &Connection, touched: &Touched, journal: &mut Journal) -> rusqlite::Result<()> {
        let drops_virtual_table = touched.dropped_tables.iter().any(|table| {
            self.get(table)
                .and_then(|object| object.sql.as_deref())
                .is_some_and(|sql| sql.starts_with("CREATE VIRTUAL"))
        });
        if touched.needs_full_read || drops_virtual_table {
            let fresh = Schema::read(conn)?;
            let names: BTreeSet<&String> = self.rowid_of.keys().chain(fresh.rowid_of.keys()).collect();
            for name in names {
                if self.get(name) != fresh.get(name) {
                    self.note(journal, name);
                }
            }
            *self = fresh;
            return Ok(());
        }
        let implicit: Vec<String> = touched
            .dropped_tables
            .iter()
            .filter_map(|table| self.by_table.get(&key(table)))
            .flatten()
            .cloned()
            .collect();
        for name in implicit.iter().chain(&touched.dropped) {
            self.note(journal, name);
            self.remove(name);
        }
        for name in &touched.altered {
            if let Some(&rowid) = self.rowid_of.get(&key(name)) {
                self.note(journal, name);
                let mut statement = conn.prepare(&format!("{COLUMNS} WHERE rowid = ?1"))?;
                let mut rows = statement.query_map([rowid], object)?;
                self.remove(name);
                if let Some(row) = rows.next() {
                    let (rowid, object) = row?;
                    self.insert(rowid, object);
                }
            }
        }
        // New rows get a rowid above every row that exists when they are inserted, so above the
        // highest surviving one.
        let highest = self.by_rowid.keys().next_back().copied().unwrap_or(0);
        let mut statement = conn.prepare(&format!("{COLUMNS} WHERE rowid > ?1"))?;
        for row in statement.query_map([highest], object)? {
            let (rowid, object) = row?;
            self.note(journal, &object.name);
            self.insert(rowid, object);
        }
        Ok(())
    }

    /// How the objects `journal` noted differ now from when it started, by name.
    ///
    /// Objects SQLite owns are left out: names starting with `sqlite_` are reserved to SQLite
    /// ("sqlite_sequence may not be dropped"), and it creates and keeps them itself —
    /// `sqlite_sequence` for `AUTOINCREMENT`, `sqlite_stat1`..`4` for `ANALYZE`, the
    /// `sqlite_autoindex_*` indexes of `UNIQUE` and `PRIMARY KEY` constraints (which go with
    /// their table, whose own definition is compared).
    pub fn differences(&self, journal: &Journal) -> Vec<Difference> {
        let mut names: Vec<&String> = journal.originals.keys().filter(|name| !is_internal(name)).collect();
        names.sort();
        let mut differences = Vec::new();
        for name in names {
            match (journal.originals[name].as_ref(), self.get(name)) {
                (None, Some(after)) => differences.push(Difference::Remains(after.clone())),
                (Some(before), None) => differences.push(Difference::Missing(before.clone())),
                (Some(before), Some(after)) if before != after => {
                    let details = match (before.kind.as_str(), &before.sql, &after.sql) {
                        ("table", Some(was), Some(is)) => table::differences(&after.name, was, is),
                        _ => None,
                    };
                    // Two spellings of one table are no difference.
                    if details.as_ref().is_some_and(Vec::is_empty) {
                        continue;
                    }
                    let details = details.unwrap_or_default();
                    differences.push(Difference::Changed { before: before.clone(), after: after.clone(), details });
                }
                _ => {}
            }
        }
        differences
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Db {
        conn: Connection,
        schema: Schema,
    }

    impl Db {
        fn new() -> Self {
            let conn = Connection::open_in_memory().expect("memory");
            let schema = Schema::read(&conn).expect("read");
            Self { conn, schema }
        }

        fn run(&mut self, sql: &str, journal: &mut Journal) {
            let mut touched = Touched::default();
            for statement in crate::split_statements(sql, crate::Dialect::Sqlite).expect("lexes") {
                self.conn.execute_batch(statement.sql()).expect("sql");
                touched.statement(statement.sql());
            }
            self.schema.advance(&self.conn, &touched, journal).expect("advance");
        }
    }

    #[test]
    fn reads_what_statements_do() {
        let mut touched = Touched::default();
        for sql in [
            "DROP TABLE IF EXISTS main.\"Users\"",
            "drop index [i]",
            "DROP VIEW v",
            "ALTER TABLE t ADD COLUMN c",
            "SELECT 1",
        ] {
            touched.statement(sql);
        }
        assert_eq!(touched.dropped.iter().map(String::as_str).collect::<Vec<_>>(), ["Users", "i", "v"]);
        assert_eq!(touched.dropped_tables.iter().map(String::as_str).collect::<Vec<_>>(), ["Users"]);
        assert_eq!(touched.altered.iter().map(String::as_str).collect::<Vec<_>>(), ["t"]);
        assert!(!touched.needs_full_read);
        for sql in ["ALTER TABLE t RENAME TO u", "VACUUM", "CREATE VIRTUAL TABLE f USING fts5(x)"] {
            let mut touched = Touched::default();
            touched.statement(sql);
            assert!(touched.needs_full_read, "{sql}");
        }
    }

    #[test]
    fn normalises_white_space() {
        assert_eq!(normalize_sql("CREATE TABLE t (\n  a INT,\n  b TEXT\n)"), "CREATE TABLE t(a INT,b TEXT)");
        assert_eq!(normalize_sql("CREATE INDEX i ON t(a , b)"), normalize_sql("CREATE INDEX i ON t (a,b)"));
        assert_eq!(normalize_sql("CREATE TABLE t(a, -- the key\n b /* later */)"), "CREATE TABLE t(a,b)");
        assert_eq!(normalize_sql("CREATE TABLE \"t\"(a DEFAULT 'x -- y')"), "CREATE TABLE \"t\"(a DEFAULT 'x -- y')");
    }

    #[test]
    fn quotes_case_and_comments_do_not_change_a_definition() {
        let object = |sql: &str| SchemaObject::new("table".into(), "t".into(), "t".into(), Some(sql.into()));
        assert_eq!(
            object("CREATE TABLE t(a INTEGER NOT NULL, b TEXT)"),
            object("CREATE TABLE \"t\"(a INTEGER NOT NULL,b TEXT)")
        );
        assert_eq!(object("CREATE TABLE t(a INT) -- x"), object("create table [T](\"A\" int)"));
        assert_ne!(object("CREATE TABLE t(a DEFAULT 'x')"), object("CREATE TABLE t(a DEFAULT 'X')"));
        assert_ne!(object("CREATE TABLE t(a, b)"), object("CREATE TABLE t(b, a)"));
        assert_ne!(object("CREATE TABLE t(\"a b\")"), object("CREATE TABLE t(a b)"));
    }

    #[test]
    fn follows_every_change_incrementally_like_a_full_read() {
        let mut db = Db::new();
        for sql in [
            "CREATE TABLE a(x); CREATE INDEX a_x ON a(x); CREATE TABLE b(y UNIQUE)",
            "CREATE TRIGGER t AFTER INSERT ON b BEGIN SELECT 1; END; CREATE VIEW v AS SELECT * FROM a",
            "DROP TABLE b",
            "DROP INDEX a_x; CREATE TABLE c(z)",
            "ALTER TABLE c ADD COLUMN w; ALTER TABLE \"a\" ADD y",
            "ALTER TABLE c DROP COLUMN w",
            "DROP VIEW v; DROP TABLE c; CREATE TABLE d(w)",
            "ALTER TABLE d RENAME TO e",
            "CREATE VIRTUAL TABLE f USING fts5(x)",
            "DROP TABLE f",
            "CREATE TABLE Mixed(x); CREATE INDEX Mixed_x ON Mixed(x)",
            "DROP INDEX MIXED_X; ALTER TABLE mixed ADD COLUMN y",
            "DROP TABLE \"MIXED\"",
        ] {
            db.run(sql, &mut Journal::default());
            assert_eq!(db.schema, Schema::read(&db.conn).expect("read"), "after {sql}");
        }
    }

    #[test]
    fn differences_name_what_remains_is_missing_or_changed() {
        let mut db = Db::new();
        db.run("CREATE TABLE keep(x); CREATE TABLE gone(y)", &mut Journal::default());
        let mut journal = Journal::default();
        db.run("DROP TABLE gone; DROP TABLE keep; CREATE TABLE keep(x, z); CREATE TABLE extra(w)", &mut journal);
        let found: Vec<String> = db
            .schema
            .differences(&journal)
            .iter()
            .map(|d| match d {
                Difference::Remains(o) => format!("remains {o}"),
                Difference::Missing(o) => format!("missing {o}"),
                Difference::Changed { after, .. } => format!("changed {after}"),
            })
            .collect();
        assert_eq!(found, ["remains table `extra`", "missing table `gone`", "changed table `keep`"]);
    }

    #[test]
    fn an_undone_change_is_no_difference() {
        let mut db = Db::new();
        db.run("CREATE TABLE t(a)", &mut Journal::default());
        let mut journal = Journal::default();
        db.run("ALTER TABLE t ADD COLUMN b; CREATE INDEX t_a ON t(a)", &mut journal);
        db.run("DROP INDEX t_a; ALTER TABLE t DROP COLUMN b", &mut journal);
        assert_eq!(db.schema.differences(&journal), []);
    }

    #[test]
    fn objects_sqlite_owns_are_no_difference() {
        let mut db = Db::new();
        let mut journal = Journal::default();
        db.run(
            "CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT UNIQUE); INSERT INTO t(code) VALUES ('a'); ANALYZE",
            &mut journal,
        );
        db.run("DROP TABLE t", &mut journal);
        // `sqlite_sequence` and `sqlite_stat1` stay (they cannot be dropped); the picture still
        // holds them, the comparison leaves them out.
        assert!(db.schema.get("sqlite_sequence").is_some() && db.schema.get("sqlite_stat1").is_some());
        assert_eq!(db.schema.differences(&journal), []);
        db.run("CREATE TABLE u(x)", &mut journal);
        let remains: Vec<String> = db.schema.differences(&journal).iter().map(|d| format!("{d:?}")).collect();
        assert_eq!(remains.len(), 1, "{remains:?}");
    }
}
