//! SQL migrations checked at compile time, embedded in the binary, applied safely at run time.
//!
//! ```
//! static MIGRATIONS: strata::Migrations = strata::embed_migrations!("migrations");
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let mut conn = rusqlite::Connection::open(dir.path().join("app.db"))?;
//! let report = MIGRATIONS.migrator().apply(&mut conn)?;
//! print!("{report}");
//! # Ok(()) }
//! ```
//!
//! # The build catches it
//!
//! `embed_migrations!("migrations")` reads the folder (relative to the crate's `Cargo.toml`)
//! while the crate compiles. A malformed name, a duplicate version, an unterminated string or
//! comment, an unknown directive, a dependency on a migration that does not exist or a cycle is a
//! compile error under the path literal that names the file, line and column, with a hint. Every
//! problem in the folder is reported at once.
//!
//! With the default SQLite dialect, the macro then applies every up script, in order, to an
//! in-memory SQLite database (bundled: FTS5, JSON and R*Tree included): a statement SQLite
//! rejects is a compile error at its line and column with SQLite's message; a down script that
//! does not restore the schema its up script found (*table `orders` still exists after
//! `0003_add_orders.down.sql`*) is one too (objects SQLite owns, such as `sqlite_sequence`, are
//! not the down script's job); so are `VACUUM`, `PRAGMA journal_mode` and explicit
//! `BEGIN`/`COMMIT`/`ROLLBACK` in a migration that runs in a transaction. `dry_run = false` turns
//! it off, `verify_down = false` turns off the down check, and `-- strata:no-dry-run` skips one
//! file (and the later files' semantics).
//!
//! What reaches the binary is a [`Migrations`] value (usable in a `static`, a `const` or a `let`):
//! the migrations already ordered, checksummed and split into statements. Editing a migration
//! rebuilds the crate; for new files to do so too, add a build script (see [`build`]): without
//! one, the macro warns that a new file would be left out.
//!
//! # Migration files
//!
//! One of four layouts, detected from the folder (mixing them is an error):
//!
//! | layout | up | down |
//! | --- | --- | --- |
//! | flat (strata, sqlx) | `0001_init.sql` or `0001_init.up.sql` | `0001_init.down.sql` |
//! | folder (diesel) | `2024-01-31-120000_init/up.sql` | `2024-01-31-120000_init/down.sql` |
//! | numbered folder (rusqlite_migration) | `01-init/up.sql` | `01-init/down.sql` |
//! | prefixed (Flyway, refinery) | `V1__init.sql` | `U1__init.sql` beside `V1__…` |
//!
//! Versions are integers that fit in an `i64` (`1`, `0001`, `20240131120000`), ordered
//! numerically. Diesel folders are read and ordered exactly as diesel does: the version is the
//! part of the name before the first `_` with its dashes removed (`2024-01-31-120000`,
//! `2024-01-31-120000-0000`, `2024-03-13`), compared as text. A `U<version>` file beside a
//! `V<version>` is Flyway's undo script; alone, it is refinery's unversioned migration, an up
//! script that may be applied after later ones ([`Migration::any_order`]).
//! Files that do not end in `.sql` and hidden files are ignored, and so are `.sql` files beside
//! diesel's or rusqlite_migration's folders (those tools do not read them either); elsewhere a
//! `.sql` file that matches no layout is an error unless listed in `ignore = [..]`. An empty or
//! comment-only down script is no down script; an empty or comment-only up script is a
//! migration that changes nothing. Diesel's `metadata.toml` (`run_in_transaction = false`) is
//! honoured.
//!
//! Directives are comments at the top of an up script:
//!
//! ```sql
//! -- strata:depends-on 20240101000000, 0007_add_orders
//! -- strata:no-transaction
//! -- strata:irreversible
//! -- strata:backward-compatible
//! -- strata:no-dry-run
//! ```
//!
//! The application order is the topological sort of `depends-on`, ties broken by version.
//!
//! # Macro options
//!
//! ```
//! # static _M: strata::Migrations =
//! strata::embed_migrations!(
//!     "migrations",
//!     dialect = "sqlite",          // or "postgres", "mysql": how scripts are split
//!     ignore = ["data_*.sql"],     // SQL files that are not migrations
//!     dry_run = true,              // the compile-time SQLite dry run
//!     verify_down = true,          // check that down scripts undo their up scripts
//!     lock = "migrations/strata.lock",
//! );
//! ```
//!
//! # The runtime
//!
//! [`Migrations::migrator`] gives a [`Migrator`]: `apply`, `apply_to`, `rollback_to`, `status`,
//! `plan`, `verify`, `repair`, `baseline`. Each migration and its row in the tracking table
//! (`strata_migrations`) commit in one `BEGIN IMMEDIATE` transaction, so concurrent processes
//! queue rather than apply twice. A database that holds migrations the binary does not know is
//! refused ([`Error::DatabaseAhead`]) unless they are all `backward-compatible`; an applied
//! migration whose file was edited is refused ([`Error::ChecksumMismatch`]); a start-up where
//! everything is applied costs one query.
//!
//! ```
//! # static MIGRATIONS: strata::Migrations = strata::embed_migrations!("migrations");
//! use strata::{Error, Operation, Target};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut conn = rusqlite::Connection::open_in_memory()?;
//! let migrator = MIGRATIONS.migrator().table("schema_history");
//! migrator.apply_to(&mut conn, 2)?;
//! print!("{}", migrator.plan(&conn, Operation::Apply(Target::Latest))?);
//! migrator.apply(&mut conn)?;
//! print!("{}", migrator.status(&conn)?);
//! // 0004 is `strata:irreversible`: rolling back past it is refused before anything runs.
//! assert!(matches!(migrator.rollback_to(&mut conn, 1), Err(Error::Irreversible { .. })));
//! # Ok(()) }
//! ```

pub mod build;

#[cfg(feature = "runtime")]
pub use strata_macros::embed_migrations;
#[cfg(feature = "runtime")]
pub use strata_runtime::*;
