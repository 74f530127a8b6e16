static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/down-without-up");

fn main() {
    let _ = &MIGRATIONS;
}
