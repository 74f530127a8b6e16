static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/non-utf8-file");

fn main() {
    let _ = &MIGRATIONS;
}
