//! The words of one statement, as the rules that read statements see them: keywords and names,
//! quoted things (strings, quoted identifiers, dollar-quoted bodies) as one token each, comments
//! skipped, by the quoting rules of the folder's dialect.

use crate::dialect::Dialect;
use crate::lexer::is_word_byte;
use crate::scan;

/// One token of a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// A keyword, an unquoted name or a number, as written.
    Word(&'a str),
    /// A string, a quoted identifier or a dollar-quoted body, its quotes included.
    Quoted(&'a str),
    /// A MySQL user variable, `@name` or `@'name'`.
    Variable(&'a str),
    /// Any other character; MySQL's `@@` (before a system variable) is one.
    Symbol(&'a str),
}

impl<'a> Token<'a> {
    pub(crate) fn word(&self) -> Option<&'a str> {
        match *self {
            Token::Word(word) => Some(word),
            _ => None,
        }
    }

    pub(crate) fn text(&self) -> &'a str {
        match *self {
            Token::Word(text) | Token::Quoted(text) | Token::Variable(text) | Token::Symbol(text) => text,
        }
    }

    pub(crate) fn is(&self, keyword: &str) -> bool {
        self.word().is_some_and(|word| word.eq_ignore_ascii_case(keyword))
    }

    pub(crate) fn is_quoted(&self) -> bool {
        matches!(self, Token::Quoted(_))
    }

    pub(crate) fn is_symbol(&self, symbol: &str) -> bool {
        matches!(self, Token::Symbol(text) if *text == symbol)
    }
}

/// The tokens of one statement (as the lexer cut it) in `dialect`, comments skipped. The lexer
/// has checked that every quote and comment is closed; one that is not runs to the end.
pub(crate) struct Tokens<'a> {
    sql: &'a str,
    pos: usize,
    dialect: Dialect,
}

impl<'a> Tokens<'a> {
    pub(crate) fn new(sql: &'a str, dialect: Dialect) -> Self {
        Self { sql, pos: 0, dialect }
    }

    /// The byte offset just past the last token returned.
    pub(crate) fn offset(&self) -> usize {
        self.pos
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.sql.as_bytes().get(self.pos + ahead).copied()
    }

    fn rest(&self) -> &'a [u8] {
        &self.sql.as_bytes()[self.pos..]
    }

    fn skip_trivia(&mut self) {
        self.pos += scan::trivia(self.rest(), self.dialect);
    }

    /// Moves past a quote opened at the cursor and closed by `close`.
    fn quoted(&mut self, close: u8, backslash_escapes: bool) {
        self.pos += scan::quoted(self.rest(), close, backslash_escapes).len;
    }

    /// Moves past PostgreSQL's `$tag$ … $tag$` opened at the cursor; `false` (and not moved) if
    /// the `$` opens no tag.
    fn dollar_quote(&mut self) -> bool {
        scan::dollar_quoted(self.rest()).map(|quoted| self.pos += quoted.len).is_some()
    }

    fn word_end(&self, from: usize) -> usize {
        self.sql.as_bytes()[from..].iter().position(|&b| !is_word_byte(b)).map_or(self.sql.len(), |at| from + at)
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        self.skip_trivia();
        let start = self.pos;
        let byte = self.peek_at(0)?;
        let mysql = self.dialect == Dialect::Mysql;
        match byte {
            _ if let Some((close, escapes)) = scan::opens_quote(self.rest(), self.dialect) => {
                self.quoted(close, escapes)
            }
            b'$' if self.dialect == Dialect::Postgres && self.dollar_quote() => {}
            b'@' if mysql && self.peek_at(1) == Some(b'@') => {
                self.pos += 2;
                return Some(Token::Symbol(&self.sql[start..self.pos]));
            }
            b'@' if mysql && self.peek_at(1).is_some_and(|next| matches!(next, b'\'' | b'"' | b'`')) => {
                self.pos += 1;
                let quote = self.peek_at(0).unwrap_or(b'\'');
                self.quoted(quote, quote != b'`');
                return Some(Token::Variable(&self.sql[start..self.pos]));
            }
            b'@' if mysql && self.peek_at(1).is_some_and(is_word_byte) => {
                self.pos = self.word_end(start + 1);
                return Some(Token::Variable(&self.sql[start..self.pos]));
            }
            _ if is_word_byte(byte) && byte != b'$' => {
                self.pos = self.word_end(start);
                let word = &self.sql[start..self.pos];
                // PostgreSQL's `E'…'` string takes backslash escapes.
                if self.dialect == Dialect::Postgres && word.eq_ignore_ascii_case("e") && self.peek_at(0) == Some(b'\'')
                {
                    self.quoted(b'\'', true);
                    return Some(Token::Quoted(&self.sql[start..self.pos]));
                }
                return Some(Token::Word(word));
            }
            // Every byte that is not a word byte is ASCII, so this is one character.
            _ => {
                self.pos += 1;
                return Some(Token::Symbol(&self.sql[start..self.pos]));
            }
        }
        Some(Token::Quoted(&self.sql[start..self.pos]))
    }
}
