//! `strata new`: the next migration, in the folder's own layout and numbering.

use crate::diagnostics;
use crate::failure::{Failure, Outcome};
use crate::folder::Folder;
use std::path::PathBuf;
use strata_core::{Layout, MigrationDef};

/// How the new migration is numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbering {
    /// As the folder does (a timestamp if its last migration has one).
    Folder,
    Sequential,
    Timestamp,
}

/// What to create.
pub struct NewMigration<'a> {
    pub name: &'a str,
    pub reversible: bool,
    pub no_transaction: bool,
    pub numbering: Numbering,
}

/// The files of the new migration, relative to the folder: the up script and, if asked, the down.
pub fn files(existing: &[MigrationDef], new: &NewMigration<'_>, now: time::OffsetDateTime) -> (String, Option<String>) {
    let last = existing.iter().max_by_key(|m| m.version.number);
    let layout = last.map_or(Layout::Flat, |m| m.layout);
    let timestamped = last.is_some_and(|m| m.version.digits.len() >= 14);
    let timestamp = match new.numbering {
        Numbering::Timestamp => true,
        Numbering::Sequential => false,
        Numbering::Folder => timestamped,
    };
    let version = if timestamp {
        let format = if layout == Layout::Folder {
            time::macros::format_description!("[year]-[month]-[day]-[hour][minute][second]")
        } else {
            time::macros::format_description!("[year][month][day][hour][minute][second]")
        };
        now.format(format).unwrap_or_default()
    } else {
        let next = last.map_or(1, |m| m.version.number + 1);
        let width = last.map_or(4, |m| m.version.digits.len());
        format!("{next:0width$}")
    };
    let name = new.name;
    let (up, down) = match layout {
        Layout::Folder => (format!("{version}_{name}/up.sql"), Some(format!("{version}_{name}/down.sql"))),
        Layout::NumberedFolder => (format!("{version}-{name}/up.sql"), Some(format!("{version}-{name}/down.sql"))),
        Layout::Prefixed => {
            let version = version.trim_start_matches('0');
            (format!("V{version}__{name}.sql"), Some(format!("U{version}__{name}.sql")))
        }
        _ => {
            // sqlx's `.up.sql` if the folder uses it, else strata's plain up script.
            let up_suffix = existing.iter().any(|m| m.up.file.ends_with(".up.sql"));
            let up = if up_suffix { format!("{version}_{name}.up.sql") } else { format!("{version}_{name}.sql") };
            (up, Some(format!("{version}_{name}.down.sql")))
        }
    };
    (up, down.filter(|_| new.reversible))
}

/// `--reversible` in a `V<version>__<name>.sql` folder with no undo script yet: refinery has no
/// down scripts and reads `U<version>__<name>.sql` as an unversioned migration to apply, so the
/// down script would run forwards. Only a folder that already has Flyway's undo scripts gets one.
fn refuse_down_the_tool_would_apply(existing: &[MigrationDef], new: &NewMigration<'_>) -> Result<(), Failure> {
    let prefixed = existing.iter().max_by_key(|m| m.version.number).is_some_and(|m| m.layout == Layout::Prefixed);
    if !new.reversible || !prefixed || existing.iter().any(|m| m.down.is_some()) {
        return Ok(());
    }
    Err(Failure::usage(
        "--reversible: this folder's `V<version>__<name>.sql` migrations have no down scripts, and refinery would apply a `U<version>__<name>.sql` as an unversioned migration, running the down script forwards; leave out --reversible (add a Flyway undo script by hand only if Flyway runs this folder)",
    ))
}

/// The up script's first lines: what to write, and where the directives go.
fn header(name: &str, no_transaction: bool) -> String {
    let mut text = format!(
        "-- {}: what it changes, and why.\n--\n-- Directives go in comment lines here, before the first statement: depends-on,\n-- no-transaction, irreversible, backward-compatible, no-dry-run (see the manual).\n",
        name.replace('_', " ")
    );
    if no_transaction {
        text.push_str("-- strata:no-transaction\n");
    }
    text.push('\n');
    text
}

pub fn new(folder: &Folder, new: &NewMigration<'_>) -> Outcome {
    if new.name.is_empty() || !new.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(Failure::usage(format!(
            "`{}` cannot name a migration: use letters, digits and `_` (`add_orders`)",
            new.name
        )));
    }
    let loaded = if folder.dir.exists() { Some(folder.load()) } else { None };
    let existing = match &loaded {
        Some(loaded) if loaded.set.is_none() && !loaded.problems.is_empty() => {
            diagnostics::print(&loaded.problems, &folder.dir, &folder.shown_as);
            return Err(Failure::Problems);
        }
        Some(loaded) => loaded.set.as_ref().map(|set| set.migrations.as_slice()).unwrap_or_default(),
        None => &[],
    };
    refuse_down_the_tool_would_apply(existing, new)?;
    let (up, down) = files(existing, new, time::OffsetDateTime::now_utc());
    // The name must read back as a migration, exactly as the macro will read it.
    let parsed = match up.split_once('/') {
        Some((dir, _)) => strata_core::parse_folder_name(dir),
        None => strata_core::parse_file_name(&up),
    };
    if let Err(error) = parsed {
        let (message, help) = error.describe(&up);
        return Err(Failure::usage(format!("{message}; {help}")));
    }
    let write = |file: &str, text: String| -> Result<PathBuf, Failure> {
        let path = folder.dir.join(file);
        if path.exists() {
            return Err(Failure::usage(format!("{}/{file} exists already", folder.shown_as)));
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|error| Failure::usage(format!("cannot create {}: {error}", parent.display())))?;
        }
        std::fs::write(&path, text)
            .map_err(|error| Failure::usage(format!("cannot write {}: {error}", path.display())))?;
        println!("created {}/{file}", folder.shown_as);
        Ok(path)
    };
    write(&up, header(new.name, new.no_transaction))?;
    if let Some(down) = down {
        write(&down, format!("-- Undoes {}: restore the schema its up script found.\n", up))?;
    }
    Ok(())
}
