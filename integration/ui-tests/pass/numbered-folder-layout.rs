//! rusqlite_migration's `from_directory` layout: `<id>-<name>/up.sql` and `down.sql`, ordered by id.
static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-numbered-folder");

fn main() {
    let order: Vec<(i64, &str)> = MIGRATIONS.iter().map(|m| (m.version(), m.name())).collect();
    assert_eq!(order, [(1, "friend_car"), (2, "add_birthday"), (3, "car_colors")]);
    assert_eq!(MIGRATIONS[0].up().file(), "01-friend_car/up.sql");
    assert_eq!(MIGRATIONS[1].down().unwrap().file(), "02-add_birthday/down.sql");
    assert!(MIGRATIONS[2].down().is_none());
}
