use super::*;
use crate::{LoadOptions, load};
use std::fs;

fn check(files: &[(&str, &str)]) -> Vec<String> {
    check_with(files, DryRunOptions::default())
}

fn check_with(files: &[(&str, &str)], options: DryRunOptions) -> Vec<String> {
    // As the macro checks a folder: what loading finds, then the dry run of what loaded.
    let (_dir, loaded) = loaded(files);
    let dry_run_problems = dry_run_loaded(&loaded, &options);
    loaded.problems.iter().chain(&dry_run_problems).map(ToString::to_string).collect()
}

/// `files` written to a temporary folder and loaded.
fn loaded(files: &[(&str, &str)]) -> (tempfile::TempDir, crate::Loaded) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (file, text) in files {
        let path = dir.path().join(file);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    }
    let loaded = load(dir.path(), "migrations", &LoadOptions::default());
    (dir, loaded)
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
fn failures_of_their_own_are_all_reported() {
    let found = check(&[
        ("0001_a.sql", "SELECT * FROM nowhere;"),
        ("0002_b.sql", "SELECT * FROM elsewhere;"),
        ("0003_c.sql", "VACUUM;"),
    ]);
    assert_eq!(
        found,
        [
            "0003_c.sql:1:1: `VACUUM` cannot run inside a transaction",
            "0001_a.sql:1:1: no such table: nowhere",
            "0002_b.sql:1:1: no such table: elsewhere",
        ]
    );
}

#[test]
fn what_a_failed_broken_or_misnamed_script_explains_is_left_out() {
    let found = check(&[
        ("0001_tags.sql", "CREAT TABLE tags(name TEXT);"),
        ("0002_tag_posts.sql", "INSERT INTO tags VALUES ('a');\nCREATE TABLE posts(tag TEXT REFERENCES tags(name));"),
        ("0003_posts.sql", "SELECT * FROM posts;"),
        ("0004_elsewhere.sql", "SELECT * FROM elsewhere;"),
        ("0005-authors.sql", "CREATE TABLE authors(id INTEGER PRIMARY KEY);"),
        ("0006_books.sql", "CREATE TABLE books(author INTEGER);\nINSERT INTO authors VALUES (1);"),
        ("0007_broken.sql", "CREATE TABLE broken(x);\nSELECT 'open;"),
        ("0008_uses.sql", "INSERT INTO broken VALUES (1);"),
        ("0009_titles.sql", "CREATE TABLE titles(id);\nINSERT INTO titles(titel) VALUES (1);"),
    ]);
    assert_eq!(
        found,
        [
            "0005-authors.sql: `0005-authors.sql` matches no migration layout",
            "0007_broken.sql:2:8: unterminated string",
            "0001_tags.sql:1:1: near \"CREAT\": syntax error",
            // 0002 fails for want of `tags` and 0003 for want of `posts`: echoes, left out; so
            // are 0006 (the misnamed file's `authors`) and 0008 (the broken file's `broken`).
            "0004_elsewhere.sql:1:1: no such table: elsewhere",
            "0009_titles.sql:2:1: table titles has no column named titel",
        ]
    );
}

#[test]
fn a_down_script_that_does_not_restore_is_rolled_back_before_the_next_migration() {
    let found = check(&[
        ("0001_t.sql", "CREATE TABLE t(a);"),
        ("0001_t.down.sql", "DROP TABLE t;\nCREATE TABLE t(a, extra);"),
        // Runs on the up script's `t`: one column.
        ("0002_seed.sql", "INSERT INTO t VALUES (1);"),
    ]);
    assert_eq!(found, ["0001_t.down.sql: table `t` still exists after `0001_t.down.sql`"]);
}

#[test]
fn sqlite_messages_name_the_missing_objects() {
    assert_eq!(missing_objects("no such table: main.tags"), ["tags"]);
    assert_eq!(missing_objects("no such column: \"x\""), ["x"]);
    assert_eq!(missing_objects("table posts has no column named tag"), ["posts", "tag"]);
    assert!(missing_objects("near \"CREAT\": syntax error").is_empty());
}

#[test]
fn postgres_and_mysql_messages_name_the_missing_objects() {
    assert_eq!(missing_objects("relation \"tags\" does not exist"), ["tags"]);
    assert_eq!(missing_objects("relation \"app.tags\" does not exist"), ["tags"]);
    assert_eq!(missing_objects("column \"tag\" of relation \"posts\" does not exist"), ["tag", "posts"]);
    assert_eq!(missing_objects("function touch(integer) does not exist"), ["touch"]);
    assert_eq!(missing_objects("Table 'strata_check_x.tags' doesn't exist"), ["tags"]);
    assert_eq!(missing_objects("Unknown column 'tag' in 'field list'"), ["tag"]);
    assert!(missing_objects("syntax error at or near \"SELEC\"").is_empty());
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
    assert_eq!(found, ["0002_add.down.sql: table `t` differs after `0002_add.down.sql`: column `c` is new"]);
}

#[test]
fn a_down_script_that_spells_the_table_another_way_restores_it() {
    // rebuilderd's `2025-05-20-210543_compress-logs`, in short: the down script rebuilds the table
    // with the constraints of a column in another order, and names a quoted table.
    let found = check(&[
        ("0001_logs.sql", "CREATE TABLE logs(id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, body TEXT NOT NULL);"),
        (
            "0002_compress.sql",
            "CREATE TABLE \"new logs\"(id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, body BLOB NOT NULL);\n\
             INSERT INTO \"new logs\" SELECT id, body FROM logs;\nDROP TABLE logs;\n\
             ALTER TABLE \"new logs\" RENAME TO logs;",
        ),
        (
            "0002_compress.down.sql",
            "CREATE TABLE \"old logs\"(\n  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n  body TEXT NOT NULL\n);\n\
             INSERT INTO \"old logs\" SELECT id, body FROM logs;\nDROP TABLE logs;\n\
             ALTER TABLE \"old logs\" RENAME TO logs;",
        ),
        ("0003_scratch.sql", "CREATE TABLE \"my table\"(x);"),
        ("0003_scratch.down.sql", "DROP TABLE \"my table\";"),
    ]);
    assert_eq!(found, Vec::<String>::new());
}

#[test]
fn a_rebuilt_table_that_differs_is_named_by_what_differs() {
    let found = check(&[
        ("0001_t.sql", "CREATE TABLE t(id INTEGER PRIMARY KEY, state TEXT DEFAULT 'new', at INT);"),
        ("0002_x.sql", "CREATE TABLE x(y);"),
        (
            "0002_x.down.sql",
            "DROP TABLE x;\nCREATE TABLE t2(id INTEGER PRIMARY KEY, at INT, state TEXT DEFAULT 'old');\n\
             INSERT INTO t2 SELECT id, at, state FROM t;\nDROP TABLE t;\nALTER TABLE t2 RENAME TO t;",
        ),
    ]);
    assert_eq!(
        found,
        [
            "0002_x.down.sql: table `t` differs after `0002_x.down.sql`: column `state`'s default was `'new'` and is now `'old'`; its columns were in the order `id, state, at` and are now `id, at, state`"
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
        // Not a wrapper of the whole script (that runs in strata's transaction instead).
        ("0002_b.sql", "BEGIN;\nCREATE TABLE b(x);\nCOMMIT;\nCREATE TABLE c(x);"),
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

/// A folder of real-world SQLite (generated and partial-index columns, `WITHOUT ROWID`, FTS5
/// with external content and sync triggers, JSON, R*Tree, `INSERT .. SELECT`, the twelve-step
/// rebuild), shared with the UI pass case that embeds it.
fn real_world() -> Vec<(String, String)> {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../integration/ui-tests/fixtures/pass-dry-run-real-world");
    let mut files: Vec<(String, String)> = fs::read_dir(folder)
        .expect("fixture folder")
        .map(|entry| {
            let entry = entry.expect("entry");
            let text = fs::read_to_string(entry.path()).expect("fixture");
            (entry.file_name().to_string_lossy().into_owned(), text)
        })
        .collect();
    files.sort();
    files
}

fn borrowed(files: &[(String, String)]) -> Vec<(&str, &str)> {
    files.iter().map(|(name, text)| (name.as_str(), text.as_str())).collect()
}

#[test]
fn real_world_sql_passes() {
    let files = real_world();
    assert_eq!(files.len(), 9);
    assert_eq!(check(&borrowed(&files)), Vec::<String>::new());
}

#[test]
fn a_rebuild_that_loses_referenced_rows_is_caught() {
    let all = real_world();
    let mut files: Vec<(&str, &str)> = borrowed(&all).into_iter().filter(|(name, _)| *name < "0004").collect();
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

#[test]
fn the_cache_remembers_passes_only_and_a_hit_skips_the_run() {
    let cache_dir = tempfile::tempdir().expect("temp dir");
    let cache = Cache::in_dir(cache_dir.path());
    let options = DryRunOptions::default();
    let (_failing_dir, failing) = loaded(&[("0001_a.sql", "CREATE TABLE a(x);"), ("0001_a.down.sql", "SELECT 1;")]);
    assert_eq!(dry_run_cached(&failing, &options, &cache).len(), 1);
    assert_eq!(dry_run_cached(&failing, &options, &cache).len(), 1, "a failure is never remembered");
    assert_eq!(fs::read_dir(cache_dir.path()).map(Iterator::count).unwrap_or(0), 0);

    let (_passing_dir, passing) = loaded(&[("0001_a.sql", "CREATE TABLE a(x);"), ("0001_a.down.sql", "DROP TABLE a;")]);
    assert!(dry_run_cached(&passing, &options, &cache).is_empty());
    let key = Cache::key(passing.set.as_ref().expect("set"), &options, &sqlite::identity());
    assert!(cache.passed(&key), "the pass is remembered");

    // A hit does not run: an entry forged for the failing folder's key makes it pass, which is
    // why an entry must hold its whole key to count (see `cache`'s tests for corrupt ones).
    let failing_key = Cache::key(failing.set.as_ref().expect("set"), &options, &sqlite::identity());
    fs::write(cache_dir.path().join(&failing_key), &failing_key).expect("forge");
    assert!(dry_run_cached(&failing, &options, &cache).is_empty());
}

#[test]
fn a_folder_with_problems_always_runs() {
    let cache_dir = tempfile::tempdir().expect("temp dir");
    let cache = Cache::in_dir(cache_dir.path());
    let (_dir, with_problems) = loaded(&[("0001_a.sql", "CREATE TABLE a(x);"), ("init.sql", "SELECT 1;")]);
    assert!(dry_run_cached(&with_problems, &DryRunOptions::default(), &cache).is_empty());
    assert_eq!(fs::read_dir(cache_dir.path()).map(Iterator::count).unwrap_or(0), 0, "nothing remembered");
}

fn snapshots(dir: &std::path::Path) -> usize {
    fs::read_dir(dir).map_or(0, |entries| {
        entries.filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sqlite"))).count()
    })
}

/// Three migrations of one table each.
const THREE_TABLES: [(&str, &str); 3] =
    [("0001_a.sql", "CREATE TABLE a(x);"), ("0002_b.sql", "CREATE TABLE b(x);"), ("0003_c.sql", "CREATE TABLE c(x);")];

/// Puts a table no script creates into `snapshot`: a run that then passes started from it.
fn plant(snapshot: &std::path::Path) {
    let conn = rusqlite::Connection::open(snapshot).expect("open");
    conn.execute_batch("CREATE TABLE planted(x);").expect("plant");
}

#[test]
fn a_grown_folder_resumes_from_the_snapshot_of_its_unchanged_prefix() {
    let cache_dir = tempfile::tempdir().expect("temp dir");
    let cache = Cache::in_dir(cache_dir.path());
    let options = DryRunOptions::default();
    let first = [("0001_a.sql", "CREATE TABLE a(x);"), ("0002_b.sql", "CREATE TABLE b(x);")];
    let (_dir, two) = loaded(&first);
    assert!(dry_run_cached(&two, &options, &cache).is_empty());
    assert_eq!(snapshots(cache_dir.path()), 2, "the states after the last migrations are kept");

    // Prove the next run starts from that snapshot: put a table in it that no script creates.
    let keys = Cache::prefix_keys(two.set.as_ref().expect("set"), &options, &sqlite::identity());
    let (_, snapshot) = cache.latest_snapshot(&keys).expect("snapshot");
    plant(&snapshot);
    let mut grown = first.to_vec();
    grown.push(("0003_c.sql", "INSERT INTO planted VALUES (1);"));
    let (_dir, three) = loaded(&grown);
    assert!(dry_run_cached(&three, &options, &cache).is_empty(), "resumed after 0002: `planted` exists");
    assert_eq!(snapshots(cache_dir.path()), 3);

    // Without the cache the same folder fails: `planted` exists only in the snapshot.
    assert_eq!(dry_run_loaded(&three, &options).len(), 1);

    // More migrations: the snapshots before the last few are forgotten.
    grown.push(("0004_d.sql", "CREATE TABLE d(x);"));
    grown.push(("0005_e.sql", "CREATE TABLE e(x);"));
    let (_dir, five) = loaded(&grown);
    assert!(dry_run_cached(&five, &options, &cache).is_empty());
    assert_eq!(snapshots(cache_dir.path()), super::cache::RECENT_SNAPSHOTS);
}

#[test]
fn editing_the_newest_migration_resumes_from_the_one_before_it() {
    let cache_dir = tempfile::tempdir().expect("temp dir");
    let cache = Cache::in_dir(cache_dir.path());
    let options = DryRunOptions::default();
    let files = THREE_TABLES;
    let (_dir, original) = loaded(&files);
    assert!(dry_run_cached(&original, &options, &cache).is_empty());
    // Prove where the next run starts: a table planted in the snapshot after 0002.
    let keys = Cache::prefix_keys(original.set.as_ref().expect("set"), &options, &sqlite::identity());
    let (done, snapshot) = cache.latest_snapshot(&keys[..2]).expect("a snapshot after 0002");
    assert_eq!(done, 2);
    plant(&snapshot);
    let mut edited = files.to_vec();
    edited[2] = ("0003_c.sql", "CREATE TABLE c(x);\nINSERT INTO planted VALUES (1);");
    let (_dir, edited) = loaded(&edited);
    assert!(dry_run_cached(&edited, &options, &cache).is_empty(), "resumed after 0002: `planted` exists");
    assert_eq!(dry_run_loaded(&edited, &options).len(), 1, "from scratch it fails");
}

#[test]
fn an_edit_resumes_from_the_last_snapshot_before_it_and_a_bad_snapshot_is_ignored() {
    let cache_dir = tempfile::tempdir().expect("temp dir");
    let cache = Cache::in_dir(cache_dir.path()).snapshot_every(1);
    let options = DryRunOptions::default();
    let files = THREE_TABLES;
    let (_dir, original) = loaded(&files);
    assert!(dry_run_cached(&original, &options, &cache).is_empty());
    assert_eq!(snapshots(cache_dir.path()), 3);

    // Editing 0003 keeps the prefix of two: a broken edit is still reported.
    let mut edited = files.to_vec();
    edited[2] = ("0003_c.sql", "CREATE TABLE c(x);\nINSERT INTO nowhere VALUES (1);");
    let (_dir, broken) = loaded(&edited);
    assert_eq!(dry_run_cached(&broken, &options, &cache), dry_run_loaded(&broken, &options));
    assert_eq!(dry_run_cached(&broken, &options, &cache).len(), 1, "a failure is never remembered");

    // A snapshot that is not a database is no start: the run starts from scratch.
    let keys = Cache::prefix_keys(broken.set.as_ref().expect("set"), &options, &sqlite::identity());
    let (done, snapshot) = cache.latest_snapshot(&keys).expect("snapshot");
    assert_eq!(done, 2);
    fs::write(&snapshot, "not a database").expect("corrupt");
    assert_eq!(dry_run_cached(&broken, &options, &cache).len(), 1);
    let (_dir, fixed) = loaded(&files);
    assert!(dry_run_cached(&fixed, &options, &cache).is_empty());
}

#[test]
fn a_wide_table_s_difference_shows_the_columns_that_differ() {
    let before = "CREATE TABLE mentions(id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,mentioned_id INTEGER REFERENCES users(id) ON DELETE CASCADE NOT NULL,post_id INTEGER REFERENCES posts(id),ap_url VARCHAR NOT NULL DEFAULT '' UNIQUE)";
    let after = "CREATE TABLE mentions(id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,mentioned_id INTEGER REFERENCES users(id) ON DELETE CASCADE NOT NULL,post_id INTEGER REFERENCES posts(id),ap_url VARCHAR NOT NULL DEFAULT '')";
    assert_eq!(
        differing_parts(before, after),
        ("…ap_url VARCHAR NOT NULL DEFAULT '' UNIQUE…".to_owned(), "…ap_url VARCHAR NOT NULL DEFAULT ''…".to_owned())
    );
    let added = "CREATE TABLE t(a INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,b TEXT NOT NULL DEFAULT 'something long',c TEXT,d TEXT)";
    let removed =
        "CREATE TABLE t(a INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,b TEXT NOT NULL DEFAULT 'something long',d TEXT)";
    assert_eq!(differing_parts(added, removed), ("…c TEXT,d TEXT…".to_owned(), "…d TEXT…".to_owned()));
    let accented = format!("{added} -- é");
    let (was, now) = differing_parts(&accented, &format!("{removed} -- é"));
    assert!(was.contains("c TEXT") && !now.contains("c TEXT"));
    // `é` (c3 a9) and `ĩ` (c4 a9) share their last byte, `ꩩ` is three bytes wide: no slicing
    // inside a character, whatever they share.
    for (a, b) in [("é", "ĩ"), ("é", "ꩩ"), ("ꩩ", "é")] {
        let _ = differing_parts(&format!("{added}{a}x"), &format!("{added}{b}x"));
        let _ = differing_parts(&format!("{a}{added}"), &format!("{b}{added}"));
    }
    // Short definitions are shown whole.
    assert_eq!(
        differing_parts("CREATE TABLE t(a)", "CREATE TABLE t(a,b)"),
        ("CREATE TABLE t(a)".into(), "CREATE TABLE t(a,b)".into())
    );
}
