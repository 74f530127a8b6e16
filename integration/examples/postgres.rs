//! Applies the sample migrations' PostgreSQL variant (`examples/migrations-postgres`), holding
//! PostgreSQL's advisory lock, and prints what it did.
//!
//! ```text
//! cargo run --example postgres -- postgres://postgres@127.0.0.1:5432/test
//! ```
//!
//! Run it twice: the second run finds nothing pending. `--lease` takes a lease row instead of
//! the advisory lock (behind PgBouncer in transaction mode, on CockroachDB).

use std::error::Error;
use std::time::Duration;

static MIGRATIONS: strata::Migrations = strata::embed_migrations!("examples/migrations-postgres", dialect = "postgres");

fn main() -> Result<(), Box<dyn Error>> {
    let url = std::env::args().nth(1).ok_or("usage: cargo run --example postgres -- postgres://user@host/database")?;
    let lock = if std::env::args().any(|arg| arg == "--lease") {
        strata::Lock::Lease { ttl: Duration::from_secs(30) }
    } else {
        strata::Lock::Session
    };
    let mut client = postgres::Client::connect(&url, postgres::NoTls)?;
    let migrator = MIGRATIONS.migrator().lock(lock).on_event(|event| {
        if let strata::Event::Started { migration, direction } = event {
            println!("  running {migration} ({direction})");
        }
    });
    let report = migrator.apply(&mut client)?;
    print!("{report}");
    println!();
    print!("{}", migrator.status(&mut client)?);
    Ok(())
}
