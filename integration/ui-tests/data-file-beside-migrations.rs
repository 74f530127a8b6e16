static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/data-file-beside-migrations");

fn main() {
    let _ = &MIGRATIONS;
}
