//! Loading a folder: the stages in order, every problem collected.

use crate::assemble::assemble;
use crate::checksum::set_digest;
use crate::dialect::Dialect;
use crate::discover::{Discovered, IgnoreList, discover};
use crate::files::{FileRef, read_text};
use crate::lockfile::{LOCK_FILE, LockFile};
use crate::model::MigrationSet;
use crate::order::order;
use crate::problem::{Problem, Problems};
use std::path::{Path, PathBuf};

/// How to read a migrations folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// The dialect the scripts are written in; it decides how they are split.
    pub dialect: Dialect,
    /// Glob patterns (`data_*.sql`) of `.sql` files that are not migrations.
    pub ignore: Vec<String>,
    /// Do not read the folder's [`LOCK_FILE`], nor check the migrations against it: what
    /// `strata lock` does to write a new one.
    pub ignore_lock: bool,
}

/// Discovers, reads, checks and orders the migrations in `dir`, and checks them against the
/// folder's lock file ([`LOCK_FILE`]) when it has one.
///
/// `shown_as` is how messages name the folder (the path as the user wrote it), so that no
/// message holds an absolute path.
///
/// # Errors
///
/// Every problem in the folder, not only the first: see [`Problems`].
///
/// ```
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("0001_init.sql"), "CREATE TABLE a(x);")?;
/// std::fs::write(dir.path().join("0002_more.sql"), "-- strata:depends-on 1\nCREATE TABLE b(y);")?;
/// let set = strata_core::load_dir(dir.path(), "migrations", &Default::default())?;
/// assert_eq!(set.migrations.len(), 2);
/// assert_eq!(set.migrations[1].depends_on, [1]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_dir(dir: &Path, shown_as: &str, options: &LoadOptions) -> Result<MigrationSet, Problems> {
    let loaded = load(dir, shown_as, options);
    match loaded.set {
        Some(set) if loaded.problems.is_empty() => Ok(set),
        _ => Err(Problems::new(shown_as, loaded.problems)),
    }
}

/// A folder read as far as it goes: what the macro checks further (the dry run) so
/// that one build shows every problem.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The migrations that could be read, in application order; `None` when there is no order
    /// to decide (no folder, or a dependency cycle).
    pub set: Option<MigrationSet>,
    /// Every problem found, stage by stage.
    pub problems: Vec<Problem>,
    /// The versions of migrations in `set` that have problems of their own: the dry run does not
    /// run them, and treats what fails for want of them as a consequence.
    pub broken: Vec<i64>,
    /// The text of scripts that could not be placed in `set` (misnamed, duplicate versions).
    pub unplaced: Vec<String>,
}

/// Discovers, reads, checks and orders the migrations in `dir`, keeping every migration that
/// could be read beside every problem. [`load_dir`] is this with an all-or-nothing result.
///
/// When the folder holds a lock file ([`LOCK_FILE`], unless `options.ignore_lock`), it is read
/// (and added to the set's `files_read`) and the migrations are checked against it: see
/// [`LockFile`]. A lock that does not parse is one more problem; the folder is checked all the
/// same.
pub fn load(dir: &Path, shown_as: &str, options: &LoadOptions) -> Loaded {
    let refuse = |problem: Problem| Loaded { problems: vec![problem], ..Loaded::default() };
    if !dir.exists() {
        return refuse(
            Problem::new(format!("migrations folder `{shown_as}` does not exist")).help("create it, or fix the path"),
        );
    }
    if !dir.is_dir() {
        return refuse(
            Problem::new(format!("`{shown_as}` is a file, not a migrations folder"))
                .help("name the folder that holds the migrations"),
        );
    }
    let ignore = match IgnoreList::new(&options.ignore) {
        Ok(ignore) => ignore,
        Err(problems) => return Loaded { problems, ..Loaded::default() },
    };
    let Discovered { candidates, mut problems, unplaced } = discover(dir, &ignore);
    if candidates.is_empty() && problems.is_empty() {
        return refuse(
            Problem::new(format!("migrations folder `{shown_as}` holds no migration"))
                .help("add a migration such as `0001_init.sql`; `.sql` files that match no layout are reported, other files are ignored"),
        );
    }
    let mut files_read = Vec::new();
    let unplaced = unplaced.iter().filter_map(|file| read_text(file, &mut files_read, &mut Vec::new())).collect();
    // Versions in the folder: a locked migration whose script cannot be read is not gone.
    let in_folder: Vec<i64> = candidates.iter().map(|candidate| candidate.version.number).collect();
    let mut assembled = Vec::with_capacity(candidates.len());
    let mut broken = Vec::new();
    for candidate in candidates {
        let version = candidate.version.number;
        let (item, found) = assemble(candidate, options.dialect, &mut files_read);
        if !found.is_empty() {
            broken.push(version);
        }
        assembled.extend(item);
        problems.extend(found);
    }
    // Checked before ordering, which a dependency cycle leaves with no migrations.
    let lock = if options.ignore_lock { None } else { read_lock(dir, &mut files_read) };
    let lock_problems = match lock {
        None => Vec::new(),
        Some(Err(problem)) => vec![problem],
        Some(Ok(lock)) => lock.check_in_folder(assembled.iter().map(|item| &item.migration), &in_folder),
    };
    // Dependencies are checked even when files had problems, so one build shows them all.
    let ordered = order(assembled);
    problems.extend(ordered.problems);
    problems.extend(lock_problems);
    broken.extend(ordered.broken);
    let set = ordered.migrations.map(|migrations| {
        let digest = set_digest(migrations.iter().map(|m| (m.version.number, m.checksum.as_str())));
        MigrationSet { migrations, digest, dialect: options.dialect, files_read, folder: shown_as.to_owned() }
    });
    Loaded { set, problems, broken, unplaced }
}

/// The folder's lock file, read (and added to `files_read`) and parsed, when it has one.
fn read_lock(dir: &Path, files_read: &mut Vec<PathBuf>) -> Option<Result<LockFile, Problem>> {
    let path = dir.join(LOCK_FILE);
    if !path.exists() {
        return None;
    }
    let mut problems = Vec::new();
    match read_text(&FileRef { relative: LOCK_FILE.to_owned(), path }, files_read, &mut problems) {
        Some(text) => Some(LockFile::parse(&text, LOCK_FILE)),
        None => problems.into_iter().next().map(Err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn load(files: &[(&str, &[u8])]) -> Result<MigrationSet, Problems> {
        let dir = tempfile::tempdir().expect("temp dir");
        for (file, bytes) in files {
            let path = dir.path().join(file);
            fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            fs::write(path, bytes).expect("write");
        }
        load_dir(dir.path(), "migrations", &LoadOptions::default())
    }

    #[test]
    fn a_folder_becomes_ordered_checksummed_statements() {
        let set = load(&[
            ("0002_b.sql", b"-- strata:depends-on 3\nCREATE TABLE b(x);\nINSERT INTO b VALUES (1);"),
            ("0001_a.sql", b"CREATE TABLE a(x);"),
            ("0003_c.sql", b"-- strata:backward-compatible\nCREATE TABLE c(x);"),
            ("0003_c.down.sql", b"DROP TABLE c;"),
        ])
        .expect("valid");
        let order: Vec<i64> = set.migrations.iter().map(|m| m.version.number).collect();
        assert_eq!(order, [1, 3, 2]);
        let b = &set.migrations[2];
        assert_eq!(b.depends_on, [3]);
        assert_eq!(b.up.statements.len(), 2);
        assert_eq!(crate::Position::of(&b.up.statements[1]), crate::Position::new(3, 1));
        assert!(set.migrations[1].has(crate::Flags::BACKWARD_COMPATIBLE) && set.migrations[1].down.is_some());
        assert_eq!(set.files_read.len(), 4);
        assert_eq!(
            set.digest,
            crate::set_digest(set.migrations.iter().map(|m| (m.version.number, m.checksum.as_str())))
        );
    }

    #[test]
    fn each_layout_writes_its_version_at_the_start_of_the_id() {
        let written = |files: &[(&str, &[u8])]| {
            let set = load(files).expect("valid");
            set.migrations.iter().map(|m| m.written_version().to_owned()).collect::<Vec<_>>()
        };
        assert_eq!(
            written(&[("0001_a.sql", b"SELECT 1;"), ("20240131120000_b.up.sql", b"SELECT 1;")]),
            ["0001", "20240131120000"]
        );
        assert_eq!(written(&[("V007__users.sql", b"SELECT 1;")]), ["V007"]);
        assert_eq!(written(&[("2024-03-13_170000_add_x/up.sql", b"SELECT 1;")]), ["2024-03-13"]);
        assert_eq!(written(&[("01-friend_car/up.sql", b"SELECT 1;")]), ["01"]);
    }

    #[test]
    fn crlf_and_lf_copies_have_one_checksum() {
        let lf = load(&[("0001_a.sql", b"CREATE TABLE a(x);\nCREATE TABLE b(y);\n")]).expect("valid");
        let crlf = load(&[("0001_a.sql", b"\xef\xbb\xbfCREATE TABLE a(x);\r\nCREATE TABLE b(y);\r\n")]).expect("valid");
        assert_eq!(lf.migrations[0].checksum, crlf.migrations[0].checksum);
        assert_eq!(lf.digest, crlf.digest);
    }

    #[test]
    fn every_problem_of_every_stage_is_reported() {
        let problems = load(&[
            ("0001_a.sql", b"SELECT 'open;"),
            ("0002_b.sql", b"-- strata:depends-on 0009_zzz\nSELECT 1;"),
            ("0003_c.sql", b"-- strata:nope\nSELECT 1;"),
            ("0004_d.sql", b"-- strata:irreversible\nSELECT 1;"),
            ("0004_d.down.sql", b"SELECT 2;"),
            ("0005_e.sql", b"SELECT 1; -- caf\xe9"),
        ])
        .expect_err("invalid");
        let files: Vec<&str> = problems.iter().filter_map(|p| p.file.as_deref()).collect();
        assert_eq!(files, ["0001_a.sql", "0003_c.sql", "0004_d.sql", "0005_e.sql", "0002_b.sql"]);
    }

    #[test]
    fn a_script_wrapped_in_its_own_transaction_runs_in_strata_s() {
        // zero-to-production's `BEGIN; … COMMIT;`, written for sqlx, which runs no transaction
        // the script can see.
        let wrapped =
            b"-- wrap it\nBEGIN;\n    UPDATE s SET x = 1;\n    ALTER TABLE s ALTER COLUMN x SET NOT NULL;\nCOMMIT;\n";
        let set = load(&[("0001_a.sql", wrapped)]).expect("valid");
        let sql: Vec<&str> = set.migrations[0].up.statements.iter().map(|statement| statement.sql()).collect();
        assert_eq!(sql, ["UPDATE s SET x = 1", "ALTER TABLE s ALTER COLUMN x SET NOT NULL"]);
        assert_eq!(set.migrations[0].up.statements[0].line(), 3, "the file's own line numbers");
        let sqlite =
            load(&[("0001_a.sql", b"BEGIN IMMEDIATE TRANSACTION; SELECT 1; END TRANSACTION;")]).expect("valid");
        assert_eq!(sqlite.migrations[0].up.statements.len(), 1);
        // A `BEGIN` asking for more than strata's, a `COMMIT` mid-way, or a migration that runs
        // outside a transaction keep theirs.
        for refused in
            [&b"BEGIN ISOLATION LEVEL SERIALIZABLE; SELECT 1; COMMIT;"[..], b"BEGIN; SELECT 1; COMMIT; SELECT 2;"]
        {
            assert!(load(&[("0001_a.sql", refused)]).is_err(), "{}", String::from_utf8_lossy(refused));
        }
        let own = load(&[("0001_a.sql", b"-- strata:no-transaction\nBEGIN; SELECT 1; COMMIT;")]).expect("valid");
        assert_eq!(own.migrations[0].up.statements.len(), 3);
    }

    #[test]
    fn empty_and_comment_only_down_scripts_are_none() {
        let set =
            load(&[("0001_a.sql", b"SELECT 1;"), ("0001_a.down.sql", b"-- nothing\n/* really */\n")]).expect("valid");
        assert!(set.migrations[0].down.is_none());
    }

    #[test]
    fn folder_problems_have_no_file() {
        let missing =
            load_dir(Path::new("/definitely/not/here"), "nowhere", &LoadOptions::default()).expect_err("missing");
        assert_eq!(
            missing.to_string(),
            "migrations folder `nowhere` does not exist\n  help: create it, or fix the path"
        );
        let empty = load(&[("README.md", b"hi")]).expect_err("empty");
        assert!(empty.to_string().starts_with("migrations folder `migrations` holds no migration"));
    }
}
