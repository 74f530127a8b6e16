static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/unterminated-comment");

fn main() {
    let _ = &MIGRATIONS;
}
