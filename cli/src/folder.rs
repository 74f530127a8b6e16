//! The migrations folder, read by strata-core exactly as the macro reads it.

use crate::args::FolderArgs;
use crate::diagnostics;
use crate::failure::Failure;
use std::path::PathBuf;
use strata_core::{Dialect, LoadOptions, Loaded};
use strata_runtime::Migrations;

pub struct Folder {
    pub dir: PathBuf,
    /// The folder as the user wrote it: what messages name files from.
    pub shown_as: String,
    pub options: LoadOptions,
}

impl Folder {
    /// The folder of `args`, in the dialect given, else the database's, else SQLite's.
    pub fn new(args: &FolderArgs, database: Option<Dialect>) -> Result<Self, Failure> {
        let dialect = match &args.dialect {
            Some(name) => name.parse::<Dialect>().map_err(|error| Failure::usage(format!("--dialect: {error}")))?,
            None => database.unwrap_or_default(),
        };
        Ok(Self {
            dir: args.dir.clone(),
            shown_as: args.dir.display().to_string(),
            options: LoadOptions { dialect, ignore: args.ignore.clone(), ..LoadOptions::default() },
        })
    }

    /// Everything strata-core finds in the folder.
    pub fn load(&self) -> Loaded {
        strata_core::load(&self.dir, &self.shown_as, &self.options)
    }

    /// The migrations, for the runtime; a folder with problems prints them and stops.
    pub fn migrations(&self) -> Result<Migrations, Failure> {
        match Migrations::from_dir_with(&self.dir, &self.options) {
            Ok(migrations) => Ok(migrations),
            Err(problems) => {
                diagnostics::print(problems.iter(), &self.dir, &self.shown_as);
                Err(Failure::Problems)
            }
        }
    }
}
