//! Where the migrations folder is on disk.

use std::env;
use std::path::{Path, PathBuf};
use syn::LitStr;

/// Read before `CARGO_MANIFEST_DIR`: trybuild compiles cases under `target/tests/trybuild/`, so
/// its tests point the macro at the crate whose fixtures they use.
const MANIFEST_DIR_OVERRIDE: &str = "STRATA_MANIFEST_DIR";

/// The folder `path` names, relative to the calling crate's manifest directory.
pub fn folder(path: &LitStr) -> syn::Result<PathBuf> {
    let relative = path.value();
    if Path::new(&relative).is_absolute() {
        // The message does not repeat the path: messages never hold absolute paths.
        return Err(syn::Error::new(
            path.span(),
            "the migrations folder must be a relative path\nhelp: write it relative to the crate's `Cargo.toml`, such as `\"migrations\"`, so that the build works on every checkout",
        ));
    }
    let manifest_dir = env::var_os(MANIFEST_DIR_OVERRIDE)
        .or_else(|| env::var_os("CARGO_MANIFEST_DIR"))
        .ok_or_else(|| syn::Error::new(path.span(), "`CARGO_MANIFEST_DIR` is not set\nhelp: build with cargo"))?;
    Ok(PathBuf::from(manifest_dir).join(relative))
}
