//! Comparing what the binary carries with what the database records: dirty rows, migrations
//! the binary does not know (the database is ahead), edited migrations, out-of-order ones.

use crate::driver::Dialect;
use crate::error::{Error, IrreversibleReason, MigrationRef, Result};
use crate::history::{AppliedMigration, State};
use crate::lock::Lock;
use crate::migration::Migration;
use crate::migrations::Migrations;

impl Migration {
    pub(crate) fn reference(&self) -> MigrationRef {
        self.reference_in(self.up())
    }

    /// The migration, naming `script`'s file.
    pub(crate) fn reference_in(&self, script: &strata_core::Script) -> MigrationRef {
        MigrationRef {
            id: self.id().to_owned(),
            version: self.version(),
            name: self.name().to_owned(),
            file: script.file().to_owned(),
        }
    }
}

impl AppliedMigration {
    fn reference(&self) -> MigrationRef {
        MigrationRef { id: self.id(), version: self.version, name: self.name.clone(), file: String::new() }
    }
}

/// The tracking table's rows matched against the binary's migrations.
pub(crate) struct History {
    pub(crate) rows: Vec<AppliedMigration>,
    /// For each migration, in application order: the index of its row, if it has one.
    pub(crate) row_of: Vec<Option<usize>>,
    /// Rows of migrations the binary does not know.
    pub(crate) unknown: Vec<usize>,
}

impl History {
    pub(crate) fn new(migrations: &Migrations, rows: Vec<AppliedMigration>) -> Self {
        let mut row_of = vec![None; migrations.len()];
        let mut unknown = Vec::new();
        for (index, row) in rows.iter().enumerate() {
            match migrations.position(row.version) {
                Some(position) => row_of[position] = Some(index),
                None => unknown.push(index),
            }
        }
        Self { rows, row_of, unknown }
    }

    pub(crate) fn is_applied(&self, position: usize) -> bool {
        self.row_of[position].is_some()
    }

    pub(crate) fn applied_count(&self) -> usize {
        self.row_of.iter().flatten().count()
    }

    /// Whether the database records exactly the binary's migrations, all applied, unchanged.
    pub(crate) fn matches_exactly(&self, migrations: &Migrations) -> bool {
        self.unknown.is_empty()
            && migrations.iter().zip(&self.row_of).all(|(migration, row)| {
                row.is_some_and(|index| {
                    let row = &self.rows[index];
                    row.state == State::Applied && row.checksum == migration.checksum()
                })
            })
    }

    /// A dirty row that records no failure, which another migrator may be running right now
    /// when the lock does not keep it out: on SQLite the session lock is each migration's own
    /// write transaction, and a migration that runs outside one holds no lock while it runs.
    /// Elsewhere a dirty row seen under the lock is a run that stopped.
    pub(crate) fn running_elsewhere(&self, dialect: Dialect, lock: Lock) -> Option<&AppliedMigration> {
        if dialect != Dialect::Sqlite || lock != Lock::Session {
            return None;
        }
        self.rows.iter().find(|row| row.state == State::Dirty && row.failure.is_none())
    }

    /// A dirty row stops everything until it is repaired.
    pub(crate) fn check_dirty(&self, migrations: &Migrations) -> Result<()> {
        match self.rows.iter().find(|row| row.state == State::Dirty) {
            Some(row) => Err(Error::Dirty {
                migration: migrations.get(row.version).map_or_else(|| row.reference(), Migration::reference),
                failure: row.failure.clone(),
                invalid_indexes: Vec::new(),
            }),
            None => Ok(()),
        }
    }

    /// Downgrade protection: the versions of unknown rows when the run may go on, or
    /// `DatabaseAhead`.
    pub(crate) fn check_ahead(&self, allow: bool) -> Result<Vec<i64>> {
        let unknown: Vec<&AppliedMigration> = self.unknown.iter().map(|&index| &self.rows[index]).collect();
        if allow || unknown.iter().all(|row| row.backward_compatible) {
            return Ok(unknown.iter().map(|row| row.version).collect());
        }
        Err(self.ahead_error())
    }

    /// `DatabaseAhead` naming every unknown row.
    pub(crate) fn ahead_error(&self) -> Error {
        Error::DatabaseAhead { unknown: self.unknown.iter().map(|&index| self.rows[index].reference()).collect() }
    }

    /// Drift: every applied migration's recorded checksum is the binary's.
    pub(crate) fn check_drift(&self, migrations: &Migrations) -> Result<()> {
        for (migration, row) in migrations.iter().zip(&self.row_of) {
            let Some(row) = row.map(|index| &self.rows[index]) else { continue };
            if row.checksum != migration.checksum() {
                return Err(Error::ChecksumMismatch {
                    migration: migration.reference(),
                    applied: row.checksum.clone(),
                    embedded: migration.checksum().to_owned(),
                });
            }
        }
        Ok(())
    }

    /// The positions of the migrations to apply, up to and including `last` (a position), in
    /// order. A pending migration ordered before an applied one is `OutOfOrder` unless allowed,
    /// for the run or for that migration ([`Migration::any_order`]).
    /// An allowed one never runs before its dependencies: the order is topological, so they are
    /// applied already or come earlier in this run.
    pub(crate) fn pending(
        &self,
        migrations: &Migrations,
        last: Option<usize>,
        allow_out_of_order: bool,
    ) -> Result<Vec<usize>> {
        let last_applied = self.row_of.iter().rposition(Option::is_some);
        let mut pending = Vec::new();
        let Some(last) = last else { return Ok(pending) };
        for position in 0..=last.min(migrations.len().saturating_sub(1)) {
            if self.is_applied(position) {
                continue;
            }
            let migration = &migrations[position];
            let may_run_late = allow_out_of_order || migration.any_order();
            if let Some(after) = last_applied.filter(|&after| after > position && !may_run_late) {
                return Err(Error::OutOfOrder {
                    migration: migration.reference(),
                    applied_after: migrations[after].reference(),
                });
            }
            pending.push(position);
        }
        Ok(pending)
    }

    /// The applied positions after `keep`, newest first, once every one is known reversible.
    ///
    /// Nothing that stays applied can depend on one of them: the order is topological, so a
    /// migration's dependents all come after it and are reverted before it.
    pub(crate) fn rollback_range(&self, migrations: &Migrations, keep: Option<usize>) -> Result<Vec<usize>> {
        let first = keep.map_or(0, |k| k + 1);
        let range: Vec<usize> = (first..migrations.len()).rev().filter(|&p| self.is_applied(p)).collect();
        for &position in &range {
            let migration = &migrations[position];
            let reason = if migration.irreversible() {
                Some(IrreversibleReason::Marked)
            } else if migration.down().is_none() {
                Some(IrreversibleReason::NoDownScript)
            } else {
                None
            };
            if let Some(reason) = reason {
                return Err(Error::Irreversible { migration: migration.reference(), reason });
            }
        }
        Ok(range)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn row(version: i64, state: State, failure: Option<&str>) -> AppliedMigration {
        AppliedMigration {
            version,
            name: format!("m{version}"),
            checksum: String::new(),
            applied_at: String::new(),
            duration: Duration::ZERO,
            state,
            backward_compatible: false,
            failure: failure.map(str::to_owned),
        }
    }

    fn history(rows: Vec<AppliedMigration>) -> History {
        History { row_of: Vec::new(), unknown: (0..rows.len()).collect(), rows }
    }

    #[test]
    fn only_sqlite_s_session_lock_lets_another_migrator_run_under_a_dirty_row() {
        let running = history(vec![row(1, State::Applied, None), row(2, State::Dirty, None)]);
        let found = running.running_elsewhere(Dialect::Sqlite, Lock::Session).map(|row| row.version);
        assert_eq!(found, Some(2));
        // The lease, and the server's session locks, keep others out for the whole run: a dirty
        // row seen under them is a run that stopped.
        assert!(running.running_elsewhere(Dialect::Sqlite, Lock::Lease { ttl: Duration::from_secs(1) }).is_none());
        assert!(running.running_elsewhere(Dialect::Postgres, Lock::Session).is_none());
        assert!(running.running_elsewhere(Dialect::Mysql, Lock::Session).is_none());
        // A dirty row that records its failure stopped, on any database.
        let failed = history(vec![row(2, State::Dirty, Some("up statement 1 (line 1): no such table"))]);
        assert!(failed.running_elsewhere(Dialect::Sqlite, Lock::Session).is_none());
    }
}
