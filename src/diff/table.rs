//! Tables, columns and constraints.

use super::{option_changes, Change, Cx};
use crate::diff::needs_using;
use crate::model::{quote_ident, AclKind, Column, Constraint, ConstraintKind, ObjectRef, QualifiedName, Table};

impl Cx<'_> {
    pub(super) fn tables(&mut self) {
        for (name, t) in &self.from.tables {
            if self.to.tables.contains_key(name) {
                continue;
            }
            // Foreign keys between tables dropped together are dropped first, so the tables
            // can go in any order (cycles included).
            for c in t.constraints.values() {
                if let ConstraintKind::ForeignKey(fk) = &c.kind {
                    if fk.ref_table != *name
                        && !self.to.tables.contains_key(&fk.ref_table)
                        && self.from.tables.contains_key(&fk.ref_table)
                    {
                        self.push(Change::DropConstraint { table: name.clone(), constraint: c.clone() });
                    }
                }
            }
            self.push(Change::DropTable(t.clone()));
        }
        for (name, t) in &self.to.tables {
            match self.from.tables.get(name) {
                None => self.create_table(t),
                Some(old) => self.alter_table(old, t),
            }
        }
    }

    fn create_table(&mut self, t: &Table) {
        let mut inline = t.clone();
        inline.constraints.retain(|_, c| !matches!(c.kind, ConstraintKind::ForeignKey(_)));
        for c in inline.constraints.values_mut() {
            c.comment = None;
        }
        for c in &mut inline.columns {
            c.comment = None;
        }
        self.push(Change::CreateTable(inline));
        let table = ObjectRef::Table(t.name.clone());
        self.new_owner(table.clone(), &t.owner);
        self.comment(table.clone(), &None, &t.comment);
        self.privileges(table, AclKind::Table, None, &t.acl, (None, t.owner.as_deref()));
        for c in &t.columns {
            if let Some(s) = c.statistics {
                self.push(Change::SetColumnStatistics {
                    table: t.name.clone(),
                    column: c.name.clone(),
                    value: Some(s),
                });
            }
            if let Some(s) = c.storage {
                self.push(Change::SetColumnStorage { table: t.name.clone(), column: c.name.clone(), storage: s });
            }
            self.comment(ObjectRef::Column(t.name.clone(), c.name.clone()), &None, &c.comment);
            self.privileges(
                ObjectRef::Column(t.name.clone(), c.name.clone()),
                AclKind::Column,
                None,
                &c.acl,
                (None, t.owner.as_deref()),
            );
        }
        for c in t.constraints.values() {
            if matches!(c.kind, ConstraintKind::ForeignKey(_)) {
                self.push(Change::AddConstraint { table: t.name.clone(), constraint: c.clone() });
            }
            self.comment(ObjectRef::Constraint(t.name.clone(), c.name.clone()), &None, &c.comment);
        }
        if t.replica_identity != crate::model::ReplicaIdentity::Default {
            self.push(Change::SetReplicaIdentity { table: t.name.clone(), identity: t.replica_identity.clone() });
        }
        if t.cluster_on.is_some() {
            self.push(Change::SetClusterOn { table: t.name.clone(), index: t.cluster_on.clone() });
        }
    }

    fn alter_table(&mut self, old: &Table, new: &Table) {
        let name = &new.name;
        if old.unlogged != new.unlogged {
            self.push(Change::SetLogged { table: name.clone(), unlogged: new.unlogged });
        }
        if old.options != new.options {
            let (set, reset) = option_changes(&old.options, &new.options);
            self.push(Change::SetTableOptions { table: name.clone(), set, reset });
        }
        for c in &old.columns {
            if new.column(&c.name).is_none() {
                self.push(Change::DropColumn { table: name.clone(), column: c.clone() });
            }
        }
        for c in &new.columns {
            match old.column(&c.name) {
                None => {
                    let mut added = c.clone();
                    added.comment = None;
                    added.statistics = None;
                    added.storage = None;
                    self.push(Change::AddColumn { table: name.clone(), column: added });
                    if let Some(s) = c.statistics {
                        self.push(Change::SetColumnStatistics {
                            table: name.clone(),
                            column: c.name.clone(),
                            value: Some(s),
                        });
                    }
                    if let Some(s) = c.storage {
                        self.push(Change::SetColumnStorage { table: name.clone(), column: c.name.clone(), storage: s });
                    }
                    self.comment(ObjectRef::Column(name.clone(), c.name.clone()), &None, &c.comment);
                    self.privileges(
                        ObjectRef::Column(name.clone(), c.name.clone()),
                        AclKind::Column,
                        None,
                        &c.acl,
                        (old.owner.as_deref(), new.owner.as_deref()),
                    );
                }
                Some(o) => {
                    self.alter_column(name, o, c);
                    self.privileges(
                        ObjectRef::Column(name.clone(), c.name.clone()),
                        AclKind::Column,
                        Some(&o.acl),
                        &c.acl,
                        (old.owner.as_deref(), new.owner.as_deref()),
                    );
                }
            }
        }
        self.constraints(old, new);
        if old.replica_identity != new.replica_identity {
            self.push(Change::SetReplicaIdentity { table: name.clone(), identity: new.replica_identity.clone() });
        }
        if old.cluster_on != new.cluster_on {
            self.push(Change::SetClusterOn { table: name.clone(), index: new.cluster_on.clone() });
        }
        let table = ObjectRef::Table(name.clone());
        self.owner(table.clone(), &old.owner, &new.owner);
        self.comment(table.clone(), &old.comment, &new.comment);
        self.privileges(table, AclKind::Table, Some(&old.acl), &new.acl, (old.owner.as_deref(), new.owner.as_deref()));
    }

    fn alter_column(&mut self, table: &QualifiedName, old: &Column, new: &Column) {
        let column = new.name.clone();
        let t = || table.clone();
        if old.generated != new.generated {
            if new.generated.is_none() {
                // DROP EXPRESSION keeps the values; the rest of the column is diffed below.
                self.push(Change::DropGenerated { table: t(), column: column.clone() });
            } else {
                // A new or changed expression: the column is built again from the new definition.
                self.push(Change::RegenerateColumn { table: t(), from: old.clone(), to: new.clone() });
                return;
            }
        }
        let retyped = old.ty != new.ty || old.collation != new.collation;
        if retyped {
            // Between user types (enums) there is no cast but through text.
            let via = if old.ty.user_type().is_some() && new.ty.user_type().is_some() { "::text" } else { "" };
            let arr = if via.is_empty() || !old.ty.array { "" } else { "[]" };
            let using =
                needs_using(&old.ty, &new.ty).then(|| format!("{}{via}{arr}::{}", quote_ident(&column), new.ty));
            self.push(Change::AlterColumnType {
                table: t(),
                column: column.clone(),
                from: old.clone(),
                to: new.clone(),
                using,
            });
        }
        // A retyped column's default is dropped and set again by the type change itself.
        if old.default != new.default && !(retyped && old.default.is_some()) {
            match &new.default {
                Some(d) => self.push(Change::SetDefault {
                    table: t(),
                    column: column.clone(),
                    from: old.default.clone(),
                    to: d.clone(),
                }),
                None => self.push(Change::DropDefault {
                    table: t(),
                    column: column.clone(),
                    from: old.default.clone().expect("differs"),
                }),
            }
        }
        match (&old.identity, &new.identity) {
            (None, Some(i)) => self.push(Change::AddIdentity {
                table: t(),
                column: column.clone(),
                identity: i.clone(),
                set_not_null: !old.not_null,
            }),
            (Some(_), None) => self.push(Change::DropIdentity { table: t(), column: column.clone() }),
            (Some(a), Some(b)) if a != b => {
                self.push(Change::AlterIdentity { table: t(), column: column.clone(), from: a.clone(), to: b.clone() })
            }
            _ => {}
        }
        // Identity columns are NOT NULL by construction; dropping the identity keeps NOT NULL.
        if old.not_null != new.not_null && !(new.not_null && new.identity.is_some() && old.identity.is_none()) {
            if new.not_null {
                self.push(Change::SetNotNull { table: t(), column: column.clone() });
            } else {
                self.push(Change::DropNotNull { table: t(), column: column.clone() });
            }
        }
        if old.statistics != new.statistics {
            self.push(Change::SetColumnStatistics { table: t(), column: column.clone(), value: new.statistics });
        }
        let storage_changed = old.storage != new.storage;
        if storage_changed {
            let storage = new.storage.or_else(|| crate::normalize::types::default_storage(&new.ty));
            if let Some(storage) = storage {
                self.push(Change::SetColumnStorage { table: t(), column: column.clone(), storage });
            }
        }
        if old.compression != new.compression {
            self.push(Change::SetColumnCompression {
                table: t(),
                column: column.clone(),
                compression: new.compression.clone(),
            });
        }
        self.comment(ObjectRef::Column(t(), column), &old.comment, &new.comment);
    }

    fn constraints(&mut self, old: &Table, new: &Table) {
        let name = &new.name;
        let strip = |c: &Constraint| {
            let mut c = c.clone();
            c.comment = None;
            c
        };
        for (cname, c) in &old.constraints {
            let target = new.constraints.get(cname);
            let keep = target.is_some_and(|n| alterable_in_place(&strip(c), &strip(n)));
            if !keep {
                self.push(Change::DropConstraint { table: name.clone(), constraint: c.clone() });
            }
        }
        for (cname, c) in &new.constraints {
            let obj = ObjectRef::Constraint(name.clone(), cname.clone());
            match old.constraints.get(cname) {
                Some(o) if alterable_in_place(&strip(o), &strip(c)) => {
                    if !o.validated && c.validated {
                        self.push(Change::ValidateConstraint { table: name.clone(), name: cname.clone() });
                    }
                    if o.deferrable != c.deferrable || o.initially_deferred != c.initially_deferred {
                        self.push(Change::AlterConstraintDeferrable {
                            table: name.clone(),
                            name: cname.clone(),
                            deferrable: c.deferrable,
                            initially_deferred: c.initially_deferred,
                        });
                    }
                    self.comment(obj, &o.comment, &c.comment);
                }
                _ => {
                    let mut added = c.clone();
                    added.comment = None;
                    self.push(Change::AddConstraint { table: name.clone(), constraint: added });
                    self.comment(obj, &None, &c.comment);
                }
            }
        }
    }
}

/// Whether `from` becomes `to` without drop and add: they differ at most in validation (only
/// towards valid) and, for foreign keys, deferrability.
fn alterable_in_place(from: &Constraint, to: &Constraint) -> bool {
    let mut f = from.clone();
    if !f.validated && to.validated {
        f.validated = true;
    }
    if matches!(f.kind, ConstraintKind::ForeignKey(_)) {
        f.deferrable = to.deferrable;
        f.initially_deferred = to.initially_deferred;
    }
    f == *to
}
