static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/lock-migration-changed");

fn main() {
    let _ = &MIGRATIONS;
}
