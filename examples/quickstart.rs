//! Applies the sample migrations in `migrations/` to a SQLite file and prints what it did.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! Run it twice: the second run finds nothing pending.

use std::error::Error;
use std::path::PathBuf;

/// Checked at compile time; the build script makes new files in the folder rebuild it.
static MIGRATIONS: strata::Migrations = strata::embed_migrations!("migrations");

fn main() -> Result<(), Box<dyn Error>> {
    let path = database_path();
    println!("database: {}", path.display());
    println!("embedded: {} migrations, set digest {}", MIGRATIONS.len(), MIGRATIONS.digest());
    for migration in &MIGRATIONS {
        println!("  {:<20} {}", migration.id(), migration.checksum());
    }

    let mut conn = rusqlite::Connection::open(&path)?;
    let migrator = MIGRATIONS.migrator().on_event(|event| {
        if let strata::Event::Started { migration, direction } = event {
            println!("  running {migration} ({direction})");
        }
    });
    let report = migrator.apply(&mut conn)?;
    if report.ran.is_empty() {
        println!("nothing was pending: {} migrations already applied", report.skipped);
    } else {
        print!("{report}");
    }
    println!();
    print!("{}", migrator.status(&mut conn)?);
    Ok(())
}

/// `target/quickstart.db` in the workspace, so that a second run sees the first one's work.
fn database_path() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("quickstart.db")
}
