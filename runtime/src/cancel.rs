//! Stopping a run from outside it: a handle a signal handler can trigger, and the drivers' ways
//! of interrupting the statement in flight.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// A way to interrupt the statement a connection is running, from another thread: SQLite's
/// interrupt, PostgreSQL's cancel request, MySQL's `KILL QUERY` on a second connection.
///
/// Drivers give one through [`Driver::interrupter`](crate::Driver::interrupter); an application
/// can add its own with [`Cancel::with_interrupt`].
///
/// ```
/// let conn = rusqlite::Connection::open_in_memory()?;
/// let handle = conn.get_interrupt_handle();
/// let interrupt = strata::Interrupt::new(move || handle.interrupt());
/// # drop(interrupt);
/// # Ok::<(), rusqlite::Error>(())
/// ```
pub struct Interrupt(Box<dyn Fn() + Send + Sync>);

impl Interrupt {
    /// An interrupt that calls `interrupt`. It may be called while no statement runs, and more
    /// than once: it must do nothing harmful then.
    pub fn new(interrupt: impl Fn() + Send + Sync + 'static) -> Self {
        Self(Box::new(interrupt))
    }

    fn fire(&self) {
        (self.0)();
    }
}

impl fmt::Debug for Interrupt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Interrupt")
    }
}

/// Stops a run from another thread: a signal handler, a shutdown hook, a test.
///
/// Give it to a migrator with [`Migrator::cancel_with`](crate::Migrator::cancel_with). Once
/// [`cancel`](Self::cancel) is called, no further statement starts, the statement in flight is
/// interrupted where the driver can (SQLite, `postgres`, and whatever
/// [`with_interrupt`](Self::with_interrupt) adds), the migration's transaction is rolled back, the
/// lock is released, and the run ends with [`Error::Cancelled`](crate::Error::Cancelled), which
/// says whether the migration it stopped in was left dirty. A run waiting for the lock stops
/// waiting. A handle stays cancelled: make a new one for the next run.
///
/// ```
/// # static MIGRATIONS: strata::Migrations = strata::embed_migrations!("../migrations");
/// let cancel = strata::Cancel::new();
/// // In the application's own signal handler (ctrlc, tokio::signal, …):
/// let from_handler = cancel.clone();
/// from_handler.cancel();
///
/// let mut conn = rusqlite::Connection::open_in_memory()?;
/// let error = MIGRATIONS.migrator().cancel_with(&cancel).apply(&mut conn).unwrap_err();
/// assert!(matches!(error, strata::Error::Cancelled { .. }));
/// # Ok::<(), rusqlite::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Cancel(Arc<Shared>);

#[derive(Default)]
struct Shared {
    cancelled: AtomicBool,
    /// The running connection's interrupt, while a run is under way.
    armed: Mutex<Option<Interrupt>>,
    /// The application's own, called on every cancel.
    extra: Mutex<Option<Interrupt>>,
}

impl Cancel {
    /// A handle that has not been cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an interrupt of the application's own, called by [`cancel`](Self::cancel) besides
    /// the driver's: for a driver that has none (a `mysql::Conn`, whose options strata cannot
    /// read back, can be interrupted by `KILL QUERY <connection id>` on a second connection).
    #[must_use]
    pub fn with_interrupt(self, interrupt: Interrupt) -> Self {
        *self.0.extra.lock().unwrap_or_else(PoisonError::into_inner) = Some(interrupt);
        self
    }

    /// Stops the run: see [`Cancel`].
    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::SeqCst);
        for slot in [&self.0.armed, &self.0.extra] {
            if let Some(interrupt) = slot.lock().unwrap_or_else(PoisonError::into_inner).as_ref() {
                interrupt.fire();
            }
        }
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }

    /// Holds `interrupt` for the run's length: a cancel meanwhile fires it.
    pub(crate) fn arm(&self, interrupt: Option<Interrupt>) -> Armed {
        *self.0.armed.lock().unwrap_or_else(PoisonError::into_inner) = interrupt;
        Armed(self.clone())
    }
}

impl fmt::Debug for Cancel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cancel").field("cancelled", &self.is_cancelled()).finish_non_exhaustive()
    }
}

/// Disarms the run's interrupt when the run ends, however it ends: a later cancel must not
/// interrupt the connection's next, unrelated statement.
pub(crate) struct Armed(Cancel);

impl Drop for Armed {
    fn drop(&mut self) {
        *self.0.0.armed.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn a_cancel_fires_the_armed_interrupt_and_the_application_s_until_the_run_ends() {
        let fired = Arc::new(AtomicUsize::new(0));
        let counter = |fired: &Arc<AtomicUsize>| {
            let fired = Arc::clone(fired);
            Interrupt::new(move || {
                fired.fetch_add(1, Ordering::SeqCst);
            })
        };
        let cancel = Cancel::new().with_interrupt(counter(&fired));
        assert!(!cancel.is_cancelled());
        let armed = cancel.arm(Some(counter(&fired)));
        cancel.cancel();
        assert!(cancel.is_cancelled());
        assert_eq!(fired.load(Ordering::SeqCst), 2, "the driver's and the application's");
        drop(armed);
        cancel.cancel();
        assert_eq!(fired.load(Ordering::SeqCst), 3, "only the application's once the run is over");
    }
}
