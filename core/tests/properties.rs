//! Properties of the lexer, the checksums and the ordering, over generated input (proptest).
//!
//! - The lexer never panics, in any dialect, on arbitrary text or on text made of SQL's
//!   punctuation and keywords; nor do the name and directive parsers, nor `load` on a folder
//!   holding such a script.
//! - What the lexer returns for a script it accepts is the script cut at its statement ends, as
//!   `lexer/mod.rs` builds it: each statement's `sql` is the script's text at its `offset`, its
//!   `position` is that offset's line and character column, statements come in order without
//!   overlapping, none starts with white space, `;` or a comment nor ends with white space, and
//!   what lies between two statements is the white space trimmed off the first one's end, a `;`,
//!   then only white space, `;` and whole comments (what `split_statements` turns into no
//!   statement). Lexed alone, a statement gives back itself.
//! - Checksums do not change with LF, CRLF, lone CR, mixed line endings or a leading byte order
//!   mark, and neither do a loaded migration's checksum and statement positions.
//! - With any acyclic `depends-on` graph the loaded order is the topological order that takes the
//!   lowest version among the migrations that are ready; with a cycle added, the folder has no
//!   order and every problem is a cycle made of real `depends-on` edges.
//!
//! Case counts keep the whole file to a few seconds in a debug build.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test panics

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::collections::BTreeSet;
use std::fs;
use strata_core::{
    Dialect, LoadOptions, Position, Statement, checksum, load, parse_directives, parse_file_name, parse_folder_name,
    split_statements,
};

const DIALECTS: [Dialect; 3] = [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql];

/// Pieces of SQL that open, close or end something in some dialect, and keywords of bodies.
const PIECES: &[&str] = &[
    "'",
    "''",
    "\"",
    "`",
    "[",
    "]",
    "$",
    "$$",
    "$a$",
    "$1",
    "E'",
    "e'",
    "\\",
    "--",
    "-",
    "/*",
    "*/",
    "/",
    "*",
    "#",
    ";",
    ";;",
    "(",
    ")",
    ",",
    ".",
    ":",
    "=",
    "@",
    "@@",
    "\n",
    "\r",
    "\r\n",
    " ",
    "\t",
    "\u{b}",
    "\u{a0}",
    "é",
    "€",
    "\0",
    "BEGIN",
    "begin",
    "END",
    "end",
    "ATOMIC",
    "NOT",
    "IF",
    "END IF",
    "CASE",
    "END CASE",
    "WHILE",
    "DO",
    "LOOP",
    "REPEAT",
    "UNTIL",
    "FOR",
    "THEN",
    "ELSE",
    "WORK",
    "DELIMITER",
    "CREATE",
    "TRIGGER",
    "TEMP",
    "PROCEDURE",
    "FUNCTION",
    "EVENT",
    "DEFINER",
    "OR REPLACE",
    "CREATE TRIGGER t AFTER INSERT ON a ",
    "CREATE PROCEDURE p() ",
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql ",
    "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO ",
    "BEGIN NOT ATOMIC ",
    "SELECT 1",
    "VACUUM",
    "COMMIT",
    "ROLLBACK",
    "PRAGMA journal_mode = WAL",
    "LOCK TABLES t WRITE",
    "x",
    "1",
];

/// Whole constructs: a script made of these lexes more often than not, so that the invariants of
/// an accepted script are exercised on scripts with strings, comments, quotes and bodies.
const WHOLE: &[&str] = &[
    "'a;b'",
    "'it''s'",
    "''",
    "\"x;y\"",
    "\"a\"\"b\"",
    "`q;`",
    "[b;r]",
    "/* c; */",
    "/* a /* b */ c */",
    "/**/",
    "-- c; ' \" /*\n",
    "--\n",
    "# h; '\n",
    "$$ ; ' $$",
    "$t$ x; $$ $t$",
    "$1",
    "E'a\\'b;'",
    "(a, (b; c))",
    "(x)",
    ";",
    ";;",
    " ",
    "  ",
    "\n",
    "\r\n",
    "\t",
    "\u{a0}",
    "SELECT 1",
    "x",
    "é",
    "1.5",
    "a.end",
    "BEGIN",
    "END",
    "COMMIT",
    "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; SELECT CASE WHEN 1 THEN 2 END; END",
    "CREATE PROCEDURE p() BEGIN IF 1 THEN SELECT 1; END IF; WHILE 0 DO SELECT 2; END WHILE; END",
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END",
    "BEGIN NOT ATOMIC SELECT 1; END",
    "IF @x THEN SELECT 1; END IF",
];

/// A string of `pieces`, with now and then any character and a short word.
fn made_of(pieces: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => prop::sample::select(pieces).prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
        1 => "[a-zA-Z0-9_ ]{1,4}",
    ];
    prop::collection::vec(piece, 0..max).prop_map(|pieces| pieces.concat())
}

fn dialect() -> impl Strategy<Value = Dialect> {
    prop::sample::select(&DIALECTS[..])
}

/// The number of lines in `script` as `Position` counts them.
fn lines(script: &str) -> u32 {
    u32::try_from(script.matches('\n').count() + 1).unwrap_or(u32::MAX)
}

/// Whether `text` starts with a comment in `dialect`.
fn starts_comment(text: &str, dialect: Dialect) -> bool {
    text.starts_with("--") || text.starts_with("/*") || (dialect == Dialect::Mysql && text.starts_with('#'))
}

/// What lies between statements: after a statement, the white space trimmed off its end, then
/// a `;` (or the end of the script); then only what the lexer skips between statements.
fn check_gap(gap: &str, after_statement: bool, before_statement: bool, dialect: Dialect) -> Result<(), TestCaseError> {
    let rest = if after_statement { gap.trim_start() } else { gap };
    if after_statement {
        prop_assert!(
            rest.starts_with(';') || (rest.is_empty() && !before_statement),
            "no `;` between two statements: gap {gap:?}"
        );
    }
    let skipped = split_statements(rest, dialect);
    prop_assert_eq!(skipped, Ok(Vec::new()), "the gap {:?} is not only white space, `;` and comments", gap);
    Ok(())
}

/// The invariants of a script the lexer accepted (see the module's documentation).
fn check_split(script: &str, dialect: Dialect, statements: &[Statement]) -> Result<(), TestCaseError> {
    let mut end = 0;
    for (index, statement) in statements.iter().enumerate() {
        let offset = Position::of(statement).offset_in(script);
        prop_assert!(offset.is_some(), "statement {index}'s position is no character of the script");
        let offset = offset.unwrap_or_default();
        prop_assert!(offset >= end, "statement {index} overlaps the one before it");
        check_gap(&script[end..offset], index > 0, true, dialect)?;
        let sql = statement.sql();
        let text = script.get(offset..offset + sql.len());
        prop_assert_eq!(text, Some(sql), "statement {} is not the script's text at its position", index);
        // ASCII white space, as the lexer trims and skips it (other white space is the database's
        // to refuse).
        let trimmed = sql.trim_end_matches(|c: char| c.is_ascii_whitespace());
        prop_assert_eq!(trimmed, sql, "statement {} ends with white space", index);
        prop_assert!(!sql.is_empty(), "statement {} is empty", index);
        let first = script.as_bytes()[offset];
        prop_assert!(!first.is_ascii_whitespace() && first != b';', "statement {index} starts with {first:?}");
        prop_assert!(!starts_comment(sql, dialect), "statement {index} starts with a comment");
        // Lexed alone, a statement is itself.
        let alone = split_statements(sql, dialect);
        let itself = Statement::new(sql.to_owned(), 1, 1);
        prop_assert_eq!(alone, Ok(vec![itself]), "statement {} lexed alone", index);
        end = offset + sql.len();
    }
    let tail = script.get(end..);
    prop_assert!(tail.is_some());
    check_gap(tail.unwrap_or_default(), !statements.is_empty(), false, dialect)
}

fn lex_never_panics(script: &str, dialect: Dialect) -> Result<(), TestCaseError> {
    let result = std::panic::catch_unwind(|| split_statements(script, dialect));
    prop_assert!(result.is_ok(), "split_statements panicked on {script:?} ({dialect})");
    if let Ok(Err(error)) = result {
        prop_assert!(!error.to_string().is_empty() && !error.help().is_empty());
        let Position { line, column } = error.position;
        prop_assert!(line >= 1 && line <= lines(script) && column >= 1, "error at {line}:{column}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// (a) Any text, in every dialect.
    #[test]
    fn lexer_never_panics_on_any_text(script in any::<String>()) {
        for dialect in DIALECTS {
            lex_never_panics(&script, dialect)?;
        }
    }

    /// (a) Text made of SQL's punctuation and keywords, in every dialect.
    #[test]
    fn lexer_never_panics_on_sql_punctuation(script in made_of(PIECES, 80)) {
        for dialect in DIALECTS {
            lex_never_panics(&script, dialect)?;
        }
    }

    /// (b) Every accepted script is its statements and trivia between them.
    #[test]
    fn accepted_scripts_are_their_statements_and_trivia(
        script in prop_oneof![made_of(PIECES, 40), made_of(WHOLE, 40)],
        dialect in dialect(),
    ) {
        if let Ok(statements) = split_statements(&script, dialect) {
            check_split(&script, dialect, &statements)?;
        }
    }

    /// The public parsers of names and directives never panic.
    #[test]
    fn name_and_directive_parsers_never_panic(text in prop_oneof![any::<String>(), made_of(PIECES, 20), "[0-9VU_.a-z-]{0,30}(\\.sql)?"]) {
        if let Err(error) = parse_file_name(&text) {
            let (message, help) = error.describe(&text);
            prop_assert!(!message.is_empty() && !help.is_empty());
        }
        if let Err(error) = parse_folder_name(&text) {
            let (message, help) = error.describe(&format!("{text}/"));
            prop_assert!(!message.is_empty() && !help.is_empty());
        }
        let header = format!("-- strata:{text}\n-- strata:depends-on {text}\n{text}\n-- strata:{text}");
        let (_, problems) = parse_directives(&header, "0001_a.sql");
        prop_assert!(problems.iter().all(|p| !p.message.is_empty() && p.file.as_deref() == Some("0001_a.sql")));
    }
}

/// Directive lines to mix into whole scripts.
const DIRECTIVE_PIECES: &[&str] = &[
    "-- strata:depends-on 1\n",
    "-- strata:depends-on 1, 0002_b, x\n",
    "-- strata:depends-on\n",
    "-- strata:no-transaction\n",
    "-- no-transaction\n",
    "-- strata:irreversible\n",
    "-- strata:nope\n",
    "-- strata depends-on 1\n",
    "-- strata: irreversible x\n",
    "--strata:no-dry-run\n",
    "\n",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// `load` never panics on a folder whose up and down scripts are SQL soup with directives,
    /// and a problem names a file of the folder.
    #[test]
    fn load_never_panics_on_sql_soup(
        header in made_of(DIRECTIVE_PIECES, 4),
        up in prop_oneof![made_of(PIECES, 30), made_of(WHOLE, 30)],
        down in proptest::option::of(made_of(WHOLE, 10)),
        dialect in dialect(),
    ) {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::write(dir.path().join("0001_a.sql"), "SELECT 1;").expect("write");
        fs::write(dir.path().join("0002_b.sql"), format!("{header}{up}")).expect("write");
        if let Some(down) = &down {
            fs::write(dir.path().join("0002_b.down.sql"), down).expect("write");
        }
        let options = LoadOptions { dialect, ..LoadOptions::default() };
        let loaded = std::panic::catch_unwind(|| load(dir.path(), "migrations", &options));
        prop_assert!(loaded.is_ok(), "load panicked");
        let loaded = loaded.unwrap_or_default();
        for problem in &loaded.problems {
            prop_assert!(!problem.message.is_empty());
            let file = problem.file.as_deref().unwrap_or("0002_b.sql");
            prop_assert!(["0001_a.sql", "0002_b.sql", "0002_b.down.sql"].contains(&file), "{}", problem);
        }
    }
}

/// Lines of text with no line break and no byte order mark.
fn text_lines(min_len: usize) -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        proptest::string::string_regex(&format!("[^\\r\\n\u{feff}]{{{min_len},24}}")).expect("regex"),
        0..12,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// (c) LF, CRLF, lone CR and a leading BOM give one checksum.
    #[test]
    fn checksums_ignore_line_endings_and_bom(lines in text_lines(0), trailing in any::<bool>()) {
        let lf = lines.join("\n") + if trailing { "\n" } else { "" };
        let crlf = lf.replace('\n', "\r\n");
        let cr = lf.replace('\n', "\r");
        let expected = checksum(&lf);
        for copy in [&crlf, &cr, &format!("\u{feff}{lf}"), &format!("\u{feff}{crlf}"), &format!("\u{feff}{cr}")] {
            prop_assert_eq!(checksum(copy), expected.clone(), "{:?}", copy);
        }
    }

    /// (c) A different line ending on each line gives the same checksum. (Lines are not empty:
    /// a lone CR, an empty line and an LF would be one CRLF.)
    #[test]
    fn checksums_ignore_mixed_line_endings(
        lines in text_lines(1),
        endings in prop::collection::vec(prop::sample::select(&["\n", "\r\n", "\r"][..]), 12),
    ) {
        let lf = lines.join("\n");
        let mixed: String = lines
            .iter()
            .enumerate()
            .map(|(index, line)| if index == 0 { line.clone() } else { format!("{}{line}", endings[index]) })
            .collect();
        prop_assert_eq!(checksum(&mixed), checksum(&lf));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// (c) Loaded from files, the copies of a script have one checksum and the same statements
    /// at the same positions.
    #[test]
    fn loaded_copies_have_one_checksum_and_the_same_positions(
        statements in prop::collection::vec("[a-z]{1,6}( [a-z0-9]{1,6}){0,3}", 1..6),
        blank_lines in prop::collection::vec(0usize..3, 6),
    ) {
        let lf: String = statements
            .iter()
            .zip(&blank_lines)
            .map(|(statement, blanks)| format!("{}{statement};\n", "\n".repeat(*blanks)))
            .collect();
        let copies = [lf.clone(), lf.replace('\n', "\r\n"), lf.replace('\n', "\r"), format!("\u{feff}{}", lf.replace('\n', "\r\n"))];
        let mut seen = Vec::new();
        for copy in &copies {
            let dir = tempfile::tempdir().expect("temp dir");
            fs::write(dir.path().join("0001_a.sql"), copy).expect("write");
            let set = strata_core::load_dir(dir.path(), "migrations", &LoadOptions::default());
            prop_assert!(set.is_ok(), "{:?}", set.err());
            let Ok(set) = set else { continue };
            let up = &set.migrations[0].up;
            let positions: Vec<(String, Position)> = up.statements.iter().map(|s| (s.sql().to_owned(), Position::of(s))).collect();
            seen.push((set.migrations[0].checksum.clone(), up.text.clone(), positions, set.digest.clone()));
        }
        prop_assert!(seen.windows(2).all(|pair| pair[0] == pair[1]), "{seen:#?}");
        prop_assert_eq!(&seen[0].0, &checksum(&lf));
    }
}

/// How a `depends-on` entry names migration `version`: `7`, `0007` or `0007_m7`.
fn reference(version: i64, style: u8) -> String {
    match style % 3 {
        0 => version.to_string(),
        1 => format!("{version:04}"),
        _ => format!("{version:04}_m{version}"),
    }
}

/// Writes one migration per version (`0007_m7.sql`), each with a `depends-on` line naming its
/// dependencies (indices into `versions`) in the given styles, and loads the folder.
fn load_graph(versions: &[i64], dependencies: &[Vec<usize>], styles: &[Vec<u8>]) -> strata_core::Loaded {
    let dir = tempfile::tempdir().expect("temp dir");
    for (index, version) in versions.iter().enumerate() {
        let names: Vec<String> =
            dependencies[index].iter().map(|&target| reference(versions[target], styles[index][target])).collect();
        let header =
            if names.is_empty() { String::new() } else { format!("-- strata:depends-on {}\n", names.join(", ")) };
        fs::write(
            dir.path().join(format!("{version:04}_m{version}.sql")),
            format!("{header}CREATE TABLE t{version}(x);\n"),
        )
        .expect("write");
    }
    load(dir.path(), "migrations", &LoadOptions::default())
}

/// The topological order that takes the lowest version among the ready migrations (indices).
fn lowest_version_first(dependencies: &[Vec<usize>]) -> Vec<usize> {
    let mut placed = vec![false; dependencies.len()];
    let mut order = Vec::new();
    while let Some(next) =
        (0..dependencies.len()).find(|&node| !placed[node] && dependencies[node].iter().all(|&dep| placed[dep]))
    {
        placed[next] = true;
        order.push(next);
    }
    order
}

/// A random graph over 1 to 8 migrations: (versions in increasing order, each one's dependencies
/// as indices, how each reference is written). Edges go only from higher to lower `rank`, a random
/// permutation, so the graph is acyclic, and a migration may depend on a higher version.
fn acyclic_graph() -> impl Strategy<Value = (Vec<i64>, Vec<Vec<usize>>, Vec<Vec<u8>>)> {
    (1usize..=8).prop_flat_map(|count| {
        (
            prop::collection::btree_set(1i64..300, count),
            Just((0..count).collect::<Vec<usize>>()).prop_shuffle(),
            prop::collection::vec(prop::collection::vec(prop::bool::weighted(0.35), count), count),
            prop::collection::vec(prop::collection::vec(any::<u8>(), count), count),
        )
            .prop_map(|(versions, rank, edges, styles)| {
                let dependencies = (0..versions.len())
                    .map(|from| (0..versions.len()).filter(|&to| edges[from][to] && rank[from] > rank[to]).collect())
                    .collect();
                (versions.into_iter().collect(), dependencies, styles)
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// (d) Acyclic graphs load in topological order, ties broken by version.
    #[test]
    fn acyclic_dependencies_load_in_topological_order((versions, dependencies, styles) in acyclic_graph()) {
        let loaded = load_graph(&versions, &dependencies, &styles);
        prop_assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        let set = loaded.set.expect("an order");
        let order: Vec<i64> = set.migrations.iter().map(|m| m.version.number).collect();
        let expected: Vec<i64> = lowest_version_first(&dependencies).iter().map(|&index| versions[index]).collect();
        prop_assert_eq!(&order, &expected);
        for (at, migration) in set.migrations.iter().enumerate() {
            let index = versions.iter().position(|&v| v == migration.version.number).expect("known version");
            let wanted: Vec<i64> = dependencies[index].iter().map(|&target| versions[target]).collect();
            prop_assert_eq!(&migration.depends_on, &wanted);
            for dependency in &migration.depends_on {
                let placed = order.iter().position(|v| v == dependency).expect("dependency in the set");
                prop_assert!(placed < at, "{} is applied before {}, which it depends on", migration.version.number, dependency);
            }
        }
    }

    /// (d) A cycle (of 2 or more migrations) added to any graph: no order, and every problem is a
    /// dependency cycle whose every arrow is a `depends-on` entry of the folder, reported at the
    /// cycle's first migration.
    #[test]
    fn a_cycle_always_yields_a_cycle_problem(
        (versions, mut dependencies, styles) in acyclic_graph().prop_filter("two migrations or more", |g| g.0.len() >= 2),
        cycle_seed in Just((0..8usize).collect::<Vec<usize>>()).prop_shuffle(),
        length in 2usize..=8,
    ) {
        let members: Vec<usize> = cycle_seed.into_iter().filter(|&node| node < versions.len()).take(length).collect();
        for (at, &from) in members.iter().enumerate() {
            let to = members[(at + 1) % members.len()];
            if !dependencies[from].contains(&to) {
                dependencies[from].push(to);
            }
        }
        let loaded = load_graph(&versions, &dependencies, &styles);
        prop_assert!(loaded.set.is_none(), "a cyclic folder has an order");
        prop_assert!(!loaded.problems.is_empty());
        let edges: BTreeSet<(i64, i64)> = dependencies
            .iter()
            .enumerate()
            .flat_map(|(from, targets)| targets.iter().map(move |&to| (from, to)))
            .map(|(from, to)| (versions[from], versions[to]))
            .collect();
        for problem in &loaded.problems {
            let path = problem.message.strip_prefix("dependency cycle: `").and_then(|rest| rest.strip_suffix('`'));
            prop_assert!(path.is_some(), "not a cycle problem: {}", problem);
            let ids: Vec<&str> = path.unwrap_or_default().split(" -> ").collect();
            let numbers: Vec<i64> = ids.iter().map(|id| id[..4].parse().expect("a version")).collect();
            prop_assert!(numbers.len() >= 3 && numbers.first() == numbers.last(), "{}", problem);
            for pair in numbers.windows(2) {
                prop_assert!(edges.contains(&(pair[0], pair[1])), "{} -> {} is no depends-on entry: {}", pair[0], pair[1], problem);
            }
            prop_assert_eq!(problem.file.clone(), Some(format!("{}.sql", ids[0])));
        }
    }
}

/// A statement is never empty: the lexer skips only ASCII white space between statements but
/// trims a statement's end with `str::trim_end`, which also removes U+000B, U+0085, U+00A0,
/// U+2028 and the other Unicode spaces. A statement made only of those comes out as `""`.
#[test]
fn a_statement_is_never_empty() {
    for script in ["\u{a0};", "\u{b}", "\u{85}", "SELECT 1;\u{2028};", "\u{3000}"] {
        for dialect in DIALECTS {
            let statements = split_statements(script, dialect).unwrap_or_default();
            assert!(statements.iter().all(|s| !s.sql().is_empty()), "{script:?} ({dialect}): {statements:?}");
        }
    }
    // Its consequence for the loader: `bad_input.rs`, `a_down_script_of_unicode_white_space_is_no_down_script`.
}
