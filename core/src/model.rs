//! What a checked migrations folder is made of.

use crate::dialect::Dialect;
use crate::lexer::Statement;
use crate::names::{Layout, Version};
use std::path::PathBuf;

/// One script of a migration, read, normalised and split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// The file, relative to the migrations folder, with `/` separators.
    pub file: String,
    /// The text after normalisation (BOM stripped, line endings LF).
    pub text: String,
    /// The statements, each with its line and column in `file`.
    pub statements: Vec<Statement>,
}

/// One checked migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationDef {
    /// The version and how it was written.
    pub version: Version,
    /// The name after the version.
    pub name: String,
    /// The migration as the user wrote it, what every message calls it: the file name without
    /// `.sql`/`.up.sql` (`0002_add_posts`, `V1__init`), or the folder's name
    /// (`2024-02-12-120203-0000_add_tags`, `01-friend_car`).
    pub id: String,
    /// The layout it was found in.
    pub layout: Layout,
    /// The up script.
    pub up: Script,
    /// The down script; an empty or comment-only one counts as none.
    pub down: Option<Script>,
    /// `sha256:` and the hex digest of the normalised up script.
    pub checksum: String,
    /// The versions this migration depends on (`strata:depends-on`), resolved and checked.
    pub depends_on: Vec<i64>,
    /// Runs outside a transaction (`strata:no-transaction`, sqlx's `-- no-transaction`, diesel's
    /// `run_in_transaction = false`).
    pub no_transaction: bool,
    /// Has no down script on purpose: rollback past it is refused.
    pub irreversible: bool,
    /// Binaries built before it may keep running against a database that has it.
    pub backward_compatible: bool,
    /// Skipped by the compile-time dry run.
    pub no_dry_run: bool,
    /// May be applied after migrations ordered later without `allow_out_of_order`: refinery's
    /// unversioned `U<version>__<name>.sql` migrations.
    pub any_order: bool,
}

/// A fact about a migration that the runtime needs at run time, packed into its `Flags`.
/// Exhaustive on purpose: a new flag fails to compile until the runtime maps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flag {
    /// Runs outside a transaction.
    NoTransaction,
    /// Has no down script on purpose.
    Irreversible,
    /// Older binaries may keep running against it.
    BackwardCompatible,
    /// The up script turns foreign keys off.
    DisablesForeignKeys,
    /// The down script turns foreign keys off.
    DownDisablesForeignKeys,
    /// May be applied after migrations ordered later.
    AnyOrder,
}

impl Flag {
    /// The name of the runtime's `Flags` constant for it, which the macro writes out.
    pub const fn constant(self) -> &'static str {
        match self {
            Flag::NoTransaction => "NO_TRANSACTION",
            Flag::Irreversible => "IRREVERSIBLE",
            Flag::BackwardCompatible => "BACKWARD_COMPATIBLE",
            Flag::DisablesForeignKeys => "DISABLES_FOREIGN_KEYS",
            Flag::DownDisablesForeignKeys => "DOWN_DISABLES_FOREIGN_KEYS",
            Flag::AnyOrder => "ANY_ORDER",
        }
    }
}

impl MigrationDef {
    /// The flags the migration has: the one place that decides them for the macro and for
    /// run-time loading alike.
    pub fn flags(&self) -> Vec<Flag> {
        [
            (self.no_transaction, Flag::NoTransaction),
            (self.irreversible, Flag::Irreversible),
            (self.backward_compatible, Flag::BackwardCompatible),
            (self.disables_foreign_keys(), Flag::DisablesForeignKeys),
            (self.down_disables_foreign_keys(), Flag::DownDisablesForeignKeys),
            (self.any_order, Flag::AnyOrder),
        ]
        .into_iter()
        .filter_map(|(set, flag)| set.then_some(flag))
        .collect()
    }

    /// Whether the up script turns foreign keys off (`PRAGMA foreign_keys = OFF`), as SQLite's
    /// table-rebuild procedure does: the runtime then runs it outside the transaction's reach.
    pub fn disables_foreign_keys(&self) -> bool {
        self.up.statements.iter().any(|statement| is_foreign_keys_off(&statement.sql))
    }

    /// Whether the down script turns foreign keys off.
    pub fn down_disables_foreign_keys(&self) -> bool {
        self.down.iter().flat_map(|down| &down.statements).any(|statement| is_foreign_keys_off(&statement.sql))
    }
}

/// Whether `sql` is `PRAGMA foreign_keys = OFF` (or `= 0`, `= false`, `= no`), in any case and
/// spacing, optionally schema-qualified.
pub fn is_foreign_keys_off(sql: &str) -> bool {
    pragma_value(sql, "foreign_keys")
        .is_some_and(|value| matches!(value.to_ascii_lowercase().as_str(), "off" | "0" | "false" | "no"))
}

/// The value of `PRAGMA [schema.]name = value` or `PRAGMA name(value)`, or `None` if `sql` is not
/// that pragma (an empty value when it only reads the pragma).
pub fn pragma_value(sql: &str, name: &str) -> Option<String> {
    let compact: String = sql.chars().filter(|c| !c.is_whitespace()).collect();
    let rest = strip_prefix_ignore_case(&compact, "pragma")?;
    let rest = rest.rsplit_once('.').filter(|(schema, _)| !schema.contains('=')).map_or(rest, |(_, r)| r);
    let rest = strip_prefix_ignore_case(rest, name)?;
    let value = rest.strip_prefix('=').or_else(|| rest.strip_prefix('(').and_then(|v| v.strip_suffix(')')));
    match value {
        Some(value) => Some(value.trim_matches(|c| c == '\'' || c == '"').to_owned()),
        None if rest.is_empty() => Some(String::new()),
        None => None,
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

/// A checked folder: migrations in application order and the digest of the whole set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationSet {
    /// The migrations in application order.
    pub migrations: Vec<MigrationDef>,
    /// The digest of the whole set (see [`set_digest`](crate::set_digest)).
    pub digest: String,
    /// The dialect the scripts were split in.
    pub dialect: Dialect,
    /// Every file that was read, so that the macro can make the build depend on each.
    pub files_read: Vec<PathBuf>,
    /// The folder as the user wrote it (`migrations`): what messages name files from.
    pub folder: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_foreign_keys_off_in_every_spelling() {
        for sql in [
            "PRAGMA foreign_keys = OFF",
            "pragma foreign_keys=0",
            "PRAGMA main.foreign_keys = 'off'",
            "PRAGMA foreign_keys(false)",
        ] {
            assert!(is_foreign_keys_off(sql), "{sql}");
        }
        for sql in [
            "PRAGMA foreign_keys = ON",
            "PRAGMA foreign_keys",
            "PRAGMA foreign_key_check",
            "SELECT 'PRAGMA foreign_keys = OFF'",
        ] {
            assert!(!is_foreign_keys_off(sql), "{sql}");
        }
    }

    #[test]
    fn reads_pragma_values() {
        assert_eq!(pragma_value("PRAGMA journal_mode = WAL", "journal_mode").as_deref(), Some("WAL"));
        assert_eq!(pragma_value("PRAGMA journal_mode", "journal_mode").as_deref(), Some(""));
        assert_eq!(pragma_value("PRAGMA user_version = 3", "journal_mode"), None);
    }
}
