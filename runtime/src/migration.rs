//! Embedded migrations: what `embed_migrations!` emits, already parsed and ordered.

use std::borrow::Cow;
use std::fmt;
use strata_core::{Direction, Flags, Kind, Script};

/// One migration, as embedded by `embed_migrations!` or loaded by `Migrations::from_dir`.
///
/// ```
/// # static MIGRATIONS: strata::Migrations = strata::embed_migrations!("../migrations");
/// let first = &MIGRATIONS[0];
/// assert_eq!(first.version(), 1);
/// assert!(first.checksum().starts_with("sha256:"));
/// println!("{first}: {} statements", first.up().statements().len());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    version: i64,
    id: Cow<'static, str>,
    name: Cow<'static, str>,
    checksum: Cow<'static, str>,
    up: Script,
    down: Option<Script>,
    depends_on: Cow<'static, [i64]>,
    kind: Kind,
    flags: Flags,
    /// How many bytes of `id` write the version (see [`Migration::written_version`]).
    version_len: u8,
    /// What sqlx, refinery and Flyway store of its up file, for taking their history over.
    #[cfg(feature = "adopt")]
    foreign: Option<strata_core::ForeignChecksums>,
}

impl Migration {
    /// What `embed_migrations!` expands to. Not part of the public interface: exempt from
    /// semver, for strata's own macro only (its arguments change with the macro).
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub const fn __embedded(
        version: i64,
        version_len: u8,
        id: &'static str,
        name: &'static str,
        checksum: &'static str,
        up: Script,
        down: Option<Script>,
        depends_on: &'static [i64],
        kind: Kind,
        flags: Flags,
    ) -> Self {
        Self {
            version,
            id: Cow::Borrowed(id),
            name: Cow::Borrowed(name),
            checksum: Cow::Borrowed(checksum),
            up,
            down,
            depends_on: Cow::Borrowed(depends_on),
            kind,
            flags,
            version_len,
            #[cfg(feature = "adopt")]
            foreign: None,
        }
    }

    /// What `embed_migrations!` expands to with the feature `adopt`. Not part of the public
    /// interface.
    #[doc(hidden)]
    #[cfg(feature = "adopt")]
    pub const fn __with_foreign(self, checksums: strata_core::ForeignChecksums) -> Self {
        self.with_foreign_checksums(checksums)
    }

    /// A migration with owned parts, for migrations loaded at run time: `id` is the migration
    /// as the user wrote it (see [`Migration::id`]), `checksum` the up script's (see
    /// [`Migration::checksum`]). Its version as written is the id's leading digits, and its name
    /// the id after them and `_` until [`with_name`](Self::with_name) says otherwise; it has no down script, no dependency and
    /// no flag, and is [`Kind::Versioned`], until the `with_` methods add them.
    ///
    /// ```
    /// use strata::{Flags, Migration, Script, Statement};
    /// let up = Script::new("0001_init.sql", vec![Statement::new("CREATE TABLE a(x)", 1, 1)]);
    /// let checksum = format!("sha256:{}", "0".repeat(64));
    /// let migration = Migration::new(1, "0001_init", checksum, up).with_flags(Flags::NO_TRANSACTION);
    /// assert_eq!((migration.name(), migration.no_transaction()), ("init", true));
    /// ```
    pub fn new(
        version: i64,
        id: impl Into<Cow<'static, str>>,
        checksum: impl Into<Cow<'static, str>>,
        up: Script,
    ) -> Self {
        let id = id.into();
        let after_version = id.trim_start_matches(|c: char| c.is_ascii_digit());
        let version_len = u8::try_from(id.len() - after_version.len()).unwrap_or(0);
        let name = after_version.trim_start_matches(['_', '-']).to_owned();
        Self {
            version,
            id,
            name: Cow::Owned(name),
            checksum: checksum.into(),
            up,
            down: None,
            depends_on: Cow::Borrowed(&[]),
            kind: Kind::Versioned,
            flags: Flags::empty(),
            version_len,
            #[cfg(feature = "adopt")]
            foreign: None,
        }
    }

    /// The same migration named `name` (the part of the id after the version).
    #[must_use]
    pub fn with_name(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.name = name.into();
        self
    }

    /// The same migration with a down script.
    #[must_use]
    pub fn with_down(mut self, down: Script) -> Self {
        self.down = Some(down);
        self
    }

    /// The same migration depending on the migrations of `versions`.
    #[must_use]
    pub fn with_depends_on(mut self, versions: Vec<i64>) -> Self {
        self.depends_on = Cow::Owned(versions);
        self
    }

    /// The same migration with its version written by the first `len` bytes of its id (a
    /// folder's layout says where it ends; [`new`](Self::new) can only guess).
    #[cfg(any(test, feature = "from-dir"))]
    pub(crate) const fn with_version_len(mut self, len: u8) -> Self {
        self.version_len = len;
        self
    }

    /// The same migration with the checksums sqlx, refinery and Flyway store of its up file
    /// ([`ForeignChecksums::of`](strata_core::ForeignChecksums::of) the file as read), which
    /// [`Migrator::adopt`](crate::Migrator::adopt) compares with their rows.
    #[cfg(feature = "adopt")]
    #[must_use]
    pub const fn with_foreign_checksums(mut self, checksums: strata_core::ForeignChecksums) -> Self {
        self.foreign = Some(checksums);
        self
    }

    /// The checksums sqlx, refinery and Flyway store of its up file, when it has them.
    #[cfg(feature = "adopt")]
    pub const fn foreign_checksums(&self) -> Option<&strata_core::ForeignChecksums> {
        self.foreign.as_ref()
    }

    /// The same migration of kind `kind`.
    #[must_use]
    pub const fn with_kind(mut self, kind: Kind) -> Self {
        self.kind = kind;
        self
    }

    /// The same migration with `flags` (replacing its own).
    #[must_use]
    pub const fn with_flags(mut self, flags: Flags) -> Self {
        self.flags = flags;
        self
    }

    /// The migration as the user wrote it, what every message, report and event calls it: the
    /// file name without `.sql`/`.up.sql` (`0002_add_posts`, `V1__init`), or the folder's name
    /// (`2024-02-12-120203-0000_add_tags`, `01-friend_car`). Targets accept it too.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The version: `1` for `0001_init.sql`, `20240131120000` for a timestamp.
    pub const fn version(&self) -> i64 {
        self.version
    }

    /// The version as the [`id`](Self::id) writes it, the start of the id: `0001` for
    /// `0001_init`, `V7` for `V7__users`, `2024-01-31-120000` for diesel's
    /// `2024-01-31-120000_add_x`, `01` for `01-friend_car`. A target that is this text names
    /// this migration, exactly.
    ///
    /// ```
    /// # static MIGRATIONS: strata::Migrations = strata::embed_migrations!("../migrations");
    /// assert_eq!((MIGRATIONS[0].id(), MIGRATIONS[0].written_version()), ("0001_create_users", "0001"));
    /// ```
    pub fn written_version(&self) -> &str {
        self.id.get(..usize::from(self.version_len)).unwrap_or_default()
    }

    /// The name after the version: `init` for `0001_init.sql`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `sha256:` and the hex SHA-256 of the up script, with line endings normalised.
    pub fn checksum(&self) -> &str {
        &self.checksum
    }

    /// The up script.
    pub const fn up(&self) -> &Script {
        &self.up
    }

    /// The down script; `None` when there is none, or it is empty or comment-only.
    pub const fn down(&self) -> Option<&Script> {
        self.down.as_ref()
    }

    /// The versions this migration depends on (`strata:depends-on`).
    pub fn depends_on(&self) -> &[i64] {
        &self.depends_on
    }

    /// The script of `direction`: the up script, or the down script when there is one.
    pub const fn script(&self, direction: Direction) -> Option<&Script> {
        match direction {
            Direction::Up => Some(&self.up),
            Direction::Down => self.down.as_ref(),
        }
    }

    /// Its flags.
    pub const fn flags(&self) -> Flags {
        self.flags
    }

    /// How it orders among the others.
    pub const fn kind(&self) -> Kind {
        self.kind
    }

    /// Runs outside a transaction (`strata:no-transaction`).
    pub const fn no_transaction(&self) -> bool {
        self.flags.contains(Flags::NO_TRANSACTION)
    }

    /// Has no down script on purpose (`strata:irreversible`).
    pub const fn irreversible(&self) -> bool {
        self.flags.contains(Flags::IRREVERSIBLE)
    }

    /// Binaries built before it may keep running against it (`strata:backward-compatible`).
    pub const fn backward_compatible(&self) -> bool {
        self.flags.contains(Flags::BACKWARD_COMPATIBLE)
    }

    /// The up script turns foreign keys off: it runs as SQLite's table-rebuild procedure says.
    pub const fn disables_foreign_keys(&self) -> bool {
        self.flags.contains(Flags::DISABLES_FOREIGN_KEYS)
    }

    /// May be applied after migrations ordered later without
    /// [`allow_out_of_order`](crate::Migrator::allow_out_of_order): refinery's unversioned
    /// `U<version>__<name>.sql` migrations.
    pub const fn any_order(&self) -> bool {
        matches!(self.kind, Kind::AnyOrder)
    }

    /// Whether it can be rolled back: it has a down script and is not irreversible.
    pub const fn reversible(&self) -> bool {
        self.down.is_some() && !self.irreversible()
    }
}

impl fmt::Display for Migration {
    /// The migration as the user wrote it: [`Migration::id`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}
