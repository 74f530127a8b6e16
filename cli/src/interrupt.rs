//! Ctrl-C and SIGTERM during a run: the statement in flight is cancelled on the server, the
//! migration rolled back, the lock released, and the command exits 130 saying how far it got.

use crate::database::Database;
use mysql::prelude::Queryable;
use strata_runtime::{Cancel, Interrupt};

/// A cancel handle that the first Ctrl-C or SIGTERM fires; a second one exits at once.
pub fn cancel_on_signals(db: &Database, url: &str) -> Cancel {
    let cancel = match db {
        // The driver cannot open a second connection by itself: `KILL QUERY` needs one.
        Database::Mysql(conn) => match mysql::Opts::from_url(&url.replacen("mariadb://", "mysql://", 1)) {
            Ok(opts) => Cancel::new().with_interrupt(kill_query(opts, conn.connection_id())),
            Err(_) => Cancel::new(),
        },
        Database::Sqlite(_) | Database::Postgres(_) => Cancel::new(),
    };
    let handler = cancel.clone();
    // Fails only when a handler is set already, and then that one decides.
    let _ = ctrlc::set_handler(move || {
        if handler.is_cancelled() {
            std::process::exit(130);
        }
        eprintln!("interrupting: cancelling the statement in flight (again to quit at once)");
        handler.cancel();
    });
    cancel
}

/// `KILL QUERY` of connection `id`, sent on a connection of its own.
fn kill_query(opts: mysql::Opts, id: u32) -> Interrupt {
    Interrupt::new(move || {
        if let Ok(mut conn) = mysql::Conn::new(opts.clone()) {
            let _ = conn.query_drop(format!("KILL QUERY {id}"));
        }
    })
}
