//! refinery's and Flyway's layout: `V<version>__<name>.sql` up, `U<version>__<name>.sql` down.
static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-prefixed");

fn main() {
    let versions: Vec<i64> = MIGRATIONS.iter().map(|m| m.version()).collect();
    assert_eq!(versions, [1, 2, 10]);
    assert_eq!(MIGRATIONS[0].down().unwrap().file(), "U1__create_a.sql");
    assert_eq!(MIGRATIONS[2].name(), "alter_a");
}
