static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/layouts-mixed");

fn main() {
    let _ = &MIGRATIONS;
}
