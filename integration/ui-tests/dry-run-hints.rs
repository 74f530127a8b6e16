// What the dry run suggests: the table or column that exists under a close name, the `;` missing
// before a statement, the keyword a typo was meant to be.
static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/dry-run-hints");

fn main() {
    let _ = &MIGRATIONS;
}
