//! A migration that depends on a higher version is ordered after it.
static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-depends-on-higher");

fn main() {
    let versions: Vec<i64> = MIGRATIONS.iter().map(|m| m.version()).collect();
    assert_eq!(versions, [2, 3, 1]);
    assert_eq!(MIGRATIONS.get(1).unwrap().depends_on(), [3]);
}
