//! Snapshot tests: for every fixture, the plan from `from.sql` to `to.sql` (both parsed, no
//! server) is rendered and compared with `plan.snap` beside the fixture; for every
//! `fixtures/review/<case>`, the review of `migration.sql` after `history.sql` is compared with
//! `review.snap`; every plan, rendered as a script and as each layout's migration files,
//! splits back into exactly its statements (names may hold anything); and `docs/hazards.md`
//! must be what `tidemark hazards` prints. Review changes
//! with `INSTA_UPDATE=always cargo test --test fixtures` and `git diff fixtures/`.

mod common;

use libtest_mimic::{Arguments, Failed, Trial};

fn check_plan_snapshot(f: &common::Fixture) -> Result<(), Failed> {
    let from = f.parse(&f.source_file())?;
    let to = f.parse(&f.target_file())?;
    let renames = f.declared_renames(&f.target_file())?;
    let plan = common::plan_declared(&from, &to, &renames, false)?;
    let rendered = common::render(&plan);
    // Applying the plan's own target to itself must change nothing.
    let again = common::plan_between(&to, &to, false)?;
    if !again.is_empty() {
        return Err(format!("a catalog differs from itself:\n{}", common::statements(&again)).into());
    }
    let result = std::panic::catch_unwind(|| {
        insta::with_settings!({
            snapshot_path => f.dir.clone(),
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => f.name.clone(),
        }, {
            insta::assert_snapshot!("plan", rendered);
        });
    });
    result.map_err(|_| Failed::from(format!("plan snapshot of {} differs (see above)", f.name)))
}

fn check_review_snapshot(dir: std::path::PathBuf, name: String) -> Result<(), Failed> {
    use tidemark::source::parse::{ParseOptions, SqlFile};
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap_or_default();
    let history = vec![SqlFile { name: "history.sql".into(), text: read("history.sql") }];
    let files = vec![SqlFile { name: "migration.sql".into(), text: read("migration.sql") }];
    let (review, diagnostics) = tidemark::review::review(&history, &files, &ParseOptions::default());
    let mut rendered = tidemark::render::review::text(&review, false);
    for d in diagnostics.iter().filter(|d| d.severity == tidemark::source::diagnostic::Severity::Error) {
        rendered.push_str(&format!("diagnostic: {d}\n"));
    }
    let result = std::panic::catch_unwind(|| {
        insta::with_settings!({
            snapshot_path => dir.clone(),
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => name.clone(),
        }, {
            insta::assert_snapshot!("review", rendered);
        });
    });
    result.map_err(|_| Failed::from(format!("review snapshot of {name} differs (see above)")))
}

/// The planner and `review` name the same hazards: the plan of a fixture, written out and
/// reviewed after `from.sql`, gets on each statement the hazard kinds the planner gave the
/// step, no more and no fewer, except where the two deliberately differ (`tolerated`).
fn check_review_agrees(f: &common::Fixture) -> Result<(), Failed> {
    use std::collections::BTreeSet;
    use tidemark::hazard::HazardKind;
    use tidemark::source::parse::SqlFile;
    let from = f.parse(&f.source_file())?;
    let to = f.parse(&f.target_file())?;
    let renames = f.declared_renames(&f.target_file())?;
    let plan = common::plan_declared(&from, &to, &renames, false)?;
    let history = vec![SqlFile { name: "from.sql".into(), text: std::fs::read_to_string(f.source_file())? }];
    let script = SqlFile { name: "plan.sql".into(), text: common::render(&plan) };
    let (review, diagnostics) = tidemark::review::review(&history, &[script], &f.options());
    if let Some(d) = diagnostics.iter().find(|d| d.severity == tidemark::source::diagnostic::Severity::Error) {
        return Err(format!("the plan does not replay: {d}").into());
    }
    let reviewed: Vec<_> = review.statements().filter(|s| !s.sql.trim_start().starts_with("SET ")).collect();
    if reviewed.len() != plan.steps.len() {
        return Err(format!("{} steps, {} statements reviewed", plan.steps.len(), reviewed.len()).into());
    }
    let mut problems = Vec::new();
    for (step, r) in plan.steps.iter().zip(reviewed) {
        let planned: BTreeSet<HazardKind> = step.hazards.iter().map(|h| h.kind).collect();
        let found: BTreeSet<HazardKind> = r.hazards.iter().map(|h| h.kind).collect();
        let only_review: Vec<_> = found.difference(&planned).filter(|k| !tolerated(**k, &step.sql, true)).collect();
        let only_plan: Vec<_> = planned.difference(&found).filter(|k| !tolerated(**k, &step.sql, false)).collect();
        if !only_review.is_empty() || !only_plan.is_empty() {
            problems.push(format!(
                "{};\n    review only: {:?}\n    plan only:   {:?}",
                step.sql.lines().next().unwrap_or_default(),
                only_review.iter().map(|k| k.name()).collect::<Vec<_>>(),
                only_plan.iter().map(|k| k.name()).collect::<Vec<_>>()
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

/// What we write means what we planned, whatever the names hold: the SQL script and the
/// migration files of every layout split back (as psql and our runner split them, and as the
/// server's own scanner reads them) into exactly the plan's statements, and Drizzle's files,
/// cut at every `--> statement-breakpoint` as its migrator cuts them, into one statement per
/// chunk (or generate refuses them).
fn check_rendered_statements(f: &common::Fixture) -> Result<(), Failed> {
    use tidemark::migrations::{self, Directory, Header, Layout};
    use tidemark::source::parse::split::{pieces, Piece};
    let from = f.parse(&f.source_file())?;
    let to = f.parse(&f.target_file())?;
    let renames = f.declared_renames(&f.target_file())?;
    let plan = common::plan_declared(&from, &to, &renames, true)?;
    let split = |text: &str| -> Vec<String> {
        let mut out = Vec::new();
        for piece in pieces(text) {
            match piece {
                Piece::Sql { start, end } => out.push(text[start..end].trim().to_string()),
                Piece::Meta { start, end } | Piece::CopyData { start, end } => {
                    out.push(format!("<not SQL: {}>", &text[start..end]))
                }
            }
        }
        out
    };
    let server_count = |text: &str| -> Result<usize, Failed> {
        let tree = pg_query::parse(text, 0).map_err(|e| format!("the server's scanner rejects the text: {e}"))?;
        Ok(tree.protobuf.stmts.len())
    };
    let same = |what: &str, text: &str, expected: &[String]| -> Result<(), Failed> {
        let found = split(text);
        if found != expected {
            return Err(format!(
                "{what} splits into other statements than planned:\n{found:#?}\nplanned:\n{expected:#?}"
            )
            .into());
        }
        let n = server_count(text)?;
        if n != expected.len() {
            return Err(format!("{what}: the server would read {n} statements, {} planned", expected.len()).into());
        }
        Ok(())
    };
    let mut expected: Vec<String> = plan.preamble.clone();
    expected.extend(plan.steps.iter().map(|s| s.sql.clone()));
    same(
        "the SQL script",
        &tidemark::render::sql_script(&plan, &["hostile header \n DROP TABLE canary; --".into()]),
        &expected,
    )?;
    if plan.is_empty() {
        return Ok(());
    }
    for layout in [Layout::Plain, Layout::Drizzle, Layout::Prisma, Layout::GolangMigrate] {
        if !migrations::steps_a_runner_would_cut(layout, &plan).is_empty() {
            continue; // generate refuses these (tests/cli.rs)
        }
        let dir = Directory { dir: "migrations".into(), layout, migrations: Vec::new(), sum: None };
        let header = Header { from: "a\nDROP TABLE canary; --".into(), to: "b\rDROP TABLE canary; --".into() };
        let files = migrations::new_files(&dir, "hostile\nname", &plan, Some(&plan), &header, 0);
        let groups = migrations::split_steps(&plan);
        let sql_files: Vec<_> = files
            .iter()
            .filter(|w| {
                w.path.extension().is_some_and(|e| e == "sql") && !w.path.to_string_lossy().ends_with(".down.sql")
            })
            .collect();
        if sql_files.len() != groups.len() {
            return Err(format!("{layout}: {} files for {} groups of steps", sql_files.len(), groups.len()).into());
        }
        for (file, group) in sql_files.iter().zip(&groups) {
            let transactional = group.iter().all(|s| s.transactional);
            let mut want: Vec<String> = if transactional { plan.preamble.clone() } else { Vec::new() };
            want.extend(group.iter().map(|s| s.sql.clone()));
            let what = format!("{layout} file {}", file.path.display());
            same(&what, &file.content, &want)?;
            if migrations::runs_in_transaction(&file.content) != transactional {
                return Err(
                    format!("{what}: read back as {}transactional", if transactional { "non-" } else { "" }).into()
                );
            }
            if layout == Layout::Drizzle {
                let chunks: Vec<&str> = file.content.split(migrations::DRIZZLE_BREAKPOINT).collect();
                let statements: usize =
                    chunks.iter().map(|c| server_count(c)).collect::<Result<Vec<_>, _>>()?.into_iter().sum();
                if statements != want.len() || chunks.iter().any(|c| server_count(c).is_ok_and(|n| n > 1)) {
                    return Err(format!("{what}: drizzle's migrator would run other statements than planned").into());
                }
            }
        }
    }
    Ok(())
}

/// Where the planner and `review` knowingly differ.
fn tolerated(kind: tidemark::hazard::HazardKind, sql: &str, review_only: bool) -> bool {
    use tidemark::hazard::HazardKind as H;
    match (kind, review_only) {
        // The planner puts ADD VALUE outside a transaction so that later steps can use the
        // value; the statement itself runs in one since PostgreSQL 12, which is what review
        // says.
        (H::NonTransactional, false) => sql.contains(" ADD VALUE "),
        // An enum re-created without some labels: the planner knows which labels go; review
        // sees a cast through text to a type of the same name.
        (H::DataLoss, false) if sql.contains("::text") && sql.contains(" TYPE ") => true,
        // A virtual generated column (18) replaced by a plain one: only the planner knows the
        // ADD COLUMN follows the drop of a column whose computed values it does not keep.
        (H::DataLoss, false) => sql.contains(" ADD COLUMN ") && !sql.contains(" GENERATED "),
        _ => false,
    }
}

/// Every key the JSON review prints, and every hazard code, is documented in
/// docs/review-json.md.
fn check_review_json_docs() -> Result<(), Failed> {
    use tidemark::source::parse::{ParseOptions, SqlFile};
    fn keys(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    out.insert(k.clone());
                    keys(v, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/review-json.md"))?;
    let read = |f: &str| std::fs::read_to_string(root.join("fixtures/review/alter_table").join(f)).unwrap_or_default();
    let history = vec![SqlFile { name: "history.sql".into(), text: read("history.sql") }];
    let files = vec![SqlFile { name: "migration.sql".into(), text: read("migration.sql") }];
    let (review, _) = tidemark::review::review(&history, &files, &ParseOptions::default());
    let sizes =
        review.tables().into_iter().map(|t| (t, tidemark::review::TableSize { rows: 4.2e6, bytes: 1 << 30 })).collect();
    let json: serde_json::Value = serde_json::from_str(&tidemark::render::review::json(&review.with_sizes(&sizes)))?;
    let mut printed = std::collections::BTreeSet::new();
    keys(&json, &mut printed);
    let mut missing: Vec<String> = printed.into_iter().filter(|k| !doc.contains(&format!("`{k}`"))).collect();
    missing.extend(
        tidemark::hazard::HazardKind::ALL
            .iter()
            .map(|k| k.code().to_string())
            .filter(|c| !doc.contains(&format!("`{c}`"))),
    );
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("docs/review-json.md does not document: {}", missing.join(", ")).into())
    }
}

fn check_hazard_docs() -> Result<(), Failed> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/hazards.md");
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    if on_disk != tidemark::hazard::HazardKind::markdown() {
        return Err(
            "docs/hazards.md is not what src/hazard.rs documents: run `tidemark hazards > docs/hazards.md`".into()
        );
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let mut trials: Vec<Trial> = common::fixtures()
        .into_iter()
        .flat_map(|f| {
            let g = f.clone();
            let h = f.clone();
            [
                Trial::test(format!("plan/{}", f.name), move || check_plan_snapshot(&f)),
                Trial::test(format!("crosscheck/{}", g.name), move || check_review_agrees(&g)),
                Trial::test(format!("rendered/{}", h.name), move || check_rendered_statements(&h)),
            ]
        })
        .collect();
    let review_root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/review");
    let mut cases: Vec<_> =
        std::fs::read_dir(&review_root).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    cases.sort();
    for dir in cases {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        trials.push(Trial::test(format!("review/{name}"), move || check_review_snapshot(dir, name)));
    }
    trials.push(Trial::test("docs/hazards.md", check_hazard_docs));
    trials.push(Trial::test("docs/review-json.md", check_review_json_docs));
    libtest_mimic::run(&args, trials).exit();
}
