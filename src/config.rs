//! `tidemark.toml`: where the schema files and migrations are, which layout the migrations
//! use, which environment variable holds the database URL, which schemas to compare, and
//! rename hints. Every setting is also a flag; flags win. Without a file the defaults are
//! `schema/`, `migrations/` and the plain layout.
//!
//! ```toml
//! schema = ["schema"]              # files or directories, read in this order
//! migrations = "migrations"
//! layout = "plain"                 # plain | drizzle | prisma | golang-migrate
//! database_url_env = "DATABASE_URL"
//! search_path = ["$user", "public"]
//! include_schemas = []             # empty: every schema
//! exclude_schemas = ["audit"]
//! exclude = ["public.tmp_*", "pg_cron"]  # objects managed elsewhere: schema.name, * and ?
//! postgres = 17                    # the major version the files run on (14 to 18; default 17)
//!
//! [vars]                           # psql variables the files use (:name, :'name', :"name")
//! app_role = "app"
//!
//! [renames]                        # old name = new name
//! "public.users.name" = "full_name"
//! ```

use crate::migrations::Layout;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "tidemark.toml";

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub schema: Vec<PathBuf>,
    pub migrations: PathBuf,
    /// `None`: detected from the migrations directory (plain when it is empty).
    pub layout: Option<Layout>,
    pub database_url_env: String,
    pub search_path: Vec<String>,
    pub include_schemas: Vec<String>,
    pub exclude_schemas: Vec<String>,
    /// Objects managed elsewhere (`model::Exclusions` patterns).
    pub exclude: Vec<String>,
    /// psql variables for the files (`[vars]`).
    pub vars: BTreeMap<String, String>,
    /// Declared renames: `schema.table` → new table name, `schema.table.column` → new column
    /// name.
    pub renames: BTreeMap<String, String>,
    /// The PostgreSQL major version the schema files and migrations run on, for offline
    /// commands (a command that reads a database takes that database's version).
    pub postgres: u32,
    /// Whether `postgres` was stated (in tidemark.toml or by --postgres) rather than defaulted.
    pub postgres_stated: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            schema: vec![PathBuf::from("schema")],
            migrations: PathBuf::from("migrations"),
            layout: None,
            database_url_env: "DATABASE_URL".into(),
            search_path: vec!["$user".into(), "public".into()],
            include_schemas: Vec::new(),
            exclude_schemas: Vec::new(),
            exclude: Vec::new(),
            vars: BTreeMap::new(),
            renames: BTreeMap::new(),
            postgres: crate::model::DEFAULT_POSTGRES,
            postgres_stated: false,
        }
    }
}

/// A TOML error as line, column, the key of that line and the parser's message, never the
/// line itself: it may hold a value that is a secret (`database_url = "postgres://u:pw@..."`
/// where a variable name belongs). Values the message quotes are left out too.
fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let mut out = String::new();
    if let Some(span) = e.span() {
        let at = span.start.min(text.len());
        let at = (0..=at).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        let (line, column) = crate::source::parse::line_col(text, at);
        out.push_str(&format!("line {line}, column {column}: "));
        let line_text = text.lines().nth(line - 1).unwrap_or_default();
        if let Some((key, _)) = line_text.split_once('=') {
            let key = key.trim();
            let bare = |k: &str| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || "_-.\"".contains(c));
            if bare(key) && !crate::source::connstr::is_connection_string(key) {
                out.push_str(&format!("key `{key}`: "));
            }
        }
    }
    out.push_str(&without_values(e.message()));
    if e.message().starts_with("unknown field `database_url`") {
        out.push_str(" (tidemark.toml does not hold the database URL: set database_url_env to the name of the environment variable that does)");
    }
    out
}

/// A parser message with the strings it quotes hidden (`invalid type: string "..."`), and any
/// connection string in backquotes redacted.
fn without_values(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(i) = rest.find(['"', '`']) {
        let quote = rest.as_bytes()[i] as char;
        out.push_str(&rest[..=i]);
        let after = &rest[i + 1..];
        let Some(end) = after.find(quote) else {
            rest = after;
            continue;
        };
        let inner = &after[..end];
        if quote == '"' && !inner.is_empty() {
            out.push('…');
        } else {
            out.push_str(&crate::source::connstr::redact(inner));
        }
        out.push(quote);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// `database_url_env` names an environment variable; a connection string put there by mistake
/// is an error that does not repeat it.
fn env_var_name(v: String) -> Result<String, String> {
    let valid = v.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        return Ok(v);
    }
    if crate::source::connstr::is_connection_string(&v) || v.contains("://") || v.contains('=') {
        return Err("database_url_env holds a connection string; it must name the environment variable that \
                    holds it (like DATABASE_URL), so the URL stays out of the file"
            .into());
    }
    Err("database_url_env must name an environment variable (letters, digits and _, like DATABASE_URL)".into())
}

/// The file as written: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    schema: Option<OneOrMany>,
    migrations: Option<PathBuf>,
    layout: Option<String>,
    database_url_env: Option<String>,
    search_path: Option<Vec<String>>,
    include_schemas: Option<Vec<String>>,
    exclude_schemas: Option<Vec<String>>,
    exclude: Option<Vec<String>>,
    vars: Option<BTreeMap<String, String>>,
    renames: Option<BTreeMap<String, String>>,
    postgres: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(PathBuf),
    Many(Vec<PathBuf>),
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error(transparent)]
    File(#[from] crate::source::files::FileError),
}

impl Config {
    /// Read `path`, or `./tidemark.toml` when `path` is `None` and it exists; relative paths in
    /// the file are relative to the file's directory.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match path {
            Some(p) => p.to_path_buf(),
            None if Path::new(FILE_NAME).is_file() => PathBuf::from(FILE_NAME),
            None => return Ok(Config::default()),
        };
        let text = crate::source::files::read_text(&path)?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Config::parse(&text, &base)
            .map_err(|message| ConfigError::Invalid { path: path.display().to_string(), message })
    }

    /// A config file's text; `base` is the directory relative paths start from.
    pub fn parse(text: &str, base: &Path) -> Result<Config, String> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
        let mut c = Config::default();
        let rel = |p: PathBuf| if p.is_absolute() || base.as_os_str().is_empty() { p } else { base.join(p) };
        if let Some(s) = raw.schema {
            c.schema = match s {
                OneOrMany::One(p) => vec![rel(p)],
                OneOrMany::Many(v) => v.into_iter().map(rel).collect(),
            };
        } else {
            c.schema = c.schema.into_iter().map(rel).collect();
        }
        c.migrations = rel(raw.migrations.unwrap_or(c.migrations));
        if let Some(l) = raw.layout {
            c.layout = Some(l.parse()?);
        }
        if let Some(v) = raw.database_url_env {
            c.database_url_env = env_var_name(v)?;
        }
        if let Some(v) = raw.search_path {
            c.search_path = v;
        }
        c.include_schemas = raw.include_schemas.unwrap_or_default();
        c.exclude_schemas = raw.exclude_schemas.unwrap_or_default();
        c.exclude = raw.exclude.unwrap_or_default();
        c.vars = raw.vars.unwrap_or_default();
        c.renames = raw.renames.unwrap_or_default();
        if let Some(v) = raw.postgres {
            let supported = crate::source::introspect::version::OLDEST..=crate::source::introspect::version::NEWEST;
            if !supported.contains(&v) {
                return Err(format!(
                    "postgres = {v}: tidemark supports PostgreSQL {} to {}",
                    supported.start(),
                    supported.end()
                ));
            }
            c.postgres = v;
            c.postgres_stated = true;
        }
        Ok(c)
    }

    /// The database URL from the environment variable the config names.
    pub fn database_url_from_env(&self) -> Option<String> {
        std::env::var(&self.database_url_env).ok().filter(|v| !v.is_empty())
    }

    /// Whether objects of `schema` are compared.
    pub fn compares_schema(&self, schema: &str) -> bool {
        (self.include_schemas.is_empty() || self.include_schemas.iter().any(|s| s == schema))
            && !self.exclude_schemas.iter().any(|s| s == schema)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_setting() {
        let c = Config::parse(
            r#"
            schema = ["db/schema", "db/functions"]
            migrations = "db/migrations"
            layout = "drizzle"
            database_url_env = "APP_DB"
            search_path = ["app", "public"]
            exclude_schemas = ["audit"]
            [renames]
            "public.users.name" = "full_name"
            "#,
            Path::new("proj"),
        )
        .unwrap();
        assert_eq!(c.schema, vec![PathBuf::from("proj/db/schema"), PathBuf::from("proj/db/functions")]);
        assert_eq!(c.migrations, PathBuf::from("proj/db/migrations"));
        assert_eq!(c.layout, Some(Layout::Drizzle));
        assert_eq!(c.database_url_env, "APP_DB");
        assert!(!c.compares_schema("audit") && c.compares_schema("public"));
        assert_eq!(c.renames["public.users.name"], "full_name");
    }

    #[test]
    fn defaults_without_a_file_and_errors_name_the_key() {
        assert_eq!(Config::parse("", Path::new("")).unwrap(), Config::default());
        let e = Config::parse("layot = \"plain\"", Path::new("")).unwrap_err();
        assert!(e.contains("layot"), "{e}");
        let e = Config::parse("layout = \"flyway\"", Path::new("")).unwrap_err();
        assert!(e.contains("flyway"), "{e}");
    }
}

#[cfg(test)]
mod secret_tests {
    use super::*;

    #[test]
    fn the_postgres_version_is_one_we_support() {
        assert_eq!(Config::default().postgres, crate::model::DEFAULT_POSTGRES);
        assert_eq!(Config::parse("postgres = 14", Path::new("")).unwrap().postgres, 14);
        let e = Config::parse("postgres = 13", Path::new("")).unwrap_err();
        assert!(e.contains("postgres = 13") && e.contains("14 to 18"), "{e}");
        assert!(Config::parse("postgres = 19", Path::new("")).is_err());
    }

    #[test]
    fn errors_never_echo_values() {
        for text in [
            "database_url = \"postgres://u:s3cret@h/db\"",
            "schema = \"schema\"\ndatabase_url = \"postgres://u:s3cret@h/db\"",
            "layout = [\"postgres://u:s3cret@h\"]",
            "search_path = \"postgres://u:s3cret@h\"",
            "schema = \"postgres://u:s3cret@h/db",
            "migrations = 5\n# postgres://u:s3cret@h/db",
            "database_url_env = \"postgres://u:s3cret@h/db\"",
            "database_url_env = \"host=h password=s3cret\"",
            "database_url_env = \"POSTGRESQL://u:s3cret@h/db\"",
        ] {
            let e = Config::parse(text, Path::new("")).unwrap_err();
            assert!(!e.contains("s3cret"), "{text}: {e}");
            // (The key `postgres` may be listed among the expected ones; no value may be.)
            assert!(!e.to_ascii_lowercase().contains("postgres:"), "{text}: {e}");
            assert!(!e.contains("u:") && !e.contains("password"), "{text}: {e}");
        }
        let e = Config::parse("schema = \"schema\"\ndatabase_url = \"postgres://u:s3cret@h/db\"", Path::new(""))
            .unwrap_err();
        assert!(e.starts_with("line 2, column 1: key `database_url`: unknown field"), "{e}");
        assert!(e.contains("database_url_env"), "{e}");
        let e = Config::parse("database_url_env = \"postgres://u:s3cret@h/db\"", Path::new("")).unwrap_err();
        assert!(e.contains("connection string"), "{e}");
        let e = Config::parse("database_url_env = \"MY DB\"", Path::new("")).unwrap_err();
        assert!(e.contains("must name an environment variable"), "{e}");
        assert_eq!(
            Config::parse("database_url_env = \"APP_DB_1\"", Path::new("")).unwrap().database_url_env,
            "APP_DB_1"
        );
    }
}
