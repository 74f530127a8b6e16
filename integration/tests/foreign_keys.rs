//! SQLite table rebuilds between `PRAGMA foreign_keys = OFF` and `ON`, run the way SQLite's
//! documentation prescribes: no child row lost to `ON DELETE CASCADE`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test panics

mod common;

use common::{Scratch, count};
use strata::Error;

const SCHEMA: &str = "CREATE TABLE authors(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE books(id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES authors(id) ON DELETE CASCADE);
INSERT INTO authors VALUES (1, 'le guin'), (2, 'lem');
INSERT INTO books VALUES (10, 1), (11, 1), (12, 2);";

/// SQLite's twelve-step procedure: a new parent table, the rows copied, the old one dropped.
const REBUILD: &str = "PRAGMA foreign_keys = OFF;
CREATE TABLE authors_new(id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '');
INSERT INTO authors_new(id, name) SELECT id, coalesce(name, '') FROM authors;
DROP TABLE authors;
ALTER TABLE authors_new RENAME TO authors;
PRAGMA foreign_keys = ON;";

fn connection(scratch: &Scratch) -> rusqlite::Connection {
    let conn = scratch.open();
    conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    conn
}

#[test]
fn a_table_rebuild_keeps_every_child_row() {
    let scratch = Scratch::new();
    let migrations = scratch.migrations("m", &[("0001_schema.sql", SCHEMA), ("0002_rebuild_authors.sql", REBUILD)]);
    assert!(migrations.get(2).unwrap().disables_foreign_keys());
    let mut conn = connection(&scratch);
    migrations.migrator().apply(&mut conn).unwrap();
    assert_eq!(count(&conn, "SELECT count(*) FROM books"), 3, "no book was cascade-deleted");
    assert_eq!(count(&conn, "PRAGMA foreign_keys"), 1, "the previous setting is restored");
    // The constraint still holds after the rebuild.
    assert!(conn.execute("INSERT INTO books VALUES (13, 99)", []).is_err());
}

#[test]
fn the_same_rebuild_inside_a_plain_transaction_loses_rows() {
    // What peers do: run the script inside a transaction, where SQLite ignores the pragma.
    let scratch = Scratch::new();
    let mut conn = connection(&scratch);
    conn.execute_batch(SCHEMA).unwrap();
    let tx = conn.transaction().unwrap();
    tx.execute_batch(REBUILD).unwrap();
    tx.commit().unwrap();
    assert_eq!(count(&conn, "SELECT count(*) FROM books"), 0, "DROP TABLE cascaded to every child");
}

#[test]
fn single_transaction_mode_rebuilds_safely_too() {
    let scratch = Scratch::new();
    let migrations = scratch.migrations("m", &[("0001_schema.sql", SCHEMA), ("0002_rebuild_authors.sql", REBUILD)]);
    let mut conn = connection(&scratch);
    migrations.migrator().single_transaction().apply(&mut conn).unwrap();
    assert_eq!(count(&conn, "SELECT count(*) FROM books"), 3);
    assert_eq!(count(&conn, "PRAGMA foreign_keys"), 1);
}

#[test]
fn a_rebuild_that_orphans_rows_is_rolled_back_naming_the_table() {
    let scratch = Scratch::new();
    let lossy = REBUILD.replace("FROM authors;", "FROM authors WHERE id = 1;");
    let migrations = scratch.migrations("m", &[("0001_schema.sql", SCHEMA), ("0002_rebuild_authors.sql", &lossy)]);
    let mut conn = connection(&scratch);
    let error = migrations.migrator().apply(&mut conn).unwrap_err();
    match &error {
        Error::ForeignKeyViolation { migration, table, parent, rowid, completed } => {
            assert_eq!((migration.version, table.as_str(), parent.as_str(), *rowid), (2, "books", "authors", 12));
            assert_eq!(*completed, 1, "0001 stays applied");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(count(&conn, "SELECT count(*) FROM authors"), 2, "the rebuild was rolled back");
    assert_eq!(count(&conn, "SELECT count(*) FROM strata_migrations"), 1);
    assert_eq!(count(&conn, "PRAGMA foreign_keys"), 1, "restored after a failure too");
}

#[test]
fn a_down_script_that_orphans_rows_is_named_by_its_own_file() {
    let scratch = Scratch::new();
    let lossy = REBUILD.replace("FROM authors;", "FROM authors WHERE id = 1;");
    let migrations = scratch.migrations(
        "m",
        &[
            ("0001_schema.sql", SCHEMA),
            ("0002_notes.sql", "CREATE TABLE notes(x);"),
            ("0002_notes.down.sql", &format!("{lossy}\nDROP TABLE notes;")),
        ],
    );
    let mut conn = connection(&scratch);
    migrations.migrator().apply(&mut conn).unwrap();
    let error = migrations.migrator().rollback_to(&mut conn, 1).unwrap_err();
    let Error::ForeignKeyViolation { migration, table, .. } = &error else { panic!("unexpected {error:?}") };
    assert_eq!((migration.file.as_str(), table.as_str()), ("0002_notes.down.sql", "books"), "{error}");
    assert_eq!(count(&conn, "SELECT count(*) FROM authors"), 2, "the rollback was rolled back");
}

#[test]
fn foreign_keys_left_off_by_the_application_stay_off() {
    let scratch = Scratch::new();
    let migrations = scratch.migrations("m", &[("0001_schema.sql", SCHEMA), ("0002_rebuild_authors.sql", REBUILD)]);
    let mut conn = scratch.open();
    conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    migrations.migrator().apply(&mut conn).unwrap();
    assert_eq!(count(&conn, "PRAGMA foreign_keys"), 0);
    assert_eq!(count(&conn, "SELECT count(*) FROM books"), 3);
}
