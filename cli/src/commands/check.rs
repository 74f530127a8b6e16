//! `strata check`: the macro's checks, every problem at once.

use super::print_json;
use super::run::count;
use crate::diagnostics::{self, JsonProblem};
use crate::failure::{Failure, Outcome};
use crate::folder::Folder;
use serde::Serialize;
use strata_core::Dialect;
use strata_core::dry_run::{Cache, DryRunOptions, dry_run_cached};

/// `--json`: the folder, how many migrations were read, and every problem.
#[derive(Serialize)]
struct Report<'a> {
    folder: &'a str,
    migrations: usize,
    problems: Vec<JsonProblem<'a>>,
}

pub fn check(folder: &Folder, dry_run: bool, verify_down: bool, json: bool) -> Outcome {
    let loaded = folder.load();
    let mut problems = loaded.problems.clone();
    // As the macro: the dry run speaks SQLite only.
    if dry_run && folder.options.dialect == Dialect::Sqlite {
        let cache = Cache::in_dir(std::env::temp_dir().join("strata-check-cache"));
        problems.extend(dry_run_cached(&loaded, &DryRunOptions { verify_down }, &cache));
    }
    let migrations = loaded.set.as_ref().map_or(0, |set| set.migrations.len());
    if json {
        let problems = problems.iter().map(|p| JsonProblem::of(p, &folder.shown_as)).collect();
        print_json(&Report { folder: &folder.shown_as, migrations, problems });
    } else {
        diagnostics::print(&problems, &folder.dir, &folder.shown_as);
        if problems.is_empty() {
            println!("{}: {}, no problems", folder.shown_as, count(migrations, "migration"));
        } else {
            anstream::eprintln!("{} in {}", count(problems.len(), "problem"), folder.shown_as);
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(Failure::Problems) }
}
