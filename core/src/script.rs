//! A script as it runs: its file and its statements, each with where it starts. One type for
//! the statements the lexer splits at build time, the ones `embed_migrations!` embeds and the
//! ones a folder loaded at run time holds: borrowed when embedded, owned when loaded.

use std::borrow::Cow;

/// One SQL statement of a script, with where it starts in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    sql: Cow<'static, str>,
    line: u32,
    column: u32,
}

impl Statement {
    /// What `embed_migrations!` expands to. Not part of the public interface: exempt from
    /// semver, for strata's own macro only.
    #[doc(hidden)]
    pub const fn __embedded(sql: &'static str, line: u32, column: u32) -> Self {
        Self { sql: Cow::Borrowed(sql), line, column }
    }

    /// A statement with owned text: what the lexer splits, and migrations loaded at run time.
    pub fn new(sql: impl Into<Cow<'static, str>>, line: u32, column: u32) -> Self {
        Self { sql: sql.into(), line, column }
    }

    /// The statement's SQL, without its terminating `;`.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The line of its first token in its file, from 1.
    pub const fn line(&self) -> u32 {
        self.line
    }

    /// The column (in characters) of its first token, from 1.
    pub const fn column(&self) -> u32 {
        self.column
    }
}

/// An up or down script: its file and its statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    file: Cow<'static, str>,
    statements: Cow<'static, [Statement]>,
}

impl Script {
    /// What `embed_migrations!` expands to. Not part of the public interface: exempt from
    /// semver, for strata's own macro only.
    #[doc(hidden)]
    pub const fn __embedded(file: &'static str, statements: &'static [Statement]) -> Self {
        Self { file: Cow::Borrowed(file), statements: Cow::Borrowed(statements) }
    }

    /// A script with owned parts (for migrations loaded at run time).
    pub fn new(file: impl Into<Cow<'static, str>>, statements: Vec<Statement>) -> Self {
        Self { file: file.into(), statements: Cow::Owned(statements) }
    }

    /// The file, relative to the migrations folder: `0003_add_orders.sql`, `0001_init/up.sql`.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The statements, in order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }
}
