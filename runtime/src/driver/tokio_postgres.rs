//! `tokio_postgres::Client` (and a pooled one: deadpool's and bb8's objects dereference to it).

use super::postgres_values::{error, params, row};
use super::{AsyncDriver, Dialect, DriverError, Param, Row};
use std::future::Future;

impl AsyncDriver for tokio_postgres::Client {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&mut self, sql: &str) -> impl Future<Output = Result<(), DriverError>> + Send {
        async move { self.batch_execute(sql).await.map_err(error) }
    }

    fn execute_with(
        &mut self,
        sql: &str,
        values: &[Param<'_>],
    ) -> impl Future<Output = Result<u64, DriverError>> + Send {
        async move { tokio_postgres::Client::execute(self, sql, &params(values)).await.map_err(error) }
    }

    fn query(&mut self, sql: &str, values: &[Param<'_>]) -> impl Future<Output = Result<Vec<Row>, DriverError>> + Send {
        async move {
            tokio_postgres::Client::query(self, sql, &params(values)).await.map_err(error)?.iter().map(row).collect()
        }
    }
}
