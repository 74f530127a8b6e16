static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/malformed-depends-on");

fn main() {
    let _ = &MIGRATIONS;
}
