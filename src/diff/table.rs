//! Tables, columns and constraints.

use super::{option_changes, Change, Cx};
use crate::diff::needs_using;
use crate::model::{quote_ident, AclKind, Column, Constraint, ConstraintKind, ObjectRef, QualifiedName, Table};

impl Cx<'_> {
    pub(super) fn tables(&mut self) {
        // A table whose partitioning changes is built anew (and its partitions with it).
        let mut rebuilt: Vec<QualifiedName> = Vec::new();
        for (name, t) in &self.from.tables {
            if self.to.tables.get(name).is_some_and(|n| n.partition_key != t.partition_key) {
                rebuilt.push(name.clone());
            }
        }
        let mut i = 0;
        while i < rebuilt.len() {
            let parent = rebuilt[i].clone();
            for t in self.from.tables.values() {
                if t.partition_of.as_ref().is_some_and(|p| p.parent == parent)
                    && !rebuilt.contains(&t.name)
                    && self.to.tables.contains_key(&t.name)
                {
                    rebuilt.push(t.name.clone());
                }
            }
            i += 1;
        }
        for name in &rebuilt {
            self.push(Change::DropTable(self.from.tables[name].clone()));
            let t = self.to.tables[name].clone();
            self.create_table(&t);
        }
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
                Some(_) if rebuilt.contains(name) => {}
                Some(old) => self.alter_table(old, t),
            }
        }
    }

    fn create_table(&mut self, t: &Table) {
        let mut inline = t.clone();
        // Foreign keys come after all tables; NOT VALID constraints after the table (CREATE TABLE
        // would validate them).
        // ... and an index constraint equal to one before it: CREATE TABLE keeps only the first.
        let redundant = redundant_index_constraints(t);
        let separate = |c: &Constraint| {
            matches!(c.kind, ConstraintKind::ForeignKey(_)) || !c.validated || redundant.contains(&c.name)
        };
        inline.constraints.retain(|_, c| !separate(c));
        for c in inline.constraints.values_mut() {
            c.comment = None;
            if let Some(i) = index_storage_mut(c) {
                i.comment = None;
            }
        }
        for c in &mut inline.columns {
            c.comment = None;
        }
        self.push(Change::CreateTable(inline));
        for c in t.columns.iter().filter(|c| c.from_parent_only()) {
            let parents = self.parent_column(t, &c.name).and_then(|p| p.default.clone());
            if c.default.is_some() && c.default != parents {
                self.own_default(&t.name, c);
            } else if let (None, Some(from)) = (&c.default, parents) {
                // The child takes its parent's default when created; a partition attached
                // without it (or a child that dropped it) has none.
                self.push(Change::DropDefault { table: t.name.clone(), column: c.name.clone(), from });
            }
        }
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
            self.column_options(&t.name, &c.name, &Default::default(), &c.options);
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
            if separate(c) {
                let mut added = c.clone();
                added.comment = None;
                if let Some(i) = index_storage_mut(&mut added) {
                    i.comment = None;
                }
                self.push(Change::AddConstraint { table: t.name.clone(), constraint: added });
            }
            self.comment(ObjectRef::Constraint(t.name.clone(), c.name.clone()), &None, &c.comment);
            let mut c2 = c.clone();
            let index_comment = index_storage_mut(&mut c2).and_then(|i| i.comment.take());
            self.comment(
                ObjectRef::Index(QualifiedName::new(t.name.schema.clone(), c.name.clone())),
                &None,
                &index_comment,
            );
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
        if old.partition_of != new.partition_of {
            if let Some(p) = &old.partition_of {
                self.push(Change::DetachPartition { table: name.clone(), parent: p.parent.clone() });
            }
            if let Some(p) = &new.partition_of {
                self.push(Change::AttachPartition { table: name.clone(), partition: p.clone() });
            }
        }
        for p in old.inherits.iter().filter(|p| !new.inherits.contains(p)) {
            self.push(Change::SetInherit { table: name.clone(), parent: p.clone(), inherit: false });
        }
        for p in new.inherits.iter().filter(|p| !old.inherits.contains(p)) {
            self.push(Change::SetInherit { table: name.clone(), parent: p.clone(), inherit: true });
        }
        // A column a table only has from its parent follows the parent's changes, unless the
        // parent drops it ONLY (because another child keeps it), which leaves it to the table.
        for c in &old.columns {
            let gone = new.column(&c.name).is_none();
            if c.from_parent_only() {
                if gone && self.parent_drops_only(old, &c.name) {
                    self.push(Change::DropColumn { table: name.clone(), column: c.clone(), only: false });
                }
                continue;
            }
            if gone {
                let only = self.descendants_keep(name, &c.name);
                self.push(Change::DropColumn { table: name.clone(), column: c.clone(), only });
            }
        }
        for c in &new.columns {
            if c.from_parent_only() && old.column(&c.name).is_none_or(|o| o.from_parent_only() || o.inherited) {
                // Its default is set here unless its parent's own change brings it.
                let old_default = old.column(&c.name).and_then(|o| o.default.clone());
                if c.default != old_default && !self.parent_brings_default(old, new, c) {
                    match &c.default {
                        // The old default's references (a sequence dropped with the parent's
                        // column) are released before they go.
                        Some(d) => self.push(Change::SetDefault {
                            table: name.clone(),
                            column: c.name.clone(),
                            from: old_default.clone(),
                            to: d.clone(),
                        }),
                        None => self.push(Change::DropDefault {
                            table: name.clone(),
                            column: c.name.clone(),
                            from: old_default.expect("differs"),
                        }),
                    }
                }
                continue;
            }
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
                    self.column_options(name, &c.name, &Default::default(), &c.options);
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

    /// Whether a table that drops `column` has a descendant (in the desired catalog) that keeps
    /// it: then the drop must not reach the children.
    fn descendants_keep(&self, table: &QualifiedName, column: &str) -> bool {
        self.to.tables.values().any(|t| {
            let child = t.inherits.contains(table) || t.partition_of.as_ref().is_some_and(|p| p.parent == *table);
            child && (t.column(column).is_some() || self.descendants_keep(&t.name, column))
        })
    }

    /// Whether a parent of `child` drops `column` with ONLY (so the child keeps a copy).
    fn parent_drops_only(&self, child: &Table, column: &str) -> bool {
        child.inherits.iter().chain(child.partition_of.as_ref().map(|p| &p.parent)).any(|p| {
            let had = self.from.tables.get(p).is_some_and(|t| t.column(column).is_some());
            let has = self.to.tables.get(p).is_some_and(|t| t.column(column).is_some());
            had && !has && self.descendants_keep(p, column)
        })
    }

    /// Whether a parent the table keeps changes its default to the table's desired one (the
    /// parent's SET DEFAULT reaches its children).
    fn parent_brings_default(&self, old: &Table, new: &Table, c: &Column) -> bool {
        new.inherits.iter().chain(new.partition_of.as_ref().map(|p| &p.parent)).any(|p| {
            let kept = old.inherits.contains(p) || old.partition_of.as_ref().is_some_and(|x| x.parent == *p);
            let before = self.from.tables.get(p).and_then(|t| t.column(&c.name)).and_then(|x| x.default.clone());
            let after = self.to.tables.get(p).and_then(|t| t.column(&c.name)).and_then(|x| x.default.clone());
            kept && before != after && after == c.default
        })
    }

    /// The column a table inherits, as its (first) parent in the desired catalog has it.
    fn parent_column(&self, t: &Table, column: &str) -> Option<&Column> {
        t.inherits
            .iter()
            .chain(t.partition_of.as_ref().map(|p| &p.parent))
            .find_map(|p| self.to.tables.get(p)?.column(column))
    }

    /// Attribute options that differ: set the new values, reset the keys that went.
    fn column_options(
        &mut self,
        table: &QualifiedName,
        column: &str,
        old: &std::collections::BTreeMap<String, String>,
        new: &std::collections::BTreeMap<String, String>,
    ) {
        let set: std::collections::BTreeMap<String, String> =
            new.iter().filter(|(k, v)| old.get(*k) != Some(*v)).map(|(k, v)| (k.clone(), v.clone())).collect();
        let reset: Vec<String> = old.keys().filter(|k| !new.contains_key(*k)).cloned().collect();
        if !set.is_empty() || !reset.is_empty() {
            self.push(Change::SetColumnOptions { table: table.clone(), column: column.to_string(), set, reset });
        }
    }

    /// A new child's default on an inherited column, set after its parent's.
    fn own_default(&mut self, table: &QualifiedName, c: &Column) {
        if let Some(d) = &c.default {
            self.push(Change::SetDefault { table: table.clone(), column: c.name.clone(), from: None, to: d.clone() });
        }
    }

    fn alter_column(&mut self, table: &QualifiedName, old: &Column, new: &Column) {
        let column = new.name.clone();
        let t = || table.clone();
        if old.generated != new.generated {
            if new.generated.is_none() && old.generated.as_ref().is_some_and(|g| !g.is_virtual()) {
                // DROP EXPRESSION keeps the values; the rest of the column is diffed below.
                // (A virtual column has no values to keep, and the server refuses it.)
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
        self.column_options(&t(), &column, &old.options, &new.options);
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
            if let Some(i) = index_storage_mut(&mut c) {
                i.comment = None;
            }
            c
        };
        let index_comment = |c: &Constraint| -> Option<String> {
            let mut c = c.clone();
            index_storage_mut(&mut c).and_then(|i| i.comment.take())
        };
        let index_ref = |c: &str| ObjectRef::Index(QualifiedName::new(name.schema.clone(), c));
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
                    if o.enforced != c.enforced {
                        // A foreign key (18); ENFORCED validates it too.
                        self.push(Change::AlterConstraintEnforced {
                            table: name.clone(),
                            name: cname.clone(),
                            enforced: c.enforced,
                        });
                    } else if !o.validated && c.validated {
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
                    self.comment(index_ref(cname), &index_comment(o), &index_comment(c));
                }
                _ => {
                    let added = strip(c);
                    self.push(Change::AddConstraint { table: name.clone(), constraint: added });
                    self.comment(obj, &None, &c.comment);
                    self.comment(index_ref(cname), &None, &index_comment(c));
                }
            }
        }
    }
}

/// The storage of a constraint's index, if it has one.
/// The index constraints CREATE TABLE would fold into an earlier equal one (the server keeps
/// the first of equal index definitions: same keys, INCLUDE, NULLS NOT DISTINCT, deferral; the
/// primary key first, then the order they are written in, which is by name here).
fn redundant_index_constraints(t: &Table) -> std::collections::BTreeSet<String> {
    let signature = |c: &Constraint| -> Option<String> {
        let mut c = c.clone();
        let kind = match c.kind {
            ConstraintKind::PrimaryKey(k) => ConstraintKind::Unique(k),
            k => k,
        };
        c.kind = kind;
        index_storage_mut(&mut c)?;
        if let Some(i) = index_storage_mut(&mut c) {
            *i = Default::default();
        }
        Some(format!("{:?} {} {}", c.kind, c.deferrable, c.initially_deferred))
    };
    let ordered = t
        .constraints
        .values()
        .filter(|c| matches!(c.kind, ConstraintKind::PrimaryKey(_)))
        .chain(t.constraints.values().filter(|c| !matches!(c.kind, ConstraintKind::PrimaryKey(_))));
    let mut seen = std::collections::BTreeSet::new();
    let mut redundant = std::collections::BTreeSet::new();
    for c in ordered.filter(|c| c.validated) {
        if let Some(s) = signature(c) {
            if !seen.insert(s) {
                redundant.insert(c.name.clone());
            }
        }
    }
    redundant
}

fn index_storage_mut(c: &mut Constraint) -> Option<&mut crate::model::IndexStorage> {
    match &mut c.kind {
        ConstraintKind::PrimaryKey(k) | ConstraintKind::Unique(k) => Some(&mut k.index),
        ConstraintKind::Exclude(x) => Some(&mut x.index),
        _ => None,
    }
}

/// Whether `from` becomes `to` without drop and add: they differ at most in validation (only
/// towards valid) and, for foreign keys, deferrability and enforcement (`ALTER CONSTRAINT ...
/// [NOT] ENFORCED`, 18: ENFORCED validates, so it reaches an enforced and valid key only; a
/// CHECK's enforcement cannot be altered, it is dropped and added).
fn alterable_in_place(from: &Constraint, to: &Constraint) -> bool {
    let mut f = from.clone();
    if !f.validated && to.validated {
        f.validated = true;
    }
    if matches!(f.kind, ConstraintKind::ForeignKey(_)) {
        f.deferrable = to.deferrable;
        f.initially_deferred = to.initially_deferred;
        if f.enforced != to.enforced && (to.validated || !to.enforced) {
            f.enforced = to.enforced;
            f.validated = to.validated;
        }
    }
    f == *to
}
