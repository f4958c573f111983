//! Views, functions, aggregates, triggers, event triggers, policies and row-level security.

use super::{Change, Cx};
use crate::model::{AclKind, ArgMode, Function, ObjectRef, View};

impl Cx<'_> {
    pub(super) fn views(&mut self) {
        for (name, v) in &self.from.views {
            if self.to.views.get(name).is_none_or(|n| !view_replaceable(v, n) && !same_view(v, n)) {
                self.push(Change::DropView(v.clone()));
            }
        }
        for (name, v) in &self.to.views {
            let obj = ObjectRef::View(name.clone());
            match self.from.views.get(name) {
                Some(old) if same_view(old, v) => {
                    if old.materialized && old.populated != v.populated {
                        self.push(Change::RefreshView { name: name.clone(), populated: v.populated });
                    }
                    self.decorate_view(Some(old), v);
                }
                Some(old) if view_replaceable(old, v) => {
                    self.push(Change::ReplaceView { from: old.clone(), to: v.clone() });
                    self.decorate_view(Some(old), v);
                }
                _ => {
                    self.push(Change::CreateView(undecorated_view(v)));
                    self.decorate_view(None, v);
                }
            }
            let _ = obj;
        }
    }

    /// Comments, owner and privileges of a view (all of them when it is created).
    pub(super) fn decorate_view(&mut self, old: Option<&View>, v: &View) {
        let obj = ObjectRef::View(v.name.clone());
        self.owner(obj.clone(), &old.and_then(|o| o.owner.clone()), &v.owner);
        self.comment(obj.clone(), &old.and_then(|o| o.comment.clone()), &v.comment);
        for c in &v.columns {
            let was = old.and_then(|o| o.columns.iter().find(|x| x.name == c.name));
            let before = was.and_then(|x| x.comment.clone());
            self.comment(ObjectRef::Column(v.name.clone(), c.name.clone()), &before, &c.comment);
            let old_default = was.and_then(|x| x.default.clone());
            if old_default != c.default {
                match &c.default {
                    Some(d) => self.push(Change::SetDefault {
                        table: v.name.clone(),
                        column: c.name.clone(),
                        from: old_default,
                        to: d.clone(),
                    }),
                    None => {
                        let from = old_default.expect("differs");
                        self.push(Change::DropDefault { table: v.name.clone(), column: c.name.clone(), from })
                    }
                }
            }
            let owners = (old.and_then(|o| o.owner.as_deref()), v.owner.as_deref());
            self.privileges(
                ObjectRef::Column(v.name.clone(), c.name.clone()),
                AclKind::Column,
                was.map(|x| &x.acl),
                &c.acl,
                owners,
            );
        }
        let old_acl = old.map(|o| &o.acl);
        self.privileges(
            obj,
            AclKind::Table,
            old_acl,
            &v.acl,
            (old.and_then(|o| o.owner.as_deref()), v.owner.as_deref()),
        );
    }

    pub(super) fn functions(&mut self) {
        for (id, f) in &self.from.functions {
            if self.to.functions.get(id).is_none_or(|n| !function_replaceable(f, n)) {
                self.push(Change::DropFunction(f.clone()));
            }
        }
        for (id, f) in &self.to.functions {
            match self.from.functions.get(id) {
                Some(old) if function_replaceable(old, f) => {
                    if !same_function(old, f) {
                        self.push(Change::ReplaceFunction { from: old.clone(), to: f.clone() });
                    }
                    self.decorate_function(Some(old), f);
                }
                _ => {
                    self.push(Change::CreateFunction(undecorated_function(f)));
                    self.decorate_function(None, f);
                }
            }
        }
        for (id, a) in &self.from.aggregates {
            if self.to.aggregates.get(id).is_none_or(|n| n.args != a.args || n.options != a.options) {
                self.push(Change::DropAggregate(a.clone()));
            }
        }
        for (id, a) in &self.to.aggregates {
            let obj = ObjectRef::Aggregate(id.clone());
            let old = self.from.aggregates.get(id).filter(|o| o.args == a.args && o.options == a.options);
            if old.is_none() {
                let mut created = a.clone();
                created.comment = None;
                self.push(Change::CreateAggregate(created));
            }
            self.owner(obj.clone(), &old.and_then(|o| o.owner.clone()), &a.owner);
            self.comment(obj.clone(), &old.and_then(|o| o.comment.clone()), &a.comment);
            self.privileges(
                obj,
                AclKind::Function,
                old.map(|o| &o.acl),
                &a.acl,
                (old.and_then(|o| o.owner.as_deref()), a.owner.as_deref()),
            );
        }
    }

    pub(super) fn decorate_function(&mut self, old: Option<&Function>, f: &Function) {
        let obj = ObjectRef::Function(f.id.clone());
        self.owner(obj.clone(), &old.and_then(|o| o.owner.clone()), &f.owner);
        self.comment(obj.clone(), &old.and_then(|o| o.comment.clone()), &f.comment);
        self.privileges(
            obj,
            AclKind::Function,
            old.map(|o| &o.acl),
            &f.acl,
            (old.and_then(|o| o.owner.as_deref()), f.owner.as_deref()),
        );
    }

    pub(super) fn triggers(&mut self) {
        for (key, t) in &self.from.triggers {
            let replaceable = |n: &crate::model::Trigger| t.constraint.is_none() && n.constraint.is_none();
            match self.to.triggers.get(key) {
                None => self.push(Change::DropTrigger(t.clone())),
                Some(n) if !same_trigger(t, n) && !replaceable(n) => self.push(Change::DropTrigger(t.clone())),
                _ => {}
            }
        }
        for (key, t) in &self.to.triggers {
            let old = self.from.triggers.get(key);
            match old {
                Some(o) if same_trigger(o, t) => {
                    if o.enabled != t.enabled {
                        self.push(Change::SetTriggerEnabled {
                            table: t.table.clone(),
                            name: t.name.clone(),
                            enabled: t.enabled,
                        });
                    }
                }
                Some(o) if o.constraint.is_none() && t.constraint.is_none() => {
                    self.push(Change::ReplaceTrigger { from: o.clone(), to: t.clone() });
                    if o.enabled != t.enabled {
                        self.push(Change::SetTriggerEnabled {
                            table: t.table.clone(),
                            name: t.name.clone(),
                            enabled: t.enabled,
                        });
                    }
                }
                _ => self.create_trigger(t),
            }
            let obj = ObjectRef::Trigger(t.table.clone(), t.name.clone());
            self.comment(obj, &old.and_then(|o| o.comment.clone()), &t.comment);
        }
        for (name, t) in &self.from.event_triggers {
            if self.to.event_triggers.get(name).is_none_or(|n| !same_event_trigger(t, n)) {
                self.push(Change::DropEventTrigger(t.clone()));
            }
        }
        for (name, t) in &self.to.event_triggers {
            let obj = ObjectRef::EventTrigger(name.clone());
            let old = self.from.event_triggers.get(name).filter(|o| same_event_trigger(o, t));
            match old {
                Some(o) if o.enabled != t.enabled => {
                    self.push(Change::SetEventTriggerEnabled { name: name.clone(), enabled: t.enabled })
                }
                Some(_) => {}
                None => {
                    let mut created = t.clone();
                    created.comment = None;
                    self.push(Change::CreateEventTrigger(created));
                    if t.enabled != crate::model::TriggerEnabled::Origin {
                        self.push(Change::SetEventTriggerEnabled { name: name.clone(), enabled: t.enabled });
                    }
                }
            }
            self.owner(obj.clone(), &old.and_then(|o| o.owner.clone()), &t.owner);
            self.comment(obj, &old.and_then(|o| o.comment.clone()), &t.comment);
        }
    }

    /// A trigger created anew (with its enabled state when not the default).
    pub(super) fn create_trigger(&mut self, t: &crate::model::Trigger) {
        let mut created = t.clone();
        created.comment = None;
        created.enabled = crate::model::TriggerEnabled::Origin;
        self.push(Change::CreateTrigger(created));
        if t.enabled != crate::model::TriggerEnabled::Origin {
            self.push(Change::SetTriggerEnabled { table: t.table.clone(), name: t.name.clone(), enabled: t.enabled });
        }
    }

    /// Casts cannot be altered: a cast whose definition changes is dropped and created.
    pub(super) fn casts(&mut self) {
        let same = |a: &crate::model::Cast, b: &crate::model::Cast| {
            a.source == b.source && a.target == b.target && a.method == b.method && a.context == b.context
        };
        for (key, c) in &self.from.casts {
            if self.to.casts.get(key).is_none_or(|n| !same(c, n)) {
                self.push(Change::DropCast(c.clone()));
            }
        }
        for (key, c) in &self.to.casts {
            let old = self.from.casts.get(key).filter(|o| same(o, c));
            if old.is_none() {
                self.push(Change::CreateCast(crate::model::Cast { comment: None, ..c.clone() }));
            }
            self.comment(ObjectRef::Cast(key.clone()), &old.and_then(|o| o.comment.clone()), &c.comment);
        }
    }

    pub(super) fn rules(&mut self) {
        for (key, r) in &self.from.rules {
            if !self.to.rules.contains_key(key) {
                self.push(Change::DropRule(r.clone()));
            }
        }
        for (key, r) in &self.to.rules {
            let old = self.from.rules.get(key);
            match old {
                Some(o) if same_rule(o, r) => {}
                Some(o) => self.push(Change::ReplaceRule { from: o.clone(), to: undecorated_rule(r) }),
                None => self.push(Change::CreateRule(undecorated_rule(r))),
            }
            self.comment(
                ObjectRef::Rule(r.table.clone(), r.name.clone()),
                &old.and_then(|o| o.comment.clone()),
                &r.comment,
            );
        }
    }

    pub(super) fn policies(&mut self) {
        for (key, p) in &self.from.policies {
            if self.to.policies.get(key).is_none_or(|n| n.command != p.command || n.permissive != p.permissive) {
                self.push(Change::DropPolicy(p.clone()));
            }
        }
        for (key, p) in &self.to.policies {
            let old = self.from.policies.get(key).filter(|o| o.command == p.command && o.permissive == p.permissive);
            match old {
                Some(o) => {
                    if o.roles != p.roles || o.using != p.using || o.with_check != p.with_check {
                        self.push(Change::AlterPolicy { from: o.clone(), to: p.clone() });
                    }
                }
                None => {
                    let mut created = p.clone();
                    created.comment = None;
                    self.push(Change::CreatePolicy(created));
                }
            }
            self.comment(
                ObjectRef::Policy(p.table.clone(), p.name.clone()),
                &old.and_then(|o| o.comment.clone()),
                &p.comment,
            );
        }
        for (name, t) in &self.to.tables {
            let (enabled, forced) =
                self.from.tables.get(name).map_or((false, false), |o| (o.rls_enabled, o.rls_forced));
            if enabled != t.rls_enabled {
                self.push(Change::SetRowSecurity { table: name.clone(), enabled: t.rls_enabled });
            }
            if forced != t.rls_forced {
                self.push(Change::SetForceRowSecurity { table: name.clone(), forced: t.rls_forced });
            }
        }
    }
}

fn undecorated_view(v: &View) -> View {
    let mut v = v.clone();
    v.comment = None;
    v.columns.iter_mut().for_each(|c| c.comment = None);
    v
}

pub(super) fn undecorated_rule(r: &crate::model::Rule) -> crate::model::Rule {
    crate::model::Rule { comment: None, ..r.clone() }
}

/// Equal as far as CREATE RULE is concerned (not the comment).
fn same_rule(a: &crate::model::Rule, b: &crate::model::Rule) -> bool {
    undecorated_rule(a) == undecorated_rule(b)
}

fn undecorated_function(f: &Function) -> Function {
    let mut f = f.clone();
    f.comment = None;
    f
}

/// Equal as far as CREATE VIEW is concerned (not comments, owner, privileges, population).
pub(super) fn same_view(a: &View, b: &View) -> bool {
    a.materialized == b.materialized
        && a.query == b.query
        && a.options == b.options
        && a.columns.iter().map(|c| &c.name).eq(b.columns.iter().map(|c| &c.name))
}

/// `CREATE OR REPLACE VIEW` keeps the old columns (names, and types where both sides know
/// them) and may add columns after them; materialized views cannot be replaced.
pub(super) fn view_replaceable(from: &View, to: &View) -> bool {
    !from.materialized
        && !to.materialized
        && to.columns.len() >= from.columns.len()
        && from.columns.iter().zip(&to.columns).all(|(a, b)| {
            a.name == b.name
                && match (a.ty.0.as_ref(), b.ty.0.as_ref()) {
                    (Some(x), Some(y)) => x == y,
                    _ => true,
                }
        })
}

pub(super) fn same_function(a: &Function, b: &Function) -> bool {
    let strip = |f: &Function| {
        let mut f = f.clone();
        f.owner = None;
        f.comment = None;
        f.acl = None;
        f
    };
    strip(a) == strip(b)
}

/// `CREATE OR REPLACE FUNCTION` cannot change the result, argument names, or remove defaults.
pub(super) fn function_replaceable(from: &Function, to: &Function) -> bool {
    from.procedure == to.procedure
        && from.window == to.window
        && from.result_signature() == to.result_signature()
        && from.args.len() == to.args.len()
        && from.args.iter().zip(&to.args).all(|(a, b)| {
            a.mode == b.mode
                && (a.name == b.name || (a.mode == ArgMode::In && a.name.is_none()))
                && !(a.default.is_some() && b.default.is_none())
        })
}

fn same_trigger(a: &crate::model::Trigger, b: &crate::model::Trigger) -> bool {
    let strip = |t: &crate::model::Trigger| {
        let mut t = t.clone();
        t.comment = None;
        t.enabled = crate::model::TriggerEnabled::Origin;
        t
    };
    strip(a) == strip(b)
}

fn same_event_trigger(a: &crate::model::EventTrigger, b: &crate::model::EventTrigger) -> bool {
    a.event == b.event && a.tags == b.tags && a.function == b.function
}
