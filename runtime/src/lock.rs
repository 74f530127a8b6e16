//! The lock held while migrations run, so that replicas starting together never apply one twice.

use crate::driver::{AsyncDriver, Param, Value};
use crate::error::{Error, Result};
use crate::event::{Event, emit};
use crate::session::{Keepalive, Session};
use crate::sql::{SessionLock, SessionLockOn, params};
use std::time::{Duration, Instant};

/// How a migrator keeps other migrators out while it runs.
///
/// | | held by | a killed migrator blocks the next start for | use it |
/// |---|---|---|---|
/// | [`Lock::Session`] (default) | the connection: PostgreSQL's advisory lock, MySQL's `GET_LOCK`; SQLite's write lock, per migration | until the server ends the connection: at once on a kill, after the statement in flight for a PostgreSQL client that died mid-statement (the CLI cancels it on Ctrl-C) | on a direct connection or a session-mode pool |
/// | [`Lock::Lease`] | a row of `<table>_lock`, with an owner and an expiry from the database's clock, renewed between migrations | at most the `ttl` | behind PgBouncer in transaction mode, on CockroachDB, or wherever a connection's session is not yours |
/// | [`Lock::None`] | nobody | nothing | when runs are serialised already (one deploy job) |
///
/// A waiting migrator tries the lock with a statement that returns at once and waits between
/// tries outside any statement (ten tries a second): a waiter blocked inside a statement would
/// hold a snapshot open, which a `CREATE INDEX CONCURRENTLY` in the holder's migration waits for,
/// and the server would break the deadlock by failing one of them (golang-migrate #960, Flyway
/// #1654). After a second of waiting it sends [`Event::Waiting`](crate::Event::Waiting), naming
/// who holds the lock. A session lock that this connection still holds from a run that never
/// finished (an async run whose future was dropped, on a pooled connection) is freed by the next
/// run on that connection.
///
/// On SQLite every migration already runs in a `BEGIN IMMEDIATE` transaction that re-reads the
/// tracking table, so `Session` takes nothing more; a run that finds the dirty row of a
/// `no-transaction` migration another migrator may be running waits for it as long as the busy
/// timeout, then refuses it.
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
    /// A lease row in `<table>_lock`, which expires `ttl` after its last renewal. It is renewed
    /// between migrations and between the statements of one that runs outside a transaction,
    /// never inside a transaction (a waiter would queue behind it), so `ttl` must be longer than
    /// the longest migration that runs in a transaction (the whole run, with
    /// `single_transaction()`) and than the longest statement of one that runs outside. A
    /// released lease stays as a row that has expired, and the next try takes it.
    Lease {
        /// How long the lease lasts without renewal.
        ttl: Duration,
    },
    /// No lock.
    None,
}

/// What [`acquire`](Session::acquire) took, for [`release`](Session::release).
#[derive(Debug)]
pub(crate) enum Held {
    Nothing,
    /// A session lock (PostgreSQL's advisory lock, MySQL's named lock).
    Session(SessionLockOn),
    /// The lease, by its owner; the session renews it through the keepalive taking it installed.
    Lease(String),
}

/// How often a waiting migrator asks again: often enough that a freed lock is taken at once,
/// rarely enough to cost the server nothing.
const POLL: Duration = Duration::from_millis(100);

/// When a waiting run first says that it waits, and how often after that.
const FIRST_WAITING_EVENT: Duration = Duration::from_secs(1);
const WAITING_EVENT_EVERY: Duration = Duration::from_secs(10);

/// How many times one connection may have taken the same session lock: PostgreSQL's and
/// MySQL's locks count re-entries, and a run whose future was dropped leaves one behind.
const MAX_LEFT_BEHIND: usize = 1_000;

/// How many late cancel requests a release survives: one per interrupt a cancel fires (the
/// driver's and the application's), and one more.
const LATE_CANCELS: usize = 3;

/// A stable 64-bit key for the tracking table: the advisory lock's key and the named lock's name.
/// FNV-1a: any stable hash does, and this one needs no dependency.
pub(crate) fn key(table: &str) -> i64 {
    let hash = format!("strata:{table}")
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3));
    i64::from_ne_bytes(hash.to_ne_bytes())
}

/// One wait for a lock: how long it has lasted, when it last said so, and when it gives up.
struct Waiting {
    started: Instant,
    timeout: Option<Duration>,
    next_event: Duration,
}

impl Waiting {
    fn new(timeout: Option<Duration>) -> Self {
        Self { started: Instant::now(), timeout, next_event: FIRST_WAITING_EVENT }
    }
}

/// Where to find who holds the lock a run waits for.
#[derive(Clone, Copy)]
enum Holder<'a> {
    /// The session lock's query of `pg_stat_activity` or the process list, and its parameters.
    Backend(&'static SessionLock, &'a [Param<'a>]),
    /// The lease's row.
    Lease(&'a str),
}

impl<D: AsyncDriver + ?Sized> Session<'_, D> {
    /// Takes `lock`, waiting at most `timeout` (forever when `None`). Every wait is a try that
    /// returns at once followed by a pause outside any statement: a waiter blocked inside one
    /// would hold a snapshot, which a `CREATE INDEX CONCURRENTLY` in the holder's migration waits
    /// for, and the server's deadlock detector would then kill one of the two.
    pub(crate) async fn acquire(&mut self, lock: Lock, timeout: Option<Duration>) -> Result<Held> {
        self.stop_if_cancelled()?;
        let mut waiting = Waiting::new(timeout);
        let key = key(&self.table.quoted(""));
        match lock {
            Lock::None => Ok(Held::Nothing),
            // SQLite's: the write lock each migration's transaction takes.
            Lock::Session => match self.table.sql().session_lock(key) {
                None => Ok(Held::Nothing),
                Some(on) => {
                    self.take_session_lock(&on, &mut waiting).await?;
                    Ok(Held::Session(on))
                }
            },
            Lock::Lease { ttl } => self.take_lease(ttl, &mut waiting).await,
        }
    }

    /// Releases what [`acquire`](Self::acquire) took.
    pub(crate) async fn release(&mut self, held: &Held) -> Result<()> {
        match held {
            Held::Nothing => Ok(()),
            Held::Session(on) => self.query(on.sql.unlock, &params(&on.lock), "releasing the lock").await.map(drop),
            Held::Lease(owner) => {
                if self.keepalive.take().is_none() {
                    // Lost, and said so when the renewal found it.
                    return Ok(());
                }
                // The row stays, expired: a waiter's next try takes it at once.
                let sql = format!(
                    "UPDATE {} SET owner = '', expires_ms = 0 WHERE id = 1 AND owner = {}",
                    self.table.quoted("_lock"),
                    self.table.text(1)
                );
                self.execute_with(&sql, &[Param::Text(owner)], "releasing the lease").await.map(drop)
            }
        }
    }

    /// [`release`](Self::release), again after a failure while the run is cancelled: a cancel
    /// request reaches the server on a connection of its own and may land after the statement it
    /// was for, on the rollback or on this release. Each such landing fails one statement only.
    async fn release_even_if_cancelled(&mut self, held: &Held) -> Result<()> {
        let mut tries = 0;
        loop {
            match self.release(held).await {
                Err(_) if self.cancelled() && tries < LATE_CANCELS => {
                    tries += 1;
                    self.rollback().await;
                }
                released => return released,
            }
        }
    }

    /// Frees what a dropped run of this connection left, then tries until the lock is taken.
    async fn take_session_lock(&mut self, on: &SessionLockOn, waiting: &mut Waiting) -> Result<()> {
        let (lock, lookup) = (params(&on.lock), params(&on.lookup));
        if self.count(on.sql.held_here, &lookup, "looking at the lock").await? > 0 {
            self.free_left_behind(on.sql.unlock, &lock).await?;
        }
        while !self.try_lock(on.sql.try_lock, &lock).await? {
            self.wait(waiting, &on.what, Holder::Backend(on.sql, &lookup)).await?;
        }
        Ok(())
    }

    async fn try_lock(&mut self, sql: &str, params: &[Param<'_>]) -> Result<bool> {
        Ok(self.query_value(sql, params, "taking the lock").await? == Some(Value::Integer(1)))
    }

    /// Unlocks, for as many times as it was taken, a session lock this connection holds from a
    /// run that never finished (an async run whose future was dropped, on a pooled connection):
    /// no run of strata's is under way on a connection that starts one, so it is nobody's.
    /// The transaction such a run may have left open is its own: rolled back first.
    async fn free_left_behind(&mut self, unlock: &str, params: &[Param<'_>]) -> Result<()> {
        self.rollback().await;
        for _ in 0..MAX_LEFT_BEHIND {
            if self.query_value(unlock, params, "releasing a lock left behind").await? != Some(Value::Integer(1)) {
                break;
            }
        }
        Ok(())
    }

    async fn take_lease(&mut self, ttl: Duration, waiting: &mut Waiting) -> Result<Held> {
        let lock = self.table.quoted("_lock");
        let owner = owner();
        let create = format!(
            "CREATE TABLE IF NOT EXISTS {lock} (id INTEGER PRIMARY KEY CHECK (id = 1), owner {} NOT NULL, expires_ms BIGINT NOT NULL)",
            self.table.sql().digest_and_owner_types().1
        );
        if let Err(error) = self.execute(&create, "creating the lease table").await {
            // Two migrators may race to create it: the loser finds it made.
            if !self.exists("_lock").await.unwrap_or(false) {
                return Err(error);
            }
        }
        // The row, made once; the take, which succeeds only on an expired (or released) lease.
        // Each its own statement, so that a waiter holds nothing between two tries.
        let seed = self.table.sql().insert_if_absent(&lock, "id, owner, expires_ms", "1, '', 0");
        let now = self.table.sql().now_ms();
        let take = format!(
            "UPDATE {lock} SET owner = {owner_param}, expires_ms = {now} + {ttl_param} WHERE id = 1 AND expires_ms < {now}",
            owner_param = self.table.text(1),
            ttl_param = self.table.int(2),
        );
        let params = [Param::Text(&owner), Param::Integer(crate::history::millis(ttl))];
        let state = format!("SELECT owner, expires_ms - {now} FROM {lock} WHERE id = 1");
        let what = format!("the lease {lock}");
        loop {
            // A read first: it never queues behind the holder's transaction (SQLite's write lock
            // included), and only a lease that has expired, or was released, is worth a write.
            let held = match self.query_raw(&state, &[]).await {
                Ok(rows) => match rows.first().and_then(|row| row.get(1)) {
                    Some(Value::Integer(left_ms)) => *left_ms >= 0,
                    _ => {
                        // No row: a release by an older strata deleted it.
                        self.execute(&seed, "creating the lease").await?;
                        false
                    }
                },
                // SQLite: the holder is committing; ask again.
                Err(error) if error.is_busy() => true,
                Err(error) => return Err(crate::error::database("reading the lease")(error)),
            };
            if !held {
                match self.execute_raw(&take, &params).await {
                    Ok(1) => {
                        self.keepalive = Some(self.lease_renewal(&owner, ttl));
                        return Ok(Held::Lease(owner));
                    }
                    Ok(_) => {}
                    // SQLite: another migrator's transaction has the write lock for longer than
                    // the busy timeout; ask again.
                    Err(error) if error.is_busy() => {}
                    Err(error) => return Err(crate::error::database("taking the lease")(error)),
                }
            }
            self.wait(waiting, &what, Holder::Lease(&state)).await?;
        }
    }

    /// The lease's renewal, run by the session between statements outside its transactions
    /// once a third of the ttl has passed since the last.
    fn lease_renewal(&self, owner: &str, ttl: Duration) -> Keepalive {
        let lock = self.table.quoted("_lock");
        let sql = format!(
            "UPDATE {lock} SET expires_ms = {now} + {ttl} WHERE id = 1 AND owner = {owner}",
            now = self.table.sql().now_ms(),
            ttl = self.table.int(1),
            owner = self.table.text(2),
        );
        Keepalive {
            sql,
            integer: crate::history::millis(ttl),
            text: owner.to_owned(),
            every: ttl / 3,
            last: Instant::now(),
            lock: format!("the lease {lock}"),
        }
    }

    /// Between two tries: fails once the timeout has passed or the run is cancelled, says that
    /// the run waits (naming the holder, as `describe` finds it) once a second has passed and
    /// every ten seconds after, then pauses outside any statement.
    async fn wait(&mut self, waiting: &mut Waiting, lock: &str, holder: Holder<'_>) -> Result<()> {
        self.stop_if_cancelled()?;
        let waited = waiting.started.elapsed();
        let timeout = waiting.timeout.unwrap_or(Duration::MAX);
        if waited >= timeout {
            return Err(Error::LockTimeout { lock: lock.to_owned(), waited });
        }
        if waited >= waiting.next_event {
            waiting.next_event = waited + WAITING_EVENT_EVERY;
            let holder = match holder {
                Holder::Backend(lock, params) => self.describe_backend(lock, params).await,
                Holder::Lease(sql) => self.describe_lease(sql).await,
            };
            let event = Event::Waiting { lock, holder: holder.as_deref(), waited };
            emit(self.listener.as_ref(), &event);
        }
        self.pause(POLL.min(timeout.saturating_sub(waited))).await;
        Ok(())
    }

    /// A session lock's holder, from `pg_stat_activity` or MySQL's process list: `None` when the
    /// database will not say (no privilege, or it was just released).
    async fn describe_backend(&mut self, lock: &SessionLock, params: &[Param<'_>]) -> Option<String> {
        {
            let rows = self.query(lock.holder, params, "looking for the lock's holder").await.ok()?;
            let row = rows.into_iter().next()?;
            let text = |value: &Value| match value {
                Value::Text(text) => text.clone(),
                Value::Integer(n) => n.to_string(),
                _ => String::new(),
            };
            let row = <[Value; 6]>::try_from(row).ok()?;
            let [id, who, from, state, seconds, query] = row.each_ref().map(text);
            Some(holder(lock.connection, [&id, &who, &from, &state, &seconds, &query]))
        }
    }

    /// A lease's holder, from its row.
    async fn describe_lease(&mut self, sql: &str) -> Option<String> {
        {
            let rows = self.query(sql, &[], "looking for the lease's holder").await.ok()?;
            let mut row = rows.into_iter().next()?.into_iter();
            let (Some(Value::Text(owner)), Some(Value::Integer(left_ms))) = (row.next(), row.next()) else {
                return None;
            };
            Some(format!("`{owner}`, whose lease expires in {:.1} s unless renewed", left_ms.max(0) as f64 / 1000.0))
        }
    }

    /// Releases `held` after `outcome`, on every exit: success, error and panic (after rolling
    /// back whatever transaction the panic left open, where the unlock would be refused).
    pub(crate) async fn release_after<T>(&mut self, held: Held, outcome: std::thread::Result<Result<T>>) -> Result<T> {
        match outcome {
            Ok(result) => {
                let released = self.release_even_if_cancelled(&held).await;
                let value = result?;
                released?;
                Ok(value)
            }
            Err(panic) => {
                self.rollback().await;
                let _ = self.release_even_if_cancelled(&held).await;
                std::panic::resume_unwind(panic)
            }
        }
    }
}

/// A session lock's holder as people read it, from its connection's id, application (PostgreSQL)
/// or user (MySQL), address, state, seconds in that state and statement.
fn holder((kind, whose): (&str, &str), [id, who, from, state, seconds, query]: [&str; 6]) -> String {
    let who = if who.is_empty() { String::new() } else { format!(" {whose} `{who}`") };
    let activity = match state.to_ascii_lowercase().as_str() {
        "idle" | "sleep" => format!("idle for {seconds} s"),
        _ if query.is_empty() => format!("{state} for {seconds} s"),
        _ => format!("running `{}` for {seconds} s", shortened(query)),
    };
    format!("{kind} {id}{who} from {from}, {activity}")
}

/// A statement in one line of at most 80 characters.
fn shortened(sql: &str) -> String {
    let line: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(77) {
        Some((end, _)) => format!("{}...", &line[..end]),
        None => line,
    }
}

/// Who holds a lease: this machine, this process, and this run within it.
fn owner() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|host| host.trim().chars().filter(|c| c.is_ascii_graphic()).take(64).collect::<String>())
        .filter(|host| !host.is_empty())
        .unwrap_or_else(|| "?".to_owned());
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    format!("{host} pid {} run {}:{}", std::process::id(), RUNS.fetch_add(1, Ordering::Relaxed), since_epoch.as_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::Dialect;

    #[test]
    fn the_key_is_stable_and_differs_by_table() {
        // Pinned: replicas built by different strata versions must agree, on the default table
        // above all.
        assert_eq!(key("\"strata_migrations\""), 6_438_425_894_079_725_419);
        assert_eq!(key(""), 7_150_155_381_844_865_170);
        assert_ne!(key("\"a\""), key("\"b\""));
    }

    /// What the dialect's session lock calls a connection.
    fn words(dialect: Dialect) -> (&'static str, &'static str) {
        crate::sql::of(dialect).session_lock(0).map_or(("", ""), |on| on.sql.connection)
    }

    #[test]
    fn a_holder_is_named_by_its_connection_application_address_and_statement() {
        let running = [
            "4242",
            "billing-api",
            "10.0.3.7",
            "active",
            "94",
            "CREATE INDEX CONCURRENTLY orders_total ON orders (total)",
        ];
        assert_eq!(
            holder(words(Dialect::Postgres), running),
            "backend 4242 of `billing-api` from 10.0.3.7, running `CREATE INDEX CONCURRENTLY orders_total ON orders (total)` for 94 s"
        );
        // No application name: nothing in its place.
        assert_eq!(
            holder(words(Dialect::Postgres), ["7", "", "a local socket", "idle", "40", ""]),
            "backend 7 from a local socket, idle for 40 s"
        );
        assert_eq!(
            holder(words(Dialect::Mysql), ["4547", "root", "localhost", "Query", "3", "DO SLEEP(3)"]),
            "connection 4547 of user `root` from localhost, running `DO SLEEP(3)` for 3 s"
        );
        assert_eq!(
            holder(words(Dialect::Mysql), ["9", "app", "10.0.0.2:5312", "Sleep", "12", ""]),
            "connection 9 of user `app` from 10.0.0.2:5312, idle for 12 s"
        );
    }

    #[test]
    fn a_holder_s_statement_is_one_short_line() {
        assert_eq!(
            shortened("CREATE INDEX CONCURRENTLY\n    orders_total ON orders (total)"),
            "CREATE INDEX CONCURRENTLY orders_total ON orders (total)"
        );
        let long = format!("SELECT {}", "x, ".repeat(40));
        let short = shortened(&long);
        assert_eq!(short.chars().count(), 80);
        assert!(short.ends_with("..."), "{short}");
    }

    #[test]
    fn a_lease_owner_names_this_process() {
        let owner = owner();
        assert!(owner.contains(&format!(" pid {} run ", std::process::id())), "{owner}");
        assert_ne!(owner, super::owner(), "each run its own");
        assert!(owner.len() <= 128, "it fits MySQL's VARCHAR(128)");
    }
}
