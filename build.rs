//! The quickstart's build script, as an application writes it: new files in the sample migrations
//! folder rebuild the example that embeds them.
//!
//! A crate's build script cannot depend on the crate itself, so `strata::build` is compiled in
//! here from its source; an application depends on strata in `[build-dependencies]` instead.

#[path = "src/build.rs"]
mod build;

mod strata {
    pub(crate) use super::build;
}

fn main() {
    strata::build::watch("migrations");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/build.rs");
}
