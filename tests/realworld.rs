//! Real-world schemas and migration histories from `../shared/realworld` (read in place: some are
//! GPL/AGPL and are not copied into this repository). For each entry, with its prelude and in
//! its load order:
//!
//! - parity: a database loaded with the files and the files parsed plan to nothing, both ways
//!   (for a migration history: the history replayed by the parser equals the database it was
//!   applied to);
//! - from-empty: the plan from an empty database (prelude only) to the files converges;
//! - to-empty: the plan from a loaded database back to the prelude converges
//!   (`--allow-data-loss`).
//!
//! Without `../shared/realworld`, every check is reported as ignored, loudly.

#[path = "common/mod.rs"]
mod common;
#[path = "postgres/harness.rs"]
mod harness;

use harness::Pg;
use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use tidemark::model::Catalog;
use tidemark::source::parse::{parse_files, ParseOptions, SqlFile};

struct Entry {
    name: String,
    dir: PathBuf,
    files: Vec<String>,
    prelude: Option<String>,
    /// The search_path the files expect from the role or database (what a user passes with
    /// `--search-path`).
    search_path: Vec<String>,
}

fn shared() -> PathBuf {
    common::root().join("../shared/realworld")
}

fn entries() -> Vec<Entry> {
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(shared()).into_iter().flatten().flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let order = std::fs::read_to_string(dir.join("load-order.txt")).unwrap_or_default();
        let files =
            order.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_string).collect();
        let prelude = dir.join("prelude.sql").is_file().then(|| "prelude.sql".to_string());
        let search_path = match name.as_str() {
            // admin/InitDb.pl: ALTER USER ... SET search_path TO musicbrainz, public
            "musicbrainz" => vec!["musicbrainz".into(), "public".into()],
            _ => vec!["$user".into(), "public".into()],
        };
        out.push(Entry { name, dir, files, prelude, search_path });
    }
    out
}

fn read(dir: &Path, files: &[String]) -> Result<Vec<SqlFile>, Failed> {
    files
        .iter()
        .map(|f| {
            std::fs::read_to_string(dir.join(f))
                .map(|text| SqlFile { name: f.clone(), text })
                .map_err(|e| Failed::from(format!("{f}: {e}")))
        })
        .collect()
}

fn parse(e: &Entry, with_schema: bool) -> Result<Catalog, Failed> {
    let mut names: Vec<String> = e.prelude.iter().cloned().collect();
    if with_schema {
        names.extend(e.files.iter().cloned());
    }
    let files = read(&e.dir, &names)?;
    let options = ParseOptions::new(e.search_path.clone());
    parse_files(&files, &options).map(|p| p.catalog).map_err(|d| {
        let shown: Vec<String> = d
            .iter()
            .filter(|d| d.severity == tidemark::source::diagnostic::Severity::Error)
            .take(10)
            .map(|d| d.to_string())
            .collect();
        Failed::from(shown.join("\n"))
    })
}

fn load(pg: &Pg, e: &Entry, with_schema: bool) -> Result<String, Failed> {
    let db = pg.empty_database()?;
    let mut files: Vec<String> = e.prelude.iter().cloned().collect();
    if with_schema {
        files.extend(e.files.iter().cloned());
    }
    pg.psql_files(&db, &e.dir, &files)?;
    Ok(db)
}

fn expect_empty(what: &str, from: &Catalog, to: &Catalog, ignore_owners: bool) -> Result<(), Failed> {
    let plan = common::plan_between(from, to, ignore_owners)?;
    if plan.is_empty() {
        Ok(())
    } else {
        let shown: Vec<String> = plan.steps.iter().take(25).map(|s| format!("{};", s.sql)).collect();
        Err(format!("{what}: {} statements, first ones:\n{}", plan.steps.len(), shown.join("\n")).into())
    }
}

fn check_parity(pg: &Pg, e: &Entry) -> Result<(), Failed> {
    let db = load(pg, e, true)?;
    let live = pg.introspect(&db)?;
    let parsed = parse(e, true)?;
    expect_empty("database -> files", &live, &parsed, false)?;
    expect_empty("files -> database", &parsed, &common::without_unstated(&live), true)?;
    pg.drop_database(&db);
    Ok(())
}

/// Apply the plan `from_db` → `desired` and check it converges to `target_db`.
fn converge(pg: &Pg, from_db: &str, desired: &Catalog, target_db: &str) -> Result<(), Failed> {
    let before = pg.introspect(from_db)?;
    let plan = common::plan_between(&before, desired, false)?;
    pg.apply(from_db, &plan)?;
    let after = pg.introspect(from_db)?;
    expect_empty("after the plan, database -> target database", &after, &pg.introspect(target_db)?, false)?;
    expect_empty("second plan", &after, desired, false)
}

fn check_from_empty(pg: &Pg, e: &Entry) -> Result<(), Failed> {
    let empty = load(pg, e, false)?;
    let full = load(pg, e, true)?;
    converge(pg, &empty, &parse(e, true)?, &full)?;
    pg.drop_database(&empty);
    pg.drop_database(&full);
    Ok(())
}

fn check_to_empty(pg: &Pg, e: &Entry) -> Result<(), Failed> {
    let full = load(pg, e, true)?;
    let empty = load(pg, e, false)?;
    converge(pg, &full, &parse(e, false)?, &empty)?;
    pg.drop_database(&empty);
    pg.drop_database(&full);
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let present = shared().is_dir();
    if !present {
        eprintln!("\n*** ../shared/realworld is absent: the real-world checks are NOT run (reported as ignored) ***\n");
    }
    let pg: Arc<OnceLock<Result<Pg, String>>> = Arc::new(OnceLock::new());
    let mut trials = Vec::new();
    let names: Vec<&str> = if present { vec![] } else { vec!["(absent)"] };
    for n in names {
        trials.push(Trial::test(format!("realworld/{n}"), || Ok(())).with_ignored_flag(true));
    }
    for e in if present { entries() } else { Vec::new() } {
        let e = Arc::new(e);
        type Check = fn(&Pg, &Entry) -> Result<(), Failed>;
        for (check, f) in
            [("parity", check_parity as Check), ("from-empty", check_from_empty), ("to-empty", check_to_empty)]
        {
            let (pg, e) = (pg.clone(), e.clone());
            trials.push(Trial::test(format!("realworld/{}/{check}", e.name), move || {
                let pg = pg.get_or_init(Pg::start).as_ref().map_err(|e| Failed::from(e.clone()))?;
                f(pg, &e)
            }));
        }
    }
    let conclusion = libtest_mimic::run(&args, trials);
    // Stop the server (process exit would not run its destructor).
    drop(pg);
    conclusion.exit();
}
