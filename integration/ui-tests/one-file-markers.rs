static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/one-file-markers");

fn main() {
    let _ = &MIGRATIONS;
}
