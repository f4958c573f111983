//! Helpers shared by the test binaries. Tests go through these few `check_*`-style functions
//! rather than the library API directly, so a refactor touches one place.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use tidemark::diff::DiffOptions;
use tidemark::model::Catalog;
use tidemark::plan::{Plan, PlanOptions};
use tidemark::rename::DeclaredRename;
use tidemark::source::parse::ParseOptions;

/// A diff fixture: `fixtures/diff/<kind>/<case>/{from.sql,to.sql}`.
#[derive(Clone, Debug)]
pub struct Fixture {
    pub name: String,
    pub dir: PathBuf,
}

impl Fixture {
    pub fn source_file(&self) -> PathBuf {
        self.dir.join("from.sql")
    }
    pub fn target_file(&self) -> PathBuf {
        self.dir.join("to.sql")
    }
    /// A FIXME file marks a case we do not handle yet: it stays in the suite, and the test
    /// expects it to fail until the FIXME is removed. A first line `fails: CHECK ...` (such as
    /// `parity/to acceptance/to_sql`) names the checks that fail; without it, every check.
    pub fn known_failure(&self, check: &str) -> Option<String> {
        let text = std::fs::read_to_string(self.dir.join("FIXME")).ok()?;
        match text.lines().next().and_then(|l| l.strip_prefix("fails:")) {
            Some(checks) => checks.split_whitespace().any(|c| c == check).then_some(text),
            None => Some(text),
        }
    }
    /// The oldest PostgreSQL major version that runs the fixture (`MIN_POSTGRES` beside it,
    /// for features a version added): on an older server its parity and acceptance checks are
    /// listed as ignored, never counted as passed.
    pub fn min_postgres(&self) -> Option<u32> {
        let text = std::fs::read_to_string(self.dir.join("MIN_POSTGRES")).ok()?;
        Some(text.trim().parse().unwrap_or_else(|_| panic!("{}: MIN_POSTGRES holds a major version", self.name)))
    }
    /// The options its files are parsed with: [`parse_options`], the target raised to
    /// `MIN_POSTGRES` offline (a server's suite never runs a fixture its server is too old for).
    pub fn options(&self) -> ParseOptions {
        let mut options = parse_options();
        if postgres().is_none() {
            options.postgres = options.postgres.max(self.min_postgres().unwrap_or(0));
        }
        options
    }
    pub fn parse(&self, path: &Path) -> Result<Catalog, String> {
        tidemark::source::load_sql(path, &self.options()).map(|l| l.catalog).map_err(|e| e.to_string())
    }
    pub fn declared_renames(&self, path: &Path) -> Result<Vec<DeclaredRename>, String> {
        tidemark::source::load_sql(path, &self.options()).map(|l| l.renames).map_err(|e| e.to_string())
    }
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every fixture, sorted.
pub fn fixtures() -> Vec<Fixture> {
    let base = root().join("fixtures/diff");
    let mut out = Vec::new();
    for kind in sorted_dirs(&base) {
        for case in sorted_dirs(&kind) {
            let name = format!(
                "{}/{}",
                kind.file_name().unwrap().to_string_lossy(),
                case.file_name().unwrap().to_string_lossy()
            );
            out.push(Fixture { name, dir: case });
        }
    }
    assert!(!out.is_empty(), "no fixtures found under {}", base.display());
    out
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

/// The PostgreSQL major version files are parsed for: the test server's, once a suite that
/// starts one has said so (`set_postgres`), else tidemark's default.
static POSTGRES: std::sync::OnceLock<u32> = std::sync::OnceLock::new();

pub fn set_postgres(major: u32) {
    let _ = POSTGRES.set(major);
}

/// The major version set by `set_postgres`, if any.
pub fn postgres() -> Option<u32> {
    POSTGRES.get().copied()
}

pub fn parse_options() -> ParseOptions {
    let mut options = ParseOptions::default();
    if let Some(major) = POSTGRES.get() {
        options.postgres = *major;
    }
    options
}

pub fn parse(path: &Path) -> Result<Catalog, String> {
    tidemark::source::load_sql(path, &parse_options()).map(|l| l.catalog).map_err(|e| e.to_string())
}

/// The renames a schema file declares (`-- tidemark:rename`).
pub fn declared_renames(path: &Path) -> Result<Vec<DeclaredRename>, String> {
    tidemark::source::load_sql(path, &parse_options()).map(|l| l.renames).map_err(|e| e.to_string())
}

/// The plan the CLI makes: diff, implied index and constraint renames, order.
pub fn plan_between(from: &Catalog, to: &Catalog, ignore_owners: bool) -> Result<Plan, String> {
    plan_declared(from, to, &[], ignore_owners)
}

/// [`plan_between`] with declared renames.
pub fn plan_declared(
    from: &Catalog,
    to: &Catalog,
    renames: &[DeclaredRename],
    ignore_owners: bool,
) -> Result<Plan, String> {
    let planned = tidemark::rename::plan(from, to, renames, &DiffOptions { ignore_owners }, &PlanOptions::default())
        .map_err(|e| e.to_string())?;
    Ok(planned.plan)
}

pub fn render(p: &Plan) -> String {
    tidemark::render::sql_script(p, &[])
}

/// The SQL statements of a plan, for reports in failures.
pub fn statements(p: &Plan) -> String {
    p.steps.iter().map(|s| format!("{};", s.sql)).collect::<Vec<_>>().join("\n")
}

/// The catalog without what schema files do not state unless they choose to: owners,
/// extension versions and extension comments (set by the extension's own script).
pub fn without_unstated(c: &Catalog) -> Catalog {
    let mut c = c.clone();
    for e in c.extensions.values_mut() {
        e.version = None;
        e.comment = None;
    }
    c
}
