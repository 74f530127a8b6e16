//! The built `strata` binary, run as a user runs it: on temporary folders and SQLite files (and
//! on PostgreSQL and MariaDB when `STRATA_TEST_POSTGRES_URL` / `STRATA_TEST_MYSQL_URL` are set),
//! its output and exit status asserted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test panics

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace, where the sample folders and ui-test fixtures are.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `strata args…` in `cwd`, without colour and without `DATABASE_URL`.
fn strata(cwd: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (file, text) in files {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn listing(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> =
        walk(dir).into_iter().map(|p| p.strip_prefix(dir).unwrap().display().to_string()).collect();
    files.sort();
    files
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flat_map(|entry| {
            let path = entry.unwrap().path();
            if path.is_dir() { walk(&path) } else { vec![path] }
        })
        .collect()
}

#[test]
fn new_follows_the_folder_s_layout_and_numbering() {
    let dir = tempfile::tempdir().unwrap();
    let run = strata(dir.path(), &["new", "create_users", "--reversible"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "created migrations/0001_create_users.sql\ncreated migrations/0001_create_users.down.sql\n");
    strata(dir.path(), &["new", "add_posts", "--no-transaction"]);
    let up = std::fs::read_to_string(dir.path().join("migrations/0002_add_posts.sql")).unwrap();
    assert!(up.starts_with("-- add posts: what it changes, and why.\n"), "{up}");
    assert!(up.contains("\n-- strata:no-transaction\n"), "{up}");
    assert_eq!(
        listing(&dir.path().join("migrations")),
        ["0001_create_users.down.sql", "0001_create_users.sql", "0002_add_posts.sql"]
    );
    // What `new` writes passes `check`.
    assert_eq!(strata(dir.path(), &["check"]).code, 0);

    // Each layout as its tool names it.
    type Files<'a> = &'a [(&'a str, &'a str)];
    let cases: [(Files<'_>, &[&str], &str); 5] = [
        (&[("0009_a.up.sql", "SELECT 1;"), ("0009_a.down.sql", "SELECT 1;")], &["--reversible"], "0010_b.up.sql"),
        (&[("20240101120000_a.sql", "SELECT 1;")], &[], "2026"),
        (&[("2024-01-01-120000_a/up.sql", "SELECT 1;")], &["--reversible"], "_b/down.sql"),
        (&[("01-a/up.sql", "SELECT 1;")], &[], "02-b/up.sql"),
        (&[("V7__a.sql", "SELECT 1;"), ("U7__a.sql", "SELECT 1;")], &["--reversible"], "U8__b.sql"),
    ];
    for (files, flags, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("migrations"), files);
        let mut args = vec!["new", "b"];
        args.extend_from_slice(flags);
        let run = strata(dir.path(), &args);
        assert_eq!(run.code, 0, "{files:?}: {}", run.stderr);
        assert!(run.stdout.lines().any(|line| line.contains(expected)), "{files:?}: {}", run.stdout);
        assert_eq!(strata(dir.path(), &["check", "--no-dry-run"]).code, 0, "{files:?}: the new file reads back");
    }
    // A refinery folder has no down scripts: a `U` file would be applied forwards.
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("migrations"), &[("V7__a.sql", "SELECT 1;")]);
    let run = strata(dir.path(), &["new", "b", "--reversible"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("refinery would apply a `U<version>__<name>.sql` as an unversioned migration"),
        "{}",
        run.stderr
    );
    assert_eq!(listing(&dir.path().join("migrations")), ["V7__a.sql"], "nothing written");
    // `--sequential` in a timestamped folder, `--timestamp` in a numbered one.
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("migrations"), &[("20240101120000_a.sql", "SELECT 1;")]);
    assert!(strata(dir.path(), &["new", "b", "--sequential"]).stdout.contains("20240101120001_b.sql"));
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("migrations"), &[("0001_a.sql", "SELECT 1;")]);
    let run = strata(dir.path(), &["new", "b", "--timestamp"]);
    assert!(run.stdout.starts_with("created migrations/2") && run.stdout.ends_with("_b.sql\n"), "{}", run.stdout);
}

#[test]
fn new_refuses_names_that_would_not_parse() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["add orders", "add-orders", "", "../x"] {
        let run = strata(dir.path(), &["new", bad]);
        assert_eq!(run.code, 2, "{bad}");
        assert!(run.stderr.contains("cannot name a migration"), "{bad}: {}", run.stderr);
    }
    assert!(!dir.path().join("migrations").exists());
}

/// `check` on a fixture of the ui-tests, from the workspace as the macro sees it.
fn check(fixture: &str, extra: &[&str]) -> Run {
    let dir = format!("integration/ui-tests/fixtures/{fixture}");
    let mut args = vec!["check", "--dir", &dir];
    args.extend_from_slice(extra);
    strata(&workspace(), &args)
}

#[test]
fn check_prints_rustc_style_diagnostics() {
    for (fixture, extra) in [
        ("two-bad-files", &[][..]),
        ("every-problem-at-once", &[]),
        ("dry-run-hints", &[]),
        ("near-misses", &[]),
        ("three-node-cycle", &[]),
        ("statement-rules-postgres", &["--dialect", "postgres"]),
    ] {
        let run = check(fixture, extra);
        assert_eq!(run.code, 1, "{fixture}");
        assert_eq!(run.stdout, "");
        insta::assert_snapshot!(fixture, run.stderr);
    }
    let run = check("pass-flat", &[]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(run.stdout, "integration/ui-tests/fixtures/pass-flat: 5 migrations, no problems\n");
}

#[test]
fn check_json_has_the_documented_shape() {
    let run = check("two-bad-files", &["--json"]);
    assert_eq!(run.code, 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["folder"], "integration/ui-tests/fixtures/two-bad-files");
    let first = &json["problems"][0];
    assert_eq!(first["file"], "integration/ui-tests/fixtures/two-bad-files/0001_a.sql");
    assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(2), Some(8)));
    assert_eq!(first["message"], "unterminated string");
    assert!(first["help"].as_str().unwrap().starts_with("close the string"));
    let ok = check("pass-flat", &["--json"]);
    let json: serde_json::Value = serde_json::from_str(&ok.stdout).unwrap();
    assert_eq!((json["migrations"].as_u64(), json["problems"].as_array().map(Vec::len)), (Some(5), Some(0)));
}

/// The macro's arguments in one ui-test invocation that `check` can take as flags.
fn flags_of(invocation: &str) -> Option<(String, Vec<String>)> {
    let path = invocation.split('"').nth(1)?.to_owned();
    // An argument `check` has no flag for is a case about the macro's arguments.
    let keys = invocation.split(',').skip(1).filter_map(|part| part.split_once('=')).map(|(key, _)| key.trim());
    if keys.clone().any(|key| !["dialect", "dry_run", "verify_down", "ignore"].contains(&key)) {
        return None;
    }
    let mut flags = Vec::new();
    if let Some(dialect) = invocation.split("dialect = \"").nth(1).and_then(|rest| rest.split('"').next()) {
        flags.extend(["--dialect".to_owned(), dialect.to_owned()]);
    }
    if invocation.contains("dry_run = false") {
        flags.push("--no-dry-run".to_owned());
    }
    if invocation.contains("verify_down = false") {
        flags.push("--no-verify-down".to_owned());
    }
    if let Some(list) = invocation.split("ignore = [").nth(1).and_then(|rest| rest.split(']').next()) {
        for pattern in list.split('"').skip(1).step_by(2) {
            flags.extend(["--ignore".to_owned(), pattern.to_owned()]);
        }
    }
    Some((path, flags))
}

/// `check` and the macro say the same, from the same code: for every ui-test whose folder is a
/// fixture, the errors `check` prints are the compile errors trybuild pinned.
#[test]
fn check_reports_what_the_macro_reports_for_every_fixture() {
    // The crate the ui-tests are in: their paths are relative to it.
    let root = workspace().join("integration");
    let mut compared = 0;
    for entry in std::fs::read_dir(root.join("ui-tests")).unwrap() {
        let case = entry.unwrap().path();
        if case.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let source = std::fs::read_to_string(&case).unwrap();
        let invocations: Option<Vec<(String, Vec<String>)>> =
            source.split("embed_migrations!(").skip(1).map(|rest| flags_of(rest.split(')').next()?)).collect();
        let Some(invocations) = invocations else { continue };
        if invocations.is_empty() || !invocations.iter().all(|(path, _)| root.join(path).is_dir()) {
            continue; // a case about the macro's arguments, not a folder
        }
        let Ok(stderr) = std::fs::read_to_string(case.with_extension("stderr")) else { continue };
        let mut expected: Vec<&str> = stderr.lines().filter_map(|line| line.strip_prefix("error: ")).collect();
        let mut reported = Vec::new();
        let mut about_arguments = false;
        for (path, flags) in &invocations {
            let mut args = vec!["check", "--json", "--dir", path];
            args.extend(flags.iter().map(String::as_str));
            let run = strata(&root, &args);
            if run.code == 2 {
                about_arguments = true; // `dialect = "oracle"`: a usage error for the command
                break;
            }
            let json: serde_json::Value = serde_json::from_str(&run.stdout)
                .unwrap_or_else(|error| panic!("{}: {error}: {}", case.display(), run.stderr));
            for problem in json["problems"].as_array().unwrap() {
                let message = problem["message"].as_str().unwrap().lines().next().unwrap_or_default().to_owned();
                reported.push(match (problem["file"].as_str(), problem["line"].as_u64()) {
                    (Some(file), Some(line)) => format!("{file}:{line}:{}: {message}", problem["column"]),
                    (Some(file), None) => format!("{file}: {message}"),
                    _ => message,
                });
            }
        }
        if about_arguments {
            continue;
        }
        expected.sort_unstable();
        reported.sort_unstable();
        assert_eq!(reported, expected, "{}", case.display());
        compared += 1;
    }
    assert!(compared >= 30, "only {compared} cases compared");
}

#[test]
fn a_sqlite_database_from_status_to_down() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("migrations"),
        &[
            ("0001_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);"),
            ("0001_users.down.sql", "DROP TABLE users;"),
            ("0002_posts.sql", "-- strata:depends-on 1\nCREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER);"),
            ("0002_posts.down.sql", "DROP TABLE posts;"),
        ],
    );
    let db = ["--db", "sqlite:app.db"];
    let with = |args: &[&'static str]| [args, &db[..]].concat();
    // An empty file is an empty database (`status` does not create one: a typo would go unseen).
    std::fs::write(dir.path().join("app.db"), "").unwrap();
    let status = strata(dir.path(), &with(&["status"]));
    assert_eq!(status.code, 0, "{}", status.stderr);
    assert!(status.stdout.contains("      1  0001_users  pending"), "{}", status.stdout);
    assert!(status.stdout.ends_with("0 applied, 2 pending\n"), "{}", status.stdout);

    let plan = strata(dir.path(), &with(&["plan", "--to", "0001_users"]));
    assert_eq!(plan.stdout, "-- up 0001_users (0001_users.sql)\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n");
    let plan = strata(dir.path(), &with(&["plan", "--json"]));
    let json: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    assert_eq!(json[1]["id"], "0002_posts");
    assert_eq!((json[1]["version"].as_i64(), json[1]["direction"].as_str()), (Some(2), Some("up")));
    assert_eq!(
        (json[1]["file"].as_str(), json[1]["outside_transaction"].as_bool()),
        (Some("0002_posts.sql"), Some(false))
    );
    assert_eq!(json[1]["statements"][0], "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER)");
    let up = strata(dir.path(), &with(&["up"]));
    assert_eq!(up.code, 0, "{}", up.stderr);
    assert!(
        up.stdout.starts_with("applied 0001_users in "),
        "one plain line a migration off a terminal: {}",
        up.stdout
    );
    assert!(up.stdout.contains("\napplied 2 migrations in "), "{}", up.stdout);
    assert!(strata(dir.path(), &with(&["up"])).stdout.starts_with("nothing to do: 2 migrations already applied"));

    let status = strata(dir.path(), &with(&["status", "--json"]));
    let json: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(json["migrations"][1]["id"], "0002_posts");
    assert_eq!(json["migrations"][1]["state"], "applied");
    assert!(json["migrations"][1]["applied_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(json["summary"]["applied"], 2);
    assert_eq!(strata(dir.path(), &with(&["verify"])).stdout, "the database agrees with the folder\n");

    // An edit is found by verify (exit 1), accepted by repair.
    write(
        &dir.path().join("migrations"),
        &[(
            "0002_posts.sql",
            "-- strata:depends-on 1\nCREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER, title TEXT);",
        )],
    );
    let verify = strata(dir.path(), &with(&["verify", "--json"]));
    assert_eq!(verify.code, 1);
    let json: serde_json::Value = serde_json::from_str(&verify.stdout).unwrap();
    assert_eq!(json["ok"], false);
    assert!(json["error"].as_str().unwrap().contains("was edited after it was applied"));
    assert!(strata(dir.path(), &with(&["status"])).stdout.contains("0002_posts  edited"));
    assert!(strata(dir.path(), &with(&["repair"])).stdout.starts_with("accepted the edited script of 0002_posts"));

    // Off a terminal, `down` wants `--yes`.
    let refused = strata(dir.path(), &with(&["down", "--to", "1"]));
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("pass --yes"), "{}", refused.stderr);
    assert!(refused.stderr.contains("not rolling back 0002_posts without confirmation"), "{}", refused.stderr);
    let down = strata(dir.path(), &with(&["down", "--all", "--yes"]));
    assert_eq!(down.code, 0, "{}", down.stderr);
    assert!(down.stdout.contains("rolled back 0002_posts in "), "{}", down.stdout);
    assert!(strata(dir.path(), &with(&["status"])).stdout.ends_with("0 applied, 2 pending\n"));

    let baseline = strata(dir.path(), &with(&["baseline", "0001_users"]));
    assert_eq!(baseline.stdout, "recorded 0001_users as applied, without running it\n");
}

#[test]
fn status_and_up_name_another_tool_s_history_where_strata_has_none() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("migrations"), &[("0001_a.sql", "CREATE TABLE a (x INTEGER);")]);
    let conn = rusqlite::Connection::open(dir.path().join("app.db")).unwrap();
    conn.execute_batch(
        "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT, installed_on TEXT, success BOOLEAN, checksum BLOB, execution_time BIGINT);
         INSERT INTO _sqlx_migrations VALUES (1, 'a', '2024-01-01', 1, x'00', 1);",
    )
    .unwrap();
    let status = strata(dir.path(), &["status", "--db", "app.db"]);
    assert_eq!(status.code, 0, "{}", status.stderr);
    assert!(
        status.stdout.contains("sqlx's history (`_sqlx_migrations`) records 1 migration(s) and strata has none: `apply` refuses to run them again; take it over first with `adopt(strata::From::Sqlx)` with strata's feature `adopt` (`strata adopt --from sqlx`)"),
        "{}",
        status.stdout
    );
    let json = strata(dir.path(), &["status", "--db", "app.db", "--json"]);
    let compact: String = json.stdout.split_whitespace().collect();
    assert!(
        compact.contains(r#""foreign_history":{"tool":"sqlx","table":"_sqlx_migrations","rows":1}"#),
        "{}",
        json.stdout
    );
    let up = strata(dir.path(), &["up", "--db", "app.db"]);
    assert_eq!(up.code, 1, "{}", up.stderr);
    assert!(up.stderr.contains("error: the database has no strata history, but sqlx's history"), "{}", up.stderr);
    let tables: i64 =
        conn.query_row("SELECT count(*) FROM sqlite_master WHERE name = 'a'", [], |row| row.get(0)).unwrap();
    assert_eq!(tables, 0, "nothing ran");
}

#[test]
fn adopt_takes_over_dbmate_s_history_then_up_applies_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("migrations"),
        &[
            ("20240101000000_a.sql", "-- migrate:up\nCREATE TABLE a (x INTEGER);\n-- migrate:down\nDROP TABLE a;\n"),
            ("20240102000000_b.sql", "-- migrate:up\nCREATE TABLE b (x INTEGER);\n-- migrate:down\nDROP TABLE b;\n"),
        ],
    );
    let conn = rusqlite::Connection::open(dir.path().join("app.db")).unwrap();
    conn.execute_batch(
        "CREATE TABLE schema_migrations (version VARCHAR(128) PRIMARY KEY);
         INSERT INTO schema_migrations VALUES ('20240101000000');
         CREATE TABLE a (x INTEGER);",
    )
    .unwrap();
    let adopt = strata(dir.path(), &["adopt", "--from", "dbmate", "--db", "app.db"]);
    assert_eq!(adopt.code, 0, "{}", adopt.stderr);
    assert_eq!(
        adopt.stdout,
        "adopted 20240101000000_a from dbmate\ntook over 1 migration(s) of dbmate's history; its table is left as it was\n"
    );
    let up = strata(dir.path(), &["up", "--db", "app.db"]);
    assert!(up.stdout.starts_with("applied 20240102000000_b in "), "{}", up.stdout);
    let unknown = tempfile::tempdir().unwrap();
    write(&unknown.path().join("migrations"), &[("20240102000000_b.sql", "CREATE TABLE b (x INTEGER);")]);
    std::fs::copy(dir.path().join("app.db"), unknown.path().join("other.db")).unwrap();
    let other = rusqlite::Connection::open(unknown.path().join("other.db")).unwrap();
    other.execute_batch("DROP TABLE strata_migrations; DROP TABLE strata_migrations_state;").unwrap();
    let refused = strata(unknown.path(), &["adopt", "--from", "dbmate", "--db", "other.db"]);
    assert_eq!(refused.code, 1);
    assert!(
        refused
            .stderr
            .contains("cannot take over dbmate's history: 20240101000000: no migration of this set has that version"),
        "{}",
        refused.stderr
    );
}

#[test]
fn adopt_compares_sqlx_s_checksums_reads_a_renamed_table_and_forces_only_what_it_is_told() {
    let dir = tempfile::tempdir().unwrap();
    // The file whose SHA-384 the real sqlx stored (strata-core's `foreign_checksums` tests).
    let init = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n";
    write(&dir.path().join("migrations"), &[("0001_init.sql", init), ("0002_b.sql", "CREATE TABLE b (x INTEGER);")]);
    let conn = rusqlite::Connection::open(dir.path().join("app.db")).unwrap();
    let checksum = "9378E190639DF961241B5A661BBFDA7754E3247AD1E3F11BBF00346BCE46C7F80B13D5DF78E4FD035183E051281CFC2E";
    conn.execute_batch(&format!(
        "CREATE TABLE app_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, checksum BLOB NOT NULL, execution_time BIGINT NOT NULL);
         INSERT INTO app_migrations (version, description, success, checksum, execution_time) VALUES (1, 'init', FALSE, X'{checksum}', 1);
         CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
    ))
    .unwrap();
    let args = ["adopt", "--from", "sqlx", "--from-table", "app_migrations", "--db", "app.db"];
    let refused = strata(dir.path(), &args);
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("cannot take over sqlx's history: 1: failed in sqlx"), "{}", refused.stderr);
    let forced = strata(dir.path(), &[&args[..], &["--force", "0001_init"]].concat());
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert_eq!(
        forced.stdout,
        "adopted 0001_init from sqlx\naccepted 1: failed in sqlx; recorded as applied (forced)\ntook over 1 migration(s) of sqlx's history; its table is left as it was\n"
    );
    let up = strata(dir.path(), &["up", "--db", "app.db"]);
    assert!(up.stdout.starts_with("applied 0002_b in "), "{}", up.stdout);
}

#[test]
fn failures_have_their_exit_status_and_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("migrations"),
        &[("0001_a.sql", "CREATE TABLE a (x INTEGER);"), ("0002_b.sql", "INSERT INTO nowhere VALUES (1);")],
    );
    let run = strata(dir.path(), &["up", "--db", "app.db"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .starts_with("error: migration 0002_b (0002_b.sql) failed at statement 1 (line 1): no such table: nowhere"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.ends_with("applied 1 migration before the failure\n"), "{}", run.stdout);
    let run = strata(dir.path(), &["status", "--db", "postgres://nobody@127.0.0.1:1/x"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot connect to postgres://nobody@127.0.0.1:1/x") && run.stderr.contains("DATABASE_URL"),
        "{}",
        run.stderr
    );
    let run = strata(dir.path(), &["status"]);
    assert_eq!(run.code, 2, "no --db and no DATABASE_URL is a usage error");
    let run = strata(dir.path(), &["status", "--db", "sqlite:typo.db"]);
    assert_eq!(run.code, 2, "a read never creates a database");
    assert!(run.stderr.contains("there is no SQLite database at typo.db"), "{}", run.stderr);
    assert!(!dir.path().join("typo.db").exists());
    let run = strata(dir.path(), &["up", "--db", "app.db", "--to", "0009"]);
    assert_eq!(run.code, 2, "a target that names nothing is a usage error: {}", run.stderr);
    let run = strata(dir.path(), &["status", "--db", "postgress://u@127.0.0.1/x"]);
    assert_eq!(run.code, 2, "a mistyped scheme is a usage error, not a SQLite file: {}", run.stderr);
    assert!(run.stderr.contains("`postgress://` is no database strata knows"), "{}", run.stderr);
    assert!(!dir.path().join("postgress:").exists());
    // `plan` on a database that does not exist yet: the first deploy, all pending, nothing created.
    let run = strata(dir.path(), &["plan", "--db", "sqlite:first.db"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("0001_a") && run.stdout.contains("0002_b"), "{}", run.stdout);
    assert!(run.stderr.contains("there is no SQLite database at first.db yet"), "{}", run.stderr);
    assert!(!dir.path().join("first.db").exists(), "plan created the file");
    let run = strata(dir.path(), &["check", "--dir", "nowhere"]);
    assert_eq!(run.code, 1);
    let run = strata(dir.path(), &["down", "--db", "app.db"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("<--to <MIGRATION>|--all>"), "down says both ways: {}", run.stderr);
}

#[test]
fn graph_in_every_format() {
    let root = workspace();
    for format in ["text", "dot", "mermaid"] {
        let run = strata(&root, &["graph", "--format", format]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        insta::assert_snapshot!(format!("graph-{format}"), run.stdout);
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.db");
    let db = db.to_str().unwrap();
    assert_eq!(strata(&root, &["up", "--db", db, "--to", "2"]).code, 0);
    let run = strata(&root, &["graph", "--db", db]);
    assert!(
        run.stdout.starts_with(
            "[x]   1. 0001_create_users\n[x]   2. 0002_create_posts\n[ ]   3. 0003_post_search  <- 0002_create_posts\n"
        ),
        "{}",
        run.stdout
    );
}

/// The same commands on PostgreSQL and MariaDB, each in a database of its own.
#[test]
fn servers_from_up_to_down() {
    for (var, dialect) in [("STRATA_TEST_POSTGRES_URL", "postgres"), ("STRATA_TEST_MYSQL_URL", "mysql")] {
        let Ok(url) = std::env::var(var) else {
            eprintln!("skipped: the {dialect} part, because {var} is not set");
            continue;
        };
        let folder = format!("integration/examples/migrations-{dialect}");
        let scratch = format!("strata_cli_{}", std::process::id());
        let url = scratch_database(&url, dialect, &scratch);
        let root = workspace();
        let run = |args: &[&str]| strata(&root, &[args, &["--dir", folder.as_str(), "--db", url.as_str()]].concat());
        let up = run(&["up"]);
        assert_eq!(up.code, 0, "{dialect}: {}", up.stderr);
        assert!(up.stdout.contains("applied 4 migrations"), "{dialect}: {}", up.stdout);
        assert!(run(&["status"]).stdout.ends_with("4 applied, 0 pending\n"));
        assert_eq!(run(&["verify"]).code, 0);
        let down = run(&["down", "--to", "0002_create_posts", "--yes"]);
        assert_eq!(down.code, 1, "0004 is irreversible: {dialect}: {}", down.stdout);
        assert!(down.stderr.contains("it is marked `strata:irreversible`"), "{}", down.stderr);
        drop_database(&url, dialect, &scratch);
    }
}

/// `check --db` on a server: the macro's dry run with its messages, in a scratch database it
/// creates and drops there.
#[test]
fn check_runs_the_dry_run_on_the_server_db_names() {
    for (var, dialect) in [("STRATA_TEST_POSTGRES_URL", "postgres"), ("STRATA_TEST_MYSQL_URL", "mysql")] {
        let Ok(url) = std::env::var(var) else {
            eprintln!("skipped: the {dialect} part, because {var} is not set");
            continue;
        };
        let dir = tempfile::tempdir().unwrap();
        write(
            &dir.path().join("migrations"),
            &[
                ("0001_users.sql", "CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(20));"),
                ("0001_users.down.sql", "DROP TABLE users;"),
                ("0002_seed.sql", "INSERT INTO users (id) VALUES (1);\nINSERT INTO usres (id) VALUES (2);"),
                ("0003_email.sql", "ALTER TABLE users ADD COLUMN email VARCHAR(20);"),
                ("0003_email.down.sql", "SELECT 1;"),
            ],
        );
        let cache = dir.path().join("cache");
        let output = Command::new(env!("CARGO_BIN_EXE_strata"))
            .args(["check", "--db", &url])
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env("XDG_CACHE_HOME", &cache)
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(1), "{dialect}: {stderr}");
        let missing = match dialect {
            "postgres" => "error: relation \"usres\" does not exist\n --> migrations/0002_seed.sql:2:13\n",
            _ => "error: Table 'usres' doesn't exist\n --> migrations/0002_seed.sql:2:1\n",
        };
        assert!(stderr.contains(missing), "{dialect}: {stderr}");
        assert!(stderr.contains("= help: did you mean `users`?"), "{dialect}: {stderr}");
        assert!(
            stderr.contains("error: column `users.email` still exists after `0003_email.down.sql`"),
            "{dialect}: {stderr}"
        );
        assert!(stderr.contains("2 problems in migrations"), "{dialect}: {stderr}");
    }
}

/// A URL to a fresh schema (PostgreSQL) or database (MySQL) named `name`.
fn scratch_database(url: &str, dialect: &str, name: &str) -> String {
    let status = match dialect {
        "postgres" => Command::new("psql")
            .args([url, "-qc", &format!("DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}")])
            .status(),
        _ => Command::new("mariadb")
            .args(["-h127.0.0.1", "-uroot", "-e", &format!("DROP DATABASE IF EXISTS {name}; CREATE DATABASE {name}")])
            .status(),
    };
    assert!(status.unwrap().success());
    match dialect {
        "postgres" => format!("{url}?options=-c%20search_path%3D{name}"),
        _ => format!("{}/{name}", url.rsplit_once('/').unwrap().0),
    }
}

fn drop_database(url: &str, dialect: &str, name: &str) {
    let _ = match dialect {
        "postgres" => Command::new("psql")
            .args([url.split('?').next().unwrap(), "-qc", &format!("DROP SCHEMA {name} CASCADE")])
            .status(),
        _ => Command::new("mariadb").args(["-h127.0.0.1", "-uroot", "-e", &format!("DROP DATABASE {name}")]).status(),
    };
}

#[test]
fn lock_pins_released_migrations_and_check_refuses_an_edit() {
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("migrations");
    write(&migrations, &[("0001_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);")]);
    let run = strata(dir.path(), &["lock"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "locked: 1 migration in migrations/strata.lock; commit it\n");
    let lock = std::fs::read_to_string(migrations.join("strata.lock")).unwrap();
    assert!(lock.lines().any(|line| line.starts_with("0001 0001_users sha256:")), "{lock}");
    assert_eq!(
        strata(dir.path(), &["lock"]).stdout,
        "already locked: 1 migration in migrations/strata.lock; commit it\n"
    );

    // A new migration is allowed; `new` leaves the lock alone.
    strata(dir.path(), &["new", "add_posts"]);
    assert_eq!(std::fs::read_to_string(migrations.join("strata.lock")).unwrap(), lock);
    assert_eq!(strata(dir.path(), &["check"]).code, 0);

    // An edit of a locked one is refused, with the way out.
    write(&migrations, &[("0001_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);")]);
    let check = strata(dir.path(), &["check"]);
    assert_eq!(check.code, 1);
    assert!(
        check
            .stderr
            .contains("error: `0001_users.sql` was changed after it was locked: released migrations must not change"),
        "{}",
        check.stderr
    );
    assert!(check.stderr.contains("run `strata lock`"), "{}", check.stderr);
    // Re-locking accepts it (it was never released).
    assert_eq!(strata(dir.path(), &["lock"]).code, 0);
    assert_eq!(strata(dir.path(), &["check"]).code, 0);
}

#[test]
fn status_names_out_of_order_dirty_and_unknown_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("migrations");
    write(
        &migrations,
        &[
            ("0001_a.sql", "CREATE TABLE a (x INTEGER);"),
            ("0003_c.sql", "CREATE TABLE c (x INTEGER);"),
            ("0004_d.sql", "CREATE TABLE d (x INTEGER);"),
        ],
    );
    assert_eq!(strata(dir.path(), &["up", "--db", "app.db"]).code, 0);
    // 0005 fails outside a transaction; then a branch brings 0002, and 0004 is gone from it.
    write(
        &migrations,
        &[("0005_e.sql", "-- strata:no-transaction\nCREATE TABLE e (x INTEGER);\nINSERT INTO nowhere VALUES (1);")],
    );
    let run = strata(dir.path(), &["up", "--db", "app.db"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    std::fs::remove_file(migrations.join("0004_d.sql")).unwrap();
    write(&migrations, &[("0002_b.sql", "CREATE TABLE b (x INTEGER);")]);
    let status = strata(dir.path(), &["status", "--db", "app.db"]).stdout;
    let states: Vec<(&str, &str)> = status
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let (_, id) = (words.next()?, words.next()?);
            let state = if line.contains("out of order") { "out of order" } else { words.next()? };
            Some((id, state))
        })
        .take(4)
        .collect();
    assert_eq!(
        states,
        [("0001_a", "applied"), ("0002_b", "out of order"), ("0003_c", "applied"), ("0005_e", "dirty")],
        "{status}"
    );
    assert!(status.contains("stopped at up statement 2 (line 3): no such table: nowhere"), "{status}");
    assert!(status.contains("4_d "), "{status}");
    assert!(status.ends_with("2 applied, 1 pending, 1 dirty, 1 unknown to this folder\n"), "{status}");
}

/// Every command that reads the folder refuses the symbolic links that lead out of it, says
/// so, and neither shows nor runs nor locks what they point at.
#[test]
fn no_command_reads_outside_the_folder() {
    let fixture = workspace().join("integration/ui-tests/fixtures/symlink-out/migrations");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.db");
    std::fs::write(&db, "").unwrap();
    let folder = ["--dir", fixture.to_str().unwrap()];
    let database = format!("sqlite:{}", db.display());
    for command in
        [&["check"][..], &["graph"], &["lock"], &["status"], &["plan"], &["up"], &["verify"], &["baseline", "1"]]
    {
        let database_flag =
            if ["check", "graph", "lock"].contains(&command[0]) { &[][..] } else { &["--db", &database][..] };
        let run = strata(dir.path(), &[&folder[..], command, database_flag].concat());
        assert_eq!(run.code, 1, "{command:?}: {}", run.stderr);
        for link in ["0002_b.sql", "0003_c"] {
            let refusal = format!("`{link}` is a symbolic link that leads outside the migrations folder");
            assert!(run.stderr.contains(&refusal), "{command:?}: {}", run.stderr);
        }
        assert!(
            !run.stdout.contains("leaked") && !run.stderr.contains("leaked"),
            "{command:?}: {}{}",
            run.stdout,
            run.stderr
        );
    }
    assert!(!fixture.join("strata.lock").exists(), "nothing locked");
    assert_eq!(std::fs::read(&db).unwrap().len(), 0, "nothing applied");
}

/// Ctrl-C (and SIGTERM) during a long statement: the statement is cancelled on the server, the
/// migration rolled back, the lock released; `up` says where it stopped and exits 130, and the
/// next `up` takes the lock at once. On SQLite, PostgreSQL and MariaDB.
#[test]
fn a_signal_cancels_the_statement_in_flight_and_exits_130() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let sqlite = |file: &str| format!("sqlite:{}", dir.path().join(file).display());
    let mut databases = vec![("sqlite", sqlite("int.db"), "INT"), ("sqlite", sqlite("term.db"), "TERM")];
    for (var, dialect) in [("STRATA_TEST_POSTGRES_URL", "postgres"), ("STRATA_TEST_MYSQL_URL", "mysql")] {
        match std::env::var(var) {
            Ok(url) => databases.push((
                dialect,
                scratch_database(&url, dialect, &format!("strata_cli_cancel_{}", std::process::id())),
                "INT",
            )),
            Err(_) => eprintln!("skipped: the {dialect} part, because {var} is not set"),
        }
    }
    for (dialect, url, signal) in databases {
        let context = format!("{dialect}, SIG{signal}");
        let folder = dir.path().join(format!("m-{dialect}-{signal}"));
        let sleep = match dialect {
            "postgres" => "SELECT pg_sleep(30)",
            "mysql" => "DO SLEEP(30)",
            _ => {
                "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 300000000) SELECT count(*) FROM n"
            }
        };
        let slow = format!("INSERT INTO a VALUES (1);\n{sleep};\n");
        write(&folder, &[("0001_a.sql", "CREATE TABLE IF NOT EXISTS a (x INTEGER);\n"), ("0002_slow.sql", &slow)]);
        let args = ["up", "--dir", folder.to_str().unwrap(), "--db", url.as_str()];
        let mut child = Command::new(env!("CARGO_BIN_EXE_strata"))
            .args(args)
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        assert!(stdout.any(|line| line.unwrap().starts_with("applied 0001_a")), "{context}: 0001 applied");
        std::thread::sleep(std::time::Duration::from_millis(500)); // well into 0002's statement
        let sent = std::time::Instant::now();
        assert!(
            Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status().unwrap().success()
        );
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(sent.elapsed() < std::time::Duration::from_secs(15), "{context}: still running after the signal");
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert_eq!(status.code(), Some(130), "{context}: {stderr}");
        assert!(stderr.contains("interrupting: cancelling the statement in flight"), "{context}: {stderr}");
        let rest: Vec<String> = stdout.map_while(Result::ok).collect();
        assert_eq!(
            rest,
            ["interrupted 0002_slow", "applied 1 migration before the interruption"],
            "{context}: what stdout says after 0001"
        );
        assert!(
            stderr.contains("error: interrupted during 0002_slow (0002_slow.sql): nothing of it was applied"),
            "{context}: {stderr}"
        );
        // Nothing still runs on the server for the dead client.
        let running = match dialect {
            "postgres" => Command::new("psql")
                .args([
                    url.split('?').next().unwrap(),
                    "-tAc",
                    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%'",
                ])
                .output(),
            "mysql" => Command::new("mariadb")
                .args([
                    "-h127.0.0.1",
                    "-uroot",
                    "-NBe",
                    "SELECT count(*) FROM information_schema.processlist WHERE info LIKE 'DO SLEEP(30)%'",
                ])
                .output(),
            _ => Command::new("true").output(),
        };
        let running = String::from_utf8(running.unwrap().stdout).unwrap();
        assert!(matches!(running.trim(), "0" | ""), "{context}: the statement still runs on the server: {running}");
        // The lock is free and nothing of 0002 stayed: the next run, with 0002 made quick, applies it.
        write(&folder, &[("0002_slow.sql", "INSERT INTO a VALUES (1);\n")]);
        let started = std::time::Instant::now();
        let again = strata(dir.path(), &args);
        assert_eq!(again.code, 0, "{context}: {}", again.stderr);
        assert!(again.stdout.contains("applied 0002_slow"), "{context}: {}", again.stdout);
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "{context}: the lock was free");
        if dialect != "sqlite" {
            drop_database(&url, dialect, &format!("strata_cli_cancel_{}", std::process::id()));
        }
    }
}

/// A second `up` while the first holds the lock says what it waits for and who holds it.
#[test]
fn up_says_who_holds_the_lock_it_waits_for() {
    let Ok(url) = std::env::var("STRATA_TEST_POSTGRES_URL") else {
        eprintln!("skipped: because STRATA_TEST_POSTGRES_URL is not set");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let name = format!("strata_cli_wait_{}", std::process::id());
    let url = scratch_database(&url, "postgres", &name);
    write(dir.path(), &[("migrations/0001_slow.sql", "SELECT pg_sleep(2.5);\n")]);
    let args = ["up", "--db", url.as_str()];
    let first = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let second = strata(dir.path(), &args);
    let mut first = first;
    assert!(first.wait().unwrap().success());
    assert_eq!(second.code, 0, "{}", second.stderr);
    let waiting =
        second.stdout.lines().find(|line| line.starts_with("waiting ")).unwrap_or_else(|| panic!("{}", second.stdout));
    assert!(waiting.contains(" for PostgreSQL advisory lock "), "{waiting}");
    assert!(waiting.contains(", held by backend "), "{waiting}");
    assert!(waiting.contains("running `SELECT pg_sleep(2.5)` for "), "{waiting}");
    assert!(second.stdout.ends_with("nothing to do: 1 migration already applied\n"), "{}", second.stdout);
    drop_database(&url, "postgres", &name);
}
