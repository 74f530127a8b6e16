//! The statements `statement-rules-postgres` and `statement-rules-mysql` refuse are accepted in
//! migrations marked `-- strata:no-transaction`, which strata runs outside a transaction.
static POSTGRES: strata::Migrations =
    strata::embed_migrations!("ui-tests/fixtures/pass-statement-rules-no-transaction-postgres", dialect = "postgres");
static MYSQL: strata::Migrations =
    strata::embed_migrations!("ui-tests/fixtures/pass-statement-rules-no-transaction-mysql", dialect = "mysql");

fn main() {
    assert_eq!(POSTGRES.len(), 9);
    assert_eq!(MYSQL.len(), 4);
    // Every migration but the first, which needs no marking.
    for migrations in [&POSTGRES, &MYSQL] {
        assert!(!migrations.as_slice()[0].no_transaction());
        assert!(migrations.as_slice()[1..].iter().all(|migration| migration.no_transaction()));
    }
}
