//! The command line: clap arguments (flags only) and the commands, which are the only place
//! that combines sources, the core and output. Errors become exit codes in `main`.

use crate::diff::{diff, DiffOptions};
use crate::plan::plan;
use crate::render;
use crate::source::parse::ParseOptions;
use crate::source::{load, Source, SourceError};
use clap::{Args, Parser, Subcommand};
use std::io::Write;

#[derive(Parser, Debug)]
#[command(name = "tidemark", version, about = "Declarative schema diffs and migrations for PostgreSQL")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print the migration SQL that turns one schema into another.
    Diff(DiffArgs),
}

#[derive(Args, Debug)]
pub struct SourceArgs {
    /// The search_path SQL files start with (comma-separated), as the role or database sets it.
    #[arg(long, value_delimiter = ',', default_value = "$user,public")]
    pub search_path: Vec<String>,
    /// Do not compare or change owners.
    #[arg(long)]
    pub ignore_owners: bool,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The current schema: a postgres:// URL, a .sql file or a directory of .sql files.
    #[arg(long)]
    pub from: String,
    /// The desired schema, in the same forms.
    #[arg(long)]
    pub to: String,
    /// Plan steps that delete data (dropped tables, columns...) instead of refusing them.
    #[arg(long)]
    pub allow_data_loss: bool,
    /// Exit 1 when there are changes.
    #[arg(long)]
    pub exit_code: bool,
    #[command(flatten)]
    pub source: SourceArgs,
}

/// What a command ends with, mapped to the exit code by `main`.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to report (exit 0).
    Clean,
    /// Differences or drift found (exit 1).
    Changes,
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Plan(#[from] crate::plan::CycleError),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome, CliError> {
    match cli.command {
        Command::Diff(args) => run_diff(args, out, err),
    }
}

fn print_diagnostics(
    err: &mut dyn Write,
    diagnostics: &[crate::source::diagnostic::Diagnostic],
) -> std::io::Result<()> {
    for d in diagnostics {
        writeln!(err, "{d}")?;
    }
    Ok(())
}

fn run_diff(args: DiffArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome, CliError> {
    let options = ParseOptions { search_path: args.source.search_path.clone() };
    let from = load(&Source::parse_arg(&args.from), &options)?;
    print_diagnostics(err, &from.diagnostics)?;
    let to = load(&Source::parse_arg(&args.to), &options)?;
    print_diagnostics(err, &to.diagnostics)?;
    let changes = diff(&from.catalog, &to.catalog, &DiffOptions { ignore_owners: args.source.ignore_owners });
    let plan = plan(&changes, &from.catalog, &to.catalog)?;
    if !args.allow_data_loss {
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
        if !lossy.is_empty() {
            return Err(CliError::Refused(format!(
                "refusing a plan that deletes data ({} statement{}); review them and pass --allow-data-loss to proceed:\n{}",
                lossy.len(),
                if lossy.len() == 1 { "" } else { "s" },
                lossy.join("\n")
            )));
        }
    }
    if plan.is_empty() {
        writeln!(err, "-- no changes")?;
        return Ok(Outcome::Clean);
    }
    let header = vec![
        format!("tidemark {}: {} statements", env!("CARGO_PKG_VERSION"), plan.steps.len()),
        format!("hazards: {}", render::hazard_summary_line(&plan)),
    ];
    out.write_all(render::sql_script(&plan, &header).as_bytes())?;
    Ok(if args.exit_code { Outcome::Changes } else { Outcome::Clean })
}
