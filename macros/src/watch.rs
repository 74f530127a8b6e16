//! Whether cargo rebuilds the crate when the folder changes: a warning when a new file would not
//! (no build script, or one that watches other paths only; silent where it cannot tell), and
//! whether the expansion must reference every file itself so that edits rebuild it.

use crate::resolve::Folder;
use proc_macro2::TokenStream;
use quote::quote_spanned;
use std::{env, fs};
use strata_core::watch::build_script_watches;
use syn::LitStr;

/// The warning's tokens for a folder `watched` says (see [`watched`]) is not watched, or nothing
/// when new files rebuild the crate or it cannot be told.
pub fn warning(path: &LitStr, folder: &Folder, watched: Option<bool>) -> TokenStream {
    if !folder.in_compiled_crate || watched.unwrap_or(true) {
        return TokenStream::new();
    }
    let relative = path.value();
    let note = format!(
        "new files in `{relative}` will not rebuild this crate: no build script watches the folder\nhelp: add `strata::build::watch(\"{relative}\");` to `build.rs` (with `strata-migrate = {{ version = \"{version}\", default-features = false }}` in `[build-dependencies]`), or print `cargo:rerun-if-changed={relative}` there",
        version = env!("CARGO_PKG_VERSION"),
    );
    // Stable proc macros cannot emit warnings: the use of a deprecated item under the path literal
    // makes rustc print one there, with the note.
    quote_spanned! {path.span()=>
        const _: () = {
            #[deprecated(note = #note)]
            const STRATA_MIGRATIONS_FOLDER_NOT_WATCHED: () = ();
            STRATA_MIGRATIONS_FOLDER_NOT_WATCHED
        };
    }
}

/// Whether the build script of the crate being compiled makes cargo watch the folder, edits and
/// new files: `Some(false)` when the crate has no build script or one that does not watch it;
/// `None` when that cannot be read, or the folder is not the compiled crate's.
pub fn watched(folder: &Folder) -> Option<bool> {
    if !folder.in_compiled_crate {
        return None;
    }
    // Cargo sets `OUT_DIR` for crates with a build script, and keeps what the script printed in
    // `output` beside it.
    let Some(out_dir) = env::var_os("OUT_DIR") else { return Some(false) };
    let output = fs::read_to_string(std::path::Path::new(&out_dir).parent()?.join("output")).ok()?;
    Some(build_script_watches(&output, &folder.path, &folder.manifest_dir))
}
