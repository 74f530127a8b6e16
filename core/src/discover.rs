//! Stage 1: list a migrations folder and group its files into candidate migrations.
//!
//! Nothing is read here but names: which files are migrations, in which layout, with which
//! version, and which are ignored (hidden files, files that do not end in `.sql`, `ignore`
//! patterns). A `.sql` file that matches no layout is a problem, never a silent skip.
//!
//! A prefixed `U<version>` file is Flyway's undo script when a `V<version>` has the same
//! version, and refinery's unversioned migration (an up script allowed to run out of order)
//! when none has: the same name means either, and only its siblings tell which.

use crate::files::{FileRef, refusal, sorted_entries};
use crate::flags::Kind;
use crate::names::{
    Direction, Layout, NameError, ParsedName, Version, has_sql_extension, parse_file_name, parse_folder_name,
};
use crate::problem::Problem;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The files that make up one migration, not yet read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The layout it follows.
    pub layout: Layout,
    /// Its version.
    pub version: Version,
    /// Its name.
    pub name: String,
    /// The up script, if there is one.
    pub up: Option<FileRef>,
    /// The down script, if there is one.
    pub down: Option<FileRef>,
    /// Diesel's `metadata.toml`, in the folder layout.
    pub metadata: Option<FileRef>,
    /// The folder, in the folder layouts (`0001_init/`).
    pub folder: Option<String>,
    /// [`Kind::AnyOrder`] for refinery's unversioned migration (`U<version>` with no
    /// `V<version>`).
    pub kind: Kind,
}

impl Candidate {
    /// The migration as the user wrote it: the folder's name, or the up script's name without
    /// `.up.sql` or `.sql`.
    pub fn id(&self) -> String {
        if let Some(folder) = &self.folder {
            return folder.trim_end_matches('/').to_owned();
        }
        let file = self.up.as_ref().or(self.down.as_ref()).map_or(self.name.as_str(), |f| f.relative.as_str());
        let stem = file.strip_suffix(".sql").unwrap_or(file);
        stem.strip_suffix(".up").or_else(|| stem.strip_suffix(".down")).unwrap_or(stem).to_owned()
    }

    /// How messages name the migration's entry: its folder, or its first file.
    pub fn entry(&self) -> &str {
        self.folder
            .as_deref()
            .or(self.up.as_ref().map(|f| f.relative.as_str()))
            .or(self.down.as_ref().map(|f| f.relative.as_str()))
            .unwrap_or(&self.name)
    }
}

/// Glob patterns of files to leave alone (the macro's `ignore = [..]`).
pub struct IgnoreList(Vec<glob::Pattern>);

impl IgnoreList {
    /// Compiles `patterns`; a pattern that is not a valid glob is a problem.
    ///
    /// # Errors
    ///
    /// One problem for each invalid pattern.
    pub fn new(patterns: &[String]) -> Result<Self, Vec<Problem>> {
        let mut compiled = Vec::new();
        let mut problems = Vec::new();
        for pattern in patterns {
            match glob::Pattern::new(pattern) {
                Ok(p) => compiled.push(p),
                Err(error) => problems.push(
                    Problem::new(format!("`ignore` pattern `{pattern}` is not a valid glob: {}", error.msg))
                        .help("use `*`, `?` and `[..]`, such as `data_*.sql`"),
                ),
            }
        }
        if problems.is_empty() { Ok(Self(compiled)) } else { Err(problems) }
    }

    fn ignores(&self, relative: &str) -> bool {
        let file_name = relative.rsplit('/').next().unwrap_or(relative);
        self.0.iter().any(|p| p.matches(relative) || p.matches(file_name))
    }
}

/// What listing a folder found: the migrations it could name, every problem with names, and the
/// up scripts it could not place.
#[derive(Debug, Default)]
pub struct Discovered {
    /// The candidate migrations, by version, each with an up script.
    pub candidates: Vec<Candidate>,
    /// Every problem with names: files matching no layout, bad versions, duplicate versions,
    /// mixed layouts, down scripts with no up script, migration folders with no script.
    pub problems: Vec<Problem>,
    /// Scripts that may be migrations but could not be placed (misnamed, duplicate versions):
    /// later checks read them to tell their consequences from problems of their own.
    pub unplaced: Vec<FileRef>,
}

#[cfg(test)]
impl Discovered {
    /// The candidates, or every problem.
    ///
    /// # Errors
    ///
    /// When any name was wrong.
    pub fn into_result(self) -> Result<Vec<Candidate>, Vec<Problem>> {
        if self.problems.is_empty() { Ok(self.candidates) } else { Err(self.problems) }
    }
}

/// Lists `dir` and groups its files into candidates, by version. Every candidate that can be
/// named is kept even when siblings have problems, so that later stages still check it.
pub fn discover(dir: &Path, ignore: &IgnoreList) -> Discovered {
    let mut problems = Vec::new();
    let mut unplaced = Vec::new();
    let mut found: Vec<(ParsedName, FileRef)> = Vec::new();
    let mut folders: Vec<Candidate> = Vec::new();
    // Files whose names are no migration's, with where their problem goes in `problems`.
    let mut unnamed: Vec<(usize, Problem)> = Vec::new();
    for (file_name, path) in sorted_entries(dir, "", &mut problems) {
        if file_name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            // A folder reached through a link out of the folder is not read; it is reported when
            // it is named like a migration, ignored like any other folder otherwise.
            if let Some(problem) = refusal(dir, &path, &file_name) {
                if parse_folder_name(&file_name).is_ok() {
                    problems.push(problem);
                }
                continue;
            }
            folder_candidate(&file_name, &path, ignore, &mut folders, &mut problems, &mut unplaced);
        } else if has_sql_extension(&file_name) && !ignore.ignores(&file_name) {
            match parse_file_name(&file_name) {
                Ok(parsed) => found.push((parsed, FileRef { relative: file_name, path })),
                Err(error) => {
                    unnamed.push((problems.len(), name_problem(&file_name, &error)));
                    unplaced.push(FileRef { relative: file_name, path });
                }
            }
        }
    }
    // diesel and rusqlite_migration read only folders: beside migration folders, a `.sql` file
    // that names no migration is not one (crates.io keeps a data file there). One that names a
    // migration is still reported, as a mixed layout.
    if folders.is_empty() {
        for (index, problem) in unnamed.into_iter().rev() {
            problems.insert(index, problem);
        }
    } else {
        unplaced.clear();
    }
    check_single_layout(&found, &folders, &mut problems);
    let mut by_version: BTreeMap<i64, Candidate> = BTreeMap::new();
    for candidate in folders {
        merge(&mut by_version, candidate, &mut problems, &mut unplaced);
    }
    let versioned: BTreeSet<i64> = found
        .iter()
        .filter(|(parsed, _)| parsed.layout == Layout::Prefixed && parsed.direction == Direction::Up)
        .map(|(parsed, _)| parsed.version.number)
        .collect();
    for (parsed, file) in found {
        let any_order = parsed.layout == Layout::Prefixed
            && parsed.direction == Direction::Down
            && !versioned.contains(&parsed.version.number);
        let (up, down) = match parsed.direction {
            Direction::Up => (Some(file), None),
            Direction::Down if any_order => (Some(file), None),
            Direction::Down => (None, Some(file)),
        };
        let candidate = Candidate {
            layout: parsed.layout,
            version: parsed.version,
            name: parsed.name,
            up,
            down,
            metadata: None,
            folder: None,
            kind: if any_order { Kind::AnyOrder } else { Kind::Versioned },
        };
        merge(&mut by_version, candidate, &mut problems, &mut unplaced);
    }
    let mut candidates = Vec::with_capacity(by_version.len());
    for candidate in by_version.into_values() {
        if candidate.up.is_none() {
            problems.push(missing_up(&candidate));
        } else {
            candidates.push(candidate);
        }
    }
    Discovered { candidates, problems, unplaced }
}

fn missing_up(candidate: &Candidate) -> Problem {
    match (&candidate.folder, &candidate.down) {
        (Some(folder), None) => {
            Problem::in_file(folder.clone(), format!("migration folder `{folder}` has neither `up.sql` nor `down.sql`"))
                .help(format!("add `{folder}up.sql`, or delete the folder"))
        }
        (Some(folder), Some(down)) => {
            Problem::in_file(down.relative.clone(), format!("down script `{}` has no up script", down.relative))
                .help(format!("add `{folder}up.sql`"))
        }
        (None, Some(down)) => {
            let up = match candidate.layout {
                Layout::Prefixed => format!("V{}__{}.sql", candidate.version.written, candidate.name),
                _ => format!("{}_{}.up.sql", candidate.version.written, candidate.name),
            };
            Problem::in_file(down.relative.clone(), format!("down script `{}` has no up script", down.relative))
                .help(format!("add `{up}`"))
        }
        (None, None) => Problem::new(format!("migration `{}` has no scripts", candidate.name)),
    }
}

/// Adds `candidate` to the map, or its down script to the matching up script's candidate. A
/// duplicate's up script is unplaced.
fn merge(
    by_version: &mut BTreeMap<i64, Candidate>,
    candidate: Candidate,
    problems: &mut Vec<Problem>,
    unplaced: &mut Vec<FileRef>,
) {
    let Some(existing) = by_version.get_mut(&candidate.version.number) else {
        by_version.insert(candidate.version.number, candidate);
        return;
    };
    // Flyway pairs an undo script with its migration by version alone; the other flat layouts
    // by the whole name.
    let same_migration = existing.folder.is_none()
        && candidate.folder.is_none()
        && ((existing.layout == Layout::Prefixed && candidate.layout == Layout::Prefixed)
            || (existing.name == candidate.name && existing.version.written == candidate.version.written));
    match (same_migration, &existing.up, &existing.down, candidate.up, candidate.down) {
        (true, _, None, None, Some(down)) => existing.down = Some(down),
        (true, None, _, Some(up), None) => {
            // The migration is named after its up script.
            existing.up = Some(up);
            existing.name = candidate.name;
            existing.version = candidate.version;
        }
        (_, _, _, up, down) => {
            let other =
                candidate.folder.or(up.as_ref().or(down.as_ref()).map(|f| f.relative.clone())).unwrap_or_default();
            unplaced.extend(up);
            problems.push(
                Problem::in_file(
                    other.clone(),
                    format!("duplicate version `{}`: `{}` and `{other}`", candidate.version.number, existing.entry()),
                )
                .help("give each migration its own version; a down script takes its up script's exact name"),
            );
        }
    }
}

fn check_single_layout(found: &[(ParsedName, FileRef)], folders: &[Candidate], problems: &mut Vec<Problem>) {
    let mut firsts: Vec<(Layout, &str)> = Vec::new();
    let entries =
        folders.iter().map(|c| (c.layout, c.entry())).chain(found.iter().map(|(p, f)| (p.layout, f.relative.as_str())));
    for (layout, entry) in entries {
        if !firsts.iter().any(|(l, _)| *l == layout) {
            firsts.push((layout, entry));
        }
    }
    if let [(first_layout, first), (second_layout, second), ..] = firsts.as_slice() {
        problems.push(
            Problem::new(format!(
                "the folder mixes migration layouts: `{first}` is {first_layout} and `{second}` is {second_layout}"
            ))
            .help("use one layout for the whole folder: `<version>_<name>.sql`, `<version>_<name>/up.sql`, `<id>-<name>/up.sql` or `V<version>__<name>.sql`"),
        );
    }
}

fn folder_candidate(
    dir_name: &str,
    path: &Path,
    ignore: &IgnoreList,
    folders: &mut Vec<Candidate>,
    problems: &mut Vec<Problem>,
    unplaced: &mut Vec<FileRef>,
) {
    let folder = format!("{dir_name}/");
    let parsed = match parse_folder_name(dir_name) {
        Ok(parsed) => parsed,
        Err(error) => {
            // A folder that holds no SQL is not ours to judge (docs, fixtures, seeds).
            let scripts: Vec<FileRef> = sorted_entries(path, &folder, problems)
                .into_iter()
                .filter(|(name, p)| name.ends_with(".sql") && !p.is_dir())
                .map(|(name, path)| FileRef { relative: format!("{folder}{name}"), path })
                .collect();
            if !scripts.is_empty() && !ignore.ignores(dir_name) {
                problems.push(name_problem(&folder, &error));
                unplaced.extend(scripts);
            }
            return;
        }
    };
    let mut candidate = Candidate {
        layout: parsed.layout,
        version: parsed.version,
        name: parsed.name,
        up: None,
        down: None,
        metadata: None,
        folder: Some(folder.clone()),
        kind: Kind::Versioned,
    };
    for (file_name, file_path) in sorted_entries(path, &folder, problems) {
        let relative = format!("{folder}{file_name}");
        let file = FileRef { relative: relative.clone(), path: file_path };
        match file_name.as_str() {
            _ if file_name.starts_with('.') => {}
            "up.sql" => candidate.up = Some(file),
            "down.sql" => candidate.down = Some(file),
            "metadata.toml" => candidate.metadata = Some(file),
            _ if has_sql_extension(&file_name) && !ignore.ignores(&relative) => problems.push(
                Problem::in_file(relative.clone(), format!("`{relative}` matches no migration layout"))
                    .help("a migration folder holds `up.sql`, `down.sql` and diesel's `metadata.toml`; list other files in `ignore = [..]`"),
            ),
            _ => {}
        }
    }
    folders.push(candidate);
}

fn name_problem(file: &str, error: &NameError) -> Problem {
    let (message, help) = error.describe(file);
    Problem::in_file(file.to_owned(), message).help(help)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for (file, text) in files {
            let path = dir.path().join(file);
            fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            fs::write(path, text).expect("write");
        }
        dir
    }

    fn messages(files: &[(&str, &str)], ignore: &[&str]) -> Vec<String> {
        let dir = folder(files);
        let ignore = IgnoreList::new(&ignore.iter().map(|p| p.to_string()).collect::<Vec<_>>()).expect("patterns");
        match discover(dir.path(), &ignore).into_result() {
            Ok(_) => Vec::new(),
            Err(problems) => problems.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn groups_up_and_down_scripts_by_version() {
        let dir = folder(&[("0001_a.down.sql", ""), ("0001_a.sql", ""), ("V2__b.sql", "")]);
        let ignore = IgnoreList::new(&[]).expect("no patterns");
        // The prefixed file makes the folder mixed; without it the pair is one candidate.
        assert!(discover(dir.path(), &ignore).into_result().is_err());
        fs::remove_file(dir.path().join("V2__b.sql")).expect("remove");
        let candidates = discover(dir.path(), &ignore).into_result().expect("valid");
        assert_eq!(candidates.len(), 1);
        assert_eq!(candidates[0].up.as_ref().map(|f| f.relative.as_str()), Some("0001_a.sql"));
        assert_eq!(candidates[0].down.as_ref().map(|f| f.relative.as_str()), Some("0001_a.down.sql"));
    }

    #[test]
    fn ignores_hidden_and_non_sql_files_and_sqlless_folders() {
        assert!(
            messages(&[("0001_a.sql", ""), (".hidden.sql", ""), ("README.md", ""), ("docs/x.txt", "")], &[]).is_empty()
        );
    }

    #[test]
    fn reports_every_bad_name_at_once() {
        let found = messages(&[("0001_a.sql", ""), ("init.sql", ""), ("x_y.sql", ""), ("seeds/data.sql", "")], &[]);
        assert_eq!(
            found,
            [
                "init.sql: `init.sql` matches no migration layout",
                "seeds/: `seeds/` matches no migration layout",
                "x_y.sql: version `x` of `x_y.sql` is not a number",
            ]
        );
    }

    #[test]
    fn ignore_patterns_match_names_and_relative_paths() {
        assert!(
            messages(&[("0001_a.sql", ""), ("data_seed.sql", ""), ("seeds/x.sql", "")], &["data_*.sql", "seeds"])
                .is_empty()
        );
        assert!(IgnoreList::new(&["[".to_owned()]).is_err());
    }

    #[test]
    fn duplicate_versions_and_orphan_down_scripts() {
        let found = messages(&[("0001_a.sql", ""), ("1_b.sql", ""), ("0002_c.down.sql", "")], &[]);
        assert_eq!(
            found,
            [
                "1_b.sql: duplicate version `1`: `0001_a.sql` and `1_b.sql`",
                "0002_c.down.sql: down script `0002_c.down.sql` has no up script",
            ]
        );
    }

    fn scripts(files: &[(&str, &str)]) -> Vec<(i64, Option<String>, Option<String>, bool)> {
        let dir = folder(files);
        let candidates =
            discover(dir.path(), &IgnoreList::new(&[]).expect("no patterns")).into_result().expect("valid");
        let file = |f: &Option<FileRef>| f.as_ref().map(|f| f.relative.clone());
        candidates.iter().map(|c| (c.version.number, file(&c.up), file(&c.down), c.kind == Kind::AnyOrder)).collect()
    }

    #[test]
    fn a_u_file_is_an_undo_beside_its_v_and_an_unversioned_migration_alone() {
        let found = scripts(&[("V1__a.sql", ""), ("U1__undo_a.sql", ""), ("U2__b.sql", ""), ("V3__c.sql", "")]);
        let some = |name: &str| Some(name.to_owned());
        assert_eq!(
            found,
            [
                (1, some("V1__a.sql"), some("U1__undo_a.sql"), false),
                (2, some("U2__b.sql"), None, true),
                (3, some("V3__c.sql"), None, false),
            ]
        );
        // The undo script does not rename the migration: it is named after its up script.
        let dir = folder(&[("U1__undo_a.sql", ""), ("V1__a.sql", "")]);
        let candidates =
            discover(dir.path(), &IgnoreList::new(&[]).expect("no patterns")).into_result().expect("valid");
        assert_eq!(candidates[0].name, "a");
    }

    #[test]
    fn diesel_and_rusqlite_migration_folders_do_not_mix() {
        let found = messages(&[("2024-01-01-000000_a/up.sql", ""), ("02-b/up.sql", "")], &[]);
        assert_eq!(
            found,
            ["the folder mixes migration layouts: `02-b/` is numbered folder and `2024-01-01-000000_a/` is folder"]
        );
    }

    #[test]
    fn files_beside_migration_folders_are_not_migrations_unless_they_name_one() {
        let diesel = [("2024-01-01-000000_a/up.sql", ""), ("data_oauth.sql", ""), ("README.md", "")];
        assert!(messages(&diesel, &[]).is_empty());
        let numbered = [("01-a/up.sql", ""), ("seed.sql", "")];
        assert!(messages(&numbered, &[]).is_empty());
        let flat_beside = messages(&[("2024-01-01-000000_a/up.sql", ""), ("20240102000000_b.sql", "")], &[]);
        assert_eq!(flat_beside.len(), 1, "{flat_beside:?}");
        assert!(flat_beside[0].contains("mixes migration layouts"));
    }
}
