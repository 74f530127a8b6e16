//! sqlx's own runner (`sqlx::migrate::Migrator`, which stores each file's SHA-384 and whether
//! it succeeded) on SQLite, PostgreSQL and MariaDB, then strata.

use crate::common::{Kind, Scratch, copy_of, edited, fixture, on_each_database, refuses, takes_over};
use sqlx::Connection as _;
use sqlx::migrate::{MigrateError, Migrator};
use std::path::Path;
use std::str::FromStr as _;
use strata::From;

/// sqlx applies the tables and the seed rows; strata the email column and the tags.
const APPLIED: usize = 3;

/// Runs sqlx's migrator on `folder` against `db`, as an application's `sqlx::migrate!` would.
fn sqlx_runs(db: &Scratch, folder: &Path) -> Result<(), MigrateError> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let migrator = Migrator::new(folder).await?;
        match db.kind {
            Kind::Sqlite => {
                let options =
                    sqlx::sqlite::SqliteConnectOptions::new().filename(db.sqlite_path()).create_if_missing(true);
                let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
                migrator.run(&mut conn).await?;
                conn.close().await?;
            }
            Kind::Postgres => {
                let options = sqlx::postgres::PgConnectOptions::from_str(db.base_url())?;
                let mut conn = sqlx::PgConnection::connect_with(&options.options([("search_path", &db.name)])).await?;
                migrator.run(&mut conn).await?;
                conn.close().await?;
            }
            Kind::Mariadb => {
                let mut conn = sqlx::MySqlConnection::connect(&db.mysql_url()).await?;
                migrator.run(&mut conn).await?;
                conn.close().await?;
            }
        }
        Ok(())
    })
}

fn gap_refusal(id: &str) -> String {
    format!(
        "{id}: sqlx did not apply it, but it applied later ones: only a set's first migrations are taken over, unless out-of-order runs are allowed"
    )
}

on_each_database! {
    fn its_history_is_taken_over_and_the_rest_applied(kind) {
        let Some(db) = Scratch::new(kind, "sqlx") else { return };
        let folder = fixture("sqlx");
        // sqlx has no target: its folder held only the first migrations when it ran.
        let first = copy_of(&folder, |position| position < APPLIED, None);
        sqlx_runs(&db, first.path()).unwrap();
        takes_over(&db, &folder, From::Sqlx, APPLIED);
    }

    /// sqlx's reversible layout: each migration an `.up.sql` (whose bytes sqlx hashes) and a
    /// `.down.sql`.
    fn its_reversible_history_is_taken_over_and_the_rest_applied(kind) {
        let Some(db) = Scratch::new(kind, "sqlx_reversible") else { return };
        let folder = fixture("sqlx_reversible");
        let first = copy_of(&folder, |position| position < APPLIED, None);
        sqlx_runs(&db, first.path()).unwrap();
        takes_over(&db, &folder, From::Sqlx, APPLIED);
    }

    /// The file sqlx applied with CRLF line endings, one byte changed: its SHA-384 differs.
    fn a_file_edited_after_it_ran_is_refused(kind) {
        let Some(db) = Scratch::new(kind, "sqlx_edit") else { return };
        let folder = fixture("sqlx");
        sqlx_runs(&db, copy_of(&folder, |position| position < APPLIED, None).path()).unwrap();
        let edited = edited(&folder, 1);
        let expected = "20240102000000: sqlx's checksum is not the file's: `20240102000000_create_posts.sql` was edited (or its line endings changed) after sqlx applied it; `force` it once you have checked it";
        refuses(&db, edited.path(), From::Sqlx, &[expected.to_owned()]);
    }

    /// On MariaDB, sqlx records a migration as failed when it fails after a statement that
    /// commits implicitly (its `ALTER TABLE`). On SQLite and PostgreSQL the failure rolls the
    /// row back with the migration, so there the row is marked failed by hand.
    fn a_failed_row_is_refused(kind) {
        let Some(db) = Scratch::new(kind, "sqlx_failed") else { return };
        let folder = fixture("sqlx");
        let first = copy_of(&folder, |position| position < APPLIED, None);
        let with_broken = copy_of(&folder, |position| position < APPLIED, Some(&fixture("broken/sqlx")));
        if kind != Kind::Mariadb {
            sqlx_runs(&db, first.path()).unwrap();
        }
        let failed = sqlx_runs(&db, with_broken.path()).unwrap_err();
        assert!(matches!(failed, MigrateError::ExecuteMigration(_, 20240104000000)), "{failed}");
        let success = db.strata().query("SELECT version, success FROM _sqlx_migrations ORDER BY version");
        let (expected, folder) = match kind {
            Kind::Mariadb => {
                assert_eq!(success.last().unwrap(), "20240104000000|0", "sqlx left the failed row");
                ("20240104000000: failed in sqlx", with_broken.path())
            }
            _ => {
                assert_eq!(success.len(), APPLIED, "sqlx rolled the failed migration's row back");
                db.strata().execute("UPDATE _sqlx_migrations SET success = FALSE WHERE version = 20240103000000");
                ("20240103000000: failed in sqlx", first.path())
            }
        };
        refuses(&db, folder, From::Sqlx, &[expected.to_owned()]);
    }

    /// sqlx applied a hotfix from a branch that was never merged: strata's folder lacks it.
    fn a_row_unknown_to_the_folder_is_refused(kind) {
        let Some(db) = Scratch::new(kind, "sqlx_unknown") else { return };
        let folder = fixture("sqlx");
        let with_hotfix = copy_of(&folder, |position| position < APPLIED, Some(&fixture("hotfix/sqlx")));
        sqlx_runs(&db, with_hotfix.path()).unwrap();
        refuses(&db, &folder, From::Sqlx, &["20240103120000: no migration of this set has that version".to_owned()]);
    }

    /// The seed migration reached sqlx's folder only after the later one ran.
    fn a_gap_is_refused(kind) {
        let Some(db) = Scratch::new(kind, "sqlx_gap") else { return };
        let folder = fixture("sqlx");
        let without_seed = copy_of(&folder, |position| position != 2 && position <= APPLIED, None);
        sqlx_runs(&db, without_seed.path()).unwrap();
        refuses(&db, &folder, From::Sqlx, &[gap_refusal("20240103000000_seed_users_and_posts")]);
    }
}
