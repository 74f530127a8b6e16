//! SQLite's table-rebuild procedure: a migration that turns foreign keys off runs with them off
//! (SQLite ignores `PRAGMA foreign_keys` inside a transaction, so strata turns them off around
//! it) and is checked with `PRAGMA foreign_key_check` before it commits.

use crate::driver::{AsyncDriver, Value};
use crate::error::{Error, Result};
use crate::migration::Migration;
use crate::session::Session;
use strata_core::Script;

impl<D: AsyncDriver + ?Sized> Session<'_, D> {
    /// Turns foreign keys off when `needed` on SQLite and they are on; returns whether it did
    /// (then they must be checked before commit, and turned back on after).
    pub(crate) async fn foreign_keys_off(&mut self, needed: bool) -> Result<bool> {
        if !needed || !self.table.sql().rebuilds_with_foreign_keys_off() {
            return Ok(false);
        }
        let enabled = self.query_value("PRAGMA foreign_keys", &[], "reading `PRAGMA foreign_keys`").await?;
        if enabled != Some(Value::Integer(1)) {
            return Ok(false);
        }
        self.execute("PRAGMA foreign_keys = OFF", "turning foreign keys off").await?;
        Ok(true)
    }

    /// Turns foreign keys back on if [`foreign_keys_off`](Self::foreign_keys_off) turned them
    /// off, whatever `outcome` was; `outcome`'s error comes first.
    pub(crate) async fn restore_foreign_keys<T>(&mut self, turned_off: bool, outcome: Result<T>) -> Result<T> {
        if !turned_off {
            return outcome;
        }
        let restored = self.execute("PRAGMA foreign_keys = ON", "turning foreign keys back on").await;
        let value = outcome?;
        restored?;
        Ok(value)
    }

    /// `PRAGMA foreign_key_check`: the first violation, as an error naming the table and
    /// `script`, the up or down script that left it.
    pub(crate) async fn check_foreign_keys(&mut self, migration: &Migration, script: &Script) -> Result<()> {
        let rows = self.query("PRAGMA foreign_key_check", &[], "checking foreign keys").await?;
        let Some(row) = rows.into_iter().next() else { return Ok(()) };
        let text = |value: Option<&Value>| match value {
            Some(Value::Text(text)) => text.clone(),
            _ => String::new(),
        };
        Err(Error::ForeignKeyViolation {
            migration: migration.reference_in(script),
            table: text(row.first()),
            rowid: match row.get(1) {
                Some(Value::Integer(rowid)) => *rowid,
                _ => 0,
            },
            parent: text(row.get(2)),
            completed: 0,
        })
    }
}
