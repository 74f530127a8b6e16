static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/unterminated-string");

fn main() {
    let _ = &MIGRATIONS;
}
