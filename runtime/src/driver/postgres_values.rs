//! What `postgres` and `tokio-postgres` share: parameters and rows as strata's values, and the
//! server's message out of an error.

use super::{DriverError, Param, Value};
use pg::types::{ToSql, Type};
#[cfg(all(feature = "postgres", not(feature = "tokio-postgres")))]
use postgres as pg;
#[cfg(feature = "tokio-postgres")]
use tokio_postgres as pg;

/// `params` as the client library takes them.
pub(super) fn params<'a>(params: &'a [Param<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params
        .iter()
        .map(|param| match param {
            Param::Integer(n) => n as &(dyn ToSql + Sync),
            Param::Text(text) => text as &(dyn ToSql + Sync),
        })
        .collect()
}

/// One row's values: integers, booleans as 0 or 1, text; anything else by its type's name.
pub(super) fn row(row: &pg::Row) -> Result<Vec<Value>, DriverError> {
    (0..row.len())
        .map(|index| {
            let ty = row.columns()[index].type_().clone();
            let value = match ty {
                Type::INT8 => row.try_get::<_, Option<i64>>(index).map(|v| v.map(Value::Integer)),
                Type::INT4 => row.try_get::<_, Option<i32>>(index).map(|v| v.map(|n| Value::Integer(n.into()))),
                Type::INT2 => row.try_get::<_, Option<i16>>(index).map(|v| v.map(|n| Value::Integer(n.into()))),
                Type::BOOL => row.try_get::<_, Option<bool>>(index).map(|v| v.map(|b| Value::Integer(b.into()))),
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
                    row.try_get::<_, Option<String>>(index).map(|v| v.map(Value::Text))
                }
                other => return Ok(Value::Other(other.name().to_owned())),
            };
            value.map(|value| value.unwrap_or(Value::Null)).map_err(DriverError::new)
        })
        .collect()
}

/// The server's own message (`relation "x" does not exist`), or the client's for anything else.
pub(super) fn error(error: pg::Error) -> DriverError {
    let Some(db) = error.as_db_error() else { return DriverError::new(error) };
    let offset = match db.position() {
        // PostgreSQL counts characters from 1.
        Some(pg::error::ErrorPosition::Original(position)) => (*position as usize).checked_sub(1),
        _ => None,
    };
    let message = db.message().to_owned();
    match offset {
        Some(offset) => DriverError::with_message(message, error).at_offset(offset),
        None => DriverError::with_message(message, error),
    }
}
