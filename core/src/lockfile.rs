//! The lock file, `strata.lock`: the migrations released so far, pinned by checksum, so that the
//! build fails when one of them is edited or removed.
//!
//! `strata lock` writes it inside the migrations folder, beside the migrations, and it is
//! committed with them. Loading a folder that holds one ([`load`](crate::load), and so
//! `embed_migrations!` and `Migrations::from_dir`) checks the folder against it; discovery
//! ignores it as it ignores every file that does not end in `.sql`.
//!
//! # Format
//!
//! UTF-8 text, one line per migration, so that locking a new migration is a diff of one added
//! line (and the digest line):
//!
//! ```text
//! # Written by `strata lock`: commit it with the migrations. Locked migrations must not change.
//! # <version> <migration> <checksum of its up script>, in application order, then the set's digest.
//! 0001 0001_init sha256:5f7c…
//! 0002 0002_add_users sha256:9a0e…
//! 0003 0003_add_orders sha256:c41d…
//! digest sha256:07b2…
//! ```
//!
//! - Blank lines and lines that start with `#` are comments.
//! - A migration line is three fields separated by spaces: the version as written in the
//!   migration's name (`0001`, diesel's `2024-01-31-120000`, refinery's `1`, rusqlite_migration's
//!   `01`); the migration as the user wrote it, what every message calls it
//!   ([`MigrationDef::id`]: `0001_init`, `2024-01-31-120000_init`, `V1__init`, `01-init`); and
//!   the checksum of its up script ([`checksum`](crate::checksum): `sha256:` and 64 lower-case hex
//!   digits). The migration is everything between the first and the last field, so a name with
//!   spaces reads back whole.
//! - The last line is `digest` and the digest of the whole set ([`MigrationSet::digest`], what
//!   `Migrations::digest` returns at run time).
//! - A byte order mark and CRLF line endings are accepted, as in migrations.
//!
//! A file that does not read this way is one problem, at its first bad line.
//!
//! # What is checked
//!
//! Locked migrations are matched to the folder's by version number, as the tracking table matches
//! them at run time (so renaming a file without editing it is allowed):
//!
//! - a locked migration whose up script's checksum changed is a problem, at its up script;
//! - a locked migration whose version is no longer in the folder is a problem, at its line of
//!   `strata.lock`;
//! - a migration that is not locked is new, and allowed: `strata lock` adds it when it is
//!   released;
//! - the digest is not compared: it changes with every new migration. It shows reviewers that the
//!   set changed, and is the value a deployment can compare with `Migrations::digest`.

use crate::checksum::{CHECKSUM_PREFIX, normalize};
use crate::model::{MigrationDef, MigrationSet};
use crate::problem::{Position, Problem};
use std::collections::HashMap;
use std::fmt::Write;

/// The lock file's name, inside the migrations folder.
pub const LOCK_FILE: &str = "strata.lock";

/// The comment lines [`LockFile::render`] starts the file with.
const HEADER: &str = "\
# Written by `strata lock`: commit it with the migrations. Locked migrations must not change.
# <version> <migration> <checksum of its up script>, in application order, then the set's digest.
";

/// The first field of the digest line.
const DIGEST: &str = "digest";

/// The help of every problem with the file itself.
const REGENERATE: &str = "restore it from version control, or regenerate it with `strata lock`";

/// The lock file, [`LOCK_FILE`] in the migrations folder: the migrations released so far, in
/// application order, and the set's digest. `strata lock` writes it; loading the folder
/// ([`load`](crate::load)) checks the migrations against it.
///
/// ```text
/// # Written by `strata lock`: commit it with the migrations. Locked migrations must not change.
/// # <version> <migration> <checksum of its up script>, in application order, then the set's digest.
/// 0001 0001_init sha256:5f7c…
/// 0002 0002_add_users sha256:9a0e…
/// digest sha256:07b2…
/// ```
///
/// Each migration line holds the version as written, the migration ([`MigrationDef::id`]) and
/// the checksum of its up script; the last line, the set's digest. Blank lines and `#` lines
/// are comments.
///
/// Locked migrations are matched to the folder's by version, as the tracking table matches them.
/// One whose up script changed, or that is no longer in the folder, is a problem; a migration
/// that is not locked is new and allowed; the digest is informational, never compared (it
/// changes with every new migration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockFile {
    /// One entry per locked migration, in application order.
    pub entries: Vec<LockEntry>,
    /// The digest of the whole set when it was locked (see [`set_digest`](crate::set_digest)):
    /// informational, never checked.
    pub digest: String,
}

/// One locked migration: a line of `strata.lock`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockEntry {
    /// The version as written in the migration's name: `0001`, `2024-01-31-120000`.
    pub version: String,
    /// The migration as the user wrote it ([`MigrationDef::id`]): `0001_init`, `V1__init`.
    pub id: String,
    /// `sha256:` and the hex digest of its normalised up script.
    pub checksum: String,
    /// Its line in `strata.lock`, from 1: where it was read, or, in a lock made by
    /// [`LockFile::of`], where [`LockFile::render`] writes it.
    pub line: u32,
}

impl LockEntry {
    /// The version's number, as the folder's versions are numbered (diesel's dashes removed), or
    /// `None` when it is not one.
    pub fn number(&self) -> Option<i64> {
        version_number(&self.version)
    }
}

impl LockFile {
    /// The lock of `set`: every migration, in application order, and the set's digest.
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("0001_init.sql"), "CREATE TABLE a(x);")?;
    /// let set = strata_core::load_dir(dir.path(), "migrations", &Default::default())?;
    /// let lock = strata_core::LockFile::of(&set);
    /// assert_eq!(lock.entries[0].id, "0001_init");
    /// let text = lock.render();
    /// assert!(text.lines().nth(2).is_some_and(|line| line.starts_with("0001 0001_init sha256:")));
    /// assert_eq!(strata_core::LockFile::parse(&text, strata_core::LOCK_FILE), Ok(lock));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn of(set: &MigrationSet) -> LockFile {
        let first_line = line_number(HEADER.lines().count() + 1);
        let entries = set
            .migrations
            .iter()
            .enumerate()
            .map(|(index, migration)| LockEntry {
                version: migration.version.written.clone(),
                id: migration.id.clone(),
                checksum: migration.checksum.clone(),
                line: first_line.saturating_add(line_number(index)),
            })
            .collect();
        LockFile { entries, digest: set.digest.clone() }
    }

    /// The file's text: the header comment, one line per migration, the digest line.
    pub fn render(&self) -> String {
        let mut out = String::from(HEADER);
        for entry in &self.entries {
            // Writing to a String cannot fail.
            let _ = writeln!(out, "{} {} {}", entry.version, entry.id, entry.checksum);
        }
        let _ = writeln!(out, "{DIGEST} {}", self.digest);
        out
    }

    /// Reads the text of a lock file; `file` is how problems name it (relative to the migrations
    /// folder: [`LOCK_FILE`]).
    ///
    /// # Errors
    ///
    /// The first line that does not read (see [`LockFile`] for the format), at its line
    /// and column: a line that is not `<version> <migration> <checksum>`, a version that is not
    /// a number, a checksum that is not `sha256:` and 64 hex digits, a version locked twice, a
    /// migration after the digest line, no digest line or two, merge conflict markers.
    pub fn parse(text: &str, file: &str) -> Result<LockFile, Problem> {
        let text = normalize(text);
        let mut entries: Vec<LockEntry> = Vec::new();
        let mut digest: Option<String> = None;
        for (index, raw) in text.lines().enumerate() {
            let line = line_number(index + 1);
            let problem = |offset: usize, message: String| {
                Problem::in_file(file, message)
                    .at(Position::new(line, Position::of_offset(raw, offset).column))
                    .help(REGENERATE)
            };
            let content = raw.trim();
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            if ["<<<<<<<", "=======", ">>>>>>>", "|||||||"].iter().any(|marker| content.starts_with(marker)) {
                return Err(Problem::in_file(file, format!("`{file}` has merge conflict markers"))
                    .at(Position::new(line, 1))
                    .help("take either side, then run `strata lock` to lock the migrations of both"));
            }
            let fields = fields(raw);
            let (Some(&(first_at, first)), Some(&(last_at, last))) = (fields.first(), fields.last()) else {
                continue;
            };
            if first == DIGEST {
                if fields.len() != 2 {
                    return Err(problem(
                        first_at,
                        format!("the digest line of `{file}` is not `{DIGEST} sha256:<hex>`"),
                    ));
                }
                if digest.is_some() {
                    return Err(problem(first_at, format!("`{file}` has a second digest line")));
                }
                check_checksum(last).map_err(|message| problem(last_at, message))?;
                digest = Some(last.to_owned());
                continue;
            }
            if fields.len() < 3 {
                return Err(problem(
                    first_at,
                    format!("this line of `{file}` is not `<version> <migration> <checksum>`"),
                ));
            }
            if version_number(first).is_none() {
                return Err(problem(first_at, format!("`{first}` is not a migration version")));
            }
            check_checksum(last).map_err(|message| problem(last_at, message))?;
            let id = raw[fields[1].0..last_at].trim_end().to_owned();
            if digest.is_some() {
                return Err(problem(first_at, format!("`{id}` comes after the digest line, which must be last")));
            }
            if let Some(earlier) = entries.iter().find(|entry| entry.number() == version_number(first)) {
                return Err(problem(
                    first_at,
                    format!("version `{first}` is locked twice: `{}` and `{id}`", earlier.id),
                ));
            }
            entries.push(LockEntry { version: first.to_owned(), id, checksum: last.to_owned(), line });
        }
        match digest {
            Some(digest) => Ok(LockFile { entries, digest }),
            None => Err(Problem::in_file(file, format!("`{file}` has no digest line"))
                .at(Position::of_offset(&text, text.len()))
                .help(REGENERATE)),
        }
    }

    /// Checks `migrations` (a folder's, such as [`MigrationSet::migrations`]) against the lock:
    /// a problem for each locked migration whose up script changed (at that script) and for each
    /// one that is gone (at its line of `strata.lock`). Migrations that are not locked are new,
    /// and the digest is not compared: see [`LockFile`].
    pub fn check(&self, migrations: &[MigrationDef]) -> Vec<Problem> {
        self.check_in_folder(migrations, &[])
    }

    /// [`LockFile::check`], where `in_folder` are versions in the folder that are not in
    /// `migrations` (their scripts could not be read, a problem of their own): they are not gone.
    pub(crate) fn check_in_folder<'a>(
        &self,
        migrations: impl IntoIterator<Item = &'a MigrationDef>,
        in_folder: &[i64],
    ) -> Vec<Problem> {
        let by_version: HashMap<i64, &MigrationDef> =
            migrations.into_iter().map(|migration| (migration.version.number, migration)).collect();
        let mut problems = Vec::new();
        for entry in &self.entries {
            let number = entry.number();
            match number.and_then(|number| by_version.get(&number)) {
                Some(migration) if migration.checksum == entry.checksum => {}
                Some(migration) => problems.push(changed(entry, migration)),
                None if number.is_some_and(|number| in_folder.contains(&number)) => {}
                None => problems.push(
                    Problem::in_file(LOCK_FILE, format!("`{}` was locked but is no longer in the folder", entry.id))
                        .at(Position::new(entry.line, 1))
                        .help("restore it: released migrations must not be removed; or, if it was never released, run `strata lock`"),
                ),
            }
        }
        problems
    }
}

fn changed(entry: &LockEntry, migration: &MigrationDef) -> Problem {
    let file = &migration.up.file;
    let renamed = if entry.id == migration.id { String::new() } else { format!(" as `{}`", entry.id) };
    Problem::in_file(
        file.clone(),
        format!("`{file}` was changed after it was locked{renamed}: released migrations must not change"),
    )
    .help("restore it, or, if it was never released, run `strata lock`")
}

/// A written version's number: its digits once dashes are removed, as diesel's versions are
/// numbered.
fn version_number(written: &str) -> Option<i64> {
    let digits: String = written.chars().filter(|&c| c != '-').collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Why `text` is not a checksum strata writes, if it is not.
fn check_checksum(text: &str) -> Result<(), String> {
    let hex = text.strip_prefix(CHECKSUM_PREFIX).unwrap_or("");
    if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        Ok(())
    } else {
        Err(format!("`{text}` is not a checksum: expected `{CHECKSUM_PREFIX}` and 64 lower-case hex digits"))
    }
}

/// The fields of `line` separated by whitespace, each with its byte offset.
fn fields(line: &str) -> Vec<(usize, &str)> {
    let mut fields = Vec::new();
    let mut start = None;
    for (index, ch) in line.char_indices() {
        match (ch.is_whitespace(), start) {
            (true, Some(from)) => {
                fields.push((from, &line[from..index]));
                start = None;
            }
            (false, None) => start = Some(index),
            _ => {}
        }
    }
    if let Some(from) = start {
        fields.push((from, &line[from..]));
    }
    fields
}

fn line_number(count: usize) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LoadOptions, Problems, checksum, load_dir};
    use std::fs;
    use std::path::Path;

    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        write(dir.path(), files);
        dir
    }

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (file, text) in files {
            let path = dir.join(file);
            fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            fs::write(path, text).expect("write");
        }
    }

    fn set_of(dir: &Path) -> MigrationSet {
        load_dir(dir, "migrations", &LoadOptions::default()).unwrap_or_else(|problems| panic!("{problems}"))
    }

    fn problems_of(dir: &Path) -> Problems {
        load_dir(dir, "migrations", &LoadOptions::default()).expect_err("problems")
    }

    const FLAT: [(&str, &str); 3] = [
        ("0001_init.sql", "CREATE TABLE a(x);"),
        ("0002_add_users.sql", "CREATE TABLE users(id);"),
        ("0003_add_orders.sql", "CREATE TABLE orders(id);\nCREATE INDEX orders_id ON orders(id);\n"),
    ];

    /// A folder of `files` locked as it is.
    fn locked(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = folder(files);
        let lock = LockFile::of(&set_of(dir.path()));
        fs::write(dir.path().join(LOCK_FILE), lock.render()).expect("write lock");
        dir
    }

    fn hex(c: char) -> String {
        format!("sha256:{}", c.to_string().repeat(64))
    }

    #[test]
    fn renders_one_line_per_migration_and_reads_back() {
        let dir = folder(&FLAT);
        let set = set_of(dir.path());
        let lock = LockFile::of(&set);
        let text = lock.render();
        let expected = format!(
            "{HEADER}0001 0001_init {}\n0002 0002_add_users {}\n0003 0003_add_orders {}\ndigest {}\n",
            checksum("CREATE TABLE a(x);"),
            checksum("CREATE TABLE users(id);"),
            checksum(FLAT[2].1),
            set.digest,
        );
        assert_eq!(text, expected);
        assert_eq!(lock.entries.iter().map(|e| e.line).collect::<Vec<_>>(), [3, 4, 5]);
        assert_eq!(LockFile::parse(&text, LOCK_FILE), Ok(lock.clone()));
        // Windows checkouts, a byte order mark, blank lines and comments read the same.
        let crlf = format!("\u{feff}{}", text.replace('\n', "\r\n"));
        assert_eq!(LockFile::parse(&crlf, LOCK_FILE), Ok(lock.clone()));
        let commented = text.replace("0002 ", "\n  # released in 1.2\n0002 ");
        let reread = LockFile::parse(&commented, LOCK_FILE).expect("valid");
        assert_eq!(reread.entries.iter().map(|e| e.line).collect::<Vec<_>>(), [3, 6, 7]);
    }

    #[test]
    fn diesel_refinery_and_rusqlite_migration_ids_round_trip() {
        for files in [
            &[
                ("2024-01-01-000000_init/up.sql", "CREATE TABLE a(x);"),
                ("2024-02-12-120203-0000_more/up.sql", "SELECT 1;"),
            ][..],
            &[("V1__init.sql", "CREATE TABLE a(x);"), ("U1__undo.sql", "DROP TABLE a;"), ("U2__any.sql", "SELECT 1;")],
            &[("01-init/up.sql", "CREATE TABLE a(x);"), ("02-name with spaces/up.sql", "SELECT 1;")],
        ] {
            let dir = folder(files);
            let lock = LockFile::of(&set_of(dir.path()));
            assert_eq!(LockFile::parse(&lock.render(), LOCK_FILE), Ok(lock.clone()));
            assert!(lock.check(&set_of(dir.path()).migrations).is_empty());
        }
        let dir = folder(&[("2024-01-01-000000_init/up.sql", "SELECT 1;")]);
        let lock = LockFile::of(&set_of(dir.path()));
        assert_eq!(
            (lock.entries[0].version.as_str(), lock.entries[0].id.as_str()),
            ("2024-01-01-000000", "2024-01-01-000000_init")
        );
        assert_eq!(lock.entries[0].number(), Some(20240101000000));
        let dir = folder(&[("V1__init.sql", "SELECT 1;"), ("U2__any.sql", "SELECT 2;")]);
        let ids: Vec<(String, String)> =
            LockFile::of(&set_of(dir.path())).entries.into_iter().map(|e| (e.version, e.id)).collect();
        assert_eq!(ids, [("1".into(), "V1__init".into()), ("2".into(), "U2__any".into())]);
    }

    /// The problem `text` has, as `strata.lock:<line>:<column>: <message>`.
    fn parse_error(text: &str) -> String {
        let problem = LockFile::parse(text, LOCK_FILE).expect_err("invalid");
        assert_eq!(problem.help.as_deref(), Some(REGENERATE), "{problem}");
        problem.to_string()
    }

    #[test]
    fn parse_errors_name_their_line_and_column() {
        let (a, b) = (hex('a'), hex('b'));
        let digest = format!("digest {}", hex('d'));
        assert_eq!(
            parse_error(&format!("# header\n0001 0001_a {a}\n0002 0002_b sha256:abc\n{digest}\n")),
            "strata.lock:3:13: `sha256:abc` is not a checksum: expected `sha256:` and 64 lower-case hex digits"
        );
        assert_eq!(
            parse_error(&format!("0001 0001_a {}\n{digest}\n", hex('A'))),
            format!(
                "strata.lock:1:13: `{}` is not a checksum: expected `sha256:` and 64 lower-case hex digits",
                hex('A')
            )
        );
        assert_eq!(
            parse_error(&format!("0001 0001_a {a}\n\n0002_b {b}\n{digest}\n")),
            "strata.lock:3:1: this line of `strata.lock` is not `<version> <migration> <checksum>`"
        );
        assert_eq!(
            parse_error(&format!("0001 0001_a {a}\n  v2 V2__b {b}\n{digest}\n")),
            "strata.lock:2:3: `v2` is not a migration version"
        );
        assert_eq!(
            parse_error(&format!("0001 0001_a {a}\n1 1_b {b}\n{digest}\n")),
            "strata.lock:2:1: version `1` is locked twice: `0001_a` and `1_b`"
        );
        assert_eq!(
            parse_error(&format!("0001 0001_a {a}\n{digest}\n0002 0002_b {b}\n")),
            "strata.lock:3:1: `0002_b` comes after the digest line, which must be last"
        );
        assert_eq!(
            parse_error(&format!("0001 0001_a {a}\n{digest}\n{digest}\n")),
            "strata.lock:3:1: `strata.lock` has a second digest line"
        );
        assert_eq!(parse_error(&format!("0001 0001_a {a}\n")), "strata.lock:2:1: `strata.lock` has no digest line");
        assert_eq!(parse_error(""), "strata.lock:1:1: `strata.lock` has no digest line");
        assert_eq!(
            parse_error(&format!("{digest} extra\n")),
            "strata.lock:1:1: the digest line of `strata.lock` is not `digest sha256:<hex>`"
        );
        assert_eq!(
            parse_error("digest sha256:short\n"),
            "strata.lock:1:8: `sha256:short` is not a checksum: expected `sha256:` and 64 lower-case hex digits"
        );
        let conflict = LockFile::parse(&format!("0001 0001_a {a}\n<<<<<<< HEAD\n"), LOCK_FILE).expect_err("conflict");
        assert_eq!(conflict.to_string(), "strata.lock:2:1: `strata.lock` has merge conflict markers");
        assert!(conflict.help.is_some_and(|help| help.contains("strata lock")));
    }

    #[test]
    fn a_name_with_spaces_is_the_middle_of_its_line() {
        let lock = LockFile::parse(
            &format!("20240131120000 20240131120000_a b {}\ndigest {}\n", hex('a'), hex('d')),
            LOCK_FILE,
        )
        .expect("valid");
        assert_eq!(lock.entries[0].id, "20240131120000_a b");
    }

    #[test]
    fn an_unchanged_folder_and_new_migrations_pass() {
        let dir = locked(&FLAT[..2]);
        assert_eq!(set_of(dir.path()).migrations.len(), 2);
        // A new migration is not locked yet: allowed, though the digest no longer matches.
        write(dir.path(), &FLAT[2..]);
        let set = set_of(dir.path());
        assert_eq!(set.migrations.len(), 3);
        assert!(set.files_read.iter().any(|path| path.ends_with(LOCK_FILE)));
        let lock =
            LockFile::parse(&fs::read_to_string(dir.path().join(LOCK_FILE)).expect("read"), LOCK_FILE).expect("valid");
        assert_ne!(lock.digest, set.digest);
        assert!(lock.check(&set.migrations).is_empty());
    }

    #[test]
    fn a_changed_migration_is_refused_at_its_up_script() {
        let dir = locked(&FLAT);
        write(dir.path(), &[("0003_add_orders.sql", "CREATE TABLE orders(id, total);")]);
        let problems = problems_of(dir.path());
        assert_eq!(
            problems.to_string(),
            "migrations/0003_add_orders.sql: `0003_add_orders.sql` was changed after it was locked: released migrations must not change\n  help: restore it, or, if it was never released, run `strata lock`"
        );
        // A byte order mark and line endings are not a change.
        write(dir.path(), &[("0003_add_orders.sql", &format!("\u{feff}{}", FLAT[2].1.replace('\n', "\r\n")))]);
        set_of(dir.path());
    }

    #[test]
    fn a_removed_migration_is_refused_at_its_lock_line() {
        let dir = locked(&FLAT);
        fs::remove_file(dir.path().join("0002_add_users.sql")).expect("remove");
        let problems = problems_of(dir.path());
        assert_eq!(
            problems.to_string(),
            "migrations/strata.lock:4:1: `0002_add_users` was locked but is no longer in the folder\n  help: restore it: released migrations must not be removed; or, if it was never released, run `strata lock`"
        );
    }

    #[test]
    fn migrations_are_matched_by_version() {
        let dir = locked(&FLAT);
        // Renamed, unchanged: the tracking table knows it by version, so nothing to report.
        fs::rename(dir.path().join("0002_add_users.sql"), dir.path().join("0002_users.sql")).expect("rename");
        set_of(dir.path());
        // Renamed and changed: named as it was locked.
        write(dir.path(), &[("0002_users.sql", "CREATE TABLE users(id, name);")]);
        assert!(problems_of(dir.path()).to_string().starts_with(
            "migrations/0002_users.sql: `0002_users.sql` was changed after it was locked as `0002_add_users`:"
        ));
        // Renumbered: the locked version is gone.
        fs::rename(dir.path().join("0002_users.sql"), dir.path().join("0004_users.sql")).expect("rename");
        assert!(
            problems_of(dir.path()).to_string().contains("`0002_add_users` was locked but is no longer in the folder")
        );
    }

    #[test]
    fn check_reports_every_locked_migration_in_lock_order() {
        let dir = folder(&FLAT);
        let set = set_of(dir.path());
        let mut lock = LockFile::of(&set);
        lock.entries[0].checksum = hex('0');
        lock.entries[2].version = "0009".into();
        lock.entries[2].id = "0009_gone".into();
        lock.digest = hex('f');
        let problems: Vec<String> = lock.check(&set.migrations).iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            [
                "0001_init.sql: `0001_init.sql` was changed after it was locked: released migrations must not change",
                "strata.lock:5:1: `0009_gone` was locked but is no longer in the folder",
            ]
        );
    }

    #[test]
    fn a_lock_that_does_not_parse_is_one_problem_beside_the_others() {
        let dir = folder(&[("0001_a.sql", "SELECT 'open;"), ("0002_b.sql", "SELECT 1;")]);
        fs::write(dir.path().join(LOCK_FILE), "0001 0001_a nonsense\n").expect("write");
        let problems: Vec<String> = problems_of(dir.path()).iter().map(ToString::to_string).collect();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("0001_a.sql:1:8: unterminated"), "{problems:?}");
        assert!(problems[1].starts_with("strata.lock:1:13: `nonsense` is not a checksum"), "{problems:?}");
    }

    #[test]
    fn an_unreadable_locked_migration_is_not_reported_gone() {
        let dir = locked(&FLAT);
        fs::write(dir.path().join("0002_add_users.sql"), b"SELECT 1; -- caf\xe9").expect("write");
        let problems: Vec<String> = problems_of(dir.path()).iter().map(ToString::to_string).collect();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("is not valid UTF-8"));
    }

    #[test]
    fn ignore_lock_loads_the_folder_as_it_is() {
        let dir = locked(&FLAT);
        write(dir.path(), &[("0001_init.sql", "CREATE TABLE a(y);")]);
        fs::remove_file(dir.path().join("0003_add_orders.sql")).expect("remove");
        assert_eq!(problems_of(dir.path()).len(), 2);
        let options = LoadOptions { ignore_lock: true, ..LoadOptions::default() };
        let set = load_dir(dir.path(), "migrations", &options).expect("lock ignored");
        assert!(!set.files_read.iter().any(|path| path.ends_with(LOCK_FILE)));
        // What `strata lock` then writes passes.
        fs::write(dir.path().join(LOCK_FILE), LockFile::of(&set).render()).expect("write");
        set_of(dir.path());
    }
}
