// The statements that cannot run inside a migration's transaction are found by reading them,
// not by the SQLite dry run: they are refused in every dialect, with the dry run off too.
static POSTGRES: strata::Migrations =
    strata::embed_migrations!("ui-tests/fixtures/statement-rules-without-dry-run", dialect = "postgres");
static NO_DRY_RUN: strata::Migrations =
    strata::embed_migrations!("ui-tests/fixtures/statement-rules-without-dry-run", dry_run = false);

fn main() {
    let _ = (&POSTGRES, &NO_DRY_RUN);
}
