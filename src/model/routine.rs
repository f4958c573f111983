//! Functions, procedures and aggregates. A routine's identity is its name and the types of its
//! input arguments ([`RoutineId`]), as in the server, so overloads are distinct objects.

use super::{Acl, Derived, Expr, ObjectRef, QualifiedName, Query, TypeRef};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// `public.add(integer, integer)`: name and input argument types (`format_type` names).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RoutineId {
    pub name: QualifiedName,
    pub args: String,
}

impl fmt::Display for RoutineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.name, self.args)
    }
}

impl Serialize for RoutineId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ArgMode {
    In,
    Out,
    InOut,
    Variadic,
}

impl ArgMode {
    /// Whether the argument is part of the call signature.
    pub fn is_input(self) -> bool {
        !matches!(self, ArgMode::Out)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Argument {
    pub mode: ArgMode,
    pub name: Option<String>,
    pub ty: TypeRef,
    pub default: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Returns {
    Type {
        ty: TypeRef,
        setof: bool,
    },
    /// `RETURNS TABLE (a int, b text)`.
    Table(Vec<(String, TypeRef)>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Volatility {
    Immutable,
    Stable,
    Volatile,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Parallel {
    Safe,
    Restricted,
    Unsafe,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum FunctionBody {
    /// `AS '...'`: the source as written (the server stores it verbatim). `refs` are the
    /// objects it appears to read (SQL parsed, PL/pgSQL best effort): ordering hints only.
    Source { source: String, refs: Derived<BTreeSet<ObjectRef>> },
    /// `AS 'obj_file', 'link_symbol'` (C functions).
    Object { file: String, symbol: String },
    /// `BEGIN ATOMIC ... END` or `RETURN expr`: parsed by the server, dependencies tracked.
    Atomic(Vec<Query>),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Function {
    pub id: RoutineId,
    pub procedure: bool,
    pub window: bool,
    pub args: Vec<Argument>,
    /// `None` for procedures.
    pub returns: Option<Returns>,
    pub language: String,
    pub body: FunctionBody,
    pub volatility: Volatility,
    pub strict: bool,
    pub security_definer: bool,
    pub leakproof: bool,
    pub parallel: Parallel,
    /// As the catalog prints it (`100`, `0.5`).
    pub cost: String,
    pub rows: String,
    /// `SET name = value` options, in order.
    pub config: Vec<(String, String)>,
    /// `SUPPORT fn`: the planner support function (`fn(internal) RETURNS internal`), qualified
    /// (`pg_catalog` for a built-in one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support: Option<QualifiedName>,
    pub owner: Option<String>,
    pub comment: Option<String>,
    pub acl: Acl,
}

impl Function {
    /// The type the function returns as the catalog records it (`record` for several OUT
    /// arguments), for comparisons that decide between CREATE OR REPLACE and drop-and-create.
    pub fn result_signature(&self) -> String {
        let outs: Vec<String> = self
            .args
            .iter()
            .filter(|a| matches!(a.mode, ArgMode::Out | ArgMode::InOut))
            .map(|a| format!("{} {}", a.name.as_deref().unwrap_or(""), a.ty))
            .collect();
        match &self.returns {
            Some(Returns::Type { ty, setof }) => {
                format!("{}{ty} [{}]", if *setof { "setof " } else { "" }, outs.join(", "))
            }
            Some(Returns::Table(cols)) => {
                format!("table({})", cols.iter().map(|(n, t)| format!("{n} {t}")).collect::<Vec<_>>().join(", "))
            }
            None => format!("procedure [{}]", outs.join(", ")),
        }
    }
}

/// `CREATE AGGREGATE`: the signature and the definition options as the catalog resolves
/// them (`sfunc`, `stype`, `finalfunc`, `initcond`, ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Aggregate {
    pub id: RoutineId,
    pub args: Vec<TypeRef>,
    pub options: BTreeMap<String, String>,
    pub owner: Option<String>,
    pub comment: Option<String>,
    pub acl: Acl,
}
