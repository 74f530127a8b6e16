static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/two-bad-files");

fn main() {
    let _ = &MIGRATIONS;
}
