//! The run-time half of strata: the embedded [`Migrations`] and the migrator that applies them.
//!
//! Users name the `strata` crate, which re-exports everything here.

mod migration;
mod migrations;

pub use migration::{Flags, Migration, Script, Statement};
pub use migrations::Migrations;
#[cfg(feature = "from-dir")]
pub use strata_core::{LoadOptions, Problem, Problems};
