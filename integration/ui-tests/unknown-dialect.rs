static MIGRATIONS: strata::Migrations = strata::embed_migrations!("migrations", dialect = "oracle");

fn main() {
    let _ = &MIGRATIONS;
}
