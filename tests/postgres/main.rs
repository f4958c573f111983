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
fn expect(f: &common::Fixture, result: Result<(), Failed>) -> Result<(), Failed> {
    match (f.known_failure(), result) {
        (None, r) => r,
        (Some(_), Err(_)) => Ok(()),
        (Some(why), Ok(())) => Err(format!("{} passes now: remove its FIXME ({})", f.name, why.trim()).into()),
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
                Trial::test(format!("parity/{}/{side}", f.name), move || expect(&f2, check_parity(&pg, &file)))
                    .with_ignored_flag(too_old),
            );
        }
        for (label, to_database) in [("to_sql", false), ("to_database", true)] {
            let (pg, f2) = (pg.clone(), f.clone());
            trials.push(
                Trial::test(format!("acceptance/{}/{label}", f.name), move || {
                    expect(&f2, check_acceptance(&pg, &f2, to_database))
                })
                .with_ignored_flag(too_old),
            );
        }
    }
    let conclusion = libtest_mimic::run(&args, trials);
    drop(pg);
    conclusion.exit();
}
