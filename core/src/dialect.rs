//! The SQL dialects strata speaks: one definition for the loader, the macro and the runtime.

use std::fmt;
use std::str::FromStr;

/// The SQL a migrations folder is written in and a database speaks: it decides how scripts are
/// split into statements, and how the runtime writes its tracking table, transactions and locks.
///
/// A set embedded with `embed_migrations!("…", dialect = "postgres")` is applied only through a
/// driver of the same dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Dialect {
    /// SQLite: `[..]` and backtick identifiers, `/* */` comments do not nest, `$name` is a
    /// parameter, not a quote.
    #[default]
    Sqlite,
    /// PostgreSQL: `$tag$ .. $tag$` and `E'..'` strings, nested `/* */` comments.
    Postgres,
    /// MySQL and MariaDB: backslash escapes in strings, `#` comments, backtick identifiers.
    Mysql,
}

impl Dialect {
    /// Every dialect, with the names `FromStr` accepts first.
    pub const ALL: [(&'static str, Dialect); 3] =
        [("sqlite", Dialect::Sqlite), ("postgres", Dialect::Postgres), ("mysql", Dialect::Mysql)];

    /// The dialect's name as the macro's `dialect = "…"` argument spells it.
    pub const fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing an unknown dialect name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownDialect(pub String);

impl fmt::Display for UnknownDialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown dialect `{}`, expected `sqlite`, `postgres` or `mysql`", self.0)
    }
}

impl std::error::Error for UnknownDialect {}

impl FromStr for Dialect {
    type Err = UnknownDialect;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.to_ascii_lowercase().as_str() {
            "sqlite" | "sqlite3" => Ok(Dialect::Sqlite),
            "postgres" | "postgresql" | "pg" => Ok(Dialect::Postgres),
            "mysql" | "mariadb" => Ok(Dialect::Mysql),
            _ => Err(UnknownDialect(name.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_aliases_parse() {
        for (name, dialect) in Dialect::ALL {
            assert_eq!(name.parse::<Dialect>(), Ok(dialect));
            assert_eq!(dialect.to_string(), name);
        }
        assert_eq!("PostgreSQL".parse::<Dialect>(), Ok(Dialect::Postgres));
        assert_eq!("oracle".parse::<Dialect>(), Err(UnknownDialect("oracle".into())));
    }
}
