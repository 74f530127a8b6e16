//! The logic behind strata's `embed_migrations!` and its run-time loader: discover a
//! migrations folder, parse names and directives, split SQL into statements, checksum, build and
//! check the dependency graph. Plain Rust, no `syn`, so every rule is unit-tested here.
//!
//! Every stage collects every problem it finds rather than stopping at the first, so a user sees
//! everything wrong with a folder in one build.
//!
//! | stage | module (private; its items are re-exported here) |
//! | --- | --- |
//! | list the folder, parse names, group files | `discover` (on `names`) |
//! | read, normalise, checksum, split, directives, statement rules | `assemble` (on `lexer`, `directive`, `transaction_rules` on `tokens`) |
//! | resolve dependencies, order | `order` (on `graph`) |
//! | check released migrations against `strata.lock` | `lockfile` |
//! | all of it | [`load`], [`load_dir`] |
//! | the dry run: SQLite's (feature `dry-run`), a server's (`dry-run-postgres`, `dry-run-mysql`) | `dry_run` |
//! | whether new files rebuild the crate | [`watch`] |
//!
//! Shared with the runtime, with no dependency: [`Dialect`], [`Direction`], [`Kind`],
//! [`Flags`] and the directive table, [`Script`] and [`Statement`], the checksum format. The
//! comment and quote rules every reader of SQL here measures with are `scan`.

// What core, macro and runtime share: no dependency, so that the runtime has them for free.
mod checksum;
mod dialect;
mod flags;
mod foreign_checksums;
mod script;

// The loader, the dry run and the build script's watch (feature `load`).
#[cfg(feature = "load")]
mod assemble;
#[cfg(feature = "load")]
mod directive;
#[cfg(feature = "load")]
mod discover;
#[cfg(feature = "load")]
pub mod dry_run;
#[cfg(feature = "load")]
mod files;
#[cfg(feature = "load")]
mod graph;
#[cfg(feature = "load")]
mod lexer;
#[cfg(feature = "load")]
mod load;
#[cfg(feature = "load")]
mod lockfile;
#[cfg(feature = "load")]
mod model;
#[cfg(feature = "load")]
mod names;
#[cfg(feature = "load")]
mod order;
#[cfg(feature = "load")]
mod problem;
#[cfg(feature = "load")]
mod scan;
#[cfg(feature = "load")]
mod sections;
#[cfg(feature = "load")]
mod suggest;
#[cfg(feature = "load")]
mod tokens;
#[cfg(feature = "load")]
mod transaction_rules;
#[cfg(feature = "load")]
pub mod watch;

pub use checksum::{CHECKSUM_PREFIX, is_checksum, normalize};
#[cfg(feature = "load")]
pub use checksum::{checksum, set_digest};
pub use dialect::{Dialect, UnknownDialect};
#[cfg(feature = "load")]
pub use directive::{DependencyRef, Directives, parse_directives};
pub use flags::{DIRECTIVES, Direction, Directive, Flags, Kind, directive, row_id};
pub use foreign_checksums::ForeignChecksums;
#[cfg(feature = "load")]
pub use lexer::{LexError, LexErrorKind, split_statements};
#[cfg(feature = "load")]
pub use load::{LoadOptions, Loaded, load, load_dir};
#[cfg(feature = "load")]
pub use lockfile::{LOCK_FILE, LockEntry, LockFile};
#[cfg(feature = "load")]
pub use model::{MigrationDef, MigrationSet, ScriptFile, is_foreign_keys_off, pragma_value, script_flags};
#[cfg(feature = "load")]
pub use names::{Layout, NameError, ParsedName, Version, parse_file_name, parse_folder_name};
#[cfg(feature = "load")]
pub use problem::{Position, Problem, Problems};
pub use script::{Script, Statement};
#[cfg(feature = "load")]
pub use transaction_rules::commits_implicitly;
