//! Indexes that are not a constraint's own index.

use super::{Expr, QualifiedName};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Index {
    /// Indexes live in their table's schema.
    pub name: QualifiedName,
    pub table: QualifiedName,
    pub unique: bool,
    /// Access method: `btree`, `hash`, `gin`, `gist`, `brin`, `spgist`...
    pub method: String,
    pub keys: Vec<IndexKey>,
    pub include: Vec<String>,
    pub nulls_not_distinct: bool,
    pub predicate: Option<Expr>,
    pub options: BTreeMap<String, String>,
    pub tablespace: Option<String>,
    pub comment: Option<String>,
    /// Left INVALID by a failed `CREATE INDEX CONCURRENTLY` (or a partitioned index some
    /// partition lacks): the server keeps it up to date but never uses it, and a unique one does
    /// not enforce uniqueness. Only a database has one; schema files describe valid indexes, so
    /// an invalid index is drift, planned as a drop and a rebuild.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub invalid: bool,
}

impl Index {
    /// Its keys' columns, when every key is a plain column (no expression).
    pub fn plain_columns(&self) -> Option<Vec<String>> {
        self.keys
            .iter()
            .map(|k| match &k.target {
                IndexTarget::Column(c) => Some(c.clone()),
                IndexTarget::Expr(_) => None,
            })
            .collect()
    }
}

/// One key of an index: a column or an expression, with its collation, operator class and order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IndexKey {
    pub target: IndexTarget,
    pub collation: Option<QualifiedName>,
    /// A non-default operator class, as written (`text_pattern_ops`, `public.gin_trgm_ops`).
    pub opclass: Option<String>,
    pub opclass_options: BTreeMap<String, String>,
    pub descending: bool,
    /// Normalized: `NULLS FIRST` is the default for `DESC`, `NULLS LAST` for `ASC`.
    pub nulls_first: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum IndexTarget {
    Column(String),
    Expr(Expr),
}
