//! `tidemark review`: judge migration SQL statement by statement (see `crate::review`), after
//! replaying the migrations that run before it; with `--db`, table sizes from the database's
//! statistics turn "rewrites the table" into "rewrites about 4.2 M rows (1.3 GB)".
//! `tidemark hazards`: the hazard documentation.

use super::project::Project;
use super::{CliError, Outcome, ProjectArgs};
use crate::hazard::{HazardKind, Severity};
use crate::review::TableSize;
use crate::source::parse::SqlFile;
use clap::{Args, ValueEnum};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum ReviewFormat {
    /// Plain text (coloured on a terminal).
    #[default]
    Text,
    /// JSON (`tidemark-review/1`, see docs/review-json.md).
    Json,
    /// Markdown, to post as a pull-request comment.
    Markdown,
    /// GitHub Actions annotations.
    Github,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
}

#[derive(Args, Debug)]
pub struct ReviewArgs {
    /// Migration files to review (default: every migration, or those changed since --since).
    pub files: Vec<PathBuf>,
    /// Review the migration files added or changed since this git revision.
    #[arg(long)]
    pub since: Option<String>,
    /// A database to estimate costs from (table sizes from its statistics).
    #[arg(long)]
    pub db: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: ReviewFormat,
    /// Exit 1 when a hazard at or above this severity is found.
    #[arg(long, value_parser = parse_severity)]
    pub fail_on: Option<Severity>,
    #[command(flatten)]
    pub project: ProjectArgs,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

#[derive(Args, Debug)]
pub struct HazardsArgs {}

pub fn hazards(_args: HazardsArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    out.write_all(HazardKind::markdown().as_bytes())?;
    Ok(Outcome::Clean)
}

/// Migration files changed or added since `rev` (git), as paths.
fn changed_since(rev: &str, dir: &Path) -> Result<Vec<PathBuf>, CliError> {
    let run = |args: &[&str]| -> Result<String, CliError> {
        let o = std::process::Command::new("git").args(args).output()?;
        if !o.status.success() {
            return Err(CliError::Usage(format!(
                "git {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&o.stderr).trim()
            )));
        }
        Ok(String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let top = PathBuf::from(run(&["rev-parse", "--show-toplevel"])?.trim());
    let d = dir.display().to_string();
    let mut out: Vec<PathBuf> =
        run(&["diff", "--name-only", "--diff-filter=AMR", rev, "--", &d])?.lines().map(|l| top.join(l)).collect();
    out.extend(
        run(&["ls-files", "--others", "--exclude-standard", "--full-name", "--", &d])?.lines().map(|l| top.join(l)),
    );
    Ok(out)
}

pub fn run(args: ReviewArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome, CliError> {
    let project = Project::load(&args.project)?;
    let options = project.parse_options();
    let migrations = if project.config.migrations.is_dir() { Some(project.migrations()?) } else { None };
    let ordered: Vec<(PathBuf, SqlFile)> = migrations
        .as_ref()
        .map(|d| {
            d.migrations
                .iter()
                .map(|m| {
                    let path = d.dir.join(&m.file);
                    (path.clone(), SqlFile { name: path.display().to_string(), text: m.sql.clone() })
                })
                .collect()
        })
        .unwrap_or_default();
    let wanted: Vec<PathBuf> = match (&args.since, args.files.is_empty()) {
        (Some(_), false) => return Err(CliError::Usage("give files or --since, not both".into())),
        (Some(rev), true) => changed_since(rev, &project.config.migrations)?,
        (None, false) => args.files.clone(),
        (None, true) => ordered.iter().map(|(p, _)| p.clone()).collect(),
    };
    // Files of the migrations directory are reviewed after the migrations before them; other
    // files after all of them (they would run next).
    // Paths compare canonical (`./migrations/x.sql` is `migrations/x.sql`), each resolved once.
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let ordered_paths: Vec<PathBuf> = ordered.iter().map(|(p, _)| canonical(p)).collect();
    let position = |p: &Path| {
        let p = canonical(p);
        ordered_paths.iter().position(|o| *o == p)
    };
    let mut inside: Vec<usize> = wanted.iter().filter_map(|p| position(p)).collect();
    inside.sort();
    inside.dedup();
    let outside: Vec<&PathBuf> =
        wanted.iter().filter(|p| position(p).is_none() && p.extension().is_some_and(|e| e == "sql")).collect();
    // Everything from the first reviewed migration on runs in order (unchanged migrations in
    // between included, so the state each file meets is right); only the asked-for files are
    // reported.
    let first = inside.first().copied().unwrap_or(ordered.len());
    let history: Vec<SqlFile> = ordered[..first].iter().map(|(_, f)| f.clone()).collect();
    let mut files: Vec<SqlFile> = ordered[first..].iter().map(|(_, f)| f.clone()).collect();
    let mut reported: Vec<String> = inside.iter().map(|&i| ordered[i].1.name.clone()).collect();
    for p in outside {
        let text = crate::source::files::read_text(p).map_err(crate::source::SourceError::from)?;
        let name = p.display().to_string();
        reported.push(name.clone());
        files.push(SqlFile { name, text });
    }
    if reported.is_empty() {
        if args.files.is_empty() && args.since.is_none() {
            return Err(CliError::Usage(format!(
                "no migrations to review in {} (give files, or --migrations DIR with a known layout)",
                project.config.migrations.display()
            )));
        }
        writeln!(err, "nothing to review")?;
        return Ok(Outcome::Clean);
    }
    let (mut review, diagnostics) = crate::review::review(&history, &files, &options);
    review.files.retain(|f| reported.contains(&f.file));
    review.syntax_errors.retain(|d| d.location.as_ref().is_some_and(|l| reported.contains(&l.file)));
    for d in diagnostics
        .iter()
        .filter(|d| d.severity == crate::source::diagnostic::Severity::Error && !review.syntax_errors.contains(d))
    {
        writeln!(err, "note: could not model a statement, its hazards are judged without it: {d}")?;
    }
    if let Some(url) = project.database_url(&args.db) {
        let sizes = table_sizes(&url, &review.tables())?;
        review = review.with_sizes(&sizes);
    }
    let rendered = match args.format {
        ReviewFormat::Text => crate::render::review::text(&review, std::io::stdout().is_terminal()),
        ReviewFormat::Json => crate::render::review::json(&review),
        ReviewFormat::Markdown => crate::render::review::markdown(&review),
        ReviewFormat::Github => crate::render::review::github(&review),
        ReviewFormat::Sarif => crate::render::review::sarif(&review),
    };
    out.write_all(rendered.as_bytes())?;
    if !review.syntax_errors.is_empty() {
        for d in &review.syntax_errors {
            writeln!(err, "{d}")?;
        }
        return Err(CliError::Refused(format!(
            "{} place(s) in the reviewed files do not parse: what they hold was not judged (the statements that could be \
             split out were)",
            review.syntax_errors.len()
        )));
    }
    match (args.fail_on, review.max_severity()) {
        (Some(limit), Some(found)) if found >= limit => Ok(Outcome::Changes),
        _ => Ok(Outcome::Clean),
    }
}

/// Table sizes from the database's statistics: `reltuples` rows, `relpages` pages.
fn table_sizes(
    url: &str,
    tables: &std::collections::BTreeSet<String>,
) -> Result<BTreeMap<String, TableSize>, CliError> {
    let names: Vec<String> = tables.iter().cloned().collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Usage(e.to_string()))?;
    rt.block_on(async {
        let client = crate::source::introspect::connect(url).await.map_err(|e| CliError::Source(e.into()))?;
        let timeout = crate::source::introspect::CATALOG_STATEMENT_TIMEOUT;
        client.batch_execute(&format!("SET statement_timeout = '{timeout}'")).await.map_err(|e| {
            CliError::Usage(format!("reading table sizes: {}", crate::source::introspect::error_text(&e)))
        })?;
        let rows = client
            .query(
                "SELECT format('%I.%I', n.nspname, c.relname), c.reltuples::float8, \
                        c.relpages::bigint * current_setting('block_size')::bigint \
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE format('%I.%I', n.nspname, c.relname) = ANY($1)",
                &[&names],
            )
            .await
            .map_err(|e| {
                CliError::Usage(format!("reading table sizes: {}", crate::source::introspect::error_text(&e)))
            })?;
        Ok(rows
            .iter()
            .map(|r| (r.get::<_, String>(0), TableSize { rows: r.get::<_, f64>(1), bytes: r.get::<_, i64>(2) }))
            .collect())
    })
}
