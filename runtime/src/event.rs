//! What the migrator reports while it works: events for a callback, and `tracing` spans and
//! events behind the `tracing` feature.

use crate::error::{Direction, Error};
use crate::migration::Migration;
use std::sync::Arc;
use std::time::Duration;

/// Something that happened to one migration, or to the run waiting for its lock.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// The run has waited a second for another migrator's lock, and waits on; sent again every
    /// ten seconds while it waits.
    Waiting {
        /// The lock: `PostgreSQL advisory lock 42`, ``MySQL lock `strata_…` ``, ``the lease `…` ``.
        lock: &'a str,
        /// Who holds it, as far as the database tells: its connection, where from, what it runs
        /// and since when (PostgreSQL's `pg_stat_activity`, MySQL's process list, the lease's row).
        holder: Option<&'a str>,
        /// How long the run has waited so far.
        waited: Duration,
    },
    /// A migration's up or down script is about to run.
    Started {
        /// The migration.
        migration: &'a Migration,
        /// Up (apply) or down (rollback).
        direction: Direction,
    },
    /// A migration was applied and recorded, and both committed. With `single_transaction()`,
    /// every migration's `Applied` comes after the one commit.
    Applied {
        /// The migration.
        migration: &'a Migration,
        /// How long it took.
        duration: Duration,
    },
    /// A migration was rolled back and its row removed.
    RolledBack {
        /// The migration.
        migration: &'a Migration,
        /// How long it took.
        duration: Duration,
    },
    /// A migration failed. Its transaction was rolled back, unless it ran outside one
    /// (`left_dirty`).
    Failed {
        /// The migration.
        migration: &'a Migration,
        /// Up (apply) or down (rollback).
        direction: Direction,
        /// How long it ran before failing.
        duration: Duration,
        /// What went wrong.
        error: &'a Error,
        /// Whether it ran outside a transaction (`strata:no-transaction`, or MySQL's DDL under
        /// the dirty row): what its statements did stays, its row is dirty, and later runs
        /// refuse until `repair` (see [`Error::Dirty`]).
        left_dirty: bool,
    },
}

/// The callback given to `on_event`.
pub(crate) type Listener = Arc<dyn Fn(&Event<'_>) + Send + Sync>;

pub(crate) fn emit(listener: Option<&Listener>, event: &Event<'_>) {
    #[cfg(feature = "tracing")]
    trace(event);
    if let Some(listener) = listener {
        listener(event);
    }
}

/// The `tracing` target of every span and event: the crate users name, not the one that
/// happens to implement it.
#[cfg(feature = "tracing")]
const TARGET: &str = "strata";

#[cfg(feature = "tracing")]
fn trace(event: &Event<'_>) {
    match event {
        Event::Waiting { lock, holder, waited } => {
            tracing::warn!(target: TARGET, lock, holder = holder.unwrap_or("unknown"), waited_ms = waited.as_millis() as u64, "waiting for the migration lock");
        }
        Event::Started { migration, direction } => {
            tracing::info!(target: TARGET, migration = migration.id(), version = migration.version(), %direction, "migration started");
        }
        Event::Applied { migration, duration } | Event::RolledBack { migration, duration } => {
            let done = if matches!(event, Event::Applied { .. }) { "applied" } else { "rolled back" };
            tracing::info!(
                target: TARGET,
                migration = migration.id(),
                version = migration.version(),
                duration_ms = duration.as_millis() as u64,
                "migration {done}"
            );
        }
        Event::Failed { migration, direction, duration, error, left_dirty } => {
            tracing::error!(target: TARGET, migration = migration.id(), version = migration.version(), %direction, duration_ms = duration.as_millis() as u64, error = crate::error::with_causes(error), left_dirty, "migration failed");
        }
    }
}

/// Runs `future` inside a `tracing` span for one migration (as it is without the feature). The
/// span is entered at every poll, so it follows the future across threads and awaits.
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
pub(crate) fn in_span<F: std::future::Future>(
    migration: &Migration,
    direction: Direction,
    future: F,
) -> impl std::future::Future<Output = F::Output> {
    #[cfg(feature = "tracing")]
    {
        let span = tracing::info_span!(target: TARGET, "strata.migration", migration = migration.id(), version = migration.version(), %direction);
        tracing::Instrument::instrument(future, span)
    }
    #[cfg(not(feature = "tracing"))]
    {
        future
    }
}
