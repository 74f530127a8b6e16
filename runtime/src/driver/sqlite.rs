//! `rusqlite::Connection` (and a pooled one, through `&mut *conn`).

use super::{Dialect, Driver, DriverError, Param, Row, Value};
use crate::cancel::Interrupt;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, ToSql};

impl Driver for Connection {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&mut self, sql: &str) -> Result<(), DriverError> {
        self.execute_batch(sql).map_err(|error| error_with_message(error, sql))
    }

    fn execute_with(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, DriverError> {
        let mut statement = self.prepare(sql).map_err(|error| error_with_message(error, sql))?;
        let changed =
            statement.execute(rusqlite::params_from_iter(params)).map_err(|error| error_with_message(error, sql))?;
        Ok(changed as u64)
    }

    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, DriverError> {
        let fail = |error| error_with_message(error, sql);
        let mut statement = self.prepare(sql).map_err(fail)?;
        let columns = statement.column_count();
        let mut rows = statement.query(rusqlite::params_from_iter(params)).map_err(fail)?;
        let mut result = Vec::new();
        while let Some(row) = rows.next().map_err(fail)? {
            let mut values = Vec::with_capacity(columns);
            for index in 0..columns {
                values.push(match row.get_ref(index).map_err(fail)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(n) => Value::Integer(n),
                    ValueRef::Text(bytes) => match std::str::from_utf8(bytes) {
                        Ok(text) => Value::Text(text.to_owned()),
                        Err(_) => Value::Other("text that is not UTF-8".to_owned()),
                    },
                    ValueRef::Real(_) => Value::Other("real".to_owned()),
                    ValueRef::Blob(_) => Value::Other("blob".to_owned()),
                });
            }
            result.push(values);
        }
        Ok(result)
    }

    fn interrupter(&self) -> Option<Interrupt> {
        let handle = self.get_interrupt_handle();
        Some(Interrupt::new(move || handle.interrupt()))
    }
}

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match *self {
            Param::Integer(n) => ToSqlOutput::Borrowed(ValueRef::Integer(n)),
            Param::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
        })
    }
}

fn error_with_message(error: rusqlite::Error, sql: &str) -> DriverError {
    let busy = matches!(error.sqlite_error_code(), Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked));
    let error = DriverError::with_message(sqlite_message(&error, sql), error);
    if busy { error.busy() } else { error }
}

/// SQLite's own message for a failed statement.
///
/// rusqlite reports errors that point into the statement as `SqlInputError`, a variant that
/// rusqlite before 0.41 only has with its `modern_sqlite` feature (which `bundled` turns on and
/// a system SQLite build does not): naming it would break the build of every application on the
/// system SQLite. Its text is `<message> in <sql> at offset <n>`; the message is what comes first.
fn sqlite_message(error: &rusqlite::Error, sql: &str) -> String {
    if let rusqlite::Error::SqliteFailure(_, Some(message)) = error {
        return message.clone();
    }
    let mut text = error.to_string();
    let message_len = text
        .rsplit_once(" at offset ")
        .filter(|(_, offset)| !offset.is_empty() && offset.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|(head, _)| head.strip_suffix(sql))
        .and_then(|head| head.strip_suffix(" in "))
        .map(str::len);
    if let Some(len) = message_len {
        text.truncate(len);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::sqlite_message;

    #[test]
    fn the_driver_message_is_sqlite_s_own_whatever_the_variant() {
        let conn = rusqlite::Connection::open_in_memory().expect("memory");
        // With an offset (`SqlInputError` on a modern SQLite) and without (`SqliteFailure`).
        for (sql, expected) in
            [("SELEC 1", "near \"SELEC\": syntax error"), ("SELECT * FROM missing", "no such table: missing")]
        {
            let error = conn.execute_batch(sql).expect_err("fails");
            assert_eq!(sqlite_message(&error, sql), expected, "{error:?}");
        }
        assert_eq!(sqlite_message(&rusqlite::Error::InvalidQuery, "x"), rusqlite::Error::InvalidQuery.to_string());
    }
}
