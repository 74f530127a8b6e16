//! `tokio_postgres::Client` (and a pooled one: deadpool's and bb8's objects dereference to it).

use super::postgres_values::{error, params, row};
use super::{AsyncDriver, Dialect, DriverError, Param, Row};

impl AsyncDriver for tokio_postgres::Client {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    async fn execute(&mut self, sql: &str) -> Result<(), DriverError> {
        // The simple protocol: a migration's statement runs as written, unprepared.
        self.batch_execute(sql).await.map_err(error)
    }

    async fn execute_with(&mut self, sql: &str, values: &[Param<'_>]) -> Result<u64, DriverError> {
        tokio_postgres::Client::execute(self, sql, &params(values)).await.map_err(error)
    }

    async fn query(&mut self, sql: &str, values: &[Param<'_>]) -> Result<Vec<Row>, DriverError> {
        tokio_postgres::Client::query(self, sql, &params(values)).await.map_err(error)?.iter().map(row).collect()
    }
}
