//! Applies the sample migrations' MySQL/MariaDB variant (`examples/migrations-mysql`), holding
//! MySQL's `GET_LOCK`, and prints what it did.
//!
//! ```text
//! cargo run --example mysql -- mysql://root@127.0.0.1:3306/test
//! ```
//!
//! Run it twice: the second run finds nothing pending. MySQL commits DDL implicitly, so the
//! migrations with DDL run under a dirty row; the seed runs in a transaction with its row.

use std::error::Error;

static MIGRATIONS: strata::Migrations = strata::embed_migrations!("examples/migrations-mysql", dialect = "mysql");

fn main() -> Result<(), Box<dyn Error>> {
    let url = std::env::args().nth(1).ok_or("usage: cargo run --example mysql -- mysql://user@host/database")?;
    let mut conn = mysql::Conn::new(mysql::Opts::from_url(&url)?)?;
    let migrator = MIGRATIONS.migrator().on_event(|event| {
        if let strata::Event::Started { migration, direction } = event {
            println!("  running {migration} ({direction})");
        }
    });
    let report = migrator.apply(&mut conn)?;
    print!("{report}");
    println!();
    print!("{}", migrator.status(&mut conn)?);
    Ok(())
}
