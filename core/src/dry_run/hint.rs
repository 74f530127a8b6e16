//! What to do about a statement the database rejected (SQLite's helpers; the keyword and name
//! suggestions serve the servers' dry run too): the keyword a typo was meant to be, the table or
//! column that exists under a close name, the `;` missing before a statement.

use crate::problem::Position;
use crate::script::Statement;
use crate::suggest::did_you_mean;
#[cfg(feature = "dry-run")]
use rusqlite::Connection;

/// SQLite's keywords, and the type names most often written in migrations.
const KEYWORDS: &[&str] = &[
    "ABORT",
    "ACTION",
    "ADD",
    "AFTER",
    "ALL",
    "ALTER",
    "ALWAYS",
    "ANALYZE",
    "AND",
    "AS",
    "ASC",
    "ATTACH",
    "AUTOINCREMENT",
    "BEFORE",
    "BEGIN",
    "BETWEEN",
    "BY",
    "CASCADE",
    "CASE",
    "CAST",
    "CHECK",
    "COLLATE",
    "COLUMN",
    "COMMIT",
    "CONFLICT",
    "CONSTRAINT",
    "CREATE",
    "CROSS",
    "CURRENT",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "CURRENT_TIMESTAMP",
    "DATABASE",
    "DEFAULT",
    "DEFERRABLE",
    "DEFERRED",
    "DELETE",
    "DESC",
    "DETACH",
    "DISTINCT",
    "DO",
    "DROP",
    "EACH",
    "ELSE",
    "END",
    "ESCAPE",
    "EXCEPT",
    "EXCLUDE",
    "EXCLUSIVE",
    "EXISTS",
    "EXPLAIN",
    "FAIL",
    "FILTER",
    "FIRST",
    "FOLLOWING",
    "FOR",
    "FOREIGN",
    "FROM",
    "FULL",
    "GENERATED",
    "GLOB",
    "GROUP",
    "GROUPS",
    "HAVING",
    "IF",
    "IGNORE",
    "IMMEDIATE",
    "IN",
    "INDEX",
    "INDEXED",
    "INITIALLY",
    "INNER",
    "INSERT",
    "INSTEAD",
    "INTERSECT",
    "INTO",
    "IS",
    "ISNULL",
    "JOIN",
    "KEY",
    "LAST",
    "LEFT",
    "LIKE",
    "LIMIT",
    "MATCH",
    "MATERIALIZED",
    "NATURAL",
    "NO",
    "NOT",
    "NOTHING",
    "NOTNULL",
    "NULL",
    "NULLS",
    "OF",
    "OFFSET",
    "ON",
    "OR",
    "ORDER",
    "OTHERS",
    "OUTER",
    "OVER",
    "PARTITION",
    "PLAN",
    "PRAGMA",
    "PRECEDING",
    "PRIMARY",
    "QUERY",
    "RAISE",
    "RANGE",
    "RECURSIVE",
    "REFERENCES",
    "REGEXP",
    "REINDEX",
    "RELEASE",
    "RENAME",
    "REPLACE",
    "RESTRICT",
    "RETURNING",
    "RIGHT",
    "ROLLBACK",
    "ROW",
    "ROWS",
    "SAVEPOINT",
    "SELECT",
    "SET",
    "TABLE",
    "TEMP",
    "TEMPORARY",
    "THEN",
    "TIES",
    "TO",
    "TRANSACTION",
    "TRIGGER",
    "UNBOUNDED",
    "UNION",
    "UNIQUE",
    "UPDATE",
    "USING",
    "VACUUM",
    "VALUES",
    "VIEW",
    "VIRTUAL",
    "WHEN",
    "WHERE",
    "WINDOW",
    "WITH",
    "WITHOUT",
    "INTEGER",
    "TEXT",
    "REAL",
    "BLOB",
    "NUMERIC",
    "VARCHAR",
    "BOOLEAN",
];

/// Keywords that start a statement: after one of these at the start of a line, a `;` is likely
/// missing before it.
const STATEMENT_STARTS: &[&str] = &[
    "ALTER",
    "ANALYZE",
    "ATTACH",
    "BEGIN",
    "COMMIT",
    "CREATE",
    "DELETE",
    "DETACH",
    "DROP",
    "END",
    "INSERT",
    "PRAGMA",
    "REINDEX",
    "RELEASE",
    "REPLACE",
    "ROLLBACK",
    "SAVEPOINT",
    "SELECT",
    "UPDATE",
    "VACUUM",
    "WITH",
];

/// Said when nothing more precise fits.
#[cfg(feature = "dry-run")]
pub(super) const GENERAL: &str = "the dry run applies every migration in order to an empty in-memory SQLite database; fix the statement, or mark the file `-- strata:no-dry-run` if it needs what the build machine lacks";

/// What only PostgreSQL's SQL says, and only MySQL's: a folder written for one of them and
/// embedded for SQLite fails on these, and the fix is the dialect, not the statement. MySQL's
/// are looked for first: MySQL knows a few of PostgreSQL's words (`SERIAL`), not the reverse.
#[cfg(feature = "dry-run")]
const POSTGRES_ONLY: &[&str] = &[
    "CREATE TYPE",
    "ALTER TYPE",
    "CREATE EXTENSION",
    "TIMESTAMPTZ",
    "TIMESTAMP WITH TIME ZONE",
    "JSONB",
    "BIGSERIAL",
    "SMALLSERIAL",
    "SERIAL",
    "AS IDENTITY",
    "USING GIN",
    "USING GIST",
    "::",
    "$$",
    "CONCURRENTLY",
];
#[cfg(feature = "dry-run")]
const MYSQL_ONLY: &[&str] = &[
    "AUTO_INCREMENT",
    "ENGINE=",
    "ENGINE =",
    "UNSIGNED",
    "CHARSET",
    "CHARACTER SET",
    "ON UPDATE CURRENT_TIMESTAMP",
    "MODIFY COLUMN",
    "CHANGE COLUMN",
    "TINYINT(1)",
    "MEDIUMTEXT",
    "LONGTEXT",
];

#[cfg(feature = "dry-run")]
/// The hint for `message`, SQLite's error for `statement` (of the script `text`) at `position`.
pub(super) fn help(conn: &Connection, message: &str, statement: &Statement, text: &str, position: Position) -> String {
    if let Some(hint) = other_dialect(statement.sql()) {
        return hint;
    }
    let specific = if let Some(token) = syntax_error_token(message) {
        missing_semicolon(token, statement, text, position).or_else(|| keyword_typo(token))
    } else if let Some(table) = message.strip_prefix("no such table: ") {
        close_name(table, &names(conn, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"))
    } else if let Some(column) = message.strip_prefix("no such column: ") {
        close_name(column, &columns(conn))
    } else if let Some((_, column)) = message.split_once(" has no column named ") {
        close_name(column, &columns(conn))
    } else {
        None
    };
    specific.unwrap_or_else(|| GENERAL.to_owned())
}

#[cfg(feature = "dry-run")]
/// A statement that looks written for PostgreSQL or MySQL: say to set the dialect.
fn other_dialect(sql: &str) -> Option<String> {
    let upper = sql.to_ascii_uppercase();
    let found = |words: &[&'static str]| words.iter().copied().find(|word| contains_word(&upper, word));
    let (name, dialect, word) = match (found(MYSQL_ONLY), found(POSTGRES_ONLY)) {
        (Some(word), _) => ("MySQL", "mysql", word),
        (None, Some(word)) => ("PostgreSQL", "postgres", word),
        (None, None) => return None,
    };
    Some(format!(
        "`{word}` is {name}'s SQL, and the folder is read as SQLite's: embed it with `dialect = \"{dialect}\"` (`strata check --dialect {dialect}`, or a {dialect}:// `--db`)"
    ))
}

#[cfg(feature = "dry-run")]
/// Whether `word` stands in `upper` with no letter, digit or `_` against its ends that are
/// letters (`ENGINE=` may be followed by anything; `::` stands anywhere).
fn contains_word(upper: &str, word: &str) -> bool {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let (left_edge, right_edge) =
        (word.chars().next().is_some_and(is_word), word.chars().next_back().is_some_and(is_word));
    upper.match_indices(word).any(|(at, _)| {
        let joined_left = left_edge && upper[..at].chars().next_back().is_some_and(is_word);
        let joined_right = right_edge && upper[at + word.len()..].chars().next().is_some_and(is_word);
        !joined_left && !joined_right
    })
}

#[cfg(feature = "dry-run")]
/// `CREAT` in `near "CREAT": syntax error`.
fn syntax_error_token(message: &str) -> Option<&str> {
    message.strip_prefix("near \"")?.strip_suffix("\": syntax error")
}

pub(super) fn keyword_typo(token: &str) -> Option<String> {
    let upper = token.to_ascii_uppercase();
    if token.chars().count() < 4 || KEYWORDS.contains(&upper.as_str()) {
        return None;
    }
    did_you_mean(&upper, KEYWORDS.iter().copied()).map(|keyword| format!("did you mean `{keyword}`?"))
}

/// A statement keyword first on a line inside a statement that began on an earlier line: the
/// statement before it has no `;`.
pub(super) fn missing_semicolon(token: &str, statement: &Statement, text: &str, position: Position) -> Option<String> {
    let starts_statement = STATEMENT_STARTS.contains(&token.to_ascii_uppercase().as_str());
    let lines: Vec<&str> = text.lines().collect();
    let line = lines.get(usize::try_from(position.line).ok()?.checked_sub(1)?)?;
    let first_on_line =
        line.chars().take(usize::try_from(position.column).ok()?.saturating_sub(1)).all(char::is_whitespace);
    if !starts_statement || !first_on_line || position.line <= Position::of(statement).line {
        return None;
    }
    let previous = (Position::of(statement).line..position.line).rev().find(|&number| {
        lines.get(usize::try_from(number).unwrap_or(usize::MAX).wrapping_sub(1)).is_some_and(|l| !l.trim().is_empty())
    })?;
    Some(format!("a `;` is probably missing at the end of line {previous}, before `{token}`"))
}

pub(super) fn close_name(missing: &str, existing: &[String]) -> Option<String> {
    let missing = missing.rsplit('.').next().unwrap_or(missing).trim_matches('"');
    let close = did_you_mean(&missing.to_lowercase(), existing.iter().map(|name| name.to_lowercase()))?;
    let written = existing.iter().find(|name| name.to_lowercase() == close)?;
    Some(format!("did you mean `{written}`?"))
}

#[cfg(feature = "dry-run")]
fn names(conn: &Connection, sql: &str) -> Vec<String> {
    let Ok(mut statement) = conn.prepare(sql) else { return Vec::new() };
    statement
        .query_map([], |row| row.get::<_, String>(0))
        .map(|rows| rows.filter_map(Result::ok).filter(|name| !name.starts_with("sqlite_")).collect())
        .unwrap_or_default()
}

#[cfg(feature = "dry-run")]
fn columns(conn: &Connection) -> Vec<String> {
    let tables = names(conn, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')");
    let mut columns: Vec<String> = tables
        .iter()
        .flat_map(|table| names(conn, &format!("SELECT name FROM pragma_table_info('{}')", table.replace('\'', "''"))))
        .collect();
    columns.sort();
    columns.dedup();
    columns
}

#[cfg(test)]
#[cfg(feature = "dry-run")]
mod tests {
    use super::*;

    #[test]
    fn another_dialect_s_sql_says_to_set_the_dialect() {
        let hint = other_dialect("CREATE TYPE mood AS ENUM ('sad', 'ok')").unwrap_or_default();
        assert_eq!(
            hint,
            "`CREATE TYPE` is PostgreSQL's SQL, and the folder is read as SQLite's: embed it with `dialect = \"postgres\"` (`strata check --dialect postgres`, or a postgres:// `--db`)"
        );
        assert!(
            other_dialect("CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY)")
                .unwrap_or_default()
                .contains("`AUTO_INCREMENT` is MySQL's")
        );
        assert!(other_dialect("SELECT x::text FROM t").unwrap_or_default().contains("`::`"));
        // Words inside other words, and SQLite's own SQL, say nothing.
        assert_eq!(other_dialect("CREATE TABLE serials (serial_no INTEGER, engine TEXT)"), None);
        assert!(
            other_dialect("CREATE TABLE t (id SERIAL) ENGINE=InnoDB")
                .unwrap_or_default()
                .contains("`ENGINE=` is MySQL's")
        );
        assert_eq!(other_dialect("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT)"), None);
    }

    #[test]
    fn keyword_typos_only_for_words_that_are_not_keywords() {
        assert_eq!(keyword_typo("CREAT").as_deref(), Some("did you mean `CREATE`?"));
        assert_eq!(keyword_typo("defalt").as_deref(), Some("did you mean `DEFAULT`?"));
        assert_eq!(keyword_typo("DROP"), None);
        assert_eq!(keyword_typo("xyz"), None);
    }

    #[test]
    fn a_statement_keyword_first_on_a_later_line_means_a_missing_semicolon() {
        let text = "CREATE TABLE a(x)\n\nCREATE TABLE b(y);";
        let statement = Statement::new(text.to_owned(), 1, 1);
        assert_eq!(
            missing_semicolon("CREATE", &statement, text, Position::new(3, 1)).as_deref(),
            Some("a `;` is probably missing at the end of line 1, before `CREATE`")
        );
        assert_eq!(missing_semicolon("CREATE", &statement, text, Position::new(1, 1)), None);
        assert_eq!(missing_semicolon("TABLE", &statement, text, Position::new(3, 8)), None);
    }
}
