static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/empty-folder");

fn main() {
    let _ = &MIGRATIONS;
}
