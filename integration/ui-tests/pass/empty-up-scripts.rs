//! An up script with no statement — diesel's comment-only placeholders, sqlx's empty files — is a
//! migration that changes nothing; both tools apply and record it, and so does strata.
static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-empty-up-scripts");

fn main() {
    let statements: Vec<usize> = MIGRATIONS.iter().map(|m| m.up().statements().len()).collect();
    assert_eq!(statements, [1, 0, 0]);
}
