//! ChangeSet → Plan: ordered steps with hazards, locks and transactionality. Pure.
//!
//! Each change becomes an action (one or more SQL steps) with the objects it provides,
//! requires, removes and releases, taken from the model's dependency relation; `graph` orders
//! the actions. The plan remembers, for every step, the change that made it.

mod actions;
mod graph;
pub mod sql;
pub mod step;

pub use graph::CycleError;
pub use step::{Hazard, HazardKind, LockLevel, Step};

use crate::diff::Change;
use crate::model::{Catalog, ObjectRef};
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Clone, Debug, Default, Serialize)]
pub struct Plan {
    /// Session settings the steps need (`SET check_function_bodies = off` when functions are
    /// created: a body may name objects created later in the plan).
    pub preamble: Vec<String>,
    pub steps: Vec<Step>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Steps that delete data.
    pub fn data_loss(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.loses_data())
    }
}

/// Order `changes` (from `diff(from, to)`) into a plan.
pub fn plan(changes: &[Change], from: &Catalog, to: &Catalog) -> Result<Plan, CycleError> {
    let old_deps = actions::DepIndex::new(from);
    let new_deps = actions::DepIndex::new(to);
    let dropped_separately: BTreeSet<ObjectRef> = changes
        .iter()
        .filter_map(|c| match c {
            Change::DropConstraint { table, constraint } if !to.tables.contains_key(table) => {
                Some(ObjectRef::Constraint(table.clone(), constraint.name.clone()))
            }
            _ => None,
        })
        .collect();
    let cx =
        actions::Cx { from, to, old_deps: &old_deps, new_deps: &new_deps, dropped_separately: &dropped_separately };
    let actions: Vec<actions::Action> = changes.iter().map(|c| actions::action(c, &cx)).collect();
    let order = graph::order(&actions)?;
    let mut steps = Vec::new();
    let mut actions: Vec<Option<actions::Action>> = actions.into_iter().map(Some).collect();
    for i in order {
        steps.extend(actions[i].take().expect("each action once").steps);
    }
    let creates_functions =
        changes.iter().any(|c| matches!(c, Change::CreateFunction(_) | Change::ReplaceFunction { .. }));
    let preamble = if creates_functions { vec!["SET check_function_bodies = off".to_string()] } else { Vec::new() };
    Ok(Plan { preamble, steps })
}
