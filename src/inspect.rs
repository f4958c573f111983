//! A live database as desired-state SQL files (`tidemark inspect`): the onboarding path for an
//! existing database. The files are the plan from an empty database to it, cut into files by
//! schema and object kind and numbered in plan order, so that reading the directory in lexical
//! order (as tidemark and psql do) creates everything after what it depends on. Comments,
//! grants and owners go with their object's file. Pure: the caller writes the files, and
//! checks that the diff from the database to them is empty.

use crate::diff::{diff, DiffOptions};
use crate::model::{Catalog, ObjectRef};
use crate::plan::{plan, CycleError, Step};
use std::path::PathBuf;

#[derive(Clone, Debug, Default)]
pub struct InspectOptions {
    /// Write `ALTER ... OWNER TO` (off by default: files that do not state owners leave them
    /// as they are).
    pub owners: bool,
}

/// `(file name, text)`, in reading order.
pub fn files(live: &Catalog, options: &InspectOptions) -> Result<Vec<(PathBuf, String)>, CycleError> {
    let mut desired = live.clone();
    if !options.owners {
        desired.clear_owners();
    }
    for e in desired.extensions.values_mut() {
        e.version = None;
        e.comment = None;
    }
    let empty = Catalog::template();
    let changes = diff(&empty, &desired, &DiffOptions::default());
    let plan = plan(&changes, &empty, &desired)?;
    let keys: Vec<Group> = plan
        .steps
        .iter()
        .map(|s| Group::of(&s.object.clone().unwrap_or(ObjectRef::Schema("public".into())), s, &desired))
        .collect();
    // Another order the plan's graph allows: stay in one file (kind and schema) while it has
    // steps that can run, then move to the next kind in the usual order.
    let mut remaining: Vec<usize> = plan.after.iter().map(Vec::len).collect();
    let mut followers: Vec<Vec<usize>> = vec![Vec::new(); plan.steps.len()];
    for (i, before) in plan.after.iter().enumerate() {
        for &b in before {
            followers[b].push(i);
        }
    }
    let mut ready: std::collections::BTreeSet<(usize, Option<String>, usize)> = (0..plan.steps.len())
        .filter(|i| remaining[*i] == 0)
        .map(|i| (keys[i].rank(), keys[i].schema.clone(), i))
        .collect();
    let mut groups: Vec<(Group, Vec<&Step>)> = Vec::new();
    while !ready.is_empty() {
        let current = groups.last().map(|(g, _)| g.clone());
        let next = current
            .and_then(|g| ready.iter().find(|(_, _, i)| keys[*i] == g).cloned())
            .or_else(|| ready.iter().next().cloned())
            .expect("not empty");
        ready.remove(&next);
        let i = next.2;
        match groups.last_mut() {
            Some((g, steps)) if *g == keys[i] => steps.push(&plan.steps[i]),
            _ => groups.push((keys[i].clone(), vec![&plan.steps[i]])),
        }
        for &f in &followers[i] {
            remaining[f] -= 1;
            if remaining[f] == 0 {
                ready.insert((keys[f].rank(), keys[f].schema.clone(), f));
            }
        }
    }
    let width = groups.len().to_string().len().max(3);
    let mut out = Vec::new();
    for (i, (group, steps)) in groups.iter().enumerate() {
        let name = match &group.schema {
            Some(s) => format!("{:0width$}_{}_{}.sql", i + 1, file_safe(s), group.kind),
            None => format!("{:0width$}_{}.sql", i + 1, group.kind),
        };
        let mut text = crate::model::sql_comment(&format!(
            "{}{}: written by tidemark inspect (files of this directory are read in name order)",
            group.kind.replace('_', " "),
            group.schema.as_ref().map(|s| format!(" of schema {}", crate::model::quote_ident(s))).unwrap_or_default()
        ));
        text.push_str("\n\n");
        if group.kind == "functions" {
            // A body may name objects of later files.
            text.push_str("SET check_function_bodies = off;\n\n");
        }
        for s in steps {
            text.push_str(&s.sql);
            text.push_str(";\n\n");
        }
        out.push((PathBuf::from(name), text.trim_end().to_string() + "\n"));
    }
    Ok(out)
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Group {
    schema: Option<String>,
    kind: &'static str,
}

/// The order of kinds in the directory.
const KIND_ORDER: &[&str] = &[
    "schemas",
    "extensions",
    "types",
    "sequences",
    "functions",
    "casts",
    "tables",
    "views",
    "foreign_keys",
    "triggers",
    "policies",
    "rules",
    "event_triggers",
    "default_privileges",
];

impl Group {
    fn rank(&self) -> usize {
        KIND_ORDER.iter().position(|k| *k == self.kind).unwrap_or(KIND_ORDER.len())
    }

    fn of(object: &ObjectRef, step: &Step, catalog: &Catalog) -> Group {
        use ObjectRef as O;
        let s = |q: &crate::model::QualifiedName| Some(q.schema.clone());
        let (schema, kind) = match object {
            O::Schema(_) => (None, "schemas"),
            O::Extension(_) => (None, "extensions"),
            O::EventTrigger(_) => (None, "event_triggers"),
            O::Cast(_) => (None, "casts"),
            O::DefaultPrivileges(k) => (k.schema.clone(), "default_privileges"),
            O::Type(q) | O::Collation(q) | O::TextSearchConfig(q) | O::TextSearchDictionary(q) => (s(q), "types"),
            // `OWNED BY` ties a sequence to a column: it goes with the tables.
            O::Sequence(q) if step.sql.contains(" OWNED BY ") => (s(q), "tables"),
            O::Sequence(q) => (s(q), "sequences"),
            O::Constraint(t, _) if step.sql.contains(" FOREIGN KEY ") => (s(t), "foreign_keys"),
            O::Index(q) if catalog.indexes.get(q).is_some_and(|i| catalog.views.contains_key(&i.table)) => {
                (s(q), "views")
            }
            O::Table(q) | O::Index(q) | O::Statistics(q) => (s(q), "tables"),
            O::Column(t, _) | O::ColumnDefault(t, _) if catalog.views.contains_key(t) => (s(t), "views"),
            O::Column(t, _) | O::ColumnDefault(t, _) | O::Constraint(t, _) => (s(t), "tables"),
            O::View(q) => (s(q), "views"),
            O::Function(r) | O::Aggregate(r) => (s(&r.name), "functions"),
            O::Trigger(t, _) => (s(t), "triggers"),
            O::Policy(t, _) => (s(t), "policies"),
            O::Rule(t, _) => (s(t), "rules"),
        };
        Group { schema, kind }
    }
}

/// A schema name usable in a file name.
fn file_safe(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect()
}
