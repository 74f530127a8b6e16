static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/irreversible-with-down");

fn main() {
    let _ = &MIGRATIONS;
}
