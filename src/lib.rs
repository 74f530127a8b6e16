//! wip
pub use strata_macros::embed_migrations;
pub use strata_runtime::*;
