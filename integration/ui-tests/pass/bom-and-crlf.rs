//! A BOM is stripped, CRLF and CR are line breaks: lines and checksums are those of the LF copy.
static MIGRATIONS: strata::Migrations = strata::embed_migrations!("ui-tests/fixtures/pass-bom-crlf");

fn main() {
    let first = &MIGRATIONS[0];
    let statements = first.up().statements();
    assert_eq!(statements[0].sql(), "CREATE TABLE a(\n  x INTEGER\n)");
    assert_eq!((statements[1].line(), statements[1].column()), (4, 1));
    // The same text with LF line endings and no BOM.
    assert_eq!(
        first.checksum(),
        strata_core::checksum("CREATE TABLE a(\n  x INTEGER\n);\nINSERT INTO a VALUES (1);\n")
    );
    let old_mac = &MIGRATIONS[1].up().statements()[1];
    assert_eq!((old_mac.sql(), old_mac.line()), ("CREATE TABLE c(x)", 2));
}
