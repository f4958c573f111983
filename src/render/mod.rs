//! Plans as text: an SQL script with a comment before each statement naming its change and
//! hazards (every comment through `model::sql_comment`, so no name or message can end its
//! line and run as SQL). No timestamps, no random names: the same plan renders to the same bytes.

pub mod check;
pub mod review;

use crate::model::sql_comment;
use crate::plan::{HazardKind, Plan, Step};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Counts of each hazard kind in a plan, in a stable order.
pub fn hazard_summary(plan: &Plan) -> BTreeMap<HazardKind, usize> {
    hazard_counts(plan.steps.iter())
}

fn hazard_counts<'a>(steps: impl Iterator<Item = &'a Step>) -> BTreeMap<HazardKind, usize> {
    let mut counts = BTreeMap::new();
    for s in steps {
        let mut kinds: Vec<HazardKind> = s.hazards.iter().map(|h| h.kind).collect();
        kinds.dedup();
        for k in kinds {
            *counts.entry(k).or_insert(0) += 1;
        }
    }
    counts
}

pub fn hazard_summary_line(plan: &Plan) -> String {
    hazard_summary_of(plan.steps.iter())
}

/// `data loss (1), index build (2)`, or `none`.
pub fn hazard_summary_of<'a>(steps: impl Iterator<Item = &'a Step>) -> String {
    let counts = hazard_counts(steps);
    if counts.is_empty() {
        "none".to_string()
    } else {
        counts.iter().map(|(k, n)| format!("{} ({n})", k.name())).collect::<Vec<_>>().join(", ")
    }
}

/// The comment written before a step: its summary and hazards.
pub fn step_comment(s: &Step) -> String {
    let mut c = sql_comment(&s.summary);
    for h in &s.hazards {
        let _ = write!(c, "\n{}", sql_comment(&format!("  hazard: {}: {}", h.kind.name(), h.message)));
    }
    c
}

/// The plan as an SQL script; `header` lines are written as comments first.
pub fn sql_script(plan: &Plan, header: &[String]) -> String {
    let mut out = String::new();
    for line in header {
        let _ = writeln!(out, "{}", sql_comment(line));
    }
    if !header.is_empty() {
        out.push('\n');
    }
    for p in &plan.preamble {
        let _ = writeln!(out, "{p};\n");
    }
    for s in &plan.steps {
        let _ = writeln!(out, "{}\n{};\n", step_comment(s), s.sql);
    }
    out
}
