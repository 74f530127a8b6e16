static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/dry-run-explicit-commit");

fn main() {
    let _ = &MIGRATIONS;
}
