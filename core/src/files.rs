//! Every file access of the loader: listing a folder, and reading a file of it. strata reads
//! the folder it was given and nothing else, since it embeds what it reads; this is the one
//! place that rule is kept.

use crate::checksum::normalize;
use crate::problem::{Position, Problem};
use std::fs;
use std::path::{Path, PathBuf};

/// A file of the folder, by its path relative to the folder and its full path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    /// Relative to the migrations folder, `/`-separated: what messages show.
    pub relative: String,
    /// The full path, for reading (never shown).
    pub path: PathBuf,
}

/// The entries of `dir` by name, sorted so that problems come out in the same order everywhere.
pub fn sorted_entries(dir: &Path, shown_as: &str, problems: &mut Vec<Problem>) -> Vec<(String, PathBuf)> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            problems.push(Problem::new(format!("cannot list `{shown_as}`: {error}")));
            return Vec::new();
        }
    };
    let mut listed = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => match entry.file_name().into_string() {
                // A line break in a name would split its line of `strata.lock` in two; no
                // other control character in a migration's name is ever meant.
                Ok(name) if name.contains(char::is_control) => problems.push(
                    Problem::new(format!("the name `{shown_as}{}` has a control character in it", name.escape_debug()))
                        .help("rename it without line breaks, tabs or other control characters"),
                ),
                Ok(name) => listed.push((name, entry.path())),
                Err(name) => problems.push(
                    Problem::new(format!("the name `{shown_as}{}` is not valid UTF-8", name.to_string_lossy()))
                        .help("rename it with UTF-8 characters only"),
                ),
            },
            Err(error) => problems.push(Problem::new(format!("cannot list `{shown_as}`: {error}"))),
        }
    }
    listed.sort();
    listed
}

/// Why strata will not read `path` (`relative` to the folder `root`), if it will not: a symbolic
/// link that leads out of the folder (strata reads the folder it was given, nothing else, and
/// embeds what it reads), or something that is not a file (a FIFO would block the build).
pub fn refusal(root: &Path, path: &Path, relative: &str) -> Option<Problem> {
    let is_link = fs::symlink_metadata(path).ok()?.file_type().is_symlink();
    if is_link {
        // A dangling link or a loop fails here; reading it then says so.
        let (root, target) = (fs::canonicalize(root).ok()?, fs::canonicalize(path).ok()?);
        if !target.starts_with(&root) {
            return Some(
                Problem::in_file(
                    relative,
                    format!("`{relative}` is a symbolic link that leads outside the migrations folder"),
                )
                .help("strata reads only the folder's own files: copy what it points at into the folder"),
            );
        }
    }
    let metadata = fs::metadata(path).ok()?;
    if metadata.is_file() || metadata.is_dir() {
        return None;
    }
    Some(
        Problem::in_file(relative, format!("`{relative}` is not a regular file"))
            .help("a migration is a file of SQL; remove or rename this one"),
    )
}

/// The text of `file`, normalised (BOM stripped, line endings LF); `None` with a problem when it
/// cannot be read or is not UTF-8. The file is added to `files_read`.
pub fn read_text(file: &FileRef, files_read: &mut Vec<PathBuf>, problems: &mut Vec<Problem>) -> Option<String> {
    read_raw_text(file, files_read, problems).map(|text| normalize(&text).into_owned())
}

/// The text of `file` as it is on disk, for the checksums other tools store (see
/// [`read_text`]).
pub fn read_raw_text(file: &FileRef, files_read: &mut Vec<PathBuf>, problems: &mut Vec<Problem>) -> Option<String> {
    // The folder is `path` without the components of `relative`.
    let root = file.path.ancestors().nth(Path::new(&file.relative).components().count());
    if let Some(problem) = root.and_then(|root| refusal(root, &file.path, &file.relative)) {
        problems.push(problem);
        return None;
    }
    files_read.push(file.path.clone());
    let bytes = match fs::read(&file.path) {
        Ok(bytes) => bytes,
        Err(error) => {
            problems.push(Problem::in_file(file.relative.clone(), format!("cannot read `{}`: {error}", file.relative)));
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(error) => {
            let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
            let before = String::from_utf8_lossy(valid);
            let position = Position::of_offset(&before, before.len());
            problems.push(
                Problem::in_file(file.relative.clone(), format!("`{}` is not valid UTF-8", file.relative))
                    .at(position)
                    .help("save the file as UTF-8"),
            );
            None
        }
    }
}
