static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/dry-run-missing-table");

fn main() {
    let _ = &MIGRATIONS;
}
