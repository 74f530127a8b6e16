//! sqlx's connections, 0.8's and 0.9's: `apply_async(&mut *pool.acquire().await?)`.
//!
//! The two versions differ only in how a query is made from a string (0.9 takes it as a
//! `SqlSafeStr`, and its arguments have no lifetime); everything else is written once, for the
//! crate each version is imported as.

/// A module implementing [`AsyncDriver`](super::AsyncDriver) for one sqlx version's connections.
macro_rules! sqlx_driver {
    (
        $module:ident, $sqlx:ident,
        sql($sql:ident) = $sql_arg:expr,
        bind($arguments:ty),
        $(postgres_feature = $postgres_feature:literal,)?
        $(sqlite_error($sqlite_feature:literal) = $sqlite_error:ty,)?
        $(($feature:literal, $connection:ty, $database:ty, $dialect:expr),)*
    ) => {
        mod $module {
            use super::super::{AsyncDriver, Dialect, DriverError, Param, Row, Value};
            use $sqlx::{Column, TypeInfo, ValueRef};
            use std::future::Future;

            $(
            #[cfg(feature = $feature)]
            impl AsyncDriver for $connection {
                fn dialect(&self) -> Dialect {
                    $dialect
                }

                fn execute(&mut self, $sql: &str) -> impl Future<Output = Result<(), DriverError>> + Send {
                    // A query without arguments goes through the simple protocol: the statement
                    // runs as written, unprepared (SQLite runs each statement of the text in turn).
                    async move { $sqlx::Executor::execute(&mut *self, $sql_arg).await.map(drop).map_err(error) }
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
            )*

            /// `sql` with `params` bound, owned so that the future does not borrow them.
            fn bind<'q, DB>($sql: &'q str, params: &[Param<'_>]) -> $sqlx::query::Query<'q, DB, $arguments>
            where
                DB: $sqlx::Database,
                i64: for<'e> $sqlx::Encode<'e, DB> + $sqlx::Type<DB>,
                String: for<'e> $sqlx::Encode<'e, DB> + $sqlx::Type<DB>,
            {
                params.iter().fold($sqlx::query($sql_arg), |query, param| match *param {
                    Param::Integer(n) => query.bind(n),
                    Param::Text(text) => query.bind(text.to_owned()),
                })
            }

            /// One row's values: integers, booleans as 0 or 1, text; anything else by its type's
            /// name.
            fn row<R: $sqlx::Row>(row: &R) -> Result<Row, DriverError>
            where
                usize: $sqlx::ColumnIndex<R>,
                for<'r> i64: $sqlx::Decode<'r, R::Database> + $sqlx::Type<R::Database>,
                for<'r> i32: $sqlx::Decode<'r, R::Database> + $sqlx::Type<R::Database>,
                for<'r> bool: $sqlx::Decode<'r, R::Database> + $sqlx::Type<R::Database>,
                for<'r> String: $sqlx::Decode<'r, R::Database> + $sqlx::Type<R::Database>,
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

            /// The server's own message, or the client's for anything else; SQLite's busy and
            /// locked marked so, for the lease to try again.
            fn error(error: $sqlx::Error) -> DriverError {
                let Some(database) = error.as_database_error() else { return DriverError::new(error) };
                let message = database.message().to_owned();
                // PostgreSQL says where in the statement it found the error, in characters from 1.
                let offset: Option<usize> = None;
                $(
                #[cfg(feature = $postgres_feature)]
                let offset = offset.or_else(|| {
                    let pg = database.try_downcast_ref::<$sqlx::postgres::PgDatabaseError>()?;
                    match pg.position() {
                        Some($sqlx::postgres::PgErrorPosition::Original(position)) => position.checked_sub(1),
                        _ => None,
                    }
                });
                )?
                let busy = match () {
                    $(
                    #[cfg(feature = $sqlite_feature)]
                    () if database.try_downcast_ref::<$sqlite_error>().is_some() => {
                        super::sqlite_busy(database.code().as_deref())
                    }
                    )?
                    () => false,
                };
                let error = match offset {
                    Some(offset) => DriverError::with_message(message, error).at_offset(offset),
                    None => DriverError::with_message(message, error),
                };
                if busy { error.busy() } else { error }
            }
        }
    };
}

#[cfg(any(feature = "sqlx-postgres", feature = "sqlx-mysql"))]
sqlx_driver!(
    v0_8,
    sqlx,
    sql(sql) = sql,
    bind(<DB as sqlx::Database>::Arguments<'q>),
    postgres_feature = "sqlx-postgres",
    ("sqlx-postgres", sqlx::PgConnection, sqlx::Postgres, Dialect::Postgres),
    ("sqlx-mysql", sqlx::MySqlConnection, sqlx::MySql, Dialect::Mysql),
);

// 0.9 asks that SQL built at run time be marked as such: strata's is its own or the migration's.
#[cfg(any(feature = "sqlx-0_9-postgres", feature = "sqlx-0_9-mysql", feature = "sqlx-0_9-sqlite"))]
sqlx_driver!(
    v0_9,
    sqlx_0_9,
    sql(sql) = sqlx_0_9::AssertSqlSafe(sql),
    bind(<DB as sqlx_0_9::Database>::Arguments),
    postgres_feature = "sqlx-0_9-postgres",
    sqlite_error("sqlx-0_9-sqlite") = sqlx_sqlite_0_9::SqliteError,
    ("sqlx-0_9-postgres", sqlx_0_9::PgConnection, sqlx_0_9::Postgres, Dialect::Postgres),
    ("sqlx-0_9-mysql", sqlx_0_9::MySqlConnection, sqlx_0_9::MySql, Dialect::Mysql),
    ("sqlx-0_9-sqlite", sqlx_sqlite_0_9::SqliteConnection, sqlx_sqlite_0_9::Sqlite, Dialect::Sqlite),
);

/// Whether an SQLite error's code is `SQLITE_BUSY` or `SQLITE_LOCKED`: sqlx gives the extended
/// code, whose low byte is the primary one.
#[cfg_attr(not(feature = "sqlx-0_9-sqlite"), allow(dead_code))]
fn sqlite_busy(code: Option<&str>) -> bool {
    const SQLITE_BUSY: i32 = 5;
    const SQLITE_LOCKED: i32 = 6;
    let Some(code) = code.and_then(|code| code.parse::<i32>().ok()) else { return false };
    matches!(code & 0xff, SQLITE_BUSY | SQLITE_LOCKED)
}

#[cfg(test)]
mod tests {
    use super::sqlite_busy;

    #[test]
    fn only_sqlite_s_busy_and_locked_codes_are_busy() {
        // SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED, SQLITE_LOCKED_SHAREDCACHE.
        for code in ["5", "517", "6", "262"] {
            assert!(sqlite_busy(Some(code)), "{code}");
        }
        // SQLITE_ERROR, SQLITE_CONSTRAINT_UNIQUE, SQLITE_IOERR_READ, none.
        for code in [Some("1"), Some("2067"), Some("266"), None] {
            assert!(!sqlite_busy(code), "{code:?}");
        }
    }
}
