//! Where the migrations folder is on disk.

use std::env;
use std::path::{Path, PathBuf};
use syn::LitStr;

/// Read before `CARGO_MANIFEST_DIR`: trybuild compiles cases under `target/tests/trybuild/`, so
/// its tests point the macro at the crate whose fixtures they use.
const MANIFEST_DIR_OVERRIDE: &str = "STRATA_MANIFEST_DIR";

/// The migrations folder and the crate it is relative to.
pub struct Folder {
    /// The folder.
    pub path: PathBuf,
    /// The directory of the `Cargo.toml` the path is relative to.
    pub manifest_dir: PathBuf,
    /// Whether that is the crate being compiled (and not a test harness's override).
    pub in_compiled_crate: bool,
}

/// The folder `path` names, relative to the calling crate's manifest directory.
pub fn folder(path: &LitStr) -> syn::Result<Folder> {
    let relative = path.value();
    if Path::new(&relative).is_absolute() {
        // The message does not repeat the path: messages never hold absolute paths.
        return Err(syn::Error::new(
            path.span(),
            "the migrations folder must be a relative path\nhelp: write it relative to the crate's `Cargo.toml`, such as `\"migrations\"`, so that the build works on every checkout",
        ));
    }
    let overridden = env::var_os(MANIFEST_DIR_OVERRIDE);
    let in_compiled_crate = overridden.is_none();
    let manifest_dir = overridden
        .or_else(|| env::var_os("CARGO_MANIFEST_DIR"))
        .ok_or_else(|| syn::Error::new(path.span(), "`CARGO_MANIFEST_DIR` is not set\nhelp: build with cargo"))?;
    let manifest_dir = PathBuf::from(manifest_dir);
    Ok(Folder { path: manifest_dir.join(relative), manifest_dir, in_compiled_crate })
}
