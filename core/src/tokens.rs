//! The words of one statement, as the rules that read statements see them: keywords and names,
//! quoted things (strings, quoted identifiers, dollar-quoted bodies) as one token each, comments
//! skipped, by the quoting rules of the folder's dialect.

use crate::dialect::Dialect;
use crate::lexer::{is_word_byte, is_word_start};

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

    fn skip_trivia(&mut self) {
        while let Some(byte) = self.peek_at(0) {
            if byte.is_ascii_whitespace() {
                self.pos += 1;
            } else if (byte == b'-' && self.peek_at(1) == Some(b'-'))
                || (byte == b'#' && self.dialect == Dialect::Mysql)
            {
                self.pos = self.sql[self.pos..].find('\n').map_or(self.sql.len(), |at| self.pos + at);
            } else if byte == b'/' && self.peek_at(1) == Some(b'*') {
                self.block_comment();
            } else {
                return;
            }
        }
    }

    fn block_comment(&mut self) {
        let nests = self.dialect == Dialect::Postgres;
        self.pos += 2;
        let mut depth = 1;
        while self.pos < self.sql.len() {
            let rest = &self.sql.as_bytes()[self.pos..];
            if rest.starts_with(b"*/") {
                self.pos += 2;
                depth -= 1;
                if depth == 0 {
                    return;
                }
            } else if nests && rest.starts_with(b"/*") {
                self.pos += 2;
                depth += 1;
            } else {
                self.pos += 1;
            }
        }
    }

    /// Moves past a quote opened at the cursor and closed by `close`, where a doubled closing
    /// quote stands for one.
    fn quoted(&mut self, close: u8, backslash_escapes: bool) {
        self.pos += 1;
        while let Some(byte) = self.peek_at(0) {
            self.pos += 1;
            if byte == b'\\' && backslash_escapes {
                self.pos = (self.pos + 1).min(self.sql.len());
            } else if byte == close {
                if self.peek_at(0) != Some(close) || close == b']' {
                    return;
                }
                self.pos += 1;
            }
        }
    }

    /// Moves past PostgreSQL's `$tag$ … $tag$` opened at the cursor; `false` (and not moved) if
    /// the `$` opens no tag.
    fn dollar_quote(&mut self) -> bool {
        let rest = &self.sql.as_bytes()[self.pos + 1..];
        let tag_len = rest.iter().take_while(|&&b| is_word_byte(b) && b != b'$').count();
        let valid =
            rest.get(tag_len) == Some(&b'$') && rest.first().is_none_or(|&first| first == b'$' || is_word_start(first));
        if !valid {
            return false;
        }
        let tag = &self.sql[self.pos..self.pos + tag_len + 2];
        let body = self.pos + tag.len();
        self.pos = self.sql[body..].find(tag).map_or(self.sql.len(), |at| body + at + tag.len());
        true
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
            b'\'' | b'"' => self.quoted(byte, mysql),
            b'`' if self.dialect != Dialect::Postgres => self.quoted(b'`', false),
            b'[' if self.dialect == Dialect::Sqlite => self.quoted(b']', false),
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
