static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/dry-run-down-other-dialect");

fn main() {
    let _ = &MIGRATIONS;
}
