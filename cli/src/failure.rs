//! Why a command stopped, and the exit status that says so.

use std::fmt;

/// What ends a command early.
#[derive(Debug)]
pub enum Failure {
    /// Problems were found and printed (exit 1).
    Problems,
    /// The runtime refused or a migration failed (exit 1); a run interrupted by Ctrl-C or
    /// SIGTERM exits 130, as a shell reports a process that SIGINT ended.
    Migration(Box<strata_runtime::Error>),
    /// A usage, folder or connection error (exit 2), with what to do next.
    Usage(String),
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Failure::Usage(message.into())
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Problems => 1,
            // strata's own statements failing, or a `--to` that names nothing: not the migrations'.
            Failure::Migration(error)
                if matches!(
                    **error,
                    strata_runtime::Error::Database { .. }
                        | strata_runtime::Error::UnknownTarget { .. }
                        | strata_runtime::Error::AmbiguousTarget { .. }
                        | strata_runtime::Error::ForeignTable { .. }
                ) =>
            {
                2
            }
            Failure::Migration(error) if matches!(**error, strata_runtime::Error::Cancelled { .. }) => 130,
            Failure::Migration(_) => 1,
            Failure::Usage(_) => 2,
        }
    }
}

impl From<strata_runtime::Error> for Failure {
    fn from(error: strata_runtime::Error) -> Self {
        Failure::Migration(Box::new(error))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Problems => f.write_str("problems found"),
            Failure::Migration(error) => f.write_str(&strata_runtime::with_causes(&**error)),
            Failure::Usage(message) => f.write_str(message),
        }
    }
}

pub type Outcome = Result<(), Failure>;
