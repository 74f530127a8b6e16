//! The quickstart's build script, as an application writes it: new files in the sample migrations
//! folder (and in the test fixtures) rebuild the examples and tests that embed them.
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
    strata::build::watch("examples/migrations-postgres");
    strata::build::watch("examples/migrations-mysql");
    strata::build::watch("ui-tests/fixtures");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/build.rs");
}
