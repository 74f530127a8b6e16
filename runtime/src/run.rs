//! The operations, written once for every driver: what to read, what to check (in `check`),
//! what to run and record. Blocking drivers run them through `driver::run_blocking`.

use crate::adopt;
use crate::check::History;
use crate::driver::AsyncDriver;
use crate::error::{Direction, Error, Result};
use crate::event::{Event, emit, in_span};
use crate::history::State;
use crate::migration::Migration;
use crate::migrator::{Migrator, Operation, Target};
use crate::planner::{self, Planned, Protocol, Request, Rules, Step};
use crate::report::{
    AdoptReport, ChecksumUpdate, ForeignHistory, MigrationState, Plan, Ran, RepairReport, Report, Status, StatusLine,
    Step as PlanStep,
};
use crate::session::Session;
use crate::unwind::catch_unwind;
use std::future::Future;
use std::time::{Duration, Instant};
use strata_core::Script;

/// What the read-only operations start from.
struct Inspected {
    history: History,
    /// What the planner says of the request (only the dirty-row check without one).
    planned: Result<Planned>,
    /// See [`Status::invalid_indexes`].
    invalid_indexes: Vec<String>,
    /// See [`Status::foreign_history`].
    foreign_history: Option<ForeignHistory>,
}

/// Awaits `work` (a future that borrows `session`) holding `migrator`'s lock, and releases the
/// lock on every exit: success, error, panic.
macro_rules! locked {
    ($migrator:expr, $session:ident, $work:expr) => {{
        let held = $session.acquire($migrator.lock, $migrator.lock_timeout).await?;
        let outcome = catch_unwind($work).await;
        $session.release_after(held, outcome).await
    }};
}

impl Migrator<'_> {
    /// A session on `db`, once the dialects agree and the table name is valid.
    async fn session<'d, D: AsyncDriver + ?Sized>(&self, db: &'d mut D) -> Result<Session<'d, D>> {
        let (migrations, driver) = (self.migrations.dialect(), db.dialect());
        if migrations != driver {
            return Err(Error::WrongDialect { migrations, driver });
        }
        let mut session = Session::new(db, &self.table)?;
        session.cancel_with(self.cancel.as_ref());
        session.listener.clone_from(&self.listener);
        if let Some(sql) = self.busy_timeout.and_then(|timeout| session.table.sql().busy_timeout(timeout.as_millis())) {
            session.execute(&sql, "setting the busy timeout").await?;
        }
        Ok(session)
    }

    pub(crate) async fn run_apply<D: AsyncDriver + ?Sized>(&self, db: &mut D, target: Target) -> Result<Report> {
        let started = Instant::now();
        let mut session = self.session(db).await?;
        let last = self.last_position(&target)?;
        if session.stored_digest().await.as_deref() == Some(self.migrations.digest()) {
            return Ok(Report {
                skipped: self.migrations.len(),
                up_to_date: true,
                duration: started.elapsed(),
                ..Report::default()
            });
        }
        session.pin_schema().await?;
        let mut report = locked!(self, session, self.apply_locked(&mut session, last))?;
        report.duration = started.elapsed();
        Ok(report)
    }

    async fn apply_locked<D: AsyncDriver + ?Sized>(
        &self,
        s: &mut Session<'_, D>,
        last: Option<usize>,
    ) -> Result<Report> {
        if !s.has_history().await? {
            planner::refuse_foreign_history(s.foreign_history().await?.as_ref())?;
        }
        s.create_table().await?;
        let request = Request::Apply { last };
        let history = self.settled_history(s).await?;
        let planned = planner::plan(self.migrations, &history, request, self.rules());
        let planned = s.explained(planned).await?;
        let mut report =
            Report { database_ahead: planned.database_ahead.clone(), skipped: planned.applied, ..Report::default() };
        let planned = match planned.single_transaction {
            Some(foreign_keys_off) => self.apply_all_at_once(s, request, foreign_keys_off, &mut report).await?,
            None => {
                self.run_steps(s, &planned.steps, &mut report).await?;
                planned
            }
        };
        if planned.completes_set {
            self.record_digest_if_complete(s).await?;
        }
        Ok(report)
    }

    /// Runs `steps`, each in its own transaction or under the dirty-row protocol, into `report`.
    async fn run_steps<D: AsyncDriver + ?Sized>(
        &self,
        s: &mut Session<'_, D>,
        steps: &[Step],
        report: &mut Report,
    ) -> Result<()> {
        for step in steps {
            let migration = &self.migrations[step.position];
            let Some(script) = migration.script(step.direction) else { continue };
            let done = async {
                s.stop_if_cancelled()?;
                s.keep_alive().await?;
                let outside = step.protocol == Protocol::DirtyRow;
                let work = Self::run_step(s, migration, script, *step);
                self.observe(migration, step.direction, outside, Done::Committed, work).await
            };
            match done.await.map_err(|error| error.after(report.ran.len()))? {
                Some(duration) => report.ran.push(Ran::new(migration, duration)),
                None => report.skipped += 1,
            }
        }
        Ok(())
    }

    /// The history, once no other migrator is running a migration outside a transaction (see
    /// `History::running_elsewhere`): waited for as long as the connection's busy timeout, as
    /// SQLite's write lock is. A dirty row still there after that is refused by the checks.
    async fn settled_history<D: AsyncDriver + ?Sized>(&self, s: &mut Session<'_, D>) -> Result<History> {
        let started = Instant::now();
        let mut bound = None;
        let mut next_event = Duration::from_secs(1);
        loop {
            let history = History::new(self.migrations, s.read_history().await?);
            let Some(row) = history.running_elsewhere(s.dialect(), self.lock) else { return Ok(history) };
            let bound = match bound {
                Some(bound) => bound,
                None => *bound.insert(s.busy_timeout().await?),
            };
            let waited = started.elapsed();
            if waited >= bound {
                return Ok(history);
            }
            if waited >= next_event {
                next_event = waited + Duration::from_secs(10);
                let id = self.migrations.get(row.version).map_or_else(|| row.id(), |m| m.id().to_owned());
                let lock = format!("the dirty row of {id}");
                let holder = "another migrator, which runs it outside a transaction";
                emit(self.listener.as_ref(), &Event::Waiting { lock: &lock, holder: Some(holder), waited });
            }
            s.stop_if_cancelled()?;
            s.pause(Duration::from_millis(100).min(bound - waited)).await;
        }
    }

    /// Runs one migration's work between its events (and in its span). `outside_transaction`:
    /// the script runs outside a transaction, so a failure leaves its row dirty. With
    /// `Done::AfterCommit`, the caller sends the `Applied` event once its transaction commits.
    async fn observe(
        &self,
        migration: &Migration,
        direction: Direction,
        outside_transaction: bool,
        done: Done,
        work: impl Future<Output = Result<Option<Duration>>>,
    ) -> Result<Option<Duration>> {
        let listener = self.listener.as_ref();
        in_span(migration, direction, async move {
            emit(listener, &Event::Started { migration, direction });
            let started = Instant::now();
            match work.await {
                Ok(Some(duration)) => {
                    if done == Done::Committed {
                        emit(listener, &done_event(migration, direction, duration));
                    }
                    Ok(Some(duration))
                }
                Ok(None) => Ok(None),
                Err(error) => {
                    let duration = started.elapsed();
                    let left_dirty = outside_transaction;
                    emit(listener, &Event::Failed { migration, direction, duration, error: &error, left_dirty });
                    Err(error)
                }
            }
        })
        .await
    }

    /// Runs one step and records it, unless another migrator already has (then `None`).
    async fn run_step<D: AsyncDriver + ?Sized>(
        s: &mut Session<'_, D>,
        migration: &Migration,
        script: &Script,
        step: Step,
    ) -> Result<Option<Duration>> {
        let foreign_keys_off = match (step.protocol, step.direction) {
            (Protocol::Transaction { foreign_keys_off }, _) => foreign_keys_off,
            (_, Direction::Up) => return Self::apply_without_transaction(s, migration).await,
            (_, Direction::Down) => return Self::revert_without_transaction(s, migration, script).await,
        };
        let foreign_keys_off = s.foreign_keys_off(foreign_keys_off).await?;
        let outcome = async {
            s.begin().await?;
            let outcome = async {
                // Re-read inside the transaction: without a lock (or on SQLite, whose write lock
                // this is) another migrator may have applied (or reverted) it meanwhile.
                let applied = s.state_of(migration.version()).await?.is_some();
                if applied == (step.direction == Direction::Up) {
                    return Ok(None);
                }
                let started = Instant::now();
                s.run_script(migration, script, step.direction).await?;
                if foreign_keys_off {
                    s.check_foreign_keys(migration, script).await?;
                }
                let duration = started.elapsed();
                match step.direction {
                    Direction::Up => s.insert(migration, State::Applied, duration).await?,
                    Direction::Down => s.delete(migration.version()).await?,
                }
                s.clear_digest().await?;
                Ok(Some(duration))
            }
            .await;
            let what = match step.direction {
                Direction::Up => "committing a migration",
                Direction::Down => "committing a rollback",
            };
            s.finish(outcome, what).await
        }
        .await;
        s.restore_foreign_keys(foreign_keys_off, outcome).await
    }

    /// The dirty-row protocol: a dirty row first (the claim), the statements outside a
    /// transaction, then the row marked applied. A failure leaves the row dirty, naming the
    /// statement, which stops later runs until `repair`.
    async fn apply_without_transaction<D: AsyncDriver + ?Sized>(
        s: &mut Session<'_, D>,
        migration: &Migration,
    ) -> Result<Option<Duration>> {
        s.begin().await?;
        let claimed = async {
            if s.state_of(migration.version()).await?.is_some() {
                return Ok(false);
            }
            s.insert(migration, State::Dirty, Duration::ZERO).await?;
            s.clear_digest().await?;
            Ok(true)
        }
        .await;
        if !s.finish(claimed, "recording a dirty migration").await? {
            return Ok(None);
        }
        let duration = s.run_script_dirty(migration, migration.up(), Direction::Up).await?;
        s.mark_applied(migration.version(), duration).await?;
        Ok(Some(duration))
    }

    /// Single-transaction mode: the plan made again inside the transaction (from the history as
    /// it is there), then every step, then one commit. Foreign keys can only be turned off
    /// outside the transaction: that is decided from the plan made before it. Returns the plan
    /// the run followed.
    async fn apply_all_at_once<D: AsyncDriver + ?Sized>(
        &self,
        s: &mut Session<'_, D>,
        request: Request,
        foreign_keys_off: bool,
        report: &mut Report,
    ) -> Result<Planned> {
        let foreign_keys_off = s.foreign_keys_off(foreign_keys_off).await?;
        let outcome = async {
            s.begin().await?;
            let outcome = async {
                let history = History::new(self.migrations, s.read_history().await?);
                let planned = planner::plan(self.migrations, &history, request, self.rules())?;
                report.database_ahead.clone_from(&planned.database_ahead);
                report.skipped = planned.applied;
                let migrations: Vec<&Migration> =
                    planned.steps.iter().map(|step| &self.migrations[step.position]).collect();
                let rebuild = migrations.iter().find(|m| m.disables_foreign_keys());
                let mut ran = Vec::with_capacity(migrations.len());
                for &migration in &migrations {
                    let run = async {
                        let started = Instant::now();
                        s.run_script(migration, migration.up(), Direction::Up).await?;
                        let duration = started.elapsed();
                        s.insert(migration, State::Applied, duration).await?;
                        Ok(Some(duration))
                    };
                    let duration = self.observe(migration, Direction::Up, false, Done::AfterCommit, run).await?;
                    ran.push(Ran::new(migration, duration.unwrap_or_default()));
                }
                if let Some(rebuild) = rebuild.filter(|_| foreign_keys_off) {
                    s.check_foreign_keys(rebuild, rebuild.up()).await?;
                }
                s.clear_digest().await?;
                Ok((ran, planned))
            }
            .await;
            let (ran, planned) = s.finish(outcome, "committing the migrations").await?;
            report.ran = ran;
            for ran in &report.ran {
                if let Some(migration) = self.migrations.get(ran.version) {
                    emit(self.listener.as_ref(), &done_event(migration, Direction::Up, ran.duration));
                }
            }
            Ok(planned)
        }
        .await;
        s.restore_foreign_keys(foreign_keys_off, outcome).await
    }

    /// After a run: if the database now records exactly this binary's migrations, store the
    /// set's digest so that the next start is one query. Checked inside a transaction (and the
    /// lock), so a concurrent newer binary cannot slip a migration in between.
    async fn record_digest_if_complete<D: AsyncDriver + ?Sized>(&self, s: &mut Session<'_, D>) -> Result<()> {
        s.begin().await?;
        let outcome = async {
            let history = History::new(self.migrations, s.read_history().await?);
            if history.matches_exactly(self.migrations) {
                s.store_digest(self.migrations.digest()).await?;
            }
            Ok(())
        }
        .await;
        s.finish(outcome, "recording the migration set's digest").await
    }

    /// The options that change what a run may do, for the planner.
    fn rules(&self) -> Rules {
        Rules {
            allow_out_of_order: self.allow_out_of_order,
            allow_database_ahead: self.allow_database_ahead,
            single_transaction: self.single_transaction,
        }
    }

    pub(crate) async fn run_rollback<D: AsyncDriver + ?Sized>(&self, db: &mut D, target: Target) -> Result<Report> {
        let started = Instant::now();
        let mut session = self.session(db).await?;
        let keep = self.last_position(&target)?;
        session.pin_schema().await?;
        let mut report = locked!(self, session, self.rollback_locked(&mut session, keep))?;
        report.duration = started.elapsed();
        Ok(report)
    }

    async fn rollback_locked<D: AsyncDriver + ?Sized>(
        &self,
        s: &mut Session<'_, D>,
        keep: Option<usize>,
    ) -> Result<Report> {
        let history = self.settled_history(s).await?;
        let planned = planner::plan(self.migrations, &history, Request::Rollback { keep }, self.rules());
        let planned = s.explained(planned).await?;
        let mut report =
            Report { database_ahead: planned.database_ahead, direction: Direction::Down, ..Report::default() };
        self.run_steps(s, &planned.steps, &mut report).await?;
        Ok(report)
    }

    /// A down script outside a transaction: its row is marked dirty first and removed after, so
    /// a failure part-way stops later runs like a failed apply.
    async fn revert_without_transaction<D: AsyncDriver + ?Sized>(
        s: &mut Session<'_, D>,
        migration: &Migration,
        down: &Script,
    ) -> Result<Option<Duration>> {
        s.begin().await?;
        let claimed = async {
            if s.state_of(migration.version()).await? != Some(State::Applied) {
                return Ok(false);
            }
            s.mark_dirty(migration.version()).await?;
            s.clear_digest().await?;
            Ok(true)
        }
        .await;
        if !s.finish(claimed, "recording a dirty migration").await? {
            return Ok(None);
        }
        let duration = s.run_script_dirty(migration, down, Direction::Down).await?;
        s.delete(migration.version()).await?;
        Ok(Some(duration))
    }

    /// The tracking table's rows, read without writing anything, and what the planner says of
    /// `request` (a `Dirty` refusal naming the invalid indexes its migration left). `status`
    /// (no request) also wants the invalid indexes when nothing is dirty.
    async fn inspect<D: AsyncDriver + ?Sized>(&self, db: &mut D, request: Option<Request>) -> Result<Inspected> {
        let mut session = self.session(db).await?;
        session.pin_schema().await?;
        let history = History::new(self.migrations, session.read_history().await?);
        let foreign_history = match history.rows.is_empty() {
            true => session.foreign_history().await?,
            false => None,
        };
        let planned = match request {
            Some(request @ Request::Apply { .. }) => planner::refuse_foreign_history(foreign_history.as_ref())
                .and_then(|()| planner::plan(self.migrations, &history, request, self.rules())),
            Some(request) => planner::plan(self.migrations, &history, request, self.rules()),
            None => history.check_dirty(self.migrations).map(|()| Planned::default()),
        };
        let planned = session.explained(planned).await;
        let invalid_indexes = match &planned {
            Err(Error::Dirty { invalid_indexes, .. }) => invalid_indexes.clone(),
            _ if request.is_none() => session.invalid_indexes().await,
            _ => Vec::new(),
        };
        Ok(Inspected { history, planned, invalid_indexes, foreign_history })
    }

    pub(crate) async fn run_status<D: AsyncDriver + ?Sized>(&self, db: &mut D) -> Result<Status> {
        let Inspected { history, invalid_indexes, foreign_history, .. } = self.inspect(db, None).await?;
        let migrations = self
            .migrations
            .iter()
            .zip(&history.row_of)
            .map(|(migration, row)| {
                let state = match row.map(|index| history.rows[index].clone()) {
                    None => MigrationState::Pending,
                    Some(row) if row.state == State::Dirty => MigrationState::Dirty(row),
                    Some(row) if row.checksum != migration.checksum() => MigrationState::Edited(row),
                    Some(row) => MigrationState::Applied(row),
                };
                StatusLine {
                    id: migration.id().to_owned(),
                    version: migration.version(),
                    name: migration.name().to_owned(),
                    state,
                }
            })
            .collect();
        let unknown = history.unknown.iter().map(|&index| history.rows[index].clone()).collect();
        Ok(Status { migrations, unknown, invalid_indexes, foreign_history })
    }

    pub(crate) async fn run_plan<D: AsyncDriver + ?Sized>(&self, db: &mut D, operation: Operation) -> Result<Plan> {
        let request = match operation {
            Operation::Apply(target) => Request::Apply { last: self.last_position(&target)? },
            Operation::Rollback(target) => Request::Rollback { keep: self.last_position(&target)? },
        };
        let planned = self.inspect(db, Some(request)).await?.planned?;
        let steps = planned
            .steps
            .iter()
            .filter_map(|step| {
                let migration = &self.migrations[step.position];
                let script = migration.script(step.direction)?;
                Some(PlanStep {
                    id: migration.id().to_owned(),
                    version: migration.version(),
                    name: migration.name().to_owned(),
                    direction: step.direction,
                    file: script.file().to_owned(),
                    statements: script.statements().iter().map(|s| s.sql().to_owned()).collect(),
                    no_transaction: step.protocol == Protocol::DirtyRow,
                })
            })
            .collect();
        Ok(Plan { steps })
    }

    /// Every refusal `apply` would make, without applying.
    pub(crate) async fn run_verify<D: AsyncDriver + ?Sized>(&self, db: &mut D) -> Result<()> {
        let request = Request::Apply { last: self.migrations.len().checked_sub(1) };
        self.inspect(db, Some(request)).await?.planned.map(drop)
    }

    pub(crate) async fn run_repair<D: AsyncDriver + ?Sized>(&self, db: &mut D) -> Result<RepairReport> {
        let mut session = self.session(db).await?;
        session.pin_schema().await?;
        locked!(self, session, self.repair_locked(&mut session))
    }

    async fn repair_locked<D: AsyncDriver + ?Sized>(&self, s: &mut Session<'_, D>) -> Result<RepairReport> {
        s.create_table().await?;
        s.begin().await?;
        let outcome = async {
            let mut report = RepairReport::default();
            for row in s.read_history().await? {
                let known = self.migrations.get(row.version);
                if row.state == State::Dirty {
                    s.delete(row.version).await?;
                    let id = known.map_or_else(|| row.id(), |m| m.id().to_owned());
                    report.dirty_cleared.push(id);
                } else if let Some(migration) = known.filter(|m| m.checksum() != row.checksum) {
                    s.update_checksum(row.version, migration.checksum()).await?;
                    report.checksums_updated.push(ChecksumUpdate {
                        migration: migration.id().to_owned(),
                        recorded: row.checksum,
                        now: migration.checksum().to_owned(),
                    });
                }
            }
            s.clear_digest().await?;
            Ok(report)
        }
        .await;
        let mut report = s.finish(outcome, "committing the repair").await?;
        report.invalid_indexes = s.invalid_indexes().await;
        Ok(report)
    }

    pub(crate) async fn run_baseline<D: AsyncDriver + ?Sized>(&self, db: &mut D, target: Target) -> Result<Report> {
        let started = Instant::now();
        let mut session = self.session(db).await?;
        let Some(last) = self.last_position(&target)? else { return Ok(Report::default()) };
        session.pin_schema().await?;
        let mut report = locked!(self, session, self.baseline_locked(&mut session, last))?;
        report.duration = started.elapsed();
        Ok(report)
    }

    async fn baseline_locked<D: AsyncDriver + ?Sized>(&self, s: &mut Session<'_, D>, last: usize) -> Result<Report> {
        let positions: Vec<usize> = (0..=last).collect();
        self.record_without_running(s, &positions, false, "committing the baseline").await?;
        Ok(Report { baselined: self.ids(&positions), ..Report::default() })
    }

    pub(crate) async fn run_adopt<D: AsyncDriver + ?Sized>(
        &self,
        db: &mut D,
        adopt: &adopt::Adopt<'_>,
    ) -> Result<AdoptReport> {
        let mut session = self.session(db).await?;
        session.pin_schema().await?;
        locked!(self, session, self.adopt_locked(&mut session, adopt))
    }

    async fn adopt_locked<D: AsyncDriver + ?Sized>(
        &self,
        s: &mut Session<'_, D>,
        adopt: &adopt::Adopt<'_>,
    ) -> Result<AdoptReport> {
        let rows = s.foreign_rows(adopt).await?;
        let adopted = adopt::adopted(adopt, self.migrations, &rows, self.allow_out_of_order)?;
        let written = self
            .record_without_running(s, &adopted.positions, true, "committing the adopted history")
            .await
            .map_err(|error| match error {
                Error::BaselineNotEmpty { table, rows } => Error::AdoptRefused {
                    tool: adopt.from().layout().tool(),
                    refused: vec![format!(
                        "strata's history (`{table}`) already records {rows} migration(s), and they do not begin with the ones {} records",
                        adopt.from()
                    )],
                },
                other => other,
            })?;
        Ok(AdoptReport {
            tool: adopt.from().layout().tool(),
            adopted: self.ids(&adopted.positions),
            forced: adopted.forced,
            already_adopted: !written,
        })
    }

    /// Records the migrations at `positions` as applied without running them (`baseline`,
    /// `adopt`), in one transaction. strata's history must be empty; with `same_is_done`, a
    /// history of exactly these is done already (`Ok(false)`, nothing written).
    async fn record_without_running<D: AsyncDriver + ?Sized>(
        &self,
        s: &mut Session<'_, D>,
        positions: &[usize],
        same_is_done: bool,
        committing: &'static str,
    ) -> Result<bool> {
        s.create_table().await?;
        s.begin().await?;
        let outcome = async {
            let history = s.read_history().await?;
            if !history.is_empty() {
                // Done already when strata's history begins with exactly these (later
                // migrations applied since, by strata, are no reason to refuse).
                let versions = positions.iter().map(|&position| self.migrations[position].version());
                let begins_with_them = history.len() >= positions.len()
                    && history.iter().take(positions.len()).map(|row| row.version).eq(versions);
                return match same_is_done && begins_with_them {
                    true => Ok(false),
                    false => Err(Error::BaselineNotEmpty { table: s.table.name().to_owned(), rows: history.len() }),
                };
            }
            for &position in positions {
                s.insert(&self.migrations[position], State::Applied, Duration::ZERO).await?;
            }
            Ok(true)
        }
        .await;
        s.finish(outcome, committing).await
    }

    /// The migrations at `positions`, as the user wrote them.
    fn ids(&self, positions: &[usize]) -> Vec<String> {
        positions.iter().map(|&position| self.migrations[position].id().to_owned()).collect()
    }
}

/// When [`Migrator::observe`] sends a migration's `Applied` or `RolledBack`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Done {
    /// When its work returns: that work committed it.
    Committed,
    /// Later, from the caller: a transaction around several migrations commits them.
    AfterCommit,
}

fn done_event(migration: &Migration, direction: Direction, duration: Duration) -> Event<'_> {
    match direction {
        Direction::Up => Event::Applied { migration, duration },
        Direction::Down => Event::RolledBack { migration, duration },
    }
}
