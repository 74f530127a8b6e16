//! Splits a script into statements, never inside a string, quoted identifier, comment, dollar
//! quote or trigger body, and keeps each statement's line and column in its file.
//!
//! The lexer is stricter than SQLite on purpose: an unterminated string, identifier, comment or
//! body is an error even where SQLite would quietly accept it (an unclosed `/*` swallows the rest
//! of the file there).

use crate::dialect::Dialect;
use crate::problem::Position;
use std::fmt;

/// One statement of a script, without its terminating `;`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement's text, from its first token to its last, comments inside included.
    pub sql: String,
    /// Where its first token is in the file.
    pub position: Position,
    /// The byte offset of its first token in the (normalised) script.
    pub offset: usize,
}

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
    /// A trigger's `BEGIN` with no matching `END`.
    UnterminatedTriggerBody,
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
    /// Where the unterminated construct starts (or the stray `)` is).
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
        self.plain_help().to_owned()
    }

    fn plain_help(&self) -> &'static str {
        match self.kind {
            LexErrorKind::UnterminatedString => "close the string with `'`; write a quote inside a string as `''`",
            LexErrorKind::UnterminatedIdentifier { .. } => "close the quoted identifier",
            LexErrorKind::UnterminatedComment => "close the comment with `*/`",
            LexErrorKind::UnterminatedDollarQuote { .. } => "close the body with the same tag it was opened with",
            LexErrorKind::UnterminatedTriggerBody => {
                "end the trigger body with `END;` (a `CASE` inside it needs its own `END`)"
            }
            LexErrorKind::UnclosedParenthesis => "add the missing `)` before the statement's `;`",
            LexErrorKind::UnopenedParenthesis => "remove the `)` or add the `(` it closes",
        }
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
/// The first unterminated string, identifier, comment, dollar quote or trigger body, or
/// unbalanced parenthesis, with its position.
///
/// ```
/// use strata_core::{Dialect, split_statements};
/// let statements = split_statements("CREATE TABLE a(x);\n-- note\nINSERT INTO a VALUES (';');", Dialect::Sqlite)?;
/// assert_eq!(statements.len(), 2);
/// assert_eq!(statements[1].sql, "INSERT INTO a VALUES (';')");
/// assert_eq!(statements[1].position.line, 3);
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

    fn starts_with(&self, needle: &[u8]) -> bool {
        self.src[self.pos..].starts_with(needle)
    }
}

pub(crate) fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'$' || byte >= 0x80
}

pub(crate) fn is_word_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_' || byte >= 0x80
}

/// What the statement being read has shown so far of a trigger.
#[derive(Default)]
struct TriggerState {
    /// The statement's first three words, upper-cased, to recognise `CREATE [TEMP] TRIGGER`.
    head: Vec<String>,
    is_trigger: bool,
    /// Open `BEGIN` of the body, and where the outermost one is.
    body_depth: u32,
    body_start: Option<Position>,
    /// Open `CASE` expressions, whose `END` does not close the body.
    case_depth: u32,
}

impl TriggerState {
    fn word(&mut self, word: &str, position: Position) {
        if self.head.len() < 3 {
            self.head.push(word.to_ascii_uppercase());
            let head: Vec<&str> = self.head.iter().map(String::as_str).collect();
            self.is_trigger =
                matches!(head.as_slice(), ["CREATE", "TRIGGER", ..] | ["CREATE", "TEMP" | "TEMPORARY", "TRIGGER"]);
            return;
        }
        if !self.is_trigger {
            return;
        }
        if word.eq_ignore_ascii_case("BEGIN") {
            if self.body_depth == 0 {
                self.body_start = Some(position);
            }
            self.body_depth += 1;
        } else if word.eq_ignore_ascii_case("CASE") {
            self.case_depth += 1;
        } else if word.eq_ignore_ascii_case("END") {
            if self.case_depth > 0 {
                self.case_depth -= 1;
            } else if self.body_depth > 0 {
                self.body_depth -= 1;
            }
        }
    }
}

/// The kind of a quote closed by `quote`, as [`Lexer::over_line_break`] keys it.
fn quote_key(quote: u8) -> &'static str {
    match quote {
        b'\'' => "'",
        b'"' => "\"",
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
        match self.cursor.peek() {
            Some(b'-') => self.cursor.peek_at(1) == Some(b'-'),
            Some(b'/') => self.cursor.peek_at(1) == Some(b'*'),
            Some(b'#') => self.dialect == Dialect::Mysql,
            _ => false,
        }
    }

    fn comment(&mut self) -> Result<(), LexError> {
        if self.cursor.peek() == Some(b'/') {
            return self.block_comment();
        }
        while let Some(byte) = self.cursor.peek() {
            if byte == b'\n' {
                break;
            }
            self.cursor.bump();
        }
        Ok(())
    }

    fn block_comment(&mut self) -> Result<(), LexError> {
        let start = self.cursor.position;
        let nests = self.dialect == Dialect::Postgres;
        self.cursor.bump_n(2);
        let mut depth = 1;
        loop {
            if self.cursor.peek().is_none() {
                return Err(LexError { kind: LexErrorKind::UnterminatedComment, position: start, suspect: None });
            }
            if self.cursor.starts_with(b"*/") {
                self.cursor.bump_n(2);
                depth -= 1;
                if depth == 0 {
                    return Ok(());
                }
            } else if nests && self.cursor.starts_with(b"/*") {
                self.cursor.bump_n(2);
                depth += 1;
            } else {
                self.cursor.bump();
            }
        }
    }

    fn statement(&mut self) -> Result<Statement, LexError> {
        let start = self.cursor.pos;
        let position = self.cursor.position;
        let mut open_parens: Vec<Position> = Vec::new();
        let mut trigger = TriggerState::default();
        let end = loop {
            let Some(byte) = self.cursor.peek() else {
                break self.cursor.pos;
            };
            match byte {
                b';' if trigger.body_depth == 0 => break self.cursor.pos,
                b'\'' => self.quoted(b'\'', self.dialect == Dialect::Mysql)?,
                b'"' => self.quoted(b'"', self.dialect == Dialect::Mysql)?,
                b'`' if self.dialect != Dialect::Postgres => self.quoted(b'`', false)?,
                b'[' if self.dialect == Dialect::Sqlite => self.bracketed()?,
                b'$' if self.dialect == Dialect::Postgres => self.dollar()?,
                _ if self.at_comment() => self.comment()?,
                b'(' => {
                    open_parens.push(self.cursor.position);
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
                    self.cursor.bump();
                }
                _ if is_word_start(byte) => self.word(&mut trigger)?,
                _ => self.cursor.bump(),
            }
        };
        if let Some(body_start) = trigger.body_start.filter(|_| trigger.body_depth > 0) {
            return Err(LexError { kind: LexErrorKind::UnterminatedTriggerBody, position: body_start, suspect: None });
        }
        if let Some(open) = open_parens.pop() {
            return Err(LexError { kind: LexErrorKind::UnclosedParenthesis, position: open, suspect: None });
        }
        let text = String::from_utf8_lossy(&self.cursor.src[start..end]);
        Ok(Statement { sql: text.trim_end().to_owned(), position, offset: start })
    }

    fn word(&mut self, trigger: &mut TriggerState) -> Result<(), LexError> {
        let start = self.cursor.pos;
        let position = self.cursor.position;
        while self.cursor.peek().is_some_and(is_word_byte) {
            self.cursor.bump();
        }
        let word = String::from_utf8_lossy(&self.cursor.src[start..self.cursor.pos]);
        // PostgreSQL's `E'..'` string takes backslash escapes.
        if self.dialect == Dialect::Postgres && word.eq_ignore_ascii_case("e") && self.cursor.peek() == Some(b'\'') {
            return self.quoted(b'\'', true);
        }
        trigger.word(&word, position);
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

    /// A string or identifier closed by `quote`, where a doubled quote stands for one.
    fn quoted(&mut self, quote: u8, backslash_escapes: bool) -> Result<(), LexError> {
        let start = self.cursor.position;
        self.cursor.bump();
        loop {
            match self.cursor.peek() {
                None => {
                    let kind = if quote == b'\'' {
                        LexErrorKind::UnterminatedString
                    } else {
                        LexErrorKind::UnterminatedIdentifier { open: char::from(quote) }
                    };
                    return Err(self.unterminated(kind, start, quote_key(quote)));
                }
                Some(b'\\') if backslash_escapes => self.cursor.bump_n(2),
                Some(byte) if byte == quote => {
                    self.cursor.bump();
                    if self.cursor.peek() != Some(quote) {
                        self.closed(quote_key(quote), start);
                        return Ok(());
                    }
                    self.cursor.bump();
                }
                Some(_) => self.cursor.bump(),
            }
        }
    }

    /// SQLite's `[identifier]`, which has no escape.
    fn bracketed(&mut self) -> Result<(), LexError> {
        let start = self.cursor.position;
        loop {
            self.cursor.bump();
            match self.cursor.peek() {
                None => {
                    return Err(self.unterminated(LexErrorKind::UnterminatedIdentifier { open: '[' }, start, "["));
                }
                Some(b']') => {
                    self.cursor.bump();
                    self.closed("[", start);
                    return Ok(());
                }
                Some(_) => {}
            }
        }
    }

    /// PostgreSQL's `$tag$ … $tag$`; a `$` that opens no tag (`$1`) is just a character.
    fn dollar(&mut self) -> Result<(), LexError> {
        let rest = &self.cursor.src[self.cursor.pos + 1..];
        let tag_len = rest.iter().take_while(|&&b| is_word_byte(b) && b != b'$').count();
        let valid_tag =
            rest.get(tag_len) == Some(&b'$') && rest.first().is_none_or(|&first| first == b'$' || is_word_start(first));
        if !valid_tag {
            self.cursor.bump();
            return Ok(());
        }
        let tag = self.cursor.src[self.cursor.pos..self.cursor.pos + tag_len + 2].to_vec();
        let start = self.cursor.position;
        self.cursor.bump_n(tag.len());
        let tag_text = String::from_utf8_lossy(&tag);
        loop {
            if self.cursor.peek().is_none() {
                let kind = LexErrorKind::UnterminatedDollarQuote { tag: tag_text.clone().into_owned() };
                return Err(self.unterminated(kind, start, &tag_text));
            }
            if self.cursor.starts_with(&tag) {
                self.cursor.bump_n(tag.len());
                self.closed(&tag_text, start);
                return Ok(());
            }
            self.cursor.bump();
        }
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
            Ok(statements) => statements.into_iter().map(|s| s.sql).collect(),
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
        let positions: Vec<Position> =
            statements.map(|all| all.iter().map(|s| s.position).collect()).unwrap_or_default();
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

    #[test]
    fn statement_offsets_point_into_the_script() {
        let script = "  a;\n b";
        let statements = split_statements(script, Dialect::Sqlite).unwrap_or_default();
        let offsets: Vec<usize> = statements.iter().map(|s| s.offset).collect();
        assert_eq!(offsets, [2, 6]);
        assert!(statements.iter().all(|s| script[s.offset..].starts_with(&s.sql)));
    }
}
