//! New files in the folders the tests, examples and doc tests embed rebuild them.

fn main() {
    // The link, which `embed_migrations!("migrations")` checks is watched, and the folder it leads
    // to, whose files cargo scans.
    strata::build::watch("migrations");
    strata::build::watch("../migrations");
    strata::build::watch("examples/migrations-postgres");
    strata::build::watch("examples/migrations-mysql");
    strata::build::watch("ui-tests/fixtures");
}
