//! New files in the sample migrations folder (and the test fixtures) rebuild the examples and
//! tests that embed them. This is the helper users call as `strata::build::watch`, compiled in
//! from its source because a crate's build script cannot depend on the crate itself.

#[path = "src/build.rs"]
mod strata_build;

fn main() {
    strata_build::watch("migrations");
    strata_build::watch("ui-tests/fixtures");
    strata_build::watch("tests/fixtures");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/build.rs");
}
