//! `tidemark inspect --db URL --out DIR`: a live database written as desired-state SQL files,
//! checked before returning: the diff from the database to the files is empty.

use super::{CliError, Outcome};
use crate::diff::{diff, DiffOptions};
use crate::inspect::{files, InspectOptions};
use crate::plan::plan;
use crate::source::parse::ParseOptions;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// The database to read (default: $DATABASE_URL).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub db: String,
    /// The directory to write (created; must be empty unless --force).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the .sql files of a non-empty --out directory.
    #[arg(long)]
    pub force: bool,
    /// Also write owners (ALTER ... OWNER TO); files that do not state owners leave them be.
    #[arg(long)]
    pub owners: bool,
    /// Also print the census: per system catalog, the user objects the database holds and the
    /// ones tidemark models.
    #[arg(long)]
    pub census: bool,
    /// Leave objects matching this pattern out (repeatable): `schema.name` with `*` and `?`,
    /// or a name outside schemas.
    #[arg(long = "exclude", value_name = "PATTERN")]
    pub exclude: Vec<String>,
    /// Leave these schemas out (repeatable).
    #[arg(long = "exclude-schema")]
    pub exclude_schemas: Vec<String>,
}

pub fn run(args: InspectArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome, CliError> {
    let mut progress = crate::progress::Progress::stderr();
    let read = crate::source::introspect::read_blocking_with(&args.db, &mut |m| progress.set(m))
        .map_err(crate::source::SourceError::from)?;
    let server = read.version;
    let exclude = crate::model::Exclusions::new(args.exclude.iter().cloned());
    let left_out = read.left_out(&exclude);
    let census = read.census.clone();
    let mut live = read.catalog.without_runner_tables(false);
    live.retain_schemas(|s| !args.exclude_schemas.iter().any(|x| x == s));
    let excluded = exclude.apply(&mut live);
    // What could not be read is not in the files: say so, and end with exit status 2.
    progress.clear();
    super::set_aside(&left_out, &mut [&mut live], err)?;
    super::report_excluded(excluded, err)?;
    progress.set("writing the files");
    let written = files(&live, &InspectOptions { owners: args.owners })?;
    if args.out.is_dir() {
        let existing: Vec<PathBuf> = std::fs::read_dir(&args.out)?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "sql"))
            .collect();
        let other = std::fs::read_dir(&args.out)?.flatten().count() - existing.len();
        if !existing.is_empty() || other > 0 {
            if !args.force || other > 0 {
                return Err(CliError::Usage(format!(
                    "{} is not empty{}",
                    args.out.display(),
                    if other > 0 { "" } else { " (use --force to replace its .sql files)" }
                )));
            }
            for p in existing {
                std::fs::remove_file(p)?;
            }
        }
    }
    std::fs::create_dir_all(&args.out)?;
    for (name, text) in &written {
        std::fs::write(args.out.join(name), text)?;
    }
    if args.census {
        out.write_all(census.table().as_bytes())?;
    }
    // The files must describe the database exactly.
    progress.set("checking the files against the database");
    let loaded = crate::source::load_sql(&args.out, &ParseOptions { postgres: server.major(), ..Default::default() })?;
    let back = plan(&diff(&live, &loaded.catalog, &DiffOptions::default()), &live, &loaded.catalog)?;
    progress.clear();
    for d in loaded.diagnostics.iter().filter(|d| d.severity <= crate::source::diagnostic::Severity::Warning) {
        writeln!(err, "{d}")?;
    }
    if !back.is_empty() {
        let shown: Vec<String> = back.steps.iter().take(20).map(|s| format!("  {};", s.sql)).collect();
        return Err(CliError::Refused(format!(
            "the files written to {} do not describe the database exactly (a tidemark bug; please report it):\n{}",
            args.out.display(),
            shown.join("\n")
        )));
    }
    writeln!(
        out,
        "wrote {} files to {} ({} tables, {} views, {} functions); the diff from the database to them is empty",
        written.len(),
        args.out.display(),
        live.tables.len(),
        live.views.len(),
        live.functions.len()
    )?;
    Ok(Outcome::Clean.unless_left_out(&left_out))
}
