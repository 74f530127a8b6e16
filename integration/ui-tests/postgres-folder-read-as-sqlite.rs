// A PostgreSQL folder embedded without `dialect = "postgres"`: the dry run says to set it.
static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/postgres-folder-read-as-sqlite");

fn main() {
    let _ = &MIGRATIONS;
}
