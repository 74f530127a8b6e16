//! refinery's own runner (`refinery::Runner` on its sync drivers, which stores each file's
//! SipHash of name, version and SQL) on SQLite, PostgreSQL and MariaDB, then strata.
//!
//! refinery writes its row in the migration's transaction, and on MariaDB after the migration:
//! it never leaves a failed row, and its table has no column for one.

use crate::common::{Kind, Scratch, copy_of, edited, fixture, on_each_database, refuses, takes_over};
use refinery::{Runner, Target};
use std::path::Path;
use strata::From;

/// refinery applies the tables and the seed rows; strata the email column and the tags.
const APPLIED: usize = 3;

/// Runs refinery's migrations from `folder` against `db`, up to `target`.
fn refinery_runs(db: &Scratch, folder: &Path, target: Target) {
    let migrations = refinery::load_sql_migrations(folder).unwrap();
    let runner = Runner::new(&migrations).set_target(target);
    let report = match db.kind {
        Kind::Sqlite => runner.run(&mut db.sqlite()),
        Kind::Postgres => runner.run(&mut db.postgres()),
        Kind::Mariadb => runner.run(&mut db.mysql()),
    };
    assert!(!report.unwrap().applied_migrations().is_empty(), "refinery ran something");
}

on_each_database! {
    fn its_history_is_taken_over_and_the_rest_applied(kind) {
        let Some(db) = Scratch::new(kind, "refinery") else { return };
        let folder = fixture("refinery");
        refinery_runs(&db, &folder, Target::Version(APPLIED as refinery::SchemaVersion));
        takes_over(&db, &folder, From::Refinery, APPLIED);
    }

    /// The file refinery applied with CRLF line endings, one byte changed: its SipHash differs.
    fn a_file_edited_after_it_ran_is_refused(kind) {
        let Some(db) = Scratch::new(kind, "refinery_edit") else { return };
        let folder = fixture("refinery");
        refinery_runs(&db, &folder, Target::Version(APPLIED as refinery::SchemaVersion));
        let edited = edited(&folder, 1);
        let expected = "2: refinery's checksum is not the file's: `V2__create_posts.sql` was edited (or its line endings changed) after refinery applied it; `force` it once you have checked it";
        refuses(&db, edited.path(), From::Refinery, &[expected.to_owned()]);
    }

    /// refinery applied a hotfix from a branch that was never merged: strata's folder lacks it.
    fn a_row_unknown_to_the_folder_is_refused(kind) {
        let Some(db) = Scratch::new(kind, "refinery_unknown") else { return };
        let folder = fixture("refinery");
        let with_hotfix = copy_of(&folder, |position| position < APPLIED, Some(&fixture("hotfix/refinery")));
        refinery_runs(&db, with_hotfix.path(), Target::Latest);
        refuses(&db, &folder, From::Refinery, &["9: no migration of this set has that version".to_owned()]);
    }

    /// The seed migration reached refinery's folder only after the later one ran (refinery
    /// itself would then refuse it as missing, unless `set_abort_missing(false)`).
    fn a_gap_is_refused(kind) {
        let Some(db) = Scratch::new(kind, "refinery_gap") else { return };
        let folder = fixture("refinery");
        let without_seed = copy_of(&folder, |position| position != 2 && position <= APPLIED, None);
        refinery_runs(&db, without_seed.path(), Target::Latest);
        let expected = "V3__seed_users_and_posts: refinery did not apply it, but it applied later ones: only a set's first migrations are taken over, unless out-of-order runs are allowed";
        refuses(&db, &folder, From::Refinery, &[expected.to_owned()]);
    }
}
