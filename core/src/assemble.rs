//! Stage 2: read each candidate's files and turn them into a migration: normalise, checksum,
//! split into statements, read the directives and diesel's `metadata.toml`.

use crate::checksum::checksum;
use crate::checksum::normalize;
use crate::dialect::Dialect;
use crate::directive::{DependencyRef, parse_directives};
use crate::discover::Candidate;
use crate::files::{FileRef, read_raw_text, read_text};
use crate::flags::Flags;
use crate::foreign_checksums::ForeignChecksums;
use crate::lexer::split_statements;
use crate::model::{MigrationDef, ScriptFile, script_flags};
use crate::problem::{Position, Problem};
use crate::script::Statement;
use crate::sections::{check_blocks, sections};
use crate::transaction_rules::{statement_rules, wrapped_in_own_transaction};
use std::path::PathBuf;

/// A migration whose `depends-on` entries are not resolved yet.
pub struct Assembled {
    /// The migration, with `depends_on` still empty.
    pub migration: MigrationDef,
    /// The `depends-on` entries as written.
    pub dependencies: Vec<DependencyRef>,
}

/// Reads `candidate`'s files; every file read is added to `files_read`.
///
/// Returns the migration whenever its up script could be read, even with problems, so that
/// later stages can still check the folder's dependencies; and every problem found in its files:
/// unreadable or non-UTF-8 files, unterminated strings and comments, bad directives, invalid
/// `metadata.toml`.
pub fn assemble(
    candidate: Candidate,
    dialect: Dialect,
    files_read: &mut Vec<PathBuf>,
) -> (Option<Assembled>, Vec<Problem>) {
    let mut problems = Vec::new();
    let id = candidate.id();
    let Some(up_file) = candidate.up else {
        return (None, vec![Problem::new(format!("migration `{}` has no up script", candidate.name))]);
    };
    let up_text = read_raw_text(&up_file, files_read, &mut problems);
    let mut down = candidate.down.as_ref().and_then(|file| read_script(file, dialect, files_read, &mut problems));
    let run_in_transaction =
        candidate.metadata.as_ref().and_then(|file| read_metadata(file, files_read, &mut problems));
    let Some(raw_up_text) = up_text else { return (None, problems) };
    let foreign = ForeignChecksums::of(&raw_up_text, candidate.version.number, &candidate.name);
    let up_text = normalize(&raw_up_text).into_owned();
    // dbmate's and goose's files hold both scripts: cut at their markers.
    let (up_text, sections) = match sections(&up_text, &up_file.relative) {
        Ok(Some(sections)) => (sections.up.clone(), Some(sections)),
        Ok(None) => (up_text, None),
        Err(section_problems) => {
            problems.extend(section_problems);
            (up_text, None)
        }
    };
    // An up script with no statement (diesel's comment-only placeholders, sqlx's empty files) is
    // a migration that changes nothing: both tools apply and record it.
    let up = split(&up_file, up_text, dialect, &mut problems).unwrap_or_else(|script| script);
    if let Some(sections) = &sections {
        if let Some(section) = &sections.down {
            match &down {
                Some(other) => problems.push(
                    Problem::in_file(
                        up_file.relative.clone(),
                        format!("`{}` has a down section and a down script `{}`", up_file.relative, other.file),
                    )
                    .help("keep one of them"),
                ),
                None => down = split(&up_file, section.clone(), dialect, &mut problems).ok(),
            }
        }
        for script in std::iter::once(&up).chain(down.as_ref()) {
            problems.extend(check_blocks(&sections.blocks, &script.statements, &script.file));
        }
    }
    let one_file_no_transaction = sections.as_ref().is_some_and(|sections| sections.no_transaction);

    let (directives, directive_problems) = parse_directives(&up.text, &up.file);
    problems.extend(directive_problems);
    // An empty or comment-only down script is no down script: rollback past it is refused
    // rather than silently doing nothing.
    let down = down.filter(|script| !script.statements.is_empty());
    if directives.flags.contains(Flags::IRREVERSIBLE)
        && let Some(down) = &down
    {
        problems.push(
            Problem::in_file(
                up.file.clone(),
                format!("`{}` is marked `strata:irreversible` but has a down script `{}`", up.file, down.file),
            )
            .help("delete the down script, or remove `-- strata:irreversible`"),
        );
    }
    let flags =
        directives.flags.with_if(run_in_transaction == Some(false) || one_file_no_transaction, Flags::NO_TRANSACTION);
    // A script that wraps itself in `BEGIN; … COMMIT;` runs in strata's transaction instead.
    let (mut up, mut down) = (up, down);
    if !flags.contains(Flags::NO_TRANSACTION) {
        for script in std::iter::once(&mut up).chain(down.as_mut()) {
            if wrapped_in_own_transaction(&script.statements, dialect) {
                script.statements.pop();
                script.statements.remove(0);
            }
        }
    }
    let down = down.filter(|script| !script.statements.is_empty());
    let flags = flags.with(script_flags(&up, down.as_ref(), dialect));
    let migration = MigrationDef {
        id,
        version: candidate.version,
        name: candidate.name,
        layout: candidate.layout,
        checksum: checksum(&up.text),
        foreign,
        up,
        down,
        depends_on: Vec::new(),
        kind: candidate.kind,
        flags,
    };
    problems.extend(statement_rules(&migration, dialect));
    (Some(Assembled { migration, dependencies: directives.depends_on }), problems)
}

fn read_script(
    file: &FileRef,
    dialect: Dialect,
    files_read: &mut Vec<PathBuf>,
    problems: &mut Vec<Problem>,
) -> Option<ScriptFile> {
    let text = read_text(file, files_read, problems)?;
    split(file, text, dialect, problems).ok()
}

/// The script split into statements; on a lexing problem, the script with no statement.
fn split(
    file: &FileRef,
    text: String,
    dialect: Dialect,
    problems: &mut Vec<Problem>,
) -> Result<ScriptFile, ScriptFile> {
    match split_statements(&text, dialect) {
        Ok(statements) => {
            problems.extend(
                statements
                    .iter()
                    .enumerate()
                    .filter_map(|(index, statement)| blank_statement(&file.relative, index + 1, statement)),
            );
            Ok(ScriptFile { file: file.relative.clone(), text, statements })
        }
        Err(error) => {
            problems
                .push(Problem::in_file(file.relative.clone(), error.to_string()).at(error.position).help(error.help()));
            Err(ScriptFile { file: file.relative.clone(), text, statements: Vec::new() })
        }
    }
}

/// A statement that looks blank: white space only, of a kind the lexer (like the databases)
/// does not skip, such as a no-break space. Sent, the database would refuse it.
fn blank_statement(file: &str, number: usize, statement: &Statement) -> Option<Problem> {
    let unusual = statement.sql().chars().find(|c| !c.is_ascii_whitespace())?;
    if !statement.sql().chars().all(char::is_whitespace) {
        return None;
    }
    Some(
        Problem::in_file(
            file,
            format!(
                "statement {number} of `{file}` is only white space (U+{:04X}) that databases do not skip",
                u32::from(unusual)
            ),
        )
        .at(Position::of(statement))
        .help("delete it: it looks blank, but the database would be sent it as a statement"),
    )
}

/// Diesel's `run_in_transaction`, if `metadata.toml` sets it.
fn read_metadata(file: &FileRef, files_read: &mut Vec<PathBuf>, problems: &mut Vec<Problem>) -> Option<bool> {
    let text = read_text(file, files_read, problems)?;
    let table = match text.parse::<toml::Table>() {
        Ok(table) => table,
        Err(error) => {
            let mut problem = Problem::in_file(
                file.relative.clone(),
                format!("`{}` is not valid TOML: {}", file.relative, error.message().trim_end()),
            )
            .help("diesel's `metadata.toml` holds `run_in_transaction = false`");
            if let Some(span) = error.span() {
                problem = problem.at(Position::of_offset(&text, span.start));
            }
            problems.push(problem);
            return None;
        }
    };
    match table.get("run_in_transaction") {
        None => None,
        Some(toml::Value::Boolean(value)) => Some(*value),
        Some(other) => {
            problems.push(
                Problem::in_file(
                    file.relative.clone(),
                    format!("`run_in_transaction` in `{}` is a {}, not a boolean", file.relative, other.type_str()),
                )
                .help("write `run_in_transaction = false` or `true`"),
            );
            None
        }
    }
}
