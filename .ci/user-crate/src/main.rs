static MIGRATIONS: strata::Migrations = strata::embed_migrations!("migrations");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "embedded: {} migrations; digest {}; SQLite {}",
        MIGRATIONS.len(),
        MIGRATIONS.digest(),
        rusqlite::version()
    );
    let mut conn = rusqlite::Connection::open("app.db")?;
    let report = MIGRATIONS.migrator().apply(&mut conn)?;
    print!("{report}");
    Ok(())
}
