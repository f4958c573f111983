//! Dependents of rebuilt objects. The server refuses to drop a view someone's view reads, to
//! change the type of a column a view or policy reads, to drop a function a trigger calls. When
//! a change removes or rebuilds such an object, its dependents (taken from the old catalog's
//! dependency relation, transitively) that survive in the new catalog are dropped before it
//! and created again after it, as the new catalog has them, with their comments, owners and
//! privileges (a change that would have altered them in place gives way to the rebuild).

use super::{Change, Cx};
use crate::model::ObjectRef;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Which dependents a root invalidates.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// Everything that depends on it (the object itself is dropped).
    All,
    /// Only what the server cannot rebuild itself (a retyped column: views, policies,
    /// triggers, generated columns; constraints and indexes the server rebuilds).
    Rules,
}

impl Cx<'_> {
    pub(super) fn recreate_dependents(&mut self) {
        let mut dependents: BTreeMap<ObjectRef, Vec<ObjectRef>> = BTreeMap::new();
        for d in self.from.dependencies() {
            dependents.entry(d.to).or_default().push(d.from);
        }
        let mut handled: BTreeSet<ObjectRef> = self.out.iter().filter_map(dropped_object).collect();
        let mut queue: VecDeque<(ObjectRef, Reach)> = VecDeque::new();
        for c in self.out.iter() {
            match c {
                // A table built anew (its partitioning changed): what hangs on it, but its own
                // columns and constraints, which its CREATE TABLE states again.
                Change::DropTable(t) if !self.to.tables.contains_key(&t.name) => {
                    queue.push_back((ObjectRef::Table(t.name.clone()), Reach::All))
                }
                Change::DropTable(t) if self.to.tables.contains_key(&t.name) => {
                    for c in &t.columns {
                        handled.insert(ObjectRef::Column(t.name.clone(), c.name.clone()));
                        handled.insert(ObjectRef::ColumnDefault(t.name.clone(), c.name.clone()));
                    }
                    for k in t.constraints.keys() {
                        handled.insert(ObjectRef::Constraint(t.name.clone(), k.clone()));
                    }
                    queue.push_back((ObjectRef::Table(t.name.clone()), Reach::All));
                }
                Change::DropView(v) => queue.push_back((ObjectRef::View(v.name.clone()), Reach::All)),
                Change::DropFunction(f) => queue.push_back((ObjectRef::Function(f.id.clone()), Reach::All)),
                Change::AlterColumnType { table, column, .. } => {
                    queue.push_back((ObjectRef::Column(table.clone(), column.clone()), Reach::Rules))
                }
                Change::RegenerateColumn { table, to, .. } => {
                    queue.push_back((ObjectRef::Column(table.clone(), to.name.clone()), Reach::Rules))
                }
                Change::RecreateType { from, .. } => {
                    queue.push_back((ObjectRef::Type(from.name.clone()), Reach::All));
                    for (t, col) in super::columns_of_type(self.from, &from.name) {
                        queue.push_back((ObjectRef::Column(t.clone(), col.name.clone()), Reach::Rules));
                    }
                }
                _ => {}
            }
        }
        let mut extra = Vec::new();
        while let Some((root, reach)) = queue.pop_front() {
            for dep in dependents.get(&root).cloned().unwrap_or_default() {
                if handled.contains(&dep) {
                    continue;
                }
                let rule_like = matches!(
                    dep,
                    ObjectRef::View(_) | ObjectRef::Policy(..) | ObjectRef::Trigger(..) | ObjectRef::Rule(..)
                ) || self.generated_column(&dep, self.from).is_some();
                if reach == Reach::Rules && !rule_like {
                    continue;
                }
                if self.rebuild(&dep, &mut extra) {
                    handled.insert(dep.clone());
                    queue.push_back((dep, Reach::All));
                }
            }
        }
        self.out.extend(extra);
    }

    /// Drop and create again an object that exists on both sides. False when it
    /// is not one that can be rebuilt from the model, or does not survive.
    fn rebuild(&mut self, obj: &ObjectRef, out: &mut Vec<Change>) -> bool {
        // A rebuilt object is created as the new catalog has it, decorations included: what
        // was going to alter it in place (CREATE OR REPLACE, a comment, a grant) is moot.
        // (A change in place implies the object is on both sides, so the rebuild happens.)
        let to = self.to;
        self.out.retain(|c| altered_in_place(c, to).as_ref() != Some(obj));
        // A generated column is added again as `to` has it: a regeneration or retype of it is moot.
        if let (Some(_), Some(_), ObjectRef::Column(t, g)) =
            (self.generated_column(obj, self.from), self.generated_column(obj, to), obj)
        {
            self.out.retain(|c| match c {
                Change::RegenerateColumn { table, to, .. } => !(table == t && to.name == *g),
                Change::AlterColumnType { table, column, .. } => !(table == t && column == g),
                _ => true,
            });
        }
        let before = self.out.len();
        let rebuilt = match obj {
            ObjectRef::View(n) => match (self.from.views.get(n), self.to.views.get(n)) {
                (Some(a), Some(b)) => {
                    self.push(Change::DropView(a.clone()));
                    let mut created = b.clone();
                    created.comment = None;
                    created.columns.iter_mut().for_each(|c| c.comment = None);
                    self.push(Change::CreateView(created));
                    self.decorate_view(None, b);
                    true
                }
                _ => false,
            },
            ObjectRef::Function(id) => match (self.from.functions.get(id), self.to.functions.get(id)) {
                (Some(a), Some(b)) => {
                    self.push(Change::DropFunction(a.clone()));
                    let mut created = b.clone();
                    created.comment = None;
                    self.push(Change::CreateFunction(created));
                    self.decorate_function(None, b);
                    true
                }
                _ => false,
            },
            ObjectRef::Trigger(t, n) => {
                let key = crate::model::Member::new(t, n.clone());
                match (self.from.triggers.get(&key), self.to.triggers.get(&key)) {
                    (Some(a), Some(b)) => {
                        self.push(Change::DropTrigger(a.clone()));
                        self.create_trigger(b);
                        self.comment(obj.clone(), &None, &b.comment);
                        true
                    }
                    _ => false,
                }
            }
            ObjectRef::Policy(t, n) => {
                let key = crate::model::Member::new(t, n.clone());
                match (self.from.policies.get(&key), self.to.policies.get(&key)) {
                    (Some(a), Some(b)) => {
                        self.push(Change::DropPolicy(a.clone()));
                        let mut created = b.clone();
                        created.comment = None;
                        self.push(Change::CreatePolicy(created));
                        self.comment(obj.clone(), &None, &b.comment);
                        true
                    }
                    _ => false,
                }
            }
            ObjectRef::Cast(k) => match (self.from.casts.get(k), self.to.casts.get(k)) {
                (Some(a), Some(b)) => {
                    self.push(Change::DropCast(a.clone()));
                    self.push(Change::CreateCast(crate::model::Cast { comment: None, ..b.clone() }));
                    self.comment(obj.clone(), &None, &b.comment);
                    true
                }
                _ => false,
            },
            ObjectRef::Rule(t, n) => {
                let key = crate::model::Member::new(t, n.clone());
                match (self.from.rules.get(&key), self.to.rules.get(&key)) {
                    (Some(a), Some(b)) => {
                        self.push(Change::DropRule(a.clone()));
                        self.push(Change::CreateRule(super::routines::undecorated_rule(b)));
                        self.comment(obj.clone(), &None, &b.comment);
                        true
                    }
                    _ => false,
                }
            }
            ObjectRef::Constraint(t, n) => {
                let a = self.from.tables.get(t).and_then(|x| x.constraints.get(n));
                let b = self.to.tables.get(t).and_then(|x| x.constraints.get(n));
                match (a, b) {
                    (Some(a), Some(b)) => {
                        self.push(Change::DropConstraint { table: t.clone(), constraint: a.clone() });
                        let mut created = b.clone();
                        created.comment = None;
                        self.push(Change::AddConstraint { table: t.clone(), constraint: created });
                        self.comment(obj.clone(), &None, &b.comment);
                        true
                    }
                    _ => false,
                }
            }
            ObjectRef::Index(n) => match (self.from.indexes.get(n), self.to.indexes.get(n)) {
                (Some(a), Some(b)) => {
                    self.push(Change::DropIndex(a.clone()));
                    let mut created = b.clone();
                    created.comment = None;
                    self.push(Change::CreateIndex(created));
                    self.comment(obj.clone(), &None, &b.comment);
                    true
                }
                _ => false,
            },
            ObjectRef::Statistics(n) => match (self.from.statistics.get(n), self.to.statistics.get(n)) {
                (Some(a), Some(b)) => {
                    self.push(Change::DropStatistics(a.clone()));
                    self.create_statistics(b);
                    true
                }
                _ => false,
            },
            // A stored generated column reading a retyped column: the server refuses the type
            // change while it exists ("cannot alter type of a column used by a generated
            // column"), so it is dropped before and added again after (its values are derived).
            ObjectRef::Column(t, _) => {
                match (self.generated_column(obj, self.from), self.generated_column(obj, self.to)) {
                    (Some(a), Some(b)) => {
                        let (a, b) = (a.clone(), b.clone());
                        self.push(Change::DropColumn { table: t.clone(), column: a, only: false });
                        let mut added = b.clone();
                        added.comment = None;
                        added.statistics = None;
                        added.storage = None;
                        self.push(Change::AddColumn { table: t.clone(), column: added });
                        self.comment(obj.clone(), &None, &b.comment);
                        true
                    }
                    _ => false,
                }
            }
            ObjectRef::ColumnDefault(t, c) => {
                let a = self.from.tables.get(t).and_then(|x| x.column(c)).and_then(|c| c.default.clone());
                let b = self.to.tables.get(t).and_then(|x| x.column(c)).and_then(|c| c.default.clone());
                match (a, b) {
                    (Some(a), Some(b)) => {
                        self.push(Change::DropDefault { table: t.clone(), column: c.clone(), from: a });
                        self.push(Change::SetDefault { table: t.clone(), column: c.clone(), from: None, to: b });
                        true
                    }
                    _ => false,
                }
            }
            _ => false,
        };
        out.extend(self.out.drain(before..));
        rebuilt
    }
}

impl Cx<'_> {
    /// The stored generated column `obj` names in `catalog`, if it is one.
    fn generated_column<'c>(
        &self,
        obj: &ObjectRef,
        catalog: &'c crate::model::Catalog,
    ) -> Option<&'c crate::model::Column> {
        let ObjectRef::Column(t, c) = obj else {
            return None;
        };
        catalog.tables.get(t).and_then(|t| t.column(c)).filter(|c| c.generated.is_some())
    }
}

/// The object a change alters in place, if any (decorations of a view's columns count as the
/// view's).
fn altered_in_place(c: &Change, to: &crate::model::Catalog) -> Option<ObjectRef> {
    Some(match c {
        Change::ReplaceView { to, .. } => ObjectRef::View(to.name.clone()),
        Change::RefreshView { name, .. } => ObjectRef::View(name.clone()),
        Change::ReplaceFunction { to, .. } => ObjectRef::Function(to.id.clone()),
        Change::ReplaceTrigger { to, .. } => ObjectRef::Trigger(to.table.clone(), to.name.clone()),
        Change::SetTriggerEnabled { table, name, .. } => ObjectRef::Trigger(table.clone(), name.clone()),
        Change::AlterPolicy { to, .. } => ObjectRef::Policy(to.table.clone(), to.name.clone()),
        Change::ReplaceRule { to, .. } => ObjectRef::Rule(to.table.clone(), to.name.clone()),
        Change::SetIndexOptions { name, .. } => ObjectRef::Index(name.clone()),
        Change::SetStatisticsTarget { name, .. } => ObjectRef::Statistics(name.clone()),
        Change::Comment { object, .. }
        | Change::AlterOwner { object, .. }
        | Change::Grant { object, .. }
        | Change::Revoke { object, .. } => match object {
            ObjectRef::Column(v, _) if to.views.contains_key(v) => ObjectRef::View(v.clone()),
            other => other.clone(),
        },
        _ => return None,
    })
}

/// The object a change drops (or rebuilds), if any.
fn dropped_object(c: &Change) -> Option<ObjectRef> {
    Some(match c {
        Change::DropView(v) => ObjectRef::View(v.name.clone()),
        Change::DropFunction(f) => ObjectRef::Function(f.id.clone()),
        Change::DropAggregate(a) => ObjectRef::Aggregate(a.id.clone()),
        Change::DropTrigger(t) => ObjectRef::Trigger(t.table.clone(), t.name.clone()),
        Change::ReplaceTrigger { to, .. } => ObjectRef::Trigger(to.table.clone(), to.name.clone()),
        Change::DropPolicy(p) => ObjectRef::Policy(p.table.clone(), p.name.clone()),
        Change::DropRule(r) => ObjectRef::Rule(r.table.clone(), r.name.clone()),
        Change::DropCast(c) => ObjectRef::Cast(c.key()),
        Change::DropConstraint { table, constraint } => ObjectRef::Constraint(table.clone(), constraint.name.clone()),
        Change::DropIndex(i) => ObjectRef::Index(i.name.clone()),
        Change::DropStatistics(s) => ObjectRef::Statistics(s.name.clone()),
        Change::DropDefault { table, column, .. } => ObjectRef::ColumnDefault(table.clone(), column.clone()),
        Change::DropTable(t) => ObjectRef::Table(t.name.clone()),
        Change::DropColumn { table, column, .. } => ObjectRef::Column(table.clone(), column.name.clone()),
        _ => return None,
    })
}
