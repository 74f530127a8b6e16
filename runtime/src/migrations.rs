//! The ordered set of migrations an application carries.

use crate::driver::Dialect;
use crate::migration::Migration;
use std::borrow::Cow;
use std::ops::Index;

/// Every migration of an application, in application order, with the digest of the whole set.
///
/// Made by `strata::embed_migrations!` (in a `static`, a `const` or a `let`), or, in
/// development, by [`Migrations::from_dir`].
///
/// ```
/// # static MIGRATIONS: strata::Migrations = strata::embed_migrations!("../migrations");
/// for migration in MIGRATIONS.iter() {
///     println!("{} {} {}", migration.version(), migration.name(), migration.checksum());
/// }
/// assert!(MIGRATIONS.digest().starts_with("sha256:"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migrations {
    migrations: Cow<'static, [Migration]>,
    digest: Cow<'static, str>,
    dialect: Dialect,
}

impl Migrations {
    /// What `embed_migrations!` expands to. Not part of the public interface: exempt from
    /// semver, for strata's own macro only.
    #[doc(hidden)]
    pub const fn __embedded(migrations: &'static [Migration], digest: &'static str, dialect: Dialect) -> Self {
        Self { migrations: Cow::Borrowed(migrations), digest: Cow::Borrowed(digest), dialect }
    }

    /// A set of `migrations` as given, for the runtime's own tests.
    #[cfg(test)]
    pub(crate) fn of(migrations: Vec<Migration>, dialect: Dialect) -> Self {
        Self { migrations: Cow::Owned(migrations), digest: Cow::Borrowed(""), dialect }
    }

    /// The SQL they are written in (`embed_migrations!`'s `dialect`, SQLite by default): they
    /// are applied only through a driver of the same.
    pub const fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The migrations, in application order.
    pub fn as_slice(&self) -> &[Migration] {
        &self.migrations
    }

    /// Iterates over the migrations in application order.
    pub fn iter(&self) -> std::slice::Iter<'_, Migration> {
        self.migrations.iter()
    }

    /// How many migrations there are.
    pub fn len(&self) -> usize {
        self.migrations.len()
    }

    /// Whether there is none (never the case for embedded migrations: an empty folder is a
    /// compile error).
    pub fn is_empty(&self) -> bool {
        self.migrations.is_empty()
    }

    /// The migration with `version`, if there is one.
    pub fn get(&self, version: i64) -> Option<&Migration> {
        self.migrations.iter().find(|m| m.version() == version)
    }

    /// The position of `version` in application order.
    pub fn position(&self, version: i64) -> Option<usize> {
        self.migrations.iter().position(|m| m.version() == version)
    }

    /// The position of the migration `name` names, exactly: as the user wrote it
    /// (`0003_add_orders`, `2024-02-12-120203-0000_add_tags`), by its version as written (`0003`,
    /// `2024-02-12-120203-0000`, `V3`: see [`Migration::written_version`]), or by its version as
    /// a number (`3`). `None` when it names none.
    ///
    /// ```
    /// # static MIGRATIONS: strata::Migrations = strata::embed_migrations!("../migrations");
    /// assert_eq!(MIGRATIONS.position_named("0002_create_posts"), Some(1));
    /// assert_eq!(MIGRATIONS.position_named("0002"), Some(1));
    /// assert_eq!(MIGRATIONS.position_named("2"), Some(1));
    /// assert_eq!(MIGRATIONS.position_named("0009"), None);
    /// assert_eq!(MIGRATIONS.position_named("000"), None, "a part of a version names nothing");
    /// ```
    pub fn position_named(&self, name: &str) -> Option<usize> {
        let exactly = |matches: fn(&Migration, &str) -> bool| self.migrations.iter().position(|m| matches(m, name));
        exactly(|m, name| m.id() == name)
            .or_else(|| exactly(|m, name| !name.is_empty() && m.written_version() == name))
            .or_else(|| name.parse::<i64>().ok().and_then(|version| self.position(version)))
    }

    /// The migrations whose version as written starts with `name`: what a target that names
    /// none of them was likely meant as (`2024` in a diesel folder).
    pub(crate) fn starting_with(&self, name: &str) -> Vec<&Migration> {
        self.migrations.iter().filter(|m| !name.is_empty() && m.written_version().starts_with(name)).collect()
    }

    /// One digest of the whole set (versions and checksums in order): equal digests mean the
    /// same migrations, so a no-op start-up check is one comparison.
    pub fn digest(&self) -> &str {
        &self.digest
    }
}

impl Index<usize> for Migrations {
    type Output = Migration;

    fn index(&self, index: usize) -> &Migration {
        &self.migrations[index]
    }
}

impl<'a> IntoIterator for &'a Migrations {
    type Item = &'a Migration;
    type IntoIter = std::slice::Iter<'a, Migration>;

    fn into_iter(self) -> Self::IntoIter {
        self.migrations.iter()
    }
}

#[cfg(feature = "from-dir")]
mod from_dir {
    use super::Migrations;
    use crate::migration::Migration;
    use std::borrow::Cow;
    use std::path::Path;
    use strata_core::Script;
    use strata_core::{LoadOptions, MigrationDef, Problems};

    impl Migrations {
        /// Loads and checks a migrations folder at run time with `embed_migrations!`'s rules for
        /// names, directives, statements and dependencies, but not its SQLite dry run (for
        /// development; ship embedded migrations). The path is used as given: relative paths are
        /// relative to the current directory, and messages name files from it.
        ///
        /// # Errors
        ///
        /// Every problem in the folder, as values: see [`Problems`].
        ///
        /// ```
        /// let loaded = strata::Migrations::from_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations"))?;
        /// # static EMBEDDED: strata::Migrations = strata::embed_migrations!("../migrations");
        /// assert_eq!(loaded.digest(), EMBEDDED.digest());
        /// # Ok::<(), strata::Problems>(())
        /// ```
        pub fn from_dir(path: impl AsRef<Path>) -> Result<Migrations, Problems> {
            Self::from_dir_with(path, &LoadOptions::default())
        }

        /// [`Migrations::from_dir`] with a dialect and `ignore` patterns.
        ///
        /// # Errors
        ///
        /// Every problem in the folder, as values: see [`Problems`].
        pub fn from_dir_with(path: impl AsRef<Path>, options: &LoadOptions) -> Result<Migrations, Problems> {
            let path = path.as_ref();
            let set = strata_core::load_dir(path, &path.display().to_string(), options)?;
            Ok(Migrations {
                migrations: Cow::Owned(set.migrations.into_iter().map(owned_migration).collect()),
                digest: Cow::Owned(set.digest),
                dialect: options.dialect,
            })
        }
    }

    /// The file's statements, as they are: the loader splits into the type that runs.
    fn owned_script(script: strata_core::ScriptFile) -> Script {
        Script::new(script.file, script.statements)
    }

    fn owned_migration(def: MigrationDef) -> Migration {
        let version_len = u8::try_from(def.written_version().len()).unwrap_or(0);
        let migration = Migration::new(def.version.number, def.id, def.checksum, owned_script(def.up))
            .with_version_len(version_len)
            .with_name(def.name)
            .with_depends_on(def.depends_on)
            .with_kind(def.kind)
            .with_flags(def.flags);
        #[cfg(feature = "adopt")]
        let migration = migration.with_foreign_checksums(def.foreign);
        match def.down {
            Some(down) => migration.with_down(owned_script(down)),
            None => migration,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_core::Script;

    fn set(ids: &[(i64, &str, u8)]) -> Migrations {
        let migration = |&(version, id, version_len): &(i64, &str, u8)| {
            Migration::new(version, id.to_owned(), "sha256:", Script::new(format!("{id}.sql"), Vec::new()))
                .with_version_len(version_len)
        };
        Migrations::of(ids.iter().map(migration).collect(), Dialect::Sqlite)
    }

    #[test]
    fn targets_match_an_id_a_version_as_written_or_a_number_exactly() {
        let prefixed = set(&[(1, "V1__a", 2), (3, "V3__c", 2), (30, "V30__d", 3)]);
        assert_eq!(prefixed.position_named("V3__c"), Some(1));
        assert_eq!(prefixed.position_named("V3"), Some(1));
        assert_eq!(prefixed.position_named("30"), Some(2));
        assert_eq!(prefixed.position_named("V"), None);
        assert_eq!(prefixed.position_named("V3_"), None);
        let diesel = set(&[(20240101000000, "2024-01-01-000000_a", 17), (20240212120203, "2024-02-12-120203_b", 17)]);
        assert_eq!(diesel.position_named("2024-02-12-120203"), Some(1));
        assert_eq!(diesel.position_named("2024-02"), None, "a unique part of a version is not a version");
        let ids = |found: Vec<&Migration>| found.iter().map(|m| m.id().to_owned()).collect::<Vec<_>>();
        assert_eq!(ids(diesel.starting_with("2024")), ["2024-01-01-000000_a", "2024-02-12-120203_b"]);
        assert_eq!(ids(diesel.starting_with("2024-01-01-0")), ["2024-01-01-000000_a"]);
        assert_eq!(ids(diesel.starting_with("20240101")), Vec::<String>::new(), "as written, dashes and all");
    }

    #[test]
    fn a_hand_built_migration_writes_its_leading_digits() {
        let migration = Migration::new(7, "0007_x", "sha256:", Script::new("0007_x.sql", Vec::new()));
        assert_eq!((migration.written_version(), migration.name()), ("0007", "x"));
        let unnumbered = Migration::new(7, "seven", "sha256:", Script::new("seven.sql", Vec::new()));
        assert_eq!(unnumbered.written_version(), "");
        assert_eq!(Migrations::of(vec![unnumbered], Dialect::Sqlite).position_named(""), None);
    }
}
