static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/dry-run-vacuum");

fn main() {
    let _ = &MIGRATIONS;
}
