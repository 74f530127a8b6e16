//! The one trybuild entry point: compile errors (`ui-tests/*.rs`, pinned `.stderr`) and cases
//! that must compile and run (`ui-tests/pass/*.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test panics

#[test]
#[allow(unsafe_code)]
fn ui() {
    // trybuild compiles the cases under `target/tests/trybuild/`; the macro reads this variable
    // before `CARGO_MANIFEST_DIR` so that the cases find their fixtures here. This is the only
    // test in this binary, so no other thread reads the environment meanwhile.
    unsafe { std::env::set_var("STRATA_MANIFEST_DIR", env!("CARGO_MANIFEST_DIR")) };
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui-tests/*.rs");
    cases.pass("ui-tests/pass/*.rs");
}
