static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/non-numeric-version");

fn main() {
    let _ = &MIGRATIONS;
}
