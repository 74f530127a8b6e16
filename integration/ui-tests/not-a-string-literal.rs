static MIGRATIONS: strata::Migrations = strata::embed_migrations!(migrations);

fn main() {
    let _ = &MIGRATIONS;
}
