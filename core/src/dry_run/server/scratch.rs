//! The scratch database: created for one run, dropped when its guard is (a panic's unwinding
//! included), marked in use by a lock of the session that created it.
//!
//! The lock is what tells a live run's database from a dead one's: the server releases it when
//! the session ends, however the build ended (killed, out of memory, the machine rebooted). So
//! each run first drops every scratch database that no session holds. Databases kept for the
//! next build ([`KEPT_PREFIX`], named by the cache that recorded them) are dropped when the cache
//! that made them no longer records them, or when they are a week old.

use super::{Refusal, Server};
use crate::dry_run::{Cache, ServerUrl};
use crate::problem::Problem;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How the names of the dry run's scratch databases start: `strata_check_<random>`.
pub const SCRATCH_PREFIX: &str = "strata_check_";

/// How the names of the databases a dry run keeps for the next build start:
/// `strata_kept_<cache>_<seconds>_<random>`.
pub const KEPT_PREFIX: &str = "strata_kept_";

/// How long a kept database another cache made may sit unused before a run drops it.
const KEPT_FOR: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// The scratch database of one run, with the session that holds its lock.
pub(crate) struct Scratch<S: Server> {
    admin: S::Connection,
    work: Option<S::Connection>,
    name: String,
    holds: usize,
    kept: bool,
}

impl<S: Server> Scratch<S> {
    /// Connects, drops what dead runs left, and opens a database: the one `keep` recorded for the
    /// longest prefix of `keys` (holding that many migrations already), else a new empty one.
    pub fn open(server: &ServerUrl<'_>, keep: Option<&Cache>, keys: &[String]) -> Result<Self, Box<Problem>> {
        #[cfg(test)]
        witness::OPENED.with(|opened| opened.set(opened.get() + 1));
        let mut admin = S::connect(server.url, None).map_err(|error| {
            Box::new(
                Problem::new(format!(
                    "the dry run cannot reach the {} server of `{}`: {error}",
                    S::NAME,
                    server.named_by
                ))
                .help(format!(
                    "start the server or fix the URL; unset `{}` to build without the dry run",
                    server.named_by
                )),
            )
        })?;
        drop_abandoned::<S>(&mut admin, keep);
        // A kept database gone, or in another run's hands, is no start: the run begins afresh.
        if let Some((holds, name)) = keep.and_then(|cache| cache.claim_kept(keys))
            && valid(&name)
            && S::claim(&mut admin, &name) == Ok(true)
        {
            match S::connect(server.url, Some(&name)) {
                Ok(work) => return Ok(Self { admin, work: Some(work), name, holds, kept: false }),
                Err(_) => drop(S::drop(&mut admin, &name)),
            }
        }
        let name = match keep {
            Some(cache) => {
                format!("{KEPT_PREFIX}{}_{}_{:08x}", cache.id(), seconds(SystemTime::now()), fastrand::u32(..))
            }
            None => format!("{SCRATCH_PREFIX}{:016x}", fastrand::u64(..)),
        };
        let cannot_create = |refusal: Refusal| {
            Box::new(
                Problem::new(format!(
                    "the dry run cannot create its scratch database on the {} server of `{}`: {}",
                    S::NAME,
                    server.named_by,
                    refusal.message
                ))
                .help(format!("the user of `{}` needs the right to create databases", server.named_by)),
            )
        };
        // The lock first: a database nobody holds is another run's to drop.
        if S::claim(&mut admin, &name).map_err(cannot_create)? {
            S::create(&mut admin, &name).map_err(cannot_create)?;
        } else {
            return Err(cannot_create(Refusal::new(format!("`{name}` is in use"))));
        }
        let mut scratch = Self { admin, work: None, name, holds: 0, kept: false };
        let work = S::connect(server.url, Some(&scratch.name)).map_err(|error| cannot_create(Refusal::new(error)))?;
        scratch.work = Some(work);
        Ok(scratch)
    }

    /// How many of the folder's migrations the database holds already.
    pub fn holds(&self) -> usize {
        #[cfg(test)]
        witness::LAST.with(|last| *last.borrow_mut() = Some((self.name.clone(), self.holds)));
        self.holds
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The session on the scratch database (`open` sets it, and only `drop` takes it).
    pub fn connection(&mut self) -> Option<&mut S::Connection> {
        self.work.as_mut()
    }

    /// Keeps the database for the next build, recorded in `cache` under `key` for `folder`
    /// (its path); the ones kept for the folder before are dropped.
    pub fn keep(&mut self, cache: &Cache, key: &str, folder: &str) {
        if let Some(earlier) = cache.record_kept(key, &self.name, folder) {
            self.kept = true;
            for name in &earlier {
                drop_unheld::<S>(&mut self.admin, name);
            }
        }
    }
}

impl<S: Server> Drop for Scratch<S> {
    fn drop(&mut self) {
        // A database cannot be dropped while a session is on it.
        self.work = None;
        if !self.kept {
            let _ = S::drop(&mut self.admin, &self.name);
        }
    }
}

/// Drops the scratch databases no session holds, and the kept ones that are `cache`'s own but
/// no longer recorded by it, or older than [`KEPT_FOR`]. Best effort: what cannot be dropped
/// now is tried again by the next run.
fn drop_abandoned<S: Server>(admin: &mut S::Connection, cache: Option<&Cache>) {
    let scratch = S::databases(admin, SCRATCH_PREFIX).unwrap_or_default();
    let kept = S::databases(admin, KEPT_PREFIX).unwrap_or_default();
    let recorded = cache.map(Cache::kept_names).unwrap_or_default();
    let own = cache.map(|cache| format!("{KEPT_PREFIX}{}_", cache.id()));
    let now = seconds(SystemTime::now());
    let abandoned_kept = kept.into_iter().filter(|name| {
        let orphan = own.as_ref().is_some_and(|own| name.starts_with(own.as_str())) && !recorded.contains(name);
        let old = created(name).is_none_or(|created| now.saturating_sub(created) > KEPT_FOR.as_secs());
        orphan || old
    });
    for name in scratch.into_iter().chain(abandoned_kept) {
        drop_unheld::<S>(admin, &name);
    }
}

/// Drops the database `name` if it is one of the dry run's and no session holds it.
fn drop_unheld<S: Server>(admin: &mut S::Connection, name: &str) {
    if valid(name) && S::claim(admin, name) == Ok(true) {
        let _ = S::drop(admin, name);
    }
}

/// When a kept database was made, from its name.
fn created(name: &str) -> Option<u64> {
    name.strip_prefix(KEPT_PREFIX)?.split('_').nth(1)?.parse().ok()
}

fn seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs())
}

/// Whether `name` is one the dry run makes: lower-case letters, digits and `_`, so that it needs
/// no quoting rule beyond the server's identifier quotes.
pub(crate) fn valid(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// What the tests see of the last run on this thread.
#[cfg(test)]
pub(crate) mod witness {
    use std::cell::{Cell, RefCell};

    thread_local! {
        /// How many runs connected to a server.
        pub static OPENED: Cell<usize> = const { Cell::new(0) };
        /// The last run's database, and how many migrations it held when the run started.
        pub static LAST: RefCell<Option<(String, usize)>> = const { RefCell::new(None) };
        /// Makes the next run panic in its first migration.
        pub static PANIC: Cell<bool> = const { Cell::new(false) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_database_s_age_is_read_from_its_name() {
        assert_eq!(created("strata_kept_0123456789ab_1765000000_deadbeef"), Some(1_765_000_000));
        assert_eq!(created("strata_kept_x"), None);
        assert_eq!(created("strata_check_1"), None);
    }

    #[test]
    fn only_the_dry_run_s_own_names_are_used() {
        assert!(valid("strata_check_00ff"));
        assert!(!valid("strata_check_x\"; DROP"));
        assert!(!valid("Strata_check"));
        assert!(!valid(""));
        assert!(!valid(&"a".repeat(64)));
    }
}
