//! Each dialect's comment and quote rules, written once: how far a comment, a quoted string or
//! identifier, or a dollar-quoted body runs from where it opens. The lexer (which also counts
//! lines and reports what is left open), the statement tokens, the bodies' look-ahead and the
//! pragma reader all measure with these.

use crate::dialect::Dialect;
use crate::lexer::{is_word_byte, is_word_start};

/// How far something that opens at the start of a text runs, and whether it closes before the
/// text ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    /// Its length in bytes, up to the end of the text when it does not close.
    pub(crate) len: usize,
    /// Whether it closes (a line comment closes at the end of its line or of the text).
    pub(crate) closed: bool,
}

/// Whether a comment opens at the start of `rest`: `--`, `/*`, and MySQL's `#`.
pub(crate) fn opens_comment(rest: &[u8], dialect: Dialect) -> bool {
    matches!(rest, [b'-', b'-', ..] | [b'/', b'*', ..]) || (dialect == Dialect::Mysql && rest.first() == Some(&b'#'))
}

/// The comment that opens at the start of `rest`, if one does: `-- …` and MySQL's `# …` up to
/// (not including) the line break, `/* … */` nested in PostgreSQL only.
pub(crate) fn comment(rest: &[u8], dialect: Dialect) -> Option<Span> {
    if !opens_comment(rest, dialect) {
        return None;
    }
    Some(match rest {
        [b'/', b'*', ..] => block_comment(rest, dialect == Dialect::Postgres),
        _ => Span { len: rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len()), closed: true },
    })
}

fn block_comment(rest: &[u8], nests: bool) -> Span {
    let (mut at, mut depth) = (2, 1);
    while at < rest.len() {
        if rest[at..].starts_with(b"*/") {
            at += 2;
            depth -= 1;
            if depth == 0 {
                return Span { len: at, closed: true };
            }
        } else if nests && rest[at..].starts_with(b"/*") {
            at += 2;
            depth += 1;
        } else {
            at += 1;
        }
    }
    Span { len: rest.len(), closed: false }
}

/// The length of the white space and comments at the start of `rest` (all of it when a comment
/// does not close).
pub(crate) fn trivia(rest: &[u8], dialect: Dialect) -> usize {
    let mut at = 0;
    while at < rest.len() {
        if rest[at].is_ascii_whitespace() {
            at += 1;
        } else if let Some(comment) = comment(&rest[at..], dialect) {
            at += comment.len;
        } else {
            break;
        }
    }
    at
}

/// The string or quoted identifier that opens with the byte at the start of `rest`, in
/// `dialect`: the byte that closes it and whether backslashes escape in it. `'…'` and `"…"`
/// everywhere (backslashes escape in MySQL's), `` `…` `` outside PostgreSQL, `[…]` in SQLite.
pub(crate) fn opens_quote(rest: &[u8], dialect: Dialect) -> Option<(u8, bool)> {
    match (rest.first()?, dialect) {
        (b'\'' | b'"', _) => Some((rest[0], dialect == Dialect::Mysql)),
        (b'`', Dialect::Sqlite | Dialect::Mysql) => Some((b'`', false)),
        (b'[', Dialect::Sqlite) => Some((b']', false)),
        _ => None,
    }
}

/// A string or identifier that opens with the quote at the start of `rest` and closes with
/// `close`: a doubled closing quote stands for one (except SQLite's `]`, which has no escape),
/// and with `backslash_escapes` (MySQL's strings, PostgreSQL's `E'…'`) a backslash escapes the
/// byte after it.
pub(crate) fn quoted(rest: &[u8], close: u8, backslash_escapes: bool) -> Span {
    let mut at = 1;
    while let Some(&byte) = rest.get(at) {
        at += 1;
        if byte == b'\\' && backslash_escapes {
            at += 1;
        } else if byte == close {
            if rest.get(at) != Some(&close) || close == b']' {
                return Span { len: at, closed: true };
            }
            at += 1;
        }
    }
    Span { len: rest.len(), closed: false }
}

/// The tag of PostgreSQL's `$tag$ … $tag$` opening at the start of `rest`, `$` signs included;
/// `None` when the `$` opens none (`$1`, a parameter).
pub(crate) fn dollar_tag(rest: &[u8]) -> Option<&[u8]> {
    let after = rest.get(1..)?;
    let len = after.iter().take_while(|&&b| is_word_byte(b) && b != b'$').count();
    let valid =
        after.get(len) == Some(&b'$') && after.first().is_none_or(|&first| first == b'$' || is_word_start(first));
    valid.then(|| &rest[..len + 2])
}

/// The dollar-quoted body opening at the start of `rest`, tags included; `None` when the `$`
/// opens no tag.
pub(crate) fn dollar_quoted(rest: &[u8]) -> Option<Span> {
    let tag = dollar_tag(rest)?;
    let body = &rest[tag.len()..];
    Some(match body.windows(tag.len()).position(|window| window == tag) {
        Some(at) => Span { len: tag.len() + at + tag.len(), closed: true },
        None => Span { len: rest.len(), closed: false },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn len(span: Option<Span>) -> Option<(usize, bool)> {
        span.map(|span| (span.len, span.closed))
    }

    #[test]
    fn comments_by_dialect() {
        assert_eq!(len(comment(b"-- a\nb", Dialect::Sqlite)), Some((4, true)));
        assert_eq!(len(comment(b"-- to the end", Dialect::Sqlite)), Some((13, true)));
        assert_eq!(len(comment(b"# a\nb", Dialect::Mysql)), Some((3, true)));
        assert_eq!(comment(b"# a\nb", Dialect::Postgres), None);
        let nested = b"/* a /* b */ c */ d";
        assert_eq!(len(comment(nested, Dialect::Postgres)), Some((17, true)));
        assert_eq!(len(comment(nested, Dialect::Sqlite)), Some((12, true)));
        assert_eq!(len(comment(b"/* open /* */", Dialect::Postgres)), Some((13, false)));
        assert_eq!(len(comment(b"/*ab/**/*/x", Dialect::Postgres)), Some((10, true)), "an inner comment's own close");
        assert_eq!(comment(b"- -", Dialect::Sqlite), None);
    }

    #[test]
    fn trivia_is_white_space_and_comments() {
        assert_eq!(trivia(b" \n-- x\n /* y */ z", Dialect::Sqlite), 16);
        assert_eq!(trivia(b"z", Dialect::Sqlite), 0);
        assert_eq!(trivia(b" /* open", Dialect::Sqlite), 8);
    }

    #[test]
    fn quotes_open_by_dialect() {
        assert_eq!(opens_quote(b"'a'", Dialect::Mysql), Some((b'\'', true)));
        assert_eq!(opens_quote(b"\"a\"", Dialect::Postgres), Some((b'"', false)));
        assert_eq!(opens_quote(b"`a`", Dialect::Postgres), None);
        assert_eq!(opens_quote(b"[a]", Dialect::Sqlite), Some((b']', false)));
        assert_eq!(opens_quote(b"[a]", Dialect::Mysql), None);
        assert_eq!(opens_quote(b"", Dialect::Sqlite), None);
    }

    #[test]
    fn quotes_double_or_escape() {
        assert_eq!(len(Some(quoted(b"'it''s' x", b'\'', false))), Some((7, true)));
        assert_eq!(len(Some(quoted(br"'a\'b' x", b'\'', true))), Some((6, true)));
        assert_eq!(len(Some(quoted(br"'a\'b' x", b'\'', false))), Some((4, true)));
        assert_eq!(len(Some(quoted(b"[a]]", b']', false))), Some((3, true)));
        assert_eq!(len(Some(quoted(b"\"open", b'"', false))), Some((5, false)));
        assert_eq!(len(Some(quoted(br"'\", b'\'', true))), Some((2, false)));
    }

    #[test]
    fn dollar_quotes_need_a_tag() {
        assert_eq!(len(dollar_quoted(b"$$ a $ b $$ c")), Some((11, true)));
        assert_eq!(len(dollar_quoted(b"$fn$ $$ $fn$")), Some((12, true)));
        assert_eq!(len(dollar_quoted(b"$x$ open")), Some((8, false)));
        assert_eq!(dollar_quoted(b"$1, $2"), None);
        assert_eq!(dollar_tag(b"$a$"), Some(&b"$a$"[..]));
        assert_eq!(dollar_tag(b"$"), None);
    }
}
