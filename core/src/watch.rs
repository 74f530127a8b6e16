//! Whether a new file in a migrations folder rebuilds the crate that embeds it.
//!
//! `embed_migrations!` references every file it reads, so editing one rebuilds the crate; a *new*
//! file is a change cargo sees only when a build script watches the folder
//! (`cargo:rerun-if-changed=migrations`, what `strata::build::watch` prints). A build script that
//! prints no `rerun-if-changed` line at all makes cargo watch the whole package, folder included.

use std::path::{Component, Path, PathBuf};

/// Whether the output of a crate's build script (`output`, its printed `cargo:` lines) makes
/// cargo rebuild the crate when a file appears in `folder`.
///
/// Relative paths are relative to `manifest_dir`, as cargo reads them.
///
/// ```
/// use std::path::Path;
/// use strata_core::watch::build_script_watches;
/// let crate_dir = Path::new("/src/app");
/// let folder = crate_dir.join("migrations");
/// assert!(build_script_watches("cargo:rerun-if-changed=migrations\n", &folder, crate_dir));
/// assert!(!build_script_watches("cargo:rerun-if-changed=build.rs\n", &folder, crate_dir));
/// ```
pub fn build_script_watches(output: &str, folder: &Path, manifest_dir: &Path) -> bool {
    let watched: Vec<PathBuf> = output
        .lines()
        .filter_map(|line| line.strip_prefix("cargo::").or_else(|| line.strip_prefix("cargo:")))
        .filter_map(|directive| directive.strip_prefix("rerun-if-changed="))
        .map(|path| normalized(&manifest_dir.join(path)))
        .collect();
    let folder = normalized(folder);
    watched.is_empty() || watched.iter().any(|path| folder.starts_with(path))
}

/// `path` without `.` components, so that `./migrations` and `migrations` are one folder.
fn normalized(path: &Path) -> PathBuf {
    path.components().filter(|component| *component != Component::CurDir).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watches(output: &str, folder: &str) -> bool {
        let crate_dir = Path::new("/src/app");
        build_script_watches(output, &crate_dir.join(folder), crate_dir)
    }

    #[test]
    fn the_folder_or_an_ancestor_is_watched() {
        assert!(watches("cargo:rerun-if-changed=migrations", "migrations"));
        assert!(watches("cargo::rerun-if-changed=./migrations", "migrations"));
        assert!(watches("cargo:rerun-if-changed=db", "db/migrations"));
        assert!(watches("cargo:rerun-if-changed=/src/app/migrations", "./migrations"));
        assert!(watches("cargo:rerun-if-changed=build.rs\ncargo:rerun-if-changed=migrations\n", "migrations"));
    }

    #[test]
    fn other_paths_do_not_watch_it() {
        assert!(!watches("cargo:rerun-if-changed=build.rs", "migrations"));
        assert!(!watches("cargo:rerun-if-changed=migrations/0001_a.sql", "migrations"));
        assert!(!watches("cargo:rerun-if-changed=migrations-old", "migrations"));
    }

    #[test]
    fn no_rerun_line_at_all_watches_the_whole_package() {
        assert!(watches("", "migrations"));
        assert!(watches("cargo:rustc-cfg=x\ncargo:rerun-if-env-changed=X", "migrations"));
    }
}
