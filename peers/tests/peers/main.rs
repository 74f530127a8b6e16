//! The real tools migrate a database with the first part of a folder; strata takes their history
//! over, applies the rest, and ends where a database it migrated alone ends; and what it cannot
//! take over (an edited file, a failed row, a row the folder lacks, a gap) it refuses, writing
//! nothing.
//!
//! PostgreSQL and MariaDB need `STRATA_TEST_POSTGRES_URL` and `STRATA_TEST_MYSQL_URL`, dbmate
//! `STRATA_DBMATE` (the binary's path); without one, its tests print "skipped" and pass.

// strata's `Error` is what strata returns; these helpers hand it on as it is.
#![allow(clippy::result_large_err)]

mod common;
mod with_dbmate;
mod with_diesel;
mod with_refinery;
mod with_rusqlite_migration;
mod with_sqlx;
mod with_sqlx_0_9;
