//! Applies a folder through every server driver, each in a scratch schema or database of its
//! own, then again (nothing to do), and drops them.

use std::error::Error;

static POSTGRES: strata::Migrations = strata::embed_migrations!("migrations-postgres", dialect = "postgres");
static MYSQL: strata::Migrations = strata::embed_migrations!("migrations-mysql", dialect = "mysql");

fn say(driver: &str, first: &strata::Report, second: &strata::Report) -> Result<(), Box<dyn Error>> {
    println!("{driver}: ran {}, then up to date: {}", first.ran.len(), second.up_to_date);
    if first.ran.len() != 2 || !second.up_to_date {
        return Err(format!("{driver}: expected 2 migrations, then nothing to do").into());
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let postgres_url = std::env::var("STRATA_TEST_POSTGRES_URL")?;
    let mysql_url = std::env::var("STRATA_TEST_MYSQL_URL")?;
    let scratch = |driver: &str| format!("strata_user_{driver}_{}", std::process::id());
    let mut admin = postgres::Client::connect(&postgres_url, postgres::NoTls)?;
    let mut mysql_admin = mysql::Conn::new(mysql::Opts::from_url(&mysql_url)?)?;
    use mysql::prelude::Queryable;
    let in_schema = |schema: &str| format!("{postgres_url}?options=-c%20search_path%3D{schema}");
    let in_database = |database: &str| format!("{}/{database}", mysql_url.rsplit_once('/').map_or(mysql_url.as_str(), |(base, _)| base));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let outcome = (|| -> Result<(), Box<dyn Error>> {
        let schema = scratch("postgres");
        admin.batch_execute(&format!("CREATE SCHEMA {schema}"))?;
        let mut client = postgres::Client::connect(&in_schema(&schema), postgres::NoTls)?;
        say("postgres", &POSTGRES.migrator().apply(&mut client)?, &POSTGRES.migrator().apply(&mut client)?)?;

        let schema = scratch("tokio_postgres");
        admin.batch_execute(&format!("CREATE SCHEMA {schema}"))?;
        runtime.block_on(async {
            let (mut client, connection) = tokio_postgres::connect(&in_schema(&schema), tokio_postgres::NoTls).await?;
            tokio::spawn(connection);
            let first = POSTGRES.migrator().apply_async(&mut client).await?;
            say("tokio-postgres", &first, &POSTGRES.migrator().apply_async(&mut client).await?)
        })?;

        let schema = scratch("sqlx_postgres");
        admin.batch_execute(&format!("CREATE SCHEMA {schema}"))?;
        runtime.block_on(async {
            let pool = sqlx::PgPool::connect(&in_schema(&schema)).await?;
            let first = POSTGRES.migrator().apply_async(&mut *pool.acquire().await?).await?;
            say("sqlx (PostgreSQL)", &first, &POSTGRES.migrator().apply_async(pool.acquire().await?).await?)
        })?;

        let schema = scratch("sqlx_0_9_postgres");
        admin.batch_execute(&format!("CREATE SCHEMA {schema}"))?;
        runtime.block_on(async {
            let pool = sqlx_0_9::PgPool::connect(&in_schema(&schema)).await?;
            let first = POSTGRES.migrator().apply_async(&mut *pool.acquire().await?).await?;
            say("sqlx 0.9 (PostgreSQL)", &first, &POSTGRES.migrator().apply_async(pool.acquire().await?).await?)
        })?;

        let database = scratch("mysql");
        mysql_admin.query_drop(format!("CREATE DATABASE {database}"))?;
        let mut conn = mysql::Conn::new(mysql::Opts::from_url(&in_database(&database))?)?;
        say("mysql", &MYSQL.migrator().apply(&mut conn)?, &MYSQL.migrator().apply(&mut conn)?)?;

        let database = scratch("sqlx_mysql");
        mysql_admin.query_drop(format!("CREATE DATABASE {database}"))?;
        runtime.block_on(async {
            let pool = sqlx::MySqlPool::connect(&in_database(&database)).await?;
            let first = MYSQL.migrator().apply_async(&mut *pool.acquire().await?).await?;
            say("sqlx (MariaDB)", &first, &MYSQL.migrator().apply_async(pool.acquire().await?).await?)
        })?;

        let database = scratch("sqlx_0_9_mysql");
        mysql_admin.query_drop(format!("CREATE DATABASE {database}"))?;
        runtime.block_on(async {
            let pool = sqlx_0_9::MySqlPool::connect(&in_database(&database)).await?;
            let first = MYSQL.migrator().apply_async(&mut *pool.acquire().await?).await?;
            say("sqlx 0.9 (MariaDB)", &first, &MYSQL.migrator().apply_async(pool.acquire().await?).await?)
        })
    })();
    for driver in ["postgres", "tokio_postgres", "sqlx_postgres", "sqlx_0_9_postgres"] {
        admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", scratch(driver)))?;
    }
    for driver in ["mysql", "sqlx_mysql", "sqlx_0_9_mysql"] {
        mysql_admin.query_drop(format!("DROP DATABASE IF EXISTS {}", scratch(driver)))?;
    }
    outcome
}
