//! `tidemark apply` and `tidemark status`: the migrations against a live database, through the
//! history table of the directory's layout (see `runner`).

use super::project::Project;
use super::{CliError, Outcome, ProjectArgs};
use crate::runner::{self, State};
use clap::Args;
use std::io::Write;

#[derive(Args, Debug)]
pub struct ApplyArgs {
    /// The database (default: the URL in the environment variable tidemark.toml names).
    #[arg(long)]
    pub db: Option<String>,
    #[command(flatten)]
    pub project: ProjectArgs,
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// The database (default: the URL in the environment variable tidemark.toml names).
    #[arg(long)]
    pub db: Option<String>,
    #[command(flatten)]
    pub project: ProjectArgs,
}

pub fn apply(args: ApplyArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome, CliError> {
    let project = Project::load(&args.project)?;
    let url = project.require_database_url(&args.db)?;
    let dir = project.migrations()?;
    let problems = dir.integrity();
    if !problems.is_empty() {
        let listed: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        return Err(CliError::Refused(format!(
            "the migrations do not match their sums; nothing applied:\n{}",
            listed.join("\n")
        )));
    }
    let shown = crate::source::connstr::redact(&url);
    let progress = std::cell::RefCell::new(crate::progress::Progress::stderr());
    let ran = runner::apply_blocking(
        &url,
        &dir,
        &mut |m| progress.borrow_mut().set(&format!("applying {}", m.name)),
        &mut |waiting| {
            progress.borrow_mut().clear();
            let _ = writeln!(err, "note: {waiting}");
        },
    );
    progress.borrow_mut().clear();
    let ran = ran?;
    if ran.is_empty() {
        writeln!(out, "{shown}: up to date ({} migrations applied)", dir.migrations.len())?;
        return Ok(Outcome::Clean);
    }
    for r in &ran {
        writeln!(
            out,
            "applied {} ({} statement{}, {} ms)",
            r.name,
            r.statements,
            if r.statements == 1 { "" } else { "s" },
            r.duration_ms
        )?;
    }
    writeln!(
        out,
        "{shown}: {} migration{} applied, recorded in {}",
        ran.len(),
        if ran.len() == 1 { "" } else { "s" },
        runner::history_table(dir.layout)
    )?;
    Ok(Outcome::Clean)
}

pub fn status(args: StatusArgs, out: &mut dyn Write, _err: &mut dyn Write) -> Result<Outcome, CliError> {
    let project = Project::load(&args.project)?;
    let url = project.require_database_url(&args.db)?;
    let dir = project.migrations()?;
    let status = runner::status_blocking(&url, &dir)?;
    writeln!(
        out,
        "{} ({} layout) against {} (history: {})",
        dir.dir.display(),
        dir.layout,
        crate::source::connstr::redact(&url),
        status.history
    )?;
    let width = status.migrations.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    for (name, state) in &status.migrations {
        let (word, detail) = match state {
            State::Applied(a) => ("applied", applied_detail(a)),
            State::Edited(a) => ("EDITED", format!("{}; the file changed since", applied_detail(a))),
            State::Pending => ("pending", String::new()),
        };
        writeln!(out, "  {word:<8} {name:<width$}  {detail}")?;
    }
    for f in &status.failed {
        writeln!(out, "  FAILED   {f}")?;
    }
    for a in &status.unknown {
        writeln!(out, "  UNKNOWN  {}  applied, but not in {}", a.name, dir.dir.display())?;
    }
    let pending = status.pending().count();
    let edited = status.edited().count();
    writeln!(
        out,
        "{} applied, {pending} pending{}",
        status.migrations.len() - pending,
        if edited > 0 { format!(", {edited} edited") } else { String::new() }
    )?;
    // Edited, unknown or failed migrations are a history that does not match its files.
    if edited > 0 || !status.unknown.is_empty() || !status.failed.is_empty() {
        return Ok(Outcome::Changes);
    }
    Ok(Outcome::Clean)
}

fn applied_detail(a: &runner::Applied) -> String {
    let mut parts = Vec::new();
    if let Some(t) = &a.applied_at {
        parts.push(t.clone());
    }
    if let Some(ms) = a.duration_ms {
        parts.push(format!("{ms} ms"));
    }
    parts.join(", ")
}
