//! The expansion works in `static`, `const` and `let`, with every option given.
static IN_STATIC: strata::Migrations = strata::embed_migrations!("migrations");
const IN_CONST: strata::Migrations = strata::embed_migrations!(
    "migrations",
    dialect = "sqlite",
    dry_run = true,
    verify_down = true,
);

fn main() {
    let in_let = strata::embed_migrations!("migrations");
    assert_eq!(IN_STATIC, IN_CONST);
    assert_eq!(IN_STATIC, in_let);
    assert!(!in_let.is_empty());
}
