// A file and a folder in the migrations folder that are symbolic links to outside it: refused,
// never read. (The macro and the CLI load folders through the same code.)
static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/symlink-out/migrations");

fn main() {
    let _ = &MIGRATIONS;
}
