//! The command line, as clap reads it.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Create, check, inspect and apply strata migrations.
#[derive(Debug, Parser)]
#[command(
    name = "strata",
    version,
    after_help = "Exit status: 0 when all is well, 1 when problems were found (a bad folder, a refused or failed \
                  migration, a failed check), 2 for a usage or connection error."
)]
pub struct Cli {
    #[command(flatten)]
    pub folder: FolderArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Where the migrations are and how to read them: the macro's options.
#[derive(Debug, Args)]
pub struct FolderArgs {
    /// The migrations folder.
    #[arg(long, global = true, default_value = "migrations", value_name = "DIR")]
    pub dir: PathBuf,
    /// How scripts are split: `sqlite`, `postgres` or `mysql` (default: the database's, else sqlite).
    #[arg(long, global = true, value_name = "DIALECT")]
    pub dialect: Option<String>,
    /// SQL files in the folder that are not migrations (a glob such as `data_*.sql`; repeatable).
    #[arg(long, global = true, value_name = "GLOB")]
    pub ignore: Vec<String>,
}

/// The database to work on.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// `sqlite:path/app.db` (or a bare path), `postgres://…` or `mysql://…`.
    #[arg(long, env = "DATABASE_URL", value_name = "URL")]
    pub db: String,
    /// The tracking table, optionally with its schema.
    #[arg(long, default_value = "strata_migrations", value_name = "TABLE")]
    pub table: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Creates the next migration in the folder's own layout and numbering.
    New {
        /// What it does, in snake case: `add_orders`.
        name: String,
        /// Also create its down script.
        #[arg(long)]
        reversible: bool,
        /// Mark it `strata:no-transaction`.
        #[arg(long)]
        no_transaction: bool,
        /// Number it one after the last, whatever the folder uses.
        #[arg(long, conflicts_with = "timestamp")]
        sequential: bool,
        /// Number it with the UTC time, whatever the folder uses.
        #[arg(long)]
        timestamp: bool,
    },
    /// Runs the macro's checks on the folder and prints every problem.
    Check {
        /// Skip the dry run (SQLite's in memory, or a server's with `--db`).
        #[arg(long)]
        no_dry_run: bool,
        /// Skip the check that down scripts undo their up scripts.
        #[arg(long)]
        no_verify_down: bool,
        /// Print the problems as JSON.
        #[arg(long)]
        json: bool,
        /// The database the folder is for: its URL says how to read the folder when `--dialect`
        /// is not given (a `postgres://…` one as PostgreSQL's), and a PostgreSQL or MySQL one is
        /// where the dry run runs, in a scratch database it creates and drops. A SQLite one is not
        /// opened.
        #[arg(long, env = "DATABASE_URL", value_name = "URL")]
        db: Option<String>,
    },
    /// Where each migration stands in the database.
    Status {
        #[command(flatten)]
        db: DbArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// What `up` (or `down` with `--down`) would run, with its SQL; changes nothing.
    Plan {
        #[command(flatten)]
        db: DbArgs,
        /// Up to and including this migration (a version or a name).
        #[arg(long, value_name = "MIGRATION")]
        to: Option<String>,
        /// Plan the rollback to `--to` instead.
        #[arg(long, requires = "to")]
        down: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Applies the pending migrations.
    Up {
        #[command(flatten)]
        db: DbArgs,
        /// Up to and including this migration (a version or a name).
        #[arg(long, value_name = "MIGRATION")]
        to: Option<String>,
    },
    /// Rolls back the migrations after `--to` (or every one with `--all`).
    #[command(group(clap::ArgGroup::new("how_far").required(true).args(["to", "all"])))]
    Down {
        #[command(flatten)]
        db: DbArgs,
        /// The migration to keep (a version or a name).
        #[arg(long, value_name = "MIGRATION")]
        to: Option<String>,
        /// Roll back every migration.
        #[arg(long)]
        all: bool,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
    /// Checks the database against the folder: dirty rows, edits, newer migrations, order.
    Verify {
        #[command(flatten)]
        db: DbArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Accepts edited checksums and clears dirty rows.
    Repair {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Records the migrations up to this one as applied without running them.
    Baseline {
        #[command(flatten)]
        db: DbArgs,
        /// The last migration the database already has (a version or a name).
        migration: String,
    },
    /// Takes over another tool's history: its rows become strata's, its table stays as it was.
    Adopt {
        #[command(flatten)]
        db: DbArgs,
        /// The tool whose history to take over.
        #[arg(long, value_enum)]
        from: Tool,
        /// The tool's table, when its configuration renamed it (beside strata's table).
        #[arg(long, value_name = "TABLE")]
        from_table: Option<String>,
        /// A row to accept although it is refused (a version as the tool stores it, or a
        /// migration's name): a failed or dirty row, or one whose checksum differs, is recorded
        /// as applied; a row of no migration is left out. Repeat for each row.
        #[arg(long, value_name = "ROW")]
        force: Vec<String>,
    },
    /// The dependency graph, in application order.
    Graph {
        /// How to print it.
        #[arg(long, value_enum, default_value_t = GraphFormat::Text)]
        format: GraphFormat,
        /// Mark the migrations this database has applied.
        #[arg(long, value_name = "URL")]
        db: Option<String>,
        /// The tracking table, optionally with its schema.
        #[arg(long, default_value = "strata_migrations", value_name = "TABLE")]
        table: String,
    },
    /// Writes `strata.lock`, which pins the released migrations' checksums.
    Lock,
}

/// A tool whose history `adopt` takes over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Tool {
    Sqlx,
    Diesel,
    Refinery,
    #[value(name = "rusqlite_migration")]
    RusqliteMigration,
    Flyway,
    GolangMigrate,
    Dbmate,
    Goose,
}

impl Tool {
    pub fn from(self) -> strata_runtime::From {
        use strata_runtime::From;
        match self {
            Tool::Sqlx => From::Sqlx,
            Tool::Diesel => From::Diesel,
            Tool::Refinery => From::Refinery,
            Tool::RusqliteMigration => From::RusqliteMigration,
            Tool::Flyway => From::Flyway,
            Tool::GolangMigrate => From::GolangMigrate,
            Tool::Dbmate => From::Dbmate,
            Tool::Goose => From::Goose,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// One line a migration.
    Text,
    /// Graphviz: `strata graph --format dot | dot -Tpng > graph.png`.
    Dot,
    /// Mermaid, for Markdown that renders it.
    Mermaid,
}
