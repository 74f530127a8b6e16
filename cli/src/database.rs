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

/// The database a URL names: `postgres://` / `postgresql://`, `mysql://` / `mariadb://`,
/// `sqlite:path` / `sqlite://path`, and a bare path (no `://`) for SQLite. Any other scheme is
/// a usage error: a mistyped `postgress://` must not become a SQLite file of that name.
pub fn dialect_of(url: &str) -> Result<Dialect, Failure> {
    let Some((scheme, _)) = url.split_once("://") else { return Ok(Dialect::Sqlite) };
    match scheme.to_ascii_lowercase().as_str() {
        "postgres" | "postgresql" => Ok(Dialect::Postgres),
        "mysql" | "mariadb" => Ok(Dialect::Mysql),
        "sqlite" => Ok(Dialect::Sqlite),
        _ => Err(Failure::usage(format!(
            "`{scheme}://` is no database strata knows: use postgres://, postgresql://, mysql://, mariadb://, sqlite: or a file's path"
        ))),
    }
}

/// The file a SQLite URL names.
fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url)
}

/// Where a URL points, without its password: what messages may show. Parsed as a URL, so that a
/// password holding `@` or `:` is never shown in part; what does not parse is shown up to its
/// host only.
pub fn shown(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.has_host() => {
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        Ok(_) => url.to_owned(),
        Err(_) => match url.rsplit_once('@') {
            Some((credentials, host)) => {
                let (scheme, user) = credentials.split_once("://").unwrap_or(("", credentials));
                let user = user.split(':').next().unwrap_or_default();
                format!("{scheme}://{user}@{host}")
            }
            None => url.to_owned(),
        },
    }
}

/// Whether a command may create a SQLite database that does not exist yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// `status`, `plan`, `verify`, `graph`: a missing file is a mistyped path.
    Read,
    /// `up`, `baseline`, …: a new database is what they are for.
    Write,
    /// `plan`: a database that does not exist yet is read as an empty one (the first deploy),
    /// and not created.
    ReadOrEmpty,
}

pub fn connect(url: &str, access: Access) -> Result<Database, Failure> {
    let cannot = |error: &dyn std::error::Error| {
        Failure::usage(format!(
            "cannot connect to {}: {}; check --db or DATABASE_URL",
            shown(url),
            strata_runtime::with_causes(error)
        ))
    };
    match dialect_of(url)? {
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
            let missing = !std::path::Path::new(path).exists();
            if access == Access::ReadOrEmpty && missing {
                eprintln!("there is no SQLite database at {path} yet: planning its first run");
                return rusqlite::Connection::open_in_memory().map(Database::Sqlite).map_err(|e| cannot(&e));
            }
            if access == Access::Read && missing {
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
#[allow(clippy::panic)] // a failing test panics
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_database() {
        let dialect = |url: &str| dialect_of(url).ok();
        assert_eq!(dialect("postgres://u@h/db"), Some(Dialect::Postgres));
        assert_eq!(dialect("postgresql://u@h/db"), Some(Dialect::Postgres));
        assert_eq!(dialect("mysql://root@h/db"), Some(Dialect::Mysql));
        assert_eq!(dialect("mariadb://root@h/db"), Some(Dialect::Mysql));
        for sqlite in ["sqlite:app.db", "sqlite://app.db", "app.db", "data/app.db"] {
            assert_eq!(dialect(sqlite), Some(Dialect::Sqlite), "{sqlite}");
        }
        assert_eq!(sqlite_path("sqlite:data/app.db"), "data/app.db");
        assert_eq!(sqlite_path("sqlite:///tmp/app.db"), "/tmp/app.db");
        assert_eq!(sqlite_path("app.db"), "app.db");
    }

    #[test]
    fn an_unknown_scheme_is_a_usage_error_naming_the_known_ones() {
        let Err(failure) = dialect_of("postgress://u@h/db") else { panic!("a mistyped scheme was accepted") };
        assert_eq!(failure.exit_code(), 2);
        assert_eq!(
            failure.to_string(),
            "`postgress://` is no database strata knows: use postgres://, postgresql://, mysql://, mariadb://, sqlite: or a file's path"
        );
    }

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(shown("postgres://app:secret@db:5432/x"), "postgres://app@db:5432/x");
        assert_eq!(shown("postgres://app@db/x"), "postgres://app@db/x");
        assert_eq!(shown("app.db"), "app.db");
        // A password with `@` and `:` in it: nothing of it is shown.
        assert_eq!(
            shown("postgres://app:s3cr@t:x@db:5432/x?sslmode=require"),
            "postgres://app@db:5432/x?sslmode=require"
        );
        assert_eq!(shown("mysql://root:p%40ss@127.0.0.1/test"), "mysql://root@127.0.0.1/test");
    }
}
