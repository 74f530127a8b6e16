static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/dry-run-syntax-error");

fn main() {
    let _ = &MIGRATIONS;
}
