//! diesel's own runner (`diesel_migrations::FileBasedMigrations` through `MigrationHarness`,
//! which stores the versions it ran) on SQLite, PostgreSQL and MariaDB, then strata.
//!
//! diesel keeps no checksum and writes its row only when the migration succeeded, so an edited
//! file and a failed row are not diesel's cases: it cannot tell, and it never leaves one.

use crate::common::{Kind, Scratch, copy_of, fixture, load, on_each_database, refuses, takes_over};
use diesel::Connection as _;
use diesel::backend::Backend;
use diesel_migrations::{FileBasedMigrations, MigrationHarness};
use std::path::Path;
use strata::From;

/// diesel applies the tables and the seed rows; strata the email column and the tags.
const APPLIED: usize = 3;

/// Runs diesel's migrations from `folder` against `db`: `steps` of them, or all pending.
fn diesel_runs(db: &Scratch, folder: &Path, steps: Option<usize>) {
    let migrations = FileBasedMigrations::from_path(folder).unwrap();
    match db.kind {
        Kind::Sqlite => {
            let path = db.sqlite_path();
            run(&mut diesel::SqliteConnection::establish(path.to_str().unwrap()).unwrap(), migrations, steps);
        }
        Kind::Postgres => run(&mut diesel::PgConnection::establish(&db.postgres_url()).unwrap(), migrations, steps),
        Kind::Mariadb => run(&mut diesel::MysqlConnection::establish(&db.mysql_url()).unwrap(), migrations, steps),
    }
}

fn run<DB: Backend>(conn: &mut impl MigrationHarness<DB>, migrations: FileBasedMigrations, steps: Option<usize>) {
    match steps {
        Some(steps) => {
            for _ in 0..steps {
                conn.run_next_migration(migrations.clone()).unwrap();
            }
        }
        None => {
            conn.run_pending_migrations(migrations).unwrap();
        }
    }
}

/// strata through the connection a diesel application holds: adopts, applies the rest, and then
/// has nothing to do. Returns how many migrations it adopted and applied.
fn through_diesel<D: strata::Driver + Send>(conn: &mut D, migrations: &strata::Migrations) -> (usize, usize) {
    let migrator = migrations.migrator();
    let adopted = migrator.adopt(&mut *conn, From::Diesel).unwrap().adopted.len();
    let applied = migrator.apply(&mut *conn).unwrap().ran.len();
    assert!(migrator.apply(&mut *conn).unwrap().up_to_date, "then the no-op");
    (adopted, applied)
}

on_each_database! {
    /// The application keeps its diesel connection (strata's `diesel-*` features): no second
    /// client to open.
    fn its_history_is_taken_over_through_diesel_s_own_connection(kind) {
        let Some(db) = Scratch::new(kind, "diesel_conn") else { return };
        let folder = fixture("diesel");
        diesel_runs(&db, &folder, Some(APPLIED));
        let migrations = load(&folder, kind);
        let counts = match kind {
            Kind::Sqlite => {
                let path = db.sqlite_path();
                through_diesel(&mut diesel::SqliteConnection::establish(path.to_str().unwrap()).unwrap(), &migrations)
            }
            Kind::Postgres => through_diesel(&mut diesel::PgConnection::establish(&db.postgres_url()).unwrap(), &migrations),
            Kind::Mariadb => through_diesel(&mut diesel::MysqlConnection::establish(&db.mysql_url()).unwrap(), &migrations),
        };
        assert_eq!(counts, (APPLIED, migrations.len() - APPLIED));
        let alone_db = db.sibling("alone");
        let mut alone = alone_db.strata();
        alone.apply(&migrations).unwrap();
        assert_eq!(db.strata().snapshot(), alone.snapshot(), "the same schema and rows as strata alone");
    }

    fn its_history_is_taken_over_and_the_rest_applied(kind) {
        let Some(db) = Scratch::new(kind, "diesel") else { return };
        let folder = fixture("diesel");
        diesel_runs(&db, &folder, Some(APPLIED));
        takes_over(&db, &folder, From::Diesel, APPLIED);
    }

    /// diesel applied a hotfix from a branch that was never merged: strata's folder lacks it.
    fn a_row_unknown_to_the_folder_is_refused(kind) {
        let Some(db) = Scratch::new(kind, "diesel_unknown") else { return };
        let folder = fixture("diesel");
        let with_hotfix = copy_of(&folder, |position| position < APPLIED, Some(&fixture("hotfix/diesel")));
        diesel_runs(&db, with_hotfix.path(), None);
        refuses(&db, &folder, From::Diesel, &["20240103120000: no migration of this set has that version".to_owned()]);
    }

    /// The seed migration reached diesel's folder only after the later one ran.
    fn a_gap_is_refused(kind) {
        let Some(db) = Scratch::new(kind, "diesel_gap") else { return };
        let folder = fixture("diesel");
        let without_seed = copy_of(&folder, |position| position != 2 && position <= APPLIED, None);
        diesel_runs(&db, without_seed.path(), None);
        let expected = "2024-01-03-000000_seed_users_and_posts: diesel did not apply it, but it applied later ones: only a set's first migrations are taken over, unless out-of-order runs are allowed";
        refuses(&db, &folder, From::Diesel, &[expected.to_owned()]);
    }
}
