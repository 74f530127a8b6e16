//! rusqlite_migration's own runner (`Migrations::from_directory`, which keeps only a count in
//! SQLite's `PRAGMA user_version`), then strata. SQLite only: it runs nowhere else.

use crate::common::{Kind, Scratch, copy_of, fixture, refuses, takes_over};
use include_dir::{Dir, include_dir};
use rusqlite_migration::Migrations;
use strata::From;

/// The fixture folder as an application embeds it for rusqlite_migration.
static FOLDER: Dir = include_dir!("$CARGO_MANIFEST_DIR/fixtures/rusqlite_migration");

/// rusqlite_migration applies the tables and the seed rows; strata the email column and tags.
const APPLIED: usize = 3;

#[test]
fn its_count_is_taken_over_and_the_rest_applied() {
    let db = Scratch::new(Kind::Sqlite, "rusqlite_migration").unwrap();
    Migrations::from_directory(&FOLDER).unwrap().to_version(&mut db.sqlite(), APPLIED).unwrap();
    takes_over(&db, &fixture("rusqlite_migration"), From::RusqliteMigration, APPLIED);
}

/// rusqlite_migration applied all five; strata's folder has the first four.
#[test]
fn a_count_beyond_the_folder_is_refused() {
    let db = Scratch::new(Kind::Sqlite, "rusqlite_migration_ahead").unwrap();
    Migrations::from_directory(&FOLDER).unwrap().to_latest(&mut db.sqlite()).unwrap();
    let first_four = copy_of(&fixture("rusqlite_migration"), |position| position < 4, None);
    let expected = "`PRAGMA user_version` is 5, but the folder has 4 migration(s)";
    refuses(&db, first_four.path(), From::RusqliteMigration, &[expected.to_owned()]);
}
