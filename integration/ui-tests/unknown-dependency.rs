static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/unknown-dependency");

fn main() {
    let _ = &MIGRATIONS;
}
