//! `postgres::Client` (and a pooled one: r2d2's, deadpool's `Object`, through `&mut *client`).

use super::postgres_values::{error, params, row};
use super::{Dialect, Driver, DriverError, Param, Row};
use crate::cancel::Interrupt;

impl Driver for postgres::Client {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&mut self, sql: &str) -> Result<(), DriverError> {
        // The simple protocol: a migration's statement runs as written (`CREATE INDEX
        // CONCURRENTLY`, `VACUUM` included), with no statement prepared.
        self.batch_execute(sql).map_err(error)
    }

    fn execute_with(&mut self, sql: &str, values: &[Param<'_>]) -> Result<u64, DriverError> {
        postgres::Client::execute(self, sql, &params(values)).map_err(error)
    }

    fn query(&mut self, sql: &str, values: &[Param<'_>]) -> Result<Vec<Row>, DriverError> {
        postgres::Client::query(self, sql, &params(values)).map_err(error)?.iter().map(row).collect()
    }

    /// PostgreSQL's cancel request, sent on a connection of its own without TLS (a server that
    /// only takes TLS ignores it, and the cancel takes effect before the next statement).
    fn interrupter(&self) -> Option<Interrupt> {
        let token = self.cancel_token();
        Some(Interrupt::new(move || {
            let _ = token.cancel_query(postgres::NoTls);
        }))
    }
}
