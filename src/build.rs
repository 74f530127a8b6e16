//! Helpers for build scripts.
//!
//! `embed_migrations!` references every file it reads, so editing a migration rebuilds the
//! crate. A *new* file is a change cargo cannot see through the macro: let the build script
//! watch the folder. Without that, the macro warns (*new files in `migrations` will not rebuild
//! this crate*).
//!
//! ```toml
//! [build-dependencies]
//! strata-migrate = { version = "0.1", default-features = false } # `strata::build` only: no SQLite
//! ```
//!
//! ```no_run
//! // build.rs, in `fn main`:
//! strata::build::watch("migrations");
//! ```
//!
//! (Without strata in `[build-dependencies]`, print the line yourself:
//! `println!("cargo:rerun-if-changed=migrations");`.)

use std::path::Path;

/// The variables that name a server for the build's dry run (`dry-run-postgres`,
/// `dry-run-mysql`): setting, changing or unsetting one rebuilds a crate whose build script
/// calls [`watch`], so that its folders are checked on the server it names.
pub const DRY_RUN_SERVER_VARIABLES: [&str; 2] = ["STRATA_DRY_RUN_POSTGRES_URL", "STRATA_DRY_RUN_MYSQL_URL"];

/// Tells cargo to rebuild the crate when anything in `folder` (relative to the crate's
/// `Cargo.toml`) changes, new files included, and when a variable of
/// [`DRY_RUN_SERVER_VARIABLES`] does.
pub fn watch(folder: impl AsRef<Path>) {
    println!("{}", rerun_if_changed(folder.as_ref()));
    for variable in DRY_RUN_SERVER_VARIABLES {
        println!("cargo:rerun-if-env-changed={variable}");
    }
}

fn rerun_if_changed(folder: &Path) -> String {
    // Cargo scans a directory given to `rerun-if-changed` for any modified entry.
    format!("cargo:rerun-if-changed={}", folder.display())
}

#[cfg(test)]
mod tests {
    #[test]
    fn prints_the_rerun_line_for_the_folder() {
        assert_eq!(super::rerun_if_changed("migrations".as_ref()), "cargo:rerun-if-changed=migrations");
    }
}
