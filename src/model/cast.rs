//! Casts (`CREATE CAST (source AS target) ...`). A cast's identity is its pair of types; it has
//! no name, schema or owner of its own.

use super::{RoutineId, TypeRef};
use serde::Serialize;
use std::fmt;

/// `(source, target)` as `format_type` names them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct CastKey {
    pub source: String,
    pub target: String,
}

impl fmt::Display for CastKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({} AS {})", self.source, self.target)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum CastMethod {
    /// `WITH FUNCTION f(args)`.
    Function(RoutineId),
    /// `WITHOUT FUNCTION`: the types are binary coercible.
    Binary,
    /// `WITH INOUT`: through the types' text forms.
    InOut,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CastContext {
    Explicit,
    /// `AS ASSIGNMENT`.
    Assignment,
    /// `AS IMPLICIT`.
    Implicit,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cast {
    pub source: TypeRef,
    pub target: TypeRef,
    pub method: CastMethod,
    pub context: CastContext,
    pub comment: Option<String>,
}

impl Cast {
    pub fn key(&self) -> CastKey {
        CastKey { source: self.source.to_string(), target: self.target.to_string() }
    }
}
