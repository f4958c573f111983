//! ChangeSet → Plan: ordered steps with hazards, locks and transactionality. Pure.
//!
//! Each change becomes an action (one or more SQL steps) with the objects it provides,
//! requires, removes and releases, taken from the model's dependency relation; `graph` orders
//! the actions. The plan remembers, for every step, the change that made it.

mod actions;
pub mod contract;
mod graph;
pub mod sql;
pub mod step;
pub mod typechange;

pub use graph::CycleError;
pub use step::{Hazard, HazardKind, LockLevel, Severity, Step};

use crate::diff::Change;
use crate::model::{Catalog, ObjectRef, QualifiedName};
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Clone, Debug, Default, Serialize)]
pub struct Plan {
    /// Session settings the steps need (`SET check_function_bodies = off` when functions are
    /// created: a body may name objects created later in the plan).
    pub preamble: Vec<String>,
    pub steps: Vec<Step>,
    /// For each step, the steps that must run before it (the graph's edges): other valid
    /// orders can be drawn from it (`inspect` groups files by kind).
    #[serde(skip)]
    pub after: Vec<Vec<usize>>,
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

/// How plans are written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanOptions {
    /// Online-safe forms on tables that exist before and after the plan: indexes built and
    /// dropped CONCURRENTLY, CHECK and FOREIGN KEY constraints added NOT VALID then validated,
    /// SET NOT NULL through a validated CHECK.
    pub online: bool,
    /// `SET lock_timeout` before the first statement that locks an existing table.
    pub lock_timeout: Option<String>,
    /// `SET statement_timeout` likewise.
    pub statement_timeout: Option<String>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions { online: true, lock_timeout: Some("5s".into()), statement_timeout: None }
    }
}

impl PlanOptions {
    /// Plain DDL: no online forms, no timeouts (`--no-online`; also what `inspect` writes).
    pub fn offline() -> Self {
        PlanOptions { online: false, lock_timeout: None, statement_timeout: None }
    }

    /// The `SET` statements that bound waiting for, and holding, locks on tables in use.
    pub fn timeouts(&self) -> Vec<String> {
        let set = |name: &str, value: &Option<String>| {
            value.as_ref().map(|v| format!("SET {name} = {}", crate::model::quote_literal(v)))
        };
        [set("lock_timeout", &self.lock_timeout), set("statement_timeout", &self.statement_timeout)]
            .into_iter()
            .flatten()
            .collect()
    }
}

/// Order `changes` (from `diff(from, to)`) into a plan, with the default options.
pub fn plan(changes: &[Change], from: &Catalog, to: &Catalog) -> Result<Plan, CycleError> {
    plan_with(changes, from, to, &PlanOptions::default())
}

/// Order `changes` (from `diff(from, to)`) into a plan.
pub fn plan_with(changes: &[Change], from: &Catalog, to: &Catalog, options: &PlanOptions) -> Result<Plan, CycleError> {
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
    let created_tables: BTreeSet<QualifiedName> = changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateTable(t) => Some(t.name.clone()),
            _ => None,
        })
        .collect();
    let cx = actions::Cx {
        from,
        to,
        old_deps: &old_deps,
        new_deps: &new_deps,
        dropped_separately: &dropped_separately,
        created_tables: &created_tables,
        online: options.online,
    };
    let actions: Vec<actions::Action> = changes
        .iter()
        .map(|c| {
            let mut a = actions::action(c, &cx);
            let object = c.object();
            for s in &mut a.steps {
                s.object.get_or_insert_with(|| object.clone());
            }
            a
        })
        .collect();
    let graph::Ordered { order, edges } = graph::order(&actions)?;
    let mut steps = Vec::new();
    let mut after: Vec<Vec<usize>> = Vec::new();
    // Each action's steps, as positions in the plan.
    let mut positions: Vec<std::ops::Range<usize>> = vec![0..0; actions.len()];
    let mut actions: Vec<Option<actions::Action>> = actions.into_iter().map(Some).collect();
    for &i in &order {
        let start = steps.len();
        for (k, s) in actions[i].take().expect("each action once").steps.into_iter().enumerate() {
            after.push(if k == 0 { Vec::new() } else { vec![start + k - 1] });
            steps.push(s);
        }
        positions[i] = start..steps.len();
    }
    // An action stands for its last step; an action without steps for what stands before it.
    let mut before: Vec<Vec<usize>> = vec![Vec::new(); positions.len()];
    for (a, b) in edges {
        before[b].push(a);
    }
    let mut stands_for: Vec<Vec<usize>> = vec![Vec::new(); positions.len()];
    for &i in &order {
        let preds: Vec<usize> = before[i].iter().flat_map(|p| stands_for[*p].clone()).collect();
        match positions[i].clone().last() {
            Some(last) => {
                after[positions[i].start].extend(preds);
                stands_for[i] = vec![last];
            }
            None => stands_for[i] = preds,
        }
    }
    for a in &mut after {
        a.sort_unstable();
        a.dedup();
    }
    let creates_functions =
        changes.iter().any(|c| matches!(c, Change::CreateFunction(_) | Change::ReplaceFunction { .. }));
    let mut preamble = Vec::new();
    // Timeouts only where a statement waits for a table others use.
    let table_of = |o: &ObjectRef| -> Option<QualifiedName> {
        match o {
            ObjectRef::Index(i) => from.indexes.get(i).or_else(|| to.indexes.get(i)).map(|i| i.table.clone()),
            other => other.table().cloned(),
        }
    };
    // A lock on anything but a table this plan creates (dropping a table in use waits too).
    let locks_existing = steps.iter().any(|s| {
        s.lock.is_some()
            && (s.locked_table.is_some()
                || s.object.as_ref().and_then(table_of).is_none_or(|t| from.tables.contains_key(&t)))
    });
    if locks_existing {
        preamble.extend(options.timeouts());
    }
    if creates_functions {
        preamble.push("SET check_function_bodies = off".to_string());
    }
    Ok(Plan { preamble, steps, after })
}
