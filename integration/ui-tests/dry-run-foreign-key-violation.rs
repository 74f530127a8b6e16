static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/dry-run-rebuild-loses-rows");

fn main() {
    let _ = &MIGRATIONS;
}
