//! strata's integration tests, UI tests, benchmarks and server examples live in this crate's
//! `tests/`, `ui-tests/`, `benches/` and `examples/`, so that the facade's own dev-dependencies
//! stay those of the quickstart.
//!
//! The library holds no code: it compiles the README's examples as doc tests, with every driver
//! they use (`postgres`, `tokio_postgres`, `sqlx`) and the sample folders at the paths the README
//! names (`migrations`, a link to the facade's, and `examples/migrations-*`).
#![doc = include_str!("../../README.md")]
// The manual shows whole files (`build.rs`, `src/main.rs`) as a user writes them.
#![allow(clippy::needless_doctest_main)]
