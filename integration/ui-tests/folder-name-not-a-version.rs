static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/folder-name-not-a-version");

fn main() {
    let _ = &MIGRATIONS;
}
