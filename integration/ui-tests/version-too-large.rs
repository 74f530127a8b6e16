static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/version-too-large");

fn main() {
    let _ = &MIGRATIONS;
}
