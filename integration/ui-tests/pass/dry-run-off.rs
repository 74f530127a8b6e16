//! `dry_run = false` builds a folder whose SQL needs what the build machine lacks; `verify_down =
//! false` accepts imperfect old down scripts; `-- strata:no-dry-run` skips one file and the
//! later ones' semantics.
static WITHOUT_DRY_RUN: strata::Migrations =
    strata::embed_migrations!("ui-tests/fixtures/dry-run-missing-table", dry_run = false);
static WITHOUT_DOWN_CHECK: strata::Migrations =
    strata::embed_migrations!("ui-tests/fixtures/dry-run-down-leaves-table", verify_down = false);
static SKIPPING_ONE_FILE: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-no-dry-run");

fn main() {
    assert_eq!(WITHOUT_DRY_RUN.len(), 2);
    assert_eq!(WITHOUT_DOWN_CHECK.len(), 2);
    assert_eq!(SKIPPING_ONE_FILE.len(), 2);
}
