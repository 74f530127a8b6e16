static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/folder-without-scripts");

fn main() {
    let _ = &MIGRATIONS;
}
