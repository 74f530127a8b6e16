//! Files that are not `.sql`, hidden files and folders without SQL are ignored.
static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-readme-gitkeep");

fn main() {
    assert_eq!(MIGRATIONS.len(), 1);
}
