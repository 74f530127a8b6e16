static MIGRATIONS: strata::Migrations = strata::embed_migrations!("migrations");

/// A client strata has no driver for: the error says which it has, and how two rusqlite
/// versions in one build lead here.
struct Client;

fn main() {
    let _ = MIGRATIONS.migrator().apply(&mut Client);
}
