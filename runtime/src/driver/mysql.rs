//! `mysql::Conn` and `mysql::PooledConn`.

use super::{Dialect, Driver, DriverError, Param, Row, Value};
use mysql::prelude::Queryable;

/// Implements [`Driver`] for a type of the `mysql` crate that runs queries.
macro_rules! queryable_driver {
    ($($connection:ty),*) => {$(
        impl Driver for $connection {
            fn dialect(&self) -> Dialect {
                Dialect::Mysql
            }

            fn execute(&mut self, sql: &str) -> Result<(), DriverError> {
                // The text protocol: a migration's statement runs as written, with no statement
                // prepared (some cannot be).
                self.query_drop(sql).map_err(error)
            }

            fn execute_with(&mut self, sql: &str, values: &[Param<'_>]) -> Result<u64, DriverError> {
                let result = self.exec_iter(sql, params(values)).map_err(error)?;
                Ok(result.affected_rows())
            }

            fn query(&mut self, sql: &str, values: &[Param<'_>]) -> Result<Vec<Row>, DriverError> {
                let rows: Vec<mysql::Row> = self.exec(sql, params(values)).map_err(error)?;
                Ok(rows.into_iter().map(row).collect())
            }
        }
    )*};
}

queryable_driver!(mysql::Conn, mysql::PooledConn);

fn params(values: &[Param<'_>]) -> mysql::Params {
    if values.is_empty() {
        return mysql::Params::Empty;
    }
    mysql::Params::Positional(
        values
            .iter()
            .map(|param| match *param {
                Param::Integer(n) => mysql::Value::Int(n),
                Param::Text(text) => mysql::Value::Bytes(text.as_bytes().to_vec()),
            })
            .collect(),
    )
}

/// One row's values: integers, UTF-8 text; anything else by its kind.
fn row(row: mysql::Row) -> Row {
    row.unwrap()
        .into_iter()
        .map(|value| match value {
            mysql::Value::NULL => Value::Null,
            mysql::Value::Int(n) => Value::Integer(n),
            mysql::Value::UInt(n) => {
                i64::try_from(n).map_or_else(|_| Value::Other("unsigned".to_owned()), Value::Integer)
            }
            mysql::Value::Bytes(bytes) => {
                String::from_utf8(bytes).map_or_else(|_| Value::Other("bytes".to_owned()), Value::Text)
            }
            other => Value::Other(format!("{other:?}")),
        })
        .collect()
}

/// The server's own message (`Table 'test.x' doesn't exist`), or the client's for anything else.
/// A server error's source is the server's error itself (`ERROR 1146 (42S02): …`): the client's
/// wrapper displays as `MySqlError { … }`, which a chain of causes would print.
fn error(error: mysql::Error) -> DriverError {
    match error {
        mysql::Error::MySqlError(server) => DriverError::with_message(server.message.clone(), server),
        other => DriverError::new(other),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_server_error_s_cause_reads_as_the_server_wrote_it() {
        let server =
            mysql::MySqlError { state: "42S02".into(), message: "Table 'test.x' doesn't exist".into(), code: 1146 };
        let error = super::error(mysql::Error::MySqlError(server));
        assert_eq!(error.message(), "Table 'test.x' doesn't exist");
        let cause = std::error::Error::source(&error).map(ToString::to_string);
        assert_eq!(cause.as_deref(), Some("ERROR 1146 (42S02): Table 'test.x' doesn't exist"));
    }
}
