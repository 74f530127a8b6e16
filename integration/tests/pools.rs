//! Pooled connections: the migrator takes anything that dereferences to a client, by value or
//! as `&mut *pooled`, blocking and async.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test panics

mod common;

use common::db::{MYSQL_URL, POSTGRES_URL, Via};
use std::ops::{Deref, DerefMut};

static MIGRATIONS: strata::Migrations = strata::embed_migrations!("migrations");

/// What r2d2's `PooledConnection` is to a `rusqlite::Connection`.
struct Pooled(rusqlite::Connection);

impl Deref for Pooled {
    type Target = rusqlite::Connection;
    fn deref(&self) -> &rusqlite::Connection {
        &self.0
    }
}

impl DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut rusqlite::Connection {
        &mut self.0
    }
}

#[test]
fn a_pooled_sqlite_connection_works_by_reference_and_by_value() {
    let mut pooled = Pooled(rusqlite::Connection::open_in_memory().unwrap());
    assert_eq!(MIGRATIONS.migrator().apply(&mut *pooled).unwrap().ran.len(), MIGRATIONS.len());
    assert!(MIGRATIONS.migrator().status(&mut *pooled).unwrap().pending().is_empty());
    assert!(MIGRATIONS.migrator().apply(pooled).unwrap().up_to_date);
}

#[test]
fn sqlx_pool_connections_work_by_value_and_by_reference() {
    let runtime = common::db::runtime();
    for (via, var) in [(Via::SqlxPostgres, POSTGRES_URL), (Via::SqlxMysql, MYSQL_URL)] {
        let Some(db) = common::db::Db::open(via) else {
            common::db::run(via, |_| {});
            continue;
        };
        let migrations = db.migrations(&[("0001_a.sql", "CREATE TABLE a (x INTEGER);")]);
        let url = std::env::var(var).unwrap();
        runtime.block_on(async {
            match via {
                Via::SqlxPostgres => {
                    let options: sqlx::postgres::PgConnectOptions = url.parse().unwrap();
                    let pool =
                        sqlx::PgPool::connect_with(options.options([("search_path", db.name.as_str())])).await.unwrap();
                    let report = migrations.migrator().apply_async(pool.acquire().await.unwrap()).await.unwrap();
                    assert_eq!(report.ran.len(), 1);
                    let mut conn = pool.acquire().await.unwrap();
                    assert!(migrations.migrator().apply_async(&mut *conn).await.unwrap().up_to_date);
                }
                _ => {
                    let options: sqlx::mysql::MySqlConnectOptions = url.parse().unwrap();
                    let pool = sqlx::MySqlPool::connect_with(options.database(&db.name)).await.unwrap();
                    let report = migrations.migrator().apply_async(pool.acquire().await.unwrap()).await.unwrap();
                    assert_eq!(report.ran.len(), 1);
                    let mut conn = pool.acquire().await.unwrap();
                    assert!(migrations.migrator().apply_async(&mut *conn).await.unwrap().up_to_date);
                }
            }
        });
    }
}

/// sqlx 0.9's pools, SQLite's included: a `PoolConnection` by value or `&mut *conn`.
#[test]
fn sqlx_0_9_pool_connections_work_by_value_and_by_reference() {
    let runtime = common::db::runtime();
    let dir = tempfile::tempdir().unwrap();
    runtime.block_on(async {
        let options =
            sqlx_0_9::sqlite::SqliteConnectOptions::new().filename(dir.path().join("app.db")).create_if_missing(true);
        let pool = sqlx_0_9::SqlitePool::connect_with(options).await.unwrap();
        let report = MIGRATIONS.migrator().apply_async(pool.acquire().await.unwrap()).await.unwrap();
        assert_eq!(report.ran.len(), MIGRATIONS.len());
        let mut conn = pool.acquire().await.unwrap();
        assert!(MIGRATIONS.migrator().apply_async(&mut *conn).await.unwrap().up_to_date);
    });
    for via in [Via::Sqlx09Postgres, Via::Sqlx09Mysql] {
        let Some(db) = common::db::Db::open(via) else {
            common::db::run(via, |_| {});
            continue;
        };
        let migrations = db.migrations(&[("0001_a.sql", "CREATE TABLE a (x INTEGER);")]);
        runtime.block_on(async {
            let report = if via == Via::Sqlx09Postgres {
                let options: sqlx_0_9::postgres::PgConnectOptions =
                    std::env::var(POSTGRES_URL).unwrap().parse().unwrap();
                let pool =
                    sqlx_0_9::PgPool::connect_with(options.options([("search_path", db.name.as_str())])).await.unwrap();
                let report = migrations.migrator().apply_async(pool.acquire().await.unwrap()).await.unwrap();
                assert!(
                    migrations.migrator().apply_async(&mut *pool.acquire().await.unwrap()).await.unwrap().up_to_date
                );
                report
            } else {
                let options: sqlx_0_9::mysql::MySqlConnectOptions = std::env::var(MYSQL_URL).unwrap().parse().unwrap();
                let pool = sqlx_0_9::MySqlPool::connect_with(options.database(&db.name)).await.unwrap();
                let report = migrations.migrator().apply_async(pool.acquire().await.unwrap()).await.unwrap();
                assert!(
                    migrations.migrator().apply_async(&mut *pool.acquire().await.unwrap()).await.unwrap().up_to_date
                );
                report
            };
            assert_eq!(report.ran.len(), 1);
        });
    }
}

/// diesel's r2d2 pool, as a diesel application holds it: `apply(&mut *pooled)`, or the pooled
/// connection by value.
#[cfg(feature = "diesel")]
#[test]
fn a_diesel_r2d2_pooled_connection_works_by_reference_and_by_value() {
    use diesel::r2d2::{ConnectionManager, Pool};
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("app.db").display().to_string();
    let pool = Pool::builder().max_size(1).build(ConnectionManager::<diesel::SqliteConnection>::new(url)).unwrap();
    let mut pooled = pool.get().unwrap();
    assert_eq!(MIGRATIONS.migrator().apply(&mut *pooled).unwrap().ran.len(), MIGRATIONS.len());
    assert!(MIGRATIONS.migrator().status(&mut *pooled).unwrap().pending().is_empty());
    assert!(MIGRATIONS.migrator().apply(pooled).unwrap().up_to_date);
}

/// diesel-async's deadpool pool, as a diesel-async application holds it: `apply_async(&mut
/// *pooled)`.
#[cfg(feature = "diesel")]
#[test]
fn a_diesel_async_deadpool_object_works_by_reference() {
    use diesel_async::pooled_connection::AsyncDieselConnectionManager;
    use diesel_async::pooled_connection::deadpool::Pool;
    let Some(db) = common::db::Db::open(Via::DieselAsyncPostgres) else {
        common::db::run(Via::DieselAsyncPostgres, |_| {});
        return;
    };
    let migrations = db.migrations(&[("0001_a.sql", "CREATE TABLE a (x INTEGER);")]);
    let url = format!("{}?options=-c%20search_path%3D{}", std::env::var(POSTGRES_URL).unwrap(), db.name);
    common::db::runtime().block_on(async {
        let manager = AsyncDieselConnectionManager::<diesel_async::AsyncPgConnection>::new(url);
        let pool = Pool::builder(manager).max_size(1).build().unwrap();
        let mut pooled = pool.get().await.unwrap();
        assert_eq!(migrations.migrator().apply_async(&mut *pooled).await.unwrap().ran.len(), 1);
        drop(pooled);
        let mut again = pool.get().await.unwrap();
        assert!(migrations.migrator().apply_async(&mut *again).await.unwrap().up_to_date);
    });
}
