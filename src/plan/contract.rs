//! What a change takes away from the running application: the guarantees it relies on when it
//! writes (a default, a unique key for `ON CONFLICT`, values it may supply itself) and reads (no
//! NULLs, no orphans, values inside a CHECK). Judged from the object before the change and the
//! desired state after it (for `review`, the state the whole file leaves), so that a drop the
//! same migration makes good again (a constraint re-added under its name, a default replaced by
//! an identity) is no break. Shared by the planner and `review`, which the cross-check keeps
//! in agreement.

use crate::model::{
    quote_ident as q, quote_literal, sorted_columns, Catalog, Column, Constraint, ConstraintKind, ObjectRef,
    QualifiedName,
};

/// The part of a column's contract a statement changes (`DROP DEFAULT` changes what inserts
/// that leave the column out get; `DROP IDENTITY` does too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnAspect {
    /// Whether it may hold NULL.
    Nullability,
    /// What an insert that leaves it out stores: a default, an identity, a generation.
    Omitted,
    /// Whether writers may supply a value (GENERATED ALWAYS forbids it) and whether an identity
    /// starts past the values already stored.
    Supplied,
    /// Whether its values follow a generation expression.
    Generated,
}

/// A guarantee about a column that a change takes away.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Loosening {
    /// NOT NULL is gone.
    MayBeNull,
    /// Nothing fills the column when an insert leaves it out, and it is NOT NULL (`Some(true)`),
    /// nullable (`Some(false)`) or either (`None`, the column is unknown).
    NothingFills { not_null: Option<bool> },
    /// GENERATED ALWAYS: writers may no longer supply a value.
    SuppliedFails,
    /// A new identity whose sequence starts at this value, below what the table may hold.
    IdentityStartsAt(i64),
    /// A generation expression is gone.
    NoLongerComputed,
}

impl Loosening {
    /// In a reviewer's words.
    pub fn message(&self, table: &QualifiedName, column: &str) -> String {
        let col = q(column);
        match self {
            Loosening::MayBeNull => format!("{table}.{col} may now hold NULLs that code reading it does not expect"),
            Loosening::NothingFills { not_null: Some(true) } => format!(
                "inserts that leave out {table}.{col} (the running application's) now fail: it is NOT NULL and nothing fills it"
            ),
            Loosening::NothingFills { not_null: Some(false) } => format!(
                "inserts that leave out {table}.{col} (the running application's) now store NULL instead of a value"
            ),
            Loosening::NothingFills { not_null: None } => format!(
                "inserts that leave out {table}.{col} (the running application's) now store NULL, or fail if it is NOT NULL"
            ),
            Loosening::SuppliedFails => {
                format!("inserts and updates that give {table}.{col} a value now fail: it is GENERATED ALWAYS")
            }
            Loosening::IdentityStartsAt(start) => format!(
                "the identity's sequence starts at {start}: if {table} holds {col} values from there on, inserts that leave {col} out repeat them (and fail on a unique key); move it past them with SELECT setval(pg_get_serial_sequence({}, {}), max({col})) FROM {table}",
                quote_literal(&table.to_string()),
                quote_literal(column)
            ),
            Loosening::NoLongerComputed => format!(
                "{table}.{col} is no longer computed: rows written from now on keep whatever the writer gives it (NULL when left out)"
            ),
        }
    }
}

/// What the change of a column from `before` to `after` takes away in `aspect`: nothing (an
/// empty list) when the guarantees hold after the change.
pub fn column_loosened(before: &Column, after: &Column, aspect: ColumnAspect) -> Vec<Loosening> {
    let fills = |c: &Column| c.default.is_some() || c.identity.is_some() || c.generated.is_some();
    let always = |c: &Column| c.identity.as_ref().is_some_and(|i| i.always);
    let mut found = Vec::new();
    match aspect {
        ColumnAspect::Nullability if before.not_null && !after.not_null => found.push(Loosening::MayBeNull),
        ColumnAspect::Omitted if fills(before) && !fills(after) => {
            found.push(Loosening::NothingFills { not_null: Some(after.not_null) })
        }
        ColumnAspect::Supplied => {
            if always(after) && !always(before) {
                found.push(Loosening::SuppliedFails);
            }
            if let (None, Some(identity)) = (&before.identity, &after.identity) {
                found.push(Loosening::IdentityStartsAt(identity.options.start));
            }
        }
        ColumnAspect::Generated if before.generated.is_some() && after.generated.is_none() => {
            found.push(Loosening::NoLongerComputed)
        }
        _ => {}
    }
    found
}

fn has_unique_key(catalog: &Catalog, table: &QualifiedName, columns: &[String]) -> bool {
    catalog.referenced_key(table, columns).is_some()
}

fn column_list(columns: &[String]) -> String {
    columns.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ")
}

/// What dropping `constraint` of `table` breaks, given the state `after` the change: nothing
/// when the table is gone too (that is data loss, reported as such), when a constraint of the
/// same name is back, or when an equivalent one holds (a unique key on the same columns, a
/// foreign key from the same columns to the same table, a CHECK of the same expression).
pub fn constraint_dropped(table: &QualifiedName, constraint: &Constraint, after: &Catalog) -> Option<String> {
    let t = after.tables.get(table)?;
    if t.constraints.contains_key(&constraint.name) {
        return None;
    }
    // A constraint on a column that goes too goes with it: the column's drop is the loss.
    let columns: Vec<&String> = match &constraint.kind {
        ConstraintKind::PrimaryKey(k) | ConstraintKind::Unique(k) => k.columns.iter().collect(),
        ConstraintKind::ForeignKey(fk) => fk.columns.iter().collect(),
        ConstraintKind::Check { expr, .. } => expr
            .refs
            .iter()
            .filter_map(|r| match r {
                ObjectRef::Column(t, c) if t == table => Some(c),
                _ => None,
            })
            .collect(),
        ConstraintKind::Exclude(_) => Vec::new(),
    };
    if columns.iter().any(|c| t.column(c).is_none()) {
        return None;
    }
    let name = q(&constraint.name);
    match &constraint.kind {
        ConstraintKind::PrimaryKey(k) | ConstraintKind::Unique(k) => {
            let primary = matches!(constraint.kind, ConstraintKind::PrimaryKey(_));
            let columns = sorted_columns(&k.columns);
            let keys = after.unique_keys(table);
            let same: Vec<_> = keys.iter().filter(|u| u.columns == columns).collect();
            // A primary key is also the default replica identity and what ORMs address rows
            // by: only a primary key on the same columns replaces it.
            if same.iter().any(|u| u.primary) || (!primary && !same.is_empty()) {
                return None;
            }
            if !same.is_empty() {
                return Some(format!(
                    "{table} loses its primary key {name}: a table published for logical replication stops accepting UPDATE and DELETE (the default replica identity), and tools that address rows by primary key lose it; the unique key on ({}) remains",
                    column_list(&k.columns)
                ));
            }
            Some(format!(
                "{table} loses {}{name} on ({}): INSERT ... ON CONFLICT ({}) fails, duplicates can enter{}",
                if primary { "its primary key " } else { "unique key " },
                column_list(&k.columns),
                column_list(&k.columns),
                if primary { ", and a table published for logical replication stops accepting UPDATE and DELETE" } else { "" }
            ))
        }
        ConstraintKind::Exclude(_) => {
            Some(format!("{table} loses exclusion constraint {name}: rows it kept apart can now overlap, and ON CONFLICT ON CONSTRAINT {name} fails"))
        }
        ConstraintKind::ForeignKey(fk) => {
            let columns = sorted_columns(&fk.columns);
            let same = t.constraints.values().any(|c| {
                matches!(&c.kind, ConstraintKind::ForeignKey(o) if o.ref_table == fk.ref_table && sorted_columns(&o.columns) == columns)
            });
            if same {
                return None;
            }
            let cascades = !matches!(fk.on_delete, crate::model::FkAction::NoAction | crate::model::FkAction::Restrict);
            Some(format!(
                "{table}.({}) may now point at {} rows that do not exist{}",
                column_list(&fk.columns),
                fk.ref_table,
                if cascades { ", and deleting those rows no longer reaches its rows (ON DELETE)" } else { "" }
            ))
        }
        ConstraintKind::Check { expr, .. } => {
            let same = t
                .constraints
                .values()
                .any(|c| matches!(&c.kind, ConstraintKind::Check { expr: e, .. } if e.key == expr.key));
            if same {
                return None;
            }
            Some(format!("{table} now accepts rows that CHECK {name} refused, which code reading it may not expect"))
        }
    }
}

/// What dropping unique index `index` breaks, given the state `after`: `ON CONFLICT` on its
/// columns, unless an equivalent unique key remains (or an index of its name is back).
pub fn unique_index_dropped(index: &crate::model::Index, after: &Catalog) -> Option<String> {
    if !index.unique || after.indexes.contains_key(&index.name) || !after.tables.contains_key(&index.table) {
        return None;
    }
    let columns = index.plain_columns();
    let table = &after.tables[&index.table];
    if columns.as_ref().is_some_and(|cols| cols.iter().any(|c| table.column(c).is_none())) {
        return None;
    }
    match columns {
        Some(cols) if index.predicate.is_none() => {
            if has_unique_key(after, &index.table, &cols) {
                return None;
            }
            Some(format!(
                "{} loses unique index {}: INSERT ... ON CONFLICT ({}) fails, duplicates can enter",
                index.table,
                q(&index.name.name),
                column_list(&cols)
            ))
        }
        _ => Some(format!(
            "{} loses unique index {}: duplicates can enter, and ON CONFLICT that relied on it fails",
            index.table,
            q(&index.name.name)
        )),
    }
}

/// The new unique key of `table` (in `after`, not in `before`, under another name) that takes
/// over from the unique constraint `constraint` dropped: the planner drops the old one after it
/// exists, so that ON CONFLICT keeps working throughout. Never a primary key (it could not
/// coexist with one the table has).
pub fn successor_key(
    table: &QualifiedName,
    constraint: &Constraint,
    before: &Catalog,
    after: &Catalog,
) -> Option<ObjectRef> {
    let ConstraintKind::Unique(k) = &constraint.kind else { return None };
    let columns = sorted_columns(&k.columns);
    let old = before.unique_keys(table);
    after
        .unique_keys(table)
        .into_iter()
        .filter(|n| n.columns == columns && !n.primary && !old.iter().any(|o| o.object == n.object))
        .map(|n| n.object)
        .find(|o| match o {
            ObjectRef::Index(i) => i.name != constraint.name,
            ObjectRef::Constraint(_, name) => *name != constraint.name,
            _ => true,
        })
}
