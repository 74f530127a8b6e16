//! The real dbmate binary (`npm install dbmate` ships it; `STRATA_DBMATE` is its path) on
//! SQLite, PostgreSQL and MariaDB, then strata. dbmate stores the versions it ran, and its
//! one-file migrations (`-- migrate:up`, `-- migrate:down`) are read unchanged.

use crate::common::{Kind, Scratch, copy_of, fixture, on_each_database, refuses, takes_over};
use std::path::{Path, PathBuf};
use std::process::Command;
use strata::From;

/// dbmate applies the tables and the seed rows; strata the email column and the tags.
const APPLIED: usize = 3;

/// The dbmate binary, or `None` (and "skipped" printed) when `STRATA_DBMATE` is not set.
fn dbmate() -> Option<PathBuf> {
    let binary = std::env::var_os("STRATA_DBMATE").map(PathBuf::from);
    if binary.is_none() {
        println!("skipped: STRATA_DBMATE is not set");
    }
    binary
}

/// `dbmate up` on `folder` against `db`.
fn dbmate_runs(dbmate: &Path, db: &Scratch, folder: &Path) {
    let url = match db.kind {
        Kind::Sqlite => format!("sqlite:{}", db.sqlite_path().display()),
        Kind::Postgres => {
            let separator = if db.base_url().contains('?') { '&' } else { '?' };
            format!("{}{separator}sslmode=disable&search_path={}", db.base_url(), db.name)
        }
        Kind::Mariadb => db.mysql_url(),
    };
    let output = Command::new(dbmate)
        .args(["--url", &url, "--migrations-dir"])
        .arg(folder)
        .args(["--no-dump-schema", "up"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "dbmate up failed: {said}");
}

on_each_database! {
    fn its_history_is_taken_over_and_the_rest_applied(kind) {
        let Some(dbmate) = dbmate() else { return };
        let Some(db) = Scratch::new(kind, "dbmate") else { return };
        let folder = fixture("dbmate");
        // `dbmate up` has no target: its folder held only the first migrations when it ran.
        dbmate_runs(&dbmate, &db, copy_of(&folder, |position| position < APPLIED, None).path());
        takes_over(&db, &folder, From::Dbmate, APPLIED);
    }

    /// dbmate applied a hotfix from a branch that was never merged: strata's folder lacks it.
    fn a_row_unknown_to_the_folder_is_refused(kind) {
        let Some(dbmate) = dbmate() else { return };
        let Some(db) = Scratch::new(kind, "dbmate_unknown") else { return };
        let folder = fixture("dbmate");
        let with_hotfix = copy_of(&folder, |position| position < APPLIED, Some(&fixture("hotfix/dbmate")));
        dbmate_runs(&dbmate, &db, with_hotfix.path());
        refuses(&db, &folder, From::Dbmate, &["20240103120000: no migration of this set has that version".to_owned()]);
    }

    /// The seed migration reached dbmate's folder only after the later one ran.
    fn a_gap_is_refused(kind) {
        let Some(dbmate) = dbmate() else { return };
        let Some(db) = Scratch::new(kind, "dbmate_gap") else { return };
        let folder = fixture("dbmate");
        let without_seed = copy_of(&folder, |position| position != 2 && position <= APPLIED, None);
        dbmate_runs(&dbmate, &db, without_seed.path());
        let expected = "20240103000000_seed_users_and_posts: dbmate did not apply it, but it applied later ones: only a set's first migrations are taken over, unless out-of-order runs are allowed";
        refuses(&db, &folder, From::Dbmate, &[expected.to_owned()]);
    }
}
