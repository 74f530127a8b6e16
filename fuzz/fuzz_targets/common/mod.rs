//! What the lexer targets share: split a script and check what must hold of any result.

use strata_core::{Dialect, Position, split_statements};

/// The script for a fuzz input: the bytes as UTF-8, invalid sequences replaced (a migration
/// that is not UTF-8 never reaches the lexer, but every input should still exercise it).
pub fn script(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// Splits `script` in `dialect` and checks the result:
///
/// - every statement's position is a character of the script, and its `sql` is non-empty and is
///   the script's text there;
/// - statements come in order and do not overlap;
/// - an error's message and help render, and its position lies within the script;
/// - a statement split on its own is one statement, the same text (the lexer decides where a
///   statement ends from the statement alone).
pub fn check(script: &str, dialect: Dialect) {
    match split_statements(script, dialect) {
        Ok(statements) => {
            let mut end_of_previous = 0;
            for (index, statement) in statements.iter().enumerate() {
                let sql = statement.sql();
                assert!(!sql.is_empty(), "statement {index} is empty: {statement:?}");
                let Some(offset) = Position::of(statement).offset_in(script) else {
                    panic!("statement {index}'s position is no character of the script: {statement:?}")
                };
                assert!(
                    offset >= end_of_previous,
                    "statement {index} at {offset} overlaps the previous one, which ends at {end_of_previous}"
                );
                assert!(script.is_char_boundary(offset), "statement {index} starts inside a character: {offset}");
                assert_eq!(
                    script.get(offset..offset + sql.len()),
                    Some(sql),
                    "statement {index}'s sql is not the script's text at its offset {offset}"
                );
                end_of_previous = offset + sql.len();

                // Split alone, the statement is itself.
                match split_statements(sql, dialect) {
                    Ok(again) => {
                        let texts: Vec<&str> = again.iter().map(|s| s.sql()).collect();
                        assert_eq!(texts, [sql], "statement {index}, split on its own, is not itself");
                    }
                    Err(error) => panic!("statement {index} ({sql:?}), split on its own, fails: {error}"),
                }
            }
        }
        Err(error) => {
            let _ = error.to_string();
            let _ = error.help();
            let lines = 1 + script.bytes().filter(|&b| b == b'\n').count();
            assert!(error.position.line >= 1 && error.position.column >= 1, "error at {:?}", error.position);
            assert!(
                (error.position.line as usize) <= lines,
                "error at line {} of a script of {lines} lines",
                error.position.line
            );
            if let Some(suspect) = error.suspect {
                assert!((suspect.line as usize) <= lines, "suspect at line {} of {lines}", suspect.line);
            }
        }
    }
}
