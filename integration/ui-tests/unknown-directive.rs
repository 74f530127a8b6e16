static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/unknown-directive");

fn main() {
    let _ = &MIGRATIONS;
}
