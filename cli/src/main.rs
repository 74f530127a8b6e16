//! `strata`: create, check, inspect and apply migrations from a terminal, with the rules and
//! messages of `embed_migrations!` (strata-core) and the runtime's operations and drivers.

// The runtime's `Error` carries its context inline (see strata-runtime); errors are the cold path.
#![allow(clippy::result_large_err)]

mod args;
mod commands;
mod database;
mod diagnostics;
mod failure;
mod folder;
mod interrupt;

use args::{Cli, Command, DbArgs};
use clap::Parser;
use commands::new::{NewMigration, Numbering};
use database::Access;
use failure::{Failure, Outcome};
use folder::Folder;
use std::process::ExitCode;
use strata_runtime::{Migrations, Operation, Target};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if !matches!(failure, Failure::Problems) {
                let style = anstyle::Style::new().fg_color(Some(anstyle::AnsiColor::Red.into())).bold();
                anstream::eprintln!("{style}error{style:#}: {failure}");
            }
            ExitCode::from(failure.exit_code())
        }
    }
}

/// The folder's migrations and a connection to `db`, in the dialect the URL names.
fn open(
    cli_folder: &args::FolderArgs,
    db: &DbArgs,
    access: Access,
) -> Result<(Migrations, database::Database), Failure> {
    let folder = Folder::new(cli_folder, Some(database::dialect_of(&db.db)?))?;
    let migrations = folder.migrations()?;
    let database = database::connect(&db.db, access)?;
    Ok((migrations, database))
}

/// The migrator of a command that writes: Ctrl-C and SIGTERM cancel it.
fn writing<'m>(migrations: &'m Migrations, db: &DbArgs, database: &database::Database) -> strata_runtime::Migrator<'m> {
    migrations.migrator().table(db.table.clone()).cancel_with(&interrupt::cancel_on_signals(database, &db.db))
}

fn run(cli: Cli) -> Outcome {
    match cli.command {
        Command::New { name, reversible, no_transaction, sequential, timestamp } => {
            let numbering = match (sequential, timestamp) {
                (true, _) => Numbering::Sequential,
                (_, true) => Numbering::Timestamp,
                _ => Numbering::Folder,
            };
            let folder = Folder::new(&cli.folder, None)?;
            commands::new::new(&folder, &NewMigration { name: &name, reversible, no_transaction, numbering })
        }
        Command::Check { no_dry_run, no_verify_down, json, db } => {
            let folder = Folder::new(&cli.folder, db.as_deref().map(database::dialect_of).transpose()?)?;
            commands::check::check(&folder, db.as_deref(), !no_dry_run, !no_verify_down, json)
        }
        Command::Lock => commands::lock::lock(&Folder::new(&cli.folder, None)?),
        Command::Graph { format, db, table } => {
            let folder = Folder::new(&cli.folder, db.as_deref().map(database::dialect_of).transpose()?)?;
            let loaded = folder.load();
            let Some(set) = loaded.set.filter(|_| loaded.problems.is_empty()) else {
                diagnostics::print(&loaded.problems, &folder.dir, &folder.shown_as);
                return Err(Failure::Problems);
            };
            let applied = match db {
                Some(url) => {
                    let migrations = folder.migrations()?;
                    let mut database = database::connect(&url, Access::Read)?;
                    let migrator = migrations.migrator().table(table);
                    let status = on_database!(&mut database, |conn| migrator.status(conn))?;
                    Some(
                        status
                            .migrations
                            .iter()
                            .filter(|line| line.state != strata_runtime::MigrationState::Pending)
                            .map(|line| line.id.clone())
                            .collect::<Vec<_>>(),
                    )
                }
                None => None,
            };
            print!("{}", commands::graph::render(&set, applied.as_deref(), format));
            Ok(())
        }
        Command::Status { db, json } => {
            let (migrations, mut database) = open(&cli.folder, &db, Access::Read)?;
            commands::inspect::status(&migrations.migrator().table(db.table), &migrations, &mut database, json)
        }
        Command::Verify { db, json } => {
            let (migrations, mut database) = open(&cli.folder, &db, Access::Read)?;
            commands::inspect::verify(&migrations.migrator().table(db.table), &mut database, json)
        }
        Command::Plan { db, to, down, json } => {
            let (migrations, mut database) = open(&cli.folder, &db, Access::ReadOrEmpty)?;
            let target = commands::target(to.as_deref());
            let operation = if down { Operation::Rollback(target) } else { Operation::Apply(target) };
            commands::run::plan(&migrations.migrator().table(db.table), &mut database, operation, json)
        }
        Command::Up { db, to } => {
            let (migrations, mut database) = open(&cli.folder, &db, Access::Write)?;
            let migrator = writing(&migrations, &db, &database);
            commands::run::up(&migrator, &mut database, commands::target(to.as_deref()))
        }
        Command::Down { db, to, all, yes } => {
            let (migrations, mut database) = open(&cli.folder, &db, Access::Write)?;
            let target = if all { Target::Empty } else { commands::target(to.as_deref()) };
            commands::run::down(&writing(&migrations, &db, &database), &mut database, target, yes)
        }
        Command::Repair { db } => {
            let (migrations, mut database) = open(&cli.folder, &db, Access::Write)?;
            commands::run::repair(&writing(&migrations, &db, &database), &mut database)
        }
        Command::Baseline { db, migration } => {
            let (migrations, mut database) = open(&cli.folder, &db, Access::Write)?;
            commands::run::baseline(&writing(&migrations, &db, &database), &mut database, &migration)
        }
        Command::Adopt { db, from, from_table, force } => {
            let (migrations, mut database) = open(&cli.folder, &db, Access::Write)?;
            let adopt = strata_runtime::Adopt::new(from.from()).force(force);
            let adopt = match from_table {
                Some(table) => adopt.table(table),
                None => adopt,
            };
            commands::run::adopt(&writing(&migrations, &db, &database), &mut database, adopt)
        }
    }
}
