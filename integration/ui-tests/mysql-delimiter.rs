// `DELIMITER` is a command of the mysql client, not SQL: the server refuses it. strata splits
// statements itself, stored programs included, so a script needs none.
static MIGRATIONS: strata::Migrations =
    strata::embed_migrations!("ui-tests/fixtures/mysql-delimiter", dialect = "mysql");

fn main() {
    let _ = &MIGRATIONS;
}
