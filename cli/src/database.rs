//! `--db`: which database a URL names, and a connection to it through the runtime's drivers.

use crate::failure::Failure;
use strata_runtime::Dialect;

/// A connection through one of the runtime's blocking drivers.
pub enum Database {
    Sqlite(rusqlite::Connection),
    Postgres(Box<postgres::Client>),
    Mysql(Box<mysql::Conn>),
}

/// Calls the same migrator operation on whichever driver `db` holds.
#[macro_export]
macro_rules! on_database {
    ($db:expr, |$conn:ident| $call:expr) => {
        match $db {
            $crate::database::Database::Sqlite($conn) => $call,
            $crate::database::Database::Postgres($conn) => {
                let $conn = &mut **$conn;
                $call
            }
            $crate::database::Database::Mysql($conn) => {
                let $conn = &mut **$conn;
                $call
            }
        }
    };
}

/// The database a URL names: `postgres://` / `postgresql://`, `mysql://` / `mariadb://`, and
/// otherwise SQLite: `sqlite:path`, `sqlite://path` or a bare path.
pub fn dialect_of(url: &str) -> Dialect {
    let scheme = url.split_once("://").map(|(scheme, _)| scheme.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("postgres" | "postgresql") => Dialect::Postgres,
        Some("mysql" | "mariadb") => Dialect::Mysql,
        _ => Dialect::Sqlite,
    }
}

/// The file a SQLite URL names.
fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url)
}

/// Where a URL points, without its password: what messages may show.
pub fn shown(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((credentials, host)) => {
                let user = credentials.split(':').next().unwrap_or_default();
                format!("{scheme}://{user}@{host}")
            }
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// Whether a command may create a SQLite database that does not exist yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// `status`, `plan`, `verify`, `graph`: a missing file is a mistyped path.
    Read,
    /// `up`, `baseline`, …: a new database is what they are for.
    Write,
}

/// An error and its causes, on one line: `error connecting to server: Connection refused`.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(error) = cause {
        let more = error.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = error.source();
    }
    text
}

pub fn connect(url: &str, access: Access) -> Result<Database, Failure> {
    let cannot = |error: &dyn std::error::Error| {
        Failure::usage(format!("cannot connect to {}: {}; check --db or DATABASE_URL", shown(url), with_causes(error)))
    };
    match dialect_of(url) {
        Dialect::Postgres => postgres::Client::connect(url, postgres::NoTls)
            .map(|c| Database::Postgres(Box::new(c)))
            .map_err(|e| cannot(&e)),
        Dialect::Mysql => {
            let url = url.replacen("mariadb://", "mysql://", 1);
            let opts = mysql::Opts::from_url(&url).map_err(|e| cannot(&e))?;
            mysql::Conn::new(opts).map(|c| Database::Mysql(Box::new(c))).map_err(|e| cannot(&e))
        }
        _ => {
            let path = sqlite_path(url);
            if access == Access::Read && !std::path::Path::new(path).exists() {
                return Err(Failure::usage(format!(
                    "there is no SQLite database at {path}; check --db or DATABASE_URL (`strata up` creates it)"
                )));
            }
            let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE
                | rusqlite::OpenFlags::SQLITE_OPEN_CREATE
                | rusqlite::OpenFlags::SQLITE_OPEN_URI
                | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
            rusqlite::Connection::open_with_flags(path, flags).map(Database::Sqlite).map_err(|e| cannot(&e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_database() {
        assert_eq!(dialect_of("postgres://u@h/db"), Dialect::Postgres);
        assert_eq!(dialect_of("postgresql://u@h/db"), Dialect::Postgres);
        assert_eq!(dialect_of("mysql://root@h/db"), Dialect::Mysql);
        assert_eq!(dialect_of("mariadb://root@h/db"), Dialect::Mysql);
        for sqlite in ["sqlite:app.db", "sqlite://app.db", "app.db", "data/app.db"] {
            assert_eq!(dialect_of(sqlite), Dialect::Sqlite, "{sqlite}");
        }
        assert_eq!(sqlite_path("sqlite:data/app.db"), "data/app.db");
        assert_eq!(sqlite_path("sqlite:///tmp/app.db"), "/tmp/app.db");
        assert_eq!(sqlite_path("app.db"), "app.db");
    }

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(shown("postgres://app:secret@db:5432/x"), "postgres://app@db:5432/x");
        assert_eq!(shown("postgres://app@db/x"), "postgres://app@db/x");
        assert_eq!(shown("app.db"), "app.db");
    }
}
