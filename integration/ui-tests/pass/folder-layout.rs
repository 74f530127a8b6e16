//! diesel's layout, ordered exactly as diesel orders it: the version is the part of the folder
//! name before the first `_`, dashes removed, compared as text. `metadata.toml` is honoured and
//! `.diesel_lock`, `.gitkeep`, `README.md` and a `.sql` file beside the folders (`data_seed.sql`,
//! which diesel does not read either) are ignored.
static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-folder");

fn main() {
    let names: Vec<&str> = MIGRATIONS.iter().map(|m| m.name()).collect();
    assert_eq!(
        names,
        ["diesel_initial_setup", "early", "create_users", "create_posts", "add_tags", "add_comments", "170000_index_comments"]
    );
    assert_eq!(MIGRATIONS[0].version(), 0);
    assert_eq!(MIGRATIONS[1].version(), 201701010000000000);
    // `2024-03-13_170000_…`: the version is `20240313`, which orders as text after
    // `20240306170000`, as diesel orders it.
    assert_eq!(MIGRATIONS[6].version(), 20240313);
    assert_eq!(MIGRATIONS[6].up().file(), "2024-03-13_170000_index_comments/up.sql");
    assert!(MIGRATIONS.get(202402121202030000).unwrap().no_transaction());
    // diesel's generated "This file should undo anything" comment is no down script.
    assert!(MIGRATIONS.get(20170831230457).unwrap().down().is_none());
    assert_eq!(MIGRATIONS[0].up().file(), "00000000000000_diesel_initial_setup/up.sql");
}
