static MIGRATIONS: strata::Migrations = strata::embed_migrations!("migrations", verify = false);

fn main() {
    let _ = &MIGRATIONS;
}
