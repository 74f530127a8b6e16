static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/unterminated-string-opened-earlier");

fn main() {
    let _ = &MIGRATIONS;
}
