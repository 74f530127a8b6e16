//! MySQL stored programs (a procedure with every kind of block, a function, a trigger with a
//! definer and `END IF`) and PostgreSQL's `BEGIN ATOMIC` bodies are one statement each, and a
//! `COMMIT` inside a procedure's body is not refused: it runs when the procedure is called.
static MYSQL: strata::Migrations =
    strata::embed_migrations!("ui-tests/fixtures/pass-mysql-stored-programs", dialect = "mysql");
static POSTGRES: strata::Migrations =
    strata::embed_migrations!("ui-tests/fixtures/pass-postgres-begin-atomic", dialect = "postgres");

fn main() {
    let mysql = MYSQL[0].up().statements();
    assert_eq!(mysql.len(), 6);
    assert!(mysql[2].sql().starts_with("CREATE PROCEDURE transfer(") && mysql[2].sql().ends_with("COMMIT;\nEND"));
    assert!(mysql[3].sql().starts_with("CREATE FUNCTION tier_of(") && mysql[3].sql().ends_with("END"));
    assert!(mysql[4].sql().starts_with("CREATE DEFINER=`root`@`localhost` TRIGGER"));
    assert!(mysql[4].sql().ends_with("    END IF;\nEND"));
    assert_eq!(mysql[5].sql(), "INSERT INTO accounts (email) VALUES ('a@example.com')");

    let postgres = POSTGRES[0].up().statements();
    assert_eq!(postgres.len(), 4);
    assert!(postgres[1].sql().starts_with("CREATE FUNCTION tier_of(") && postgres[1].sql().ends_with("END;\nEND"));
    assert!(postgres[2].sql().starts_with("CREATE PROCEDURE open_account(") && postgres[2].sql().ends_with("END"));
    assert_eq!(postgres[3].sql(), "CALL open_account(10)");
}
