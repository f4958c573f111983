//! Properties proven against a real PostgreSQL, which this binary starts itself (one throwaway
//! cluster for the binary, one database per test):
//!
//! - parity: for every fixture file S, the plan between introspect(load S) and parse(S) is
//!   empty, both ways;
//! - acceptance: the plan from a database holding `from.sql` to `to.sql` (and to a database
//!   holding `to.sql`) applies, converges to what a database holding `to.sql` introspects as,
//!   and a second plan is empty.

#[path = "../common/mod.rs"]
mod common;
mod harness;

use harness::Pg;
use libtest_mimic::{Arguments, Failed, Trial};
use std::sync::Arc;

/// parse(S) == introspect(load S), as "no changes either way".
fn check_parity(pg: &Pg, sql: &std::path::Path) -> Result<(), Failed> {
    let db = pg.database_with(sql)?;
    let live = pg.introspect(&db)?;
    let parsed = common::parse(sql)?;
    let forward = common::plan_between(&live, &parsed, false)?;
    if !forward.is_empty() {
        return Err(format!("database -> files is not empty:\n{}", common::statements(&forward)).into());
    }
    let back = common::plan_between(&parsed, &common::without_unstated(&live), true)?;
    if !back.is_empty() {
        return Err(format!("files -> database is not empty:\n{}", common::statements(&back)).into());
    }
    pg.drop_database(&db);
    Ok(())
}

/// apply(plan(A -> B)) to A converges to B, and the second plan is empty. `to_database`
/// selects the desired side: the parsed `to.sql`, or a database loaded with it.
fn check_acceptance(pg: &Pg, f: &common::Fixture, to_database: bool) -> Result<(), Failed> {
    let a = pg.database_with(&f.source_file())?;
    let b = pg.database_with(&f.target_file())?;
    let desired = if to_database { pg.introspect(&b)? } else { common::parse(&f.target_file())? };
    let before = pg.introspect(&a)?;
    let renames = common::declared_renames(&f.target_file())?;
    let plan = common::plan_declared(&before, &desired, &renames, false)?;
    pg.apply(&a, &plan)?;
    pg.check_converged(&a, &b, &plan, &desired)
}

/// A known failure (FIXME beside the fixture) must still fail; when it passes, the FIXME goes.
fn expect(f: &common::Fixture, check: &str, result: Result<(), Failed>) -> Result<(), Failed> {
    match (f.known_failure(check), result) {
        (None, r) => r,
        (Some(_), Err(_)) => Ok(()),
        (Some(why), Ok(())) => Err(format!("{} passes now: remove its FIXME ({})", f.name, why.trim()).into()),
    }
}

/// The binary, between a database of this server and files: the files are read for the
/// server's version (on 14, the public schema's owner and privileges differ from 15's), so
/// files describing the database give no changes with no `--postgres` given. (Database to
/// files only: what files leave unstated, such as the owner of 14's public schema, is not
/// compared when the files are the desired side, and is set when the database is.)
fn check_files_read_for_the_server(pg: &Pg) -> Result<(), Failed> {
    let file = std::env::temp_dir().join(format!("tidemark-server-version-{}.sql", std::process::id()));
    std::fs::write(&file, "CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL);\n").map_err(|e| e.to_string())?;
    let db = pg.database_with(&file)?;
    let url = pg.db_url(&db);
    let path = file.display().to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tidemark"))
        .args(["diff", "--from", &url, "--to", &path, "--exit-code"])
        .output()
        .map_err(|e| e.to_string())?;
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if out.status.code() != Some(0) || !stderr.contains("-- no changes") {
        return Err(format!("diff --from {url} --to {path}: {:?}\n{stdout}{stderr}", out.status.code()).into());
    }
    pg.drop_database(&db);
    let _ = std::fs::remove_file(&file);
    Ok(())
}

/// Every table of this server's `pg_catalog` is sorted by the census (counted, or holding only
/// parts of other objects or nothing a schema diff covers), and every counted one is counted
/// by its query: a catalog a new release adds fails here until someone decides.
fn check_census_complete(pg: &Pg) -> Result<(), Failed> {
    use tidemark::source::introspect::census::SYSTEM_CATALOGS;
    let tables = pg.column(
        "postgres",
        "SELECT relname::text FROM pg_class WHERE relnamespace = 'pg_catalog'::regnamespace AND relkind = 'r' ORDER BY 1",
    )?;
    let query = include_str!("../../src/source/introspect/queries/census.sql");
    let mut problems = Vec::new();
    for t in &tables {
        match SYSTEM_CATALOGS.iter().find(|(name, _)| name == t) {
            None => problems.push(format!("{t}: not sorted in census::SYSTEM_CATALOGS")),
            Some((_, true)) if !query.contains(&format!("'{t}'")) => {
                problems.push(format!("{t}: counted, but census.sql does not name it"))
            }
            Some(_) => {}
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

fn main() {
    let args = Arguments::from_args();
    let pg = match Pg::start() {
        Ok(pg) => Arc::new(pg),
        Err(e) => {
            eprintln!("cannot start a PostgreSQL server for the tests: {e}");
            std::process::exit(2);
        }
    };
    let mut trials = Vec::new();
    let major = common::postgres().expect("the harness sets the server's version");
    for f in common::fixtures() {
        // A fixture using what an older server lacks is listed as ignored there.
        let too_old = f.min_postgres().is_some_and(|min| major < min);
        for (side, file) in [("from", f.source_file()), ("to", f.target_file())] {
            let (pg, f2) = (pg.clone(), f.clone());
            trials.push(
                Trial::test(format!("parity/{}/{side}", f.name), move || {
                    expect(&f2, &format!("parity/{side}"), check_parity(&pg, &file))
                })
                .with_ignored_flag(too_old),
            );
        }
        for (label, to_database) in [("to_sql", false), ("to_database", true)] {
            let (pg, f2) = (pg.clone(), f.clone());
            trials.push(
                Trial::test(format!("acceptance/{}/{label}", f.name), move || {
                    expect(&f2, &format!("acceptance/{label}"), check_acceptance(&pg, &f2, to_database))
                })
                .with_ignored_flag(too_old),
            );
        }
    }
    let pg2 = pg.clone();
    trials.push(Trial::test("cli/files_read_for_the_server_version", move || check_files_read_for_the_server(&pg2)));
    let pg2 = pg.clone();
    trials.push(Trial::test("census/every_system_catalog_sorted", move || check_census_complete(&pg2)));
    let conclusion = libtest_mimic::run(&args, trials);
    drop(pg);
    conclusion.exit();
}
