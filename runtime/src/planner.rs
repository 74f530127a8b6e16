//! What a run will do, decided before it does anything: every refusal, in order, and the steps,
//! each with how it runs. A plain function of the migrations, the history, the request and the
//! rules, tested without a database: `run` executes the steps, `plan` prints them, `verify`
//! keeps only the refusals, and a single-transaction run plans again inside its transaction.
//! How a script runs (in a transaction or under the dirty-row protocol, foreign keys off) is
//! [`Flags::runs_in_transaction`](strata_core::Flags::runs_in_transaction), the rule the
//! compile-time dry run follows too.

use crate::check::History;
use crate::error::{Direction, Error, Result};
use crate::migrations::Migrations;
use crate::report::ForeignHistory;

/// What a run was asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Request {
    /// Apply every pending migration up to and including this position (none when `None`).
    Apply { last: Option<usize> },
    /// Revert every applied migration after this position (all when `None`).
    Rollback { keep: Option<usize> },
}

/// The migrator's options that change what a run may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Rules {
    pub(crate) allow_out_of_order: bool,
    pub(crate) allow_database_ahead: bool,
    pub(crate) single_transaction: bool,
}

/// How one step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// In a transaction of its own that commits it with its history row; foreign keys off
    /// around the transaction when the script turns them off.
    Transaction { foreign_keys_off: bool },
    /// Outside any transaction, under the dirty-row protocol: its row is marked dirty in a
    /// transaction of its own first, and made clean (or removed, reverting) after.
    DirtyRow,
    /// Inside the one transaction of a single-transaction run.
    Shared,
}

/// One migration to apply or revert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Step {
    /// Its position in the set.
    pub(crate) position: usize,
    pub(crate) direction: Direction,
    pub(crate) protocol: Protocol,
}

/// What a run will do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Planned {
    /// Versions of rows no migration of the set matches, which the run may go past.
    pub(crate) database_ahead: Vec<i64>,
    /// The set's migrations applied already.
    pub(crate) applied: usize,
    pub(crate) steps: Vec<Step>,
    /// A single-transaction run: whether foreign keys go off around its transaction (one of
    /// its migrations rebuilds a table); `None` for a run of one transaction per migration.
    pub(crate) single_transaction: Option<bool>,
    /// Whether the run, once done, leaves exactly the set applied: then it stores the set's
    /// digest, and the next start-up is one query.
    pub(crate) completes_set: bool,
}

/// The plan for `request` on a database whose history is `history`, or the first refusal: a
/// dirty row, a database ahead of the set, an edited migration, then (applying) a migration
/// out of order or (reverting) an irreversible one, then (one transaction) a migration that
/// cannot run inside it.
pub(crate) fn plan(migrations: &Migrations, history: &History, request: Request, rules: Rules) -> Result<Planned> {
    history.check_dirty(migrations)?;
    match request {
        Request::Apply { last } => {
            let database_ahead = history.check_ahead(rules.allow_database_ahead)?;
            history.check_drift(migrations)?;
            let pending = history.pending(migrations, last, rules.allow_out_of_order)?;
            let mut steps: Vec<Step> =
                pending.into_iter().map(|position| step(migrations, position, Direction::Up)).collect();
            let single_transaction = match rules.single_transaction {
                false => None,
                true => {
                    if let Some(outside) = steps.iter().find(|step| step.protocol == Protocol::DirtyRow) {
                        let migration = migrations[outside.position].reference();
                        return Err(Error::NoTransactionInSingleTransaction { migration });
                    }
                    let foreign_keys_off =
                        steps.iter().any(|step| step.protocol == Protocol::Transaction { foreign_keys_off: true });
                    steps.iter_mut().for_each(|step| step.protocol = Protocol::Shared);
                    Some(foreign_keys_off)
                }
            };
            let applied = history.applied_count();
            let completes_set = database_ahead.is_empty() && applied + steps.len() == migrations.len();
            Ok(Planned { database_ahead, applied, steps, single_transaction, completes_set })
        }
        Request::Rollback { keep } => {
            // `backward-compatible` unknown rows do not license a rollback: they may build on
            // what it would revert.
            if !history.unknown.is_empty() && !rules.allow_database_ahead {
                return Err(history.ahead_error());
            }
            history.check_drift(migrations)?;
            let range = history.rollback_range(migrations, keep)?;
            Ok(Planned {
                database_ahead: history.unknown.iter().map(|&index| history.rows[index].version).collect(),
                applied: history.applied_count(),
                steps: range.into_iter().map(|position| step(migrations, position, Direction::Down)).collect(),
                single_transaction: None,
                completes_set: false,
            })
        }
    }
}

/// How the migration at `position` runs in `direction`, on its own.
/// The first refusal of an apply, before strata writes anything: its history is empty but
/// another tool's (`found`) records migrations, which would all run again.
pub(crate) fn refuse_foreign_history(found: Option<&ForeignHistory>) -> Result<()> {
    match found {
        Some(found) if found.rows > 0 => {
            Err(Error::ForeignHistory { tool: found.tool, table: found.table.clone(), rows: found.rows })
        }
        _ => Ok(()),
    }
}

fn step(migrations: &Migrations, position: usize, direction: Direction) -> Step {
    let flags = migrations[position].flags();
    let protocol = match flags.runs_in_transaction(direction) {
        true => Protocol::Transaction { foreign_keys_off: flags.disables_foreign_keys(direction) },
        false => Protocol::DirtyRow,
    };
    Step { position, direction, protocol }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::Dialect;
    use crate::history::{AppliedMigration, State};
    use crate::migration::Migration;
    use std::time::Duration;
    use strata_core::{Flags, Kind};
    use strata_core::{Script, Statement};

    fn checksum(version: i64) -> String {
        format!("sha256:{:064x}", version)
    }

    fn migration(version: i64, flags: Flags) -> Migration {
        let script = |file: String| Script::new(file, vec![Statement::new("SELECT 1", 1, 1)]);
        let id = format!("{version:04}_m{version}");
        let migration = Migration::new(version, id.clone(), checksum(version), script(format!("{id}.sql")));
        let migration = migration.with_flags(flags);
        match flags.contains(Flags::IRREVERSIBLE) {
            true => migration,
            false => migration.with_down(script(format!("{id}.down.sql"))),
        }
    }

    /// Migrations 1 to 4 with `flags` for each version.
    fn set(flags: &[(i64, Flags)]) -> Migrations {
        let flags_of = |version| flags.iter().find(|(v, _)| *v == version).map_or(Flags::empty(), |(_, f)| *f);
        Migrations::of((1..=4).map(|version| migration(version, flags_of(version))).collect(), Dialect::Sqlite)
    }

    fn row(version: i64) -> AppliedMigration {
        AppliedMigration {
            version,
            name: format!("m{version}"),
            checksum: checksum(version),
            applied_at: String::new(),
            duration: Duration::ZERO,
            state: State::Applied,
            backward_compatible: false,
            failure: None,
        }
    }

    fn history(migrations: &Migrations, rows: Vec<AppliedMigration>) -> History {
        History::new(migrations, rows)
    }

    const ALL: Request = Request::Apply { last: Some(3) };

    fn positions(planned: &Planned) -> Vec<usize> {
        planned.steps.iter().map(|step| step.position).collect()
    }

    #[test]
    fn applies_what_is_pending_each_in_its_transaction_and_completes_the_set() {
        let migrations = set(&[]);
        let planned = plan(&migrations, &history(&migrations, vec![row(1), row(2)]), ALL, Rules::default());
        let planned = planned.unwrap_or_default();
        assert_eq!(positions(&planned), [2, 3]);
        let in_transaction = Protocol::Transaction { foreign_keys_off: false };
        assert!(planned.steps.iter().all(|s| s.protocol == in_transaction && s.direction == Direction::Up));
        assert_eq!((planned.applied, planned.completes_set, planned.single_transaction), (2, true, None));
        let last_one = plan(&migrations, &history(&migrations, vec![row(1), row(2), row(3)]), ALL, Rules::default());
        let last_one = last_one.unwrap_or_default();
        assert_eq!((positions(&last_one), last_one.applied, last_one.completes_set), (vec![3], 3, true));
    }

    #[test]
    fn another_tool_s_history_with_rows_is_refused_naming_it() {
        let found = |rows| ForeignHistory { tool: "diesel", table: "`__diesel_schema_migrations`".to_owned(), rows };
        let refused = refuse_foreign_history(Some(&found(2)));
        assert!(matches!(refused, Err(Error::ForeignHistory { tool: "diesel", rows: 2, .. })), "{refused:?}");
        assert!(refuse_foreign_history(Some(&found(0))).is_ok(), "an empty table records nothing to run again");
        assert!(refuse_foreign_history(None).is_ok());
    }

    #[test]
    fn the_digest_is_stored_only_for_a_history_that_is_the_set_exactly() {
        let migrations = set(&[]);
        let all = || (1..=4).map(row).collect::<Vec<_>>();
        assert!(history(&migrations, all()).matches_exactly(&migrations));
        let mut missing = all();
        missing.remove(2);
        let mut dirty = all();
        dirty[1].state = State::Dirty;
        let mut edited = all();
        edited[3].checksum = checksum(9);
        let mut ahead = all();
        ahead.push(row(9));
        for (rows, why) in [(missing, "missing"), (dirty, "dirty"), (edited, "edited"), (ahead, "ahead")] {
            assert!(!history(&migrations, rows).matches_exactly(&migrations), "{why}");
        }
    }

    #[test]
    fn a_target_short_of_the_last_migration_does_not_complete_the_set() {
        let migrations = set(&[]);
        let planned =
            plan(&migrations, &history(&migrations, vec![]), Request::Apply { last: Some(1) }, Rules::default());
        let planned = planned.unwrap_or_default();
        assert_eq!((positions(&planned), planned.completes_set), (vec![0, 1], false));
        let nothing = plan(&migrations, &history(&migrations, vec![]), Request::Apply { last: None }, Rules::default());
        assert_eq!(nothing.map(|planned| planned.steps.len()).ok(), Some(0));
    }

    #[test]
    fn each_step_runs_as_its_flags_say() {
        let migrations = set(&[
            (1, Flags::NO_TRANSACTION),
            (2, Flags::UP_COMMITS_IMPLICITLY),
            (3, Flags::DISABLES_FOREIGN_KEYS),
            (4, Flags::DOWN_COMMITS_IMPLICITLY),
        ]);
        let planned = plan(&migrations, &history(&migrations, vec![]), ALL, Rules::default()).unwrap_or_default();
        let protocols: Vec<Protocol> = planned.steps.iter().map(|step| step.protocol).collect();
        assert_eq!(
            protocols,
            [
                Protocol::DirtyRow,
                Protocol::DirtyRow,
                Protocol::Transaction { foreign_keys_off: true },
                Protocol::Transaction { foreign_keys_off: false },
            ]
        );
        let applied = history(&migrations, (1..=4).map(row).collect());
        let back = plan(&migrations, &applied, Request::Rollback { keep: Some(1) }, Rules::default());
        let back = back.unwrap_or_default();
        assert_eq!(positions(&back), [3, 2], "newest first");
        assert_eq!(back.steps[0].protocol, Protocol::DirtyRow, "its down script commits by itself");
        assert_eq!(back.steps[1].protocol, Protocol::Transaction { foreign_keys_off: false });
        assert!(back.steps.iter().all(|step| step.direction == Direction::Down) && !back.completes_set);
    }

    #[test]
    fn a_single_transaction_shares_one_and_turns_foreign_keys_off_around_it_when_one_needs() {
        let rules = Rules { single_transaction: true, ..Rules::default() };
        let migrations = set(&[(3, Flags::DISABLES_FOREIGN_KEYS)]);
        let planned = plan(&migrations, &history(&migrations, vec![]), ALL, rules).unwrap_or_default();
        assert!(planned.steps.iter().all(|step| step.protocol == Protocol::Shared));
        assert_eq!(planned.single_transaction, Some(true));
        let plain = set(&[]);
        let planned = plan(&plain, &history(&plain, vec![]), ALL, rules).unwrap_or_default();
        assert_eq!(planned.single_transaction, Some(false));
        // A migration that cannot run inside it is refused before anything runs.
        let outside = set(&[(2, Flags::NO_TRANSACTION)]);
        let refused = plan(&outside, &history(&outside, vec![]), ALL, rules);
        assert!(
            matches!(refused, Err(Error::NoTransactionInSingleTransaction { migration }) if migration.version == 2)
        );
        // Unless it is applied already.
        let past = plan(&outside, &history(&outside, vec![row(1), row(2)]), ALL, rules);
        assert_eq!(past.map(|planned| positions(&planned)).ok(), Some(vec![2, 3]));
    }

    #[test]
    fn a_dirty_row_is_refused_first() {
        let migrations = set(&[]);
        let mut dirty = row(2);
        dirty.state = State::Dirty;
        let mut edited = row(1);
        edited.checksum = checksum(9);
        let rows = vec![edited, dirty, row(7)];
        for request in [ALL, Request::Rollback { keep: None }] {
            let refused = plan(&migrations, &history(&migrations, rows.clone()), request, Rules::default());
            assert!(
                matches!(refused, Err(Error::Dirty { ref migration, .. }) if migration.version == 2),
                "{request:?}"
            );
        }
    }

    #[test]
    fn a_database_ahead_is_refused_unless_allowed_or_backward_compatible() {
        let migrations = set(&[]);
        let rows = || vec![row(1), row(2), row(3), row(4), row(9)];
        let refused = plan(&migrations, &history(&migrations, rows()), ALL, Rules::default());
        assert!(matches!(refused, Err(Error::DatabaseAhead { ref unknown }) if unknown[0].version == 9));
        let allowed = Rules { allow_database_ahead: true, ..Rules::default() };
        let planned = plan(&migrations, &history(&migrations, rows()), ALL, allowed).unwrap_or_default();
        assert_eq!((planned.database_ahead, planned.completes_set), (vec![9], false));
        let mut compatible = rows();
        compatible[4].backward_compatible = true;
        let planned = plan(&migrations, &history(&migrations, compatible.clone()), ALL, Rules::default());
        assert_eq!(planned.map(|planned| planned.database_ahead).ok(), Some(vec![9]));
        // A rollback is refused even so: the newer migration may build on what it reverts.
        let back =
            plan(&migrations, &history(&migrations, compatible), Request::Rollback { keep: None }, Rules::default());
        assert!(matches!(back, Err(Error::DatabaseAhead { .. })));
        let back = plan(&migrations, &history(&migrations, rows()), Request::Rollback { keep: Some(2) }, allowed);
        assert_eq!(back.map(|planned| (positions(&planned), planned.database_ahead)).ok(), Some((vec![3], vec![9])));
    }

    #[test]
    fn an_edited_migration_is_refused_before_order() {
        let migrations = set(&[]);
        let mut edited = row(3);
        edited.checksum = checksum(9);
        // 2 is pending behind 3, and 3 was edited: the edit is what is reported.
        let rows = vec![row(1), edited];
        for request in [ALL, Request::Rollback { keep: None }] {
            let refused = plan(&migrations, &history(&migrations, rows.clone()), request, Rules::default());
            assert!(matches!(refused, Err(Error::ChecksumMismatch { ref migration, .. }) if migration.version == 3));
        }
    }

    #[test]
    fn a_migration_pending_behind_an_applied_one_is_refused_unless_allowed_or_any_order() {
        let migrations = set(&[]);
        let rows = || vec![row(1), row(3)];
        let refused = plan(&migrations, &history(&migrations, rows()), ALL, Rules::default());
        assert!(matches!(
            refused,
            Err(Error::OutOfOrder { ref migration, ref applied_after }) if migration.version == 2 && applied_after.version == 3
        ));
        let allowed = Rules { allow_out_of_order: true, ..Rules::default() };
        let planned = plan(&migrations, &history(&migrations, rows()), ALL, allowed);
        assert_eq!(planned.map(|planned| positions(&planned)).ok(), Some(vec![1, 3]));
        let mut any_order: Vec<Migration> = migrations.iter().cloned().collect();
        any_order[1] = any_order[1].clone().with_kind(Kind::AnyOrder);
        let any_order = Migrations::of(any_order, Dialect::Sqlite);
        let planned = plan(&any_order, &history(&any_order, rows()), ALL, Rules::default());
        assert_eq!(planned.map(|planned| positions(&planned)).ok(), Some(vec![1, 3]));
    }

    #[test]
    fn a_rollback_past_an_irreversible_migration_is_refused_naming_why() {
        use crate::error::IrreversibleReason;
        let migrations = set(&[(2, Flags::IRREVERSIBLE)]);
        let applied = || history(&migrations, (1..=4).map(row).collect());
        let refused = plan(&migrations, &applied(), Request::Rollback { keep: None }, Rules::default());
        assert!(matches!(
            refused,
            Err(Error::Irreversible { ref migration, reason: IrreversibleReason::Marked }) if migration.version == 2
        ));
        let short = plan(&migrations, &applied(), Request::Rollback { keep: Some(1) }, Rules::default());
        assert_eq!(short.map(|planned| positions(&planned)).ok(), Some(vec![3, 2]));
        let mut no_down: Vec<Migration> = set(&[]).iter().cloned().collect();
        no_down[3] = Migration::new(4, "0004_m4", checksum(4), no_down[3].up().clone());
        let no_down = Migrations::of(no_down, Dialect::Sqlite);
        let refused = plan(
            &no_down,
            &history(&no_down, (1..=4).map(row).collect()),
            Request::Rollback { keep: None },
            Rules::default(),
        );
        assert!(matches!(refused, Err(Error::Irreversible { reason: IrreversibleReason::NoDownScript, .. })));
    }
}
