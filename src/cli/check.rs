//! `tidemark check`: (a) the migration files match their sums and each was generated against
//! the history before it; (b) the migrations, replayed, produce the schema files ("schema
//! changed but no migration generated"); with `--db`, (c) the database is what its applied
//! migrations build (drift: changes nobody migrated), or the schema files when it keeps no
//! history, and (d) which migrations it has applied, which are pending or were edited.
//! Exit 0 in sync, 1 otherwise.

use super::project::Project;
use super::{CliError, Format, Outcome, ProjectArgs};
use crate::diff::{diff, DiffOptions};
use crate::migrations::Directory;
use crate::model::Catalog;
use crate::plan::plan;
use crate::render::check::{self as report, Finding, FindingKind, Report, Section};
use crate::runner::State;
use crate::source::parse::parse_files_each;
use clap::Args;
use std::io::{IsTerminal, Write};

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Also check this database (default: the URL in the environment variable tidemark.toml
    /// names, when set).
    #[arg(long)]
    pub db: Option<String>,
    /// Do not look at a database even when the environment names one.
    #[arg(long, conflicts_with = "db")]
    pub offline: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    #[command(flatten)]
    pub project: ProjectArgs,
}

pub fn run(args: CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome, CliError> {
    let mut project = Project::load(&args.project)?;
    let dir = project.migrations()?;
    let mut progress = crate::progress::Progress::stderr();
    let mut sections = Vec::new();
    // The database first: the files are read for its server's version.
    let url = if args.offline { None } else { project.database_url(&args.db) };
    let read = match &url {
        Some(url) => {
            let read = crate::source::introspect::read_blocking_with(url, &mut |m| progress.set(m))
                .map_err(crate::source::SourceError::from)?;
            progress.clear();
            project.target_server(read.version, err)?;
            Some(read)
        }
        None => None,
    };

    progress.set("replaying the migrations");
    let (replayed, histories) = replay_with_fingerprints(&project, &dir, err)?;
    sections.push(files_section(&dir, &histories));

    progress.set("reading the schema files");
    let schema = project.scoped(project.schema_catalog(err)?, dir.layout);
    let options = DiffOptions { ignore_owners: project.ignore_owners };
    let (differences, _) = differences(&replayed, &schema, &options, FindingKind::NotMigrated)?;
    sections.push(Section {
        name: "migrations vs schema files".into(),
        summary: if differences.is_empty() {
            format!(
                "replaying the {} migration{} gives the schema files",
                dir.migrations.len(),
                plural(dir.migrations.len())
            )
        } else {
            format!("{} difference{}", differences.len(), plural(differences.len()))
        },
        hint: Some("the schema files changed but no migration was generated: run `tidemark generate`".into()),
        findings: differences,
    });

    let mut left_out = crate::source::introspect::LeftOut::default();
    if let (Some(url), Some(read)) = (url, read) {
        sections.push(database_section(
            &project,
            &dir,
            &url,
            &schema,
            &options,
            &mut progress,
            read,
            &mut left_out,
            err,
        )?);
    }
    super::report_excluded(project.excluded.get(), err)?;
    progress.clear();
    let report = Report::new(sections);
    let text = match args.format {
        Format::Text => report::text(&report, std::io::stdout().is_terminal()),
        Format::Json => report::json(&report),
        Format::Markdown => report::markdown(&report),
        Format::Github => report::github(&report),
    };
    out.write_all(text.as_bytes())?;
    Ok(if report.in_sync { Outcome::Clean } else { Outcome::Changes }.unless_left_out(&left_out))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Replay the migrations, remembering the fingerprint of the state before each one.
fn replay_with_fingerprints(
    project: &Project,
    dir: &Directory,
    err: &mut dyn Write,
) -> Result<(Catalog, Vec<String>), CliError> {
    let mut before = vec![project.scoped(Catalog::template(), dir.layout).fingerprint()];
    let options = project.parse_options();
    let files = dir.sql_files();
    let parsed = parse_files_each(&files, &options, &mut |_, c| {
        before.push(project.scoped(c.clone(), dir.layout).fingerprint());
    });
    match parsed {
        Ok(p) => {
            for d in p.diagnostics.iter().filter(|d| d.severity <= crate::source::diagnostic::Severity::Warning) {
                writeln!(err, "{d}")?;
            }
            Ok((project.scoped(p.catalog, dir.layout), before))
        }
        Err(d) => Err(crate::source::SourceError::Diagnostics(d).into()),
    }
}

/// (a): sums, and the `from:` fingerprint of each generated migration against the replay.
fn files_section(dir: &Directory, before_each: &[String]) -> Section {
    let mut findings: Vec<Finding> = dir
        .integrity()
        .into_iter()
        .map(|p| Finding {
            kind: FindingKind::Integrity,
            object: None,
            message: p.to_string(),
            sql: None,
            file: Some(dir.dir.display().to_string()),
        })
        .collect();
    for (i, m) in dir.migrations.iter().enumerate() {
        let Some(from) = m.sql.lines().take(8).find_map(|l| l.strip_prefix("-- from: ")) else { continue };
        let actual = &before_each[i];
        if from.trim() != actual {
            findings.push(Finding {
                kind: FindingKind::History,
                object: None,
                message: format!(
                    "was generated against another history (from {}, but the migrations before it give {actual}): \
                     regenerate it on top of them",
                    from.trim()
                ),
                sql: None,
                file: Some(dir.dir.join(&m.file).display().to_string()),
            });
        }
    }
    Section {
        name: "migration files".into(),
        summary: if findings.is_empty() {
            format!("{} migration{} ({} layout), sums match", dir.migrations.len(), plural(dir.migrations.len()), dir.layout)
        } else {
            format!("{} problem{}", findings.len(), plural(findings.len()))
        },
        hint: Some("an applied migration must not change: revert the edit and write a new migration, or run `tidemark rehash` if the edit is intended".into()),
        findings,
    }
}

/// The differences `from` → `to`, as findings with the SQL that fixes each.
fn differences(
    from: &Catalog,
    to: &Catalog,
    options: &DiffOptions,
    kind: FindingKind,
) -> Result<(Vec<Finding>, crate::plan::Plan), CliError> {
    let plan = plan(&diff(from, to, options), from, to)?;
    let findings = plan
        .steps
        .iter()
        .map(|s| Finding {
            kind,
            object: s.object.as_ref().map(|o| o.to_string()),
            message: s.summary.clone(),
            sql: Some(format!("{};", s.sql)),
            file: None,
        })
        .collect();
    Ok((findings, plan))
}

/// (c) and (d). What the database holds that the run leaves out goes to `left_out` (named on
/// `err`, left out of the comparison).
#[allow(clippy::too_many_arguments)]
fn database_section(
    project: &Project,
    dir: &Directory,
    url: &str,
    schema: &Catalog,
    options: &DiffOptions,
    progress: &mut crate::progress::Progress,
    read: crate::source::introspect::Introspected,
    left_out: &mut crate::source::introspect::LeftOut,
    err: &mut dyn Write,
) -> Result<Section, CliError> {
    let shown_url = crate::source::connstr::redact(url);
    progress.set("reading the migration history");
    let status = crate::runner::status_blocking(url, dir)?;
    *left_out = read.left_out(&project.exclusions());
    let mut live = project.scoped(read.catalog, dir.layout);
    let mut findings = Vec::new();
    let applied: Vec<usize> = dir
        .migrations
        .iter()
        .enumerate()
        .filter(|(_, m)| status.migrations.iter().any(|(n, s)| *n == m.name && !matches!(s, State::Pending)))
        .map(|(i, _)| i)
        .collect();
    let keeps_history = !applied.is_empty() || !status.unknown.is_empty() || !status.failed.is_empty();
    // What the database should be: its applied migrations, or the schema files when it keeps
    // no history.
    let (expected, against) = if keeps_history {
        let all = dir.sql_files();
        let files: Vec<_> = applied.iter().map(|i| all[*i].clone()).collect();
        let options = project.parse_options();
        let parsed =
            crate::source::parse::parse_files(&files, &options).map_err(crate::source::SourceError::Diagnostics)?;
        for d in parsed.diagnostics.iter().filter(|d| d.severity <= crate::source::diagnostic::Severity::Warning) {
            writeln!(err, "{d}")?;
        }
        (project.scoped(parsed.catalog, dir.layout), "its applied migrations")
    } else {
        (schema.clone(), "the schema files (it keeps no migration history)")
    };
    let mut expected = expected;
    super::set_aside(left_out, &mut [&mut live, &mut expected], err)?;
    let (drift, _) = differences(&live, &expected, options, FindingKind::Drift)?;
    let drift_count = drift.len();
    findings.extend(drift);
    let mut pending = 0;
    for (name, state) in &status.migrations {
        let file = dir.migrations.iter().find(|m| m.name == *name).map(|m| dir.dir.join(&m.file).display().to_string());
        match state {
            State::Pending => {
                pending += 1;
                findings.push(Finding {
                    kind: FindingKind::Pending,
                    object: None,
                    message: format!("{name} is not applied"),
                    sql: None,
                    file,
                });
            }
            State::Edited(a) => findings.push(Finding {
                kind: FindingKind::Edited,
                object: None,
                message: format!(
                    "{name} was edited after it was applied{}",
                    a.applied_at.as_ref().map(|t| format!(" (at {t})")).unwrap_or_default()
                ),
                sql: None,
                file,
            }),
            State::Applied(_) => {}
        }
    }
    for f in &status.failed {
        findings.push(Finding {
            kind: FindingKind::Failed,
            object: None,
            message: format!("{f} failed half-way ({})", status.history),
            sql: None,
            file: None,
        });
    }
    for a in &status.unknown {
        findings.push(Finding {
            kind: FindingKind::Unknown,
            object: None,
            message: format!("{} is applied but not in {}", a.name, dir.dir.display()),
            sql: None,
            file: None,
        });
    }
    let applied_count = applied.len();
    let summary = if findings.is_empty() {
        format!("{shown_url}: {applied_count} applied, none pending, no drift from {against}")
    } else {
        format!(
            "{shown_url}: {applied_count} applied, {pending} pending, {drift_count} difference{} from {against}",
            plural(drift_count)
        )
    };
    Ok(Section {
        name: "database".into(),
        summary,
        hint: Some(
            "drift is a change made outside the migrations: fold it into the schema files and generate, or undo it; \
             pending migrations are applied by `tidemark apply`"
                .into(),
        ),
        findings,
    })
}
