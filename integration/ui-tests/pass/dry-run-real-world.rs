//! Real-world SQLite passes the dry run: generated columns, partial indexes, `WITHOUT ROWID`, an
//! FTS5 index with external content and its sync triggers (one with several statements and a
//! `CASE`), JSON, R*Tree, `INSERT ... SELECT`, and SQLite's twelve-step table rebuild between
//! `PRAGMA foreign_keys = OFF` and `ON`; every down script restores its schema.
static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-dry-run-real-world");

fn main() {
    assert_eq!(MIGRATIONS.len(), 5);
    assert!(MIGRATIONS.get(4).unwrap().disables_foreign_keys());
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    MIGRATIONS.migrator().apply(&mut conn).unwrap();
}
