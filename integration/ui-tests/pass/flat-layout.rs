//! sqlx's layout: unpadded versions ordered numerically, `.up.sql`/`.down.sql`, sqlx's
//! `-- no-transaction`, and a comment-only down script that counts as none.
static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-flat");

fn main() {
    let versions: Vec<i64> = MIGRATIONS.iter().map(|m| m.version()).collect();
    assert_eq!(versions, [1, 2, 3, 10, 31]);
    let plain = MIGRATIONS.get(3).unwrap();
    assert!(plain.no_transaction());
    assert!(plain.down().is_none());
    assert_eq!(MIGRATIONS.get(31).unwrap().down().unwrap().file(), "31_table_31.down.sql");
}
