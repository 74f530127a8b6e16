static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/two-node-cycle");

fn main() {
    let _ = &MIGRATIONS;
}
