static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/every-problem-at-once");

fn main() {
    let _ = &MIGRATIONS;
}
