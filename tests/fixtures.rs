//! Snapshot tests: for every fixture, the plan from `from.sql` to `to.sql` (both parsed, no
//! server) is rendered and compared with `plan.snap` beside the fixture. Review changes with
//! `INSTA_UPDATE=always cargo test --test fixtures` and `git diff fixtures/`.

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

fn main() {
    let args = Arguments::from_args();
    let trials = common::fixtures()
        .into_iter()
        .map(|f| Trial::test(format!("plan/{}", f.name), move || check_plan_snapshot(&f)))
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
