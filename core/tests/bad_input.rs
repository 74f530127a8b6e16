//! A corpus of malformed migrations folders, each built in a temporary directory and run through
//! [`strata_core::load`] and [`strata_core::load_dir`]: neither may panic, a bad folder is an
//! error value (at least one problem, each with a message, naming its file where it has one), no
//! problem leaks an absolute path or text from outside the folder, and the loader reads nothing
//! outside the folder.
//!
//! Each case runs inside `catch_unwind`, so a panic is a failure that names the case; every case
//! of a table runs even when an earlier one fails, and the test lists every failing case.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test panics

use std::fmt::Write as _;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use strata_core::{Dialect, LoadOptions, Loaded, MigrationSet, Problems, load, load_dir};

/// What the files outside every migrations folder hold: no message, script or unplaced text may
/// contain it.
const SECRET: &str = "TOPSECRET-7f3e9a-outside-the-folder";

/// How long one case may take (both loads, in a debug build) before it counts as a hang.
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// A temporary root holding the migrations folder (`<root>/migrations`) and, beside it, a folder
/// that is not the migrations folder's: `<root>/outside/secret.sql` and `<root>/outside/dir/`.
#[cfg_attr(not(unix), allow(dead_code))] // the outside paths are for symlinks
struct Sandbox {
    root: tempfile::TempDir,
    dir: PathBuf,
    outside_file: PathBuf,
    outside_dir: PathBuf,
}

fn sandbox() -> Sandbox {
    let root = tempfile::tempdir().expect("temp dir");
    let dir = root.path().join("migrations");
    fs::create_dir(&dir).expect("migrations folder");
    let outside = root.path().join("outside");
    let outside_dir = outside.join("dir");
    fs::create_dir_all(&outside_dir).expect("outside folder");
    let outside_file = outside.join("secret.sql");
    fs::write(&outside_file, format!("CREATE TABLE leaked(x); -- {SECRET}\n")).expect("secret");
    fs::write(outside_dir.join("up.sql"), format!("CREATE TABLE leaked_dir(x); -- {SECRET}\n")).expect("secret up");
    fs::write(outside.join("strata.lock"), format!("{SECRET} is-not a-lock\n")).expect("secret lock");
    Sandbox { root, dir, outside_file, outside_dir }
}

/// Gives back every permission a case took away (`chmod 000`), so that the temp dir can be
/// deleted when the process is not root.
#[cfg(unix)]
impl Drop for Sandbox {
    fn drop(&mut self) {
        fn restore(path: &Path) {
            use std::os::unix::fs::PermissionsExt;
            let Ok(metadata) = fs::symlink_metadata(path) else { return };
            if metadata.is_dir() {
                let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o700));
                for entry in fs::read_dir(path).into_iter().flatten().flatten() {
                    restore(&entry.path());
                }
            } else if metadata.is_file() {
                let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o600));
            }
        }
        restore(self.root.path());
    }
}

/// Writes `bytes` at `relative` in `dir`, creating the folders on the way.
fn put(dir: &Path, relative: &str, bytes: impl AsRef<[u8]>) {
    let path = dir.join(relative);
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, bytes).expect("write");
}

/// Builds a case's folder in the sandbox and returns the path to load.
type Setup = Box<dyn Fn(&Sandbox) -> PathBuf>;

/// A folder of text files.
fn files(list: &[(&str, &str)]) -> Setup {
    let owned: Vec<(String, Vec<u8>)> = list.iter().map(|(n, t)| ((*n).to_owned(), t.as_bytes().to_vec())).collect();
    Box::new(move |sandbox| {
        for (name, bytes) in &owned {
            put(&sandbox.dir, name, bytes);
        }
        sandbox.dir.clone()
    })
}

/// A folder of files given as bytes.
fn bytes(list: &[(&str, &[u8])]) -> Setup {
    let owned: Vec<(String, Vec<u8>)> = list.iter().map(|(n, b)| ((*n).to_owned(), b.to_vec())).collect();
    Box::new(move |sandbox| {
        for (name, bytes) in &owned {
            put(&sandbox.dir, name, bytes);
        }
        sandbox.dir.clone()
    })
}

/// A problem a failing case must report.
struct Want {
    /// The file it names (relative to the folder); `None` for a problem with the folder itself.
    file: Option<String>,
    /// A part of its message.
    says: &'static str,
    /// Its line, when the case pins it.
    line: Option<u32>,
}

enum Expect {
    /// An error value holding (at least) these problems.
    Fails(Vec<Want>),
    /// Loads with no problem.
    Loads,
    /// Loads or fails, either is fine: what must hold is no panic, bounded time, nothing read
    /// outside. The outcome is printed.
    LoadsOrFails,
}

fn fails(file: Option<&str>, says: &'static str) -> Expect {
    Expect::Fails(vec![Want { file: file.map(str::to_owned), says, line: None }])
}

fn fails_at(file: &str, says: &'static str, line: u32) -> Expect {
    Expect::Fails(vec![Want { file: Some(file.to_owned()), says, line: Some(line) }])
}

fn fails_all(wants: &[(Option<&str>, &'static str)]) -> Expect {
    Expect::Fails(wants.iter().map(|&(file, says)| Want { file: file.map(str::to_owned), says, line: None }).collect())
}

struct Case {
    name: &'static str,
    options: LoadOptions,
    setup: Setup,
    expect: Expect,
}

fn case(name: &'static str, setup: Setup, expect: Expect) -> Case {
    Case { name, options: LoadOptions::default(), setup, expect }
}

impl Case {
    fn dialect(mut self, dialect: Dialect) -> Self {
        self.options.dialect = dialect;
        self
    }

    fn ignore(mut self, patterns: &[&str]) -> Self {
        self.options.ignore = patterns.iter().map(|p| (*p).to_owned()).collect();
        self
    }
}

/// What a case's two loads returned.
struct Outcome {
    loaded: Loaded,
    result: Result<MigrationSet, Problems>,
    elapsed: Duration,
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-string panic".to_owned())
}

/// Runs `case` in a fresh sandbox; `Ok` with a one-line summary, or `Err` with what is wrong.
fn run(case: &Case) -> Result<String, String> {
    let sandbox = sandbox();
    let path = (case.setup)(&sandbox);
    let started = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let loaded = load(&path, "migrations", &case.options);
        let result = load_dir(&path, "migrations", &case.options);
        Outcome { loaded, result, elapsed: started.elapsed() }
    }))
    .map_err(|payload| format!("panicked: {}", panic_message(payload.as_ref())))?;
    let summary = check(&sandbox, &case.expect, &outcome)?;
    Ok(format!("{summary} ({:.2?})", outcome.elapsed))
}

/// Every script and unplaced text the load read.
fn texts(loaded: &Loaded) -> Vec<&str> {
    let mut texts: Vec<&str> = loaded.unplaced.iter().map(String::as_str).collect();
    for migration in loaded.set.iter().flat_map(|set| &set.migrations) {
        texts.push(&migration.up.text);
        texts.extend(migration.down.as_ref().map(|down| down.text.as_str()));
    }
    texts
}

/// The files the load read that resolve to somewhere outside the migrations folder.
fn read_outside(sandbox: &Sandbox, loaded: &Loaded) -> Vec<PathBuf> {
    let Ok(folder) = sandbox.dir.canonicalize() else { return Vec::new() };
    let read = loaded.set.iter().flat_map(|set| &set.files_read);
    read.filter_map(|path| path.canonicalize().ok()).filter(|real| !real.starts_with(&folder)).collect()
}

fn check(sandbox: &Sandbox, expect: &Expect, outcome: &Outcome) -> Result<String, String> {
    let Outcome { loaded, result, elapsed } = outcome;
    let mut wrong = String::new();
    if *elapsed > TIME_LIMIT {
        let _ = write!(wrong, "took {elapsed:.1?}; ");
    }
    // `load_dir` is `load` all-or-nothing.
    match result {
        Ok(_) if !loaded.problems.is_empty() || loaded.set.is_none() => {
            let _ = write!(wrong, "load_dir is Ok but load found {} problem(s); ", loaded.problems.len());
        }
        Err(problems) if problems.len() != loaded.problems.len() => {
            let _ = write!(wrong, "load_dir has {} problems, load {}; ", problems.len(), loaded.problems.len());
        }
        Err(problems) if problems.is_empty() || problems.to_string().trim().is_empty() => {
            let _ = write!(wrong, "an error value with no problem in it; ");
        }
        _ => {}
    }
    let root = sandbox.root.path().to_string_lossy().into_owned();
    for problem in &loaded.problems {
        let all = format!("{problem} {}", problem.help.as_deref().unwrap_or_default());
        if problem.message.trim().is_empty() {
            let _ = write!(wrong, "a problem with an empty message: {problem:?}; ");
        }
        if all.contains(&root) {
            let _ = write!(wrong, "a message holds the absolute path: {all}; ");
        }
        if all.contains(SECRET) {
            let _ = write!(wrong, "a message holds text from outside the folder: {all}; ");
        }
        if let Some(file) = &problem.file
            && (file.is_empty() || file.starts_with('/') || file.split('/').any(|part| part == ".."))
        {
            let _ = write!(wrong, "a problem names `{file}`, not a path inside the folder; ");
        }
    }
    let outside = read_outside(sandbox, loaded);
    let leaked = texts(loaded).iter().any(|text| text.contains(SECRET));
    let summary = match &loaded.problems[..] {
        [] => format!("loads {} migration(s)", loaded.set.as_ref().map_or(0, |set| set.migrations.len())),
        [first, ..] => format!("{} problem(s), first: {first}", loaded.problems.len()),
    };
    match expect {
        Expect::Fails(wants) => {
            let Err(problems) = result else {
                return Err(format!("expected an error, got: {summary}"));
            };
            let shown = problems.to_string();
            for want in wants {
                let found = loaded.problems.iter().any(|problem| {
                    problem.file == want.file
                        && problem.message.contains(want.says)
                        && want.line.is_none_or(|line| problem.position.is_some_and(|at| at.line == line))
                });
                if !found {
                    let _ = write!(
                        wrong,
                        "no problem in {:?} saying `{}`{}; got: {shown}; ",
                        want.file,
                        want.says,
                        want.line.map(|line| format!(" at line {line}")).unwrap_or_default()
                    );
                }
                if let Some(file) = &want.file
                    && !shown.contains(&format!("migrations/{file}"))
                {
                    let _ = write!(wrong, "the message does not name `migrations/{file}`: {shown}; ");
                }
            }
        }
        Expect::Loads if !loaded.problems.is_empty() || result.is_err() => {
            let _ = write!(wrong, "expected to load, got: {summary}; ");
        }
        Expect::Loads | Expect::LoadsOrFails => {}
    }
    if !outside.is_empty() {
        let _ = write!(wrong, "read files outside the folder: {outside:?}; ");
    }
    if leaked {
        let _ = write!(wrong, "a script's text holds the secret from outside the folder; ");
    }
    if wrong.is_empty() { Ok(summary) } else { Err(wrong) }
}

/// Runs every case, prints each outcome, and fails naming every case that went wrong.
fn run_all(cases: Vec<Case>) {
    let mut failures = Vec::new();
    for case in &cases {
        match run(case) {
            Ok(summary) => println!("ok   {}: {summary}", case.name),
            Err(wrong) => {
                println!("FAIL {}: {wrong}", case.name);
                failures.push(format!("{}: {wrong}", case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

fn checksum_of(text: &str) -> String {
    strata_core::checksum(text)
}

/// The shapes of the ui-tests fixtures (`ui-tests/fixtures/*`, `ui-tests/*.stderr`) that fail at
/// load time, and their near relatives.
#[test]
fn names_and_layouts() {
    // 200 digits: file names are limited to 255 bytes.
    let long = format!("{}_a.sql", "9".repeat(200));
    run_all(vec![
        case(
            "data file beside flat migrations",
            files(&[("0001_a.sql", "CREATE TABLE a(x);"), ("data_seed.sql", "INSERT INTO a VALUES (1);")]),
            fails(Some("data_seed.sql"), "version `data` of `data_seed.sql` is not a number"),
        ),
        case(
            "down script without up script",
            files(&[("0001_a.sql", "CREATE TABLE a(x);"), ("0002_b.down.sql", "DROP TABLE b;")]),
            fails(Some("0002_b.down.sql"), "has no up script"),
        ),
        case(
            "duplicate version",
            files(&[("0001_a.sql", "CREATE TABLE a(x);"), ("1_b.sql", "CREATE TABLE b(x);")]),
            fails(Some("1_b.sql"), "duplicate version `1`"),
        ),
        case(
            "duplicate version across layouts (file and folder)",
            files(&[("0001_a.sql", "CREATE TABLE a(x);"), ("0001_b/up.sql", "CREATE TABLE b(x);")]),
            fails(None, "mixes migration layouts"),
        ),
        case(
            "empty folder (hidden file and README only)",
            files(&[(".gitkeep", ""), ("README.md", "# nothing here yet\n")]),
            fails(None, "holds no migration"),
        ),
        case("empty folder (nothing at all)", files(&[]), fails(None, "holds no migration")),
        case(
            "folder name not a version",
            files(&[("0001_init/up.sql", "CREATE TABLE a(x);"), ("init_users/up.sql", "CREATE TABLE u(x);")]),
            fails(Some("init_users/"), "is not a number"),
        ),
        case(
            "migration folder without scripts",
            files(&[("0001_a/up.sql", "CREATE TABLE a(x);"), ("0002_b/metadata.toml", "run_in_transaction = false\n")]),
            fails(Some("0002_b/"), "has neither `up.sql` nor `down.sql`"),
        ),
        case(
            "layouts mixed (flat and folder)",
            files(&[("0001_a.sql", "CREATE TABLE a(x);"), ("0002_b/up.sql", "CREATE TABLE b(x);")]),
            fails(None, "mixes migration layouts"),
        ),
        case(
            "layouts mixed (flat and prefixed)",
            files(&[("0001_a.sql", "CREATE TABLE a(x);"), ("V2__b.sql", "CREATE TABLE b(x);")]),
            fails(None, "mixes migration layouts"),
        ),
        case(
            "no layout",
            files(&[("0001_a.sql", "CREATE TABLE a(x);"), ("init.sql", "SELECT 1;")]),
            fails(Some("init.sql"), "matches no migration layout"),
        ),
        case(
            "non-numeric version",
            files(&[("0001_a.sql", "CREATE TABLE a(x);"), ("v2_b.sql", "CREATE TABLE b(x);")]),
            fails(Some("v2_b.sql"), "version `v2` of `v2_b.sql` is not a number"),
        ),
        case(
            "upper-case extension",
            files(&[("0001_a.sql", "CREATE TABLE a(x);"), ("0002_b.SQL", "CREATE TABLE b(x);")]),
            fails(Some("0002_b.SQL"), "ends in `.SQL`, not `.sql`"),
        ),
        case(
            "dash instead of underscore",
            files(&[("0001_a.sql", "CREATE TABLE a(x);"), ("002-posts.sql", "CREATE TABLE p(x);")]),
            fails(Some("002-posts.sql"), "matches no migration layout"),
        ),
        case(
            "name with a space instead of `_` (`0001 init.sql`)",
            files(&[("0001 init.sql", "CREATE TABLE a(x);")]),
            fails(Some("0001 init.sql"), "matches no migration layout"),
        ),
        case(
            "version too large (20 digits)",
            files(&[("99999999999999999999_a.sql", "CREATE TABLE a(x);")]),
            fails(Some("99999999999999999999_a.sql"), "does not fit in a 64-bit signed integer"),
        ),
        case(
            "version i64::MAX + 1",
            files(&[("9223372036854775808_a.sql", "CREATE TABLE a(x);")]),
            fails(Some("9223372036854775808_a.sql"), "does not fit in a 64-bit signed integer"),
        ),
        case(
            "version of 200 digits",
            files(&[(&long, "CREATE TABLE a(x);")]),
            fails(Some(&long), "does not fit in a 64-bit signed integer"),
        ),
        case(
            "version too large, prefixed layout",
            files(&[("V99999999999999999999__a.sql", "CREATE TABLE a(x);")]),
            fails(Some("V99999999999999999999__a.sql"), "does not fit in a 64-bit signed integer"),
        ),
        case(
            "version too large, diesel folder",
            files(&[("9999-99-99-999999-99999_x/up.sql", "CREATE TABLE a(x);")]),
            fails(Some("9999-99-99-999999-99999_x/"), "does not fit in a 64-bit signed integer"),
        ),
        case(
            "ignore pattern that is not a glob",
            files(&[("0001_a.sql", "CREATE TABLE a(x);")]),
            fails(None, "is not a valid glob"),
        )
        .ignore(&["data_[.sql"]),
        case(
            "directory named like a migration file (`0001_a.sql/`)",
            Box::new(|sandbox| {
                fs::create_dir(sandbox.dir.join("0001_a.sql")).expect("mkdir");
                sandbox.dir.clone()
            }),
            fails(Some("0001_a.sql/"), "has neither `up.sql` nor `down.sql`"),
        ),
        case(
            "migration folder holding only a nested folder",
            files(&[("0001_a/nested/up.sql", "CREATE TABLE a(x);")]),
            fails(Some("0001_a/"), "has neither `up.sql` nor `down.sql`"),
        ),
        case(
            "migration folder whose `up.sql` is a directory",
            files(&[("0001_a/up.sql/inner.sql", "CREATE TABLE a(x);")]),
            fails(Some("0001_a/up.sql"), "cannot read `0001_a/up.sql`"),
        ),
        case(
            "migration folder with a stray `.sql` directory",
            files(&[("0001_a/up.sql", "CREATE TABLE a(x);"), ("0001_a/extra.sql/x", "")]),
            fails(Some("0001_a/extra.sql"), "matches no migration layout"),
        ),
        case(
            "flat migration file that is a directory holding an up.sql (diesel shape, odd name)",
            files(&[("0001_a.sql/up.sql", "CREATE TABLE a(x);")]),
            Expect::LoadsOrFails,
        ),
        case("the folder is missing", Box::new(|sandbox| sandbox.dir.join("not-here")), fails(None, "does not exist")),
        case(
            "the path is a file",
            Box::new(|sandbox| {
                put(&sandbox.dir, "0001_a.sql", "CREATE TABLE a(x);");
                sandbox.dir.join("0001_a.sql")
            }),
            fails(None, "is a file, not a migrations folder"),
        ),
    ]);
}

/// Directives, dependencies and statement rules: the problems of a file's content that are not
/// lexing problems.
#[test]
fn directives_and_dependencies() {
    run_all(vec![
        case(
            "unknown directive",
            files(&[("0001_a.sql", "-- strata:no-transation\nCREATE TABLE a(x);")]),
            fails_at("0001_a.sql", "unknown directive `strata:no-transation`", 1),
        ),
        case(
            "directive with an argument it does not take",
            files(&[("0001_a.sql", "-- strata:irreversible yes\nCREATE TABLE a(x);")]),
            fails(Some("0001_a.sql"), "takes no arguments, found `yes`"),
        ),
        case(
            "directive after the first statement",
            files(&[("0001_a.sql", "CREATE TABLE a(x);\n-- strata:no-transaction\nVACUUM;")]),
            fails_at("0001_a.sql", "comes after the first statement", 2),
        ),
        case(
            "directive written almost right",
            files(&[
                ("0001_a.sql", "CREATE TABLE a(x);"),
                ("0002_b.sql", "-- strata depends-on 1\nCREATE TABLE b(x);"),
            ]),
            fails(Some("0002_b.sql"), "is not read as a directive"),
        ),
        case(
            "malformed depends-on (`0001 a`)",
            files(&[
                ("0001_a.sql", "CREATE TABLE a(x);"),
                ("0002_b.sql", "-- strata:depends-on 0001 a\nCREATE TABLE b(x);"),
            ]),
            fails(Some("0002_b.sql"), "`0001 a` in `strata:depends-on` is not a version"),
        ),
        case(
            "empty depends-on",
            files(&[("0001_a.sql", "-- strata:depends-on\nCREATE TABLE a(x);")]),
            fails(Some("0001_a.sql"), "`strata:depends-on` names no migration"),
        ),
        case(
            "depends-on with empty entries and a trailing `_`",
            files(&[("0001_a.sql", "CREATE TABLE a(x);"), ("0002_b.sql", "-- strata:depends-on 1, ,4_\nSELECT 1;")]),
            fails_all(&[
                (Some("0002_b.sql"), "empty entry in `strata:depends-on`"),
                (Some("0002_b.sql"), "`4_` in `strata:depends-on` is not a version"),
            ]),
        ),
        case(
            "depends-on a version too large for i64",
            files(&[
                ("0001_a.sql", "CREATE TABLE a(x);"),
                ("0002_b.sql", "-- strata:depends-on 99999999999999999999\nSELECT 1;"),
            ]),
            fails(Some("0002_b.sql"), "`99999999999999999999` in `strata:depends-on` is not a version"),
        ),
        case(
            "self dependency",
            files(&[("0001_a.sql", "-- strata:depends-on 1\nCREATE TABLE a(x);")]),
            fails(Some("0001_a.sql"), "migration `0001_a` depends on itself"),
        ),
        case(
            "two-node cycle",
            files(&[
                ("0001_a.sql", "-- strata:depends-on 0002_b\nCREATE TABLE a(x);"),
                ("0002_b.sql", "-- strata:depends-on 0001_a\nCREATE TABLE b(x);"),
            ]),
            fails_at("0001_a.sql", "dependency cycle: `0001_a -> 0002_b -> 0001_a`", 1),
        ),
        case(
            "three-node cycle",
            files(&[
                ("0003_a.sql", "-- strata:depends-on 0007_b\nCREATE TABLE a(x);"),
                ("0007_b.sql", "-- strata:depends-on 0009_c\nCREATE TABLE b(x);"),
                ("0009_c.sql", "-- strata:depends-on 0003_a\nCREATE TABLE c(x);"),
            ]),
            fails(Some("0003_a.sql"), "dependency cycle: `0003_a -> 0007_b -> 0009_c -> 0003_a`"),
        ),
        case(
            "unknown dependency",
            files(&[
                ("0001_create_users.sql", "CREATE TABLE a(x);"),
                ("0002_b.sql", "-- strata:depends-on 0001_create_user\nCREATE TABLE b(x);"),
            ]),
            fails(Some("0002_b.sql"), "names `0001_create_user`, which is not a migration in this folder"),
        ),
        case(
            "irreversible with a down script",
            files(&[
                ("0001_a.sql", "-- strata:irreversible\nCREATE TABLE a(x);"),
                ("0001_a.down.sql", "DROP TABLE a;"),
            ]),
            fails(Some("0001_a.sql"), "is marked `strata:irreversible` but has a down script `0001_a.down.sql`"),
        ),
        case(
            "two bad files (every problem, not the first)",
            files(&[
                ("0001_a.sql", "CREATE TABLE a(x);\nSELECT 'oops;\n"),
                ("0002_b.sql", "CREATE TABLE b(x);"),
                ("0003_c.sql", "-- strata:depends-on 9\nCREATE TABLE c(x);"),
            ]),
            fails_all(&[
                (Some("0001_a.sql"), "unterminated string"),
                (Some("0003_c.sql"), "names `9`, which is not a migration in this folder"),
            ]),
        ),
        case(
            "every load-time problem at once (the ui fixture without its dry-run problems)",
            files(&[
                ("0001_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);"),
                ("0003_tags.sql", "-- strata:depends-on 0001_user\nCREATE TABLE tags (name TEXT PRIMARY KEY);"),
                ("002-posts.sql", "CREATE TABLE posts (id INTEGER PRIMARY KEY);"),
            ]),
            fails_all(&[
                (Some("002-posts.sql"), "matches no migration layout"),
                (Some("0003_tags.sql"), "names `0001_user`"),
            ]),
        ),
        case(
            "invalid metadata.toml",
            files(&[("0001_a/up.sql", "CREATE TABLE a(x);"), ("0001_a/metadata.toml", "run_in_transaction = nope\n")]),
            fails_at("0001_a/metadata.toml", "is not valid TOML", 1),
        ),
        case(
            "metadata.toml with a string where a boolean goes",
            files(&[
                ("0001_a/up.sql", "CREATE TABLE a(x);"),
                ("0001_a/metadata.toml", "run_in_transaction = \"no\"\n"),
            ]),
            fails(Some("0001_a/metadata.toml"), "is a string, not a boolean"),
        ),
        case(
            "metadata.toml that is not UTF-8",
            bytes(&[
                ("0001_a/up.sql", b"CREATE TABLE a(x);"),
                ("0001_a/metadata.toml", b"run_in_transaction = \xff\n"),
            ]),
            fails(Some("0001_a/metadata.toml"), "is not valid UTF-8"),
        ),
        case(
            "VACUUM inside the migration's transaction (sqlite)",
            files(&[("0001_a.sql", "CREATE TABLE a(x);\nVACUUM;")]),
            fails_at("0001_a.sql", "`VACUUM` cannot run inside a transaction", 2),
        ),
        case(
            // A whole script wrapped in `BEGIN; … COMMIT;` runs in strata's transaction instead.
            "explicit BEGIN/COMMIT mid-script (sqlite)",
            files(&[("0001_a.sql", "BEGIN;\nCREATE TABLE a(x);\nCOMMIT;\nCREATE TABLE b(x);")]),
            fails_at("0001_a.sql", "explicit `BEGIN` conflicts with the transaction", 1),
        ),
        case(
            "CREATE INDEX CONCURRENTLY (postgres)",
            files(&[("0001_a.sql", "CREATE UNIQUE INDEX CONCURRENTLY a_x ON a (x);")]),
            fails(Some("0001_a.sql"), "`CREATE UNIQUE INDEX CONCURRENTLY` cannot run inside a transaction"),
        )
        .dialect(Dialect::Postgres),
        case(
            "LOCK TABLES (mysql)",
            files(&[("0001_a.sql", "LOCK TABLES a WRITE;\nDELETE FROM a;\nUNLOCK TABLES;")]),
            fails(Some("0001_a.sql"), "`LOCK TABLES` commits the transaction"),
        )
        .dialect(Dialect::Mysql),
    ]);
}

/// Scripts the lexer refuses: every unterminated construct of every dialect.
#[test]
fn unlexable_scripts() {
    run_all(vec![
        case(
            "unterminated string",
            files(&[("0001_a.sql", "CREATE TABLE a(x);\nINSERT INTO a VALUES ('it''s);\nSELECT 1;\n")]),
            fails_at("0001_a.sql", "unterminated string", 2),
        ),
        case(
            "unterminated string opened earlier",
            files(&[(
                "0001_users.sql",
                "CREATE TABLE users (name TEXT, age INTEGER);\nINSERT INTO users VALUES ('alice, 31);\nINSERT INTO users VALUES ('bob', 42);\n",
            )]),
            fails_at("0001_users.sql", "unterminated string", 3),
        ),
        case(
            "unterminated quoted identifier `\"`",
            files(&[("0001_a.sql", "CREATE TABLE \"a(x);\n")]),
            fails_at("0001_a.sql", "unterminated quoted identifier `\"`", 1),
        ),
        case(
            "unterminated quoted identifier `[` (sqlite)",
            files(&[("0001_a.sql", "CREATE TABLE [a(x);\n")]),
            fails(Some("0001_a.sql"), "unterminated quoted identifier `[`"),
        ),
        case(
            "unterminated quoted identifier backtick (mysql)",
            files(&[("0001_a.sql", "CREATE TABLE `a(x INT);\n")]),
            fails(Some("0001_a.sql"), "unterminated quoted identifier ```"),
        )
        .dialect(Dialect::Mysql),
        case(
            "mysql string ending in a backslash",
            files(&[("0001_a.sql", "INSERT INTO a VALUES ('abc\\');\n")]),
            fails(Some("0001_a.sql"), "unterminated string"),
        )
        .dialect(Dialect::Mysql),
        case(
            "unterminated postgres E string",
            files(&[("0001_a.sql", "SELECT E'it\\'s;\n")]),
            fails(Some("0001_a.sql"), "unterminated string"),
        )
        .dialect(Dialect::Postgres),
        case(
            "unterminated comment",
            files(&[("0001_a.sql", "CREATE TABLE a(x);\n/* the rest is disabled\nCREATE TABLE b(x);\n")]),
            fails_at("0001_a.sql", "unterminated `/*` comment", 2),
        ),
        case(
            "unterminated dollar quote (postgres)",
            files(&[("0001_a.sql", "CREATE FUNCTION f() RETURNS int AS $$\n  SELECT 1;\n$ LANGUAGE sql;\n")]),
            fails_at("0001_a.sql", "unterminated dollar-quoted string `$$`", 1),
        )
        .dialect(Dialect::Postgres),
        case(
            "unterminated tagged dollar quote (postgres)",
            files(&[("0001_a.sql", "SELECT $body$ abc $bod$;\n")]),
            fails(Some("0001_a.sql"), "unterminated dollar-quoted string `$body$`"),
        )
        .dialect(Dialect::Postgres),
        case(
            "unbalanced parentheses: unclosed",
            files(&[("0001_a.sql", "CREATE TABLE a(\n  x INTEGER,\n  y TEXT;\n")]),
            fails_at("0001_a.sql", "unclosed parenthesis `(`", 1),
        ),
        case(
            "unbalanced parentheses: unopened",
            files(&[("0001_a.sql", "SELECT 1);\n")]),
            fails(Some("0001_a.sql"), "unbalanced parenthesis `)`"),
        ),
        case(
            "sqlite trigger body without END",
            files(&[("0001_a.sql", "CREATE TABLE a(x);\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n  SELECT 1;\n")]),
            fails_at("0001_a.sql", "trigger body `BEGIN` has no matching `END`", 2),
        ),
        case(
            "mysql stored program without END",
            files(&[("0001_a.sql", "CREATE PROCEDURE p()\nBEGIN\n  IF 1 THEN SELECT 1; END IF;\n")]),
            fails_at("0001_a.sql", "`BEGIN` has no matching `END`", 2),
        )
        .dialect(Dialect::Mysql),
        case(
            "mysql DELIMITER command",
            files(&[(
                "0001_a.sql",
                "CREATE TABLE a (id INT);\n\nDELIMITER //\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND //\nDELIMITER ;\n",
            )]),
            fails_at("0001_a.sql", "`DELIMITER` is a command of the mysql client", 3),
        )
        .dialect(Dialect::Mysql),
        case(
            "postgres BEGIN ATOMIC without END",
            files(&[("0001_a.sql", "CREATE FUNCTION f() RETURNS int LANGUAGE sql\n  BEGIN ATOMIC SELECT 1;\n")]),
            fails_at("0001_a.sql", "function body `BEGIN ATOMIC` has no matching `END`", 2),
        )
        .dialect(Dialect::Postgres),
        case(
            "unterminated string in a down script",
            files(&[("0001_a.sql", "CREATE TABLE a(x);"), ("0001_a.down.sql", "DELETE FROM a WHERE x = 'a;\n")]),
            fails(Some("0001_a.down.sql"), "unterminated string"),
        ),
        case(
            "unterminated comment in a folder layout's up.sql",
            files(&[("0001_a/up.sql", "/* never closed\nCREATE TABLE a(x);")]),
            fails_at("0001_a/up.sql", "unterminated `/*` comment", 1),
        ),
    ]);
}

/// Bytes that are not the UTF-8 text of an ordinary file, odd line endings, odd names.
#[test]
fn encodings_and_names() {
    let nul_in_script = "CREATE TABLE a(x);\0\nINSERT INTO a VALUES (1);\0";
    run_all(vec![
        case(
            "non-UTF-8 up script",
            bytes(&[("0001_a.sql", b"CREATE TABLE a(x);\n-- caf\xe9\n")]),
            fails_at("0001_a.sql", "`0001_a.sql` is not valid UTF-8", 2),
        ),
        case(
            "non-UTF-8 down script",
            bytes(&[("0001_a.sql", b"CREATE TABLE a(x);"), ("0001_a.down.sql", b"DROP TABLE \xff;")]),
            fails(Some("0001_a.down.sql"), "is not valid UTF-8"),
        ),
        case(
            "UTF-16 with its byte order mark",
            bytes(&[("0001_a.sql", b"\xff\xfeS\0E\0L\0E\0C\0T\0 \x001\0;\0")]),
            fails_at("0001_a.sql", "is not valid UTF-8", 1),
        ),
        case(
            "a lone invalid byte after a multi-byte character",
            bytes(&[("0001_a.sql", b"SELECT '\xc3\xa9\xc3';")]),
            fails(Some("0001_a.sql"), "is not valid UTF-8"),
        ),
        // NUL is valid UTF-8: the lexer takes it as any other character.
        case("NUL bytes in a script", files(&[("0001_a.sql", nul_in_script)]), Expect::LoadsOrFails),
        case("NUL bytes inside a string", files(&[("0001_a.sql", "INSERT INTO a VALUES ('\0;\0');")]), Expect::Loads),
        case("a file of NUL bytes only", bytes(&[("0001_a.sql", &[0u8; 4096][..])]), Expect::LoadsOrFails),
        case(
            "lone CR line endings",
            files(&[("0001_a.sql", "-- strata:backward-compatible\rCREATE TABLE a(x);\rCREATE TABLE b(y);\r")]),
            Expect::Loads,
        ),
        case(
            "lone CR line endings with an unterminated string on line 3",
            files(&[("0001_a.sql", "CREATE TABLE a(x);\rSELECT 1;\rSELECT 'open;\r")]),
            fails_at("0001_a.sql", "unterminated string", 3),
        ),
        case(
            "mixed CRLF, CR and LF with a BOM",
            files(&[("0001_a.sql", "\u{feff}CREATE TABLE a(x);\r\nCREATE TABLE b(y);\rCREATE TABLE c(z);\n")]),
            Expect::Loads,
        ),
        case("a BOM and nothing else", files(&[("0001_a.sql", "\u{feff}")]), Expect::Loads),
        case("an empty up script", files(&[("0001_a.sql", "")]), Expect::Loads),
        case(
            "a script of vertical tabs and no-break spaces only",
            files(&[("0001_a.sql", "\u{b}\u{a0};\u{b};")]),
            Expect::LoadsOrFails,
        ),
        case(
            "non-ASCII letters in the name (`0001_café.sql`)",
            files(&[("0001_café.sql", "SELECT 1;")]),
            Expect::Loads,
        ),
        case("a space in the name (`0001_a b.sql`)", files(&[("0001_a b.sql", "SELECT 1;")]), Expect::Loads),
        case(
            "right-to-left and combining characters in the name",
            files(&[("0001_\u{5e9}\u{5dc}\u{5d5}\u{5dd}e\u{301}.sql", "SELECT 1;")]),
            Expect::Loads,
        ),
        case("a newline in the name", files(&[("0001_a\nb.sql", "SELECT 1;")]), Expect::LoadsOrFails),
        case(
            "a file name of 255 bytes",
            files(&[(&format!("0001_{}.sql", "n".repeat(246)), "SELECT 1;")]),
            Expect::Loads,
        ),
        #[cfg(unix)]
        case(
            "a file name that is not UTF-8",
            Box::new(|sandbox| {
                use std::os::unix::ffi::OsStrExt;
                put(&sandbox.dir, "0001_a.sql", "SELECT 1;");
                let name = std::ffi::OsStr::from_bytes(b"0002_caf\xe9.sql");
                fs::write(sandbox.dir.join(name), "SELECT 2;").expect("write");
                sandbox.dir.clone()
            }),
            fails(None, "is not valid UTF-8"),
        ),
    ]);
}

/// Large and deeply nested input: it loads or fails without panicking (no recursion to
/// overflow the stack) and in bounded time.
#[test]
fn large_and_deep_input() {
    const TEN_MB: usize = 10 * 1024 * 1024;
    let line = "INSERT INTO t VALUES (1, 'abc; -- not a comment', \"q\");\n";
    let lines = TEN_MB / line.len() + 1;
    let big = format!("CREATE TABLE t(a, b, q);\n{}", line.repeat(lines));
    let big_open = format!("{big}INSERT INTO t VALUES (2, 'never closed);\n");
    let nested = format!("{}{}\nSELECT 1;", "/* ".repeat(10_000), "*/ ".repeat(10_000));
    let nested_open = format!("{}{}\nSELECT 1;", "/* ".repeat(10_000), "*/ ".repeat(9_999));
    let parens = format!("SELECT {}1{};", "(".repeat(100_000), ")".repeat(100_000));
    let parens_open = format!("SELECT {}1{};", "(".repeat(100_000), ")".repeat(99_999));
    let blocks = format!("CREATE PROCEDURE p()\n{}SELECT 1;\n{}", "BEGIN\n".repeat(5_000), "END;\n".repeat(5_000));
    let one_line = format!("SELECT {};", "1 + ".repeat(250_000) + "1");
    let many: Vec<(String, String)> = (1..=2_000)
        .map(|v| {
            let depends = if v > 1 { format!("-- strata:depends-on {}\n", v - 1) } else { String::new() };
            (format!("{v:05}_m{v}.sql"), format!("{depends}CREATE TABLE t{v}(x);"))
        })
        .collect();
    let many: Vec<(&str, &str)> = many.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let unterminated_line = u32::try_from(lines + 2).expect("line");
    run_all(vec![
        case("10 MB of valid SQL", files(&[("0001_big.sql", &big)]), Expect::Loads),
        case(
            "10 MB of valid SQL then an unterminated string",
            files(&[("0001_big.sql", &big_open)]),
            fails_at("0001_big.sql", "unterminated string", unterminated_line),
        ),
        case("10,000-deep nested comments (postgres)", files(&[("0001_a.sql", &nested)]), Expect::Loads)
            .dialect(Dialect::Postgres),
        case(
            "10,000-deep nested comments, one `*/` short (postgres)",
            files(&[("0001_a.sql", &nested_open)]),
            fails_at("0001_a.sql", "unterminated `/*` comment", 1),
        )
        .dialect(Dialect::Postgres),
        // SQLite's comments do not nest: the first `*/` closes, the rest is text.
        case("10,000-deep nested comments (sqlite)", files(&[("0001_a.sql", &nested)]), Expect::LoadsOrFails),
        case("10,000-deep nested comments (mysql)", files(&[("0001_a.sql", &nested)]), Expect::LoadsOrFails)
            .dialect(Dialect::Mysql),
        case("100,000-deep parentheses", files(&[("0001_a.sql", &parens)]), Expect::Loads),
        case(
            "100,000-deep parentheses, one `)` short",
            files(&[("0001_a.sql", &parens_open)]),
            fails_at("0001_a.sql", "unclosed parenthesis `(`", 1),
        ),
        case("5,000-deep BEGIN blocks in a stored procedure (mysql)", files(&[("0001_a.sql", &blocks)]), Expect::Loads)
            .dialect(Dialect::Mysql),
        case("a 1 MB line", files(&[("0001_a.sql", &one_line)]), Expect::Loads),
        case("2,000 migrations in a dependency chain", files(&many), Expect::Loads),
    ]);
}

/// `strata.lock` in every wrong shape: one problem naming it, the folder still checked.
#[test]
fn lock_files() {
    let users = "CREATE TABLE users (id INTEGER PRIMARY KEY);\n";
    let orders = "CREATE TABLE orders (id INTEGER PRIMARY KEY);\n";
    let (users_sum, orders_sum) = (checksum_of(users), checksum_of(orders));
    let digest = checksum_of("digest");
    let header = "# Written by `strata lock`.\n";
    let lock = |body: &str| format!("{header}{body}");
    let valid = lock(&format!("0001 0001_users {users_sum}\n0002 0002_orders {orders_sum}\ndigest {digest}\n"));
    let migrations = |lock_text: String| -> Setup {
        files(&[("0001_users.sql", users), ("0002_orders.sql", orders), ("strata.lock", &lock_text)])
    };
    run_all(vec![
        case("a valid lock (control)", migrations(valid.clone()), Expect::Loads),
        case(
            "checksum cut short",
            migrations(lock(&format!("0001 0001_users {}\ndigest {digest}\n", &users_sum[..27]))),
            fails_at("strata.lock", "is not a checksum", 2),
        ),
        case(
            "a locked migration changed",
            migrations(lock(&format!("0001 0001_users {users_sum}\n0002 0002_orders {users_sum}\ndigest {digest}\n"))),
            fails(Some("0002_orders.sql"), "was changed after it was locked"),
        ),
        case(
            "a locked migration removed",
            migrations(lock(&format!(
                "0001 0001_users {users_sum}\n0002 0002_orders {orders_sum}\n0003 0003_gone {orders_sum}\ndigest {digest}\n"
            ))),
            fails_at("strata.lock", "`0003_gone` was locked but is no longer in the folder", 4),
        ),
        case(
            "binary garbage",
            bytes(&[
                ("0001_users.sql", users.as_bytes()),
                ("strata.lock", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xfe\x00"),
            ]),
            fails(Some("strata.lock"), "is not valid UTF-8"),
        ),
        case(
            "text garbage",
            migrations("hello world how are you\n".to_owned()),
            fails_at("strata.lock", "`hello` is not a migration version", 1),
        ),
        case(
            "control characters and NULs",
            migrations("\0\0\0\u{1}\u{7f}\n".to_owned()),
            fails(Some("strata.lock"), "is not `<version> <migration> <checksum>`"),
        ),
        case(
            "merge conflict markers",
            migrations(lock(&format!(
                "0001 0001_users {users_sum}\n<<<<<<< ours\n0002 0002_orders {orders_sum}\n=======\n>>>>>>> theirs\ndigest {digest}\n"
            ))),
            fails_at("strata.lock", "has merge conflict markers", 3),
        ),
        case("empty", migrations(String::new()), fails(Some("strata.lock"), "has no digest line")),
        case(
            "two digest lines",
            migrations(format!("{valid}digest {digest}\n")),
            fails(Some("strata.lock"), "has a second digest line"),
        ),
        case(
            "a migration after the digest line",
            migrations(lock(&format!("digest {digest}\n0001 0001_users {users_sum}\n"))),
            fails(Some("strata.lock"), "comes after the digest line"),
        ),
        case(
            "a version locked twice",
            migrations(lock(&format!("0001 0001_users {users_sum}\n1 0001_users {users_sum}\ndigest {digest}\n"))),
            fails(Some("strata.lock"), "is locked twice"),
        ),
        case(
            "a lock that is a directory",
            files(&[("0001_users.sql", users), ("strata.lock/x", "")]),
            fails(Some("strata.lock"), "cannot read `strata.lock`"),
        ),
        case("garbage lock with the lock ignored", migrations("hello world how are you\n".to_owned()), Expect::Loads)
            .ignore_lock(),
        case(
            "a bad lock beside a bad migration: both reported",
            files(&[("0001_users.sql", "SELECT 'open;"), ("strata.lock", "hello world how are you\n")]),
            fails_all(&[
                (Some("0001_users.sql"), "unterminated string"),
                (Some("strata.lock"), "is not a migration version"),
            ]),
        ),
    ]);
}

impl Case {
    fn ignore_lock(mut self) -> Self {
        self.options.ignore_lock = true;
        self
    }
}

#[cfg(unix)]
fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) {
    std::os::unix::fs::symlink(target, link).expect("symlink");
}

/// Symlinks in every shape: one that leads out of the folder is refused with a problem naming it,
/// and nothing is read through it; one inside the folder is followed.
#[cfg(unix)]
#[test]
fn symlinks() {
    run_all(vec![
        case(
            "an up script that is a symlink to a file outside the folder",
            Box::new(|sandbox| {
                symlink(&sandbox.outside_file, sandbox.dir.join("0001_a.sql"));
                sandbox.dir.clone()
            }),
            fails(Some("0001_a.sql"), "is a symbolic link that leads outside the migrations folder"),
        ),
        case(
            "a relative symlink (`../outside/secret.sql`)",
            Box::new(|sandbox| {
                symlink("../outside/secret.sql", sandbox.dir.join("0001_a.sql"));
                sandbox.dir.clone()
            }),
            fails(Some("0001_a.sql"), "is a symbolic link that leads outside the migrations folder"),
        ),
        case(
            "a migration folder that is a symlink to a folder outside",
            Box::new(|sandbox| {
                symlink(&sandbox.outside_dir, sandbox.dir.join("0001_a"));
                sandbox.dir.clone()
            }),
            fails(Some("0001_a"), "is a symbolic link that leads outside the migrations folder"),
        ),
        case(
            "a misnamed symlink to a file outside (read as an unplaced script)",
            Box::new(|sandbox| {
                put(&sandbox.dir, "0001_a.sql", "SELECT 1;");
                symlink(&sandbox.outside_file, sandbox.dir.join("init.sql"));
                sandbox.dir.clone()
            }),
            fails(Some("init.sql"), "matches no migration layout"),
        ),
        case(
            "strata.lock that is a symlink to a file outside",
            Box::new(|sandbox| {
                put(&sandbox.dir, "0001_a.sql", "SELECT 1;");
                symlink(&sandbox.outside_file, sandbox.dir.join("strata.lock"));
                sandbox.dir.clone()
            }),
            fails(Some("strata.lock"), "is a symbolic link that leads outside the migrations folder"),
        ),
        case(
            "an up script that is a symlink to /dev/null",
            Box::new(|sandbox| {
                symlink("/dev/null", sandbox.dir.join("0001_a.sql"));
                sandbox.dir.clone()
            }),
            fails(Some("0001_a.sql"), "is a symbolic link that leads outside the migrations folder"),
        ),
        case(
            "a symlink inside the folder, to a sibling (control: allowed)",
            Box::new(|sandbox| {
                put(&sandbox.dir, "shared/a.txt", "CREATE TABLE a(x);");
                symlink("shared/a.txt", sandbox.dir.join("0001_a.sql"));
                sandbox.dir.clone()
            }),
            Expect::Loads,
        ),
        case(
            "a symlink loop (a -> b -> a)",
            Box::new(|sandbox| {
                symlink("0002_b.sql", sandbox.dir.join("0001_a.sql"));
                symlink("0001_a.sql", sandbox.dir.join("0002_b.sql"));
                sandbox.dir.clone()
            }),
            fails_all(&[
                (Some("0001_a.sql"), "cannot read `0001_a.sql`"),
                (Some("0002_b.sql"), "cannot read `0002_b.sql`"),
            ]),
        ),
        case(
            "a symlink to itself",
            Box::new(|sandbox| {
                symlink("0001_a.sql", sandbox.dir.join("0001_a.sql"));
                sandbox.dir.clone()
            }),
            fails(Some("0001_a.sql"), "cannot read `0001_a.sql`"),
        ),
        case(
            "a migration folder that is a symlink to the migrations folder itself",
            Box::new(|sandbox| {
                put(&sandbox.dir, "0002_b/up.sql", "SELECT 1;");
                symlink(".", sandbox.dir.join("0001_a"));
                sandbox.dir.clone()
            }),
            fails(Some("0001_a/"), "has neither `up.sql` nor `down.sql`"),
        ),
        case(
            "a migration folder that is a symlink to its parent",
            Box::new(|sandbox| {
                put(&sandbox.dir, "0002_b/up.sql", "SELECT 1;");
                symlink("..", sandbox.dir.join("0001_a"));
                sandbox.dir.clone()
            }),
            fails(Some("0001_a"), "is a symbolic link that leads outside the migrations folder"),
        ),
        case(
            "a dangling symlink",
            Box::new(|sandbox| {
                symlink("nowhere.sql", sandbox.dir.join("0001_a.sql"));
                sandbox.dir.clone()
            }),
            fails(Some("0001_a.sql"), "cannot read `0001_a.sql`"),
        ),
        case(
            "a dangling symlink as a down script",
            Box::new(|sandbox| {
                put(&sandbox.dir, "0001_a.sql", "SELECT 1;");
                symlink("nowhere.sql", sandbox.dir.join("0001_a.down.sql"));
                sandbox.dir.clone()
            }),
            fails(Some("0001_a.down.sql"), "cannot read `0001_a.down.sql`"),
        ),
        case(
            "the migrations folder itself is a symlink (allowed)",
            Box::new(|sandbox| {
                put(&sandbox.dir, "0001_a.sql", "SELECT 1;");
                let link = sandbox.root.path().join("linked");
                symlink(&sandbox.dir, &link);
                link
            }),
            Expect::LoadsOrFails,
        ),
    ]);
}

/// Whether the process can read a file its permissions forbid (root, or a capability): then
/// `chmod 000` proves nothing.
#[cfg(unix)]
fn permissions_are_bypassed() -> bool {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let probe = dir.path().join("probe");
    fs::write(&probe, "x").expect("probe");
    fs::set_permissions(&probe, fs::Permissions::from_mode(0o000)).expect("chmod");
    fs::read(&probe).is_ok()
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Files and folders the process may not read (`chmod 000`).
#[cfg(unix)]
#[test]
fn unreadable_files_and_folders() {
    if permissions_are_bypassed() {
        println!(
            "note: skipped: this process reads files whatever their permissions (it runs as root), so `chmod 000` cannot make one unreadable"
        );
        return;
    }
    // `Sandbox`'s `Drop` gives the permissions back, so that the temp dirs can be deleted.
    run_all(vec![
        case(
            "an unreadable up script",
            Box::new(|sandbox| {
                put(&sandbox.dir, "0001_a.sql", "SELECT 1;");
                chmod(&sandbox.dir.join("0001_a.sql"), 0o000);
                sandbox.dir.clone()
            }),
            fails(Some("0001_a.sql"), "cannot read `0001_a.sql`"),
        ),
        case(
            "an unreadable strata.lock",
            Box::new(|sandbox| {
                put(&sandbox.dir, "0001_a.sql", "SELECT 1;");
                put(&sandbox.dir, "strata.lock", "digest x\n");
                chmod(&sandbox.dir.join("strata.lock"), 0o000);
                sandbox.dir.clone()
            }),
            fails(Some("strata.lock"), "cannot read `strata.lock`"),
        ),
        case(
            "an unlistable migration folder",
            Box::new(|sandbox| {
                put(&sandbox.dir, "0001_a/up.sql", "SELECT 1;");
                chmod(&sandbox.dir.join("0001_a"), 0o000);
                sandbox.dir.clone()
            }),
            fails(None, "cannot list `0001_a/`"),
        ),
    ]);
}

/// A FIFO named like a migration: reading it blocks until something writes to it. The loader
/// must not wait forever (it has no business reading anything but regular files).
#[cfg(unix)]
#[test]
fn a_fifo_named_like_a_migration_does_not_block_the_loader() {
    let sandbox = sandbox();
    let fifo = sandbox.dir.join("0001_a.sql");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|status| status.success()) {
        println!("note: skipped: `mkfifo` is not available");
        return;
    }
    let (sender, receiver) = std::sync::mpsc::channel();
    let dir = sandbox.dir.clone();
    std::thread::spawn(move || {
        let loaded = load(&dir, "migrations", &LoadOptions::default());
        let _ = sender.send(loaded.problems.iter().map(ToString::to_string).collect::<Vec<_>>());
    });
    let outcome = receiver.recv_timeout(Duration::from_secs(5));
    if outcome.is_err() {
        // Unblock the reader (it sees end of file) so that the thread ends with the test.
        drop(fs::OpenOptions::new().write(true).open(&fifo));
    }
    let problems = outcome.expect("load still blocked on the FIFO after 5 s");
    assert!(problems.iter().any(|p| p.contains("0001_a.sql")), "{problems:?}");
}

/// Every symlink that leads out of the folder is refused with a problem naming it, and nothing is
/// read through it.
#[cfg(unix)]
#[test]
fn symlinks_out_of_the_folder_are_refused() {
    // What the link is, its name, how to make it.
    type Shape = (&'static str, &'static str, fn(&Sandbox));
    let shapes: [Shape; 5] = [
        ("up script", "0001_a.sql", |s| symlink(&s.outside_file, s.dir.join("0001_a.sql"))),
        ("migration folder", "0001_a", |s| symlink(&s.outside_dir, s.dir.join("0001_a"))),
        ("misnamed script", "init.sql", |s| {
            put(&s.dir, "0001_a.sql", "SELECT 1;");
            symlink(&s.outside_file, s.dir.join("init.sql"));
        }),
        ("lock file", "strata.lock", |s| {
            put(&s.dir, "0001_a.sql", "SELECT 1;");
            symlink(s.outside_file.with_file_name("strata.lock"), s.dir.join("strata.lock"));
        }),
        ("device", "0001_a.sql", |s| symlink("/dev/null", s.dir.join("0001_a.sql"))),
    ];
    let mut failures = Vec::new();
    for (shape, link, setup) in shapes {
        let sandbox = sandbox();
        setup(&sandbox);
        let loaded = load(&sandbox.dir, "migrations", &LoadOptions::default());
        let names_link =
            loaded.problems.iter().any(|p| p.file.as_deref().is_some_and(|f| f.trim_end_matches('/') == link));
        let outside = read_outside(&sandbox, &loaded);
        let leaked = texts(&loaded).iter().any(|text| text.contains(SECRET));
        if !names_link || !outside.is_empty() || leaked {
            failures.push(format!(
                "{shape} `{link}`: refused with a problem: {names_link}; read outside: {outside:?}; secret in a script: {leaked}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What is read outside the folder can reach a message: a symlinked `strata.lock` shows its first
/// word, a symlinked script its directives.
#[cfg(unix)]
#[test]
fn text_outside_the_folder_never_reaches_a_message() {
    let mut shown = Vec::new();
    let lock = sandbox();
    put(&lock.dir, "0001_a.sql", "SELECT 1;");
    symlink(lock.outside_file.with_file_name("strata.lock"), lock.dir.join("strata.lock"));
    shown.extend(load(&lock.dir, "migrations", &LoadOptions::default()).problems.iter().map(ToString::to_string));
    let script = sandbox();
    fs::write(&script.outside_file, format!("-- strata:{SECRET}\nSELECT 1;\n")).expect("write");
    symlink(&script.outside_file, script.dir.join("0001_a.sql"));
    shown.extend(load(&script.dir, "migrations", &LoadOptions::default()).problems.iter().map(ToString::to_string));
    let leaks: Vec<&String> = shown.iter().filter(|message| message.contains(SECRET)).collect();
    assert!(leaks.is_empty(), "{leaks:#?}");
}

/// A folder that loads has a lock (`LockFile::of`, what `strata lock` writes) that loads back
/// beside it; a name that would break its line in two (a control character) does not load.
#[test]
fn a_loadable_folder_locks_and_loads_back() {
    let mut failures = Vec::new();
    for name in ["0001_a b.sql", "0001_ä.sql", "0001_a\nb.sql", "0001_a\rb.sql", "0001_a\tb.sql"] {
        let sandbox = sandbox();
        put(&sandbox.dir, name, "SELECT 1;");
        let set = match load_dir(&sandbox.dir, "migrations", &LoadOptions::default()) {
            Ok(set) => set,
            Err(problems) if name.contains(char::is_control) => {
                if !problems.to_string().contains("has a control character in it") {
                    failures.push(format!("{name:?}: {problems}"));
                }
                continue;
            }
            Err(problems) => {
                failures.push(format!("{name:?} does not load: {problems}"));
                continue;
            }
        };
        put(&sandbox.dir, strata_core::LOCK_FILE, strata_core::LockFile::of(&set).render());
        if let Err(problems) = load_dir(&sandbox.dir, "migrations", &LoadOptions::default()) {
            failures.push(format!("{name:?}: {problems}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A script of white space that databases do not skip (a no-break space, U+000B, U+0085, an
/// ideographic space) looks blank but would be sent as a statement: it is reported where it is.
#[test]
fn a_script_of_unicode_white_space_is_reported() {
    for blank in ["\u{a0}", "\u{b}", "\u{85}\n", "\u{3000};"] {
        for file in ["0001_a.down.sql", "0001_a.sql"] {
            let sandbox = sandbox();
            put(&sandbox.dir, "0001_a.sql", "CREATE TABLE a(x);");
            put(&sandbox.dir, file, blank);
            let problems = load_dir(&sandbox.dir, "migrations", &LoadOptions::default()).expect_err(file);
            let problem = problems.iter().next().unwrap();
            assert_eq!(problem.file.as_deref(), Some(file), "{blank:?}");
            assert!(problem.message.contains("is only white space"), "{blank:?}: {problem:?}");
        }
    }
}
