//! refinery's unversioned migration: a `U<version>__<name>.sql` with no `V` of that version is an
//! up script that may be applied after migrations ordered later, not an undo script.
static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-refinery-unversioned");

fn main() {
    let versions: Vec<i64> = MIGRATIONS.iter().map(|m| m.version()).collect();
    assert_eq!(versions, [1, 2, 3, 4]);
    let unversioned = &MIGRATIONS[3];
    assert_eq!(unversioned.name(), "add_year_to_motos_table");
    assert_eq!(unversioned.up().file(), "U4__add_year_to_motos_table.sql");
    assert!(unversioned.any_order() && unversioned.down().is_none());
    assert!(MIGRATIONS.iter().take(3).all(|m| !m.any_order()));
}
