//! A folder with a `strata.lock`: the locked migrations are unchanged, and a migration added
//! since (not locked yet) is allowed. The lock file is not a migration.
static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-lock-new-migration");

fn main() {
    let ids: Vec<&str> = MIGRATIONS.iter().map(|m| m.id()).collect();
    assert_eq!(ids, ["0001_create_users", "0002_add_orders", "0003_index_orders"]);
    let lock = include_str!("../fixtures/pass-lock-new-migration/strata.lock");
    let locked: Vec<Vec<&str>> = lock
        .lines()
        .filter(|line| !line.starts_with('#') && !line.starts_with("digest "))
        .map(|line| line.split(' ').collect())
        .collect();
    assert_eq!(locked.len(), 2);
    for line in locked {
        let migration = MIGRATIONS.get(line[0].parse().unwrap()).unwrap();
        assert_eq!([migration.id(), migration.checksum()], [line[1], line[2]]);
    }
    // The digest changes with every migration added: the lock's is that of the first two.
    assert!(!lock.contains(MIGRATIONS.digest()));
}
