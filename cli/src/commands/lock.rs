//! `strata lock`: pins the checksums of the folder's migrations in `strata.lock`.

use crate::diagnostics;
use crate::failure::{Failure, Outcome};
use crate::folder::Folder;
use strata_core::{LOCK_FILE, LoadOptions, LockFile};

pub fn lock(folder: &Folder) -> Outcome {
    // Locking is how a changed, never released migration is accepted (and a broken lock
    // replaced): the current lock is neither read nor checked; every other problem stops it.
    let options = LoadOptions { ignore_lock: true, ..folder.options.clone() };
    let loaded = strata_core::load(&folder.dir, &folder.shown_as, &options);
    let set = match loaded.set {
        Some(set) if loaded.problems.is_empty() => set,
        _ => {
            diagnostics::print(&loaded.problems, &folder.dir, &folder.shown_as);
            return Err(Failure::Problems);
        }
    };
    let path = folder.dir.join(LOCK_FILE);
    let unchanged = std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| LockFile::parse(&text, LOCK_FILE).ok())
        .is_some_and(|old| old.digest == set.digest);
    std::fs::write(&path, LockFile::of(&set).render())
        .map_err(|error| Failure::usage(format!("cannot write {}/{LOCK_FILE}: {error}", folder.shown_as)))?;
    let what = if unchanged { "already locked" } else { "locked" };
    println!(
        "{what}: {} in {}/{LOCK_FILE}; commit it",
        super::run::count(set.migrations.len(), "migration"),
        folder.shown_as
    );
    Ok(())
}
