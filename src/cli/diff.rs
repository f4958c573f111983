//! `tidemark diff --from SRC --to SRC`: the migration between any two sources, printed.

use super::{refuse_data_loss, verify_if_asked, CliError, Outcome, VerifyArgs};
use crate::diff::DiffOptions;
use crate::rename::DeclaredRename;
use crate::render;
use crate::source::parse::ParseOptions;
use crate::source::{load_with, Source};
use clap::Args;
use std::io::Write;

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
    /// The search_path SQL files start with (comma-separated), as the role or database sets it.
    #[arg(long, value_delimiter = ',', default_value = "$user,public")]
    pub search_path: Vec<String>,
    /// Do not compare or change owners.
    #[arg(long)]
    pub ignore_owners: bool,
    /// A rename to plan as ALTER ... RENAME instead of a drop and an add:
    /// `public.users.name=full_name` (repeatable; adds to the `-- tidemark:rename` annotations
    /// in --to files).
    #[arg(long = "rename", value_name = "OLD=NEW")]
    pub renames: Vec<String>,
    #[command(flatten)]
    pub verify: VerifyArgs,
    #[command(flatten)]
    pub plan: super::PlanArgs,
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

pub fn run(args: DiffArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome, CliError> {
    let options = ParseOptions::new(args.search_path.clone());
    let mut progress = crate::progress::Progress::stderr();
    let from = load_with(&Source::parse_arg(&args.from), &options, &mut |m| progress.set(m))?;
    let to = load_with(&Source::parse_arg(&args.to), &options, &mut |m| progress.set(m))?;
    progress.clear();
    print_diagnostics(err, &from.diagnostics)?;
    print_diagnostics(err, &to.diagnostics)?;
    let mut declared = to.renames.clone();
    for r in &args.renames {
        let (old, new) = r.split_once('=').ok_or_else(|| {
            CliError::Usage(format!("--rename {r}: write OLD=NEW, as in public.users.name=full_name"))
        })?;
        declared
            .push(DeclaredRename::parse(old, new, "--rename").map_err(|e| CliError::Usage(format!("--rename {e}")))?);
    }
    let (from, to) = (from.catalog.without_runner_tables(false), to.catalog.without_runner_tables(false));
    let diff_options = DiffOptions { ignore_owners: args.ignore_owners };
    let planned = crate::rename::plan(&from, &to, &declared, &diff_options, &args.plan.options())?;
    print_diagnostics(err, &planned.diagnostics)?;
    let plan = planned.plan;
    refuse_data_loss(&plan, args.allow_data_loss)?;
    if plan.is_empty() {
        writeln!(err, "-- no changes")?;
        return Ok(Outcome::Clean);
    }
    verify_if_asked(&args.verify, &from, &to, &plan, &diff_options, err)?;
    let header = vec![
        format!("tidemark {}: {} statements", env!("CARGO_PKG_VERSION"), plan.steps.len()),
        format!("hazards: {}", render::hazard_summary_line(&plan)),
    ];
    out.write_all(render::sql_script(&plan, &header).as_bytes())?;
    Ok(if args.exit_code { Outcome::Changes } else { Outcome::Clean })
}
