//! The command line: clap arguments and the commands, which are the only place that combines
//! sources, the core and output. Errors become exit codes in `main` (0 fine, 1 differences or
//! drift, 2 error).

mod check;
mod database;
mod diff;
mod generate;
mod inspect;
mod project;
mod review;

use crate::migrations::Layout;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "tidemark", version, about = "Declarative schema diffs and migrations for PostgreSQL")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print the migration SQL that turns one schema into another.
    Diff(diff::DiffArgs),
    /// Write the next migration: the difference between the migrations and the schema files.
    Generate(generate::GenerateArgs),
    /// Check the migrations (sums, schema files) and, with --db, a database (drift, history).
    Check(check::CheckArgs),
    /// Apply the pending migrations to a database.
    Apply(database::ApplyArgs),
    /// Show which migrations a database has applied, which are pending, which were edited.
    Status(database::StatusArgs),
    /// Write a database's schema as SQL files (the desired state to start from).
    Inspect(inspect::InspectArgs),
    /// Report, per statement of migration SQL, its lock, rewrite, data loss and the safer form.
    Review(review::ReviewArgs),
    /// Print the documentation of every hazard (Markdown).
    Hazards(review::HazardsArgs),
    /// Rewrite tidemark.sum from the migration files as they are (after reviewing an edit).
    Rehash(generate::RehashArgs),
}

/// Where the project's files are; every setting also in tidemark.toml, the flag winning.
#[derive(Args, Debug, Clone, Default)]
pub struct ProjectArgs {
    /// The config file (default: ./tidemark.toml when present).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Schema files or directories, read in order (default: schema/).
    #[arg(long = "schema")]
    pub schema: Vec<PathBuf>,
    /// The migrations directory (default: migrations/).
    #[arg(long)]
    pub migrations: Option<PathBuf>,
    /// The migrations' layout (default: detected; plain for a new directory).
    #[arg(long, value_parser = parse_layout)]
    pub layout: Option<Layout>,
    /// The search_path SQL files start with (comma-separated), as the role or database sets it.
    #[arg(long, value_delimiter = ',')]
    pub search_path: Option<Vec<String>>,
    /// Compare only these schemas (repeatable).
    #[arg(long = "include-schema")]
    pub include_schemas: Vec<String>,
    /// Leave these schemas out (repeatable).
    #[arg(long = "exclude-schema")]
    pub exclude_schemas: Vec<String>,
    /// Do not compare or change owners.
    #[arg(long)]
    pub ignore_owners: bool,
    /// The PostgreSQL major version the files run on, for offline commands (14 to 18; default
    /// 17, or `postgres` in tidemark.toml).
    #[arg(long, value_parser = clap::value_parser!(u32).range(14..=18))]
    pub postgres: Option<u32>,
    /// Leave objects matching this pattern out (repeatable; adds to `exclude` in
    /// tidemark.toml): `schema.name` with `*` and `?`, or a name outside schemas.
    #[arg(long = "exclude", value_name = "PATTERN")]
    pub exclude: Vec<String>,
    /// A psql variable the files use, `NAME=VALUE` (repeatable; adds to `[vars]`).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
}

/// `--var NAME=VALUE`.
pub(crate) fn parse_var(arg: &str) -> Result<(String, String), CliError> {
    match arg.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_string(), value.to_string())),
        _ => Err(CliError::Usage("--var takes NAME=VALUE".into())),
    }
}

fn parse_layout(s: &str) -> Result<Layout, String> {
    s.parse()
}

/// Output formats of reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Plain text (coloured on a terminal).
    #[default]
    Text,
    /// JSON, for programs.
    Json,
    /// Markdown, for a pull-request comment.
    Markdown,
    /// GitHub Actions annotations.
    Github,
}

/// Proof before writing, shared by `diff` and `generate`.
#[derive(Args, Debug, Clone, Default)]
pub struct VerifyArgs {
    /// Apply the plan to a throwaway copy of the starting state and check that it converges,
    /// before printing or writing anything.
    #[arg(long)]
    pub verify: bool,
    /// The server --verify uses (default: a throwaway server from the local PostgreSQL
    /// binaries); a scratch database is created there and dropped.
    #[arg(long, requires = "verify")]
    pub dev_url: Option<String>,
}

/// How plans are written, shared by `diff` and `generate`.
#[derive(Args, Debug, Clone, Default)]
pub struct PlanArgs {
    /// Plain DDL even on tables in use: no CONCURRENTLY, no NOT VALID + VALIDATE, no
    /// timeouts.
    #[arg(long)]
    pub no_online: bool,
    /// The lock_timeout set before statements that lock existing tables (`off`: none).
    #[arg(long, default_value = "5s")]
    pub lock_timeout: String,
    /// The statement_timeout set likewise (default: none).
    #[arg(long)]
    pub statement_timeout: Option<String>,
}

impl PlanArgs {
    pub fn options(&self) -> crate::plan::PlanOptions {
        if self.no_online {
            return crate::plan::PlanOptions::offline();
        }
        let setting = |v: &str| (v != "off" && !v.is_empty()).then(|| v.to_string());
        crate::plan::PlanOptions {
            online: true,
            lock_timeout: setting(&self.lock_timeout),
            statement_timeout: self.statement_timeout.as_deref().and_then(setting),
        }
    }
}

/// What a command ends with, mapped to the exit code by `main`.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to report (exit 0).
    Clean,
    /// Differences or drift found (exit 1).
    Changes,
    /// The command did its work, but a database held objects it could not read or does not
    /// model, named on stderr (exit 2): nobody may read "no differences" over objects nobody
    /// compared.
    Incomplete,
}

impl Outcome {
    /// This outcome, or [`Outcome::Incomplete`] when the run left objects out.
    pub fn unless_left_out(self, left_out: &crate::source::introspect::LeftOut) -> Outcome {
        if left_out.is_empty() {
            self
        } else {
            Outcome::Incomplete
        }
    }
}

/// How many objects `exclude` left out, said so no one wonders where they went.
pub(crate) fn report_excluded(count: usize, err: &mut dyn Write) -> std::io::Result<()> {
    if count > 0 {
        writeln!(err, "note: {count} object(s) excluded by `exclude` patterns, not compared")?;
    }
    Ok(())
}

/// What a database holds that this run leaves out: objects tidemark could not read are taken
/// out of every catalog being compared (so no plan touches them); those and the objects of
/// kinds it does not model are named on stderr, each with its reason.
pub(crate) fn set_aside(
    left_out: &crate::source::introspect::LeftOut,
    catalogs: &mut [&mut crate::model::Catalog],
    err: &mut dyn Write,
) -> std::io::Result<()> {
    for d in &left_out.not_compared {
        writeln!(err, "warning: {d}")?;
    }
    if left_out.is_empty() {
        return Ok(());
    }
    for catalog in catalogs.iter_mut() {
        for u in &left_out.unreadable {
            catalog.forget(&u.object);
        }
    }
    if !left_out.unreadable.is_empty() {
        writeln!(
            err,
            "error: {} object(s) in the database could not be read; they are left out of this run (nothing here \
             creates, changes or drops them), and it ends with exit status 2:",
            left_out.unreadable.len()
        )?;
        for u in &left_out.unreadable {
            writeln!(err, "  {u}")?;
        }
    }
    if !left_out.not_modeled.is_empty() {
        writeln!(
            err,
            "error: {} object(s) in the database are of kinds tidemark does not model yet; they are not compared, \
             and the run ends with exit status 2:",
            left_out.not_modeled.len()
        )?;
        for d in &left_out.not_modeled {
            writeln!(err, "  {d}")?;
        }
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Source(#[from] crate::source::SourceError),
    #[error(transparent)]
    Plan(#[from] crate::plan::CycleError),
    #[error(transparent)]
    Rename(#[from] crate::rename::RenameError),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Migrations(#[from] crate::migrations::MigrationsError),
    #[error(transparent)]
    Runner(#[from] crate::runner::RunnerError),
    #[error("verification failed: {0}")]
    Verify(#[from] crate::verify::VerifyError),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome, CliError> {
    match cli.command {
        Command::Diff(args) => diff::run(args, out, err),
        Command::Generate(args) => generate::run(args, out, err),
        Command::Check(args) => check::run(args, out, err),
        Command::Apply(args) => database::apply(args, out, err),
        Command::Status(args) => database::status(args, out, err),
        Command::Inspect(args) => inspect::run(args, out, err),
        Command::Rehash(args) => generate::rehash(args, out, err),
        Command::Review(args) => review::run(args, out, err),
        Command::Hazards(args) => review::hazards(args, out),
    }
}

/// Refuse a plan that deletes data unless allowed, listing its lossy statements.
fn refuse_data_loss(plan: &crate::plan::Plan, allowed: bool) -> Result<(), CliError> {
    if allowed {
        return Ok(());
    }
    let lossy: Vec<String> = plan
        .data_loss()
        .map(|s| {
            let why: Vec<&str> = s
                .hazards
                .iter()
                .filter(|h| h.kind == crate::plan::HazardKind::DataLoss)
                .map(|h| h.message.as_str())
                .collect();
            format!("  {};  -- {}", s.sql, why.join("; "))
        })
        .collect();
    if lossy.is_empty() {
        return Ok(());
    }
    Err(CliError::Refused(format!(
        "refusing a plan that deletes data ({} statement{}); review them and pass --allow-data-loss to proceed:\n{}",
        lossy.len(),
        if lossy.len() == 1 { "" } else { "s" },
        lossy.join("\n")
    )))
}

/// Run `--verify` when asked, reporting on `err`.
fn verify_if_asked(
    args: &VerifyArgs,
    from: &crate::model::Catalog,
    to: &crate::model::Catalog,
    plan: &crate::plan::Plan,
    options: &crate::diff::DiffOptions,
    err: &mut dyn Write,
) -> Result<(), CliError> {
    if !args.verify || plan.is_empty() {
        return Ok(());
    }
    let target = match &args.dev_url {
        Some(url) => crate::verify::Target::DevUrl(url),
        None => crate::verify::Target::Throwaway,
    };
    let mut progress = crate::progress::Progress::stderr();
    let proof = crate::verify::verify(from, to, plan, options, target, &mut |m| progress.set(m))?;
    progress.clear();
    writeln!(err, "verified: the {} statements converge on {}", proof.statements, proof.server)?;
    Ok(())
}
