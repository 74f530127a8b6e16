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
        let folder = db.scratch.dir.path().join("m");
        common::write_files(&folder, &[("0001_a.sql", "CREATE TABLE a (x INTEGER);")]);
        let options = strata::LoadOptions { dialect: via.dialect(), ..Default::default() };
        let migrations = strata::Migrations::from_dir_with(&folder, &options).unwrap();
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
