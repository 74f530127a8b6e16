// The README's examples use every driver: they are compiled, as doc tests, in `integration/`,
// whose dev-dependencies hold those drivers, and not here, so that the quickstart builds none.
#![cfg_attr(not(doctest), doc = include_str!("../README.md"))]
// The manual shows whole files (`build.rs`, `src/main.rs`) as a user writes them.
#![allow(clippy::needless_doctest_main)]

pub mod build;

#[cfg(feature = "runtime")]
pub use strata_macros::embed_migrations;
#[cfg(feature = "runtime")]
pub use strata_runtime::*;
