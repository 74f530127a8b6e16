//! Against the real servers (`STRATA_TEST_POSTGRES_URL`, `STRATA_TEST_MYSQL_URL`); without
//! them each test says it was skipped and passes.

use super::scratch::witness;
use super::*;
use crate::dry_run::backend;
use crate::{LoadOptions, load};
use std::fs;

fn url(variable: &str) -> Option<String> {
    let url = std::env::var(variable).ok().filter(|url| !url.is_empty());
    if url.is_none() {
        eprintln!("skipped: {variable} is not set");
    }
    url
}

fn postgres() -> Option<String> {
    url("STRATA_TEST_POSTGRES_URL")
}

fn mysql() -> Option<String> {
    url("STRATA_TEST_MYSQL_URL")
}

/// A folder of `files`, loaded for `dialect`.
fn folder(dialect: Dialect, files: &[(&str, &str)]) -> (tempfile::TempDir, Loaded) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (file, text) in files {
        fs::write(dir.path().join(file), text).expect("write");
    }
    let loaded = load(dir.path(), "migrations", &LoadOptions { dialect, ..LoadOptions::default() });
    (dir, loaded)
}

/// What the dry run on `url` says of `loaded`: each problem where the macro puts it, then its help.
fn check(dialect: Dialect, url: &str, loaded: &Loaded, cache: Option<&Cache>) -> Vec<String> {
    let server = ServerUrl { url, named_by: "STRATA_DRY_RUN_URL" };
    let backend = backend(dialect, Some(server)).expect("a backend for the server");
    let mut said: Vec<String> = loaded.problems.iter().map(|problem| problem.located("migrations")).collect();
    said.extend(
        backend
            .check(loaded, &DryRunOptions::default(), cache)
            .iter()
            .map(|problem| format!("{} | {}", problem.located("migrations"), problem.help.as_deref().unwrap_or(""))),
    );
    said
}

fn exists<S: Server>(url: &str, name: &str) -> bool {
    let mut admin = S::connect(url, None).expect("connect");
    S::databases(&mut admin, name).expect("databases").iter().any(|database| database == name)
}

/// The database of this thread's last run, which must be gone.
fn last_database() -> String {
    witness::LAST.with(|last| last.borrow().clone()).map(|(name, _)| name).expect("a run")
}

fn assert_dropped<S: Server>(url: &str) {
    let name = last_database();
    assert!(name.starts_with(SCRATCH_PREFIX), "{name}");
    assert!(!exists::<S>(url, &name), "the scratch database {name} was left behind");
}

fn pg(loaded: &Loaded, url: &str) -> Vec<String> {
    let said = check(Dialect::Postgres, url, loaded, None);
    assert_dropped::<Postgres>(url);
    said
}

fn my(loaded: &Loaded, url: &str) -> Vec<String> {
    let said = check(Dialect::Mysql, url, loaded, None);
    assert_dropped::<Mysql>(url);
    said
}

#[test]
fn postgres_a_folder_that_applies_and_reverts_passes() {
    let Some(url) = postgres() else { return };
    let (_dir, loaded) = folder(
        Dialect::Postgres,
        &[
            ("0001_users.sql", "CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL DEFAULT '');"),
            ("0001_users.down.sql", "DROP TABLE users;"),
            (
                "0002_things.sql",
                "CREATE TYPE mood AS ENUM ('sad', 'ok');\n\
                 CREATE TABLE things (id int GENERATED ALWAYS AS IDENTITY, owner bigint REFERENCES users (id), m mood);\n\
                 CREATE INDEX things_owner ON things (owner);\n\
                 CREATE VIEW sad_things AS SELECT id FROM things WHERE m = 'sad';\n\
                 CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n\
                 CREATE TRIGGER things_touch BEFORE UPDATE ON things FOR EACH ROW EXECUTE FUNCTION touch();\n\
                 ALTER TABLE users ADD COLUMN email text UNIQUE;",
            ),
            (
                "0002_things.down.sql",
                "ALTER TABLE users DROP COLUMN email;\nDROP TRIGGER things_touch ON things;\nDROP FUNCTION touch();\n\
                 DROP VIEW sad_things;\nDROP TABLE things;\nDROP TYPE mood;",
            ),
            (
                "0003_concurrently.sql",
                "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY users_name ON users (name);",
            ),
            ("0003_concurrently.down.sql", "-- strata:no-transaction\nDROP INDEX CONCURRENTLY users_name;"),
        ],
    );
    assert_eq!(pg(&loaded, &url), Vec::<String>::new());
}

#[test]
fn postgres_a_syntax_error_is_at_its_line_and_column() {
    let Some(url) = postgres() else { return };
    let (_dir, loaded) = folder(
        Dialect::Postgres,
        &[("0001_a.sql", "CREATE TABLE a (id int);\n\nCREATE TABLE b (\n  id int,\n  name tetx\n);\n  SELEC 1;")],
    );
    assert_eq!(
        pg(&loaded, &url),
        ["migrations/0001_a.sql:5:8: type \"tetx\" does not exist | did you mean `text`?"],
        "the first failure stops the script: the next statement does not run"
    );
    let (_dir, loaded) = folder(Dialect::Postgres, &[("0001_a.sql", "CREATE TABLE a (id int);\n  SELEC 1;")]);
    assert_eq!(
        pg(&loaded, &url),
        ["migrations/0001_a.sql:2:3: syntax error at or near \"SELEC\" | did you mean `SELECT`?"]
    );
}

#[test]
fn postgres_a_missing_table_in_a_later_file_is_named_with_the_close_one() {
    let Some(url) = postgres() else { return };
    let (_dir, loaded) = folder(
        Dialect::Postgres,
        &[
            ("0001_users.sql", "CREATE TABLE users (id int PRIMARY KEY);"),
            ("0002_seed.sql", "INSERT INTO users (id) VALUES (1);\nINSERT INTO usres (id) VALUES (2);"),
            // What fails for want of a failed script is its echo, not a problem of its own.
            ("0003_tags.sql", "CREATE TABLE tags (id int REFERENCES missing_parent (id));"),
            ("0004_use_tags.sql", "INSERT INTO tags (id) VALUES (1);"),
        ],
    );
    assert_eq!(
        pg(&loaded, &url),
        [
            "migrations/0002_seed.sql:2:13: relation \"usres\" does not exist | did you mean `users`?",
            "migrations/0003_tags.sql:1:1: relation \"missing_parent\" does not exist | the dry run applies every migration in order to a scratch database on the PostgreSQL server of `STRATA_DRY_RUN_URL`; fix the statement, or mark the file `-- strata:no-dry-run` if it needs what that server lacks",
        ]
    );
}

#[test]
fn postgres_a_down_script_that_leaves_a_column_or_drops_too_much_is_refused() {
    let Some(url) = postgres() else { return };
    let (_dir, loaded) = folder(
        Dialect::Postgres,
        &[
            ("0001_users.sql", "CREATE TABLE users (id int PRIMARY KEY);"),
            ("0001_users.down.sql", "DROP TABLE users;"),
            ("0002_email.sql", "ALTER TABLE users ADD COLUMN email text;\nCREATE INDEX users_email ON users (email);"),
            ("0002_email.down.sql", "DROP INDEX users_email;"),
            ("0003_tags.sql", "CREATE TABLE tags (id int);"),
            ("0003_tags.down.sql", "DROP TABLE tags;\nDROP TABLE users;"),
            ("0004_id.sql", "ALTER TABLE tags ALTER COLUMN id TYPE bigint;"),
            ("0004_id.down.sql", "ALTER TABLE tags ALTER COLUMN id TYPE smallint;"),
        ],
    );
    assert_eq!(
        pg(&loaded, &url),
        [
            "migrations/0002_email.down.sql: column `users.email` still exists after `0002_email.down.sql` | drop it in the down script: `0002_email.sql` creates it",
            "migrations/0003_tags.down.sql: table `users` is missing after `0003_tags.down.sql` | the down script drops what existed before `0003_tags.sql`; drop only what `0003_tags.sql` creates",
            "migrations/0004_id.down.sql: column `tags.id` differs after `0004_id.down.sql`: it was `integer` and is now `smallint` | make the down script restore the definition the up script found",
        ],
        "each down script is rolled back: the later ones run on the schema its up script made"
    );
}

#[test]
fn postgres_concurrently_in_a_transaction_is_the_statement_rule_s_one_problem() {
    let Some(url) = postgres() else { return };
    let (_dir, loaded) = folder(
        Dialect::Postgres,
        &[
            ("0001_users.sql", "CREATE TABLE users (id int, name text);"),
            ("0002_index.sql", "CREATE INDEX CONCURRENTLY users_name ON users (name);"),
            ("0003_use.sql", "ALTER INDEX users_name RENAME TO users_by_name;"),
        ],
    );
    let said = pg(&loaded, &url);
    assert_eq!(said.len(), 1, "{said:#?}");
    assert!(
        said[0]
            .starts_with("migrations/0002_index.sql:1:1: `CREATE INDEX CONCURRENTLY` cannot run inside a transaction"),
        "{said:#?}"
    );
}

#[test]
fn postgres_an_enum_value_added_and_used_in_one_transaction_is_refused_by_the_server() {
    let Some(url) = postgres() else { return };
    let (_dir, loaded) = folder(
        Dialect::Postgres,
        &[
            ("0001_mood.sql", "CREATE TYPE mood AS ENUM ('sad');\nCREATE TABLE t (m mood);"),
            ("0002_happy.sql", "ALTER TYPE mood ADD VALUE 'happy';\nINSERT INTO t VALUES ('happy');"),
        ],
    );
    assert_eq!(
        pg(&loaded, &url),
        [
            "migrations/0002_happy.sql:2:23: unsafe use of new value \"happy\" of enum type mood | New enum values must be committed before they can be used."
        ]
    );
}

#[test]
fn postgres_the_cache_remembers_a_pass_and_resumes_after_an_added_migration() {
    let Some(url) = postgres() else { return };
    let cache_dir = tempfile::tempdir().expect("temp dir");
    let cache = Cache::in_dir(cache_dir.path());
    let mut files = vec![
        ("0001_a.sql", "CREATE TABLE a (id int);"),
        ("0001_a.down.sql", "DROP TABLE a;"),
        ("0002_b.sql", "CREATE TABLE b (id int);"),
    ];
    let (_dir, loaded) = folder(Dialect::Postgres, &files);
    assert!(check(Dialect::Postgres, &url, &loaded, Some(&cache)).is_empty());
    let (kept, held) = witness::LAST.with(|last| last.borrow().clone()).expect("a run");
    assert!(kept.starts_with(KEPT_PREFIX) && held == 0, "{kept} {held}");
    assert!(exists::<Postgres>(&url, &kept), "a pass keeps its database for the next build");

    let opened = witness::OPENED.with(std::cell::Cell::get);
    assert!(check(Dialect::Postgres, &url, &loaded, Some(&cache)).is_empty());
    assert_eq!(witness::OPENED.with(std::cell::Cell::get), opened, "a cache hit touches no server");

    files.push(("0003_c.sql", "INSERT INTO a SELECT id FROM b;"));
    let (_dir, grown) = folder(Dialect::Postgres, &files);
    assert!(check(Dialect::Postgres, &url, &grown, Some(&cache)).is_empty());
    assert_eq!(witness::LAST.with(|last| last.borrow().clone()), Some((kept.clone(), 2)), "only the new one ran");

    // A failure drops the kept database: the next build runs in full.
    files.push(("0004_d.sql", "INSERT INTO nothing VALUES (1);"));
    let (_dir, failing) = folder(Dialect::Postgres, &files);
    assert_eq!(check(Dialect::Postgres, &url, &failing, Some(&cache)).len(), 1);
    assert_eq!(witness::LAST.with(|last| last.borrow().clone()), Some((kept.clone(), 3)));
    assert!(!exists::<Postgres>(&url, &kept));
    assert!(
        cache
            .claim_kept(&Cache::prefix_keys(
                grown.set.as_ref().expect("set"),
                &DryRunOptions::default(),
                &format!("PostgreSQL {url}")
            ))
            .is_none()
    );
}

#[test]
fn postgres_a_panic_in_the_run_drops_the_scratch_database() {
    let Some(url) = postgres() else { return };
    let (_dir, loaded) = folder(Dialect::Postgres, &[("0001_a.sql", "CREATE TABLE a (id int);")]);
    witness::PANIC.with(|panic| panic.set(true));
    let said = pg(&loaded, &url);
    assert_eq!(said.len(), 1);
    assert!(said[0].contains("failed unexpectedly"), "{said:?}");
}

#[test]
fn postgres_a_server_that_does_not_answer_is_one_problem_naming_the_variable() {
    let (_dir, loaded) = folder(Dialect::Postgres, &[("0001_a.sql", "CREATE TABLE a (id int);")]);
    let said = check(Dialect::Postgres, "postgres://postgres@127.0.0.1:9/test", &loaded, None);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].starts_with("the dry run cannot reach the PostgreSQL server of `STRATA_DRY_RUN_URL`: "),
        "{said:?}"
    );
    assert!(
        said[0].ends_with("| start the server or fix the URL; unset `STRATA_DRY_RUN_URL` to build without the dry run")
    );
}

#[test]
fn a_killed_run_s_scratch_database_is_dropped_by_the_next_run() {
    // The child: opens a scratch database, says its name, waits to be killed.
    if let Ok(dialect) = std::env::var("STRATA_TEST_SCRATCH_CHILD") {
        let url = std::env::var("STRATA_TEST_SCRATCH_URL").expect("url");
        let server = ServerUrl { url: &url, named_by: "test" };
        let name = if dialect == "postgres" {
            let scratch = Scratch::<Postgres>::open(&server, None, &[]).expect("open");
            let _ = scratch.holds();
            std::mem::forget(scratch);
            last_database()
        } else {
            let scratch = Scratch::<Mysql>::open(&server, None, &[]).expect("open");
            let _ = scratch.holds();
            std::mem::forget(scratch);
            last_database()
        };
        println!("scratch={name}");
        std::thread::sleep(std::time::Duration::from_secs(120));
        return;
    }
    for (dialect, url) in [("postgres", postgres()), ("mysql", mysql())] {
        let Some(url) = url else { continue };
        let mut child = std::process::Command::new(std::env::current_exe().expect("exe"))
            .args([
                "--exact",
                "dry_run::server::tests::a_killed_run_s_scratch_database_is_dropped_by_the_next_run",
                "--nocapture",
            ])
            .env("STRATA_TEST_SCRATCH_CHILD", dialect)
            .env("STRATA_TEST_SCRATCH_URL", &url)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut lines = std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().expect("stdout")));
        let name = lines
            .find_map(|line| line.ok()?.strip_prefix("scratch=").map(str::to_owned))
            .expect("the child's database");
        let alive = if dialect == "postgres" { exists::<Postgres>(&url, &name) } else { exists::<Mysql>(&url, &name) };
        assert!(alive, "{name} while its run lives");
        child.kill().expect("kill");
        child.wait().expect("wait");
        // The server notices the closed session at once on loopback; the next run drops it.
        let (_dir, loaded) = folder(
            if dialect == "postgres" { Dialect::Postgres } else { Dialect::Mysql },
            &[("0001_a.sql", "SELECT 1;")],
        );
        let gone = (0..50).any(|_| {
            if dialect == "postgres" {
                assert!(pg(&loaded, &url).is_empty());
                !exists::<Postgres>(&url, &name)
            } else {
                assert!(my(&loaded, &url).is_empty());
                !exists::<Mysql>(&url, &name)
            }
            .then_some(())
            .or_else(|| {
                std::thread::sleep(std::time::Duration::from_millis(100));
                None
            })
            .is_some()
        });
        assert!(gone, "{name} outlived its killed run");
    }
}

#[test]
fn mysql_a_syntax_error_is_at_its_line_and_column() {
    let Some(url) = mysql() else { return };
    let (_dir, loaded) = folder(
        Dialect::Mysql,
        &[("0001_a.sql", "CREATE TABLE a (id INT);\nINSERT INTO a\n  VALUES (1),\n    (2) WHRE 1;")],
    );
    let said = my(&loaded, &url);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].starts_with("migrations/0001_a.sql:4:9: You have an error in your SQL syntax"), "{said:?}");
}

#[test]
fn mysql_a_missing_table_and_a_ddl_down_script_that_does_not_restore_the_table() {
    let Some(url) = mysql() else { return };
    let (_dir, loaded) = folder(
        Dialect::Mysql,
        &[
            ("0001_users.sql", "CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL);"),
            ("0001_users.down.sql", "DROP TABLE users;"),
            (
                "0002_wider.sql",
                "ALTER TABLE users MODIFY name VARCHAR(100) NOT NULL;\nCREATE INDEX users_name ON users (name);",
            ),
            ("0002_wider.down.sql", "DROP INDEX users_name ON users;"),
            ("0003_seed.sql", "INSERT INTO usres (id, name) VALUES (1, 'a');"),
        ],
    );
    assert_eq!(
        my(&loaded, &url),
        [
            "migrations/0002_wider.down.sql: column `users.name` differs after `0002_wider.down.sql`: it was `varchar(50) not null collate utf8mb4_general_ci` and is now `varchar(100) not null collate utf8mb4_general_ci` | make the down script restore the definition the up script found",
            "migrations/0003_seed.sql:1:1: Table 'usres' doesn't exist | did you mean `users`?",
        ]
    );
}

#[test]
fn postgres_names_as_long_as_the_server_allows_are_whole() {
    let Some(url) = postgres() else { return };
    let table = "tbl_with_a_rather_long_name_for_testing_identifier_lengths_ab";
    let up = format!("ALTER TABLE {table} ADD COLUMN c2 int;\nALTER TABLE {table} ADD COLUMN c3 int;");
    let down = format!("ALTER TABLE {table} DROP COLUMN c2;");
    let (_dir, loaded) = folder(
        Dialect::Postgres,
        &[("0001_a.sql", &format!("CREATE TABLE {table} (id int);")), ("0002_b.sql", &up), ("0002_b.down.sql", &down)],
    );
    assert_eq!(
        pg(&loaded, &url),
        [format!(
            "migrations/0002_b.down.sql: column `{table}.c3` still exists after `0002_b.down.sql` | drop it in the down script: `0002_b.sql` creates it"
        )]
    );
}

#[test]
fn mysql_a_down_script_that_leaves_a_renamed_table_s_keys_pointing_elsewhere_is_refused() {
    let Some(url) = mysql() else { return };
    let (_dir, loaded) = folder(
        Dialect::Mysql,
        &[
            (
                "0001_a.sql",
                "CREATE TABLE a (id INT PRIMARY KEY);\nCREATE TABLE b (x INT, CONSTRAINT b_x FOREIGN KEY (x) REFERENCES a (id));",
            ),
            ("0001_a.down.sql", "DROP TABLE b;\nDROP TABLE a;"),
            // The key of `b`, a table neither script names, follows the rename.
            ("0002_rename.sql", "RENAME TABLE a TO a2;"),
            ("0002_rename.down.sql", "SELECT 1;"),
        ],
    );
    assert_eq!(
        my(&loaded, &url),
        [
            "migrations/0002_rename.down.sql: table `a` is missing after `0002_rename.down.sql` | the down script drops what existed before `0002_rename.sql`; drop only what `0002_rename.sql` creates",
            "migrations/0002_rename.down.sql: table `a2` still exists after `0002_rename.down.sql` | drop it in the down script: `0002_rename.sql` creates it",
            "migrations/0002_rename.down.sql: foreign key `b.b_x` differs after `0002_rename.down.sql`: it was `(x) references a (id)` and is now `(x) references a2 (id)` | make the down script restore the definition the up script found",
        ]
    );
}

#[test]
fn postgres_what_a_cascade_or_a_rename_changes_beyond_the_names_of_the_scripts_is_seen() {
    let Some(url) = postgres() else { return };
    let (_dir, loaded) = folder(
        Dialect::Postgres,
        &[
            (
                "0001_users.sql",
                "CREATE TABLE users (id int PRIMARY KEY);\nCREATE TABLE orders (who int REFERENCES users (id));",
            ),
            ("0002_view.sql", "CREATE VIEW user_ids AS SELECT id FROM users;"),
            ("0003_email.sql", "ALTER TABLE users ADD COLUMN email text;"),
            // The view on `users` and the key of `orders` go with it, named by neither script.
            ("0003_email.down.sql", "DROP TABLE users CASCADE;\nCREATE TABLE users (id int PRIMARY KEY);"),
            ("0004_rename.sql", "ALTER TABLE users RENAME TO people;"),
            ("0004_rename.down.sql", "SELECT 1;"),
        ],
    );
    let said = pg(&loaded, &url);
    let expected = [
        "migrations/0003_email.down.sql: constraint `orders.orders_who_fkey` is missing after `0003_email.down.sql`",
        "migrations/0003_email.down.sql: view `user_ids` is missing after `0003_email.down.sql`",
        "migrations/0004_rename.down.sql: table `users` is missing after `0004_rename.down.sql`",
        "migrations/0004_rename.down.sql: table `people` still exists after `0004_rename.down.sql`",
        "migrations/0004_rename.down.sql: constraint `orders.orders_who_fkey` differs after `0004_rename.down.sql`: it was `FOREIGN KEY (who) REFERENCES users(id)` and is now `FOREIGN KEY (who) REFERENCES people(id)`",
    ];
    for line in expected {
        assert!(said.iter().any(|said| said.starts_with(line)), "{line}\nin {said:#?}");
    }
}
