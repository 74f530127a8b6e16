static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/unterminated-identifier");

fn main() {
    let _ = &MIGRATIONS;
}
