static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/self-dependency");

fn main() {
    let _ = &MIGRATIONS;
}
