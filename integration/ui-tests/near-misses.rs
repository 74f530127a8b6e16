static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/near-misses");

fn main() {
    let _ = &MIGRATIONS;
}
