//! Change → action: the SQL steps of one change, and how it relates to the objects of the two
//! catalogs. An action *provides* objects (that exist in the new catalog after it), *requires*
//! objects (that must exist before it), *removes* objects (of the old catalog) and *releases*
//! objects (old dependencies it stops holding). The graph turns those sets into edges.

use super::contract::{self, ColumnAspect};
use super::sql;
use super::step::{HazardKind as H, LockLevel as L, Step};
use crate::diff::{columns_of_type, Change, DomainChange, EnumPosition};
use crate::model::{
    quote_ident as q, quote_literal, AclKind, Catalog, ConstraintKind, DepKind, Dependency, Grantee, ObjectRef,
    Privilege, QualifiedName, TypeKind,
};
use std::collections::{BTreeMap, BTreeSet};

pub struct Action {
    pub steps: Vec<Step>,
    pub provides: BTreeSet<ObjectRef>,
    pub requires: BTreeSet<ObjectRef>,
    pub removes: BTreeSet<ObjectRef>,
    pub releases: BTreeSet<ObjectRef>,
    /// Tie-break among actions that are free to run: (stage, kind, object name).
    pub rank: (u8, u8, String),
}

/// Dependencies of each object, per catalog.
pub struct DepIndex {
    by_object: BTreeMap<ObjectRef, Vec<Dependency>>,
}

impl DepIndex {
    pub fn new(catalog: &Catalog) -> DepIndex {
        let mut by_object: BTreeMap<ObjectRef, Vec<Dependency>> = BTreeMap::new();
        for d in catalog.dependencies() {
            by_object.entry(d.from.clone()).or_default().push(d);
        }
        DepIndex { by_object }
    }

    pub fn of(&self, obj: &ObjectRef) -> impl Iterator<Item = &ObjectRef> {
        self.by_object.get(obj).into_iter().flatten().map(|d| &d.to)
    }

    fn of_filtered<'a>(
        &'a self,
        obj: &ObjectRef,
        keep: impl Fn(&Dependency) -> bool + 'a,
    ) -> impl Iterator<Item = &'a ObjectRef> {
        self.by_object.get(obj).into_iter().flatten().filter(move |d| keep(d)).map(|d| &d.to)
    }
}

pub struct Cx<'a> {
    pub from: &'a Catalog,
    pub to: &'a Catalog,
    pub old_deps: &'a DepIndex,
    pub new_deps: &'a DepIndex,
    /// Foreign keys dropped by their own step before their table is dropped.
    pub dropped_separately: &'a BTreeSet<ObjectRef>,
    /// Tables the plan creates, re-created ones (a new partition key) among them.
    pub created_tables: &'a BTreeSet<QualifiedName>,
    /// Online-safe forms for tables that exist before and after the plan.
    pub online: bool,
}

impl Cx<'_> {
    /// A table others are using: it exists before the plan and is kept (not created, not
    /// recreated by the plan as a new kind of table).
    fn existing(&self, table: &QualifiedName) -> bool {
        !self.created_tables.contains(table)
            && match (self.from.tables.get(table), self.to.tables.get(table)) {
                (Some(a), Some(b)) => a.partition_key.is_some() == b.partition_key.is_some(),
                _ => false,
            }
    }

    /// Whether the online form applies to a table (CONCURRENTLY is refused on partitioned
    /// tables).
    fn online_for(&self, table: &QualifiedName) -> bool {
        self.online && self.existing(table) && self.from.tables.get(table).is_some_and(|t| t.partition_key.is_none())
    }
}

/// A drop that takes something away for good (nothing of that name in the desired schema):
/// clients still using it fail.
fn gone(step: Step, for_good: bool, message: String) -> Step {
    if for_good {
        step.hazard(H::BreaksClients, message)
    } else {
        step
    }
}

/// What a change of a column of an existing table takes away from the application (see
/// [`contract`]), judged from the column before the plan and the desired one.
fn loosened(step: Step, cx: &Cx, table: &QualifiedName, column: &str, aspect: ColumnAspect) -> Step {
    let before = cx.from.tables.get(table).and_then(|t| t.column(column));
    let after = cx.to.tables.get(table).and_then(|t| t.column(column));
    let (Some(before), Some(after)) = (before, after) else { return step };
    contract::column_loosened(before, after, aspect)
        .iter()
        .fold(step, |step, l| step.hazard(H::BreaksClients, l.message(table, column)))
}

/// Dropping a unique index takes `ON CONFLICT` on its columns away, unless the desired schema
/// has an equivalent key.
fn unique_index_dropped(step: Step, i: &crate::model::Index, cx: &Cx) -> Step {
    match contract::unique_index_dropped(i, cx.to).filter(|_| cx.from.tables.contains_key(&i.table)) {
        Some(message) => step.hazard(H::BreaksClients, message),
        None => step,
    }
}

/// A unique index on a table with rows fails on duplicates.
fn unique_on_rows(step: Step, i: &crate::model::Index, cx: &Cx) -> Step {
    if i.unique && cx.from.tables.contains_key(&i.table) {
        step.hazard(H::FailsOnExistingData, "fails if existing rows hold duplicates")
    } else {
        step
    }
}

impl Action {
    fn new(rank: (u8, u8, String)) -> Action {
        Action {
            steps: Vec::new(),
            provides: BTreeSet::new(),
            requires: BTreeSet::new(),
            removes: BTreeSet::new(),
            releases: BTreeSet::new(),
            rank,
        }
    }

    fn step(mut self, s: Step) -> Action {
        self.steps.push(s);
        self
    }

    /// Provide objects and require their new-catalog dependencies.
    fn provide(mut self, objs: impl IntoIterator<Item = ObjectRef>, cx: &Cx) -> Action {
        let objs: Vec<ObjectRef> = objs.into_iter().collect();
        for o in &objs {
            self.requires.extend(cx.new_deps.of(o).cloned());
        }
        self.provides.extend(objs);
        self.requires.retain(|r| !self.provides.contains(r));
        self
    }

    /// Remove objects and release their old-catalog dependencies.
    fn remove(mut self, objs: impl IntoIterator<Item = ObjectRef>, cx: &Cx) -> Action {
        let objs: Vec<ObjectRef> = objs.into_iter().collect();
        for o in &objs {
            self.releases.extend(cx.old_deps.of(o).cloned());
        }
        self.removes.extend(objs);
        self.releases.retain(|r| !self.removes.contains(r));
        self
    }

    fn require(mut self, objs: impl IntoIterator<Item = ObjectRef>) -> Action {
        self.requires.extend(objs);
        self
    }

    fn release(mut self, objs: impl IntoIterator<Item = ObjectRef>) -> Action {
        self.releases.extend(objs);
        self
    }
}

// Stages: drops first, then in-place changes, then creations, then comments and owners.
const DROP: u8 = 0;
const ALTER: u8 = 1;
const CREATE: u8 = 2;
const DECORATE: u8 = 3;

fn rank(stage: u8, kind: u8, name: impl std::fmt::Display) -> (u8, u8, String) {
    (stage, kind, name.to_string())
}

fn col(t: &QualifiedName, c: &str) -> ObjectRef {
    ObjectRef::Column(t.clone(), c.to_string())
}

fn alter_table(t: &QualifiedName, clause: String) -> String {
    format!("ALTER TABLE {t} {clause}")
}

/// The tables `table` inherits from or is a partition of.
fn parents_of(cat: &Catalog, table: &QualifiedName) -> Vec<QualifiedName> {
    cat.tables.get(table).map_or_else(Vec::new, |t| {
        t.inherits.iter().chain(t.partition_of.as_ref().map(|p| &p.parent)).cloned().collect()
    })
}

/// Tables that inherit from `table` or are its partitions, at any depth.
fn descendants(cat: &Catalog, table: &QualifiedName) -> Vec<QualifiedName> {
    let mut out: Vec<QualifiedName> = Vec::new();
    let mut frontier = vec![table.clone()];
    while let Some(p) = frontier.pop() {
        for t in cat.tables.values() {
            let child = t.inherits.contains(&p) || t.partition_of.as_ref().is_some_and(|x| x.parent == p);
            if child && !out.contains(&t.name) {
                out.push(t.name.clone());
                frontier.push(t.name.clone());
            }
        }
    }
    out
}

/// Sequences owned by a column.
fn owned_sequences(cat: &Catalog, t: &QualifiedName, c: Option<&str>) -> Vec<ObjectRef> {
    cat.sequences
        .values()
        .filter(|s| s.owned_by.as_ref().is_some_and(|(ot, oc)| ot == t && c.is_none_or(|c| c == oc)))
        .map(|s| ObjectRef::Sequence(s.name.clone()))
        .collect()
}

pub fn action(change: &Change, cx: &Cx) -> Action {
    let summary = change.describe();
    let st = |sql: String| Step::new(sql, summary.clone());
    match change {
        Change::CreateSchema(s) => Action::new(rank(CREATE, 0, q(&s.name)))
            .step(st(format!("CREATE SCHEMA {}", q(&s.name))))
            .provide([ObjectRef::Schema(s.name.clone())], cx),
        Change::DropSchema(s) => Action::new(rank(DROP, 20, q(&s.name)))
            .step(st(format!("DROP SCHEMA {}", q(&s.name))))
            .remove([ObjectRef::Schema(s.name.clone())], cx),
        Change::CreateExtension(e) => Action::new(rank(CREATE, 1, q(&e.name)))
            .step(st(sql::create_extension(e)))
            .provide([ObjectRef::Extension(e.name.clone())], cx),
        Change::DropExtension(e) => Action::new(rank(DROP, 19, q(&e.name)))
            .step(gone(
                st(format!("DROP EXTENSION {}", q(&e.name))),
                !cx.to.extensions.contains_key(&e.name),
                format!("the functions and types of extension {} go away", q(&e.name)),
            ))
            .remove([ObjectRef::Extension(e.name.clone())], cx),
        Change::AlterExtensionVersion { name, version } => Action::new(rank(ALTER, 1, q(name)))
            .step(st(format!("ALTER EXTENSION {} UPDATE TO {}", q(name), quote_literal(version))))
            .require([ObjectRef::Extension(name.clone())]),
        Change::AlterExtensionSchema { name, schema } => Action::new(rank(ALTER, 1, q(name)))
            .step(st(format!("ALTER EXTENSION {} SET SCHEMA {}", q(name), q(schema))))
            .require([ObjectRef::Extension(name.clone()), ObjectRef::Schema(schema.clone())]),

        Change::CreateCollation(c) => {
            let mut opts = vec![format!("provider = {}", c.provider)];
            if let Some(l) = &c.icu_locale {
                opts.push(format!("locale = {}", quote_literal(l)));
            }
            if c.provider != "icu" {
                if let Some(l) = &c.lc_collate {
                    opts.push(format!("lc_collate = {}", quote_literal(l)));
                }
                if let Some(l) = &c.lc_ctype {
                    opts.push(format!("lc_ctype = {}", quote_literal(l)));
                }
            }
            if !c.deterministic {
                opts.push("deterministic = false".into());
            }
            Action::new(rank(CREATE, 2, &c.name))
                .step(st(format!("CREATE COLLATION {} ({})", c.name, opts.join(", "))))
                .provide([ObjectRef::Collation(c.name.clone())], cx)
        }
        Change::DropCollation(c) => Action::new(rank(DROP, 18, &c.name))
            .step(st(format!("DROP COLLATION {}", c.name)))
            .remove([ObjectRef::Collation(c.name.clone())], cx),
        Change::CreateType(t) => sql::create_type(t)
            .into_iter()
            .fold(Action::new(rank(CREATE, 2, &t.name)), |a, sql| a.step(st(sql)))
            .provide([ObjectRef::Type(t.name.clone())], cx),
        Change::DropType(t) => Action::new(rank(DROP, 18, &t.name))
            .step(gone(
                st(format!("DROP {} {}", t.kind.keyword(), t.name)),
                !cx.to.types.contains_key(&t.name),
                format!("code casting to or declaring {} fails", t.name),
            ))
            .remove([ObjectRef::Type(t.name.clone())], cx),
        Change::AddEnumValue { name, value, position } => {
            let pos = match position {
                EnumPosition::Before(l) => format!(" BEFORE {}", quote_literal(l)),
                EnumPosition::After(l) => format!(" AFTER {}", quote_literal(l)),
                EnumPosition::End => String::new(),
            };
            Action::new(rank(ALTER, 2, name))
                .step(
                    st(format!("ALTER TYPE {name} ADD VALUE {}{pos}", quote_literal(value)))
                        .non_transactional()
                        .hazard(H::NonTransactional, "a new enum value cannot be used in the transaction that adds it"),
                )
                .require([ObjectRef::Type(name.clone())])
                .provide([], cx)
        }
        Change::RecreateType { from, to } => recreate_type(from, to, cx, &summary),
        Change::AlterDomain { name, change } => {
            let (clause, a) = match change {
                DomainChange::SetDefault(e) => (
                    format!("SET DEFAULT {}", e.sql),
                    Action::new(rank(ALTER, 3, name)).require(e.refs.iter().cloned()),
                ),
                DomainChange::DropDefault => ("DROP DEFAULT".into(), Action::new(rank(ALTER, 3, name))),
                DomainChange::SetNotNull => ("SET NOT NULL".into(), Action::new(rank(ALTER, 3, name))),
                DomainChange::DropNotNull => ("DROP NOT NULL".into(), Action::new(rank(ALTER, 3, name))),
                DomainChange::AddCheck { name: c, check } => (
                    format!(
                        "ADD CONSTRAINT {} CHECK ({}){}",
                        q(c),
                        check.expr.sql,
                        if check.validated { "" } else { " NOT VALID" }
                    ),
                    Action::new(rank(CREATE, 3, name)).require(check.expr.refs.iter().cloned()),
                ),
                DomainChange::DropCheck { name: c, check } => (
                    format!("DROP CONSTRAINT {}", q(c)),
                    Action::new(rank(DROP, 17, name)).release(check.expr.refs.iter().cloned()),
                ),
                DomainChange::ValidateCheck { name: c } => {
                    (format!("VALIDATE CONSTRAINT {}", q(c)), Action::new(rank(ALTER, 3, name)))
                }
                DomainChange::CommentCheck { name: c, comment } => {
                    let text = comment.as_deref().map_or("NULL".to_string(), quote_literal);
                    return Action::new(rank(DECORATE, 5, name))
                        .step(st(format!("COMMENT ON CONSTRAINT {} ON DOMAIN {name} IS {text}", q(c))))
                        .require([ObjectRef::Type(name.clone())]);
                }
            };
            // A new rule for the domain is checked against every stored value, in every table.
            let checks_values = matches!(change, DomainChange::SetNotNull | DomainChange::ValidateCheck { .. })
                || matches!(change, DomainChange::AddCheck { check, .. } if check.validated);
            let mut step = st(format!("ALTER DOMAIN {name} {clause}"));
            if checks_values && cx.from.types.contains_key(name) {
                step = step
                    .hazard(
                        H::ValidationScan,
                        format!("every stored value of {name} is checked, in every table using it"),
                    )
                    .hazard(H::FailsOnExistingData, format!("fails if a stored value of {name} violates it"));
            }
            a.step(step).require([ObjectRef::Type(name.clone())])
        }
        Change::AddAttribute { name, attribute } => {
            let mut s = format!("ALTER TYPE {name} ADD ATTRIBUTE {} {}", q(&attribute.name), attribute.ty);
            if let Some(c) = &attribute.collation {
                s.push_str(&format!(" COLLATE {c}"));
            }
            let needs = attribute.ty.user_type().map(|t| ObjectRef::Type(t.clone()));
            Action::new(rank(ALTER, 2, name)).step(st(s)).require([ObjectRef::Type(name.clone())]).require(needs)
        }
        Change::DropAttribute { name, attribute } => Action::new(rank(ALTER, 2, name))
            .step(
                st(format!("ALTER TYPE {name} DROP ATTRIBUTE {}", q(attribute)))
                    .hazard(H::DataLoss, "values of the attribute are lost"),
            )
            .require([ObjectRef::Type(name.clone())]),
        Change::AlterAttributeType { name, attribute } => {
            let mut s = format!("ALTER TYPE {name} ALTER ATTRIBUTE {} TYPE {}", q(&attribute.name), attribute.ty);
            if let Some(c) = &attribute.collation {
                s.push_str(&format!(" COLLATE {c}"));
            }
            let needs = attribute.ty.user_type().map(|t| ObjectRef::Type(t.clone()));
            Action::new(rank(ALTER, 2, name)).step(st(s)).require([ObjectRef::Type(name.clone())]).require(needs)
        }

        Change::CreateSequence(s) => {
            // OWNED BY is a step of its own (after the owning column exists).
            let me = ObjectRef::Sequence(s.name.clone());
            let mut a = Action::new(rank(CREATE, 4, &s.name)).step(st(sql::create_sequence(s)));
            if let Some(owner) = &s.owner {
                a = a.step(
                    st(format!("ALTER SEQUENCE {} OWNER TO {}", s.name, q(owner)))
                        .hazard(H::Authorization, format!("{} will be owned by {owner}", s.name)),
                );
            }
            a.provides.insert(me.clone());
            a.requires.extend(cx.new_deps.of_filtered(&me, |d| d.kind == DepKind::Normal).cloned());
            a
        }
        Change::DropSequence(s) => {
            let me = ObjectRef::Sequence(s.name.clone());
            let mut a = Action::new(rank(DROP, 15, &s.name)).step(
                st(format!("DROP SEQUENCE {}", s.name))
                    .lock(L::AccessExclusive)
                    .hazard(H::DataLoss, "the sequence's current value is lost"),
            );
            a.removes.insert(me.clone());
            a.releases.extend(cx.old_deps.of_filtered(&me, |d| d.kind == DepKind::Normal).cloned());
            a
        }
        Change::AlterSequence { name, from, to } => {
            let mut a = Action::new(rank(ALTER, 4, name)).require([ObjectRef::Sequence(name.clone())]);
            // The current value must stay inside the new bounds: raise it when it is below a
            // raised MINVALUE (a sequence is never moved backwards, so no value repeats).
            if to.min > from.min && to.increment > 0 {
                a = a.step(st(format!(
                    "SELECT pg_catalog.setval({}, {}, false) FROM {name} WHERE last_value < {}",
                    quote_literal(&name.to_string()),
                    to.min,
                    to.min
                )));
            }
            // SHARE ROW EXCLUSIVE: nextval() waits, and the inserts drawing from it.
            a.step(
                st(format!("ALTER SEQUENCE {name} {}", sql::alter_sequence_clauses(from, to).join(" ")))
                    .lock(L::ShareRowExclusive),
            )
        }
        Change::SetSequenceOwnedBy { name, from, to } => {
            let target = match to {
                Some((t, c)) => format!("{t}.{}", q(c)),
                None => "NONE".into(),
            };
            // After owner changes: OWNED BY needs the sequence and table to have one owner.
            Action::new(rank(DECORATE, 5, name))
                .step(st(format!("ALTER SEQUENCE {name} OWNED BY {target}")))
                .require([ObjectRef::Sequence(name.clone())])
                .require(to.iter().map(|(t, c)| col(t, c)))
                .release(from.iter().map(|(t, c)| col(t, c)))
        }

        Change::CreateTable(t) => {
            let mut objs = vec![ObjectRef::Table(t.name.clone())];
            for c in &t.columns {
                objs.push(col(&t.name, &c.name));
                if c.default.is_some() {
                    objs.push(ObjectRef::ColumnDefault(t.name.clone(), c.name.clone()));
                }
            }
            objs.extend(t.constraints.keys().map(|k| ObjectRef::Constraint(t.name.clone(), k.clone())));
            // Foreign keys lock the existing tables they reference against writes (briefly: the
            // new table has no rows to check); INHERITS locks existing parents.
            let mut step = st(sql::create_table(t));
            let referenced = t.constraints.values().filter_map(|c| match &c.kind {
                ConstraintKind::ForeignKey(fk) => Some(&fk.ref_table),
                _ => None,
            });
            if let Some(r) = referenced.filter(|r| cx.existing(r)).min() {
                step = step.lock_on(L::ShareRowExclusive, r.clone());
            }
            if let Some(p) = t.inherits.iter().filter(|p| cx.existing(p)).min() {
                step = step.lock_on(L::ShareUpdateExclusive, p.clone());
            }
            // PARTITION OF an existing table locks it against reads too.
            if let Some(p) = t.partition_of.as_ref().filter(|p| cx.existing(&p.parent)) {
                step = step.lock_on(L::AccessExclusive, p.parent.clone()).hazard(
                    H::AccessExclusiveLock,
                    format!("creating a partition takes ACCESS EXCLUSIVE on {}", p.parent),
                );
            }
            Action::new(rank(CREATE, 5, &t.name)).step(step).provide(objs, cx)
        }
        Change::DropTable(t) => {
            let mut objs = vec![ObjectRef::Table(t.name.clone())];
            for c in &t.columns {
                objs.push(col(&t.name, &c.name));
                objs.push(ObjectRef::ColumnDefault(t.name.clone(), c.name.clone()));
            }
            objs.extend(
                t.constraints
                    .keys()
                    .map(|k| ObjectRef::Constraint(t.name.clone(), k.clone()))
                    .filter(|o| !cx.dropped_separately.contains(o)),
            );
            objs.extend(
                cx.from.indexes.values().filter(|i| i.table == t.name).map(|i| ObjectRef::Index(i.name.clone())),
            );
            objs.extend(owned_sequences(cx.from, &t.name, None));
            Action::new(rank(DROP, 14, &t.name))
                .step(
                    st(format!("DROP TABLE {}", t.name))
                        .hazard(H::DataLoss, format!("all rows of {} are deleted", t.name))
                        .lock(L::AccessExclusive),
                )
                .remove(objs, cx)
        }
        Change::AddColumn { table, column } => {
            let mut objs = vec![col(table, &column.name)];
            if column.default.is_some() {
                objs.push(ObjectRef::ColumnDefault(table.clone(), column.name.clone()));
            }
            let mut step = st(alter_table(table, format!("ADD COLUMN {}", sql::column_definition(table, column))))
                .lock(L::AccessExclusive);
            // The column reaches the table's descendants too (those created by the plan have it
            // in their own definition). A descendant that declares the column itself gets it
            // first, by its own ADD COLUMN, and the parent's merges with it.
            let mut merged_into = Vec::new();
            for d in descendants(cx.to, table).into_iter().filter(|d| cx.from.tables.contains_key(d)) {
                let declares = cx.to.tables[&d].column(&column.name).is_some_and(|c| c.local);
                let had = cx.from.tables[&d].column(&column.name).is_some();
                match (declares, had) {
                    (true, false) => merged_into.push(col(&d, &column.name)),
                    (true, true) => {}
                    (false, _) => objs.push(col(&d, &column.name)),
                }
            }
            let volatile = column.default.as_ref().is_some_and(|d| is_volatile(&d.sql))
                || column.identity.is_some()
                || column.generated.as_ref().is_some_and(|g| !g.is_virtual());
            if volatile {
                step = step.hazard(H::TableRewrite, "the column's values are computed for every existing row");
            }
            Action::new(rank(CREATE, 6, format!("{table}.{}", column.name)))
                .step(step)
                .provide(objs, cx)
                .require([ObjectRef::Table(table.clone())])
                .require(merged_into)
        }
        Change::DropColumn { table, column, only } => {
            let mut objs = vec![col(table, &column.name), ObjectRef::ColumnDefault(table.clone(), column.name.clone())];
            objs.extend(owned_sequences(cx.from, table, Some(&column.name)));
            let mut step = st(if *only {
                format!("ALTER TABLE ONLY {table} DROP COLUMN {}", q(&column.name))
            } else {
                alter_table(table, format!("DROP COLUMN {}", q(&column.name)))
            })
            .lock(L::AccessExclusive);
            // A generated column's values are derived: dropping it loses nothing (as review says).
            if column.generated.is_none() {
                step = step.hazard(H::DataLoss, format!("the values of column {} are deleted", q(&column.name)));
            }
            Action::new(rank(DROP, 13, format!("{table}.{}", column.name))).step(step).remove(objs, cx)
        }
        Change::AlterColumnType { table, column, from, to, using } => {
            let me = col(table, column);
            let mut clause = format!("ALTER COLUMN {} TYPE {}", q(column), to.ty);
            if let Some(c) = &to.collation {
                clause.push_str(&format!(" COLLATE {c}"));
            }
            if let Some(u) = using {
                clause.push_str(&format!(" USING {u}"));
            }
            let cost = super::typechange::classify(&from.ty, &to.ty);
            let mut step = st(alter_table(table, clause)).lock(L::AccessExclusive);
            if cost.rewrites || using.is_some() {
                step = step.hazard(
                    H::TableRewrite,
                    format!(
                        "changing {} from {} to {} rewrites the table and rebuilds its indexes",
                        q(column),
                        from.ty,
                        to.ty
                    ),
                );
            }
            if cost.lossy {
                step = step
                    .hazard(H::DataLoss, format!("converting {} to {} may truncate or round values", from.ty, to.ty));
            }
            // The old default may not cast to the new type: it is dropped first and the desired
            // one set after.
            let default = ObjectRef::ColumnDefault(table.clone(), column.clone());
            let mut a = Action::new(rank(ALTER, 6, format!("{table}.{column}")));
            let mut removed = vec![me.clone()];
            let mut provided = vec![me];
            if from.default.is_some() {
                a = a.step(
                    st(alter_table(table, format!("ALTER COLUMN {} DROP DEFAULT", q(column)))).lock(L::AccessExclusive),
                );
                removed.push(default.clone());
            }
            a = a.step(step);
            if let Some(d) = &to.default {
                if from.default.is_some() {
                    a = a.step(
                        st(alter_table(table, format!("ALTER COLUMN {} SET DEFAULT {}", q(column), d.sql)))
                            .lock(L::AccessExclusive),
                    );
                    provided.push(default);
                }
            }
            a.remove(removed, cx).provide(provided, cx)
        }
        Change::SetDefault { table, column, from, to } => {
            let me = ObjectRef::ColumnDefault(table.clone(), column.clone());
            let mut a = Action::new(rank(ALTER, 7, format!("{table}.{column}")))
                .step(
                    st(alter_table(table, format!("ALTER COLUMN {} SET DEFAULT {}", q(column), to.sql)))
                        .lock(L::AccessExclusive),
                )
                .provide([me], cx)
                .require([col(table, column)])
                // A parent's SET DEFAULT reaches its children: a child's own default comes after.
                .require(parents_of(cx.to, table).into_iter().map(|p| ObjectRef::ColumnDefault(p, column.clone())));
            if let Some(f) = from {
                a = a.release(f.refs.iter().cloned());
            }
            a
        }
        Change::DropDefault { table, column, .. } => Action::new(rank(DROP, 12, format!("{table}.{column}")))
            .step(loosened(
                st(alter_table(table, format!("ALTER COLUMN {} DROP DEFAULT", q(column)))).lock(L::AccessExclusive),
                cx,
                table,
                column,
                ColumnAspect::Omitted,
            ))
            // A new child's inherited default is dropped once the child exists.
            .require([col(table, column)])
            .remove([ObjectRef::ColumnDefault(table.clone(), column.clone())], cx),
        Change::SetNotNull { table, column } if cx.online && cx.existing(table) => {
            // A validated CHECK (col IS NOT NULL) lets SET NOT NULL skip its scan; the CHECK is
            // validated under a lock that lets writes through. Its name is not the one 18 gives
            // the NOT NULL constraint (`<table>_<column>_not_null`), which SET NOT NULL would
            // otherwise have to number.
            let check = q(&format!("{}_{}_not_null_check", table.name, column));
            let on = |s: String| st(alter_table(table, s));
            Action::new(rank(ALTER, 8, format!("{table}.{column}")))
                .step(
                    on(format!("ADD CONSTRAINT {check} CHECK ({} IS NOT NULL) NOT VALID", q(column)))
                        .lock(L::AccessExclusive),
                )
                .step(
                    on(format!("VALIDATE CONSTRAINT {check}"))
                        .lock(L::ShareUpdateExclusive)
                        .fresh_transaction()
                        .hazard(H::FailsOnExistingData, format!("fails if a row has {} NULL", q(column))),
                )
                .step(on(format!("ALTER COLUMN {} SET NOT NULL", q(column))).lock(L::AccessExclusive))
                .step(on(format!("DROP CONSTRAINT {check}")).lock(L::AccessExclusive))
                .require([col(table, column)])
        }
        Change::SetNotNull { table, column } => {
            let mut step =
                st(alter_table(table, format!("ALTER COLUMN {} SET NOT NULL", q(column)))).lock(L::AccessExclusive);
            if cx.existing(table) {
                step = step
                    .hazard(H::ValidationScan, "the whole table is scanned for NULLs while writes are blocked")
                    .hazard(H::FailsOnExistingData, format!("fails if a row has {} NULL", q(column)));
            }
            Action::new(rank(ALTER, 8, format!("{table}.{column}"))).step(step).require([col(table, column)])
        }
        Change::DropNotNull { table, column } => Action::new(rank(ALTER, 8, format!("{table}.{column}")))
            .step(loosened(
                st(alter_table(table, format!("ALTER COLUMN {} DROP NOT NULL", q(column)))).lock(L::AccessExclusive),
                cx,
                table,
                column,
                ColumnAspect::Nullability,
            ))
            .require([col(table, column)]),
        Change::AddIdentity { table, column, identity, set_not_null } => {
            let mut a = Action::new(rank(ALTER, 8, format!("{table}.{column}"))).require([col(table, column)]);
            if *set_not_null {
                a = a.step(
                    st(alter_table(table, format!("ALTER COLUMN {} SET NOT NULL", q(column))))
                        .lock(L::AccessExclusive)
                        .hazard(H::ValidationScan, "the whole table is scanned for NULLs while writes are blocked")
                        .hazard(H::FailsOnExistingData, format!("fails if a row has {} NULL", q(column))),
                );
            }
            a.step(loosened(
                st(alter_table(
                    table,
                    format!("ALTER COLUMN {} ADD {}", q(column), sql::identity_clause(table, column, identity)),
                ))
                .lock(L::AccessExclusive),
                cx,
                table,
                column,
                ColumnAspect::Supplied,
            ))
        }
        // An identity is the column's default: a new default is set after it goes.
        Change::DropIdentity { table, column } => Action::new(rank(ALTER, 8, format!("{table}.{column}")))
            .step(loosened(
                st(alter_table(table, format!("ALTER COLUMN {} DROP IDENTITY", q(column)))).lock(L::AccessExclusive),
                cx,
                table,
                column,
                ColumnAspect::Omitted,
            ))
            .require([col(table, column)])
            .remove([ObjectRef::ColumnDefault(table.clone(), column.clone())], cx),
        Change::AlterIdentity { table, column, from, to } => {
            let mut clauses = Vec::new();
            if from.always != to.always {
                clauses.push(format!("SET GENERATED {}", if to.always { "ALWAYS" } else { "BY DEFAULT" }));
            }
            // An identity sequence has its column's type, and the column's type change retypes
            // it (`SET AS` is no identity option): bounds that were the old type's become the
            // new type's, as the server's ALTER SEQUENCE ... AS moves them.
            let mut before = from.options.clone();
            if before.data_type != to.options.data_type {
                let old = crate::model::SequenceOptions::type_bounds(&before.data_type);
                let new = crate::model::SequenceOptions::type_bounds(&to.options.data_type);
                if before.min == old.0 {
                    before.min = new.0;
                }
                if before.max == old.1 {
                    before.max = new.1;
                }
                before.data_type = to.options.data_type.clone();
            }
            clauses.extend(sql::alter_sequence_clauses(&before, &to.options).into_iter().map(|c| format!("SET {c}")));
            let mut a = Action::new(rank(ALTER, 8, format!("{table}.{column}"))).require([col(table, column)]);
            if !clauses.is_empty() {
                a = a.step(loosened(
                    st(alter_table(table, format!("ALTER COLUMN {} {}", q(column), clauses.join(" "))))
                        .lock(L::AccessExclusive),
                    cx,
                    table,
                    column,
                    ColumnAspect::Supplied,
                ));
            }
            if from.sequence != to.sequence {
                a = a.step(st(format!("ALTER SEQUENCE {} RENAME TO {}", from.sequence, q(&to.sequence.name))));
            }
            a
        }
        Change::DropGenerated { table, column } => Action::new(rank(ALTER, 6, format!("{table}.{column}")))
            .step(loosened(
                st(alter_table(table, format!("ALTER COLUMN {} DROP EXPRESSION", q(column)))).lock(L::AccessExclusive),
                cx,
                table,
                column,
                ColumnAspect::Generated,
            ))
            .require([col(table, column)]),
        Change::RegenerateColumn { table, from, to } => {
            let me = col(table, &to.name);
            let mut objs = vec![me.clone()];
            if to.default.is_some() {
                objs.push(ObjectRef::ColumnDefault(table.clone(), to.name.clone()));
            }
            // A generated column's values are derived: dropping it loses nothing, except when
            // the column that replaces it is a plain one (a virtual column has no values that
            // DROP EXPRESSION could keep): it starts empty.
            let mut drop = st(alter_table(table, format!("DROP COLUMN {}", q(&from.name)))).lock(L::AccessExclusive);
            if from.generated.is_none() {
                drop = drop.hazard(H::DataLoss, "the column's stored values are replaced by computed ones");
            }
            let mut add = st(alter_table(table, format!("ADD COLUMN {}", sql::column_definition(table, to))))
                .lock(L::AccessExclusive);
            match &to.generated {
                // A virtual column is computed when read: adding one writes nothing.
                Some(g) if g.is_virtual() => {}
                Some(_) => add = add.hazard(H::TableRewrite, "the column is computed for every row"),
                None => {
                    add = add.hazard(
                        H::DataLoss,
                        "the virtual column's computed values are not kept: the plain column that replaces it \
                         starts empty (NULL or its default); copy them first if they matter",
                    )
                }
            }
            Action::new(rank(ALTER, 6, format!("{table}.{}", to.name)))
                .step(drop)
                .step(add)
                .remove([me.clone(), ObjectRef::ColumnDefault(table.clone(), from.name.clone())], cx)
                .provide(objs, cx)
        }
        Change::SetColumnStatistics { table, column, value } => {
            Action::new(rank(DECORATE, 1, format!("{table}.{column}")))
                .step(
                    st(alter_table(
                        table,
                        format!("ALTER COLUMN {} SET STATISTICS {}", q(column), value.unwrap_or(-1)),
                    ))
                    .lock(L::ShareUpdateExclusive),
                )
                .require([col(table, column)])
        }
        Change::SetColumnOptions { table, column, set, reset } => {
            let mut a = Action::new(rank(DECORATE, 1, format!("{table}.{column}")));
            if !reset.is_empty() {
                let keys = sql::option_keys(reset);
                a = a.step(
                    st(alter_table(table, format!("ALTER COLUMN {} RESET ({keys})", q(column))))
                        .lock(L::ShareUpdateExclusive),
                );
            }
            if !set.is_empty() {
                a = a.step(
                    st(alter_table(table, format!("ALTER COLUMN {} SET ({})", q(column), sql::options_list(set))))
                        .lock(L::ShareUpdateExclusive),
                );
            }
            a.require([col(table, column)])
        }
        Change::SetColumnStorage { table, column, storage } => {
            Action::new(rank(DECORATE, 1, format!("{table}.{column}")))
                .step(
                    st(alter_table(table, format!("ALTER COLUMN {} SET STORAGE {}", q(column), storage.keyword())))
                        .lock(L::AccessExclusive),
                )
                .require([col(table, column)])
        }
        Change::SetColumnCompression { table, column, compression } => {
            Action::new(rank(DECORATE, 1, format!("{table}.{column}")))
                .step(
                    st(alter_table(
                        table,
                        format!(
                            "ALTER COLUMN {} SET COMPRESSION {}",
                            q(column),
                            compression.as_deref().unwrap_or("default")
                        ),
                    ))
                    .lock(L::AccessExclusive),
                )
                .require([col(table, column)])
        }

        Change::AddConstraint { table, constraint } => {
            let me = ObjectRef::Constraint(table.clone(), constraint.name.clone());
            let foreign_key = matches!(constraint.kind, ConstraintKind::ForeignKey(_));
            let lock = if foreign_key { L::ShareRowExclusive } else { L::AccessExclusive };
            // Online: NOT VALID now (a brief lock), VALIDATE after (writes go on during the scan).
            let validate_later = cx.online
                && cx.existing(table)
                && constraint.validated
                && matches!(constraint.kind, ConstraintKind::Check { .. } | ConstraintKind::ForeignKey(_));
            let added = if validate_later {
                crate::model::Constraint { validated: false, ..constraint.clone() }
            } else {
                constraint.clone()
            };
            let def = sql::constraint_definition(&added);
            let mut step = st(alter_table(table, format!("ADD CONSTRAINT {} {def}", q(&constraint.name)))).lock(lock);
            if cx.from.tables.contains_key(table) && !validate_later {
                step = match &constraint.kind {
                    ConstraintKind::PrimaryKey(_) | ConstraintKind::Unique(_) | ConstraintKind::Exclude(_) => step
                        .hazard(H::IndexBuild, "the constraint's index is built while writes are blocked")
                        .hazard(H::FailsOnExistingData, "fails if existing rows conflict with the constraint"),
                    _ if constraint.validated => {
                        step.hazard(H::ValidationScan, "existing rows are checked while writes are blocked")
                    }
                    _ => step,
                };
            }
            let mut action =
                Action::new(rank(CREATE, if foreign_key { 8 } else { 7 }, format!("{table}.{}", constraint.name)))
                    .step(step);
            if validate_later {
                action = action.step(
                    st(alter_table(table, format!("VALIDATE CONSTRAINT {}", q(&constraint.name))))
                        .lock(L::ShareUpdateExclusive)
                        .fresh_transaction()
                        .hazard(H::FailsOnExistingData, "fails if an existing row violates the constraint"),
                );
            }
            action.provide([me], cx)
        }
        Change::DropConstraint { table, constraint } => {
            let mut step =
                st(alter_table(table, format!("DROP CONSTRAINT {}", q(&constraint.name)))).lock(L::AccessExclusive);
            if let Some(message) =
                contract::constraint_dropped(table, constraint, cx.to).filter(|_| cx.from.tables.contains_key(table))
            {
                step = step.hazard(H::BreaksClients, message);
            }
            // A unique constraint that a new unique index or constraint on the same columns
            // takes over is dropped after it exists: ON CONFLICT keeps working throughout. (Not
            // when it has the dropped one's name. Not for a primary key: its columns' DROP NOT
            // NULL must follow its drop, and a new primary key cannot coexist with it.)
            let successor = contract::successor_key(table, constraint, cx.from, cx.to).filter(|_| cx.existing(table));
            Action::new(rank(DROP, 10, format!("{table}.{}", constraint.name)))
                .step(step)
                .require(successor)
                .remove([ObjectRef::Constraint(table.clone(), constraint.name.clone())], cx)
        }
        Change::ValidateConstraint { table, name } => Action::new(rank(ALTER, 9, format!("{table}.{name}")))
            .step(
                st(alter_table(table, format!("VALIDATE CONSTRAINT {}", q(name))))
                    .lock(L::ShareUpdateExclusive)
                    .hazard(H::FailsOnExistingData, "fails if an existing row violates the constraint"),
            )
            .require([ObjectRef::Constraint(table.clone(), name.clone())]),
        Change::AlterConstraintDeferrable { table, name, deferrable, initially_deferred } => {
            let clause = match (deferrable, initially_deferred) {
                (false, _) => "NOT DEFERRABLE",
                (true, false) => "DEFERRABLE INITIALLY IMMEDIATE",
                (true, true) => "DEFERRABLE INITIALLY DEFERRED",
            };
            Action::new(rank(ALTER, 9, format!("{table}.{name}")))
                .step(st(alter_table(table, format!("ALTER CONSTRAINT {} {clause}", q(name)))))
                .require([ObjectRef::Constraint(table.clone(), name.clone())])
        }
        Change::AlterConstraintEnforced { table, name, enforced } => {
            let clause = if *enforced { "ENFORCED" } else { "NOT ENFORCED" };
            let mut step =
                st(alter_table(table, format!("ALTER CONSTRAINT {} {clause}", q(name)))).lock(L::ShareRowExclusive);
            if *enforced {
                // The server validates the key at once, under the lock (there is no NOT VALID
                // form of ENFORCED to split it as ADD ... NOT VALID + VALIDATE does).
                step = step
                    .hazard(
                        H::ValidationScan,
                        "existing rows are checked against the referenced table while writes are blocked",
                    )
                    .hazard(H::FailsOnExistingData, "fails if an existing row has no referenced row");
            }
            Action::new(rank(ALTER, 9, format!("{table}.{name}")))
                .step(step)
                .require([ObjectRef::Constraint(table.clone(), name.clone())])
        }

        Change::CreateIndex(i) if cx.online_for(&i.table) => {
            let step = st(sql::create_index(i, true)).lock(L::ShareUpdateExclusive).non_transactional().hazard(
                H::NonTransactional,
                "CREATE INDEX CONCURRENTLY runs outside a transaction; if it fails, drop the INVALID index it leaves and run it again",
            );
            let step = unique_on_rows(step, i, cx);
            Action::new(rank(CREATE, 7, &i.name)).step(step).provide([ObjectRef::Index(i.name.clone())], cx)
        }
        Change::CreateIndex(i) => {
            let mut step = st(sql::create_index(i, false)).lock(L::Share);
            if cx.from.tables.contains_key(&i.table) {
                step = step.hazard(H::IndexBuild, "the index is built while writes to the table are blocked");
            }
            let step = unique_on_rows(step, i, cx);
            Action::new(rank(CREATE, 7, &i.name)).step(step).provide([ObjectRef::Index(i.name.clone())], cx)
        }
        Change::DropIndex(i) if cx.online_for(&i.table) => Action::new(rank(DROP, 11, &i.name))
            .step(unique_index_dropped(
                st(format!("DROP INDEX CONCURRENTLY {}", i.name))
                    .lock(L::ShareUpdateExclusive)
                    .non_transactional()
                    .hazard(H::NonTransactional, "DROP INDEX CONCURRENTLY runs outside a transaction"),
                i,
                cx,
            ))
            .remove([ObjectRef::Index(i.name.clone())], cx),
        Change::DropIndex(i) => {
            let mut step = st(format!("DROP INDEX {}", i.name)).lock(L::AccessExclusive);
            if cx.from.tables.contains_key(&i.table) || cx.from.views.contains_key(&i.table) {
                step =
                    step.hazard(H::AccessExclusiveLock, "dropping the index locks its table against reads and writes");
            }
            Action::new(rank(DROP, 11, &i.name))
                .step(unique_index_dropped(step, i, cx))
                .remove([ObjectRef::Index(i.name.clone())], cx)
        }
        Change::SetIndexOptions { name, set, reset } => {
            let mut a = Action::new(rank(ALTER, 10, name)).require([ObjectRef::Index(name.clone())]);
            if !set.is_empty() {
                a = a.step(st(format!("ALTER INDEX {name} SET ({})", sql::option_pairs(set))));
            }
            if !reset.is_empty() {
                a = a.step(st(format!("ALTER INDEX {name} RESET ({})", sql::option_keys(reset))));
            }
            a
        }

        Change::AttachPartition { table, partition } => Action::new(rank(CREATE, 6, table))
            .step(
                st(format!("ALTER TABLE {} ATTACH PARTITION {table} {}", partition.parent, partition.bound.sql))
                    .lock(L::ShareUpdateExclusive)
                    .hazard(H::ValidationScan, format!("{table} is scanned to check its rows fit the partition bound")),
            )
            .require([ObjectRef::Table(table.clone()), ObjectRef::Table(partition.parent.clone())]),
        Change::DetachPartition { table, parent } => Action::new(rank(ALTER, 5, table))
            .step({
                let step = st(format!("ALTER TABLE {parent} DETACH PARTITION {table}")).lock(L::AccessExclusive);
                if cx.from.tables.contains_key(parent) {
                    step.hazard(H::AccessExclusiveLock, format!("{parent} is locked against reads and writes"))
                } else {
                    step
                }
            })
            .require([ObjectRef::Table(table.clone())])
            .release([ObjectRef::Table(parent.clone())]),
        Change::SetInherit { table, parent, inherit } => {
            let a = Action::new(rank(ALTER, 5, table)).step(
                st(alter_table(table, format!("{}INHERIT {parent}", if *inherit { "" } else { "NO " })))
                    .lock(L::AccessExclusive),
            );
            if *inherit {
                // The table must already have every column of its new parent.
                let columns: Vec<ObjectRef> = cx
                    .to
                    .tables
                    .get(parent)
                    .map(|p| p.columns.iter().map(|c| col(table, &c.name)).collect())
                    .unwrap_or_default();
                a.require([ObjectRef::Table(table.clone()), ObjectRef::Table(parent.clone())]).require(columns)
            } else {
                // Before the parent drops any of the columns the table had from it.
                let columns: Vec<ObjectRef> = cx
                    .from
                    .tables
                    .get(parent)
                    .map(|p| p.columns.iter().map(|c| col(parent, &c.name)).collect())
                    .unwrap_or_default();
                a.require([ObjectRef::Table(table.clone())])
                    .release([ObjectRef::Table(parent.clone())])
                    .release(columns)
            }
        }
        Change::SetLogged { table, unlogged } => Action::new(rank(ALTER, 5, table))
            .step(
                st(alter_table(table, if *unlogged { "SET UNLOGGED".into() } else { "SET LOGGED".into() }))
                    .lock(L::AccessExclusive)
                    .hazard(H::TableRewrite, "the table is rewritten"),
            )
            .require([ObjectRef::Table(table.clone())]),
        Change::SetTableOptions { table, set, reset } => {
            let mut a = Action::new(rank(ALTER, 5, table)).require([ObjectRef::Table(table.clone())]);
            if !set.is_empty() {
                a = a.step(
                    st(alter_table(table, format!("SET ({})", sql::option_pairs(set)))).lock(L::ShareUpdateExclusive),
                );
            }
            if !reset.is_empty() {
                a = a.step(
                    st(alter_table(table, format!("RESET ({})", sql::option_keys(reset))))
                        .lock(L::ShareUpdateExclusive),
                );
            }
            a
        }
        Change::SetReplicaIdentity { table, identity } => {
            use crate::model::ReplicaIdentity as R;
            let (clause, needs) = match identity {
                R::Default => ("REPLICA IDENTITY DEFAULT".to_string(), None),
                R::Full => ("REPLICA IDENTITY FULL".to_string(), None),
                R::Nothing => ("REPLICA IDENTITY NOTHING".to_string(), None),
                R::Index(i) => (format!("REPLICA IDENTITY USING INDEX {}", q(i)), Some(index_object(cx.to, table, i))),
            };
            Action::new(rank(DECORATE, 2, table))
                .step(st(alter_table(table, clause)).lock(L::AccessExclusive))
                .require([ObjectRef::Table(table.clone())])
                .require(needs)
        }
        Change::SetClusterOn { table, index } => {
            let (clause, needs) = match index {
                Some(i) => (format!("CLUSTER ON {}", q(i)), Some(index_object(cx.to, table, i))),
                None => ("SET WITHOUT CLUSTER".to_string(), None),
            };
            Action::new(rank(DECORATE, 2, table))
                .step(st(alter_table(table, clause)).lock(L::ShareUpdateExclusive))
                .require([ObjectRef::Table(table.clone())])
                .require(needs)
        }

        Change::Comment { object, comment } => {
            let text = comment.as_deref().map_or("NULL".to_string(), quote_literal);
            // A constraint's index exists once the constraint does.
            let constraint = match object {
                ObjectRef::Index(i) => {
                    cx.to.constraint_index(i).map(|(t, c)| ObjectRef::Constraint(t.name.clone(), c.name.clone()))
                }
                _ => None,
            };
            Action::new(rank(DECORATE, 5, object))
                .step(st(format!("COMMENT ON {} IS {text}", comment_target(object, cx.to))))
                .require([object.clone()])
                .require(constraint)
        }
        Change::CreateView(v) => {
            let mut objs = vec![ObjectRef::View(v.name.clone())];
            objs.extend(v.columns.iter().map(|c| col(&v.name, &c.name)));
            Action::new(rank(CREATE, 10, &v.name)).step(st(sql::create_view(v, false))).provide(objs, cx)
        }
        Change::ReplaceView { from, to } => {
            let mut objs = vec![ObjectRef::View(to.name.clone())];
            objs.extend(to.columns.iter().map(|c| col(&to.name, &c.name)));
            let old_deps: Vec<ObjectRef> = cx.old_deps.of(&ObjectRef::View(from.name.clone())).cloned().collect();
            Action::new(rank(ALTER, 11, &to.name))
                .step(st(sql::create_view(to, true)).lock(L::AccessExclusive))
                .provide(objs, cx)
                .release(old_deps)
        }
        Change::DropView(v) => {
            let mut objs = vec![ObjectRef::View(v.name.clone())];
            objs.extend(v.columns.iter().map(|c| col(&v.name, &c.name)));
            objs.extend(
                cx.from.indexes.values().filter(|i| i.table == v.name).map(|i| ObjectRef::Index(i.name.clone())),
            );
            let kind = if v.materialized { "MATERIALIZED VIEW" } else { "VIEW" };
            Action::new(rank(DROP, 5, &v.name))
                .step(gone(
                    st(format!("DROP {kind} {}", v.name)).lock(L::AccessExclusive),
                    !cx.to.views.contains_key(&v.name),
                    format!("queries using {} fail", v.name),
                ))
                .remove(objs, cx)
        }
        Change::RefreshView { name, populated } => Action::new(rank(DECORATE, 8, name))
            .step(
                st(format!("REFRESH MATERIALIZED VIEW {name}{}", if *populated { "" } else { " WITH NO DATA" }))
                    .lock(L::AccessExclusive),
            )
            .require([ObjectRef::View(name.clone())]),

        Change::CreateFunction(f) => Action::new(rank(CREATE, 3, &f.id))
            .step(function_step(st(sql::create_function(f, false)), f))
            .provide([ObjectRef::Function(f.id.clone())], cx),
        Change::ReplaceFunction { from, to } => {
            let old_deps: Vec<ObjectRef> = cx.old_deps.of(&ObjectRef::Function(from.id.clone())).cloned().collect();
            Action::new(rank(ALTER, 3, &to.id))
                .step(function_step(st(sql::create_function(to, true)), to))
                .provide([ObjectRef::Function(to.id.clone())], cx)
                .release(old_deps)
        }
        Change::DropFunction(f) => {
            let kind = if f.procedure { "PROCEDURE" } else { "FUNCTION" };
            Action::new(rank(DROP, 16, &f.id))
                .step(gone(
                    st(format!("DROP {kind} {}({})", f.id.name, f.id.args)),
                    !cx.to.functions.keys().any(|id| id.name == f.id.name),
                    format!("code calling {}({}) fails", f.id.name, f.id.args),
                ))
                .remove([ObjectRef::Function(f.id.clone())], cx)
        }
        Change::CreateAggregate(a) => Action::new(rank(CREATE, 3, &a.id))
            .step(st(sql::create_aggregate(a)))
            .provide([ObjectRef::Aggregate(a.id.clone())], cx),
        Change::DropAggregate(a) => Action::new(rank(DROP, 15, &a.id))
            .step(st(format!("DROP AGGREGATE {}({})", a.id.name, if a.id.args.is_empty() { "*" } else { &a.id.args })))
            .remove([ObjectRef::Aggregate(a.id.clone())], cx),

        Change::CreateTrigger(t) => Action::new(rank(CREATE, 11, format!("{}.{}", t.table, t.name)))
            .step(st(sql::create_trigger(t, false)).lock(L::ShareRowExclusive))
            .provide([ObjectRef::Trigger(t.table.clone(), t.name.clone())], cx),
        Change::ReplaceTrigger { from, to } => {
            let me = ObjectRef::Trigger(to.table.clone(), to.name.clone());
            let old_deps: Vec<ObjectRef> =
                cx.old_deps.of(&ObjectRef::Trigger(from.table.clone(), from.name.clone())).cloned().collect();
            Action::new(rank(ALTER, 12, format!("{}.{}", to.table, to.name)))
                .step(st(sql::create_trigger(to, true)).lock(L::ShareRowExclusive))
                .provide([me], cx)
                .release(old_deps)
        }
        Change::DropTrigger(t) => Action::new(rank(DROP, 6, format!("{}.{}", t.table, t.name)))
            .step(st(format!("DROP TRIGGER {} ON {}", q(&t.name), t.table)).lock(L::AccessExclusive))
            .remove([ObjectRef::Trigger(t.table.clone(), t.name.clone())], cx),
        Change::SetTriggerEnabled { table, name, enabled } => {
            use crate::model::TriggerEnabled as E;
            let how = match enabled {
                E::Origin => "ENABLE",
                E::Disabled => "DISABLE",
                E::Replica => "ENABLE REPLICA",
                E::Always => "ENABLE ALWAYS",
            };
            let keyword = if cx.to.views.contains_key(table) { "VIEW" } else { "TABLE" };
            Action::new(rank(DECORATE, 3, format!("{table}.{name}")))
                .step(st(format!("ALTER {keyword} {table} {how} TRIGGER {}", q(name))).lock(L::ShareRowExclusive))
                .require([ObjectRef::Trigger(table.clone(), name.clone())])
        }
        Change::CreateEventTrigger(t) => {
            let tags = if t.tags.is_empty() {
                String::new()
            } else {
                format!(" WHEN TAG IN ({})", t.tags.iter().map(|x| quote_literal(x)).collect::<Vec<_>>().join(", "))
            };
            Action::new(rank(CREATE, 13, q(&t.name)))
                .step(st(format!(
                    "CREATE EVENT TRIGGER {} ON {}{tags} EXECUTE FUNCTION {}()",
                    q(&t.name),
                    t.event,
                    t.function.name
                )))
                .provide([ObjectRef::EventTrigger(t.name.clone())], cx)
        }
        Change::DropEventTrigger(t) => Action::new(rank(DROP, 4, q(&t.name)))
            .step(st(format!("DROP EVENT TRIGGER {}", q(&t.name))))
            .remove([ObjectRef::EventTrigger(t.name.clone())], cx),
        Change::SetEventTriggerEnabled { name, enabled } => {
            use crate::model::TriggerEnabled as E;
            let how = match enabled {
                E::Origin => "ENABLE",
                E::Disabled => "DISABLE",
                E::Replica => "ENABLE REPLICA",
                E::Always => "ENABLE ALWAYS",
            };
            Action::new(rank(DECORATE, 3, q(name)))
                .step(st(format!("ALTER EVENT TRIGGER {} {how}", q(name))))
                .require([ObjectRef::EventTrigger(name.clone())])
        }

        Change::CreateStatistics(s) => Action::new(rank(CREATE, 8, &s.name))
            .step(st(sql::create_statistics(s)).lock(L::ShareUpdateExclusive))
            .provide([ObjectRef::Statistics(s.name.clone())], cx),
        Change::DropStatistics(s) => Action::new(rank(DROP, 11, &s.name))
            .step(st(format!("DROP STATISTICS {}", s.name)).lock(L::ShareUpdateExclusive))
            .remove([ObjectRef::Statistics(s.name.clone())], cx),
        Change::SetStatisticsTarget { name, target } => Action::new(rank(ALTER, 10, name))
            .step(st(format!("ALTER STATISTICS {name} SET STATISTICS {}", target.unwrap_or(-1))))
            .require([ObjectRef::Statistics(name.clone())]),
        Change::CreateTextSearchDictionary(d) => Action::new(rank(CREATE, 1, &d.name))
            .step(st(sql::create_text_search_dictionary(d)))
            .provide([ObjectRef::TextSearchDictionary(d.name.clone())], cx),
        Change::DropTextSearchDictionary(d) => Action::new(rank(DROP, 19, &d.name))
            .step(st(format!("DROP TEXT SEARCH DICTIONARY {}", d.name)))
            .remove([ObjectRef::TextSearchDictionary(d.name.clone())], cx),
        Change::AlterTextSearchDictionary { name, from, to } => {
            let obj = ObjectRef::TextSearchDictionary(name.clone());
            let mut items: Vec<String> = to
                .iter()
                .filter(|(k, v)| from.get(*k) != Some(*v))
                .map(|(k, v)| sql::dictionary_option(k, v))
                .collect();
            items.extend(from.keys().filter(|k| !to.contains_key(*k)).map(|k| q(k)));
            Action::new(rank(ALTER, 1, name))
                .step(st(format!("ALTER TEXT SEARCH DICTIONARY {name} ({})", items.join(", "))).hazard(
                    H::StaleDerivedData,
                    format!("indexes and stored values computed with {name} are not computed again"),
                ))
                .require([obj.clone()])
                .require(cx.new_deps.of(&obj).cloned())
        }
        Change::CreateTextSearchConfig(c) => {
            let mut a = Action::new(rank(CREATE, 2, &c.name))
                .step(st(format!("CREATE TEXT SEARCH CONFIGURATION {} (PARSER = {})", c.name, c.parser)));
            for m in sql::text_search_mappings(&c.name, &Default::default(), &c.mappings) {
                a = a.step(st(m));
            }
            a.provide([ObjectRef::TextSearchConfig(c.name.clone())], cx)
        }
        Change::DropTextSearchConfig(c) => Action::new(rank(DROP, 18, &c.name))
            .step(st(format!("DROP TEXT SEARCH CONFIGURATION {}", c.name)))
            .remove([ObjectRef::TextSearchConfig(c.name.clone())], cx),
        Change::AlterTextSearchMappings { name, from, to } => {
            let obj = ObjectRef::TextSearchConfig(name.clone());
            let mut a = Action::new(rank(ALTER, 2, name));
            for m in sql::text_search_mappings(name, from, to) {
                a = a.step(st(m).hazard(
                    H::StaleDerivedData,
                    format!("indexes and stored values computed with {name} are not computed again"),
                ));
            }
            a.require([obj.clone()]).require(cx.new_deps.of(&obj).cloned())
        }
        Change::CreatePolicy(p) => Action::new(rank(CREATE, 12, format!("{}.{}", p.table, p.name)))
            .step(st(sql::create_policy(p)).lock(L::AccessExclusive).hazard(H::Authorization, summary.clone()))
            .provide([ObjectRef::Policy(p.table.clone(), p.name.clone())], cx),
        Change::AlterPolicy { from, to } => {
            let mut clause = format!("TO {}", sql::policy_roles(&to.roles));
            if let Some(u) = &to.using {
                clause.push_str(&format!(" USING ({})", u.sql));
            }
            if let Some(c) = &to.with_check {
                clause.push_str(&format!(" WITH CHECK ({})", c.sql));
            }
            let me = ObjectRef::Policy(to.table.clone(), to.name.clone());
            let old_deps: Vec<ObjectRef> =
                cx.old_deps.of(&ObjectRef::Policy(from.table.clone(), from.name.clone())).cloned().collect();
            Action::new(rank(ALTER, 13, format!("{}.{}", to.table, to.name)))
                .step(
                    st(format!("ALTER POLICY {} ON {} {clause}", q(&to.name), to.table))
                        .lock(L::AccessExclusive)
                        .hazard(H::Authorization, summary.clone()),
                )
                .provide([me], cx)
                .release(old_deps)
        }
        Change::DropPolicy(p) => Action::new(rank(DROP, 7, format!("{}.{}", p.table, p.name)))
            .step(
                st(format!("DROP POLICY {} ON {}", q(&p.name), p.table))
                    .lock(L::AccessExclusive)
                    .hazard(H::Authorization, summary.clone()),
            )
            .remove([ObjectRef::Policy(p.table.clone(), p.name.clone())], cx),
        Change::CreateCast(c) => Action::new(rank(CREATE, 14, c.key().to_string()))
            .step(st(sql::create_cast(c)))
            .provide([ObjectRef::Cast(c.key())], cx),
        Change::DropCast(c) => Action::new(rank(DROP, 9, c.key().to_string()))
            .step(st(format!("DROP CAST ({} AS {})", c.source, c.target)))
            .remove([ObjectRef::Cast(c.key())], cx),
        Change::CreateRule(r) => Action::new(rank(CREATE, 13, format!("{}.{}", r.table, r.name)))
            .step(st(sql::create_rule(r, false)).lock(L::AccessExclusive))
            .provide([ObjectRef::Rule(r.table.clone(), r.name.clone())], cx),
        Change::ReplaceRule { from, to } => {
            let me = ObjectRef::Rule(to.table.clone(), to.name.clone());
            let old_deps: Vec<ObjectRef> =
                cx.old_deps.of(&ObjectRef::Rule(from.table.clone(), from.name.clone())).cloned().collect();
            Action::new(rank(ALTER, 14, format!("{}.{}", to.table, to.name)))
                .step(st(sql::create_rule(to, true)).lock(L::AccessExclusive))
                .provide([me], cx)
                .release(old_deps)
        }
        Change::DropRule(r) => Action::new(rank(DROP, 8, format!("{}.{}", r.table, r.name)))
            .step(st(format!("DROP RULE {} ON {}", q(&r.name), r.table)).lock(L::AccessExclusive))
            .remove([ObjectRef::Rule(r.table.clone(), r.name.clone())], cx),
        Change::SetRowSecurity { table, enabled } => Action::new(rank(DECORATE, 2, table))
            .step(
                st(alter_table(table, format!("{} ROW LEVEL SECURITY", if *enabled { "ENABLE" } else { "DISABLE" })))
                    .lock(L::AccessExclusive)
                    .hazard(H::Authorization, summary.clone()),
            )
            .require([ObjectRef::Table(table.clone())]),
        Change::SetForceRowSecurity { table, forced } => Action::new(rank(DECORATE, 2, table))
            .step(
                st(alter_table(table, format!("{} ROW LEVEL SECURITY", if *forced { "FORCE" } else { "NO FORCE" })))
                    .lock(L::AccessExclusive)
                    .hazard(H::Authorization, summary.clone()),
            )
            .require([ObjectRef::Table(table.clone())]),

        Change::Grant { object: ObjectRef::DefaultPrivileges(key), grantee, owner, privileges, grantable, .. } => {
            let option = if *grantable { " WITH GRANT OPTION" } else { "" };
            Action::new(rank(DECORATE, 8, key))
                .step(
                    st(format!(
                        "{} GRANT {} ON {} TO {}{option}",
                        default_privileges_prefix(key),
                        privilege_list(privileges),
                        key.object.keyword(),
                        grantee_sql(grantee, owner)
                    ))
                    .hazard(H::Authorization, summary.clone()),
                )
                .require(key.schema.iter().map(|s| ObjectRef::Schema(s.clone())))
        }
        Change::Revoke {
            object: ObjectRef::DefaultPrivileges(key),
            grantee,
            owner,
            privileges,
            grant_option_only,
            ..
        } => {
            let option = if *grant_option_only { "GRANT OPTION FOR " } else { "" };
            Action::new(rank(DECORATE, 8, key))
                .step(
                    st(format!(
                        "{} REVOKE {option}{} ON {} FROM {}",
                        default_privileges_prefix(key),
                        privilege_list(privileges),
                        key.object.keyword(),
                        grantee_sql(grantee, owner)
                    ))
                    .hazard(H::Authorization, summary.clone()),
                )
                .require(key.schema.iter().map(|s| ObjectRef::Schema(s.clone())))
        }
        Change::Grant { object, kind, grantee, owner, privileges, grantable } => {
            let (what, on) = privilege_target(object, *kind, privileges, cx.to);
            let option = if *grantable { " WITH GRANT OPTION" } else { "" };
            Action::new(rank(DECORATE, 7, object))
                .step(
                    st(format!("GRANT {what} ON {on} TO {}{option}", grantee_sql(grantee, owner)))
                        .hazard(H::Authorization, summary.clone()),
                )
                .require([object.clone()])
        }
        Change::Revoke { object, kind, grantee, owner, privileges, grant_option_only } => {
            let (what, on) = privilege_target(object, *kind, privileges, cx.to);
            let option = if *grant_option_only { "GRANT OPTION FOR " } else { "" };
            Action::new(rank(DECORATE, 6, object))
                .step(
                    st(format!("REVOKE {option}{what} ON {on} FROM {}", grantee_sql(grantee, owner)))
                        .hazard(H::Authorization, summary.clone()),
                )
                .require([object.clone()])
        }
        Change::AlterOwner { object, owner } => {
            let mut step = st(format!("ALTER {} OWNER TO {}", owner_target(object, cx.to), q(owner)))
                .hazard(H::Authorization, format!("{object} will be owned by {owner}"));
            // A relation's owner changes under ACCESS EXCLUSIVE (brief, but it queues).
            let relation = match object {
                ObjectRef::Table(t) => cx.from.tables.contains_key(t),
                ObjectRef::View(v) => cx.from.views.contains_key(v),
                ObjectRef::Sequence(q) => cx.from.sequences.contains_key(q),
                _ => false,
            };
            if relation {
                step = step.lock(L::AccessExclusive);
            }
            Action::new(rank(DECORATE, 4, object)).step(step).require([object.clone()])
        }
    }
}

/// The hazards of creating a function: who it runs as, what the server does not check.
fn function_step(step: Step, f: &crate::model::Function) -> Step {
    let mut step = step;
    if f.security_definer {
        step = step.hazard(H::Authorization, format!("{} runs with its owner's privileges (SECURITY DEFINER)", f.id));
    }
    if f.language == "plpgsql" {
        step = step.hazard(
            H::UntrackedDependency,
            "the objects a PL/pgSQL body uses are not tracked by the server: they are not checked when it is created, and dropping them does not fail",
        );
    }
    step
}

/// A volatile default (`now()` is stable, fine) rewrites the table when a column is added.
fn is_volatile(sql: &str) -> bool {
    let s = sql.to_ascii_lowercase();
    ["random(", "gen_random_uuid(", "uuid_generate", "clock_timestamp(", "nextval(", "timeofday("]
        .iter()
        .any(|f| s.contains(f))
}

/// The object an index name designates on a table: a constraint's index or a plain index.
fn index_object(cat: &Catalog, table: &QualifiedName, index: &str) -> ObjectRef {
    if cat.tables.get(table).is_some_and(|t| t.constraints.contains_key(index)) {
        ObjectRef::Constraint(table.clone(), index.to_string())
    } else {
        ObjectRef::Index(QualifiedName::new(table.schema.clone(), index))
    }
}

fn comment_target(obj: &ObjectRef, cat: &Catalog) -> String {
    match obj {
        ObjectRef::Schema(s) => format!("SCHEMA {}", q(s)),
        ObjectRef::Extension(e) => format!("EXTENSION {}", q(e)),
        ObjectRef::Type(t) => format!("{} {t}", cat.types.get(t).map_or("TYPE", |t| t.kind.keyword())),
        ObjectRef::Sequence(s) => format!("SEQUENCE {s}"),
        ObjectRef::Table(t) => format!("TABLE {t}"),
        ObjectRef::Column(t, c) | ObjectRef::ColumnDefault(t, c) => format!("COLUMN {t}.{}", q(c)),
        ObjectRef::Constraint(t, c) => format!("CONSTRAINT {} ON {t}", q(c)),
        ObjectRef::Index(i) => format!("INDEX {i}"),
        other => owner_target(other, cat),
    }
}

/// `ALTER DEFAULT PRIVILEGES [FOR ROLE r] [IN SCHEMA s]`.
fn default_privileges_prefix(key: &crate::model::DefaultAclKey) -> String {
    let mut s = "ALTER DEFAULT PRIVILEGES".to_string();
    if let Some(r) = &key.role {
        s.push_str(&format!(" FOR ROLE {}", q(r)));
    }
    if let Some(schema) = &key.schema {
        s.push_str(&format!(" IN SCHEMA {}", q(schema)));
    }
    s
}

fn privilege_list(privileges: &[Privilege]) -> String {
    privileges.iter().map(|p| p.keyword()).collect::<Vec<_>>().join(", ")
}

fn grantee_sql(g: &Grantee, owner: &Option<String>) -> String {
    match g {
        Grantee::Owner => owner.as_deref().map_or("CURRENT_ROLE".to_string(), q),
        Grantee::Public => "PUBLIC".into(),
        Grantee::Role(r) => q(r),
    }
}

/// `SELECT, INSERT` and `TABLE public.t` (or `SELECT (c)` and the table, for a column).
fn privilege_target(obj: &ObjectRef, kind: AclKind, privileges: &[Privilege], cat: &Catalog) -> (String, String) {
    let list =
        |suffix: &str| privileges.iter().map(|p| format!("{}{suffix}", p.keyword())).collect::<Vec<_>>().join(", ");
    match obj {
        ObjectRef::Column(t, c) => (list(&format!(" ({})", q(c))), format!("TABLE {t}")),
        ObjectRef::Schema(s) => (list(""), format!("SCHEMA {}", q(s))),
        ObjectRef::Type(t) => (
            list(""),
            format!(
                "{} {t}",
                if matches!(cat.types.get(t).map(|t| &t.kind), Some(TypeKind::Domain(_))) { "DOMAIN" } else { "TYPE" }
            ),
        ),
        ObjectRef::Table(t) | ObjectRef::View(t) => (list(""), format!("TABLE {t}")),
        ObjectRef::Function(f) => {
            let kw = if cat.functions.get(f).is_some_and(|f| f.procedure) { "PROCEDURE" } else { "FUNCTION" };
            (list(""), format!("{kw} {}({})", f.name, f.args))
        }
        ObjectRef::Aggregate(a) => (list(""), format!("FUNCTION {}({})", a.name, a.args)),
        ObjectRef::Sequence(s) => (list(""), format!("SEQUENCE {s}")),
        other => (list(""), format!("{} {other}", kind.object_keyword())),
    }
}

fn owner_target(obj: &ObjectRef, cat: &Catalog) -> String {
    match obj {
        ObjectRef::Schema(s) => format!("SCHEMA {}", q(s)),
        ObjectRef::Type(t) => format!("{} {t}", cat.types.get(t).map_or("TYPE", |t| t.kind.keyword())),
        ObjectRef::Sequence(s) => format!("SEQUENCE {s}"),
        ObjectRef::Table(t) => format!("TABLE {t}"),
        ObjectRef::View(v) => {
            format!(
                "{} {v}",
                if cat.views.get(v).is_some_and(|v| v.materialized) { "MATERIALIZED VIEW" } else { "VIEW" }
            )
        }
        ObjectRef::Function(f) => {
            format!("{} {f}", if cat.functions.get(f).is_some_and(|f| f.procedure) { "PROCEDURE" } else { "FUNCTION" })
        }
        // An aggregate of no arguments is written `name(*)`.
        ObjectRef::Aggregate(a) if a.args.is_empty() => format!("AGGREGATE {}(*)", a.name),
        ObjectRef::Aggregate(a) => format!("AGGREGATE {a}"),
        ObjectRef::Collation(c) => format!("COLLATION {c}"),
        ObjectRef::Trigger(t, n) => format!("TRIGGER {} ON {t}", q(n)),
        ObjectRef::EventTrigger(e) => format!("EVENT TRIGGER {}", q(e)),
        ObjectRef::Policy(t, n) => format!("POLICY {} ON {t}", q(n)),
        ObjectRef::Rule(t, n) => format!("RULE {} ON {t}", q(n)),
        ObjectRef::Cast(k) => format!("CAST {k}"),
        ObjectRef::Statistics(s) => format!("STATISTICS {s}"),
        ObjectRef::TextSearchConfig(c) => format!("TEXT SEARCH CONFIGURATION {c}"),
        ObjectRef::TextSearchDictionary(d) => format!("TEXT SEARCH DICTIONARY {d}"),
        other => format!("{other}"),
    }
}

/// An enum that loses or reorders labels, or a domain whose base changed, is rebuilt: the old
/// type is renamed out of the way, the new one created, the columns converted, the old dropped.
fn recreate_type(from: &crate::model::TypeDef, to: &crate::model::TypeDef, cx: &Cx, summary: &str) -> Action {
    let name = &to.name;
    let old_name = temporary_name(&name.name, "old");
    let old = QualifiedName::new(name.schema.clone(), old_name.clone());
    let st = |sql: String| Step::new(sql, summary.to_string());
    // A range type's multirange and the constructors of both keep their names when the range
    // is renamed: they are moved aside first.
    let old_multirange = from.multirange();
    let mut a = Action::new(rank(ALTER, 2, name));
    if let (Some(m), TypeKind::Range(r)) = (&old_multirange, &from.kind) {
        let m_old = temporary_name(&m.name, "old");
        for args in [format!("{0}, {0}", r.subtype), format!("{0}, {0}, text", r.subtype)] {
            a = a.step(st(format!("ALTER FUNCTION {name}({args}) RENAME TO {}", q(&old_name))));
        }
        for args in [String::new(), name.to_string(), format!("{name}[]")] {
            a = a.step(st(format!("ALTER FUNCTION {m}({args}) RENAME TO {}", q(&m_old))));
        }
        a = a.step(st(format!("ALTER TYPE {m} RENAME TO {}", q(&m_old))));
    }
    a = a.step(st(format!("ALTER {} {name} RENAME TO {}", from.kind.keyword(), q(&old_name))));
    for sql in sql::create_type(to) {
        a = a.step(st(sql));
    }
    let mut lost = Vec::new();
    if let (TypeKind::Enum { labels: a_labels }, TypeKind::Enum { labels: b_labels }) = (&from.kind, &to.kind) {
        lost = a_labels.iter().filter(|l| !b_labels.contains(l)).cloned().collect();
    }
    let mut columns = Vec::new();
    for (table, c) in columns_of_type(cx.to, name) {
        let was = cx.from.tables.get(table).and_then(|t| t.column(&c.name)).and_then(|c| c.ty.user_type().cloned());
        let Some(was) = was else { continue };
        if was != *name && Some(&was) != old_multirange.as_ref() {
            continue;
        }
        let via = match &from.kind {
            TypeKind::Domain(d) => d.base.to_string(),
            _ => "text".to_string(),
        };
        let arr = if c.ty.array { "[]" } else { "" };
        let using = format!("{}::{via}{arr}::{}", q(&c.name), c.ty);
        let mut step = st(alter_table(table, format!("ALTER COLUMN {} TYPE {} USING {using}", q(&c.name), c.ty)))
            .lock(L::AccessExclusive)
            .hazard(H::TableRewrite, format!("column {} is converted to the new type", q(&c.name)));
        if !lost.is_empty() {
            step = step.hazard(
                H::DataLoss,
                format!("rows holding removed labels ({}) make the conversion fail", lost.join(", ")),
            );
        }
        a = a.step(step);
        columns.push(col(table, &c.name));
    }
    a = a.step(st(format!("DROP {} {old}", from.kind.keyword())));
    let me = ObjectRef::Type(name.clone());
    a.remove([me.clone()], cx).provide([me], cx).require(columns)
}

/// `name__suffix`, shortened to fit Postgres' 63-byte identifiers.
fn temporary_name(name: &str, suffix: &str) -> String {
    let tail = format!("__{suffix}");
    let mut head = name.to_string();
    while head.len() + tail.len() > 63 {
        head.pop();
    }
    head + &tail
}
