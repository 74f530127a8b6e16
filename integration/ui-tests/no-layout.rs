static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/no-layout");

fn main() {
    let _ = &MIGRATIONS;
}
