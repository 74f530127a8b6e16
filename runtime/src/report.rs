//! What operations return: reports, status, plans.

use crate::error::Direction;
use crate::history::{AppliedMigration, State};
use crate::migration::Migration;
use std::fmt;
use std::time::Duration;

/// One migration that an operation ran.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Ran {
    /// The migration as the user wrote it (see [`Migration::id`]).
    pub id: String,
    /// The version.
    pub version: i64,
    /// The name.
    pub name: String,
    /// How long it took.
    pub duration: Duration,
}

impl Ran {
    pub(crate) fn new(migration: &Migration, duration: Duration) -> Self {
        Self {
            id: migration.id().to_owned(),
            version: migration.version(),
            name: migration.name().to_owned(),
            duration,
        }
    }
}

/// What `apply`, `rollback_to` or `baseline` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// The migrations run, in the order they ran: their up scripts, or for a rollback their
    /// down scripts.
    pub ran: Vec<Ran>,
    /// Whether the scripts run applied (`apply`, `baseline`) or reverted (`rollback_to`).
    pub direction: Direction,
    /// The migrations `baseline` recorded as applied without running them.
    pub baselined: Vec<String>,
    /// How many migrations were already applied (or, for a rollback, already not applied).
    pub skipped: usize,
    /// Applied migrations these do not include, recorded `backward-compatible` (or allowed
    /// by `allow_database_ahead`): the run went on and says so here.
    pub database_ahead: Vec<i64>,
    /// The database was up to date: one query of the set's digest said so.
    pub up_to_date: bool,
    /// How long the whole operation took.
    pub duration: Duration,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ran.is_empty() && self.baselined.is_empty() {
            match self.direction {
                Direction::Up => writeln!(f, "nothing to do: {} migration(s) already in place", self.skipped)?,
                Direction::Down => writeln!(f, "nothing to do: no applied migration comes after the target")?,
            }
        }
        let did = match self.direction {
            Direction::Up => "applied",
            Direction::Down => "reverted",
        };
        for ran in &self.ran {
            writeln!(f, "{did} {} in {:?}", ran.id, ran.duration)?;
        }
        for id in &self.baselined {
            writeln!(f, "recorded {id} as applied, without running it")?;
        }
        if !self.database_ahead.is_empty() {
            let versions: Vec<String> = self.database_ahead.iter().map(i64::to_string).collect();
            writeln!(f, "the database also holds newer migrations these do not have: {}", versions.join(", "))?;
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
#[non_exhaustive]
pub struct StatusLine {
    /// The migration as the user wrote it (see [`Migration::id`]).
    pub id: String,
    /// The version.
    pub version: i64,
    /// The name.
    pub name: String,
    /// Where it stands.
    pub state: MigrationState,
}

/// Every migration of the binary and where it stands, then the database's unknown ones.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Status {
    /// The binary's migrations, in application order.
    pub migrations: Vec<StatusLine>,
    /// Rows of migrations this binary does not know (the database is ahead).
    pub unknown: Vec<AppliedMigration>,
    /// PostgreSQL indexes of the tracking table's schema left `INVALID` by an interrupted
    /// `CREATE INDEX CONCURRENTLY` (`schema.index`), which `IF NOT EXISTS` would skip for ever.
    pub invalid_indexes: Vec<String>,
    /// With no strata history yet: another tool's history beside it that records migrations,
    /// which `apply` refuses to run again ([`Error::ForeignHistory`](crate::Error::ForeignHistory)).
    pub foreign_history: Option<ForeignHistory>,
}

/// What [`adopt`](crate::Migrator::adopt) took over.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AdoptReport {
    /// The tool.
    pub tool: &'static str,
    /// The migrations recorded as applied, as the user wrote them, in order.
    pub adopted: Vec<String>,
    /// The rows [`Adopt::force`](crate::Adopt::force) accepted, each with why it was refused
    /// and what was done instead.
    pub forced: Vec<String>,
    /// strata's history already began with these (adopted before, perhaps with migrations
    /// applied since): nothing was written.
    pub already_adopted: bool,
}

impl fmt::Display for AdoptReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.already_adopted {
            return writeln!(f, "nothing to do: {}'s history was taken over already", self.tool);
        }
        for id in &self.adopted {
            writeln!(f, "adopted {id} from {}", self.tool)?;
        }
        for row in &self.forced {
            writeln!(f, "accepted {row}")?;
        }
        writeln!(
            f,
            "took over {} migration(s) of {}'s history; its table is left as it was",
            self.adopted.len(),
            self.tool
        )
    }
}

/// Another tool's history found where strata has none.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ForeignHistory {
    /// The tool: `sqlx`, `diesel`, `refinery`, `Flyway`, `golang-migrate`, `dbmate`, `goose`.
    pub tool: &'static str,
    /// Its table, quoted as messages show it.
    pub table: String,
    /// How many migrations it records.
    pub rows: i64,
}

impl fmt::Display for ForeignHistory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}'s history ({}) records {} migration(s) and strata has none: `apply` refuses to run them again; {}",
            self.tool,
            self.table,
            self.rows,
            crate::error::take_over(self.tool)
        )
    }
}

impl Status {
    /// The pending migrations, in application order.
    pub fn pending(&self) -> Vec<&StatusLine> {
        self.migrations.iter().filter(|line| line.state == MigrationState::Pending).collect()
    }
}

impl fmt::Display for Status {
    /// One line a migration: as the user wrote it, its state, when it was applied. The first
    /// column is as wide as the longest name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut lines: Vec<(String, &str, &str)> = Vec::with_capacity(self.migrations.len() + self.unknown.len());
        for line in &self.migrations {
            let (state, at) = match &line.state {
                MigrationState::Applied(row) => ("applied", row.applied_at.as_str()),
                MigrationState::Edited(row) => ("EDITED", row.applied_at.as_str()),
                MigrationState::Dirty(row) => ("DIRTY", row.applied_at.as_str()),
                MigrationState::Pending => ("pending", ""),
            };
            lines.push((line.id.clone(), state, at));
        }
        for row in &self.unknown {
            let state = if row.state == State::Dirty { "DIRTY" } else { "unknown" };
            lines.push((row.id(), state, row.applied_at.as_str()));
        }
        let width = lines.iter().map(|(id, _, _)| id.chars().count()).chain([9]).max().unwrap_or(9);
        writeln!(f, "{:<width$}  {:<7}  applied at", "migration", "state")?;
        for (id, state, at) in lines {
            writeln!(f, "{}", format!("{id:<width$}  {state:<7}  {at}").trim_end())?;
        }
        let pending = self.pending().len();
        let applied = self.migrations.len() - pending;
        write!(f, "{applied} applied, {pending} pending")?;
        if !self.unknown.is_empty() {
            write!(f, ", {} unknown (not in these migrations)", self.unknown.len())?;
        }
        writeln!(f)?;
        if let Some(foreign) = &self.foreign_history {
            writeln!(f, "{foreign}")?;
        }
        write_invalid_indexes(f, &self.invalid_indexes)
    }
}

/// One step of a [`Plan`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Step {
    /// The migration as the user wrote it (see [`Migration::id`]).
    pub id: String,
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
#[non_exhaustive]
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
            writeln!(f, "-- {} {} ({}{mode})", step.direction, step.id, step.file)?;
            for statement in &step.statements {
                writeln!(f, "{statement};")?;
            }
        }
        Ok(())
    }
}

/// A checksum `repair` replaced: an edited migration accepted as it now is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChecksumUpdate {
    /// The migration, as the user wrote it.
    pub migration: String,
    /// The checksum the history had.
    pub recorded: String,
    /// The migration's checksum now, which the history now has.
    pub now: String,
}

/// What `repair` changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RepairReport {
    /// Checksums replaced by the migrations' own.
    pub checksums_updated: Vec<ChecksumUpdate>,
    /// Dirty rows removed: these migrations are pending again.
    pub dirty_cleared: Vec<String>,
    /// PostgreSQL indexes left `INVALID` by an interrupted `CREATE INDEX CONCURRENTLY`: repair
    /// does not drop them (they may be a build still under way elsewhere), it names them.
    pub invalid_indexes: Vec<String>,
}

impl fmt::Display for RepairReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.checksums_updated.is_empty() && self.dirty_cleared.is_empty() {
            writeln!(f, "nothing to repair")?;
            return write_invalid_indexes(f, &self.invalid_indexes);
        }
        for ChecksumUpdate { migration, recorded, now } in &self.checksums_updated {
            writeln!(f, "accepted the edited script of {migration}: {recorded} -> {now}")?;
        }
        for id in &self.dirty_cleared {
            writeln!(f, "cleared the dirty row of {id}: it is pending again")?;
        }
        write_invalid_indexes(f, &self.invalid_indexes)
    }
}

/// What to drop before a `CREATE INDEX CONCURRENTLY` that was interrupted runs again.
fn write_invalid_indexes(f: &mut fmt::Formatter<'_>, indexes: &[String]) -> fmt::Result {
    if indexes.is_empty() {
        return Ok(());
    }
    writeln!(
        f,
        "invalid indexes, left by an interrupted `CREATE INDEX CONCURRENTLY` (`IF NOT EXISTS` would skip them); drop them before the migration runs again:"
    )?;
    for index in indexes {
        writeln!(f, "  DROP INDEX CONCURRENTLY {index};")?;
    }
    Ok(())
}
