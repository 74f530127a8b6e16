//! diesel's layout, ordered exactly as diesel orders it (as text once dashes are removed), with
//! `metadata.toml` honoured and `.diesel_lock`, `.gitkeep`, `README.md` ignored.
static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-folder");

fn main() {
    let names: Vec<&str> = MIGRATIONS.iter().map(|m| m.name()).collect();
    assert_eq!(names, ["diesel_initial_setup", "early", "create_users", "create_posts", "add_tags"]);
    assert_eq!(MIGRATIONS[0].version(), 0);
    assert_eq!(MIGRATIONS[1].version(), 201701010000000000);
    assert!(MIGRATIONS.get(202402121202030000).unwrap().no_transaction());
    // diesel's generated "This file should undo anything" comment is no down script.
    assert!(MIGRATIONS.get(20170831230457).unwrap().down().is_none());
    assert_eq!(MIGRATIONS[0].up().file(), "00000000000000_diesel_initial_setup/up.sql");
}
