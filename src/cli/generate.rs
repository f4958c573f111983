//! `tidemark generate`: replay the migrations, diff them against the schema files and write
//! the next migration in the directory's layout. Offline; writes nothing when nothing
//! changed. `tidemark rehash`: accept the migration files as they are into `tidemark.sum`.

use super::project::Project;
use super::{refuse_data_loss, verify_if_asked, CliError, Outcome, ProjectArgs, VerifyArgs};
use crate::diff::DiffOptions;
use crate::migrations::{self, Header, Layout, SumFile};
use clap::Args;
use std::io::Write;

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// The migration's name (slugified); default: from its first change.
    #[arg(long)]
    pub name: Option<String>,
    /// Plan steps that delete data instead of refusing them.
    #[arg(long)]
    pub allow_data_loss: bool,
    /// Print the files that would be written, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub verify: VerifyArgs,
    #[command(flatten)]
    pub plan: super::PlanArgs,
    #[command(flatten)]
    pub project: ProjectArgs,
}

#[derive(Args, Debug)]
pub struct RehashArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
}

pub fn run(args: GenerateArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome, CliError> {
    let project = Project::load(&args.project)?;
    let dir = project.migrations()?;
    let problems = dir.integrity();
    if !problems.is_empty() {
        let listed: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        return Err(CliError::Refused(format!(
            "the migrations do not match {}: fix them (or run `tidemark rehash` after review) before generating:\n{}",
            dir.dir.join("tidemark.sum").display(),
            listed.join("\n")
        )));
    }
    let from = project.scoped(project.replay(&dir, err)?, dir.layout);
    let (to, declared) = project.desired(err)?;
    let to = project.scoped(to, dir.layout);
    let options = DiffOptions { ignore_owners: project.ignore_owners };
    let mut plan_options = args.plan.options();
    if dir.layout == Layout::Drizzle && plan_options.online {
        // Drizzle's migrator runs every pending migration in one transaction: CONCURRENTLY
        // cannot run there, and a VALIDATE in the same transaction as its ADD gains nothing.
        writeln!(
            err,
            "note: drizzle runs all pending migrations in one transaction: writing plain DDL (no online forms)"
        )?;
        plan_options = crate::plan::PlanOptions { online: false, ..plan_options };
    }
    let planned = crate::rename::plan(&from, &to, &declared, &options, &plan_options)?;
    for d in &planned.diagnostics {
        writeln!(err, "{d}")?;
    }
    let plan = planned.plan;
    if plan.is_empty() {
        writeln!(out, "nothing to generate: the migrations in {} produce the schema files", dir.dir.display())?;
        return Ok(Outcome::Clean);
    }
    refuse_data_loss(&plan, args.allow_data_loss)?;
    let outside: Vec<String> =
        plan.steps.iter().filter(|s| !s.transactional).map(|s| format!("  {};", s.sql)).collect();
    if dir.layout == Layout::Drizzle && !outside.is_empty() {
        return Err(CliError::Refused(format!(
            "drizzle's migrator runs every pending migration in one transaction, and this plan has statements that \
             cannot run in one:\n{}\nmake this change outside drizzle's migrator, or use another layout (plain, prisma, golang-migrate)",
            outside.join("\n")
        )));
    }
    let cut = migrations::steps_a_runner_would_cut(dir.layout, &plan);
    if !cut.is_empty() {
        let listed: Vec<String> = cut.iter().map(|s| format!("  {};", s.sql)).collect();
        return Err(CliError::Refused(format!(
            "drizzle's migrator splits a migration at every `{}`, inside names and strings too, and these statements \
             hold those words: it would run them in pieces\n{}\nrename the object, or use another layout (plain, prisma, golang-migrate)",
            migrations::DRIZZLE_BREAKPOINT,
            listed.join("\n")
        )));
    }
    verify_if_asked(&args.verify, &from, &to, &plan, &options, err)?;
    let down = if dir.layout == Layout::GolangMigrate {
        // golang-migrate runs a file as one multi-statement string (one implicit transaction),
        // and the whole generation's down is one file: no CONCURRENTLY there.
        let down_options = crate::plan::PlanOptions { online: false, ..plan_options.clone() };
        let undo = crate::rename::inverse(&planned.renames);
        Some(crate::rename::plan_ops(&to, &from, &undo, &options, &down_options)?.plan)
    } else {
        None
    };
    let slug = args.name.clone().unwrap_or_else(|| default_slug(&plan));
    let header = Header { from: from.fingerprint(), to: to.fingerprint() };
    let files = migrations::new_files(&dir, &slug, &plan, down.as_ref(), &header, migrations::now_millis());
    if args.dry_run {
        for f in &files {
            writeln!(out, "--- {} ---\n{}", dir.dir.join(&f.path).display(), f.content)?;
        }
        return Ok(Outcome::Changes);
    }
    let existed: Vec<bool> = files.iter().map(|f| dir.dir.join(&f.path).exists()).collect();
    migrations::write_files(&dir.dir, &files)?;
    let hazards = crate::render::hazard_summary_line(&plan);
    for (f, existed) in files.iter().zip(existed) {
        writeln!(out, "{} {}", if existed { "updated" } else { "wrote" }, dir.dir.join(&f.path).display())?;
    }
    writeln!(out, "{} statements ({} layout); hazards: {hazards}", plan.steps.len(), dir.layout)?;
    Ok(Outcome::Clean)
}

/// A name from the plan: its first change, in words.
fn default_slug(plan: &crate::plan::Plan) -> String {
    let first = plan.steps.first().map(|s| s.summary.as_str()).unwrap_or("migration");
    migrations::slugify(first).chars().take(40).collect::<String>().trim_end_matches('_').to_string()
}

pub fn rehash(args: RehashArgs, out: &mut dyn Write, _err: &mut dyn Write) -> Result<Outcome, CliError> {
    let project = Project::load(&args.project)?;
    let dir = project.migrations()?;
    let before = dir.integrity();
    let sum = SumFile::of(&dir.summed_files());
    let files = vec![migrations::FileWrite { path: "tidemark.sum".into(), content: sum.render() }];
    migrations::write_files(&dir.dir, &files)?;
    for p in &before {
        writeln!(out, "accepted: {p}")?;
    }
    writeln!(out, "wrote {} ({} files)", dir.dir.join("tidemark.sum").display(), sum.files.len())?;
    Ok(Outcome::Clean)
}
