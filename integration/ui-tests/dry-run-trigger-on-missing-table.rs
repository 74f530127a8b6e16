static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/dry-run-trigger-on-missing-table");

fn main() {
    let _ = &MIGRATIONS;
}
