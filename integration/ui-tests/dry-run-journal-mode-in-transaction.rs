static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/dry-run-journal-mode");

fn main() {
    let _ = &MIGRATIONS;
}
