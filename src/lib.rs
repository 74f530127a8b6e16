#![doc = include_str!("../README.md")]
// The manual shows whole files (`build.rs`, `src/main.rs`) as a user writes them.
#![allow(clippy::needless_doctest_main)]

pub mod build;

#[cfg(feature = "runtime")]
pub use strata_macros::embed_migrations;
#[cfg(feature = "runtime")]
pub use strata_runtime::*;
