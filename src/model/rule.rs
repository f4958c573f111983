//! Rewrite rules (`CREATE RULE ... AS ON event TO table DO ...`). The `_RETURN` rules of views
//! are the views themselves and are not rules here.

use super::{Expr, QualifiedName, Query};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum RuleEvent {
    Insert,
    Update,
    Delete,
}

impl RuleEvent {
    pub fn keyword(self) -> &'static str {
        match self {
            RuleEvent::Insert => "INSERT",
            RuleEvent::Update => "UPDATE",
            RuleEvent::Delete => "DELETE",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// The table (or view) it is on.
    pub table: QualifiedName,
    pub name: String,
    pub event: RuleEvent,
    /// `DO INSTEAD` (else `DO ALSO`).
    pub instead: bool,
    /// `WHERE`: may read `new` and `old`.
    pub condition: Option<Expr>,
    /// The commands, in order; empty for `NOTHING`. Their keys keep the `new.` / `old.`
    /// qualifiers (they are not columns of a relation in FROM).
    pub actions: Vec<Query>,
    pub comment: Option<String>,
}
