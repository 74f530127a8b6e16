//! Problems found in a migrations folder: what the macro turns into compile errors and the
//! run-time loader returns as values.

use std::fmt;

/// A line and column in a file, both starting at 1; columns count characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub column: u32,
}

impl Position {
    /// Where `statement`'s first token is.
    pub fn of(statement: &crate::script::Statement) -> Self {
        Self::new(statement.line(), statement.column())
    }

    /// The position at `line`, `column`.
    pub const fn new(line: u32, column: u32) -> Self {
        Self { line, column }
    }

    /// The position of byte `offset` in `text`, which must lie on a character boundary (any
    /// offset past the end is clamped to the end).
    pub fn of_offset(text: &str, offset: usize) -> Self {
        let mut position = Position::new(1, 1);
        for (index, ch) in text.char_indices() {
            if index >= offset {
                break;
            }
            if ch == '\n' {
                position.line += 1;
                position.column = 1;
            } else {
                position.column += 1;
            }
        }
        position
    }

    /// The byte offset of this position in `text`, the inverse of [`of_offset`](Self::of_offset);
    /// `None` when no character (nor the end of `text`) is there.
    ///
    /// ```
    /// use strata_core::Position;
    /// assert_eq!(Position::new(2, 2).offset_in("ab\ncd"), Some(4));
    /// assert_eq!(Position::new(1, 9).offset_in("ab\ncd"), None);
    /// ```
    pub fn offset_in(self, text: &str) -> Option<usize> {
        let mut at = Position::new(1, 1);
        for (index, ch) in text.char_indices().chain([(text.len(), ' ')]) {
            if at == self {
                return Some(index);
            }
            if ch == '\n' {
                at = Position::new(at.line + 1, 1);
            } else {
                at.column += 1;
            }
        }
        None
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// One thing wrong with a migrations folder.
///
/// `file` is relative to the migrations folder (`0003_add_orders.sql`, `0001_init/up.sql`) so
/// that messages are the same on every machine; problems with the folder itself have no file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file, relative to the migrations folder, with `/` separators.
    pub file: Option<String>,
    /// Where in the file, when the problem has a place.
    pub position: Option<Position>,
    /// What is wrong: lower-case, no trailing period, identifiers in backticks.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl Problem {
    /// A problem with no file: the folder itself, or the macro's arguments.
    pub fn new(message: impl Into<String>) -> Self {
        Self { file: None, position: None, message: message.into(), help: None }
    }

    /// A problem in `file`, relative to the migrations folder.
    pub fn in_file(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self { file: Some(file.into()), ..Self::new(message) }
    }

    /// Sets where in the file the problem is.
    #[must_use]
    pub fn at(mut self, position: Position) -> Self {
        self.position = Some(position);
        self
    }

    /// Adds a hint that says what to do.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl Problem {
    /// `<folder>/<file>:<line>:<column>: <message>`: the problem with its file named from where
    /// the user stands (the crate's `Cargo.toml`, the current directory), so that terminals and
    /// editors can open it. [`Display`](fmt::Display) names the file relative to the folder.
    pub fn located(&self, folder: &str) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = self.write_located(&mut out, folder);
        out
    }

    fn write_located(&self, out: &mut impl fmt::Write, folder: &str) -> fmt::Result {
        if let Some(file) = &self.file {
            if !folder.is_empty() {
                write!(out, "{}/", folder.trim_end_matches('/'))?;
            }
            match self.position {
                Some(position) => write!(out, "{file}:{position}: ")?,
                None => write!(out, "{file}: ")?,
            }
        }
        out.write_str(&self.message)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_located(f, "")
    }
}

/// Every problem found in one folder, in the order they were found.
///
/// Its [`Display`](fmt::Display) shows one problem a line, files named with the folder as the
/// user wrote it (`migrations/0002_posts.sql:5:1: …`), each followed by its hint; `Debug` (what
/// `main` prints when it returns the error) shows the same.
#[derive(Clone, PartialEq, Eq)]
pub struct Problems {
    folder: String,
    problems: Vec<Problem>,
}

impl Problems {
    /// The problems of the folder shown as `folder`.
    pub fn new(folder: impl Into<String>, problems: Vec<Problem>) -> Self {
        Self { folder: folder.into(), problems }
    }

    /// The folder, as the user wrote it.
    pub fn folder(&self) -> &str {
        &self.folder
    }

    /// The problems, in the order they were found.
    pub fn iter(&self) -> std::slice::Iter<'_, Problem> {
        self.problems.iter()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.problems.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            problem.write_located(f, &self.folder)?;
            if let Some(help) = &problem.help {
                write!(f, "\n  help: {help}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Problems {}

impl<'a> IntoIterator for &'a Problems {
    type Item = &'a Problem;
    type IntoIter = std::slice::Iter<'a, Problem>;

    fn into_iter(self) -> Self::IntoIter {
        self.problems.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_character_columns() {
        let text = "ab\nçd\nx";
        assert_eq!(Position::of_offset(text, 0), Position::new(1, 1));
        assert_eq!(Position::of_offset(text, 3), Position::new(2, 1));
        // `ç` is two bytes but one column.
        assert_eq!(Position::of_offset(text, 5), Position::new(2, 2));
        assert_eq!(Position::of_offset(text, 99), Position::new(3, 2));
    }

    #[test]
    fn display_names_file_and_position_but_not_help() {
        let problem = Problem::in_file("0001_a.sql", "unterminated string").at(Position::new(3, 7)).help("close it");
        assert_eq!(problem.to_string(), "0001_a.sql:3:7: unterminated string");
        assert_eq!(problem.located("db/migrations/"), "db/migrations/0001_a.sql:3:7: unterminated string");
        let all = Problems::new("migrations", vec![problem, Problem::new("folder is empty")]);
        assert_eq!(
            all.to_string(),
            "migrations/0001_a.sql:3:7: unterminated string\n  help: close it\nfolder is empty"
        );
    }
}
