//! dbmate's and goose's one-file migrations: the up and the down script of one `.sql` file, cut
//! at their markers (`-- migrate:up` / `-- migrate:down`; `-- +goose Up` / `-- +goose Down`).
//!
//! Each section keeps its lines where they are in the file, so that every message points at the
//! file's own line: the up script is the file up to the down marker, and the down script is the
//! file with every line before its section blanked. A marker strata does not understand is a
//! problem, never a silent misreading.

use crate::problem::{Position, Problem};
use crate::script::Statement;

/// The tool whose markers a file carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tool {
    Dbmate,
    Goose,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Dbmate => "dbmate",
            Tool::Goose => "goose",
        }
    }

    fn up_marker(self) -> &'static str {
        match self {
            Tool::Dbmate => "-- migrate:up",
            Tool::Goose => "-- +goose Up",
        }
    }
}

/// A file's sections, cut at its markers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sections {
    pub(crate) tool: Tool,
    /// The file up to its down marker (or all of it).
    pub(crate) up: String,
    /// The file with every line before the down section blanked; `None` without a down marker.
    pub(crate) down: Option<String>,
    /// `transaction:false` (dbmate) or `-- +goose NO TRANSACTION`: both scripts run outside a
    /// transaction, as that tool runs them.
    pub(crate) no_transaction: bool,
    /// goose's `StatementBegin` … `StatementEnd` blocks: the lines of each marker, which the
    /// split statements are checked against.
    pub(crate) blocks: Vec<(u32, u32)>,
}

/// What a marker line says.
enum Marker<'a> {
    Up(&'a str),
    Down(&'a str),
    StatementBegin,
    StatementEnd,
    NoTransaction,
    Other(&'a str),
}

/// The marker `line` is, for either tool: dbmate's `--` then optional spaces then `migrate:…`,
/// goose's `-- +goose …` (any case), each on a line of its own from its first column.
fn marker(line: &str) -> Option<(Tool, Marker<'_>)> {
    let comment = line.strip_prefix("--")?;
    if let Some(rest) = comment.trim_start().strip_prefix("migrate:") {
        let (word, options) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let marker = match word {
            "up" => Marker::Up(options.trim()),
            "down" => Marker::Down(options.trim()),
            _ => Marker::Other(line),
        };
        return Some((Tool::Dbmate, marker));
    }
    let annotation = comment.strip_prefix(" +goose")?.trim();
    let marker = match annotation.to_ascii_lowercase().as_str() {
        "up" => Marker::Up(""),
        "down" => Marker::Down(""),
        "statementbegin" => Marker::StatementBegin,
        "statementend" => Marker::StatementEnd,
        "no transaction" => Marker::NoTransaction,
        _ => Marker::Other(line),
    };
    Some((Tool::Goose, marker))
}

/// Cuts `text` (the file `file`) at its markers; `Ok(None)` for a file that has none, the
/// problems for one whose markers strata cannot follow.
pub(crate) fn sections(text: &str, file: &str) -> Result<Option<Sections>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut found: Option<Sections> = None;
    let (mut up_at, mut down_at) = (None, None);
    let mut open_block = None;
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let start = offset;
        offset += line.len();
        let Some((tool, marker)) = marker(line.trim_end()) else { continue };
        let at = |message: String| Problem::in_file(file, message).at(Position::new(number, 1));
        let sections = found.get_or_insert_with(|| Sections {
            tool,
            up: String::new(),
            down: None,
            no_transaction: false,
            blocks: Vec::new(),
        });
        if sections.tool != tool {
            problems.push(
                at(format!("`{}` in a file of {}'s markers", line.trim_end(), sections.tool.name()))
                    .help("a file follows one tool's layout: keep one tool's markers"),
            );
            continue;
        }
        match marker {
            Marker::Up(options) | Marker::Down(options) if !options.is_empty() => match options {
                "transaction:false" => sections.no_transaction = true,
                "transaction:true" => {}
                other => problems.push(
                    at(format!("strata does not understand the option `{other}` of dbmate's marker"))
                        .help("dbmate's markers take `transaction:false`; remove the option"),
                ),
            },
            _ => {}
        }
        match marker {
            Marker::Up(_) if up_at.is_some() || down_at.is_some() => {
                problems.push(at("a second up marker, or one after the down marker".to_owned()).help(format!(
                    "keep one `{}` line, before the down section",
                    tool.up_marker()
                )));
            }
            Marker::Up(_) => up_at = Some(number),
            Marker::Down(_) if down_at.is_some() || up_at.is_none() => {
                problems.push(
                    at("a down marker before the up marker, or a second one".to_owned())
                        .help("the up section comes first, then one down marker and the down section"),
                );
            }
            Marker::Down(_) => {
                down_at = Some(number);
                sections.up = text[..start].to_owned();
                // Blanked lines keep every later line where the file has it.
                let blanked = "\n".repeat(index + 1);
                sections.down = Some(blanked + &text[offset..]);
            }
            Marker::StatementBegin if open_block.is_some() => {
                problems.push(at("`StatementBegin` inside another block".to_owned()).help("close it first"));
            }
            Marker::StatementBegin => open_block = Some(number),
            Marker::StatementEnd => match open_block.take() {
                Some(begin) => sections.blocks.push((begin, number)),
                None => problems
                    .push(at("`StatementEnd` with no `StatementBegin`".to_owned()).help("open the block first")),
            },
            Marker::NoTransaction => sections.no_transaction = true,
            Marker::Other(line) => problems.push(
                at(format!("strata does not understand the marker `{line}`"))
                    .help("strata reads the up and down markers, goose's `StatementBegin`/`StatementEnd` and `NO TRANSACTION`; take it out, or do what it does in the SQL"),
            ),
        }
    }
    let Some(mut sections) = found else { return Ok(None) };
    if let Some(begin) = open_block {
        problems.push(
            Problem::in_file(file, "`StatementBegin` with no `StatementEnd`")
                .at(Position::new(begin, 1))
                .help("close the block with `-- +goose StatementEnd`"),
        );
    }
    if up_at.is_none() {
        problems.push(
            Problem::in_file(file, format!("the file has {}'s markers but no up marker", sections.tool.name()))
                .help(format!("start its up section with `{}`", sections.tool.up_marker())),
        );
    }
    if down_at.is_none() {
        sections.up = text.to_owned();
    }
    if problems.is_empty() { Ok(Some(sections)) } else { Err(problems) }
}

/// The problems of goose blocks that strata's split may not keep whole. goose sends each
/// `StatementBegin` … `StatementEnd` block as one; strata runs a block's statements one by one, in
/// the same transaction, which is the same when the block is several statements (goose's own
/// template puts two in one block), each starting its line. A statement that starts further in
/// is a body strata's lexer may have cut: refused, rather than run in pieces.
pub(crate) fn check_blocks(blocks: &[(u32, u32)], statements: &[Statement], file: &str) -> Vec<Problem> {
    blocks
        .iter()
        .filter_map(|&(begin, end)| {
            let inside: Vec<&Statement> = statements.iter().filter(|s| (begin..=end).contains(&s.line())).collect();
            let cut = inside.len() > 1 && inside.iter().any(|s| s.column() > 1);
            let inside = inside.len();
            cut.then(|| {
                Problem::in_file(
                    file,
                    format!("strata splits this `StatementBegin` block into {inside} statements, one of them inside a line; goose runs it as one"),
                )
                .at(Position::new(begin, 1))
                .help(
                    "strata keeps quoted and `$$` bodies whole; split the block into its statements, or quote the body",
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(text: &str) -> Sections {
        sections(text, "1_a.sql").ok().flatten().unwrap_or_else(|| Sections {
            tool: Tool::Dbmate,
            up: "NOT CUT".into(),
            down: None,
            no_transaction: false,
            blocks: Vec::new(),
        })
    }

    fn messages(text: &str) -> Vec<String> {
        match sections(text, "1_a.sql") {
            Err(problems) => problems.iter().map(|p| p.to_string()).collect(),
            Ok(_) => Vec::new(),
        }
    }

    #[test]
    fn dbmate_sections_keep_their_lines() {
        let text = "-- migrate:up\nCREATE TABLE users (id INT);\n\n-- migrate:down\nDROP TABLE users;\n";
        let sections = cut(text);
        assert_eq!(sections.tool, Tool::Dbmate);
        assert_eq!(sections.up, "-- migrate:up\nCREATE TABLE users (id INT);\n\n");
        assert_eq!(sections.down.as_deref(), Some("\n\n\n\nDROP TABLE users;\n"), "DROP stays on line 5");
        assert!(!sections.no_transaction);
        assert!(cut("--migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (x);").no_transaction);
    }

    #[test]
    fn goose_sections_blocks_and_no_transaction() {
        let text = "-- +goose NO TRANSACTION\n-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n-- +goose StatementEnd\n-- +goose down\nDROP FUNCTION f();\n";
        let sections = cut(text);
        assert_eq!(sections.tool, Tool::Goose);
        assert!(sections.no_transaction);
        assert_eq!(sections.blocks, [(3, 5)]);
        assert_eq!(sections.down.as_deref(), Some("\n\n\n\n\n\nDROP FUNCTION f();\n"));
        let one = [Statement::new("CREATE FUNCTION …", 4, 1)];
        assert!(check_blocks(&sections.blocks, &one, "1_a.sql").is_empty());
        let lines = [Statement::new("SELECT 1", 3, 1), Statement::new("SELECT 2", 4, 1)];
        assert!(check_blocks(&sections.blocks, &lines, "1_a.sql").is_empty(), "statements that start their lines");
        let cut = [Statement::new("SELECT 1", 4, 1), Statement::new("SELECT 2", 4, 11)];
        let split = check_blocks(&sections.blocks, &cut, "1_a.sql");
        assert_eq!(split.len(), 1);
        assert!(split[0].to_string().contains("into 2 statements"), "{}", split[0]);
    }

    #[test]
    fn files_without_markers_are_whole() {
        assert_eq!(sections("CREATE TABLE a (x INT); -- migrate:down\n", "1_a.sql"), Ok(None));
        assert_eq!(sections("  -- migrate:down\nSELECT 1;", "1_a.sql"), Ok(None), "a marker starts its line");
    }

    #[test]
    fn markers_strata_cannot_follow_are_problems() {
        let reversed = messages("-- migrate:down\nDROP TABLE a;\n-- migrate:up\nCREATE TABLE a (x INT);");
        assert!(reversed.len() == 1 && reversed[0].contains("before the up marker"), "{reversed:?}");
        assert!(messages("-- +goose Up\n-- +goose ENVSUB ON\nSELECT 1;")[0].contains("`-- +goose ENVSUB ON`"));
        assert!(messages("-- migrate:up foo:bar\nSELECT 1;")[0].contains("`foo:bar`"));
        assert!(messages("-- +goose Down\nSELECT 1;")[0].contains("before the up marker"));
        assert!(messages("-- +goose Up\n-- +goose StatementBegin\nSELECT 1;")[0].contains("no `StatementEnd`"));
        assert!(messages("-- migrate:up\n-- +goose Down\n").len() == 1);
    }
}
