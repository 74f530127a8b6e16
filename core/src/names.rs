//! File and folder names: which layout they follow, their version and name.
//!
//! | layout | up | down |
//! | --- | --- | --- |
//! | flat (strata, sqlx) | `<version>_<name>.sql`, `<version>_<name>.up.sql` | `<version>_<name>.down.sql` |
//! | folder (diesel) | `<version>_<name>/up.sql` | `<version>_<name>/down.sql` |
//! | numbered folder (rusqlite_migration) | `<id>-<name>/up.sql` | `<id>-<name>/down.sql` |
//! | prefixed (refinery, Flyway) | `V<version>__<name>.sql` | `U<version>__<name>.sql` beside `V<version>` |
//!
//! Diesel's version is the part of the folder name before the first `_` with its dashes removed,
//! whatever its shape (`2017-08-31-230457`, `2024-02-12-120203-0000`, `2024-03-13`,
//! `00000000000000`), ordered as text, exactly as diesel orders it. A folder whose name does not
//! start that way but with `<digits>-` is rusqlite_migration's (`01-friend_car`), ordered by id.
//! A `U<version>` file is Flyway's undo script when a `V<version>` has the same version, and
//! otherwise refinery's unversioned migration: an up script that may run out of order.

pub use crate::flags::Direction;
use std::cmp::Ordering;
use std::fmt;

/// How a folder lays out its migrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// `0001_init.sql`, `0001_init.up.sql`, `0001_init.down.sql` (strata, sqlx).
    Flat,
    /// `0001_init/up.sql`, `0001_init/down.sql` (diesel): versions order as text, as diesel
    /// orders them.
    Folder,
    /// `01-init/up.sql`, `01-init/down.sql` (rusqlite_migration): ordered by id.
    NumberedFolder,
    /// `V1__init.sql`, `U1__init.sql` (refinery, Flyway).
    Prefixed,
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layout::Flat => "flat",
            Layout::Folder => "folder",
            Layout::NumberedFolder => "numbered folder",
            Layout::Prefixed => "prefixed",
        })
    }
}

/// A migration's version as written, and how it orders.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version {
    /// The number: `0001` is 1, diesel's `2024-01-31-120000` is 20240131120000.
    pub number: i64,
    /// The digits as written, dashes removed: diesel orders by this text.
    pub digits: String,
    /// The version exactly as written in the name: `0001`, `2024-01-31-120000`.
    pub written: String,
}

impl Version {
    /// Orders two versions of one folder: numerically, or as text when `as_text` (a diesel
    /// folder, ordered exactly as diesel orders it).
    pub fn order(&self, other: &Version, as_text: bool) -> Ordering {
        if as_text {
            self.digits.cmp(&other.digits).then(self.number.cmp(&other.number))
        } else {
            self.number.cmp(&other.number).then_with(|| self.digits.cmp(&other.digits))
        }
    }
}

/// What a migration file's or folder's name says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedName {
    /// The layout the name follows.
    pub layout: Layout,
    /// The version.
    pub version: Version,
    /// The name after the version: `init` in `0001_init.sql`.
    pub name: String,
    /// Up or down; a folder name is `Up` (its files say which is which). A prefixed `U` file is
    /// `Down` here: whether it is an undo or refinery's unversioned migration depends on its
    /// siblings (see the `discover` stage).
    pub direction: Direction,
}

/// Why a name is not a migration's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    /// The name matches no layout.
    NoLayout,
    /// What stands where the version should is not a number.
    NonNumericVersion(String),
    /// The version does not fit in an `i64`.
    VersionTooLarge(String),
    /// The name ends in `.SQL` (or `.Sql`): every tool reads only `.sql`.
    ExtensionCase,
}

impl NameError {
    /// The message for `file`, and a hint.
    pub fn describe(&self, file: &str) -> (String, String) {
        let ignore = "or list it in `ignore = [..]` if it is not a migration";
        if let (NameError::NoLayout, Some(fixed)) = (self, dash_instead_of_underscore(file)) {
            return (
                format!("`{file}` matches no migration layout"),
                format!("separate the version from the name with `_`: `{fixed}`"),
            );
        }
        match self {
            NameError::ExtensionCase => {
                let (stem, extension) = file.rsplit_once('.').unwrap_or((file, ""));
                (
                    format!("`{file}` ends in `.{extension}`, not `.sql`"),
                    format!("rename it `{stem}.sql`: migration files end in lower-case `.sql`"),
                )
            }
            NameError::NoLayout => (
                format!("`{file}` matches no migration layout"),
                format!(
                    "name it `<version>_<name>.sql` (or `.up.sql`/`.down.sql`), `<version>_<name>/up.sql`, or `V<version>__<name>.sql`, {ignore}"
                ),
            ),
            NameError::NonNumericVersion(version) if file.ends_with('/') => (
                format!("version `{version}` of migration folder `{file}` is not a number"),
                format!(
                    "name the folder `<version>_<name>` (diesel: `2024-01-31-120000_<name>`) or `<id>-<name>` (rusqlite_migration: `01-<name>`), {ignore}"
                ),
            ),
            NameError::NonNumericVersion(version) if looks_prefixed(version) => (
                format!("version `{version}` of `{file}` is not a number"),
                format!("prefixed migrations separate version and name with two underscores: `{version}__<name>.sql`"),
            ),
            NameError::NonNumericVersion(version) => (
                format!("version `{version}` of `{file}` is not a number"),
                format!(
                    "start the name with a number such as `0001_` or a timestamp such as `20240131120000_`, {ignore}"
                ),
            ),
            NameError::VersionTooLarge(version) => (
                format!("version `{version}` of `{file}` does not fit in a 64-bit signed integer"),
                "use at most 18 digits, such as a `YYYYMMDDhhmmss` timestamp".to_owned(),
            ),
        }
    }
}

/// Whether `file_name` ends in `.sql` in any case: `.SQL` is reported, never skipped.
pub(crate) fn has_sql_extension(file_name: &str) -> bool {
    file_name.len() > 4 && file_name.get(file_name.len() - 4..).is_some_and(|e| e.eq_ignore_ascii_case(".sql"))
}

/// `0002_posts.sql` for `0002-posts.sql`: a flat file named the rusqlite_migration way.
fn dash_instead_of_underscore(file: &str) -> Option<String> {
    let (version, rest) = file.split_once('-')?;
    let flat = !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()) && rest.ends_with(".sql");
    flat.then(|| format!("{version}_{rest}"))
}

fn looks_prefixed(version: &str) -> bool {
    let mut chars = version.chars();
    matches!(chars.next(), Some('V' | 'U'))
        && chars.as_str().bytes().all(|b| b.is_ascii_digit())
        && !chars.as_str().is_empty()
}

/// Parses the name of a `.sql` file at the top of a migrations folder (flat or prefixed layout).
///
/// # Errors
///
/// When the name follows no layout, or its version is not a number that fits in an `i64`.
///
/// ```
/// use strata_core::{parse_file_name, Direction, Layout};
/// let parsed = parse_file_name("20240131120000_add_orders.down.sql")?;
/// assert_eq!((parsed.layout, parsed.version.number, parsed.name.as_str(), parsed.direction),
///            (Layout::Flat, 20240131120000, "add_orders", Direction::Down));
/// assert_eq!(parse_file_name("V7__users.sql")?.layout, Layout::Prefixed);
/// # Ok::<(), strata_core::NameError>(())
/// ```
pub fn parse_file_name(file_name: &str) -> Result<ParsedName, NameError> {
    let Some(stem) = file_name.strip_suffix(".sql") else {
        return Err(if has_sql_extension(file_name) { NameError::ExtensionCase } else { NameError::NoLayout });
    };
    if let Some(parsed) = parse_prefixed(stem) {
        return parsed;
    }
    let (stem, direction) = if let Some(stem) = stem.strip_suffix(".up") {
        (stem, Direction::Up)
    } else if let Some(stem) = stem.strip_suffix(".down") {
        (stem, Direction::Down)
    } else {
        (stem, Direction::Up)
    };
    let (version, name) = split_version(stem)?;
    Ok(ParsedName { layout: Layout::Flat, version: plain_version(version)?, name, direction })
}

/// Parses the name of a migration folder: diesel's `<version>_<name>`, where the version is
/// what comes before the first `_` with its dashes removed (`2024-01-31-120000`,
/// `2024-01-31-120000-0000`, `2024-03-13`), or rusqlite_migration's `<id>-<name>`.
///
/// # Errors
///
/// When the name follows no layout, or its version is not a number that fits in an `i64`.
///
/// ```
/// use strata_core::{parse_folder_name, Layout};
/// let diesel = parse_folder_name("2024-03-13_170000_add_x")?;
/// assert_eq!((diesel.layout, diesel.version.number, diesel.name.as_str()), (Layout::Folder, 20240313, "170000_add_x"));
/// let numbered = parse_folder_name("01-friend_car")?;
/// assert_eq!((numbered.layout, numbered.version.number, numbered.name.as_str()), (Layout::NumberedFolder, 1, "friend_car"));
/// # Ok::<(), strata_core::NameError>(())
/// ```
pub fn parse_folder_name(dir_name: &str) -> Result<ParsedName, NameError> {
    let (written, name) = dir_name.split_once('_').unwrap_or((dir_name, ""));
    let digits = written.replace('-', "");
    let diesel_version = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    if diesel_version && !name.is_empty() {
        let number = digits.parse::<i64>().map_err(|_| NameError::VersionTooLarge(written.to_owned()))?;
        let version = Version { number, digits, written: written.to_owned() };
        return Ok(ParsedName { layout: Layout::Folder, version, name: name.to_owned(), direction: Direction::Up });
    }
    if let Some((id, name)) = dir_name.split_once('-')
        && !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_digit())
        && !name.is_empty()
    {
        let version = plain_version(id)?;
        return Ok(ParsedName {
            layout: Layout::NumberedFolder,
            version,
            name: name.to_owned(),
            direction: Direction::Up,
        });
    }
    Err(if diesel_version || name.is_empty() {
        NameError::NoLayout
    } else {
        NameError::NonNumericVersion(written.to_owned())
    })
}

fn parse_prefixed(stem: &str) -> Option<Result<ParsedName, NameError>> {
    let direction = match stem.as_bytes().first() {
        Some(b'V') => Direction::Up,
        Some(b'U') => Direction::Down,
        _ => return None,
    };
    let (version, name) = stem[1..].split_once("__")?;
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) || name.is_empty() {
        return None;
    }
    Some(plain_version(version).map(|version| ParsedName {
        layout: Layout::Prefixed,
        version,
        name: name.to_owned(),
        direction,
    }))
}

fn split_version(stem: &str) -> Result<(&str, String), NameError> {
    match stem.split_once('_') {
        Some((version, name)) if !version.is_empty() && !name.is_empty() => Ok((version, name.to_owned())),
        _ => Err(NameError::NoLayout),
    }
}

fn plain_version(text: &str) -> Result<Version, NameError> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NameError::NonNumericVersion(text.to_owned()));
    }
    let number = text.parse::<i64>().map_err(|_| NameError::VersionTooLarge(text.to_owned()))?;
    Ok(Version { number, digits: text.to_owned(), written: text.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str) -> (Layout, i64, String, Direction) {
        let parsed = parse_file_name(name).unwrap();
        (parsed.layout, parsed.version.number, parsed.name, parsed.direction)
    }

    #[test]
    fn flat_names_in_every_spelling() {
        assert_eq!(file("0001_init.sql"), (Layout::Flat, 1, "init".into(), Direction::Up));
        assert_eq!(file("1_init.up.sql"), (Layout::Flat, 1, "init".into(), Direction::Up));
        assert_eq!(file("31_add_x.down.sql"), (Layout::Flat, 31, "add_x".into(), Direction::Down));
        assert_eq!(file("20240131120000_a b.sql").1, 20240131120000);
        assert_eq!(file("0_zero.sql").1, 0);
    }

    #[test]
    fn prefixed_names() {
        assert_eq!(file("V1__init.sql"), (Layout::Prefixed, 1, "init".into(), Direction::Up));
        assert_eq!(file("U12__add_x.sql"), (Layout::Prefixed, 12, "add_x".into(), Direction::Down));
    }

    #[test]
    fn folder_names_including_diesel_timestamps() {
        let plain = parse_folder_name("00000000000000_diesel_initial_setup").unwrap();
        assert_eq!((plain.version.number, plain.name.as_str()), (0, "diesel_initial_setup"));
        let dashed = parse_folder_name("2017-08-31-230457_create_users").unwrap();
        assert_eq!((dashed.version.number, dashed.version.written.as_str()), (20170831230457, "2017-08-31-230457"));
        let long = parse_folder_name("2024-02-12-120203-0000_add_x").unwrap();
        assert_eq!(long.version.digits, "202402121202030000");
    }

    #[test]
    fn diesel_reads_any_dashed_version_before_the_first_underscore() {
        // Diesel's rule exactly: before the first `_`, dashes removed, whatever the shape.
        let date_only = parse_folder_name("2024-03-13_170000_add_x").unwrap();
        assert_eq!(
            (date_only.layout, date_only.version.number, date_only.version.digits.as_str(), date_only.name.as_str()),
            (Layout::Folder, 20240313, "20240313", "170000_add_x")
        );
        assert_eq!(parse_folder_name("2024-02-1_x").unwrap().version.number, 2024021);
        assert_eq!(parse_folder_name("1_init").unwrap().layout, Layout::Folder);
    }

    #[test]
    fn rusqlite_migration_folders_are_numbered_by_the_id_before_the_dash() {
        let parsed = parse_folder_name("01-friend_car").unwrap();
        assert_eq!(
            (parsed.layout, parsed.version.number, parsed.version.written.as_str(), parsed.name.as_str()),
            (Layout::NumberedFolder, 1, "01", "friend_car")
        );
        assert_eq!(parse_folder_name("12-add-color").unwrap().name, "add-color");
    }

    #[test]
    fn folder_names_neither_tool_reads() {
        assert_eq!(parse_folder_name("init"), Err(NameError::NoLayout));
        assert_eq!(parse_folder_name("0001"), Err(NameError::NoLayout));
        assert_eq!(parse_folder_name("0001_"), Err(NameError::NoLayout));
        assert_eq!(parse_folder_name("-x_y"), Err(NameError::NonNumericVersion("-x".into())));
        assert_eq!(parse_folder_name("v1_init"), Err(NameError::NonNumericVersion("v1".into())));
        assert_eq!(parse_folder_name("x-1_init"), Err(NameError::NonNumericVersion("x-1".into())));
        assert_eq!(
            parse_folder_name("9999-99-99-999999-99999_x"),
            Err(NameError::VersionTooLarge("9999-99-99-999999-99999".into()))
        );
        assert!(NameError::NonNumericVersion("v1".into()).describe("v1_init/").1.contains("rusqlite_migration"));
    }

    #[test]
    fn diesel_folders_order_as_text_others_numerically() {
        let v = |name: &str| parse_folder_name(name).unwrap().version;
        let (older_dashed, newer_plain) = (v("2017-01-01-000000-0000_a"), v("20170102131034_b"));
        // Numerically the 18-digit version is larger; diesel (text order) puts it first.
        assert_eq!(older_dashed.order(&newer_plain, true), Ordering::Less);
        assert_eq!(older_dashed.order(&newer_plain, false), Ordering::Greater);
        assert_eq!(v("2_a").order(&v("10_b"), false), Ordering::Less);
        assert_eq!(v("2024-03-13_170000_z").order(&v("2024-03-06-170000_y"), true), Ordering::Greater);
    }

    #[test]
    fn bad_names() {
        assert_eq!(parse_file_name("init.sql"), Err(NameError::NoLayout));
        assert_eq!(parse_file_name("0001_.sql"), Err(NameError::NoLayout));
        assert_eq!(parse_file_name("abc_init.sql"), Err(NameError::NonNumericVersion("abc".into())));
        assert_eq!(parse_file_name("V1_init.sql"), Err(NameError::NonNumericVersion("V1".into())));
        assert_eq!(
            parse_file_name("99999999999999999999_x.sql"),
            Err(NameError::VersionTooLarge("99999999999999999999".into()))
        );
        assert!(NameError::NonNumericVersion("V1".into()).describe("V1_init.sql").1.contains("two underscores"));
    }

    #[test]
    fn near_misses_say_the_fix() {
        assert_eq!(parse_file_name("002-posts.sql"), Err(NameError::NoLayout));
        assert_eq!(
            NameError::NoLayout.describe("002-posts.sql").1,
            "separate the version from the name with `_`: `002_posts.sql`"
        );
        assert_eq!(parse_file_name("0002_x.SQL"), Err(NameError::ExtensionCase));
        assert_eq!(
            NameError::ExtensionCase.describe("0002_x.SQL"),
            (
                "`0002_x.SQL` ends in `.SQL`, not `.sql`".to_owned(),
                "rename it `0002_x.sql`: migration files end in lower-case `.sql`".to_owned()
            )
        );
    }
}
