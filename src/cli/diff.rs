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
    /// Leave objects matching this pattern out (repeatable): `schema.name` with `*` and `?`
    /// (`audit.*`, `public.tmp_*`), or a name outside schemas (an extension, a publication).
    #[arg(long = "exclude", value_name = "PATTERN")]
    pub exclude: Vec<String>,
    /// A psql variable the files use, `NAME=VALUE` (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// The PostgreSQL major version SQL files are parsed for (14 to 18; default: the version of
    /// the database on the other side, else 17).
    #[arg(long, value_parser = clap::value_parser!(u32).range(14..=18))]
    pub postgres: Option<u32>,
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

/// The parse options for files compared with `loaded`: its server's major version, when it
/// is a database and no --postgres was given.
fn for_server(options: &ParseOptions, loaded: &crate::source::Loaded, flag: Option<u32>) -> ParseOptions {
    match (loaded.server, flag) {
        (Some(v), None) => ParseOptions { postgres: v.major(), ..options.clone() },
        _ => options.clone(),
    }
}

pub fn run(args: DiffArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome, CliError> {
    let mut options = ParseOptions::new(args.search_path.clone());
    if let Some(v) = args.postgres {
        options.postgres = v;
    }
    for v in &args.vars {
        let (name, value) = super::parse_var(v)?;
        options.vars.insert(name, value);
    }
    let exclude = crate::model::Exclusions::new(args.exclude.iter().cloned());
    let mut progress = crate::progress::Progress::stderr();
    let (from_source, to_source) = (Source::parse_arg(&args.from), Source::parse_arg(&args.to));
    // A database is read first: files compared with it are parsed for its server's version
    // (unless --postgres says otherwise).
    let (from, to) = if matches!(to_source, Source::Database(_)) && !matches!(from_source, Source::Database(_)) {
        let to = load_with(&to_source, &options, &exclude, &mut |m| progress.set(m))?;
        let options = for_server(&options, &to, args.postgres);
        (load_with(&from_source, &options, &exclude, &mut |m| progress.set(m))?, to)
    } else {
        let from = load_with(&from_source, &options, &exclude, &mut |m| progress.set(m))?;
        let options = for_server(&options, &from, args.postgres);
        let to = load_with(&to_source, &options, &exclude, &mut |m| progress.set(m))?;
        (from, to)
    };
    progress.clear();
    print_diagnostics(err, &from.diagnostics)?;
    print_diagnostics(err, &to.diagnostics)?;
    let mut left_out = from.left_out.clone();
    left_out.extend(&to.left_out);
    let mut declared = to.renames.clone();
    for r in &args.renames {
        let (old, new) = r.split_once('=').ok_or_else(|| {
            CliError::Usage(format!("--rename {r}: write OLD=NEW, as in public.users.name=full_name"))
        })?;
        declared
            .push(DeclaredRename::parse(old, new, "--rename").map_err(|e| CliError::Usage(format!("--rename {e}")))?);
    }
    let (mut from, mut to) = (from.catalog.without_runner_tables(false), to.catalog.without_runner_tables(false));
    let excluded = exclude.apply(&mut from).max(exclude.apply(&mut to));
    super::set_aside(&left_out, &mut [&mut from, &mut to], err)?;
    super::report_excluded(excluded, err)?;
    let diff_options = DiffOptions { ignore_owners: args.ignore_owners };
    let planned = crate::rename::plan(&from, &to, &declared, &diff_options, &args.plan.options())?;
    print_diagnostics(err, &planned.diagnostics)?;
    let plan = planned.plan;
    refuse_data_loss(&plan, args.allow_data_loss)?;
    if plan.is_empty() {
        writeln!(err, "-- no changes")?;
        return Ok(Outcome::Clean.unless_left_out(&left_out));
    }
    verify_if_asked(&args.verify, &from, &to, &plan, &diff_options, err)?;
    let header = vec![
        format!("tidemark {}: {} statements", env!("CARGO_PKG_VERSION"), plan.steps.len()),
        format!("hazards: {}", render::hazard_summary_line(&plan)),
    ];
    out.write_all(render::sql_script(&plan, &header).as_bytes())?;
    Ok(if args.exit_code { Outcome::Changes } else { Outcome::Clean }.unless_left_out(&left_out))
}
