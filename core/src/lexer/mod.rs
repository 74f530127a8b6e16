//! Splits a script into statements, never inside a string, quoted identifier, comment, dollar
//! quote or body, and keeps each statement's line and column in its file.
//!
//! A body is the part of a statement whose `;` do not end it, by the rules of the dialect:
//!
//! - SQLite: a trigger's `BEGIN … END` (`CREATE [TEMP] TRIGGER … BEGIN … END`).
//! - PostgreSQL: an SQL-standard function body, `CREATE [OR REPLACE] FUNCTION | PROCEDURE …
//!   BEGIN ATOMIC … END` (PostgreSQL 14). `$$` bodies are dollar quotes.
//! - MySQL and MariaDB: a stored program's compound statement (`CREATE [OR REPLACE] [DEFINER =
//!   user] TRIGGER | PROCEDURE | FUNCTION | EVENT …`, and `ALTER EVENT … DO`), whose `BEGIN …
//!   END`, `IF … END IF`, `CASE … END CASE`, `WHILE … END WHILE`, `LOOP … END LOOP`, `REPEAT …
//!   END REPEAT` and MariaDB's `FOR … END FOR` nest, labelled or not; and MariaDB's compound
//!   statements outside a stored program (`BEGIN NOT ATOMIC … END`, `IF … END IF`, …). A `BEGIN`
//!   or `BEGIN WORK` that starts a transaction is a statement of its own. The mysql client's
//!   `DELIMITER` command is an error: it is not SQL, and strata needs no other delimiter.
//!
//! The lexer is stricter than SQLite on purpose: an unterminated string, identifier, comment or
//! body is an error even where SQLite would quietly accept it (an unclosed `/*` swallows the rest
//! of the file there).

mod bodies;

use crate::dialect::Dialect;
use crate::problem::Position;
use crate::scan;
use crate::script::Statement;
use bodies::Body;
use std::fmt;

/// Why a script could not be split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexErrorKind {
    /// A `'` string with no closing quote.
    UnterminatedString,
    /// A `"`, backtick or `[` quoted identifier with no closing quote.
    UnterminatedIdentifier {
        /// The opening quote.
        open: char,
    },
    /// A `/*` comment with no closing `*/`.
    UnterminatedComment,
    /// A PostgreSQL `$tag$` quote with no closing `$tag$`.
    UnterminatedDollarQuote {
        /// The tag, with its dollars: `$$` or `$body$`.
        tag: String,
    },
    /// A SQLite trigger's `BEGIN` with no matching `END`.
    UnterminatedTriggerBody,
    /// A body's block with no matching end: PostgreSQL's `BEGIN ATOMIC`, or a MySQL stored
    /// program's or compound statement's `BEGIN`, `IF`, `CASE`, `WHILE`, `LOOP`, `REPEAT` or
    /// `FOR`.
    UnterminatedBlock {
        /// What opens the block: `BEGIN ATOMIC`, `BEGIN`, `IF`, …
        open: &'static str,
        /// What would close it: `END`, `END IF`, …
        close: &'static str,
    },
    /// The mysql client's `DELIMITER` command, which is not SQL.
    DelimiterCommand,
    /// A `(` with no matching `)` in its statement.
    UnclosedParenthesis,
    /// A `)` with no `(` before it in its statement.
    UnopenedParenthesis,
}

/// A script that could not be split, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    /// What is wrong.
    pub kind: LexErrorKind,
    /// Where the unterminated construct starts (or the stray `)` or the `DELIMITER` is).
    pub position: Position,
    /// For an unterminated quote: where an earlier quote of the same kind opened that ran over a
    /// line break. A quote missing there makes the lexer pair the wrong quotes, so the one
    /// reported unterminated is not where the mistake is.
    pub suspect: Option<Position>,
}

impl LexError {
    /// What to do about it.
    pub fn help(&self) -> String {
        if let Some(suspect) = self.suspect {
            let (what, quote) = match &self.kind {
                LexErrorKind::UnterminatedString => ("string", "'".to_owned()),
                LexErrorKind::UnterminatedIdentifier { open: '[' } => ("quoted identifier", "]".to_owned()),
                LexErrorKind::UnterminatedIdentifier { open } => ("quoted identifier", open.to_string()),
                LexErrorKind::UnterminatedDollarQuote { tag } => ("dollar-quoted body", tag.clone()),
                _ => ("quote", String::new()),
            };
            return format!(
                "the {what} opened at {suspect} runs over a line break: a missing `{quote}` there would explain this; {}",
                self.plain_help()
            );
        }
        self.plain_help()
    }

    fn plain_help(&self) -> String {
        let help = match self.kind {
            LexErrorKind::UnterminatedString => "close the string with `'`; write a quote inside a string as `''`",
            LexErrorKind::UnterminatedIdentifier { .. } => "close the quoted identifier",
            LexErrorKind::UnterminatedComment => "close the comment with `*/`",
            LexErrorKind::UnterminatedDollarQuote { .. } => "close the body with the same tag it was opened with",
            LexErrorKind::UnterminatedTriggerBody => {
                "end the trigger body with `END;` (a `CASE` inside it needs its own `END`)"
            }
            LexErrorKind::UnterminatedBlock { open: "BEGIN ATOMIC", .. } => {
                "end the body with `END;` (a `CASE` inside it needs its own `END`)"
            }
            LexErrorKind::UnterminatedBlock { close, .. } => {
                return format!(
                    "end it with `{close};`; every block inside it needs its own end too: `END` for a `BEGIN` or a `CASE` expression, `END IF`, `END CASE`, `END WHILE`, `END LOOP`, `END REPEAT`"
                );
            }
            LexErrorKind::DelimiterCommand => {
                "strata splits statements itself; remove the `DELIMITER` lines and end the stored program with `END;`"
            }
            LexErrorKind::UnclosedParenthesis => "add the missing `)` before the statement's `;`",
            LexErrorKind::UnopenedParenthesis => "remove the `)` or add the `(` it closes",
        };
        help.to_owned()
    }
}

impl fmt::Display for LexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            LexErrorKind::UnterminatedString => f.write_str("unterminated string"),
            LexErrorKind::UnterminatedIdentifier { open } => {
                write!(f, "unterminated quoted identifier `{open}`")
            }
            LexErrorKind::UnterminatedComment => f.write_str("unterminated `/*` comment"),
            LexErrorKind::UnterminatedDollarQuote { tag } => {
                write!(f, "unterminated dollar-quoted string `{tag}`")
            }
            LexErrorKind::UnterminatedTriggerBody => f.write_str("trigger body `BEGIN` has no matching `END`"),
            LexErrorKind::UnterminatedBlock { open: open @ "BEGIN ATOMIC", close } => {
                write!(f, "function body `{open}` has no matching `{close}`")
            }
            LexErrorKind::UnterminatedBlock { open, close } => write!(f, "`{open}` has no matching `{close}`"),
            LexErrorKind::DelimiterCommand => f.write_str("`DELIMITER` is a command of the mysql client, not SQL"),
            LexErrorKind::UnclosedParenthesis => f.write_str("unclosed parenthesis `(`"),
            LexErrorKind::UnopenedParenthesis => f.write_str("unbalanced parenthesis `)`"),
        }
    }
}

impl std::error::Error for LexError {}

/// Splits `script` into statements according to `dialect`.
///
/// # Errors
///
/// The first unterminated string, identifier, comment, dollar quote or body, unbalanced
/// parenthesis, or (MySQL) `DELIMITER` command, with its position.
///
/// ```
/// use strata_core::{Dialect, split_statements};
/// let statements = split_statements("CREATE TABLE a(x);\n-- note\nINSERT INTO a VALUES (';');", Dialect::Sqlite)?;
/// assert_eq!(statements.len(), 2);
/// assert_eq!(statements[1].sql(), "INSERT INTO a VALUES (';')");
/// assert_eq!((statements[1].line(), statements[1].column()), (3, 1));
/// # Ok::<(), strata_core::LexError>(())
/// ```
pub fn split_statements(script: &str, dialect: Dialect) -> Result<Vec<Statement>, LexError> {
    Lexer { cursor: Cursor::new(script), dialect, over_line_break: Vec::new() }.run()
}

/// A byte cursor that knows its line and character column.
struct Cursor<'a> {
    src: &'a [u8],
    pos: usize,
    position: Position,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Self { src: text.as_bytes(), pos: 0, position: Position::new(1, 1) }
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.src.get(self.pos + ahead).copied()
    }

    fn bump(&mut self) {
        let Some(byte) = self.peek() else { return };
        self.pos += 1;
        if byte == b'\n' {
            self.position.line += 1;
            self.position.column = 1;
        } else if byte & 0xC0 != 0x80 {
            // Count characters, not bytes: continuation bytes do not move the column.
            self.position.column += 1;
        }
    }

    fn bump_n(&mut self, n: usize) {
        for _ in 0..n {
            self.bump();
        }
    }

    fn rest(&self) -> &'a [u8] {
        &self.src[self.pos..]
    }
}

pub(crate) fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'$' || byte >= 0x80
}

pub(crate) fn is_word_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_' || byte >= 0x80
}

/// The kind of a quote closed by `quote`, as [`Lexer::over_line_break`] keys it.
fn quote_key(quote: u8) -> &'static str {
    match quote {
        b'\'' => "'",
        b'"' => "\"",
        b']' => "[",
        _ => "`",
    }
}

struct Lexer<'a> {
    cursor: Cursor<'a>,
    dialect: Dialect,
    /// The last quote of each kind (`'`, `"`, a dollar tag, …) that ran over a line break, and
    /// where it opened: the suspect when a later one of that kind is unterminated.
    over_line_break: Vec<(String, Position)>,
}

impl Lexer<'_> {
    fn run(mut self) -> Result<Vec<Statement>, LexError> {
        let mut statements = Vec::new();
        loop {
            self.skip_trivia()?;
            if self.cursor.peek().is_none() {
                return Ok(statements);
            }
            statements.push(self.statement()?);
        }
    }

    /// Skips white space, comments and empty statements (`;;`) between statements.
    fn skip_trivia(&mut self) -> Result<(), LexError> {
        loop {
            match self.cursor.peek() {
                Some(byte) if byte.is_ascii_whitespace() || byte == b';' => self.cursor.bump(),
                Some(_) if self.at_comment() => self.comment()?,
                _ => return Ok(()),
            }
        }
    }

    fn at_comment(&self) -> bool {
        scan::opens_comment(self.cursor.rest(), self.dialect)
    }

    fn comment(&mut self) -> Result<(), LexError> {
        let start = self.cursor.position;
        let Some(comment) = scan::comment(self.cursor.rest(), self.dialect) else { return Ok(()) };
        self.cursor.bump_n(comment.len);
        match comment.closed {
            true => Ok(()),
            false => Err(LexError { kind: LexErrorKind::UnterminatedComment, position: start, suspect: None }),
        }
    }

    fn statement(&mut self) -> Result<Statement, LexError> {
        let start = self.cursor.pos;
        let position = self.cursor.position;
        if self.dialect == Dialect::Mysql && self.at_delimiter_command() {
            return Err(LexError { kind: LexErrorKind::DelimiterCommand, position, suspect: None });
        }
        let mut open_parens: Vec<Position> = Vec::new();
        let mut body = Body::new(self.dialect);
        let end = loop {
            let Some(byte) = self.cursor.peek() else {
                break self.cursor.pos;
            };
            match byte {
                b';' if !body.is_open() => break self.cursor.pos,
                b'\'' | b'"' | b'`' | b'['
                    if let Some((close, escapes)) = scan::opens_quote(self.cursor.rest(), self.dialect) =>
                {
                    self.quoted(close, escapes)?;
                    if byte != b'[' {
                        body.quoted();
                    }
                }
                b'$' if self.dialect == Dialect::Postgres => self.dollar()?,
                b'-' | b'/' | b'#' if self.at_comment() => self.comment()?,
                b'(' => {
                    open_parens.push(self.cursor.position);
                    body.symbol(byte, self.cursor.peek_at(1));
                    self.cursor.bump();
                }
                b')' => {
                    if open_parens.pop().is_none() {
                        return Err(LexError {
                            kind: LexErrorKind::UnopenedParenthesis,
                            position: self.cursor.position,
                            suspect: None,
                        });
                    }
                    body.symbol(byte, self.cursor.peek_at(1));
                    self.cursor.bump();
                }
                _ if is_word_start(byte) => self.word(&mut body)?,
                _ => {
                    if !byte.is_ascii_whitespace() {
                        body.symbol(byte, self.cursor.peek_at(1));
                    }
                    self.cursor.bump();
                }
            }
        };
        if let Some(error) = body.unterminated() {
            return Err(error);
        }
        if let Some(open) = open_parens.pop() {
            return Err(LexError { kind: LexErrorKind::UnclosedParenthesis, position: open, suspect: None });
        }
        let text = String::from_utf8_lossy(&self.cursor.src[start..end]);
        // ASCII white space only, as between statements: a statement of other white space (a
        // no-break space) stays a statement, for the database to refuse, never an empty one.
        let sql = text.trim_end_matches(|c: char| c.is_ascii_whitespace()).to_owned();
        Ok(Statement::new(sql, position.line, position.column))
    }

    /// Whether the statement starting here is the mysql client's `DELIMITER` command.
    fn at_delimiter_command(&self) -> bool {
        let rest = &self.cursor.src[self.cursor.pos..];
        rest.get(..9).is_some_and(|word| word.eq_ignore_ascii_case(b"DELIMITER"))
            && rest.get(9).is_none_or(|&next| !is_word_byte(next))
    }

    fn word(&mut self, body: &mut Body) -> Result<(), LexError> {
        let start = self.cursor.pos;
        let position = self.cursor.position;
        while self.cursor.peek().is_some_and(is_word_byte) {
            self.cursor.bump();
        }
        let word = &self.cursor.src[start..self.cursor.pos];
        // PostgreSQL's `E'..'` string takes backslash escapes.
        if self.dialect == Dialect::Postgres && word.eq_ignore_ascii_case(b"e") && self.cursor.peek() == Some(b'\'') {
            return self.quoted(b'\'', true);
        }
        let after_dot = start > 0 && self.cursor.src[start - 1] == b'.';
        body.word(word, position, &self.cursor.src[self.cursor.pos..], after_dot);
        Ok(())
    }

    /// Notes a quote of kind `key` that opened at `start` and just closed, if it ran over a line
    /// (the only case that allocates: most quotes stay on their line).
    fn closed(&mut self, key: &str, start: Position) {
        if self.cursor.position.line != start.line {
            self.over_line_break.retain(|(kind, _)| kind != key);
            self.over_line_break.push((key.to_owned(), start));
        }
    }

    /// The error for a quote of kind `key` that opened at `start` and never closed.
    fn unterminated(&self, kind: LexErrorKind, start: Position, key: &str) -> LexError {
        let suspect = self.over_line_break.iter().find(|(k, _)| k == key).map(|(_, position)| *position);
        LexError { kind, position: start, suspect }
    }

    /// A string or identifier that opens here and closes with `close` (see [`scan::quoted`]).
    fn quoted(&mut self, close: u8, backslash_escapes: bool) -> Result<(), LexError> {
        let (start, key) = (self.cursor.position, quote_key(close));
        let quoted = scan::quoted(self.cursor.rest(), close, backslash_escapes);
        self.cursor.bump_n(quoted.len);
        if quoted.closed {
            self.closed(key, start);
            return Ok(());
        }
        let kind = match close {
            b'\'' => LexErrorKind::UnterminatedString,
            b']' => LexErrorKind::UnterminatedIdentifier { open: '[' },
            _ => LexErrorKind::UnterminatedIdentifier { open: char::from(close) },
        };
        Err(self.unterminated(kind, start, key))
    }

    /// PostgreSQL's `$tag$ … $tag$`; a `$` that opens no tag (`$1`) is just a character.
    fn dollar(&mut self) -> Result<(), LexError> {
        let rest = self.cursor.rest();
        let (Some(tag), Some(quoted)) = (scan::dollar_tag(rest), scan::dollar_quoted(rest)) else {
            self.cursor.bump();
            return Ok(());
        };
        let (start, tag) = (self.cursor.position, String::from_utf8_lossy(tag).into_owned());
        self.cursor.bump_n(quoted.len);
        if quoted.closed {
            self.closed(&tag, start);
            return Ok(());
        }
        Err(self.unterminated(LexErrorKind::UnterminatedDollarQuote { tag: tag.clone() }, start, &tag))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(sql: &str) -> Vec<String> {
        split_in(sql, Dialect::Sqlite)
    }

    fn split_in(sql: &str, dialect: Dialect) -> Vec<String> {
        match split_statements(sql, dialect) {
            Ok(statements) => statements.iter().map(|s| s.sql().to_owned()).collect(),
            Err(error) => vec![format!("error: {error} at {}", error.position)],
        }
    }

    #[test]
    fn an_unterminated_quote_names_an_earlier_one_that_ran_over_a_line_break() {
        // The `'` missing after `alice` pairs the next line's opening quote with this one, so
        // the last quote of the file is the one left unterminated.
        let script = "INSERT INTO users VALUES ('alice, 1);\nINSERT INTO users VALUES ('bob', 2);";
        let error = split_statements(script, Dialect::Sqlite).unwrap_err();
        assert_eq!(
            (error.kind.clone(), error.position, error.suspect),
            (LexErrorKind::UnterminatedString, Position::new(2, 31), Some(Position::new(1, 27)))
        );
        assert!(
            error.help().starts_with(
                "the string opened at 1:27 runs over a line break: a missing `'` there would explain this"
            )
        );
        let body = "CREATE FUNCTION f() AS $$ SELECT 1;\n$$;\nCREATE FUNCTION g() AS $$ SELECT 2;";
        assert_eq!(split_statements(body, Dialect::Postgres).unwrap_err().suspect, Some(Position::new(1, 24)));
        // A string on one line is no suspect.
        assert_eq!(split_statements("SELECT 'a';\nSELECT 'b", Dialect::Sqlite).unwrap_err().suspect, None);
    }

    fn error(sql: &str, dialect: Dialect) -> (LexErrorKind, Position) {
        match split_statements(sql, dialect) {
            Ok(statements) => (LexErrorKind::UnclosedParenthesis, Position::new(0, statements.len() as u32)),
            Err(error) => (error.kind, error.position),
        }
    }

    #[test]
    fn splits_on_semicolons_and_drops_empty_statements() {
        assert_eq!(split("a; b;; ;c"), ["a", "b", "c"]);
        assert_eq!(split("  \n -- only a comment\n/* and this */ ;"), Vec::<String>::new());
        assert_eq!(split("select 1 -- trailing\n"), ["select 1 -- trailing"]);
    }

    #[test]
    fn keeps_line_and_character_column_of_each_statement() {
        let statements = split_statements("-- header\nCREATE TABLE é(x); SELECT 1;\n\n  SELECT 2", Dialect::Sqlite);
        let positions: Vec<Position> = statements.map(|all| all.iter().map(Position::of).collect()).unwrap_or_default();
        assert_eq!(positions, [Position::new(2, 1), Position::new(2, 20), Position::new(4, 3)]);
    }

    #[test]
    fn never_splits_inside_strings_and_identifiers() {
        assert_eq!(split("insert into t values ('a;b', 'it''s;');x"), ["insert into t values ('a;b', 'it''s;')", "x"]);
        assert_eq!(split(r#"create table "a;""b"(x);y"#), [r#"create table "a;""b"(x)"#, "y"]);
        assert_eq!(split("select `a;b`, [c;d] from t;z"), ["select `a;b`, [c;d] from t", "z"]);
    }

    #[test]
    fn never_splits_inside_comments() {
        assert_eq!(split("select 1 /* ; */ + 2; -- ; \nselect 3"), ["select 1 /* ; */ + 2", "select 3"]);
    }

    #[test]
    fn block_comments_nest_in_postgres_only() {
        assert_eq!(
            split_in("select /* a /* b */ c */ 1; select 2", Dialect::Postgres),
            ["select /* a /* b */ c */ 1", "select 2"]
        );
        // In SQLite the first `*/` closes the comment; what follows is ordinary text.
        assert_eq!(split("select /* a /* b */ 1; select 2"), ["select /* a /* b */ 1", "select 2"]);
        // The look-ahead after a keyword nests them too: this `BEGIN` opens an atomic body.
        let function = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN /* a /* b */ c */ ATOMIC SELECT 1; END";
        assert_eq!(split_in(&format!("{function}; SELECT 2"), Dialect::Postgres), [function, "SELECT 2"]);
    }

    #[test]
    fn postgres_dollar_quotes_hold_semicolons() {
        let function =
            "CREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  NEW.x := 1;\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql";
        let sql = format!("{function};\nSELECT $body$ ; $$ $body$;\nSELECT $1");
        assert_eq!(split_in(&sql, Dialect::Postgres), [function, "SELECT $body$ ; $$ $body$", "SELECT $1"]);
    }

    #[test]
    fn dollars_are_parameters_in_sqlite() {
        assert_eq!(split("select $a; select $b"), ["select $a", "select $b"]);
    }

    #[test]
    fn postgres_escape_strings_take_backslashes() {
        assert_eq!(split_in(r"select E'it\'s;'; select 2", Dialect::Postgres), [r"select E'it\'s;'", "select 2"]);
        // Not an E string: the backslash is literal and `'` closes the string.
        assert_eq!(split_in(r"select 'a\'; select 2", Dialect::Postgres), [r"select 'a\'", "select 2"]);
    }

    #[test]
    fn mysql_strings_take_backslashes_and_hash_comments() {
        assert_eq!(split_in("select 'a\\';b'; # c;\nselect 2", Dialect::Mysql), ["select 'a\\';b'", "select 2"]);
    }

    #[test]
    fn trigger_bodies_with_several_statements_and_case_stay_whole() {
        let trigger = "CREATE TRIGGER t AFTER INSERT ON a WHEN new.x > 0 BEGIN\n  INSERT INTO log VALUES (CASE WHEN new.x > 1 THEN 'big' ELSE 'small' END);\n  UPDATE a SET y = 1;\nEND";
        assert_eq!(split(&format!("{trigger};\nSELECT 1")), [trigger, "SELECT 1"]);
        let temp = "create temp trigger u before delete on a begin select raise(abort, 'no'); end";
        assert_eq!(split(&format!("{temp}; select 2")), [temp, "select 2"]);
        // A transaction's BEGIN is not a trigger body.
        assert_eq!(split("BEGIN; SELECT 1; END;"), ["BEGIN", "SELECT 1", "END"]);
    }

    #[test]
    fn unterminated_constructs_are_errors_at_their_start() {
        use LexErrorKind::*;
        assert_eq!(error("select 1;\nselect 'abc", Dialect::Sqlite), (UnterminatedString, Position::new(2, 8)));
        assert_eq!(error("select \"abc", Dialect::Sqlite), (UnterminatedIdentifier { open: '"' }, Position::new(1, 8)));
        assert_eq!(error("select [abc", Dialect::Sqlite), (UnterminatedIdentifier { open: '[' }, Position::new(1, 8)));
        assert_eq!(error("select `abc", Dialect::Mysql), (UnterminatedIdentifier { open: '`' }, Position::new(1, 8)));
        assert_eq!(error("select 1; /* abc", Dialect::Sqlite), (UnterminatedComment, Position::new(1, 11)));
        assert_eq!(error("select /* a /* b */", Dialect::Postgres), (UnterminatedComment, Position::new(1, 8)));
        assert_eq!(
            error("select $x$ abc $y$", Dialect::Postgres),
            (UnterminatedDollarQuote { tag: "$x$".into() }, Position::new(1, 8))
        );
        assert_eq!(
            error("create trigger t after insert on a begin\n select 1;", Dialect::Sqlite),
            (UnterminatedTriggerBody, Position::new(1, 36))
        );
        assert_eq!(error("select (1;", Dialect::Sqlite), (UnclosedParenthesis, Position::new(1, 8)));
        assert_eq!(error("select 1);", Dialect::Sqlite), (UnopenedParenthesis, Position::new(1, 9)));
    }

    fn mysql(sql: &str) -> Vec<String> {
        split_in(sql, Dialect::Mysql)
    }

    #[test]
    fn mysql_procedures_stay_whole_through_every_kind_of_block() {
        let procedure = "CREATE PROCEDURE fill(IN n INT)
BEGIN
  DECLARE i INT DEFAULT 0;
  DECLARE done INT DEFAULT FALSE;
  DECLARE cur CURSOR FOR SELECT id FROM t;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = TRUE;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
  IF n < 0 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'negative; no';
  ELSEIF n = 0 THEN
    SET i = IF(n = 0, 1, 2);
  ELSE
    IF n > 100 THEN SET n = 100; END IF;
  END IF;
  WHILE i < n DO
    INSERT INTO t VALUES (i);
    SET i = i + 1;
  END WHILE;
  read_loop: LOOP
    FETCH cur INTO i;
    IF done THEN LEAVE read_loop; END IF;
    ITERATE read_loop;
  END LOOP read_loop;
  REPEAT
    SET i = i - 1;
  UNTIL i <= 0 END REPEAT;
  CASE n
    WHEN 1 THEN SELECT CASE WHEN i > 0 THEN 'a' ELSE 'b' END;
    ELSE BEGIN SELECT 2; END;
  END CASE;
  inner_block: BEGIN
    DROP TABLE IF EXISTS scratch;
    LEAVE inner_block;
  END inner_block;
END";
        assert_eq!(mysql(&format!("{procedure};\nCALL fill(3);")), [procedure, "CALL fill(3)"]);
        // Labelled outermost block, lower case, comments.
        let labelled = "create procedure p() main: begin -- a; comment\n  select 1; # another;\n  begin end;\nend main";
        assert_eq!(mysql(&format!("{labelled};select 2")), [labelled, "select 2"]);
    }

    #[test]
    fn mysql_definer_forms_are_stored_programs() {
        for head in [
            "CREATE DEFINER=`root`@`localhost` PROCEDURE p()",
            "CREATE DEFINER = 'app'@'%' PROCEDURE p()",
            "CREATE DEFINER=\"app\"@\"10.0.0.%\" PROCEDURE p()",
            "CREATE DEFINER=root@localhost PROCEDURE p()",
            "CREATE DEFINER=root@127.0.0.1 PROCEDURE p()",
            "CREATE DEFINER=CURRENT_USER PROCEDURE p()",
            "CREATE DEFINER = CURRENT_USER() PROCEDURE p()",
            "CREATE OR REPLACE DEFINER=`a`@`b` PROCEDURE p()",
            "CREATE DEFINER=`root`@`localhost` TRIGGER t BEFORE INSERT ON a FOR EACH ROW",
            "CREATE DEFINER='app'@'%' FUNCTION f() RETURNS INT DETERMINISTIC",
            "CREATE DEFINER=`root`@`%` EVENT e ON SCHEDULE EVERY 1 DAY DO",
            "CREATE DEFINER=`root`@`%` AGGREGATE FUNCTION f(x INT) RETURNS INT",
        ] {
            let program = format!("{head} BEGIN\n  IF 1 THEN SET @x = 1; END IF;\n  RETURN 1;\nEND");
            assert_eq!(mysql(&format!("{program};\nSELECT 2;")), [program.as_str(), "SELECT 2"], "{head}");
        }
        // A `DEFINER` on a view: not a stored program, though a column is called `event`.
        assert_eq!(
            mysql("CREATE DEFINER=root@localhost SQL SECURITY INVOKER VIEW v AS SELECT event FROM t; SELECT 2"),
            ["CREATE DEFINER=root@localhost SQL SECURITY INVOKER VIEW v AS SELECT event FROM t", "SELECT 2"]
        );
    }

    #[test]
    fn mysql_triggers_with_end_if_and_end_case_stay_whole() {
        let trigger = "CREATE TRIGGER accounts_bi BEFORE INSERT ON accounts FOR EACH ROW BEGIN
  IF NEW.email IS NULL THEN
    SET NEW.email = '';
  END IF;
  CASE NEW.kind WHEN 'a' THEN SET NEW.rank = 1; ELSE SET NEW.rank = 2; END CASE;
END";
        assert_eq!(mysql(&format!("{trigger};\nSELECT 1;")), [trigger, "SELECT 1"]);
        // A body that is one compound statement, no `BEGIN`; and `FOLLOWS` another trigger.
        let bare = "CREATE TRIGGER t BEFORE UPDATE ON a FOR EACH ROW FOLLOWS `other` IF NEW.x < 0 THEN\n  SET NEW.x = 0;\n  SET NEW.y = 1;\nEND IF";
        assert_eq!(mysql(&format!("{bare};\nSELECT 1")), [bare, "SELECT 1"]);
        // A body of one plain statement.
        let simple = "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW SET NEW.x = IF(NEW.x < 0, 0, NEW.x)";
        assert_eq!(mysql(&format!("{simple}; SELECT 1")), [simple, "SELECT 1"]);
        let exists = "CREATE TRIGGER IF NOT EXISTS t AFTER DELETE ON a FOR EACH ROW DELETE FROM b WHERE b.a = OLD.id";
        assert_eq!(mysql(&format!("{exists}; SELECT 1")), [exists, "SELECT 1"]);
    }

    #[test]
    fn mysql_functions_and_events_stay_whole() {
        let function = "CREATE FUNCTION grade(score DECIMAL(5, 2)) RETURNS VARCHAR(10) CHARSET utf8mb4 DETERMINISTIC
COMMENT 'letter; grade'
BEGIN
  DECLARE g VARCHAR(10);
  SET g = CASE WHEN score >= 90 THEN 'A' WHEN score >= 80 THEN 'B' ELSE 'C' END;
  RETURN g;
END";
        assert_eq!(mysql(&format!("{function};\nSELECT grade(1)")), [function, "SELECT grade(1)"]);
        // One statement for a body: `IF(` is the function, `IF EXISTS` a clause.
        let one = "CREATE FUNCTION f(x INT) RETURNS INT NO SQL RETURN IF(x > 0, 1, 0)";
        let drop = "CREATE PROCEDURE IF NOT EXISTS p() SQL SECURITY INVOKER DROP TABLE IF EXISTS t";
        assert_eq!(mysql(&format!("{one}; {drop}; SELECT 1")), [one, drop, "SELECT 1"]);
        // A body that is one `IF` after a routine's characteristics.
        let bare =
            "CREATE PROCEDURE p(x INT) COMMENT 'c' NOT DETERMINISTIC IF x > 0 THEN SELECT 1; ELSE SELECT 2; END IF";
        assert_eq!(mysql(&format!("{bare}; SELECT 3")), [bare, "SELECT 3"]);
        let event =
            "CREATE EVENT purge_log ON SCHEDULE EVERY 1 DAY STARTS '2024-01-01 00:00:00' ON COMPLETION PRESERVE DO BEGIN
  DELETE FROM log WHERE at < NOW() - INTERVAL 30 DAY;
  WHILE ROW_COUNT() > 0 DO DELETE FROM log LIMIT 1000; END WHILE;
END";
        let alter = "ALTER EVENT purge_log DO BEGIN DELETE FROM log; OPTIMIZE TABLE log; END";
        assert_eq!(mysql(&format!("{event};\n{alter};\nSELECT 1")), [event, alter, "SELECT 1"]);
        let bare_event = "CREATE EVENT e ON SCHEDULE AT CURRENT_TIMESTAMP DO IF @x THEN SELECT 1; END IF";
        assert_eq!(mysql(&format!("{bare_event};SELECT 2")), [bare_event, "SELECT 2"]);
    }

    #[test]
    fn mysql_transaction_statements_and_other_statements_are_unchanged() {
        assert_eq!(
            mysql("BEGIN; INSERT INTO t VALUES (1); COMMIT; begin work; ROLLBACK; START TRANSACTION; END"),
            ["BEGIN", "INSERT INTO t VALUES (1)", "COMMIT", "begin work", "ROLLBACK", "START TRANSACTION", "END"]
        );
        assert_eq!(
            mysql("CREATE TABLE event (`begin` INT, `end` INT, t.case INT); SELECT CASE WHEN 1 THEN 2 END; SELECT 3"),
            ["CREATE TABLE event (`begin` INT, `end` INT, t.case INT)", "SELECT CASE WHEN 1 THEN 2 END", "SELECT 3"]
        );
        // A qualified name's `end` is no keyword, nor a `begin` column.
        let qualified = "CREATE PROCEDURE p() BEGIN SELECT r.end FROM r; END";
        let column = "CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW INSERT INTO log (begin, x) VALUES (NEW.begin, 1)";
        assert_eq!(mysql(&format!("{qualified}; {column}; SELECT 1")), [qualified, column, "SELECT 1"]);
    }

    #[test]
    fn mariadb_compound_statements_outside_stored_programs_stay_whole() {
        let block = "BEGIN NOT ATOMIC\n  DECLARE x INT DEFAULT 1;\n  IF x THEN SELECT 1; END IF;\nEND";
        let labelled = "BEGIN NOT ATOMIC outer_block: BEGIN SELECT 1; END outer_block; END";
        let if_ = "IF @x IS NULL THEN SET @x = 1; END IF";
        let for_ = "FOR i IN 1..3 DO INSERT INTO t VALUES (i); END FOR";
        assert_eq!(
            mysql(&format!("{block};\n{labelled};\n{if_};\n{for_};\nSELECT 1")),
            [block, labelled, if_, for_, "SELECT 1"]
        );
    }

    #[test]
    fn mysql_delimiter_command_is_an_error_at_its_line() {
        let script =
            "CREATE TABLE t (x INT);\n\ndelimiter //\nCREATE PROCEDURE p() BEGIN SELECT 1; END //\nDELIMITER ;\n";
        let delimiter = split_statements(script, Dialect::Mysql).unwrap_err();
        assert_eq!((delimiter.kind.clone(), delimiter.position), (LexErrorKind::DelimiterCommand, Position::new(3, 1)));
        assert_eq!(delimiter.to_string(), "`DELIMITER` is a command of the mysql client, not SQL");
        assert_eq!(
            delimiter.help(),
            "strata splits statements itself; remove the `DELIMITER` lines and end the stored program with `END;`"
        );
        assert_eq!(error("DELIMITER $$", Dialect::Mysql), (LexErrorKind::DelimiterCommand, Position::new(1, 1)));
        // A word that only starts like it, and other dialects.
        assert_eq!(mysql("delimiters; SELECT 1"), ["delimiters", "SELECT 1"]);
        assert_eq!(split("DELIMITER //"), ["DELIMITER //"]);
    }

    #[test]
    fn mysql_unterminated_blocks_are_errors_at_the_outermost() {
        use LexErrorKind::UnterminatedBlock;
        assert_eq!(
            error("CREATE PROCEDURE p()\nBEGIN\n  IF 1 THEN SELECT 1; END IF;\n", Dialect::Mysql),
            (UnterminatedBlock { open: "BEGIN", close: "END" }, Position::new(2, 1))
        );
        assert_eq!(
            error("CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW IF 1 THEN SET NEW.x = 1; END;", Dialect::Mysql),
            (UnterminatedBlock { open: "IF", close: "END IF" }, Position::new(1, 50))
        );
        let unterminated = split_statements("BEGIN NOT ATOMIC SELECT 1;", Dialect::Mysql).unwrap_err();
        assert_eq!(unterminated.to_string(), "`BEGIN` has no matching `END`");
        assert!(unterminated.help().starts_with("end it with `END;`; every block inside it needs its own end too"));
    }

    #[test]
    fn postgres_begin_atomic_bodies_stay_whole() {
        let function = "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;\nEND";
        let procedure = "create or replace procedure p() language sql begin atomic insert into t values (1); end";
        assert_eq!(
            split_in(&format!("{function};\n{procedure};\nSELECT 1;"), Dialect::Postgres),
            [function, procedure, "SELECT 1"]
        );
        // A transaction's BEGIN and END, a `$$` body, a trigger with a column named `begin`.
        let dollar = "CREATE FUNCTION g() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql";
        let trigger = "CREATE TRIGGER t BEFORE UPDATE ON a FOR EACH ROW WHEN (OLD.begin IS DISTINCT FROM NEW.begin) EXECUTE FUNCTION g()";
        assert_eq!(
            split_in(&format!("BEGIN; SELECT 1; END; {dollar}; {trigger}; SELECT 2"), Dialect::Postgres),
            ["BEGIN", "SELECT 1", "END", dollar, trigger, "SELECT 2"]
        );
        let error = split_statements(
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql\n  BEGIN ATOMIC SELECT 1;",
            Dialect::Postgres,
        )
        .unwrap_err();
        assert_eq!(error.to_string(), "function body `BEGIN ATOMIC` has no matching `END`");
        assert_eq!(error.position, Position::new(2, 3));
        assert_eq!(error.help(), "end the body with `END;` (a `CASE` inside it needs its own `END`)");
    }
}
