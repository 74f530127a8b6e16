static MIGRATIONS: strata::Migrations = strata::embed_migrations!("migrations");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut conn = rusqlite::Connection::open("app.db")?;
    let report = MIGRATIONS.migrator().apply(&mut conn)?;
    print!("{report}");
    println!("embedded: {} migrations; SQLite {}", MIGRATIONS.len(), rusqlite::version());
    Ok(())
}
