static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/dry-run-down-leaves-table");

fn main() {
    let _ = &MIGRATIONS;
}
