//! Embedded migrations: what `embed_migrations!` emits, already parsed and ordered.

use std::borrow::Cow;
use std::fmt;

/// One SQL statement of a script, with where it starts in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    sql: Cow<'static, str>,
    line: u32,
    column: u32,
}

impl Statement {
    #[doc(hidden)]
    pub const fn __embedded(sql: &'static str, line: u32, column: u32) -> Self {
        Self { sql: Cow::Borrowed(sql), line, column }
    }

    /// A statement with owned text (for migrations loaded at run time).
    pub fn new(sql: impl Into<Cow<'static, str>>, line: u32, column: u32) -> Self {
        Self { sql: sql.into(), line, column }
    }

    /// The statement's SQL, without its terminating `;`.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The line of its first token in its file, from 1.
    pub const fn line(&self) -> u32 {
        self.line
    }

    /// The column (in characters) of its first token, from 1.
    pub const fn column(&self) -> u32 {
        self.column
    }
}

/// An up or down script: its file and its statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    file: Cow<'static, str>,
    statements: Cow<'static, [Statement]>,
}

impl Script {
    #[doc(hidden)]
    pub const fn __embedded(file: &'static str, statements: &'static [Statement]) -> Self {
        Self { file: Cow::Borrowed(file), statements: Cow::Borrowed(statements) }
    }

    /// A script with owned parts (for migrations loaded at run time).
    pub fn new(file: impl Into<Cow<'static, str>>, statements: Vec<Statement>) -> Self {
        Self { file: file.into(), statements: Cow::Owned(statements) }
    }

    /// The file, relative to the migrations folder: `0003_add_orders.sql`, `0001_init/up.sql`.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The statements, in order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }
}

/// What a migration's directives say, packed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flags(u8);

impl Flags {
    /// `strata:no-transaction`: runs outside a transaction.
    pub const NO_TRANSACTION: Flags = Flags(1);
    /// `strata:irreversible`: rollback past it is refused.
    pub const IRREVERSIBLE: Flags = Flags(1 << 1);
    /// `strata:backward-compatible`: older binaries may keep running against it.
    pub const BACKWARD_COMPATIBLE: Flags = Flags(1 << 2);
    /// The up script runs `PRAGMA foreign_keys = OFF` (a SQLite table rebuild).
    pub const DISABLES_FOREIGN_KEYS: Flags = Flags(1 << 3);
    /// The down script runs `PRAGMA foreign_keys = OFF`.
    pub const DOWN_DISABLES_FOREIGN_KEYS: Flags = Flags(1 << 4);
    /// May be applied after migrations ordered later: refinery's unversioned
    /// `U<version>__<name>.sql` migrations.
    pub const ANY_ORDER: Flags = Flags(1 << 5);

    /// The constant for strata-core's `flag` (the macro names the same constants).
    #[cfg(feature = "from-dir")]
    pub(crate) const fn of(flag: strata_core::Flag) -> Self {
        match flag {
            strata_core::Flag::NoTransaction => Flags::NO_TRANSACTION,
            strata_core::Flag::Irreversible => Flags::IRREVERSIBLE,
            strata_core::Flag::BackwardCompatible => Flags::BACKWARD_COMPATIBLE,
            strata_core::Flag::DisablesForeignKeys => Flags::DISABLES_FOREIGN_KEYS,
            strata_core::Flag::DownDisablesForeignKeys => Flags::DOWN_DISABLES_FOREIGN_KEYS,
            strata_core::Flag::AnyOrder => Flags::ANY_ORDER,
        }
    }

    /// No flag.
    pub const fn empty() -> Self {
        Flags(0)
    }

    /// The flags' bits.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// Both sets of flags.
    #[must_use]
    pub const fn with(self, other: Flags) -> Self {
        Flags(self.0 | other.0)
    }

    /// Whether every flag of `other` is set.
    pub const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }
}

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
    flags: Flags,
}

impl Migration {
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub const fn __embedded(
        version: i64,
        id: &'static str,
        name: &'static str,
        checksum: &'static str,
        up: Script,
        down: Option<Script>,
        depends_on: &'static [i64],
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
            flags,
        }
    }

    /// A migration with owned parts (for migrations loaded at run time). `id` is the migration
    /// as the user wrote it (see [`Migration::id`]).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        version: i64,
        id: impl Into<Cow<'static, str>>,
        name: impl Into<Cow<'static, str>>,
        checksum: impl Into<Cow<'static, str>>,
        up: Script,
        down: Option<Script>,
        depends_on: Vec<i64>,
        flags: Flags,
    ) -> Self {
        Self {
            version,
            id: id.into(),
            name: name.into(),
            checksum: checksum.into(),
            up,
            down,
            depends_on: Cow::Owned(depends_on),
            flags,
        }
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

    /// Its flags.
    pub const fn flags(&self) -> Flags {
        self.flags
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
        self.flags.contains(Flags::ANY_ORDER)
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
