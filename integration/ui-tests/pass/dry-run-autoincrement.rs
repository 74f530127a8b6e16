//! The down check leaves out what SQLite owns: `AUTOINCREMENT`'s `sqlite_sequence`, `ANALYZE`'s
//! `sqlite_stat1` and the automatic indexes of `UNIQUE` constraints, none of which a down script
//! can (or needs to) drop; and a down script that rebuilds a table, which SQLite then stores with
//! its name quoted. The dry run and its down check are on.
static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-autoincrement");

fn main() {
    assert_eq!(MIGRATIONS.len(), 4);
    assert!(MIGRATIONS.iter().all(|m| m.down().is_some()));
}
