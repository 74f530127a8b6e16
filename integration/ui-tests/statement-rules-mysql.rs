// In MySQL an explicit `START TRANSACTION` or `COMMIT`, `LOCK TABLES` and `SET autocommit` are
// refused in a migration that runs in a transaction. DDL, which MySQL commits implicitly, is not:
// strata handles that when it runs the migration.
static MIGRATIONS: strata::Migrations =
    strata::embed_migrations!("ui-tests/fixtures/statement-rules-mysql", dialect = "mysql");

fn main() {
    let _ = &MIGRATIONS;
}
