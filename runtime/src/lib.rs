//! The run-time half of strata: the embedded [`Migrations`] and the [`Migrator`] that applies
//! them through a [`Driver`] (SQLite, PostgreSQL, MySQL/MariaDB) or an [`AsyncDriver`].
//!
//! Users name the `strata` crate, which re-exports everything here.

// `Error` carries its context inline (migration, file, line, the driver's error) so that callers
// match on plain fields; errors are the cold path, so its size does not matter.
#![allow(clippy::result_large_err)]

mod adopt;
mod cancel;
mod check;
mod driver;
mod error;
mod event;
mod foreign_keys;
mod history;
mod lock;
mod migration;
mod migrations;
mod migrator;
mod planner;
mod report;
mod run;
mod session;
mod sql;
mod timer;
mod unwind;

pub use adopt::{Adopt, From};
pub use cancel::{Cancel, Interrupt};
pub use driver::{AsyncDriver, Dialect, Driver, DriverError, Param, Row, Value};
pub use error::{BoxError, Direction, Error, IrreversibleReason, MigrationRef, Result, with_causes};
pub use event::Event;
pub use history::{AppliedMigration, DEFAULT_TABLE, State};
pub use lock::Lock;
pub use migration::Migration;
pub use migrations::Migrations;
pub use migrator::{Migrator, Operation, Target};
pub use report::{
    AdoptReport, ChecksumUpdate, ForeignHistory, MigrationState, Plan, Ran, RepairReport, Report, Status, StatusLine,
    Step,
};
#[cfg(feature = "adopt")]
pub use strata_core::ForeignChecksums;
pub use strata_core::{Flags, Kind};
#[cfg(feature = "from-dir")]
pub use strata_core::{LoadOptions, Problem, Problems};
pub use strata_core::{Script, Statement};
