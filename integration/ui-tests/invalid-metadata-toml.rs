static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/invalid-metadata-toml");

fn main() {
    let _ = &MIGRATIONS;
}
