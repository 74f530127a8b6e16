//! New files in the sample migrations folder rebuild the examples and tests that embed it.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=ui-tests/fixtures");
    println!("cargo:rerun-if-changed=build.rs");
}
