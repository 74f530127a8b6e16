//! sqlx 0.9's own runner on SQLite, PostgreSQL and MariaDB, then strata through the connection an
//! sqlx 0.9 application holds (`sqlx-0_9-*`): what 0.9 stores is what 0.8 stored, and strata's
//! driver for 0.9 adopts and applies through it.

use crate::common::{Kind, Scratch, copy_of, fixture, load, on_each_database};
use sqlx_0_9::Connection as _;
use sqlx_0_9::migrate::Migrator;
use std::str::FromStr as _;
use strata::From;

/// sqlx applies the tables and the seed rows; strata the email column and the tags.
const APPLIED: usize = 3;

/// strata through sqlx's connection: adopts, applies the rest, and then has nothing to do.
/// Returns how many migrations it adopted and applied.
async fn through_sqlx<C: strata::AsyncDriver>(conn: &mut C, migrations: &strata::Migrations) -> (usize, usize) {
    let migrator = migrations.migrator();
    let adopted = migrator.adopt_async(&mut *conn, From::Sqlx).await.unwrap().adopted.len();
    let applied = migrator.apply_async(&mut *conn).await.unwrap().ran.len();
    assert!(migrator.apply_async(&mut *conn).await.unwrap().up_to_date, "then the no-op");
    (adopted, applied)
}

on_each_database! {
    fn its_history_is_taken_over_through_sqlx_s_own_connection(kind) {
        let Some(db) = Scratch::new(kind, "sqlx09_conn") else { return };
        let folder = fixture("sqlx");
        let first = copy_of(&folder, |position| position < APPLIED, None);
        let migrations = load(&folder, kind);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let counts = runtime.block_on(async {
            let sqlx_migrator = Migrator::new(first.path()).await.unwrap();
            match kind {
                Kind::Sqlite => {
                    let options = sqlx_0_9::sqlite::SqliteConnectOptions::new()
                        .filename(db.sqlite_path())
                        .create_if_missing(true);
                    let mut conn = sqlx_0_9::SqliteConnection::connect_with(&options).await.unwrap();
                    sqlx_migrator.run(&mut conn).await.unwrap();
                    through_sqlx(&mut conn, &migrations).await
                }
                Kind::Postgres => {
                    let options = sqlx_0_9::postgres::PgConnectOptions::from_str(db.base_url()).unwrap();
                    let options = options.options([("search_path", &db.name)]);
                    let mut conn = sqlx_0_9::PgConnection::connect_with(&options).await.unwrap();
                    sqlx_migrator.run(&mut conn).await.unwrap();
                    through_sqlx(&mut conn, &migrations).await
                }
                Kind::Mariadb => {
                    let mut conn = sqlx_0_9::MySqlConnection::connect(&db.mysql_url()).await.unwrap();
                    sqlx_migrator.run(&mut conn).await.unwrap();
                    through_sqlx(&mut conn, &migrations).await
                }
            }
        });
        assert_eq!(counts, (APPLIED, migrations.len() - APPLIED));
        let alone_db = db.sibling("alone");
        let mut alone = alone_db.strata();
        alone.apply(&migrations).unwrap();
        assert_eq!(db.strata().snapshot(), alone.snapshot(), "the same schema and rows as strata alone");
    }
}
