static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/lock-migration-removed");

fn main() {
    let _ = &MIGRATIONS;
}
