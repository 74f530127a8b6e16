//! The whole loader (`strata_core::load`) on a small folder described by the input, in each
//! dialect; a folder that loads must load again beside the lock written for it.
//!
//! The input is up to 8 records separated by a NUL byte. A record's first line is a path
//! relative to the folder (`0001_init.sql`, `2024-01-01-000000_x/up.sql`, `strata.lock`), the
//! rest of it the file's content (any bytes). A record whose path starts with `!` adds the rest
//! of its first line as an `ignore` pattern instead. Paths that could leave the folder (`..`,
//! absolute) or nest deeper than one folder are skipped.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use strata_core::{Dialect, LOCK_FILE, LoadOptions, LockFile, Problems, load};

const MAX_FILES: usize = 8;

/// This process's scratch folder, under the system's temporary folder (`TMPDIR`: run.sh points
/// it at `/dev/shm` when there is one).
fn scratch() -> &'static Path {
    static SCRATCH: OnceLock<PathBuf> = OnceLock::new();
    SCRATCH.get_or_init(|| std::env::temp_dir().join(format!("strata-fuzz-folder-{}", std::process::id())))
}

/// The path's parts, if it is a plain relative path at most one folder deep.
fn parts(path: &str) -> Option<Vec<&str>> {
    let parts: Vec<&str> = path.split('/').collect();
    let plain = |part: &&str| !part.is_empty() && *part != "." && *part != ".." && part.len() <= 200;
    (parts.len() <= 2 && parts.iter().all(plain)).then_some(parts)
}

fuzz_target!(|data: &[u8]| {
    let dir = scratch().join("migrations");
    let _ = fs::remove_dir_all(scratch());
    fs::create_dir_all(&dir).expect("create the scratch folder");

    let mut ignore = Vec::new();
    for record in data.split(|&b| b == 0).take(MAX_FILES) {
        let (name, content) = match record.iter().position(|&b| b == b'\n') {
            Some(at) => (&record[..at], &record[at + 1..]),
            None => (record, &[][..]),
        };
        let name = String::from_utf8_lossy(name);
        if let Some(pattern) = name.strip_prefix('!') {
            ignore.push(pattern.to_owned());
            continue;
        }
        let Some(parts) = parts(&name) else { continue };
        let mut path = dir.clone();
        for (index, part) in parts.iter().enumerate() {
            path.push(part);
            if index + 1 < parts.len() && !path.is_dir() && fs::create_dir(&path).is_err() {
                break;
            }
        }
        // A path that clashes with an earlier one (a file where a folder is) is skipped.
        let _ = fs::write(&path, content);
    }

    for dialect in [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql] {
        let options = LoadOptions { dialect, ignore: ignore.clone(), ignore_lock: false };
        let loaded = load(&dir, "migrations", &options);
        if let Some(set) = &loaded.set {
            assert_eq!(set.dialect, dialect);
            assert!(!set.digest.is_empty());
        }
        for problem in &loaded.problems {
            assert!(!problem.message.is_empty(), "{problem:?}");
        }
        let _ = Problems::new("migrations", loaded.problems).to_string();
    }

    // A folder that loads locks (what `strata lock` writes) and loads back with its lock.
    let options = LoadOptions { dialect: Dialect::Sqlite, ignore, ignore_lock: false };
    let loaded = load(&dir, "migrations", &options);
    if let (Some(set), true) = (&loaded.set, loaded.problems.is_empty()) {
        fs::write(dir.join(LOCK_FILE), LockFile::of(set).render()).expect("write the lock");
        let relocked = load(&dir, "migrations", &options);
        assert!(relocked.problems.is_empty(), "its own lock refused: {}", Problems::new("migrations", relocked.problems));
        assert_eq!(relocked.set.map(|again| again.digest), Some(set.digest.clone()));
    }
    let _ = fs::remove_dir_all(scratch());
});
