//! SQL expressions held by the model (defaults, CHECKs, generated columns, index expressions and
//! predicates). An [`Expr`] is built by `normalize` from a pg_query AST, whichever side it came
//! from, so the user's `price >= 0` and the catalog's `(price >= (0)::numeric)` get one `key`.

use super::ObjectRef;
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Clone, Debug, Serialize)]
pub struct Expr {
    /// Executable SQL, with the names the model knows schema-qualified: safe to write into a
    /// migration that runs under any search_path.
    pub sql: String,
    /// The canonical form compared by `diff`. Two expressions are equal iff their keys are.
    pub key: String,
    /// Objects the expression reads (columns, sequences, types, functions): dependency edges.
    #[serde(skip)]
    pub refs: BTreeSet<ObjectRef>,
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Expr {}
