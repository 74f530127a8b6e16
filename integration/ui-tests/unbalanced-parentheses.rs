static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/unbalanced-parentheses");

fn main() {
    let _ = &MIGRATIONS;
}
