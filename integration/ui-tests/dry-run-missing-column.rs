static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/dry-run-missing-column");

fn main() {
    let _ = &MIGRATIONS;
}
