static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/empty-up-script");

fn main() {
    let _ = &MIGRATIONS;
}
