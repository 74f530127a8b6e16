//! diesel-async's `AsyncPgConnection` and `AsyncMysqlConnection`: `apply_async(&mut conn)`, also
//! through bb8's and deadpool's pooled ones (`&mut *pooled`). The statements, binds, rows and
//! errors are diesel's own, as for the blocking connections.

use super::diesel::{Values, bind, error};
use super::{AsyncDriver, Dialect, DriverError, Param, Row};
use std::future::Future;

/// Implements [`AsyncDriver`] for one of diesel-async's connections.
macro_rules! diesel_async_driver {
    ($feature:literal, $connection:ty, $backend:ty, $dialect:expr) => {
        #[cfg(feature = $feature)]
        impl AsyncDriver for $connection {
            fn dialect(&self) -> Dialect {
                $dialect
            }

            fn execute(&mut self, sql: &str) -> impl Future<Output = Result<(), DriverError>> + Send {
                async move { diesel_async::SimpleAsyncConnection::batch_execute(self, sql).await.map_err(error) }
            }

            fn execute_with(
                &mut self,
                sql: &str,
                params: &[Param<'_>],
            ) -> impl Future<Output = Result<u64, DriverError>> + Send {
                let query = bind::<$backend>(sql, params);
                async move {
                    let affected = diesel_async::RunQueryDsl::execute(query, self).await.map_err(error)?;
                    Ok(u64::try_from(affected).unwrap_or_default())
                }
            }

            fn query(
                &mut self,
                sql: &str,
                params: &[Param<'_>],
            ) -> impl Future<Output = Result<Vec<Row>, DriverError>> + Send {
                let query = bind::<$backend>(sql, params);
                async move {
                    let rows: Vec<Values> = diesel_async::RunQueryDsl::load(query, self).await.map_err(error)?;
                    Ok(rows.into_iter().map(|Values(row)| row).collect())
                }
            }
        }
    };
}

diesel_async_driver!("diesel-async-postgres", diesel_async::AsyncPgConnection, diesel::pg::Pg, Dialect::Postgres);
diesel_async_driver!("diesel-async-mysql", diesel_async::AsyncMysqlConnection, diesel::mysql::Mysql, Dialect::Mysql);
