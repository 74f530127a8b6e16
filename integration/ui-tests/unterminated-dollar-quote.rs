static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/unterminated-dollar-quote", dialect = "postgres");

fn main() {
    let _ = &MIGRATIONS;
}
