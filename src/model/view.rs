//! Views and materialized views. The query is a normalized [`Query`]; column names come from
//! the query (or the view's column list); column types are inferred where simple and only
//! decide between CREATE OR REPLACE and drop-and-create.

use super::{Acl, Derived, ObjectRef, QualifiedName, TypeRef};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A parsed query (a view's, a materialized view's, a statement of a `BEGIN ATOMIC` body).
#[derive(Clone, Debug, Serialize)]
pub struct Query {
    /// Executable SQL, names resolved.
    pub sql: String,
    /// Canonical form (`*` expanded, qualifiers and implicit casts stripped): equality.
    pub key: String,
    #[serde(skip)]
    pub refs: BTreeSet<ObjectRef>,
}

impl PartialEq for Query {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Query {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ViewColumn {
    pub name: String,
    /// Known for introspected views; inferred for simple expressions in files.
    pub ty: Derived<Option<TypeRef>>,
    pub comment: Option<String>,
    /// `ALTER VIEW ... ALTER COLUMN ... SET DEFAULT` (used by inserts through the view).
    pub default: Option<super::Expr>,
    pub acl: Acl,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct View {
    pub name: QualifiedName,
    pub materialized: bool,
    pub columns: Vec<ViewColumn>,
    pub query: Query,
    /// `security_barrier`, `security_invoker`, `check_option` (views); storage parameters
    /// (materialized views).
    pub options: BTreeMap<String, String>,
    /// Materialized views: `WITH DATA` (populated).
    pub populated: bool,
    pub owner: Option<String>,
    pub comment: Option<String>,
    pub acl: Acl,
}
