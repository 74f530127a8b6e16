//! Whether two definitions of a table are the same table, by what SQLite reports of each rather
//! than by their text: `id INTEGER NOT NULL PRIMARY KEY` and `id INTEGER PRIMARY KEY NOT NULL`
//! are one column. The down check asks only when the texts differ.
//!
//! Each definition is created alone in a fresh in-memory database and read back through the
//! pragmas (columns with their types, `NOT NULL`, defaults and key positions; foreign keys; the
//! indexes of `UNIQUE` and `PRIMARY KEY` constraints; `STRICT`, `WITHOUT ROWID`) and
//! `sqlite_sequence` (which only `AUTOINCREMENT` creates). What no pragma reports (`CHECK`
//! expressions, a column's `COLLATE`, a generated column's expression) is read from the
//! definition's tokens.

use crate::dialect::Dialect;
use crate::tokens::{Token, Tokens};
use rusqlite::Connection;
use std::collections::BTreeMap;

/// One column as SQLite reports it, with what only its definition says.
#[derive(Debug, PartialEq, Eq)]
struct Column {
    name: String,
    /// The declared type, in lower case: its case does not change the affinity.
    declared_type: String,
    not_null: bool,
    default: Option<String>,
    /// Its position in the primary key, from 1; 0 if it is not in it.
    primary_key: i64,
    collation: Option<String>,
    generated: Option<String>,
}

/// A table as SQLite reports it.
#[derive(Debug, PartialEq, Eq)]
struct Table {
    strict: bool,
    without_rowid: bool,
    autoincrement: bool,
    columns: Vec<Column>,
    /// Each foreign key as one line of text, sorted: SQLite numbers them in reverse order of
    /// declaration, which does not change them.
    foreign_keys: Vec<String>,
    /// The `UNIQUE` and `PRIMARY KEY` constraints that have an index, sorted.
    unique: Vec<String>,
    /// The `CHECK` expressions, normalised and sorted.
    checks: Vec<String>,
}

/// How the table `before` defines differs from the one `after` defines, one phrase per
/// difference, each naming the column or constraint; empty if they are the same table. `None`
/// if SQLite cannot create one of them alone (a virtual table, say): the caller compares text.
pub(super) fn differences(name: &str, before: &str, after: &str) -> Option<Vec<String>> {
    let before = Table::read(name, before)?;
    let after = Table::read(name, after)?;
    Some(describe(&before, &after))
}

impl Table {
    fn read(name: &str, sql: &str) -> Option<Self> {
        // A virtual table's module keeps its own definition; its columns say little of it.
        if sql.get(..14).is_some_and(|start| start.eq_ignore_ascii_case("create virtual")) {
            return None;
        }
        let conn = Connection::open_in_memory().ok()?;
        conn.execute_batch(sql).ok()?;
        let extras = Extras::of(sql);
        let (strict, without_rowid) = conn
            .query_row("SELECT strict, wr FROM pragma_table_list WHERE schema = 'main' AND name = ?1", [name], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .ok()?;
        let autoincrement = conn
            .query_row("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'", [], |row| {
                row.get::<_, i64>(0)
            })
            .ok()?
            > 0;
        let mut columns = Vec::new();
        let mut statement = conn
            .prepare("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_xinfo(?1) ORDER BY cid")
            .ok()?;
        let rows = statement
            .query_map([name], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
            })
            .ok()?;
        for row in rows {
            let (column, declared_type, not_null, default, primary_key) = row.ok()?;
            let lower = column.to_lowercase();
            columns.push(Column {
                declared_type: declared_type.to_lowercase(),
                not_null,
                default,
                primary_key,
                collation: extras.collations.get(&lower).cloned(),
                generated: extras.generated.get(&lower).cloned(),
                name: column,
            });
        }
        Some(Self {
            strict,
            without_rowid,
            autoincrement,
            columns,
            foreign_keys: foreign_keys(&conn, name)?,
            unique: unique_constraints(&conn, name)?,
            checks: extras.checks,
        })
    }
}

fn foreign_keys(conn: &Connection, table: &str) -> Option<Vec<String>> {
    let mut statement = conn
        .prepare(
            "SELECT id, \"from\", \"table\", coalesce(\"to\", ''), on_update, on_delete
             FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
        )
        .ok()?;
    let rows = statement
        .query_map([table], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
            ))
        })
        .ok()?;
    let mut keys: BTreeMap<i64, (Vec<String>, String, Vec<String>, String)> = BTreeMap::new();
    for row in rows {
        let (id, from, parent, to, on_update, on_delete) = row.ok()?;
        let key = keys.entry(id).or_insert_with(|| {
            let actions = [("update", on_update), ("delete", on_delete)]
                .into_iter()
                .filter(|(_, action)| action != "NO ACTION")
                .map(|(event, action)| format!(" ON {} {action}", event.to_uppercase()))
                .collect();
            (Vec::new(), parent, Vec::new(), actions)
        });
        key.0.push(from);
        if !to.is_empty() {
            key.2.push(to);
        }
    }
    let mut keys: Vec<String> = keys
        .into_values()
        .map(|(from, parent, to, actions)| {
            let to = if to.is_empty() { String::new() } else { format!("({})", to.join(", ")) };
            format!("FOREIGN KEY ({}) REFERENCES {parent}{to}{actions}", from.join(", "))
        })
        .collect();
    keys.sort();
    Some(keys)
}

fn unique_constraints(conn: &Connection, table: &str) -> Option<Vec<String>> {
    let mut statement = conn
        .prepare(
            "SELECT l.origin, group_concat(coalesce(x.name, '?') || CASE x.\"desc\" WHEN 1 THEN ' DESC' ELSE '' END
                    || ' COLLATE ' || x.coll, ', ')
             FROM pragma_index_list(?1) AS l, pragma_index_xinfo(l.name) AS x
             WHERE l.origin IN ('u', 'pk') AND x.key
             GROUP BY l.name ORDER BY l.name",
        )
        .ok()?;
    let rows = statement.query_map([table], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))).ok()?;
    let mut constraints = Vec::new();
    for row in rows {
        let (origin, columns) = row.ok()?;
        let kind = if origin == "pk" { "PRIMARY KEY" } else { "UNIQUE" };
        constraints.push(format!("{kind} ({columns})"));
    }
    constraints.sort();
    Some(constraints)
}

/// What only a definition's text says.
#[derive(Default)]
struct Extras {
    /// By column name, in lower case.
    collations: BTreeMap<String, String>,
    /// Generated columns' expressions, by column name in lower case.
    generated: BTreeMap<String, String>,
    checks: Vec<String>,
}

impl Extras {
    fn of(sql: &str) -> Self {
        let mut extras = Extras::default();
        let mut tokens = Tokens::new(sql, Dialect::Sqlite);
        // The column definitions and table constraints are between the first `(` and its match.
        if !tokens.by_ref().any(|token| token.is_symbol("(")) {
            return extras;
        }
        let mut item: Vec<Token<'_>> = Vec::new();
        let mut depth = 0;
        for token in tokens {
            match token.text() {
                "(" => depth += 1,
                ")" if depth == 0 => break,
                ")" => depth -= 1,
                "," if depth == 0 => {
                    extras.item(&item);
                    item.clear();
                    continue;
                }
                _ => {}
            }
            item.push(token);
        }
        extras.item(&item);
        extras.checks.sort();
        extras
    }

    /// Notes what one column definition or table constraint says.
    fn item(&mut self, item: &[Token<'_>]) {
        let Some(first) = item.first() else { return };
        let is_constraint = ["constraint", "primary", "unique", "check", "foreign"].iter().any(|k| first.is(k));
        let column = (!is_constraint).then(|| name(first.text()).to_lowercase());
        for (at, token) in item.iter().enumerate() {
            let next = item.get(at + 1);
            if token.is("check") {
                if let Some(expression) = parenthesised(&item[at + 1..]) {
                    self.checks.push(expression);
                }
            } else if let Some(column) = &column {
                if token.is("collate") {
                    if let Some(collation) = next {
                        self.collations.insert(column.clone(), name(collation.text()).to_lowercase());
                    }
                } else if token.is("as")
                    && next.is_some_and(|next| next.is_symbol("("))
                    && let Some(expression) = parenthesised(&item[at + 1..])
                {
                    self.generated.insert(column.clone(), expression);
                }
            }
        }
    }
}

/// The parenthesised expression `rest` starts with, one way however it is spaced, quoted or
/// cased: words in lower case, names unquoted, a space only between two words.
fn parenthesised(rest: &[Token<'_>]) -> Option<String> {
    let mut depth = 0;
    let mut text = String::new();
    let mut after_word = false;
    for token in rest {
        let piece = match token {
            Token::Word(word) => word.to_lowercase(),
            Token::Quoted(quoted) if quoted.starts_with('\'') => (*quoted).to_owned(),
            Token::Quoted(quoted) => name(quoted).to_lowercase(),
            other => other.text().to_owned(),
        };
        let word = matches!(token, Token::Word(_) | Token::Quoted(_));
        if word && after_word {
            text.push(' ');
        }
        text.push_str(&piece);
        after_word = word;
        if token.is_symbol("(") {
            depth += 1;
        } else if token.is_symbol(")") {
            depth -= 1;
            if depth == 0 {
                return Some(text);
            }
        }
    }
    None
}

/// A name without its quotes.
pub(super) fn name(token: &str) -> String {
    let Some(open) = token.chars().next().filter(|c| matches!(c, '"' | '`' | '[' | '\'')) else {
        return token.to_owned();
    };
    let close = if open == '[' { ']' } else { open };
    let inner = token.get(1..token.len() - 1).unwrap_or_default();
    if close == ']' { inner.to_owned() } else { inner.replace(&format!("{close}{close}"), &close.to_string()) }
}

/// One phrase per way `after` differs from `before`.
fn describe(before: &Table, after: &Table) -> Vec<String> {
    let mut found = Vec::new();
    let flag = |found: &mut Vec<String>, what: &str, was: bool, is: bool| {
        if was != is {
            found.push(if is { format!("it is now {what}") } else { format!("it is no longer {what}") });
        }
    };
    flag(&mut found, "STRICT", before.strict, after.strict);
    flag(&mut found, "WITHOUT ROWID", before.without_rowid, after.without_rowid);
    flag(&mut found, "AUTOINCREMENT", before.autoincrement, after.autoincrement);
    let find = |table: &Table, name: &str| table.columns.iter().position(|c| c.name.eq_ignore_ascii_case(name));
    for column in &before.columns {
        if find(after, &column.name).is_none() {
            found.push(format!("column `{}` is missing", column.name));
        }
    }
    for column in &after.columns {
        match find(before, &column.name) {
            None => found.push(format!("column `{}` is new", column.name)),
            Some(at) => column_differences(&before.columns[at], column, &mut found),
        }
    }
    let shared = |table: &Table, other: &Table| -> Vec<String> {
        table.columns.iter().filter(|c| find(other, &c.name).is_some()).map(|c| c.name.to_lowercase()).collect()
    };
    let (was, is) = (shared(before, after), shared(after, before));
    if was != is {
        found.push(format!("its columns were in the order `{}` and are now `{}`", was.join(", "), is.join(", ")));
    }
    for (what, was, is) in [
        ("foreign key", &before.foreign_keys, &after.foreign_keys),
        ("constraint", &before.unique, &after.unique),
        ("CHECK", &before.checks, &after.checks),
    ] {
        for gone in was.iter().filter(|item| !is.contains(item)) {
            found.push(format!("{what} `{gone}` is missing"));
        }
        for new in is.iter().filter(|item| !was.contains(item)) {
            found.push(format!("{what} `{new}` is new"));
        }
    }
    found
}

fn column_differences(before: &Column, after: &Column, found: &mut Vec<String>) {
    let shown = |value: &Option<String>| value.as_deref().map_or("none".to_owned(), |value| format!("`{value}`"));
    let name = &after.name;
    let mut changed = |what: &str, was: String, is: String| {
        if was != is {
            found.push(format!("column `{name}`'s {what} was {was} and is now {is}"));
        }
    };
    let declared = |column: &Column| {
        if column.declared_type.is_empty() { "none".to_owned() } else { format!("`{}`", column.declared_type) }
    };
    changed("type", declared(before), declared(after));
    let not_null = |column: &Column| if column.not_null { "NOT NULL" } else { "nullable" }.to_owned();
    changed("constraint", not_null(before), not_null(after));
    changed("default", shown(&before.default), shown(&after.default));
    let key = |column: &Column| match column.primary_key {
        0 => "not in the primary key".to_owned(),
        position => format!("primary key column {position}"),
    };
    changed("key", key(before), key(after));
    changed("collation", shown(&before.collation), shown(&after.collation));
    changed("generated expression", shown(&before.generated), shown(&after.generated));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compare(before: &str, after: &str) -> Vec<String> {
        differences("t", before, after).expect("both create a table")
    }

    #[test]
    fn the_order_of_a_column_s_constraints_is_no_difference() {
        // rebuilderd's `2025-05-20-210543_compress-logs/down.sql` restores its table this way.
        assert_eq!(
            compare(
                "CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, name TEXT NOT NULL UNIQUE)",
                "CREATE TABLE t (\n  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n  name text UNIQUE NOT NULL\n)"
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            compare(
                "CREATE TABLE t(a INT, b INT, CHECK (a > 0), CONSTRAINT k UNIQUE (a, b), FOREIGN KEY (a) REFERENCES p(x))",
                "CREATE TABLE t(a INT REFERENCES p(x), b INT CHECK(a>0), UNIQUE(a,b))"
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_real_difference_is_named() {
        assert_eq!(
            compare("CREATE TABLE t(a INT, b TEXT DEFAULT 'x')", "CREATE TABLE t(b TEXT DEFAULT 'y', a INT)"),
            [
                "column `b`'s default was `'x'` and is now `'y'`",
                "its columns were in the order `a, b` and are now `b, a`"
            ]
        );
        assert_eq!(
            compare("CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT)", "CREATE TABLE t(id INTEGER PRIMARY KEY)"),
            ["it is no longer AUTOINCREMENT"]
        );
        assert_eq!(
            compare("CREATE TABLE t(a INT NOT NULL, b)", "CREATE TABLE t(a BIGINT, c)"),
            [
                "column `b` is missing",
                "column `a`'s type was `int` and is now `bigint`",
                "column `a`'s constraint was NOT NULL and is now nullable",
                "column `c` is new",
            ]
        );
        assert_eq!(
            compare(
                "CREATE TABLE t(a TEXT COLLATE NOCASE CHECK (a <> ''), p INT REFERENCES u(id) ON DELETE CASCADE) STRICT",
                "CREATE TABLE t(a TEXT CHECK (a <> 'x'), p INT REFERENCES u(id), UNIQUE (a))"
            ),
            [
                "it is no longer STRICT",
                "column `a`'s collation was `nocase` and is now none",
                "foreign key `FOREIGN KEY (p) REFERENCES u(id) ON DELETE CASCADE` is missing",
                "foreign key `FOREIGN KEY (p) REFERENCES u(id)` is new",
                "constraint `UNIQUE (a COLLATE BINARY)` is new",
                "CHECK `(a<>'')` is missing",
                "CHECK `(a<>'x')` is new",
            ]
        );
        assert_eq!(
            compare("CREATE TABLE t(a, b AS (a + 1))", "CREATE TABLE t(a, b AS (a * 2))"),
            ["column `b`'s generated expression was `(a+1)` and is now `(a*2)`"]
        );
    }

    #[test]
    fn a_table_sqlite_cannot_create_alone_is_left_to_the_text() {
        assert_eq!(differences("t", "CREATE VIRTUAL TABLE t USING fts5(x)", "CREATE TABLE t(x)"), None);
    }

    #[test]
    fn names_lose_their_quotes() {
        assert_eq!(name("\"my \"\"table\"\"\""), "my \"table\"");
        assert_eq!(name("[a b]"), "a b");
        assert_eq!(name("`x`"), "x");
        assert_eq!(name("plain"), "plain");
    }
}
