//! Problems as rustc prints errors: the message, the file's line with a caret under the column,
//! the hint; or as JSON. The messages are strata-core's, the same the macro's compile errors say.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;
use std::path::Path;
use strata_core::Problem;

/// Prints every problem to stderr, coloured on a terminal.
pub fn print<'a>(problems: impl IntoIterator<Item = &'a Problem>, dir: &Path, shown_as: &str) {
    let renderer = if anstream::stderr().is_terminal_like() { Renderer::styled() } else { Renderer::plain() };
    for problem in problems {
        anstream::eprintln!("{}\n", render(&renderer, problem, dir, shown_as));
    }
}

trait TerminalLike {
    fn is_terminal_like(&self) -> bool;
}

impl TerminalLike for anstream::Stderr {
    /// Colour only when anstream would keep it (a terminal, and `NO_COLOR` unset).
    fn is_terminal_like(&self) -> bool {
        !matches!(self.current_choice(), anstream::ColorChoice::Never)
    }
}

/// One problem, rendered.
pub fn render(renderer: &Renderer, problem: &Problem, dir: &Path, shown_as: &str) -> String {
    let path = problem.file.as_ref().map(|file| format!("{}/{file}", shown_as.trim_end_matches('/')));
    let source = problem.file.as_ref().and_then(|file| std::fs::read_to_string(dir.join(file)).ok());
    let mut group = Group::with_title(Level::ERROR.primary_title(&problem.message));
    match (&path, &source, problem.position) {
        (Some(path), Some(source), Some(position)) => {
            let start = offset_of(source, position.line, position.column);
            let end = token_end(source, start);
            group = group.element(
                Snippet::source(source.as_str())
                    .path(path.as_str())
                    .annotation(AnnotationKind::Primary.span(start..end)),
            );
        }
        (Some(path), _, _) => group = group.element(Level::NOTE.message(format!("in {path}"))),
        _ => {}
    }
    if let Some(help) = &problem.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    renderer.render(&[group])
}

/// The byte offset of `line`:`column` (from 1; the column in characters).
fn offset_of(source: &str, line: u32, column: u32) -> usize {
    let line_start: usize = source.split_inclusive('\n').take(line.saturating_sub(1) as usize).map(str::len).sum();
    let line_text = source[line_start.min(source.len())..].lines().next().unwrap_or_default();
    let in_line: usize = line_text.chars().take(column.saturating_sub(1) as usize).map(char::len_utf8).sum();
    (line_start + in_line).min(source.len())
}

/// Where the word (or the one character) at `start` ends: what the caret underlines.
fn token_end(source: &str, start: usize) -> usize {
    let rest = &source[start..];
    let word = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
    let len = if word > 0 { word } else { rest.chars().next().map_or(0, char::len_utf8) };
    start + len
}

/// A problem as `--json` prints it.
#[derive(Debug, Serialize)]
pub struct JsonProblem<'a> {
    /// The file, from where the user stands (`migrations/0002_posts.sql`); absent for problems
    /// of the folder as a whole.
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: &'a str,
    pub help: Option<&'a str>,
}

impl<'a> JsonProblem<'a> {
    pub fn of(problem: &'a Problem, shown_as: &str) -> Self {
        JsonProblem {
            file: problem.file.as_ref().map(|file| format!("{}/{file}", shown_as.trim_end_matches('/'))),
            line: problem.position.map(|p| p.line),
            column: problem.position.map(|p| p.column),
            message: &problem.message,
            help: problem.help.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_become_byte_offsets_and_carets_cover_the_word() {
        let source = "SELECT 1;\nCREAT TABLE é(x);\n";
        let start = offset_of(source, 2, 1);
        assert_eq!(&source[start..token_end(source, start)], "CREAT");
        let start = offset_of(source, 2, 13);
        assert_eq!(&source[start..token_end(source, start)], "é");
        let start = offset_of(source, 2, 14);
        assert_eq!(&source[start..token_end(source, start)], "(");
        // Past the end stays inside.
        assert_eq!(offset_of(source, 9, 9), source.len());
    }
}
