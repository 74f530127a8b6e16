//! One module per command family.

pub mod check;
pub mod graph;
pub mod inspect;
pub mod lock;
pub mod new;
pub mod run;

use strata_runtime::Target;

/// A `--to` value: a version or a name as the user wrote it (the runtime resolves both).
pub fn target(to: Option<&str>) -> Target {
    to.map_or(Target::Latest, |to| Target::Named(to.to_owned()))
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json(value: &impl serde::Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(json) => println!("{json}"),
        // Our own types always serialise; say so rather than print nothing.
        Err(error) => eprintln!("error: cannot print JSON: {error}"),
    }
}
