//! Snapshot tests: for every fixture, the plan from `from.sql` to `to.sql` (both parsed, no
//! server) is rendered and compared with `plan.snap` beside the fixture; for every
//! `fixtures/review/<case>`, the review of `migration.sql` after `history.sql` is compared with
//! `review.snap`; and `docs/hazards.md` must be what `tidemark hazards` prints. Review changes
//! with `INSTA_UPDATE=always cargo test --test fixtures` and `git diff fixtures/`.

mod common;

use libtest_mimic::{Arguments, Failed, Trial};

fn check_plan_snapshot(f: &common::Fixture) -> Result<(), Failed> {
    let from = common::parse(&f.source_file())?;
    let to = common::parse(&f.target_file())?;
    let plan = common::plan_between(&from, &to, false)?;
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
        .map(|f| Trial::test(format!("plan/{}", f.name), move || check_plan_snapshot(&f)))
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
    libtest_mimic::run(&args, trials).exit();
}
