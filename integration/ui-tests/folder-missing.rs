static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/does-not-exist");

fn main() {
    let _ = &MIGRATIONS;
}
