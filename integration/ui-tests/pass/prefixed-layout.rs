//! Flyway's layout: `V<version>__<name>.sql` up, and `U<version>__<name>.sql` beside a `V` of the
//! same version is its undo (down) script.
static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-prefixed");

fn main() {
    let versions: Vec<i64> = MIGRATIONS.iter().map(|m| m.version()).collect();
    assert_eq!(versions, [1, 2, 10]);
    assert_eq!(MIGRATIONS[0].name(), "create_a");
    assert_eq!(MIGRATIONS[0].up().file(), "V1__create_a.sql");
    assert_eq!(MIGRATIONS[0].down().unwrap().file(), "U1__create_a.sql");
    assert!(MIGRATIONS.iter().all(|m| !m.any_order()));
    assert_eq!(MIGRATIONS[2].name(), "alter_a");
}
