static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/lock-file-invalid");

fn main() {
    let _ = &MIGRATIONS;
}
