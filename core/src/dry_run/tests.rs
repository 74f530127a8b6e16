use super::*;
use crate::{LoadOptions, load_dir};
use std::fs;

fn check(files: &[(&str, &str)]) -> Vec<String> {
    check_with(files, DryRunOptions::default())
}

fn check_with(files: &[(&str, &str)], options: DryRunOptions) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    for (file, text) in files {
        let path = dir.path().join(file);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    }
    let set = load_dir(dir.path(), "migrations", &LoadOptions::default()).unwrap_or_else(|p| panic!("{p}"));
    match dry_run(&set, &options) {
        Ok(()) => Vec::new(),
        Err(problems) => problems.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn a_syntax_error_mid_file_points_at_its_token() {
    let found = check(&[(
        "0001_a.sql",
        "CREATE TABLE a(x);\n\nCREATE TABLE b(\n  y INTEGER,\n  z TEXT NOT NULL DEFALT 'x'\n);",
    )]);
    assert_eq!(found, ["0001_a.sql:5:19: near \"DEFALT\": syntax error"]);
}

#[test]
fn semantic_errors_across_files_are_caught() {
    let base = ("0001_users.sql", "CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT);");
    assert_eq!(
        check(&[base, ("0002_orders.sql", "-- orders\nALTER TABLE orders ADD COLUMN total INTEGER;")]),
        ["0002_orders.sql:2:1: no such table: orders"]
    );
    assert_eq!(
        check(&[base, ("0002_idx.sql", "CREATE INDEX users_name ON users(name);")]),
        ["0002_idx.sql:1:34: no such column: name"]
    );
    let trigger = "CREATE TRIGGER audit AFTER INSERT ON accounts BEGIN\n  SELECT 1;\nEND;";
    assert_eq!(check(&[base, ("0002_trigger.sql", trigger)]), ["0002_trigger.sql:1:1: no such table: main.accounts"]);
}

#[test]
fn the_first_failure_stops_execution_but_not_the_statement_rules() {
    let found = check(&[
        ("0001_a.sql", "SELECT * FROM nowhere;"),
        ("0002_b.sql", "SELECT * FROM elsewhere;"),
        ("0003_c.sql", "VACUUM;"),
    ]);
    assert_eq!(
        found,
        ["0003_c.sql:1:1: `VACUUM` cannot run inside a transaction", "0001_a.sql:1:1: no such table: nowhere"]
    );
}

#[test]
fn down_scripts_must_restore_the_schema() {
    let up = ("0001_orders.sql", "CREATE TABLE orders(id INTEGER PRIMARY KEY);\nCREATE INDEX orders_id ON orders(id);");
    assert!(check(&[up, ("0001_orders.down.sql", "DROP INDEX orders_id;\nDROP TABLE orders;")]).is_empty());
    // DROP TABLE takes its indexes with it.
    assert!(check(&[up, ("0001_orders.down.sql", "DROP TABLE orders;")]).is_empty());
    assert_eq!(
        check(&[up, ("0001_orders.down.sql", "DROP INDEX orders_id;")]),
        ["0001_orders.down.sql: table `orders` still exists after `0001_orders.down.sql`"]
    );
    let base = ("0001_users.sql", "CREATE TABLE users(id INTEGER PRIMARY KEY);");
    assert_eq!(
        check(&[
            base,
            ("0002_orders.sql", "CREATE TABLE orders(x);"),
            ("0002_orders.down.sql", "DROP TABLE orders;\nDROP TABLE users;")
        ]),
        ["0002_orders.down.sql: table `users` is missing after `0002_orders.down.sql`"]
    );
}

#[test]
fn a_down_script_that_restores_another_definition_is_a_difference() {
    let found = check(&[
        ("0001_t.sql", "CREATE TABLE t(a INTEGER);"),
        ("0002_add.sql", "ALTER TABLE t ADD COLUMN b TEXT;"),
        ("0002_add.down.sql", "ALTER TABLE t DROP COLUMN b;\nALTER TABLE t ADD COLUMN c TEXT;"),
    ]);
    assert_eq!(
        found,
        [
            "0002_add.down.sql: table `t` differs after `0002_add.down.sql`: it was `CREATE TABLE t(a INTEGER)` and is now `CREATE TABLE t(a INTEGER,c TEXT)`"
        ]
    );
}

#[test]
fn down_scripts_with_syntax_errors_and_failed_redos_are_reported() {
    let up = ("0001_a.sql", "CREATE TABLE a(x);");
    assert_eq!(
        check(&[up, ("0001_a.down.sql", "DROP TABEL a;")]),
        ["0001_a.down.sql:1:6: near \"TABEL\": syntax error"]
    );
    // The down script restores the schema but not the data the up script inserted: redo fails.
    let found = check(&[
        ("0001_a.sql", "CREATE TABLE a(x UNIQUE);"),
        ("0002_seed.sql", "INSERT INTO a VALUES (1);"),
        ("0002_seed.down.sql", "SELECT 1;"),
    ]);
    assert_eq!(found, ["0002_seed.sql:1:1: UNIQUE constraint failed: a.x"]);
}

#[test]
fn verify_down_false_skips_the_down_check() {
    let files = [("0001_a.sql", "CREATE TABLE a(x);"), ("0001_a.down.sql", "SELECT 1;")];
    assert_eq!(check(&files).len(), 1);
    assert!(check_with(&files, DryRunOptions { verify_down: false }).is_empty());
}

#[test]
fn statements_that_need_no_transaction_are_refused_unless_marked() {
    let found = check(&[
        ("0001_a.sql", "CREATE TABLE a(x);\nPRAGMA journal_mode = WAL;"),
        ("0002_b.sql", "BEGIN;\nCREATE TABLE b(x);\nCOMMIT;"),
    ]);
    assert_eq!(
        found,
        [
            "0001_a.sql:2:1: `PRAGMA journal_mode` cannot be changed inside a transaction",
            "0002_b.sql:1:1: explicit `BEGIN` conflicts with the transaction strata runs each migration in",
            "0002_b.sql:3:1: explicit `COMMIT` conflicts with the transaction strata runs each migration in",
        ]
    );
    assert!(check(&[("0001_a.sql", "-- strata:no-transaction\nCREATE TABLE a(x);\nVACUUM;")]).is_empty());
}

#[test]
fn no_dry_run_skips_the_file_and_the_later_semantics() {
    let files = [
        ("0001_ext.sql", "-- strata:no-dry-run\nCREATE VIRTUAL TABLE v USING some_extension(x);"),
        ("0002_uses.sql", "CREATE VIEW w AS SELECT * FROM v;"),
        ("0003_vacuum.sql", "VACUUM;"),
    ];
    assert_eq!(check(&files), ["0003_vacuum.sql:1:1: `VACUUM` cannot run inside a transaction"]);
}

const REAL_WORLD: &[(&str, &str)] = &[
    (
        "0001_files.sql",
        "CREATE TABLE files(
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    content TEXT NOT NULL,
    size INTEGER GENERATED ALWAYS AS (length(content)) STORED,
    ext TEXT GENERATED ALWAYS AS (substr(path, instr(path, '.') + 1)) VIRTUAL,
    deleted_at TEXT
);
CREATE INDEX files_live ON files(path) WHERE deleted_at IS NULL;
CREATE TABLE kv(key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID;",
    ),
    ("0001_files.down.sql", "DROP TABLE kv;\nDROP TABLE files;"),
    (
        "0002_search.sql",
        "CREATE VIRTUAL TABLE files_fts USING fts5(path, content, content='files', content_rowid='id', tokenize='trigram');
CREATE TRIGGER files_ai AFTER INSERT ON files BEGIN
  INSERT INTO files_fts(rowid, path, content) VALUES (new.id, new.path, new.content);
END;
CREATE TRIGGER files_ad AFTER DELETE ON files BEGIN
  INSERT INTO files_fts(files_fts, rowid, path, content) VALUES ('delete', old.id, old.path, old.content);
END;
CREATE TRIGGER files_au AFTER UPDATE ON files BEGIN
  INSERT INTO files_fts(files_fts, rowid, path, content) VALUES ('delete', old.id, old.path, old.content);
  INSERT INTO files_fts(rowid, path, content) VALUES (new.id, new.path, new.content);
  UPDATE kv SET value = CASE WHEN new.size > 100 THEN 'big' ELSE 'small' END WHERE key = new.path;
END;",
    ),
    ("0002_search.down.sql", "DROP TRIGGER files_au;\nDROP TRIGGER files_ad;\nDROP TRIGGER files_ai;\nDROP TABLE files_fts;"),
    (
        "0003_owners.sql",
        "CREATE TABLE owners(id INTEGER PRIMARY KEY, name TEXT);
INSERT INTO owners(id, name) VALUES (1, 'root');
CREATE TABLE grants(owner_id INTEGER NOT NULL REFERENCES owners(id) ON DELETE CASCADE, file_id INTEGER REFERENCES files(id));
INSERT INTO grants SELECT 1, id FROM files;
CREATE TABLE meta(k TEXT, v TEXT, CHECK (json_valid(v)));
INSERT INTO meta VALUES ('tags', json_array('a', 'b'));",
    ),
    ("0003_owners.down.sql", "DROP TABLE meta;\nDROP TABLE grants;\nDROP TABLE owners;"),
    (
        "0004_rebuild_owners.sql",
        "-- SQLite's twelve-step table change: make `name` NOT NULL.
PRAGMA foreign_keys = OFF;
CREATE TABLE owners_new(id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '');
INSERT INTO owners_new(id, name) SELECT id, coalesce(name, '') FROM owners;
DROP TABLE owners;
ALTER TABLE owners_new RENAME TO owners;
PRAGMA foreign_key_check;
PRAGMA foreign_keys = ON;",
    ),
    ("0005_rtree.sql", "CREATE VIRTUAL TABLE boxes USING rtree(id, min_x, max_x, min_y, max_y);"),
    ("0005_rtree.down.sql", "DROP TABLE boxes;"),
];

#[test]
fn real_world_sql_passes() {
    assert_eq!(check(REAL_WORLD), Vec::<String>::new());
}

#[test]
fn a_rebuild_that_loses_referenced_rows_is_caught() {
    let mut files = REAL_WORLD[..6].to_vec();
    files.push((
        "0004_rebuild_owners.sql",
        "PRAGMA foreign_keys = OFF;
CREATE TABLE owners_new(id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '');
DROP TABLE owners;
ALTER TABLE owners_new RENAME TO owners;
INSERT INTO files(path, content) VALUES ('a.txt', 'x');
INSERT INTO grants VALUES (1, 1);
PRAGMA foreign_keys = ON;",
    ));
    assert_eq!(
        check(&files),
        [
            "0004_rebuild_owners.sql: foreign keys are violated after the script: a row of `grants` references a missing row of `owners`"
        ]
    );
}

#[test]
fn errors_inside_a_statement_count_lines_and_columns_from_the_file() {
    assert_eq!(within(Position::new(3, 5), "SELECT\n  nope", 9), Position::new(4, 3));
    assert_eq!(within(Position::new(3, 5), "SELECT nope", 7), Position::new(3, 12));
}
