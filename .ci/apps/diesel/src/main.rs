//! A diesel application that migrates its SQLite database with strata, through its own
//! connection, then goes on with diesel.

use diesel::prelude::*;

static MIGRATIONS: strata::Migrations = strata::embed_migrations!("migrations");

// The table the migrations create, as the application declares it to diesel.
diesel::table! {
    users (id) {
        id -> Integer,
        email -> Text,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or(concat!("usage: ", env!("CARGO_PKG_NAME"), " <database file>"))?;
    let mut conn = SqliteConnection::establish(&path)?;

    let report = MIGRATIONS.migrator().apply(&mut conn)?;
    print!("{report}");
    if report.up_to_date {
        println!("up to date: nothing was pending");
    }

    // The same connection, back in diesel's hands, reads what strata's migrations wrote.
    let emails: Vec<String> = users::table.select(users::email).order(users::id).load(&mut conn)?;
    let sqlite: String =
        diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>("sqlite_version()")).get_result(&mut conn)?;
    println!("diesel reads users: {}", emails.join(", "));
    println!("SQLite {sqlite} through diesel");
    Ok(())
}
