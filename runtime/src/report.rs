//! What operations return: reports, status, plans.

use crate::error::Direction;
use crate::tracking::{AppliedMigration, State};
use std::fmt;
use std::time::Duration;

/// One migration that an operation ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    /// The version.
    pub version: i64,
    /// The name.
    pub name: String,
    /// How long it took.
    pub duration: Duration,
}

/// What `apply` or `rollback_to` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The migrations run, in the order they ran.
    pub ran: Vec<Ran>,
    /// How many migrations were already applied (or, for a rollback, already not applied).
    pub skipped: usize,
    /// Applied migrations this binary does not know, recorded `backward-compatible` (or allowed
    /// by `allow_database_ahead`): the run went on and says so here.
    pub database_ahead: Vec<i64>,
    /// The database was up to date: one query of the set's digest said so.
    pub up_to_date: bool,
    /// How long the whole operation took.
    pub duration: Duration,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ran.is_empty() {
            writeln!(f, "nothing to do: {} migration(s) already in place", self.skipped)?;
        }
        for ran in &self.ran {
            writeln!(f, "ran {}_{} in {:?}", ran.version, ran.name, ran.duration)?;
        }
        if !self.database_ahead.is_empty() {
            let versions: Vec<String> = self.database_ahead.iter().map(i64::to_string).collect();
            writeln!(f, "the database also holds newer migrations this binary does not know: {}", versions.join(", "))?;
        }
        Ok(())
    }
}

/// Where a migration stands in a database.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MigrationState {
    /// Applied, with the same checksum.
    Applied(AppliedMigration),
    /// Applied, but the script was edited since.
    Edited(AppliedMigration),
    /// Started outside a transaction and not finished.
    Dirty(AppliedMigration),
    /// Not applied.
    Pending,
}

/// One line of [`Status`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusLine {
    /// The version.
    pub version: i64,
    /// The name.
    pub name: String,
    /// Where it stands.
    pub state: MigrationState,
}

/// Every migration of the binary and where it stands, then the database's unknown ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The binary's migrations, in application order.
    pub migrations: Vec<StatusLine>,
    /// Rows of migrations this binary does not know (the database is ahead).
    pub unknown: Vec<AppliedMigration>,
}

impl Status {
    /// How many are pending.
    pub fn pending(&self) -> usize {
        self.migrations.iter().filter(|line| line.state == MigrationState::Pending).count()
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:<16} {:<32} {:<10} applied at", "version", "name", "state")?;
        for line in &self.migrations {
            let (state, at) = match &line.state {
                MigrationState::Applied(row) => ("applied", row.applied_at.as_str()),
                MigrationState::Edited(row) => ("EDITED", row.applied_at.as_str()),
                MigrationState::Dirty(row) => ("DIRTY", row.applied_at.as_str()),
                MigrationState::Pending => ("pending", ""),
            };
            writeln!(f, "{:<16} {:<32} {:<10} {}", line.version, line.name, state, at)?;
        }
        for row in &self.unknown {
            let state = if row.state == State::Dirty { "DIRTY" } else { "unknown" };
            writeln!(f, "{:<16} {:<32} {:<10} {}", row.version, row.name, state, row.applied_at)?;
        }
        Ok(())
    }
}

/// One step of a [`Plan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The version.
    pub version: i64,
    /// The name.
    pub name: String,
    /// Up (apply) or down (rollback).
    pub direction: Direction,
    /// The script's file.
    pub file: String,
    /// The statements that would run, in order.
    pub statements: Vec<String>,
    /// Whether it would run outside a transaction.
    pub no_transaction: bool,
}

/// What an operation would do, without doing it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// The steps, in the order they would run.
    pub steps: Vec<Step>,
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.steps.is_empty() {
            return writeln!(f, "-- nothing to do");
        }
        for step in &self.steps {
            let mode = if step.no_transaction { ", outside a transaction" } else { "" };
            writeln!(f, "-- {} {}_{} ({}{mode})", step.direction, step.version, step.name, step.file)?;
            for statement in &step.statements {
                writeln!(f, "{statement};")?;
            }
        }
        Ok(())
    }
}

/// What `repair` changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepairReport {
    /// Checksums replaced by the binary's: `(version, recorded, now)`.
    pub checksums_updated: Vec<(i64, String, String)>,
    /// Dirty rows removed: these migrations are pending again.
    pub dirty_cleared: Vec<i64>,
}
