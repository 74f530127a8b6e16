static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/dry-run-down-syntax-error");

fn main() {
    let _ = &MIGRATIONS;
}
