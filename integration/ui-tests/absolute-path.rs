static MIGRATIONS: strata::Migrations = strata::embed_migrations!("/srv/app/migrations");

fn main() {
    let _ = &MIGRATIONS;
}
