//! Migration directories, read and written in the layouts of tidemark and of the tools our
//! users come from:
//!
//! | layout | files | bookkeeping |
//! |---|---|---|
//! | plain | `0001_slug.sql` | `tidemark.sum` |
//! | drizzle | `0000_slug.sql`, statements split by `--> statement-breakpoint` | `meta/_journal.json`, `tidemark.sum` |
//! | prisma | `20240101120000_slug/migration.sql` | `migration_lock.toml`, `tidemark.sum` |
//! | golang-migrate | `0001_slug.up.sql`, `0001_slug.down.sql` | `tidemark.sum` |
//!
//! Reading detects the layout. Writing is pure: [`new_files`] returns the files to write (the
//! new migrations, and the journal and sums as they become), so the same inputs give the same
//! bytes; only names that carry a time (Prisma folders, Drizzle's `when`) use the clock, or
//! `SOURCE_DATE_EPOCH` when set.
//!
//! A migration that must run outside a transaction (`CREATE INDEX CONCURRENTLY`) is a file of
//! its own, marked with a `-- tidemark:no-transaction` line; a hand-written file whose only
//! statements cannot run in a transaction is treated the same way.

mod sums;

pub use sums::{checksum, SumFile, SumProblem};

use crate::plan::{Plan, Step};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The marker of a migration that runs outside a transaction.
pub const NO_TRANSACTION: &str = "-- tidemark:no-transaction";
/// Drizzle's statement separator.
pub const DRIZZLE_BREAKPOINT: &str = "--> statement-breakpoint";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    Plain,
    Drizzle,
    Prisma,
    GolangMigrate,
}

impl Layout {
    pub const ALL: [Layout; 4] = [Layout::Plain, Layout::Drizzle, Layout::Prisma, Layout::GolangMigrate];

    pub fn name(self) -> &'static str {
        match self {
            Layout::Plain => "plain",
            Layout::Drizzle => "drizzle",
            Layout::Prisma => "prisma",
            Layout::GolangMigrate => "golang-migrate",
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Layout {
    type Err = String;
    fn from_str(s: &str) -> Result<Layout, String> {
        Layout::ALL.into_iter().find(|l| l.name() == s).ok_or_else(|| {
            format!("unknown migration layout \"{s}\" (expected plain, drizzle, prisma or golang-migrate)")
        })
    }
}

/// One migration of a directory.
#[derive(Clone, Debug, PartialEq)]
pub struct Migration {
    /// Its identity in the layout: the file stem (`0003_add_users`), the Prisma folder name,
    /// the Drizzle tag.
    pub name: String,
    /// The (up) file, relative to the migrations directory.
    pub file: PathBuf,
    pub sql: String,
    /// golang-migrate's down file and its text.
    pub down: Option<(PathBuf, String)>,
    pub transactional: bool,
    /// Drizzle's `when` (milliseconds), which its migrator compares.
    pub when: Option<i64>,
}

/// A migrations directory as read.
#[derive(Clone, Debug)]
pub struct Directory {
    pub dir: PathBuf,
    pub layout: Layout,
    pub migrations: Vec<Migration>,
    /// `tidemark.sum`, when present.
    pub sum: Option<SumFile>,
}

#[derive(Debug, thiserror::Error)]
pub enum MigrationsError {
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("cannot read {path}: {message}")]
    Io { path: String, message: String },
    #[error(transparent)]
    File(#[from] crate::source::files::FileError),
}

fn io_err(path: &Path, e: std::io::Error) -> MigrationsError {
    MigrationsError::Io { path: path.display().to_string(), message: e.to_string() }
}

fn invalid(path: &Path, message: impl Into<String>) -> MigrationsError {
    MigrationsError::Invalid { path: path.display().to_string(), message: message.into() }
}

/// The layout a directory's files show; `None` for an empty or missing directory.
pub fn detect(dir: &Path) -> Option<Layout> {
    if dir.join("meta/_journal.json").is_file() {
        return Some(Layout::Drizzle);
    }
    if dir.join("migration_lock.toml").is_file() {
        return Some(Layout::Prisma);
    }
    let entries: Vec<PathBuf> = std::fs::read_dir(dir).ok()?.flatten().map(|e| e.path()).collect();
    if entries.iter().any(|p| p.is_dir() && p.join("migration.sql").is_file()) {
        return Some(Layout::Prisma);
    }
    let names: Vec<String> =
        entries.iter().filter(|p| p.is_file()).filter_map(|p| p.file_name()?.to_str().map(str::to_string)).collect();
    if names.iter().any(|n| n.ends_with(".up.sql") && numbered(n).is_some()) {
        return Some(Layout::GolangMigrate);
    }
    if names.iter().any(|n| n.ends_with(".sql") && numbered(n).is_some()) {
        return Some(Layout::Plain);
    }
    None
}

/// `0003_add_users.sql` → 3.
fn numbered(name: &str) -> Option<u64> {
    let (digits, rest) = name.split_once('_')?;
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) && !rest.is_empty())
        .then(|| digits.parse().ok())?
}

fn read_text(path: &Path) -> Result<String, MigrationsError> {
    Ok(crate::source::files::read_text(path)?)
}

/// Read a migrations directory. `layout`: the configured one, checked against what the files
/// show; `None` detects it (plain for an empty directory).
pub fn read(dir: &Path, layout: Option<Layout>) -> Result<Directory, MigrationsError> {
    let detected = detect(dir);
    let layout = match (layout, detected) {
        (Some(want), Some(found)) if want != found => {
            return Err(invalid(dir, format!("the migrations are in the {found} layout, not {want}")))
        }
        (Some(l), _) | (None, Some(l)) => l,
        (None, None) => Layout::Plain,
    };
    let migrations = if dir.is_dir() {
        match layout {
            Layout::Plain => read_numbered(dir, false)?,
            Layout::GolangMigrate => read_numbered(dir, true)?,
            Layout::Drizzle => read_drizzle(dir)?,
            Layout::Prisma => read_prisma(dir)?,
        }
    } else {
        Vec::new()
    };
    let sum_path = dir.join(sums::FILE_NAME);
    let sum = if sum_path.is_file() {
        Some(SumFile::parse(&read_text(&sum_path)?).map_err(|m| invalid(&sum_path, m))?)
    } else {
        None
    };
    Ok(Directory { dir: dir.to_path_buf(), layout, migrations, sum })
}

fn read_numbered(dir: &Path, golang: bool) -> Result<Vec<Migration>, MigrationsError> {
    let mut found: Vec<(u64, String, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io_err(dir, e))?.flatten() {
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_string) else { continue };
        if !path.is_file() || !name.ends_with(".sql") {
            continue;
        }
        let stem = if golang {
            match name.strip_suffix(".up.sql") {
                Some(s) => s.to_string(),
                None if name.ends_with(".down.sql") => continue,
                None => return Err(invalid(&path, "golang-migrate files end in .up.sql or .down.sql")),
            }
        } else {
            if name.ends_with(".up.sql") || name.ends_with(".down.sql") {
                return Err(invalid(&path, "an up/down file in a plain layout (use layout = \"golang-migrate\")"));
            }
            name.trim_end_matches(".sql").to_string()
        };
        let n = numbered(&name).ok_or_else(|| invalid(&path, "migration files are named NNNN_slug.sql"))?;
        found.push((n, stem, PathBuf::from(&name)));
    }
    found.sort();
    for pair in found.windows(2) {
        if pair[0].0 == pair[1].0 {
            return Err(invalid(
                &dir.join(&pair[1].2),
                format!("two migrations are numbered {} ({} and {})", pair[0].0, pair[0].1, pair[1].1),
            ));
        }
    }
    let mut out = Vec::new();
    for (_, stem, file) in found {
        let sql = read_text(&dir.join(&file))?;
        let down = if golang {
            let d = PathBuf::from(format!("{stem}.down.sql"));
            dir.join(&d).is_file().then(|| read_text(&dir.join(&d)).map(|t| (d, t))).transpose()?
        } else {
            None
        };
        let transactional = runs_in_transaction(&sql);
        out.push(Migration { name: stem, file, sql, down, transactional, when: None });
    }
    Ok(out)
}

/// Drizzle's journal as drizzle-kit writes it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Journal {
    pub version: String,
    pub dialect: String,
    pub entries: Vec<JournalEntry>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct JournalEntry {
    pub idx: usize,
    pub version: String,
    pub when: i64,
    pub tag: String,
    pub breakpoints: bool,
}

fn read_journal(dir: &Path) -> Result<Journal, MigrationsError> {
    let path = dir.join("meta/_journal.json");
    serde_json::from_str(&read_text(&path)?).map_err(|e| invalid(&path, e.to_string()))
}

fn read_drizzle(dir: &Path) -> Result<Vec<Migration>, MigrationsError> {
    let journal = read_journal(dir)?;
    let mut out: Vec<Migration> = Vec::new();
    for e in &journal.entries {
        if out.last().is_some_and(|m| m.when >= Some(e.when)) {
            return Err(invalid(
                &dir.join("meta/_journal.json"),
                format!("entry {} does not come after the previous one in time: drizzle would skip it", e.tag),
            ));
        }
        let file = PathBuf::from(format!("{}.sql", e.tag));
        let sql = read_text(&dir.join(&file))?;
        out.push(Migration {
            name: e.tag.clone(),
            file,
            transactional: runs_in_transaction(&sql),
            sql,
            down: None,
            when: Some(e.when),
        });
    }
    Ok(out)
}

fn read_prisma(dir: &Path) -> Result<Vec<Migration>, MigrationsError> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| io_err(dir, e))?
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let file = PathBuf::from(&name).join("migration.sql");
        if !dir.join(&file).is_file() {
            return Err(invalid(&dir.join(&name), "a Prisma migration folder without migration.sql"));
        }
        let sql = read_text(&dir.join(&file))?;
        out.push(Migration { name, file, transactional: runs_in_transaction(&sql), sql, down: None, when: None });
    }
    Ok(out)
}

/// Whether a migration's statements can run in one transaction: not when it carries the
/// marker, nor when a statement cannot (`CREATE INDEX CONCURRENTLY`, `VACUUM`...).
pub fn runs_in_transaction(sql: &str) -> bool {
    if marked_no_transaction(sql) {
        return false;
    }
    let Ok(tree) = pg_query::parse(sql, 0) else { return true };
    !tree.protobuf.stmts.iter().filter_map(|s| s.stmt.as_ref()?.node.as_ref()).any(cannot_run_in_transaction)
}

/// Whether the file carries the `-- tidemark:no-transaction` marker as a comment line of its
/// own, outside every statement: the same words inside a quoted name, a string or a statement's
/// own comment do not count (a name must not be able to change how a file is run).
pub fn marked_no_transaction(sql: &str) -> bool {
    use crate::source::parse::split::{pieces, Piece};
    let spans: Vec<(usize, usize)> = pieces(sql)
        .into_iter()
        .map(|p| match p {
            Piece::Sql { start, end } | Piece::Meta { start, end } | Piece::CopyData { start, end } => (start, end),
        })
        .collect();
    let mut offset = 0;
    for line in sql.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        if line.trim() == NO_TRANSACTION && !spans.iter().any(|&(s, e)| s <= at && at < e) {
            return true;
        }
    }
    false
}

/// Steps a layout's runner would not run as written. Drizzle's migrator cuts a file at every
/// `--> statement-breakpoint`, wherever it stands: inside a quoted name or a string too, so a
/// name holding those words would run as two statements (the second chosen by whoever named it).
pub fn steps_a_runner_would_cut(layout: Layout, plan: &Plan) -> Vec<&Step> {
    if layout != Layout::Drizzle {
        return Vec::new();
    }
    plan.steps
        .iter()
        .filter(|s| s.sql.contains(DRIZZLE_BREAKPOINT) || crate::render::step_comment(s).contains(DRIZZLE_BREAKPOINT))
        .collect()
}

/// Statements the server refuses inside a transaction block.
pub fn cannot_run_in_transaction(node: &pg_query::protobuf::node::Node) -> bool {
    use pg_query::protobuf::node::Node as N;
    match node {
        N::IndexStmt(s) => s.concurrent,
        N::DropStmt(s) => s.concurrent,
        N::ReindexStmt(s) => pg_query_reindex_concurrently(s),
        N::VacuumStmt(s) => s.is_vacuumcmd,
        N::CreatedbStmt(_) | N::DropdbStmt(_) | N::AlterSystemStmt(_) | N::CreateTableSpaceStmt(_) => true,
        N::DropTableSpaceStmt(_) => true,
        N::AlterEnumStmt(_) => false,
        // DETACH PARTITION ... CONCURRENTLY.
        N::AlterTableStmt(a) => a.cmds.iter().any(|c| match c.node.as_ref() {
            Some(N::AlterTableCmd(cmd)) => {
                matches!(cmd.def.as_ref().and_then(|d| d.node.as_ref()), Some(N::PartitionCmd(p)) if p.concurrent)
            }
            _ => false,
        }),
        _ => false,
    }
}

fn pg_query_reindex_concurrently(s: &pg_query::protobuf::ReindexStmt) -> bool {
    s.params.iter().any(
        |p| matches!(p.node.as_ref(), Some(pg_query::protobuf::node::Node::DefElem(d)) if d.defname == "concurrently"),
    )
}

impl Directory {
    /// The migrations' SQL as files for the parser, in order (golang-migrate: the up files).
    pub fn sql_files(&self) -> Vec<crate::source::parse::SqlFile> {
        self.migrations
            .iter()
            .map(|m| crate::source::parse::SqlFile {
                name: self.dir.join(&m.file).display().to_string(),
                text: m.sql.clone(),
            })
            .collect()
    }

    /// Every file the sums cover, relative to the directory, with its bytes.
    pub fn summed_files(&self) -> Vec<(String, &str)> {
        let mut out = Vec::new();
        for m in &self.migrations {
            out.push((slash(&m.file), m.sql.as_str()));
            if let Some((d, text)) = &m.down {
                out.push((slash(d), text.as_str()));
            }
        }
        out
    }

    /// What is wrong between the files and `tidemark.sum`.
    pub fn integrity(&self) -> Vec<SumProblem> {
        match &self.sum {
            Some(sum) => sum.check(&self.summed_files()),
            None if self.migrations.is_empty() => Vec::new(),
            None => vec![SumProblem::MissingSumFile],
        }
    }
}

/// A path with forward slashes, as the sums and journals write it.
fn slash(p: &Path) -> String {
    p.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// A file to write, relative to the migrations directory.
#[derive(Clone, Debug, PartialEq)]
pub struct FileWrite {
    pub path: PathBuf,
    pub content: String,
}

/// What the header of a generated migration says.
#[derive(Clone, Debug)]
pub struct Header {
    /// Fingerprint of the catalog the migration starts from (the replayed history).
    pub from: String,
    /// Fingerprint of the catalog it produces (the schema files).
    pub to: String,
}

/// Slugs are lowercase words joined by `_`.
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_string();
    if out.is_empty() {
        "migration".into()
    } else {
        out.chars().take(60).collect()
    }
}

/// The time names are made of: `SOURCE_DATE_EPOCH` when set (reproducible builds), else now.
pub fn now_millis() -> i64 {
    if let Some(secs) = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse::<i64>().ok()) {
        return secs * 1000;
    }
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// `YYYYMMDDHHMMSS` in UTC.
fn timestamp14(millis: i64) -> String {
    let secs = millis.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = crate::normalize::civil_from_days(days);
    format!("{y:04}{m:02}{d:02}{:02}{:02}{:02}", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// The steps of a plan cut into migrations: runs of transactional steps (a step that needs a
/// fresh transaction starts a new run), and each non-transactional step alone (a file of one statement runs outside a transaction under
/// every runner that can run it at all).
pub fn split_steps(plan: &Plan) -> Vec<Vec<&Step>> {
    let mut out: Vec<Vec<&Step>> = Vec::new();
    for s in &plan.steps {
        match out.last_mut() {
            Some(group) if s.transactional && !s.fresh_transaction && group.last().is_some_and(|l| l.transactional) => {
                group.push(s)
            }
            _ => out.push(vec![s]),
        }
    }
    out
}

/// The text of one generated migration. `part_of`: the first migration of the generation,
/// for the ones after it (only the first states the state it starts from).
fn migration_text(
    layout: Layout,
    header: &Header,
    part_of: Option<&str>,
    preamble: &[String],
    steps: &[&Step],
) -> String {
    let mut out = String::new();
    let hazards = crate::render::hazard_summary_of(steps.iter().copied());
    let mut line = |text: String| {
        out.push_str(&crate::model::sql_comment(&text));
        out.push('\n');
    };
    line(format!("generated by tidemark {}", env!("CARGO_PKG_VERSION")));
    match part_of {
        None => line(format!("from: {}", header.from)),
        Some(first) => line(format!("continues: {first}")),
    }
    line(format!("to:   {}", header.to));
    line(format!("hazards: {hazards}"));
    let transactional = steps.iter().all(|s| s.transactional);
    if !transactional {
        out.push_str(NO_TRANSACTION);
        out.push('\n');
    }
    let separator = if layout == Layout::Drizzle { format!("\n{DRIZZLE_BREAKPOINT}\n\n") } else { "\n\n".into() };
    let mut statements: Vec<String> = Vec::new();
    // Session settings go with the first statement (each Drizzle chunk is its own query).
    for p in preamble.iter().filter(|_| transactional) {
        statements.push(format!("{p};"));
    }
    for s in steps {
        statements.push(format!("{}\n{};", crate::render::step_comment(s), s.sql));
    }
    out.push('\n');
    out.push_str(&statements.join(&separator));
    out.push('\n');
    out
}

/// The files a new migration adds or changes: the migration files (several when some steps
/// must run outside a transaction), golang-migrate's down file, and the journal, lock file
/// and sums as they become. `down`: the plan back, for layouts with down files.
pub fn new_files(
    dir: &Directory,
    slug: &str,
    plan: &Plan,
    down: Option<&Plan>,
    header: &Header,
    now_millis: i64,
) -> Vec<FileWrite> {
    let layout = dir.layout;
    let slug = slugify(slug);
    let groups = split_steps(plan);
    let mut files = Vec::new();
    let mut new_migrations: Vec<Migration> = Vec::new();
    let next_number = dir
        .migrations
        .iter()
        .filter_map(|m| numbered(&m.name))
        .max()
        .map_or(if layout == Layout::Drizzle { 0 } else { 1 }, |n| n + 1);
    let mut when = now_millis.max(dir.migrations.last().and_then(|m| m.when).map_or(i64::MIN, |w| w + 1));
    // Prisma folders sort by name: a clock behind the last folder moves forward a second.
    let mut prisma_time = now_millis;
    if let Some(last) = dir.migrations.last().filter(|_| layout == Layout::Prisma) {
        while timestamp14(prisma_time).as_str() <= last.name.get(..14).unwrap_or("") {
            prisma_time += 1000;
        }
    }
    for (i, group) in groups.iter().enumerate() {
        let name_slug = if i == 0 { slug.clone() } else { format!("{slug}_{}", i + 1) };
        // Every file is a session of its own under some runners: each gets the preamble.
        let first = new_migrations.first().map(|m: &Migration| m.name.clone());
        let text = migration_text(layout, header, first.as_deref(), &plan.preamble, group);
        let number = next_number + i as u64;
        let (name, file) = match layout {
            Layout::Plain | Layout::Drizzle => {
                let name = format!("{number:04}_{name_slug}");
                (name.clone(), PathBuf::from(format!("{name}.sql")))
            }
            Layout::GolangMigrate => {
                let name = format!("{number:04}_{name_slug}");
                (name.clone(), PathBuf::from(format!("{name}.up.sql")))
            }
            Layout::Prisma => {
                let name = format!("{}_{name_slug}", timestamp14(prisma_time + 1000 * i as i64));
                (name.clone(), PathBuf::from(&name).join("migration.sql"))
            }
        };
        // golang-migrate's down file undoes the whole generation, in the last file's pair.
        let down_file = match (layout, down) {
            (Layout::GolangMigrate, Some(d)) => {
                let path = PathBuf::from(format!("{name}.down.sql"));
                let text = if i + 1 == groups.len() {
                    let back = Header { from: header.to.clone(), to: header.from.clone() };
                    migration_text(layout, &back, None, &d.preamble, &d.steps.iter().collect::<Vec<_>>())
                } else {
                    "-- undone by the down file of the last migration of this generation\n".to_string()
                };
                Some((path, text))
            }
            _ => None,
        };
        files.push(FileWrite { path: file.clone(), content: text.clone() });
        if let Some((p, t)) = &down_file {
            files.push(FileWrite { path: p.clone(), content: t.clone() });
        }
        let m_when = (layout == Layout::Drizzle).then(|| {
            let w = when;
            when += 1;
            w
        });
        new_migrations.push(Migration {
            name,
            file,
            transactional: group.iter().all(|s| s.transactional),
            sql: text,
            down: down_file,
            when: m_when,
        });
    }
    let mut all = dir.clone();
    all.migrations.extend(new_migrations);
    match layout {
        Layout::Drizzle => {
            let journal = Journal {
                version: "7".into(),
                dialect: "postgresql".into(),
                entries: all
                    .migrations
                    .iter()
                    .enumerate()
                    .map(|(idx, m)| JournalEntry {
                        idx,
                        version: "7".into(),
                        when: m.when.unwrap_or_default(),
                        tag: m.name.clone(),
                        breakpoints: true,
                    })
                    .collect(),
            };
            let text = serde_json::to_string_pretty(&journal).expect("journal serializes") + "\n";
            files.push(FileWrite { path: PathBuf::from("meta/_journal.json"), content: text });
        }
        Layout::Prisma if !dir.dir.join("migration_lock.toml").is_file() => {
            files.push(FileWrite { path: PathBuf::from("migration_lock.toml"), content: PRISMA_LOCK.to_string() })
        }
        _ => {}
    }
    let sum = SumFile::of(&all.summed_files());
    files.push(FileWrite { path: PathBuf::from(sums::FILE_NAME), content: sum.render() });
    files
}

/// `migration_lock.toml` as Prisma writes it.
pub const PRISMA_LOCK: &str = "# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = \"postgresql\"\n";

/// Write files under `dir`, creating folders as needed.
pub fn write_files(dir: &Path, files: &[FileWrite]) -> Result<(), MigrationsError> {
    for f in files {
        let path = dir.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
        }
        std::fs::write(&path, &f.content).map_err(|e| io_err(&path, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_numbers() {
        assert_eq!(slugify("Add users & roles!"), "add_users_roles");
        assert_eq!(slugify("--"), "migration");
        assert_eq!(numbered("0012_x.sql"), Some(12));
        assert_eq!(numbered("x_0012.sql"), None);
        assert_eq!(timestamp14(0), "19700101000000");
        assert_eq!(timestamp14(1_700_000_000_000), "20231114221320");
    }

    #[test]
    fn transactionality_is_read_from_the_statements() {
        assert!(runs_in_transaction("CREATE INDEX i ON t (a);"));
        assert!(!runs_in_transaction("CREATE INDEX CONCURRENTLY i ON t (a);"));
        assert!(!runs_in_transaction("DROP INDEX CONCURRENTLY i;"));
        assert!(!runs_in_transaction("-- tidemark:no-transaction\nALTER TYPE e ADD VALUE 'x';"));
    }
}
