//! What strata knows of a migration beyond its scripts: its kind, and its flags, with the one
//! table of directives that sets them. The loader parses by the table, the macro writes the flags
//! out as one number, the dry run's cache key hashes them, and the runtime reads them: a new
//! directive is a new row here and a new constant.

use std::fmt;

/// How a migration orders among the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Kind {
    /// Applied once, in version order; one applied after a later one is refused unless
    /// out-of-order runs are allowed.
    #[default]
    Versioned,
    /// Applied once, and may be applied after migrations ordered later: refinery's unversioned
    /// `U<version>__<name>.sql` migrations.
    AnyOrder,
}

impl Kind {
    /// Its name in messages and keys: `versioned`, `any-order`.
    pub const fn name(self) -> &'static str {
        match self {
            Kind::Versioned => "versioned",
            Kind::AnyOrder => "any-order",
        }
    }

    /// The variant's name, which the macro's expansion writes out. Not part of the public
    /// interface: exempt from semver, for strata's own macro only.
    #[doc(hidden)]
    pub const fn __variant(self) -> &'static str {
        match self {
            Kind::Versioned => "Versioned",
            Kind::AnyOrder => "AnyOrder",
        }
    }
}

/// Whether a script applies or reverts its migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Direction {
    /// Applies the migration (the up script).
    #[default]
    Up,
    /// Reverts it (the down script).
    Down,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Up => "up",
            Direction::Down => "down",
        })
    }
}

/// What a migration's directives and scripts say of how it runs, packed.
///
/// ```
/// use strata_core::Flags;
/// let flags = Flags::empty().with(Flags::NO_TRANSACTION);
/// assert!(flags.contains(Flags::NO_TRANSACTION) && !flags.contains(Flags::IRREVERSIBLE));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flags(u16);

impl Flags {
    /// `strata:no-transaction` (sqlx's `-- no-transaction`, diesel's
    /// `run_in_transaction = false`): runs outside a transaction.
    pub const NO_TRANSACTION: Flags = Flags(1);
    /// `strata:irreversible`: has no down script on purpose; rollback past it is refused.
    pub const IRREVERSIBLE: Flags = Flags(1 << 1);
    /// `strata:backward-compatible`: older binaries may keep running against a database that
    /// has it.
    pub const BACKWARD_COMPATIBLE: Flags = Flags(1 << 2);
    /// The up script runs `PRAGMA foreign_keys = OFF` (a SQLite table rebuild): it runs outside
    /// the transaction's reach, as SQLite's procedure says.
    pub const DISABLES_FOREIGN_KEYS: Flags = Flags(1 << 3);
    /// The down script runs `PRAGMA foreign_keys = OFF`.
    pub const DOWN_DISABLES_FOREIGN_KEYS: Flags = Flags(1 << 4);
    /// `strata:no-dry-run`: the compile-time dry run skips it and stops checking later ones.
    pub const NO_DRY_RUN: Flags = Flags(1 << 5);
    /// A statement of the up script commits the open transaction by itself (MySQL's DDL): the
    /// migration runs outside a transaction, under the dirty-row protocol.
    pub const UP_COMMITS_IMPLICITLY: Flags = Flags(1 << 6);
    /// A statement of the down script commits the open transaction by itself.
    pub const DOWN_COMMITS_IMPLICITLY: Flags = Flags(1 << 7);

    /// No flag.
    pub const fn empty() -> Self {
        Flags(0)
    }

    /// Both sets of flags.
    #[must_use]
    pub const fn with(self, other: Flags) -> Self {
        Flags(self.0 | other.0)
    }

    /// `other` too when `condition` holds.
    #[must_use]
    pub const fn with_if(self, condition: bool, other: Flags) -> Self {
        if condition { self.with(other) } else { self }
    }

    /// Whether every flag of `other` is set.
    pub const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    /// The flags the macro's expansion writes as one number. Not part of the public interface:
    /// exempt from semver, for strata's own macro only.
    #[doc(hidden)]
    pub const fn __bits(self) -> u16 {
        self.0
    }

    /// See [`__bits`](Self::__bits). Not part of the public interface: exempt from semver.
    #[doc(hidden)]
    pub const fn __from_bits(bits: u16) -> Self {
        Flags(bits)
    }

    /// Every flag by name, in the order of the bits.
    const NAMES: [(Flags, &'static str); 8] = [
        (Flags::NO_TRANSACTION, "NO_TRANSACTION"),
        (Flags::IRREVERSIBLE, "IRREVERSIBLE"),
        (Flags::BACKWARD_COMPATIBLE, "BACKWARD_COMPATIBLE"),
        (Flags::DISABLES_FOREIGN_KEYS, "DISABLES_FOREIGN_KEYS"),
        (Flags::DOWN_DISABLES_FOREIGN_KEYS, "DOWN_DISABLES_FOREIGN_KEYS"),
        (Flags::NO_DRY_RUN, "NO_DRY_RUN"),
        (Flags::UP_COMMITS_IMPLICITLY, "UP_COMMITS_IMPLICITLY"),
        (Flags::DOWN_COMMITS_IMPLICITLY, "DOWN_COMMITS_IMPLICITLY"),
    ];

    /// Whether the script of `direction` runs inside a transaction that commits it with its
    /// history row: not when the migration says `no-transaction`, nor when one of the script's
    /// statements commits by itself (the transaction would end there). Otherwise it follows the
    /// dirty-row protocol: its row marked dirty before, clean after. The runtime, its plans and
    /// the dry run all decide by this.
    pub const fn runs_in_transaction(self, direction: Direction) -> bool {
        let commits = match direction {
            Direction::Up => Flags::UP_COMMITS_IMPLICITLY,
            Direction::Down => Flags::DOWN_COMMITS_IMPLICITLY,
        };
        !self.contains(Flags::NO_TRANSACTION) && !self.contains(commits)
    }

    /// Whether the script of `direction` turns foreign keys off (a SQLite table rebuild).
    pub const fn disables_foreign_keys(self, direction: Direction) -> bool {
        self.contains(match direction {
            Direction::Up => Flags::DISABLES_FOREIGN_KEYS,
            Direction::Down => Flags::DOWN_DISABLES_FOREIGN_KEYS,
        })
    }
}

impl fmt::Debug for Flags {
    /// The names of the flags set: `Flags(NO_TRANSACTION | IRREVERSIBLE)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> =
            Flags::NAMES.iter().filter(|(flag, _)| self.contains(*flag)).map(|(_, name)| *name).collect();
        write!(f, "Flags({})", names.join(" | "))
    }
}

/// A `-- strata:` directive: its name and what it sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Directive {
    /// As written after `-- strata:`.
    pub name: &'static str,
    /// The flag it sets; empty for a directive that takes arguments instead.
    pub flag: Flags,
    /// Whether it takes arguments (`depends-on 3, 0007_add_orders`).
    pub takes_arguments: bool,
}

/// Every directive strata reads, in the order its messages list them.
pub const DIRECTIVES: [Directive; 5] = [
    Directive { name: "depends-on", flag: Flags::empty(), takes_arguments: true },
    Directive { name: "no-transaction", flag: Flags::NO_TRANSACTION, takes_arguments: false },
    Directive { name: "irreversible", flag: Flags::IRREVERSIBLE, takes_arguments: false },
    Directive { name: "backward-compatible", flag: Flags::BACKWARD_COMPATIBLE, takes_arguments: false },
    Directive { name: "no-dry-run", flag: Flags::NO_DRY_RUN, takes_arguments: false },
];

/// The directive named `name`, if strata knows it.
pub fn directive(name: &str) -> Option<&'static Directive> {
    DIRECTIVES.iter().find(|directive| directive.name == name)
}

/// The id of a history row that no embedded migration matches: its version and name as the
/// row has them, `7_add_orders`. Every message, report and status line names such a row so.
pub fn row_id(version: i64, name: &str) -> String {
    format!("{version}_{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_named_for_messages_and_for_the_expansion() {
        assert_eq!((Kind::Versioned.name(), Kind::AnyOrder.name()), ("versioned", "any-order"));
        for kind in [Kind::Versioned, Kind::AnyOrder] {
            // The expansion writes `::strata::Kind::<variant>`: it must be the variant's own name.
            assert_eq!(kind.__variant(), format!("{kind:?}"));
        }
    }

    #[test]
    fn with_adds_and_never_takes_away() {
        let flags = Flags::NO_TRANSACTION.with(Flags::IRREVERSIBLE);
        assert_eq!(flags.with(Flags::NO_TRANSACTION), flags, "adding a flag it has changes nothing");
        assert!(flags.contains(Flags::NO_TRANSACTION) && flags.contains(Flags::IRREVERSIBLE));
    }

    #[test]
    fn every_flag_has_its_own_bit_and_name() {
        let all = Flags::NAMES.iter().fold(Flags::empty(), |all, (flag, _)| {
            assert_eq!(flag.0.count_ones(), 1, "{flag:?}");
            assert!(!all.contains(*flag), "{flag:?} shares a bit");
            all.with(*flag)
        });
        assert_eq!(
            format!("{:?}", Flags::NO_TRANSACTION.with(Flags::NO_DRY_RUN)),
            "Flags(NO_TRANSACTION | NO_DRY_RUN)"
        );
        assert_eq!(Flags::__from_bits(all.__bits()), all);
    }

    #[test]
    fn a_script_runs_in_a_transaction_unless_marked_or_it_commits_by_itself() {
        assert!(Flags::empty().runs_in_transaction(Direction::Up));
        assert!(!Flags::NO_TRANSACTION.runs_in_transaction(Direction::Down));
        let up_commits = Flags::UP_COMMITS_IMPLICITLY;
        assert!(!up_commits.runs_in_transaction(Direction::Up) && up_commits.runs_in_transaction(Direction::Down));
        let down_commits = Flags::DOWN_COMMITS_IMPLICITLY;
        assert!(down_commits.runs_in_transaction(Direction::Up) && !down_commits.runs_in_transaction(Direction::Down));
        let rebuild = Flags::DOWN_DISABLES_FOREIGN_KEYS;
        assert!(rebuild.disables_foreign_keys(Direction::Down) && !rebuild.disables_foreign_keys(Direction::Up));
    }

    #[test]
    fn each_directive_without_arguments_sets_one_flag_of_its_own() {
        let mut seen = Flags::empty();
        for directive in DIRECTIVES.iter().filter(|directive| !directive.takes_arguments) {
            assert_eq!(directive.flag.0.count_ones(), 1, "{}", directive.name);
            assert!(!seen.contains(directive.flag), "{} shares a flag", directive.name);
            seen = seen.with(directive.flag);
        }
        assert_eq!(directive("irreversible").map(|d| d.flag), Some(Flags::IRREVERSIBLE));
        assert_eq!(directive("reversible"), None);
    }

    #[test]
    fn unknown_rows_are_named_by_version_and_name() {
        assert_eq!(row_id(7, "add_orders"), "7_add_orders");
        assert_eq!(Direction::default().to_string(), "up");
    }
}
