//! `-- strata:` directives in the comment lines at the top of an up script.

use crate::flags::{DIRECTIVES, Flags, directive};
use crate::problem::{Position, Problem};
use crate::suggest::did_you_mean;

/// A migration named in `depends-on`: by version, or by `<version>_<name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependencyRef {
    /// The version named.
    pub version: i64,
    /// The name, when written as `<version>_<name>`.
    pub name: Option<String>,
    /// The reference as written.
    pub text: String,
    /// Where it is written.
    pub position: Position,
}

/// What the directives at the top of an up script say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directives {
    /// `depends-on`: the migrations this one needs applied first.
    pub depends_on: Vec<DependencyRef>,
    /// The flags of the other directives (and of sqlx's `-- no-transaction`).
    pub flags: Flags,
}

/// Reads the directives in the header of `script` (the up script `file`): the blank and `--`
/// comment lines before its first statement. Every problem is returned, not only the first.
///
/// ```
/// let (directives, problems) = strata_core::parse_directives(
///     "-- strata:depends-on 3, 0007_add_orders\n-- strata:no-transaction\nCREATE TABLE a(x);",
///     "0008_b.sql",
/// );
/// assert!(problems.is_empty());
/// assert!(directives.flags.contains(strata_core::Flags::NO_TRANSACTION));
/// assert_eq!(directives.depends_on[1].version, 7);
/// ```
pub fn parse_directives(script: &str, file: &str) -> (Directives, Vec<Problem>) {
    let mut directives = Directives::default();
    let mut errors = Vec::new();
    let mut in_header = true;
    for (index, line) in script.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            continue;
        }
        let line_number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let column_of = |byte: usize| {
            Position::new(line_number, u32::try_from(line[..byte].chars().count() + 1).unwrap_or(u32::MAX))
        };
        let Some(comment) = trimmed.strip_prefix("--") else {
            in_header = false;
            continue;
        };
        let body = comment.trim();
        if !in_header {
            if body.starts_with("strata:") {
                errors.push(
                    Problem::in_file(
                        file,
                        format!("`-- {body}` comes after the first statement, where directives are not read"),
                    )
                    .at(column_of(offset_in(line, trimmed)))
                    .help("move it to the top of the up script, before the first statement".to_owned()),
                );
            }
            continue;
        }
        if body == "no-transaction" {
            directives.flags = directives.flags.with(Flags::NO_TRANSACTION);
            continue;
        }
        if let Some(error) = almost_a_directive(body, file, column_of(offset_in(line, trimmed))) {
            errors.push(error);
            continue;
        }
        let Some(written) = body.strip_prefix("strata:") else { continue };
        let (keyword, arguments) = match written.split_once(char::is_whitespace) {
            Some((keyword, arguments)) => (keyword, arguments.trim()),
            None => (written, ""),
        };
        let position = column_of(offset_in(line, written) - "strata:".len());
        let arguments_start = offset_in(line, arguments);
        match directive(keyword) {
            Some(known) if known.takes_arguments => {
                parse_dependencies(arguments, arguments_start, &column_of, position, &mut directives, file, &mut errors)
            }
            Some(_) if !arguments.is_empty() => {
                errors.push(
                    Problem::in_file(file, format!("`strata:{keyword}` takes no arguments, found `{arguments}`"))
                        .at(column_of(arguments_start))
                        .help(format!("write it alone on its line: `-- strata:{keyword}`")),
                );
            }
            Some(known) => directives.flags = directives.flags.with(known.flag),
            None => {
                let names = DIRECTIVES.map(|d| d.name);
                let known = names.map(|d| format!("`strata:{d}`")).join(", ");
                let help = match did_you_mean(keyword, names) {
                    Some(close) => format!("did you mean `strata:{close}`? known directives: {known}"),
                    None => format!("known directives: {known}"),
                };
                errors.push(
                    Problem::in_file(file, format!("unknown directive `strata:{keyword}`")).at(position).help(help),
                );
            }
        }
    }
    (directives, errors)
}

/// A comment that was meant as a directive but is not written as one: `-- strata depends-on 3`,
/// `-- strata: irreversible`.
fn almost_a_directive(body: &str, file: &str, position: Position) -> Option<Problem> {
    let rest = body.strip_prefix("strata")?;
    if rest.strip_prefix(':').is_some_and(|after| !after.starts_with(char::is_whitespace)) {
        return None; // Written right.
    }
    let rest = rest.trim_start();
    let rest = rest.strip_prefix(':').unwrap_or(rest).trim_start();
    let keyword = rest.split_whitespace().next()?;
    directive(keyword)?;
    Some(
        Problem::in_file(file, format!("`-- {body}` is not read as a directive"))
            .at(position)
            .help(format!("write `-- strata:{}`: `strata:` and the directive with no space between", rest.trim_end())),
    )
}

/// The byte offset of `part`, a slice of `whole`, in `whole`.
fn offset_in(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize).min(whole.len())
}

fn parse_dependencies(
    arguments: &str,
    arguments_start: usize,
    column_of: &dyn Fn(usize) -> Position,
    directive_position: Position,
    directives: &mut Directives,
    file: &str,
    errors: &mut Vec<Problem>,
) {
    let help = "write `-- strata:depends-on <version>` or `<version>_<name>`, several separated by commas";
    if arguments.is_empty() {
        errors.push(
            Problem::in_file(file, "`strata:depends-on` names no migration".to_owned())
                .at(directive_position)
                .help(help.to_owned()),
        );
        return;
    }
    let mut offset = 0;
    for item in arguments.split(',') {
        let text = item.trim();
        let position = column_of(arguments_start + offset + (item.len() - item.trim_start().len()));
        offset += item.len() + 1;
        let (version_text, name) = match text.split_once('_') {
            Some((version, name)) => (version, Some(name)),
            None => (text, None),
        };
        let version = if !version_text.is_empty() && version_text.bytes().all(|b| b.is_ascii_digit()) {
            version_text.parse::<i64>().ok()
        } else {
            None
        };
        match version {
            Some(version) if name.is_none_or(|n| !n.is_empty() && !n.contains(char::is_whitespace)) => {
                directives.depends_on.push(DependencyRef {
                    version,
                    name: name.map(str::to_owned),
                    text: text.to_owned(),
                    position,
                });
            }
            _ => {
                let message = if text.is_empty() {
                    "empty entry in `strata:depends-on`".to_owned()
                } else {
                    format!("`{text}` in `strata:depends-on` is not a version or `<version>_<name>`")
                };
                errors.push(Problem::in_file(file, message).at(position).help(help));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_directive_and_sqlx_no_transaction() {
        let (d, errors) = parse_directives(
            "\n-- a comment\n-- strata:irreversible\n  --strata:backward-compatible\n-- strata:no-dry-run\n-- no-transaction\nSELECT 1;",
            "0001_a.sql",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let all = [Flags::IRREVERSIBLE, Flags::BACKWARD_COMPATIBLE, Flags::NO_DRY_RUN, Flags::NO_TRANSACTION];
        assert!(all.into_iter().all(|flag| d.flags.contains(flag)), "{:?}", d.flags);
    }

    #[test]
    fn directives_after_the_first_statement_are_not_read_and_say_so() {
        let (d, errors) = parse_directives("SELECT 1;\n  -- strata:irreversible\n-- a plain comment\n", "0001_a.sql");
        assert!(!d.flags.contains(Flags::IRREVERSIBLE));
        let found: Vec<(&str, Position)> =
            errors.iter().map(|e| (e.message.as_str(), e.position.unwrap_or(Position::new(0, 0)))).collect();
        assert_eq!(
            found,
            [(
                "`-- strata:irreversible` comes after the first statement, where directives are not read",
                Position::new(2, 3)
            )]
        );
    }

    #[test]
    fn directives_written_almost_right_say_how_to_write_them() {
        let (d, errors) = parse_directives(
            "-- strata depends-on 1\n-- strata: irreversible\n-- strata is great\nSELECT 1;",
            "0001_a.sql",
        );
        assert!(d.depends_on.is_empty() && !d.flags.contains(Flags::IRREVERSIBLE));
        let found: Vec<(&str, &str)> =
            errors.iter().map(|e| (e.message.as_str(), e.help.as_deref().unwrap_or_default())).collect();
        assert_eq!(
            found,
            [
                (
                    "`-- strata depends-on 1` is not read as a directive",
                    "write `-- strata:depends-on 1`: `strata:` and the directive with no space between"
                ),
                (
                    "`-- strata: irreversible` is not read as a directive",
                    "write `-- strata:irreversible`: `strata:` and the directive with no space between"
                ),
            ]
        );
    }

    #[test]
    fn dependencies_by_version_and_by_name_with_positions() {
        let (d, errors) = parse_directives("-- strata:depends-on 20240101000000, 0007_add_orders\n", "0001_a.sql");
        assert!(errors.is_empty());
        let refs: Vec<(i64, Option<&str>, Position)> =
            d.depends_on.iter().map(|r| (r.version, r.name.as_deref(), r.position)).collect();
        assert_eq!(refs, [(20240101000000, None, Position::new(1, 22)), (7, Some("add_orders"), Position::new(1, 38))]);
    }

    #[test]
    fn malformed_dependencies_are_errors() {
        let (_, errors) = parse_directives("-- strata:depends-on\n-- strata:depends-on 3, abc, ,4_\n", "0001_a.sql");
        let messages: Vec<(&str, Position)> =
            errors.iter().map(|e| (e.message.as_str(), e.position.unwrap_or(Position::new(0, 0)))).collect();
        assert_eq!(
            messages,
            [
                ("`strata:depends-on` names no migration", Position::new(1, 4)),
                ("`abc` in `strata:depends-on` is not a version or `<version>_<name>`", Position::new(2, 25)),
                ("empty entry in `strata:depends-on`", Position::new(2, 30)),
                ("`4_` in `strata:depends-on` is not a version or `<version>_<name>`", Position::new(2, 31)),
            ]
        );
    }

    #[test]
    fn unknown_directives_suggest_the_closest() {
        let (_, errors) = parse_directives("-- strata:irreversable\n-- strata:no-transaction yes\n", "0001_a.sql");
        assert_eq!(errors[0].message, "unknown directive `strata:irreversable`");
        assert!(errors[0].help.as_deref().unwrap_or_default().starts_with("did you mean `strata:irreversible`?"));
        assert_eq!(errors[1].message, "`strata:no-transaction` takes no arguments, found `yes`");
    }
}
