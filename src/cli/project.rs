//! The project a workflow command works on: `tidemark.toml` merged with the flags (flags win),
//! the schema files, the migrations directory and its replay, and the database URL.

use super::{CliError, ProjectArgs};
use crate::config::Config;
use crate::migrations::{self, Directory};
use crate::model::Catalog;
use crate::rename::DeclaredRename;
use crate::source::diagnostic::{Diagnostic, Severity};
use crate::source::parse::{parse_files, ParseOptions, SqlFile};
use std::io::Write;

pub struct Project {
    pub config: Config,
    pub ignore_owners: bool,
    /// The most objects `exclude` took out of one catalog, for the note that says so.
    pub excluded: std::cell::Cell<usize>,
}

impl Project {
    pub fn load(args: &ProjectArgs) -> Result<Project, CliError> {
        let mut config = Config::load(args.config.as_deref())?;
        if !args.schema.is_empty() {
            config.schema = args.schema.clone();
        }
        if let Some(m) = &args.migrations {
            config.migrations = m.clone();
        }
        if let Some(l) = args.layout {
            config.layout = Some(l);
        }
        if let Some(p) = &args.search_path {
            config.search_path = p.clone();
        }
        if !args.include_schemas.is_empty() {
            config.include_schemas = args.include_schemas.clone();
        }
        if !args.exclude_schemas.is_empty() {
            config.exclude_schemas = args.exclude_schemas.clone();
        }
        config.exclude.extend(args.exclude.iter().cloned());
        for v in &args.vars {
            let (name, value) = super::parse_var(v)?;
            config.vars.insert(name, value);
        }
        if let Some(v) = args.postgres {
            config.postgres = v;
            config.postgres_stated = true;
        }
        Ok(Project { config, ignore_owners: args.ignore_owners, excluded: Default::default() })
    }

    /// Files compared with a database run on its server: read them for its version, unless
    /// the project states one (then a different server is worth a warning).
    pub fn target_server(
        &mut self,
        server: crate::source::introspect::ServerVersion,
        err: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        if !self.config.postgres_stated {
            self.config.postgres = server.major();
        } else if self.config.postgres != server.major() {
            writeln!(
                err,
                "warning: the database runs PostgreSQL {} but the project states postgres = {}: the files are read \
                 for PostgreSQL {}",
                server.display(),
                self.config.postgres,
                self.config.postgres
            )?;
        }
        Ok(())
    }

    /// How the project's files are read: its search_path, and `\i` confined to the schema
    /// paths and the migrations directory.
    pub fn parse_options(&self) -> ParseOptions {
        let mut roots = self.config.schema.clone();
        roots.push(self.config.migrations.clone());
        ParseOptions {
            search_path: self.config.search_path.clone(),
            include_roots: roots,
            postgres: self.config.postgres,
            vars: self.config.vars.clone(),
        }
    }

    /// The schemas compared (include/exclude), without migration runners' tables and what
    /// `exclude` names.
    pub fn scoped(&self, catalog: Catalog, layout: migrations::Layout) -> Catalog {
        let mut c = catalog.without_runner_tables(layout == migrations::Layout::GolangMigrate);
        c.retain_schemas(|s| self.config.compares_schema(s));
        let n = self.exclusions().apply(&mut c);
        self.excluded.set(self.excluded.get().max(n));
        c
    }

    /// The `exclude` patterns (tidemark.toml and --exclude).
    pub fn exclusions(&self) -> crate::model::Exclusions {
        crate::model::Exclusions::new(self.config.exclude.iter().cloned())
    }

    /// The desired state: the schema files, in order.
    pub fn schema_catalog(&self, err: &mut dyn Write) -> Result<Catalog, CliError> {
        Ok(self.desired(err)?.0)
    }

    /// The desired state and the renames declared for it: tidemark.toml's, then the schema
    /// files' annotations.
    pub fn desired(&self, err: &mut dyn Write) -> Result<(Catalog, Vec<DeclaredRename>), CliError> {
        let mut files: Vec<SqlFile> = Vec::new();
        for p in &self.config.schema {
            files.extend(crate::source::sql_files(p)?);
        }
        if files.is_empty() {
            return Err(CliError::Usage(format!(
                "no schema files found in {} (set `schema` in tidemark.toml or pass --schema)",
                self.config.schema.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
            )));
        }
        let catalog = parsed(parse_files(&files, &self.parse_options()), err)?;
        let mut renames = crate::rename::from_config(&self.config.renames).map_err(CliError::Usage)?;
        renames.extend(crate::source::declared_renames(&files)?);
        Ok((catalog, renames))
    }

    /// The migrations directory.
    pub fn migrations(&self) -> Result<Directory, CliError> {
        Ok(migrations::read(&self.config.migrations, self.config.layout)?)
    }

    /// The state the migrations build, replayed by the parser.
    pub fn replay(&self, dir: &Directory, err: &mut dyn Write) -> Result<Catalog, CliError> {
        parsed(parse_files(&dir.sql_files(), &self.parse_options()), err)
    }

    /// The database URL: the flag, else the environment variable the config names.
    pub fn database_url(&self, flag: &Option<String>) -> Option<String> {
        flag.clone().or_else(|| self.config.database_url_from_env())
    }

    pub fn require_database_url(&self, flag: &Option<String>) -> Result<String, CliError> {
        self.database_url(flag).ok_or_else(|| {
            CliError::Usage(format!(
                "no database: pass --db postgres://... or set {} (the variable tidemark.toml names)",
                self.config.database_url_env
            ))
        })
    }
}

/// Print the warnings of a parse (notes are for `diff`, which shows everything), or its errors.
fn parsed(
    result: Result<crate::source::parse::Parsed, Vec<Diagnostic>>,
    err: &mut dyn Write,
) -> Result<Catalog, CliError> {
    match result {
        Ok(p) => {
            for d in p.diagnostics.iter().filter(|d| d.severity <= Severity::Warning) {
                writeln!(err, "{d}")?;
            }
            Ok(p.catalog)
        }
        Err(diagnostics) => Err(crate::source::SourceError::Diagnostics(diagnostics).into()),
    }
}
