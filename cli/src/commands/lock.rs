//! `strata lock`: pins the checksums of the folder's migrations in `strata.lock`.

use crate::diagnostics;
use crate::failure::{Failure, Outcome};
use crate::folder::Folder;
use strata_core::{LOCK_FILE, LockFile};

pub fn lock(folder: &Folder) -> Outcome {
    let mut loaded = folder.load();
    // Locking is how a changed, never released migration is accepted: the old lock's own
    // refusals do not stop it, every other problem does.
    let lock_path = format!("{LOCK_FILE}");
    loaded.problems.retain(|problem| {
        problem.file.as_deref() != Some(lock_path.as_str()) && !problem.message.contains("after it was locked")
    });
    let set = match loaded.set {
        Some(set) if loaded.problems.is_empty() => set,
        _ => {
            diagnostics::print(&loaded.problems, &folder.dir, &folder.shown_as);
            return Err(Failure::Problems);
        }
    };
    let path = folder.dir.join(LOCK_FILE);
    std::fs::write(&path, LockFile::of(&set).render())
        .map_err(|error| Failure::usage(format!("cannot write {}/{LOCK_FILE}: {error}", folder.shown_as)))?;
    println!("locked {} migration(s) in {}/{LOCK_FILE}: commit it", set.migrations.len(), folder.shown_as);
    Ok(())
}
