static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/three-node-cycle");

fn main() {
    let _ = &MIGRATIONS;
}
