//! The dry run's outcome, remembered between builds: a build that changes no migration does not
//! run it again, and one that adds migrations (or edits late ones) starts from the database as
//! it was after the unchanged ones.
//!
//! Snapshots (`VACUUM INTO` copies of the dry run's database) are kept after each of the last
//! [`RECENT_SNAPSHOTS`] migrations and every [`SNAPSHOT_EVERY`]th, named by the key of the prefix
//! of the folder they hold, so that only an exact prefix resumes: adding a migration resumes
//! after the last one, and editing the newest or the one before it resumes just before it.
//!
//! A dry run on a server keeps its scratch database instead, after a pass, and records its name
//! under the key of the folder it holds (a `.kept` file): a build that adds migrations claims it
//! and applies only those.
//!
//! Only passes are remembered, each as a file named by the key of everything that decides the
//! outcome (every script's text, name and flags in application order, the options, the backend
//! — SQLite's build, or the server's URL — and strata's build) and holding that key. Anything but an exact match — no file, an unreadable
//! one, other content, another key — is a miss, and a miss runs the dry run: the cache can make a
//! build faster, never a failing folder pass. The files live in strata-core's `OUT_DIR`, inside
//! the target directory, so `cargo clean` clears them.

use super::DryRunOptions;
use crate::model::MigrationSet;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// How many migrations apart snapshots are kept, besides the one after the last migration:
/// editing migration k re-runs at most this many before it.
pub const SNAPSHOT_EVERY: usize = 256;

/// How many of the last migrations keep a snapshot after them: three, so that editing the newest
/// or the one before it (what a developer does while writing them) re-runs only it and the ones
/// after it. Each snapshot is a copy of the dry run's database: a folder with a heavy data
/// migration pays its size in the target directory that many times.
pub const RECENT_SNAPSHOTS: usize = 3;

/// Where passes are remembered.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
    snapshot_every: usize,
}

impl Cache {
    /// The cache of this build of strata-core, in its `OUT_DIR`.
    pub fn of_this_build() -> Self {
        Self::in_dir(concat!(env!("OUT_DIR"), "/dry-run-passes"))
    }

    /// A cache in `dir` (created when the first pass is recorded).
    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into(), snapshot_every: SNAPSHOT_EVERY }
    }

    /// Keeps a snapshot every `count` migrations instead of every [`SNAPSHOT_EVERY`].
    #[must_use]
    pub fn snapshot_every(mut self, count: usize) -> Self {
        self.snapshot_every = count.max(1);
        self
    }

    /// The key of `set` checked with `options` on `backend` (what identifies the database the
    /// dry run runs on: SQLite's version, a server's URL): a hex SHA-256 of everything that
    /// decides the outcome.
    pub fn key(set: &MigrationSet, options: &DryRunOptions, backend: &str) -> String {
        Self::key_of(&Self::prefix_keys(set, options, backend), backend)
    }

    /// The key of the whole folder, from its [`prefix_keys`](Self::prefix_keys).
    pub fn key_of(prefix_keys: &[String], backend: &str) -> String {
        prefix_keys.last().cloned().unwrap_or_else(|| hex(&Self::base(backend).finalize()))
    }

    /// One key per prefix of the folder: `keys[k]` covers the build, the backend, the options
    /// and the migrations up to and including the k-th, each chained on the one before.
    pub fn prefix_keys(set: &MigrationSet, options: &DryRunOptions, backend: &str) -> Vec<String> {
        let mut hasher = Self::base(backend);
        field(&mut hasher, &[u8::from(options.verify_down)]);
        let mut keys = Vec::with_capacity(set.migrations.len());
        for migration in &set.migrations {
            field(&mut hasher, migration.id.as_bytes());
            field(&mut hasher, &migration.version.number.to_le_bytes());
            field(&mut hasher, &migration.flags.__bits().to_le_bytes());
            field(&mut hasher, migration.kind.name().as_bytes());
            field(&mut hasher, migration.up.text.as_bytes());
            match &migration.down {
                Some(down) => field(&mut hasher, down.text.as_bytes()),
                None => field(&mut hasher, b"\0no down script"),
            }
            keys.push(hex(&hasher.clone().finalize()));
        }
        keys
    }

    /// What every key starts from: this build of strata-core and the backend.
    fn base(backend: &str) -> Sha256 {
        let mut hasher = Sha256::new();
        field(&mut hasher, env!("CARGO_PKG_VERSION").as_bytes());
        field(&mut hasher, env!("STRATA_CORE_BUILD_ID").as_bytes());
        field(&mut hasher, backend.as_bytes());
        hasher
    }

    /// Whether a snapshot is kept after the migration at `index` of `count`.
    pub fn keeps_snapshot_after(&self, index: usize, count: usize) -> bool {
        count - index <= RECENT_SNAPSHOTS || (index + 1).is_multiple_of(self.snapshot_every)
    }

    /// The longest prefix with a snapshot: how many migrations it holds, and its file.
    pub fn latest_snapshot(&self, prefix_keys: &[String]) -> Option<(usize, PathBuf)> {
        prefix_keys.iter().enumerate().rev().find_map(|(index, key)| {
            let path = self.snapshot(key);
            (path.is_file() && trusted(&path)).then_some((index + 1, path))
        })
    }

    /// Keeps the database as it is now as the snapshot of the prefix `key`. Best effort.
    #[cfg(feature = "dry-run")]
    pub fn save_snapshot(&self, conn: &rusqlite::Connection, key: &str) {
        if fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        let temporary = self.temporary();
        let written = conn.execute("VACUUM INTO ?1", [temporary.to_string_lossy()]).is_ok();
        if !written || fs::rename(&temporary, self.snapshot(key)).is_err() {
            let _ = fs::remove_file(&temporary);
        }
    }

    /// Removes the snapshots of this folder's prefixes that are not kept any more (the last
    /// migration's, from before a migration was added), so that adding migrations one at a time
    /// does not pile them up.
    pub fn forget_passed_snapshots(&self, prefix_keys: &[String]) {
        for (index, key) in prefix_keys.iter().enumerate() {
            if !self.keeps_snapshot_after(index, prefix_keys.len()) {
                let _ = fs::remove_file(self.snapshot(key));
            }
        }
    }

    /// Records that the server database `database` holds the folder of key `key` after a pass,
    /// for the folder `folder` (its path): the records of that folder's earlier databases are
    /// removed, and their names returned, to be dropped (an edit or a new strata build changes
    /// every key, so that none of them would resume again). Best effort: a record that cannot be
    /// written is `None`, and the database is the next cleanup's.
    pub fn record_kept(&self, key: &str, database: &str, folder: &str) -> Option<Vec<String>> {
        if fs::create_dir_all(&self.dir).is_err() {
            return None;
        }
        let earlier: Vec<(PathBuf, String)> = self
            .kept_records()
            .into_iter()
            .filter(|(_, record)| record.folder == folder && record.database != database)
            .map(|(path, record)| (path, record.database))
            .collect();
        let temporary = self.temporary();
        let written = fs::write(&temporary, format!("{database}\n{folder}")).is_ok()
            && fs::rename(&temporary, self.kept(key)).is_ok();
        if !written {
            let _ = fs::remove_file(&temporary);
            return None;
        }
        Some(earlier.into_iter().filter(|(path, _)| fs::remove_file(path).is_ok()).map(|(_, name)| name).collect())
    }

    /// Claims the kept database of the longest prefix of `prefix_keys` that has one: how many
    /// migrations it holds, and its name. The record is taken away (renamed, so that of two
    /// builds at once one wins): a run that fails drops the database, one that passes records it
    /// again under its new key.
    pub fn claim_kept(&self, prefix_keys: &[String]) -> Option<(usize, String)> {
        prefix_keys.iter().enumerate().rev().find_map(|(index, key)| {
            let path = self.kept(key);
            if !path.is_file() || !trusted(&path) {
                return None;
            }
            let claimed = self.temporary();
            fs::rename(&path, &claimed).ok()?;
            let record = fs::read_to_string(&claimed).ok().map(|text| KeptRecord::parse(&text));
            let _ = fs::remove_file(&claimed);
            Some((index + 1, record?.database))
        })
    }

    /// The names of the databases recorded as kept here.
    pub fn kept_names(&self) -> Vec<String> {
        self.kept_records().into_iter().map(|(_, record)| record.database).collect()
    }

    fn kept_records(&self) -> Vec<(PathBuf, KeptRecord)> {
        let Ok(entries) = fs::read_dir(&self.dir) else { return Vec::new() };
        entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|extension| extension == "kept"))
            .filter_map(|path| Some((path.clone(), KeptRecord::parse(&fs::read_to_string(&path).ok()?))))
            .collect()
    }

    /// What names this cache among others on one server: 12 hex digits of its folder's path.
    pub fn id(&self) -> String {
        let mut hasher = Sha256::new();
        field(&mut hasher, self.dir.to_string_lossy().as_bytes());
        hex(&hasher.finalize()[..6])
    }

    fn kept(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.kept"))
    }

    /// A file for a run resumed from a snapshot to work on, not shared with any other build.
    pub fn working_copy(&self) -> PathBuf {
        let _ = fs::create_dir_all(&self.dir);
        self.temporary()
    }

    fn snapshot(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.sqlite"))
    }

    fn temporary(&self) -> PathBuf {
        static FILES: AtomicU64 = AtomicU64::new(0);
        self.dir.join(format!("{}.{}.tmp", std::process::id(), FILES.fetch_add(1, Ordering::Relaxed)))
    }

    /// Whether a pass of `key` is remembered, by a file of this user's own.
    pub fn passed(&self, key: &str) -> bool {
        let entry = self.entry(key);
        trusted(&entry) && fs::read_to_string(entry).is_ok_and(|content| content == key)
    }

    /// Remembers a pass of `key`. Best effort: a pass that cannot be written is a miss next time.
    pub fn record_pass(&self, key: &str) {
        if fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        // Written aside, then renamed: a concurrent build reads the whole entry or none.
        let temporary = self.temporary();
        if fs::write(&temporary, key).is_err() || fs::rename(&temporary, self.entry(key)).is_err() {
            let _ = fs::remove_file(&temporary);
        }
    }

    fn entry(&self, key: &str) -> PathBuf {
        self.dir.join(Path::new(key))
    }
}

/// A `.kept` file: the database's name, then the folder it holds.
struct KeptRecord {
    database: String,
    folder: String,
}

impl KeptRecord {
    fn parse(text: &str) -> Self {
        let (database, folder) = text.split_once('\n').unwrap_or((text, ""));
        Self { database: database.to_owned(), folder: folder.to_owned() }
    }
}

/// Whether `path` and the folder it is in belong to the user running this process: in a folder
/// other users can write to, another user could plant a pass that makes a failing folder pass.
#[cfg(unix)]
fn trusted(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    // `/proc/self` belongs to the process's user on Linux; elsewhere, the home folder's owner.
    let me = fs::metadata("/proc/self")
        .or_else(|_| fs::metadata(std::env::var_os("HOME").unwrap_or_default()))
        .map(|metadata| metadata.uid());
    let owner = |path: &Path| fs::symlink_metadata(path).map(|metadata| metadata.uid());
    match (me, owner(path), path.parent().map(owner)) {
        (Ok(me), Ok(file), Some(Ok(folder))) => file == me && folder == me,
        _ => false,
    }
}

#[cfg(not(unix))]
fn trusted(_path: &Path) -> bool {
    true
}

/// Adds `bytes` to `hasher`, length first, so that no two different inputs hash the same bytes.
fn field(hasher: &mut Sha256, bytes: &[u8]) {
    hasher.update((bytes.len() as u64).to_le_bytes());
    hasher.update(bytes);
}

fn hex(digest: &[u8]) -> String {
    digest.iter().fold(String::with_capacity(64), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LoadOptions, load_dir};

    fn set(files: &[(&str, &str)]) -> (tempfile::TempDir, MigrationSet) {
        let dir = tempfile::tempdir().expect("temp dir");
        for (file, text) in files {
            fs::write(dir.path().join(file), text).expect("write");
        }
        let set = load_dir(dir.path(), "migrations", &LoadOptions::default()).expect("valid");
        (dir, set)
    }

    #[test]
    fn a_recorded_pass_is_found_and_nothing_else() {
        let cache_dir = tempfile::tempdir().expect("temp dir");
        let cache = Cache::in_dir(cache_dir.path().join("passes"));
        let (_dir, a) = set(&[("0001_a.sql", "CREATE TABLE a(x);"), ("0001_a.down.sql", "DROP TABLE a;")]);
        let key = Cache::key(&a, &DryRunOptions::default(), "sqlite");
        assert!(!cache.passed(&key), "an empty cache is a miss");
        cache.record_pass(&key);
        assert!(cache.passed(&key));
        assert_eq!(fs::read_dir(cache_dir.path().join("passes")).expect("dir").count(), 1, "no temporary file left");
    }

    #[test]
    fn every_input_of_the_outcome_is_in_the_key() {
        let options = DryRunOptions::default();
        let (_d1, base) = set(&[("0001_a.sql", "CREATE TABLE a(x);"), ("0001_a.down.sql", "DROP TABLE a;")]);
        let key = Cache::key(&base, &options, "sqlite");
        assert_eq!(key, Cache::key(&base, &options, "sqlite"));
        assert_ne!(key, Cache::key(&base, &options, "postgres://localhost/test"));
        let (_d2, edited_down) =
            set(&[("0001_a.sql", "CREATE TABLE a(x);"), ("0001_a.down.sql", "DROP TABLE a; SELECT 1;")]);
        let (_d3, no_down) = set(&[("0001_a.sql", "CREATE TABLE a(x);")]);
        let (_d4, renamed) = set(&[("0001_b.sql", "CREATE TABLE a(x);"), ("0001_b.down.sql", "DROP TABLE a;")]);
        let (_d5, no_transaction) = set(&[
            ("0001_a.sql", "-- strata:no-transaction\nCREATE TABLE a(x);"),
            ("0001_a.down.sql", "DROP TABLE a;"),
        ]);
        for other in [&edited_down, &no_down, &renamed, &no_transaction] {
            assert_ne!(Cache::key(other, &options, "sqlite"), key);
        }
        assert_ne!(Cache::key(&base, &DryRunOptions { verify_down: false }, "sqlite"), key);
    }

    #[test]
    fn a_kept_database_is_claimed_once_and_replaced_by_the_folder_s_next() {
        let cache_dir = tempfile::tempdir().expect("temp dir");
        let cache = Cache::in_dir(cache_dir.path());
        let keys = ["k1".to_owned(), "k2".to_owned()];
        assert_eq!(cache.record_kept("k1", "db_one", "/app/migrations"), Some(Vec::new()));
        assert_eq!(cache.record_kept("x9", "db_other", "/lib/migrations"), Some(Vec::new()));
        // A new build of strata, or an edit: every key is new, and the folder's old database goes.
        assert_eq!(cache.record_kept("k9", "db_two", "/app/migrations"), Some(vec!["db_one".to_owned()]));
        let mut names = cache.kept_names();
        names.sort();
        assert_eq!(names, ["db_other", "db_two"]);
        assert_eq!(cache.record_kept("k2", "db_two", "/app/migrations"), Some(Vec::new()));
        assert_eq!(cache.claim_kept(&keys), Some((2, "db_two".to_owned())));
        assert_eq!(cache.claim_kept(&keys), None, "a claimed record is gone");
    }

    #[test]
    fn a_corrupt_or_unreadable_entry_is_a_miss() {
        let cache_dir = tempfile::tempdir().expect("temp dir");
        let cache = Cache::in_dir(cache_dir.path());
        let (_dir, a) = set(&[("0001_a.sql", "CREATE TABLE a(x);")]);
        let key = Cache::key(&a, &DryRunOptions::default(), "sqlite");
        // Another user's entry is no pass, even with the right content (root can make one).
        #[cfg(unix)]
        {
            cache.record_pass(&key);
            assert!(cache.passed(&key));
            if std::os::unix::fs::chown(cache_dir.path().join(&key), Some(65534), None).is_ok() {
                assert!(!cache.passed(&key), "another user's entry was trusted");
            }
        }
        fs::write(cache_dir.path().join(&key), "not the key").expect("write");
        assert!(!cache.passed(&key), "other content");
        fs::write(cache_dir.path().join(&key), &key[..10]).expect("write");
        assert!(!cache.passed(&key), "a truncated entry");
        fs::remove_file(cache_dir.path().join(&key)).expect("remove");
        fs::create_dir(cache_dir.path().join(&key)).expect("mkdir");
        assert!(!cache.passed(&key), "a directory where the entry should be");
        cache.record_pass(&key);
        assert!(!cache.passed(&key), "a pass that cannot be written stays a miss");
    }
}
