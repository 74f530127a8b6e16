//! Loading a folder: the stages in order, every problem collected.

use crate::assemble::assemble;
use crate::checksum::set_digest;
use crate::dialect::Dialect;
use crate::discover::{IgnoreList, discover};
use crate::model::MigrationSet;
use crate::order::order;
use crate::problem::{Problem, Problems};
use std::path::Path;

/// How to read a migrations folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// The dialect the scripts are written in; it decides how they are split.
    pub dialect: Dialect,
    /// Glob patterns (`data_*.sql`) of `.sql` files that are not migrations.
    pub ignore: Vec<String>,
}

/// Discovers, reads, checks and orders the migrations in `dir`.
///
/// `shown_as` is how messages name the folder (the path as the user wrote it), so that no
/// message holds an absolute path.
///
/// # Errors
///
/// Every problem in the folder, not only the first: see [`Problems`].
///
/// ```
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("0001_init.sql"), "CREATE TABLE a(x);")?;
/// std::fs::write(dir.path().join("0002_more.sql"), "-- strata:depends-on 1\nCREATE TABLE b(y);")?;
/// let set = strata_core::load_dir(dir.path(), "migrations", &Default::default())?;
/// assert_eq!(set.migrations.len(), 2);
/// assert_eq!(set.migrations[1].depends_on, [1]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_dir(dir: &Path, shown_as: &str, options: &LoadOptions) -> Result<MigrationSet, Problems> {
    if !dir.exists() {
        return Err(Problems(vec![
            Problem::new(format!("migrations folder `{shown_as}` does not exist")).help("create it, or fix the path"),
        ]));
    }
    if !dir.is_dir() {
        return Err(Problems(vec![
            Problem::new(format!("`{shown_as}` is a file, not a migrations folder")).help("name the folder that holds the migrations"),
        ]));
    }
    let ignore = IgnoreList::new(&options.ignore).map_err(Problems)?;
    let candidates = discover(dir, &ignore).map_err(Problems)?;
    if candidates.is_empty() {
        return Err(Problems(vec![
            Problem::new(format!("migrations folder `{shown_as}` holds no migration"))
                .help("add a migration such as `0001_init.sql`; `.sql` files that match no layout are reported, other files are ignored"),
        ]));
    }
    let mut problems = Vec::new();
    let mut assembled = Vec::with_capacity(candidates.len());
    let mut files_read = Vec::new();
    for candidate in candidates {
        let (item, found) = assemble(candidate, options.dialect, &mut files_read);
        assembled.extend(item);
        problems.extend(found);
    }
    // Dependencies are checked even when files had problems, so one build shows them all.
    let ordered = order(assembled);
    let migrations = match ordered {
        Ok(migrations) if problems.is_empty() => migrations,
        Ok(_) => return Err(Problems(problems)),
        Err(found) => {
            problems.extend(found);
            return Err(Problems(problems));
        }
    };
    let digest = set_digest(migrations.iter().map(|m| (m.version.number, m.checksum.as_str())));
    Ok(MigrationSet { migrations, digest, dialect: options.dialect, files_read })
}
