//! The logic behind strata's `embed_migrations!`, its CLI and its run-time loader: discover a
//! migrations folder, parse names and directives, split SQL into statements, checksum, build and
//! check the dependency graph. Plain Rust, no `syn`, so every rule is unit-tested here.
//!
//! Every stage collects every problem it finds rather than stopping at the first, so a user sees
//! everything wrong with a folder in one build.
//!
//! | stage | module |
//! | --- | --- |
//! | list the folder, parse names, group files | [`discover`] |
//! | read, normalise, checksum, split, directives | [`assemble`] |
//! | resolve dependencies, order | [`order`] (on [`graph`]) |
//! | all of it | [`load_dir`] |
//! | the SQLite dry run (feature `dry-run`) | `dry_run` |
//! | whether new files rebuild the crate | [`watch`] |

pub mod assemble;
pub mod checksum;
pub mod dialect;
pub mod directive;
pub mod discover;
#[cfg(feature = "dry-run")]
pub mod dry_run;
pub mod graph;
pub mod lexer;
pub mod load;
pub mod model;
pub mod names;
pub mod order;
pub mod problem;
mod suggest;
pub mod transaction_rules;
pub mod watch;

pub use checksum::{CHECKSUM_PREFIX, checksum, normalize, set_digest};
pub use dialect::{Dialect, UnknownDialect};
pub use directive::{DIRECTIVES, DependencyRef, Directives, parse_directives};
pub use lexer::{LexError, LexErrorKind, Statement, split_statements};
pub use load::{LoadOptions, Loaded, load, load_dir};
pub use model::{MigrationDef, MigrationSet, Script, is_foreign_keys_off, pragma_value};
pub use names::{Direction, Layout, NameError, ParsedName, Version, parse_file_name, parse_folder_name};
pub use problem::{Position, Problem, Problems};
