//! The lock held while migrations run, so that replicas starting together never apply one twice.

use crate::driver::{AsyncDriver, Dialect, Param, Value};
use crate::error::{Error, Result};
use crate::session::Session;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// How a migrator keeps other migrators out while it runs.
///
/// | | held by | a killed migrator blocks the next start for | use it |
/// |---|---|---|---|
/// | [`Lock::Session`] (default) | the connection: PostgreSQL's advisory lock, MySQL's `GET_LOCK`; SQLite's write lock, per migration | nothing: the server frees it when the connection drops | on a direct connection or a session-mode pool |
/// | [`Lock::Lease`] | a row of `<table>_lock`, with an owner and an expiry from the database's clock, renewed before every statement | at most the `ttl` | behind PgBouncer in transaction mode, on CockroachDB, or wherever a connection's session is not yours |
/// | [`Lock::None`] | nobody | nothing | when runs are serialised already (one deploy job) |
///
/// On SQLite every migration already runs in a `BEGIN IMMEDIATE` transaction that re-reads the
/// tracking table, so `Session` takes nothing more.
///
/// ```
/// use std::time::Duration;
/// # static MIGRATIONS: strata::Migrations = strata::embed_migrations!("../migrations");
/// let mut conn = rusqlite::Connection::open_in_memory()?;
/// let migrator = MIGRATIONS.migrator().lock(strata::Lock::Lease { ttl: Duration::from_secs(30) });
/// migrator.apply(&mut conn)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Lock {
    /// The database's session lock, held for the whole run.
    #[default]
    Session,
    /// A lease row in `<table>_lock`, which expires `ttl` after its last renewal. `ttl` must be
    /// longer than the longest statement of any migration.
    Lease {
        /// How long the lease lasts without renewal.
        ttl: Duration,
    },
    /// No lock.
    None,
}

/// A lease this run holds.
#[derive(Debug)]
pub(crate) struct Lease {
    owner: String,
    ttl: Duration,
    renewed: Instant,
}

/// What [`acquire`] took, for [`release`].
#[derive(Debug)]
pub(crate) enum Held {
    Nothing,
    Advisory(i64),
    Named(String),
    Lease,
}

/// How often a waiting migrator asks again: often enough that a freed lock is taken at once,
/// rarely enough to cost the server nothing.
const POLL: Duration = Duration::from_millis(100);

/// MySQL's `GET_LOCK` wants a finite timeout; this one means "wait".
const FOREVER_SECONDS: i64 = 365 * 24 * 3600;

/// A stable 64-bit key for the tracking table: the advisory lock's key and the named lock's name.
/// FNV-1a: any stable hash does, and this one needs no dependency.
pub(crate) fn key(table: &str) -> i64 {
    let hash = format!("strata:{table}")
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3));
    i64::from_ne_bytes(hash.to_ne_bytes())
}

impl<D: AsyncDriver + ?Sized> Session<'_, D> {
    /// Takes `lock`, waiting at most `timeout` (forever when `None`).
    pub(crate) async fn acquire(&mut self, lock: Lock, timeout: Option<Duration>) -> Result<Held> {
        let started = Instant::now();
        let key = key(&self.table.quoted(""));
        match (lock, self.dialect()) {
            (Lock::None, _) | (Lock::Session, Dialect::Sqlite) => Ok(Held::Nothing),
            (Lock::Session, Dialect::Postgres) => {
                let Some(timeout) = timeout else {
                    self.execute_with(
                        "SELECT pg_advisory_lock(CAST($1 AS BIGINT))",
                        &[Param::Integer(key)],
                        "taking the lock",
                    )
                    .await?;
                    return Ok(Held::Advisory(key));
                };
                let sql = "SELECT CAST(CASE WHEN pg_try_advisory_lock(CAST($1 AS BIGINT)) THEN 1 ELSE 0 END AS BIGINT)";
                loop {
                    if self.query_value(sql, &[Param::Integer(key)], "taking the lock").await?
                        == Some(Value::Integer(1))
                    {
                        return Ok(Held::Advisory(key));
                    }
                    self.wait(started, timeout, || format!("PostgreSQL advisory lock {key}")).await?;
                }
            }
            (Lock::Session, Dialect::Mysql) => {
                let name = format!("strata_{key:016x}");
                let seconds =
                    timeout.map_or(FOREVER_SECONDS, |t| i64::try_from(t.as_secs().max(1)).unwrap_or(i64::MAX));
                let sql = "SELECT CAST(GET_LOCK(?, ?) AS SIGNED)";
                let got =
                    self.query_value(sql, &[Param::Text(&name), Param::Integer(seconds)], "taking the lock").await?;
                match got {
                    Some(Value::Integer(1)) => Ok(Held::Named(name)),
                    _ => Err(Error::LockTimeout { lock: format!("MySQL lock `{name}`"), waited: started.elapsed() }),
                }
            }
            (Lock::Lease { ttl }, _) => self.take_lease(ttl, started, timeout).await,
        }
    }

    /// Releases what [`acquire`](Self::acquire) took.
    pub(crate) async fn release(&mut self, held: Held) -> Result<()> {
        match held {
            Held::Nothing => Ok(()),
            Held::Advisory(key) => self
                .execute_with(
                    "SELECT pg_advisory_unlock(CAST($1 AS BIGINT))",
                    &[Param::Integer(key)],
                    "releasing the lock",
                )
                .await
                .map(drop),
            Held::Named(name) => self
                .query("SELECT CAST(RELEASE_LOCK(?) AS SIGNED)", &[Param::Text(&name)], "releasing the lock")
                .await
                .map(drop),
            Held::Lease => {
                let Some(lease) = self.lease.take() else { return Ok(()) };
                let sql = format!(
                    "DELETE FROM {} WHERE id = 1 AND owner = {}",
                    self.table.quoted("_lock"),
                    self.table.text(1)
                );
                self.execute_with(&sql, &[Param::Text(&lease.owner)], "releasing the lease").await.map(drop)
            }
        }
    }

    async fn take_lease(&mut self, ttl: Duration, started: Instant, timeout: Option<Duration>) -> Result<Held> {
        let lock = self.table.quoted("_lock");
        let owner = owner();
        let create = format!(
            "CREATE TABLE IF NOT EXISTS {lock} (id INTEGER PRIMARY KEY CHECK (id = 1), owner {} NOT NULL, expires_ms BIGINT NOT NULL)",
            if self.dialect() == Dialect::Mysql { "VARCHAR(128)" } else { "TEXT" }
        );
        if let Err(error) = self.execute(&create, "creating the lease table").await {
            // Two migrators may race to create it: the loser finds it made.
            if !self.exists("_lock").await.unwrap_or(false) {
                return Err(error);
            }
        }
        let seed = match self.dialect() {
            Dialect::Sqlite => format!("INSERT OR IGNORE INTO {lock} (id, owner, expires_ms) VALUES (1, '', 0)"),
            Dialect::Postgres => {
                format!("INSERT INTO {lock} (id, owner, expires_ms) VALUES (1, '', 0) ON CONFLICT (id) DO NOTHING")
            }
            Dialect::Mysql => format!("INSERT IGNORE INTO {lock} (id, owner, expires_ms) VALUES (1, '', 0)"),
        };
        self.execute(&seed, "creating the lease").await?;
        let now = now_ms(self.dialect());
        let take = format!(
            "UPDATE {lock} SET owner = {owner_param}, expires_ms = {now} + {ttl_param} WHERE id = 1 AND expires_ms < {now}",
            owner_param = self.table.text(1),
            ttl_param = self.table.int(2),
        );
        let params = [Param::Text(&owner), Param::Integer(crate::tracking::millis(ttl))];
        loop {
            if self.execute_with(&take, &params, "taking the lease").await? == 1 {
                self.lease = Some(Lease { owner, ttl, renewed: Instant::now() });
                return Ok(Held::Lease);
            }
            let timeout = timeout.unwrap_or(Duration::MAX);
            self.wait(started, timeout, || format!("the lease {lock}")).await?;
        }
    }

    /// Renews the lease when a third of its ttl has passed since the last renewal.
    pub(crate) async fn renew_lease(&mut self) -> Result<()> {
        let Some(lease) = self.lease.as_ref().filter(|lease| lease.renewed.elapsed() >= lease.ttl / 3) else {
            return Ok(());
        };
        let lock = self.table.quoted("_lock");
        let sql = format!(
            "UPDATE {lock} SET expires_ms = {now} + {ttl} WHERE id = 1 AND owner = {owner}",
            now = now_ms(self.dialect()),
            ttl = self.table.int(1),
            owner = self.table.text(2),
        );
        let owner = lease.owner.clone();
        let params = [Param::Integer(crate::tracking::millis(lease.ttl)), Param::Text(&owner)];
        if self.execute_with(&sql, &params, "renewing the lease").await? == 0 {
            self.lease = None;
            return Err(Error::LockLost { lock: format!("the lease {lock}") });
        }
        if let Some(lease) = self.lease.as_mut() {
            lease.renewed = Instant::now();
        }
        Ok(())
    }

    /// Waits before asking for the lock again, or fails once `timeout` has passed.
    async fn wait(&mut self, started: Instant, timeout: Duration, lock: impl FnOnce() -> String) -> Result<()> {
        if started.elapsed() >= timeout {
            return Err(Error::LockTimeout { lock: lock(), waited: started.elapsed() });
        }
        self.pause(POLL.min(timeout.saturating_sub(started.elapsed()))).await
    }

    /// Releases `held` after `outcome`, on every exit: success, error and panic (after rolling
    /// back whatever transaction the panic left open, where the unlock would be refused).
    pub(crate) async fn release_after<T>(&mut self, held: Held, outcome: std::thread::Result<Result<T>>) -> Result<T> {
        match outcome {
            Ok(result) => {
                let released = self.release(held).await;
                let value = result?;
                released?;
                Ok(value)
            }
            Err(panic) => {
                self.rollback().await;
                let _ = self.release(held).await;
                std::panic::resume_unwind(panic)
            }
        }
    }
}

/// The database's clock in milliseconds since 1970: a lease expires by the server's time, so
/// that migrators on machines whose clocks disagree still agree.
fn now_ms(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)",
        Dialect::Postgres => "CAST(extract(epoch FROM clock_timestamp()) * 1000 AS BIGINT)",
        Dialect::Mysql => "CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)",
    }
}

/// Who holds a lease: this process, and this run within it.
fn owner() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    format!("{}:{}:{}", std::process::id(), since_epoch.as_nanos(), RUNS.fetch_add(1, Ordering::Relaxed))
}

/// `future`, with a panic while polling it turned into an `Err`.
pub(crate) fn catch_unwind<F: Future>(future: F) -> CatchUnwind<F> {
    CatchUnwind(Box::pin(future))
}

/// A future that turns a panic while polling its inner future into an `Err`.
pub(crate) struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = std::thread::Result<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.0.as_mut();
        match std::panic::catch_unwind(AssertUnwindSafe(move || inner.poll(cx))) {
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_stable_and_differs_by_table() {
        assert_eq!(key("\"strata_migrations\""), key("\"strata_migrations\""));
        assert_ne!(key("\"a\""), key("\"b\""));
        // Pinned: replicas built by different strata versions must agree.
        assert_eq!(key(""), 7_150_155_381_844_865_170);
    }
}
