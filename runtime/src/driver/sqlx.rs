//! sqlx's `PgConnection` and `MySqlConnection`: `apply_async(&mut *pool.acquire().await?)`.

use super::{AsyncDriver, Dialect, DriverError, Param, Row, Value};
use sqlx::{Column, TypeInfo, ValueRef};
use std::future::Future;

/// Implements [`AsyncDriver`] for one of sqlx's connections.
macro_rules! sqlx_driver {
    ($feature:literal, $connection:ty, $database:ty, $dialect:expr) => {
        #[cfg(feature = $feature)]
        impl AsyncDriver for $connection {
            fn dialect(&self) -> Dialect {
                $dialect
            }

            fn execute(&mut self, sql: &str) -> impl Future<Output = Result<(), DriverError>> + Send {
                // A query without arguments goes through the simple protocol: the statement runs
                // as written, unprepared.
                async move { sqlx::Executor::execute(&mut *self, sql).await.map(drop).map_err(error) }
            }

            fn execute_with(
                &mut self,
                sql: &str,
                params: &[Param<'_>],
            ) -> impl Future<Output = Result<u64, DriverError>> + Send {
                let query = bind::<$database>(sql, params);
                async move { query.execute(&mut *self).await.map(|done| done.rows_affected()).map_err(error) }
            }

            fn query(
                &mut self,
                sql: &str,
                params: &[Param<'_>],
            ) -> impl Future<Output = Result<Vec<Row>, DriverError>> + Send {
                let query = bind::<$database>(sql, params);
                async move {
                    let rows = query.fetch_all(&mut *self).await.map_err(error)?;
                    rows.iter().map(row).collect()
                }
            }
        }
    };
}

sqlx_driver!("sqlx-postgres", sqlx::PgConnection, sqlx::Postgres, Dialect::Postgres);
sqlx_driver!("sqlx-mysql", sqlx::MySqlConnection, sqlx::MySql, Dialect::Mysql);

/// `sql` with `params` bound, owned so that the future does not borrow them.
fn bind<'q, DB>(sql: &'q str, params: &[Param<'_>]) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>
where
    DB: sqlx::Database,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    params.iter().fold(sqlx::query(sql), |query, param| match *param {
        Param::Integer(n) => query.bind(n),
        Param::Text(text) => query.bind(text.to_owned()),
    })
}

/// One row's values: integers, booleans as 0 or 1, text; anything else by its type's name.
fn row<R: sqlx::Row>(row: &R) -> Result<Row, DriverError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i32: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    (0..row.len())
        .map(|index| {
            if row.try_get_raw(index).map_err(DriverError::new)?.is_null() {
                return Ok(Value::Null);
            }
            if let Ok(n) = row.try_get::<i64, _>(index) {
                return Ok(Value::Integer(n));
            }
            if let Ok(n) = row.try_get::<i32, _>(index) {
                return Ok(Value::Integer(n.into()));
            }
            if let Ok(b) = row.try_get::<bool, _>(index) {
                return Ok(Value::Integer(b.into()));
            }
            if let Ok(text) = row.try_get::<String, _>(index) {
                return Ok(Value::Text(text));
            }
            Ok(Value::Other(row.columns()[index].type_info().name().to_owned()))
        })
        .collect()
}

/// The server's own message, or the client's for anything else.
fn error(error: sqlx::Error) -> DriverError {
    let Some(database) = error.as_database_error() else { return DriverError::new(error) };
    let message = database.message().to_owned();
    // PostgreSQL says where in the statement it found the error, in characters from 1.
    #[cfg(feature = "sqlx-postgres")]
    let offset = database.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().and_then(|pg| match pg.position() {
        Some(sqlx::postgres::PgErrorPosition::Original(position)) => position.checked_sub(1),
        _ => None,
    });
    #[cfg(not(feature = "sqlx-postgres"))]
    let offset = None;
    match offset {
        Some(offset) => DriverError::with_message(message, error).at_offset(offset),
        None => DriverError::with_message(message, error),
    }
}
