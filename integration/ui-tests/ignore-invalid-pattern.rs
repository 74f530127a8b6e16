static MIGRATIONS: strata::Migrations = strata::embed_migrations!("migrations", ignore = ["data_[.sql"]);

fn main() {
    let _ = &MIGRATIONS;
}
