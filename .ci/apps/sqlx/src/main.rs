//! An sqlx application that migrates its SQLite database with strata, then goes on with sqlx.

use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};

static MIGRATIONS: strata::Migrations = strata::embed_migrations!("migrations");

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or(concat!("usage: ", env!("CARGO_PKG_NAME"), " <database file>"))?;
    // The pool first, as the application has it: strata comes in beside it, not before it.
    let pool = SqlitePool::connect_with(SqliteConnectOptions::new().filename(&path).create_if_missing(true)).await?;

    // sqlx 0.9: through a connection of the pool.
    #[cfg(feature = "sqlx-connection")]
    let report = MIGRATIONS.migrator().apply_async(&mut *pool.acquire().await?).await?;
    // sqlx 0.8: a rusqlite connection on the same file, closed once the migrations are in so that
    // only the pool holds the database.
    #[cfg(not(feature = "sqlx-connection"))]
    let report = {
        let mut conn = rusqlite::Connection::open(&path)?;
        MIGRATIONS.migrator().apply(&mut conn)?
    };
    print!("{report}");
    if report.up_to_date {
        println!("up to date: nothing was pending");
    }

    // Read through sqlx what strata's migrations wrote: one database, one SQLite library.
    let emails: Vec<String> = sqlx::query_scalar("SELECT email FROM users ORDER BY id").fetch_all(&pool).await?;
    let sqlite: String = sqlx::query_scalar("SELECT sqlite_version()").fetch_one(&pool).await?;
    println!("sqlx reads users: {}", emails.join(", "));
    #[cfg(feature = "sqlx-connection")]
    println!("SQLite {sqlite} through sqlx, which strata migrated through");
    #[cfg(not(feature = "sqlx-connection"))]
    println!("SQLite {sqlite} through sqlx, {} through rusqlite", rusqlite::version());
    pool.close().await;
    Ok(())
}
