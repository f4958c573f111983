//! Sources: anything that yields a [`Catalog`]. SQL files and directories are parsed
//! (`parse`); connection strings are introspected (`introspect`, through `connstr`). This is the IO edge of the
//! pipeline: reading files and talking to a server happen here and nowhere in the core.

pub mod connstr;
pub mod diagnostic;
pub mod files;
pub mod introspect;
pub mod parse;

use crate::model::Catalog;
use diagnostic::Diagnostic;
use parse::{ParseOptions, SqlFile};
use std::path::{Path, PathBuf};

/// Where a catalog comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A live database.
    Database(String),
    /// A `.sql` file or a directory of them.
    Sql(PathBuf),
}

impl Source {
    /// A command-line source: a connection string (a URL in any case, or `host=... dbname=...`)
    /// is a database, anything else a path.
    pub fn parse_arg(arg: &str) -> Source {
        if connstr::is_connection_string(arg) {
            Source::Database(arg.to_string())
        } else {
            Source::Sql(PathBuf::from(arg))
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Database(url) => f.write_str(&connstr::redact(url)),
            Source::Sql(p) => write!(f, "{}", p.display()),
        }
    }
}

/// A catalog and the diagnostics (warnings, notes) met while loading it.
#[derive(Debug)]
pub struct Loaded {
    pub catalog: Catalog,
    pub diagnostics: Vec<Diagnostic>,
    /// Renames declared in the files (`-- tidemark:rename`), in order.
    pub renames: Vec<crate::rename::DeclaredRename>,
    /// What a database holds that is not in `catalog` (unreadable, or not modeled).
    pub left_out: introspect::LeftOut,
    /// The server's version, for a database.
    pub server: Option<introspect::ServerVersion>,
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{}", .0.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n"))]
    Diagnostics(Vec<Diagnostic>),
    #[error("{0}")]
    Io(String),
    #[error(transparent)]
    Introspect(#[from] introspect::IntrospectError),
    #[error(transparent)]
    File(#[from] files::FileError),
}

/// The `.sql` files of a path: the file itself, or a directory's files in lexical order of
/// their relative paths (subdirectories included).
pub fn sql_files(path: &Path) -> Result<Vec<SqlFile>, SourceError> {
    let read = |p: &Path| Ok(SqlFile { name: p.display().to_string(), text: files::read_text(p)? });
    let meta = std::fs::metadata(path).map_err(|e| SourceError::Io(format!("cannot read {}: {e}", path.display())))?;
    // A file, or anything readable that is not a directory (`/dev/null`, `<(...)`).
    if !meta.is_dir() {
        return Ok(vec![read(path)?]);
    }
    let mut paths = Vec::new();
    collect_sql(path, &mut paths)?;
    paths.sort();
    paths.iter().map(|p| read(p)).collect()
}

fn collect_sql(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), SourceError> {
    let entries = std::fs::read_dir(dir).map_err(|e| SourceError::Io(format!("cannot read {}: {e}", dir.display())))?;
    for entry in entries {
        let path = entry.map_err(|e| SourceError::Io(e.to_string()))?.path();
        if path.is_dir() {
            collect_sql(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "sql") {
            out.push(path);
        }
    }
    Ok(())
}

/// The `-- tidemark:rename` annotations of schema files, in file order.
pub fn declared_renames(files: &[SqlFile]) -> Result<Vec<crate::rename::DeclaredRename>, SourceError> {
    let mut renames = Vec::new();
    for f in files {
        renames.extend(crate::rename::annotations(f).map_err(|d| SourceError::Diagnostics(vec![d]))?);
    }
    Ok(renames)
}

/// Load a catalog from SQL files.
pub fn load_sql(path: &Path, options: &ParseOptions) -> Result<Loaded, SourceError> {
    let files = sql_files(path)?;
    let options = ParseOptions { include_roots: vec![path.to_path_buf()], ..options.clone() };
    let parsed = parse::parse_files(&files, &options).map_err(SourceError::Diagnostics)?;
    let renames = declared_renames(&files)?;
    Ok(Loaded {
        catalog: parsed.catalog,
        diagnostics: parsed.diagnostics,
        renames,
        left_out: Default::default(),
        server: None,
    })
}

/// Load a catalog from any source.
pub fn load(source: &Source, options: &ParseOptions) -> Result<Loaded, SourceError> {
    load_with(source, options, &crate::model::Exclusions::default(), &mut |_| {})
}

/// [`load`], telling `progress` what it is doing; what `exclude` names is left out of what the
/// database's reading reports as left out (the command removes it from the catalogs).
pub fn load_with(
    source: &Source,
    options: &ParseOptions,
    exclude: &crate::model::Exclusions,
    progress: &mut dyn FnMut(&str),
) -> Result<Loaded, SourceError> {
    match source {
        Source::Sql(path) => {
            progress(&format!("reading {}", path.display()));
            load_sql(path, options)
        }
        Source::Database(url) => {
            let read = introspect::read_blocking_with(url, progress)?;
            Ok(Loaded {
                left_out: read.left_out(exclude),
                catalog: read.catalog,
                diagnostics: Vec::new(),
                renames: Vec::new(),
                server: Some(read.version),
            })
        }
    }
}
