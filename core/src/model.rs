//! What a checked migrations folder is made of.

use crate::dialect::Dialect;
use crate::flags::{Flags, Kind};
use crate::lexer::Statement;
use crate::names::{Layout, Version};
use crate::transaction_rules::commits_implicitly;
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
    /// How it orders among the others.
    pub kind: Kind,
    /// What its directives and scripts say of how it runs.
    pub flags: Flags,
}

impl MigrationDef {
    /// Whether it has every flag of `flag`.
    pub const fn has(&self, flag: Flags) -> bool {
        self.flags.contains(flag)
    }
}

/// The flags a migration's scripts set, read from their statements once, at build time: whether
/// each turns foreign keys off (`PRAGMA foreign_keys = OFF`, as SQLite's table-rebuild procedure
/// does), which the runtime then runs outside the transaction's reach; and on MySQL whether a
/// statement of each commits by itself, which takes it out of a transaction.
pub fn script_flags(up: &Script, down: Option<&Script>, dialect: Dialect) -> Flags {
    let any = |script: &Script, rule: fn(&str) -> bool| script.statements.iter().any(|statement| rule(&statement.sql));
    let commits = |script: &Script| dialect == Dialect::Mysql && any(script, commits_implicitly);
    Flags::empty()
        .with_if(any(up, is_foreign_keys_off), Flags::DISABLES_FOREIGN_KEYS)
        .with_if(down.is_some_and(|down| any(down, is_foreign_keys_off)), Flags::DOWN_DISABLES_FOREIGN_KEYS)
        .with_if(commits(up), Flags::UP_COMMITS_IMPLICITLY)
        .with_if(down.is_some_and(commits), Flags::DOWN_COMMITS_IMPLICITLY)
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
