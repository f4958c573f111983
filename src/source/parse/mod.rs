//! SQL source: parse schema files (or a migration history) with pg_query and interpret them,
//! statement by statement, into a [`Catalog`] — a small DDL interpreter, so that a schema
//! directory and a history of migrations go through the same code.
//!
//! Each file is its own session, as when psql runs it: `SET search_path` in one file does not
//! leak into the next. Nothing is skipped silently: a statement that is not understood is an
//! error naming it, a statement that does not change the schema (data, transaction control) is
//! a note.
//!
//! The builders in [`build`] are shared with `source::introspect`, which feeds them the
//! catalog's own SQL text (`pg_get_constraintdef`, `pg_get_indexdef`, ...).

pub mod ast;
pub mod build;
pub mod feature;
mod interp;
pub mod naming;
pub(crate) mod pg_error;
pub mod split;

use super::diagnostic::{abridge, Diagnostic, Location, Severity};
use crate::model::Catalog;
pub use interp::{Interpreter, RecordedStatement};
pub use split::line_col;

/// One SQL file: a display name (its path) and its text.
#[derive(Clone, Debug)]
pub struct SqlFile {
    pub name: String,
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct ParseOptions {
    /// The search_path each file starts with (the role's or database's setting the files
    /// assume). Postgres' default is `"$user", public`.
    pub search_path: Vec<String>,
    /// The directories (or files) the user gave: the schema paths, the migrations directory.
    /// A file's `\i` may only read files under the one that holds it (for a single file, its
    /// directory); a file under none of them may read only under its own directory.
    pub include_roots: Vec<std::path::PathBuf>,
    /// The PostgreSQL major version the files run on: what a new database holds before them
    /// (`Catalog::template_for`).
    pub postgres: u32,
    /// psql variables the files use (`:name`, `:'name'`, `:"name"`), from `--var NAME=VALUE`
    /// and `[vars]`; a file's `\set` adds to them for the rest of its session.
    pub vars: std::collections::BTreeMap<String, String>,
}

impl ParseOptions {
    pub fn new(search_path: Vec<String>) -> Self {
        ParseOptions {
            search_path,
            include_roots: Vec::new(),
            postgres: crate::model::DEFAULT_POSTGRES,
            vars: Default::default(),
        }
    }

    /// The catalog of a new database, before any file runs.
    pub fn template(&self) -> Catalog {
        Catalog::template_for(self.postgres)
    }
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions::new(vec!["$user".into(), "public".into()])
    }
}

/// A parsed source: the catalog and the warnings and notes met on the way.
#[derive(Debug)]
pub struct Parsed {
    pub catalog: Catalog,
    pub diagnostics: Vec<Diagnostic>,
}

/// Interpret files in order into one catalog, starting from a fresh database's state.
pub fn parse_files(files: &[SqlFile], options: &ParseOptions) -> Result<Parsed, Vec<Diagnostic>> {
    parse_files_onto(options.template(), files, options)
}

/// Interpret files in order, showing `after_each` the catalog as each file leaves it.
pub fn parse_files_each(
    files: &[SqlFile],
    options: &ParseOptions,
    after_each: &mut dyn FnMut(usize, &Catalog),
) -> Result<Parsed, Vec<Diagnostic>> {
    let mut interp = Interpreter::new(options.template(), options.clone());
    for (i, f) in files.iter().enumerate() {
        interp.run_file(f);
        after_each(i, &interp.catalog);
    }
    interp.finish()
}

/// Interpret files on top of an existing catalog.
pub fn parse_files_onto(base: Catalog, files: &[SqlFile], options: &ParseOptions) -> Result<Parsed, Vec<Diagnostic>> {
    let mut interp = Interpreter::new(base, options.clone());
    for f in files {
        interp.run_file(f);
    }
    interp.finish()
}

/// Parse one statement's text with pg_query, turning a syntax error into a diagnostic that
/// points at the offending token.
pub fn parse_statement(
    text: &str,
    standard_conforming_strings: bool,
) -> Result<pg_query::protobuf::ParseResult, (String, Option<usize>)> {
    let options = if standard_conforming_strings {
        pg_query::ParserOptions::DEFAULT
    } else {
        pg_query::ParserOptions::DISABLE_STANDARD_CONFORMING_STRINGS
    };
    match pg_query::parse(text, options) {
        Ok(r) => Ok(r.protobuf),
        Err(e) => {
            let at = if pg_error::too_deep(&e) { None } else { pg_error::error_offset(text) };
            Err((pg_error::describe(&e), at))
        }
    }
}

pub fn diagnostic_at(
    severity: Severity,
    file: &SqlFile,
    offset: usize,
    message: String,
    statement: Option<&str>,
) -> Diagnostic {
    let (line, column) = line_col(&file.text, offset);
    Diagnostic {
        severity,
        location: Some(Location { file: file.name.clone(), line, column }),
        message,
        statement: statement.map(abridge),
    }
}
