//! What a checked migrations folder is made of.

use crate::dialect::Dialect;
use crate::flags::{Flags, Kind};
use crate::foreign_checksums::ForeignChecksums;
use crate::names::{Layout, Version};
use crate::script::Statement;
use crate::tokens::{Token, Tokens};
use crate::transaction_rules::commits_implicitly;
use std::path::PathBuf;

/// One script of a migration as the loader read it: the [`Script`](crate::Script) it runs as
/// (file and statements), and the text they were split from, which the checksum, the directives,
/// the dry run's hints and its cache read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptFile {
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
    pub up: ScriptFile,
    /// The down script; an empty or comment-only one counts as none.
    pub down: Option<ScriptFile>,
    /// `sha256:` and the hex digest of the normalised up script.
    pub checksum: String,
    /// What sqlx, refinery and Flyway store of the up file, for taking their history over.
    pub foreign: ForeignChecksums,
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

    /// The version as the id writes it, what a target matches exactly: `0001` for `0001_init`,
    /// `V7` for `V7__users`, `2024-01-31-120000` for diesel's `2024-01-31-120000_add_x`, `01`
    /// for `01-friend_car`. Always the start of [`id`](Self::id).
    pub fn written_version(&self) -> &str {
        let prefix = if self.layout == Layout::Prefixed { 1 } else { 0 };
        self.id.get(..prefix + self.version.written.len()).unwrap_or(&self.version.written)
    }
}

/// The flags a migration's scripts set, read from their statements once, at build time: whether
/// each turns foreign keys off (`PRAGMA foreign_keys = OFF`, as SQLite's table-rebuild procedure
/// does), which the runtime then runs outside the transaction's reach; and on MySQL whether a
/// statement of each commits by itself, which takes it out of a transaction.
pub fn script_flags(up: &ScriptFile, down: Option<&ScriptFile>, dialect: Dialect) -> Flags {
    let any =
        |script: &ScriptFile, rule: fn(&str) -> bool| script.statements.iter().any(|statement| rule(statement.sql()));
    let commits = |script: &ScriptFile| dialect == Dialect::Mysql && any(script, commits_implicitly);
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
/// that pragma (an empty value when it only reads the pragma). Read token by token, so that a
/// comment anywhere in it is white space, as SQLite reads it.
pub fn pragma_value(sql: &str, name: &str) -> Option<String> {
    let mut tokens = Tokens::new(sql, Dialect::Sqlite);
    // Most statements are not pragmas: one token says so, before anything is collected.
    if !tokens.next()?.is("pragma") {
        return None;
    }
    let tokens: Vec<Token<'_>> = tokens.collect();
    let rest = match tokens.as_slice() {
        [_schema, dot, rest @ ..] if dot.is_symbol(".") => rest,
        rest => rest,
    };
    let [pragma_name, rest @ ..] = rest else { return None };
    if !pragma_name.is(name) {
        return None;
    }
    let value = match rest {
        [] => return Some(String::new()),
        [equals, value @ ..] if equals.is_symbol("=") => value,
        [open, value @ .., close] if open.is_symbol("(") && close.is_symbol(")") => value,
        _ => return None,
    };
    let value: String = value.iter().map(Token::text).collect();
    Some(value.trim_matches(|c| c == '\'' || c == '"').to_owned())
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
            "PRAGMA /* before the rebuild */ foreign_keys = OFF",
            "PRAGMA foreign_keys = -- turned off\n  OFF",
        ] {
            assert!(is_foreign_keys_off(sql), "{sql}");
        }
        for sql in [
            "PRAGMA foreign_keys = ON",
            "PRAGMA foreign_keys",
            "PRAGMA foreign_key_check",
            "SELECT 'PRAGMA foreign_keys = OFF'",
            "PRAGMA foreign_keys = ON -- not OFF",
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
