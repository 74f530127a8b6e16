// PostgreSQL refuses these statements inside a transaction block, and an explicit `START
// TRANSACTION` or `END` would end the transaction strata runs the migration in: each migration
// with one is refused, unless marked `-- strata:no-transaction`. An index on a plain column, a
// function whose body says `BEGIN`, a lock and `ROLLBACK TO SAVEPOINT` are fine.
static MIGRATIONS: strata::Migrations =
    strata::embed_migrations!("ui-tests/fixtures/statement-rules-postgres", dialect = "postgres");

fn main() {
    let _ = &MIGRATIONS;
}
