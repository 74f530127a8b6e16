//! diesel's `PgConnection`, `MysqlConnection` and `SqliteConnection`: `apply(&mut conn)`, also
//! through an r2d2 `PooledConnection`; and what diesel-async's drivers share with them. Statements run through `batch_execute` (unprepared, as
//! written); strata's own queries through `sql_query`, their rows read column by column.

use super::{DriverError, Param, Row, Value};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, QueryableByName};
use diesel::query_builder::BoxedSqlQuery;
use diesel::row::{Field, NamedRow};
use diesel::sql_types::{BigInt, Text};
#[cfg(any(feature = "diesel-postgres", feature = "diesel-async-postgres"))]
use diesel::sql_types::{Bool, Integer, SmallInt};

/// Implements [`Driver`] for one of diesel's connections.
macro_rules! diesel_driver {
    ($feature:literal, $connection:ty, $backend:ty, $dialect:expr) => {
        #[cfg(feature = $feature)]
        impl super::Driver for $connection {
            fn dialect(&self) -> super::Dialect {
                $dialect
            }

            fn execute(&mut self, sql: &str) -> Result<(), DriverError> {
                diesel::connection::SimpleConnection::batch_execute(self, sql).map_err(error)
            }

            fn execute_with(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, DriverError> {
                let affected = diesel::RunQueryDsl::execute(bind::<$backend>(sql, params), self).map_err(error)?;
                Ok(u64::try_from(affected).unwrap_or_default())
            }

            fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, DriverError> {
                let rows: Vec<Values> =
                    diesel::RunQueryDsl::load(bind::<$backend>(sql, params), self).map_err(error)?;
                Ok(rows.into_iter().map(|Values(row)| row).collect())
            }
        }
    };
}

diesel_driver!("diesel-postgres", diesel::PgConnection, diesel::pg::Pg, super::Dialect::Postgres);
diesel_driver!("diesel-mysql", diesel::MysqlConnection, diesel::mysql::Mysql, super::Dialect::Mysql);
diesel_driver!("diesel-sqlite", diesel::SqliteConnection, diesel::sqlite::Sqlite, super::Dialect::Sqlite);

/// `sql` with `params` bound.
pub(super) fn bind<'f, DB>(sql: &str, params: &[Param<'_>]) -> BoxedSqlQuery<'f, DB, diesel::query_builder::SqlQuery>
where
    DB: Backend + diesel::sql_types::HasSqlType<BigInt> + diesel::sql_types::HasSqlType<Text>,
    i64: diesel::serialize::ToSql<BigInt, DB>,
    String: diesel::serialize::ToSql<Text, DB>,
{
    params.iter().fold(diesel::sql_query(sql).into_boxed(), |query, param| match *param {
        Param::Integer(n) => query.bind::<BigInt, _>(n),
        Param::Text(text) => query.bind::<Text, _>(text.to_owned()),
    })
}

/// One row of any query, as strata's values.
pub(super) struct Values(pub(super) Row);

impl<DB: Decode> QueryableByName<DB> for Values {
    fn build<'a>(row: &impl NamedRow<'a, DB>) -> deserialize::Result<Self> {
        (0..diesel::row::Row::field_count(row))
            .map(|index| match diesel::row::Row::get(row, index) {
                Some(field) => DB::decode(field.value()),
                None => Ok(Value::Null),
            })
            .collect::<deserialize::Result<Row>>()
            .map(Values)
    }
}

/// How a backend's raw value reads as strata's: integers, booleans as 0 or 1, text; anything
/// else by its type's name.
trait Decode: Backend + Sized {
    fn decode(raw: Option<Self::RawValue<'_>>) -> deserialize::Result<Value>;
}

#[cfg(any(feature = "diesel-postgres", feature = "diesel-async-postgres"))]
impl Decode for diesel::pg::Pg {
    fn decode(raw: Option<diesel::pg::PgValue<'_>>) -> deserialize::Result<Value> {
        let Some(raw) = raw else { return Ok(Value::Null) };
        // The type's oid, as PostgreSQL's catalogue numbers them.
        Ok(match raw.get_oid().get() {
            20 => Value::Integer(<i64 as FromSql<BigInt, Self>>::from_sql(raw)?),
            23 => Value::Integer(<i32 as FromSql<Integer, Self>>::from_sql(raw)?.into()),
            21 => Value::Integer(<i16 as FromSql<SmallInt, Self>>::from_sql(raw)?.into()),
            16 => Value::Integer(<bool as FromSql<Bool, Self>>::from_sql(raw)?.into()),
            // text, varchar, bpchar, name
            25 | 1043 | 1042 | 19 => Value::Text(<String as FromSql<Text, Self>>::from_sql(raw)?),
            17 => Value::Other("bytea".to_owned()),
            oid => Value::Other(format!("type {oid}")),
        })
    }
}

#[cfg(any(feature = "diesel-mysql", feature = "diesel-async-mysql"))]
impl Decode for diesel::mysql::Mysql {
    fn decode(raw: Option<diesel::mysql::MysqlValue<'_>>) -> deserialize::Result<Value> {
        use diesel::mysql::MysqlType as T;
        let Some(raw) = raw else { return Ok(Value::Null) };
        Ok(match raw.value_type() {
            T::Tiny | T::Short | T::Long | T::LongLong | T::UnsignedTiny | T::UnsignedShort | T::UnsignedLong => {
                Value::Integer(<i64 as FromSql<BigInt, Self>>::from_sql(raw)?)
            }
            // Text columns come as blobs with a character set.
            T::String | T::Blob | T::Enum | T::Set => String::from_utf8(raw.as_bytes().to_vec())
                .map_or_else(|_| Value::Other("bytes".to_owned()), Value::Text),
            other => Value::Other(format!("{other:?}")),
        })
    }
}

#[cfg(feature = "diesel-sqlite")]
impl Decode for diesel::sqlite::Sqlite {
    fn decode(raw: Option<diesel::sqlite::SqliteValue<'_, '_, '_>>) -> deserialize::Result<Value> {
        use diesel::sqlite::SqliteType as T;
        let Some(raw) = raw else { return Ok(Value::Null) };
        Ok(match raw.value_type() {
            Some(T::Long | T::Integer | T::SmallInt) => Value::Integer(<i64 as FromSql<BigInt, Self>>::from_sql(raw)?),
            Some(T::Text) => Value::Text(<String as FromSql<Text, Self>>::from_sql(raw)?),
            Some(T::Binary) => Value::Other("blob".to_owned()),
            Some(T::Float | T::Double) => Value::Other("real".to_owned()),
            None => Value::Null,
        })
    }
}

/// The server's own message, where PostgreSQL found the error, and whether SQLite was busy.
pub(super) fn error(error: diesel::result::Error) -> DriverError {
    let diesel::result::Error::DatabaseError(_, info) = &error else { return DriverError::new(error) };
    let message = info.message().to_owned();
    // PostgreSQL counts characters from 1.
    let offset = info.statement_position().and_then(|position| usize::try_from(position).ok()?.checked_sub(1));
    let busy = message.starts_with("database is locked") || message.starts_with("database table is locked");
    let driver_error = DriverError::with_message(message, error);
    let driver_error = match offset {
        Some(offset) => driver_error.at_offset(offset),
        None => driver_error,
    };
    if busy { driver_error.busy() } else { driver_error }
}
