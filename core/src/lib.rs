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
//! | the SQLite dry run (feature `dry-run`) | `dry_run` |
//! | whether new files rebuild the crate | [`watch`] |

mod assemble;
mod checksum;
mod dialect;
mod directive;
mod discover;
#[cfg(feature = "dry-run")]
pub mod dry_run;
mod graph;
mod lexer;
mod load;
mod lockfile;
mod model;
mod names;
mod order;
mod problem;
mod suggest;
mod tokens;
mod transaction_rules;
pub mod watch;

pub use checksum::{CHECKSUM_PREFIX, checksum, normalize, set_digest};
pub use dialect::{Dialect, UnknownDialect};
pub use directive::{DIRECTIVES, DependencyRef, Directives, parse_directives};
pub use lexer::{LexError, LexErrorKind, Statement, split_statements};
pub use load::{LoadOptions, Loaded, load, load_dir};
pub use lockfile::{LOCK_FILE, LockEntry, LockFile};
pub use model::{Flag, MigrationDef, MigrationSet, Script, is_foreign_keys_off, pragma_value};
pub use names::{Direction, Layout, NameError, ParsedName, Version, parse_file_name, parse_folder_name};
pub use problem::{Position, Problem, Problems};
