static MIGRATIONS: strata::Migrations = strata::embed_migrations!();

fn main() {
    let _ = &MIGRATIONS;
}
