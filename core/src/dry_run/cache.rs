//! The dry run's outcome, remembered between builds: a build that changes no migration does not
//! run it again.
//!
//! Only passes are remembered, each as a file named by the key of everything that decides the
//! outcome (every script's text, name and flags in application order, the options, the SQLite
//! and strata builds) and holding that key. Anything but an exact match — no file, an unreadable
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

/// Where passes are remembered.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache of this build of strata-core, in its `OUT_DIR`.
    pub fn of_this_build() -> Self {
        Self::in_dir(concat!(env!("OUT_DIR"), "/dry-run-passes"))
    }

    /// A cache in `dir` (created when the first pass is recorded).
    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The key of `set` checked with `options`: a hex SHA-256 of everything that decides the
    /// outcome.
    pub fn key(set: &MigrationSet, options: &DryRunOptions) -> String {
        let mut hasher = Sha256::new();
        let mut field = |bytes: &[u8]| {
            // Length-prefixed, so that no two different inputs hash the same bytes.
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        };
        field(env!("CARGO_PKG_VERSION").as_bytes());
        field(env!("STRATA_CORE_BUILD_ID").as_bytes());
        field(rusqlite::version().as_bytes());
        field(&[u8::from(options.verify_down)]);
        for migration in &set.migrations {
            field(migration.id.as_bytes());
            field(&migration.version.number.to_le_bytes());
            let flags = [migration.no_transaction, migration.no_dry_run, migration.irreversible];
            field(&flags.map(u8::from));
            field(migration.up.text.as_bytes());
            match &migration.down {
                Some(down) => field(down.text.as_bytes()),
                None => field(b"\0no down script"),
            }
        }
        let digest = hasher.finalize();
        digest.iter().fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
    }

    /// Whether a pass of `key` is remembered.
    pub fn passed(&self, key: &str) -> bool {
        fs::read_to_string(self.entry(key)).is_ok_and(|content| content == key)
    }

    /// Remembers a pass of `key`. Best effort: a pass that cannot be written is a miss next time.
    pub fn record_pass(&self, key: &str) {
        static WRITES: AtomicU64 = AtomicU64::new(0);
        if fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        // Written aside, then renamed: a concurrent build reads the whole entry or none.
        let unique = format!("{}.{}.tmp", std::process::id(), WRITES.fetch_add(1, Ordering::Relaxed));
        let temporary = self.dir.join(unique);
        if fs::write(&temporary, key).is_err() || fs::rename(&temporary, self.entry(key)).is_err() {
            let _ = fs::remove_file(&temporary);
        }
    }

    fn entry(&self, key: &str) -> PathBuf {
        self.dir.join(Path::new(key))
    }
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
        let key = Cache::key(&a, &DryRunOptions::default());
        assert!(!cache.passed(&key), "an empty cache is a miss");
        cache.record_pass(&key);
        assert!(cache.passed(&key));
        assert_eq!(fs::read_dir(cache_dir.path().join("passes")).expect("dir").count(), 1, "no temporary file left");
    }

    #[test]
    fn every_input_of_the_outcome_is_in_the_key() {
        let options = DryRunOptions::default();
        let (_d1, base) = set(&[("0001_a.sql", "CREATE TABLE a(x);"), ("0001_a.down.sql", "DROP TABLE a;")]);
        let key = Cache::key(&base, &options);
        assert_eq!(key, Cache::key(&base, &options));
        let (_d2, edited_down) =
            set(&[("0001_a.sql", "CREATE TABLE a(x);"), ("0001_a.down.sql", "DROP TABLE a; SELECT 1;")]);
        let (_d3, no_down) = set(&[("0001_a.sql", "CREATE TABLE a(x);")]);
        let (_d4, renamed) = set(&[("0001_b.sql", "CREATE TABLE a(x);"), ("0001_b.down.sql", "DROP TABLE a;")]);
        let (_d5, no_transaction) = set(&[
            ("0001_a.sql", "-- strata:no-transaction\nCREATE TABLE a(x);"),
            ("0001_a.down.sql", "DROP TABLE a;"),
        ]);
        for other in [&edited_down, &no_down, &renamed, &no_transaction] {
            assert_ne!(Cache::key(other, &options), key);
        }
        assert_ne!(Cache::key(&base, &DryRunOptions { verify_down: false }), key);
    }

    #[test]
    fn a_corrupt_or_unreadable_entry_is_a_miss() {
        let cache_dir = tempfile::tempdir().expect("temp dir");
        let cache = Cache::in_dir(cache_dir.path());
        let (_dir, a) = set(&[("0001_a.sql", "CREATE TABLE a(x);")]);
        let key = Cache::key(&a, &DryRunOptions::default());
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
