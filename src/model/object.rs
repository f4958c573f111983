//! [`ObjectRef`]: the identity of any object the model holds, used for dependency edges, for
//! object paths in reports (`table public.users column email`) and for ordering.

use super::{CastKey, DefaultAclKey, QualifiedName, RoutineId};
use serde::Serialize;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum ObjectRef {
    Schema(String),
    Extension(String),
    Type(QualifiedName),
    Collation(QualifiedName),
    Sequence(QualifiedName),
    Table(QualifiedName),
    Column(QualifiedName, String),
    /// A column's DEFAULT, an object of its own in Postgres (`pg_attrdef`): dropping a sequence
    /// with CASCADE drops the defaults that use it, not the columns.
    ColumnDefault(QualifiedName, String),
    /// A table constraint, by table and constraint name.
    Constraint(QualifiedName, String),
    Index(QualifiedName),
    /// A view or materialized view.
    View(QualifiedName),
    Function(RoutineId),
    Aggregate(RoutineId),
    Trigger(QualifiedName, String),
    EventTrigger(String),
    Policy(QualifiedName, String),
    /// A rewrite rule, by table and rule name.
    Rule(QualifiedName, String),
    /// An extended statistics object (`CREATE STATISTICS`).
    Statistics(QualifiedName),
    TextSearchConfig(QualifiedName),
    TextSearchDictionary(QualifiedName),
    /// A cast, by its source and target types.
    Cast(CastKey),
    /// An `ALTER DEFAULT PRIVILEGES` entry.
    DefaultPrivileges(DefaultAclKey),
}

impl ObjectRef {
    /// The table an object belongs to, for columns, constraints (indexes name their own table).
    pub fn table(&self) -> Option<&QualifiedName> {
        match self {
            ObjectRef::Table(t)
            | ObjectRef::Column(t, _)
            | ObjectRef::ColumnDefault(t, _)
            | ObjectRef::Constraint(t, _)
            | ObjectRef::Trigger(t, _)
            | ObjectRef::Policy(t, _)
            | ObjectRef::Rule(t, _) => Some(t),
            _ => None,
        }
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use super::quote_ident as q;
        match self {
            ObjectRef::Schema(s) => write!(f, "schema {}", q(s)),
            ObjectRef::Extension(e) => write!(f, "extension {}", q(e)),
            ObjectRef::Type(n) => write!(f, "type {n}"),
            ObjectRef::Collation(n) => write!(f, "collation {n}"),
            ObjectRef::Sequence(n) => write!(f, "sequence {n}"),
            ObjectRef::Table(n) => write!(f, "table {n}"),
            ObjectRef::Column(t, c) => write!(f, "column {t}.{}", q(c)),
            ObjectRef::ColumnDefault(t, c) => write!(f, "default of column {t}.{}", q(c)),
            ObjectRef::Constraint(t, c) => write!(f, "constraint {} on {t}", q(c)),
            ObjectRef::Index(n) => write!(f, "index {n}"),
            ObjectRef::View(n) => write!(f, "view {n}"),
            ObjectRef::Function(r) => write!(f, "function {r}"),
            ObjectRef::Aggregate(r) => write!(f, "aggregate {r}"),
            ObjectRef::Trigger(t, n) => write!(f, "trigger {} on {t}", q(n)),
            ObjectRef::EventTrigger(n) => write!(f, "event trigger {}", q(n)),
            ObjectRef::Policy(t, n) => write!(f, "policy {} on {t}", q(n)),
            ObjectRef::Rule(t, n) => write!(f, "rule {} on {t}", q(n)),
            ObjectRef::Statistics(n) => write!(f, "statistics {n}"),
            ObjectRef::TextSearchConfig(n) => write!(f, "text search configuration {n}"),
            ObjectRef::Cast(k) => write!(f, "cast {k}"),
            ObjectRef::TextSearchDictionary(n) => write!(f, "text search dictionary {n}"),
            ObjectRef::DefaultPrivileges(k) => write!(f, "{k}"),
        }
    }
}

/// An object a database holds that tidemark could not read (its catalog text did not parse,
/// or it refers to something that could not be read). The run goes on without it, names it,
/// and ends with exit status 2: no one may read "no differences" over objects nobody saw.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Unreadable {
    /// The object. A routine whose definition did not parse is known by name only
    /// (`args` empty): every overload of that name is left alone.
    pub object: ObjectRef,
    pub reason: String,
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.object {
            ObjectRef::Function(r) | ObjectRef::Aggregate(r) if r.args.is_empty() => {
                let kind = if matches!(self.object, ObjectRef::Function(_)) { "function" } else { "aggregate" };
                write!(f, "{kind} {} (every overload): {}", r.name, self.reason)
            }
            object => write!(f, "{object}: {}", self.reason),
        }
    }
}
