//! `ignore = [..]` lets a folder keep other SQL files beside its migrations.
static MIGRATIONS: strata::Migrations = strata::embed_migrations!(
    "ui-tests/fixtures/data-file-beside-migrations",
    ignore = ["data_*.sql"],
);

fn main() {
    assert_eq!(MIGRATIONS.len(), 1);
}
