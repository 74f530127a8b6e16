static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/duplicate-version");

fn main() {
    let _ = &MIGRATIONS;
}
