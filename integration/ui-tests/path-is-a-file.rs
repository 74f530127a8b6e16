static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/path-is-a-file/0001_a.sql");

fn main() {
    let _ = &MIGRATIONS;
}
