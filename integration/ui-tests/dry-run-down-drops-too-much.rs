static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/dry-run-down-drops-too-much");

fn main() {
    let _ = &MIGRATIONS;
}
