//! `strata check`: the macro's checks, every problem at once.

use super::print_json;
use super::run::count;
use crate::diagnostics::{self, JsonProblem};
use crate::failure::{Failure, Outcome};
use crate::folder::Folder;
use serde::Serialize;
use strata_core::dry_run::{Cache, DryRunOptions, ServerUrl, backend};

/// `--json`: the folder, how many migrations were read, and every problem.
#[derive(Serialize)]
struct Report<'a> {
    folder: &'a str,
    migrations: usize,
    problems: Vec<JsonProblem<'a>>,
}

/// The dry run's cache in this user's own cache folder (`$XDG_CACHE_HOME/strata`, else
/// `~/.cache/strata`), never a shared one where another user could plant a pass; none without a
/// home.
fn user_cache() -> Option<Cache> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|dir| std::path::Path::new(dir).is_absolute())
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| std::path::Path::new(&home).join(".cache")))?;
    let dir = base.join("strata").join("check");
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(&dir).ok()?;
    Some(Cache::in_dir(dir))
}

/// The macro's checks; with a PostgreSQL or MySQL `db`, the dry run on a scratch database of
/// that server.
pub fn check(folder: &Folder, db: Option<&str>, dry_run: bool, verify_down: bool, json: bool) -> Outcome {
    let loaded = folder.load();
    let mut problems = loaded.problems.clone();
    // As the macro: the dialect's backend, when it has one.
    let server = db.filter(|url| !url.starts_with("sqlite:")).map(|url| ServerUrl { url, named_by: "--db" });
    if let Some(backend) = backend(folder.options.dialect, server).filter(|_| dry_run) {
        let options = DryRunOptions { verify_down };
        problems.extend(backend.check(&loaded, &options, user_cache().as_ref()));
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
