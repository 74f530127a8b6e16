//! What `embed_migrations!` puts in the binary is exactly what strata-core loads from the same
//! folder at run time, field by field, for every layout (flat, folders, numbered folders,
//! prefixed, refinery's unversioned `U`, dbmate's and goose's one-file scripts) and every
//! dialect's splitting rules.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test panics

use std::path::Path;
use strata::Migrations;
use strata_core::{LoadOptions, MigrationSet};

static FLAT: Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-flat");
static FOLDER: Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-folder");
static PREFIXED: Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-prefixed");
static BOM_CRLF: Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-bom-crlf");
static DEPENDENCIES: Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-depends-on-higher");
static SAMPLE: Migrations = strata::embed_migrations!("migrations");
static NUMBERED: Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-numbered-folder");
static REFINERY: Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-refinery-unversioned");
static DBMATE: Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-dbmate");
static GOOSE: Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-goose");
static GOLANG_MIGRATE: Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-golang-migrate");
static POSTGRES: Migrations = strata::embed_migrations!("examples/migrations-postgres", dialect = "postgres");
static POSTGRES_BODIES: Migrations =
    strata::embed_migrations!("ui-tests/fixtures/pass-postgres-begin-atomic", dialect = "postgres");
static MYSQL: Migrations = strata::embed_migrations!("examples/migrations-mysql", dialect = "mysql");
static MYSQL_PROGRAMS: Migrations =
    strata::embed_migrations!("ui-tests/fixtures/pass-mysql-stored-programs", dialect = "mysql");

fn load(folder: &str, options: &LoadOptions) -> MigrationSet {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    strata_core::load_dir(&path, folder, options).unwrap_or_else(|problems| panic!("{problems}"))
}

fn assert_same(embedded: &Migrations, folder: &str) {
    let options = LoadOptions { dialect: embedded.dialect(), ..LoadOptions::default() };
    let loaded = load(folder, &options);
    assert!(!loaded.migrations.is_empty(), "{folder}: a fixture with migrations");
    assert_eq!(embedded.digest(), loaded.digest, "{folder}: set digest");
    assert_eq!(embedded.len(), loaded.migrations.len(), "{folder}: count");
    for (migration, def) in embedded.iter().zip(&loaded.migrations) {
        let at = format!("{folder}: {}", def.id);
        assert_eq!(migration.id(), def.id, "{at}: id");
        assert_eq!(migration.version(), def.version.number, "{at}: version");
        assert_eq!(migration.name(), def.name, "{at}: name");
        assert_eq!(migration.checksum(), def.checksum, "{at}: checksum");
        assert_eq!(migration.depends_on(), def.depends_on.as_slice(), "{at}: depends_on");
        assert_eq!(migration.flags(), def.flags, "{at}: flags");
        assert_eq!(migration.kind(), def.kind, "{at}: kind");
        assert_same_script(migration.up(), &def.up, &at);
        match (migration.down(), &def.down) {
            (Some(embedded), Some(loaded)) => assert_same_script(embedded, loaded, &at),
            (None, None) => {}
            (embedded, loaded) => panic!("{at}: down script {embedded:?} vs {loaded:?}"),
        }
    }
    // The run-time loader of the facade gives the same value as the macro.
    let from_dir = Migrations::from_dir_with(Path::new(env!("CARGO_MANIFEST_DIR")).join(folder), &options).unwrap();
    assert_eq!(&from_dir, embedded, "{folder}: Migrations::from_dir");
}

fn assert_same_script(embedded: &strata::Script, loaded: &strata_core::ScriptFile, at: &str) {
    assert_eq!(embedded.file(), loaded.file, "{at}: file");
    // One statement type for both: what the lexer split is what the macro embedded.
    assert_eq!(embedded.statements(), loaded.statements.as_slice(), "{at}: statements");
}

#[test]
fn dbmate_and_goose_files() {
    assert_same(&DBMATE, "ui-tests/fixtures/pass-dbmate");
    assert_same(&GOOSE, "ui-tests/fixtures/pass-goose");
    assert!(DBMATE[1].no_transaction() && GOOSE[1].no_transaction() && !GOOSE[0].no_transaction());
    let trigger = &GOOSE[0].up().statements()[1];
    assert_eq!((trigger.line(), trigger.sql().lines().count()), (5, 3), "the block is one statement, at its line");
    assert_eq!(GOOSE[0].down().map(|down| down.file()), Some("00001_create_posts.sql"));
}

#[test]
fn golang_migrate_files_are_the_flat_layout() {
    assert_same(&GOLANG_MIGRATE, "ui-tests/fixtures/pass-golang-migrate");
    let ids: Vec<(&str, &str)> = GOLANG_MIGRATE.iter().map(|m| (m.id(), m.written_version())).collect();
    assert_eq!(ids, [("000001_create_users_table", "000001"), ("000002_add_email", "000002")]);
    assert!(GOLANG_MIGRATE.iter().all(|m| m.down().is_some()));
}

#[test]
fn flat_layout() {
    assert_same(&FLAT, "ui-tests/fixtures/pass-flat");
}

#[test]
fn folder_layout() {
    assert_same(&FOLDER, "ui-tests/fixtures/pass-folder");
}

#[test]
fn prefixed_layout() {
    assert_same(&PREFIXED, "ui-tests/fixtures/pass-prefixed");
}

#[test]
fn bom_and_crlf() {
    assert_same(&BOM_CRLF, "ui-tests/fixtures/pass-bom-crlf");
}

#[test]
fn dependencies() {
    assert_same(&DEPENDENCIES, "ui-tests/fixtures/pass-depends-on-higher");
}

#[test]
fn sample_migrations() {
    assert_same(&SAMPLE, "migrations");
}

#[test]
fn numbered_folders() {
    assert_same(&NUMBERED, "ui-tests/fixtures/pass-numbered-folder");
}

#[test]
fn refinery_unversioned() {
    assert_same(&REFINERY, "ui-tests/fixtures/pass-refinery-unversioned");
    assert!(REFINERY.iter().any(|migration| migration.any_order()), "the fixture has a `U` migration");
}

#[test]
fn postgres_splitting() {
    assert_same(&POSTGRES, "examples/migrations-postgres");
    assert_same(&POSTGRES_BODIES, "ui-tests/fixtures/pass-postgres-begin-atomic");
}

#[test]
fn mysql_splitting() {
    assert_same(&MYSQL, "examples/migrations-mysql");
    assert_same(&MYSQL_PROGRAMS, "ui-tests/fixtures/pass-mysql-stored-programs");
}

/// The variables `strata::build::watch` rebuilds on are the ones the macro reads.
#[test]
fn the_build_script_watches_the_dry_run_s_server_variables() {
    let read: Vec<&str> = [strata_core::Dialect::Postgres, strata_core::Dialect::Mysql]
        .into_iter()
        .filter_map(strata_core::dry_run::server_variable)
        .collect();
    assert_eq!(strata::build::DRY_RUN_SERVER_VARIABLES.to_vec(), read);
}
