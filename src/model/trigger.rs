//! Triggers, event triggers and row-level security policies.

use super::{Expr, QualifiedName, RoutineId};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum TriggerTiming {
    Before,
    After,
    InsteadOf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum TriggerEvent {
    Insert,
    Update,
    Delete,
    Truncate,
}

/// `tgenabled`: when the trigger fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum TriggerEnabled {
    /// Fires in "origin" and "local" modes (the default).
    Origin,
    Disabled,
    Replica,
    Always,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConstraintTrigger {
    pub deferrable: bool,
    pub initially_deferred: bool,
    /// `FROM referenced_table`.
    pub from: Option<QualifiedName>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Trigger {
    /// The table (or view) it is on.
    pub table: QualifiedName,
    pub name: String,
    pub timing: TriggerTiming,
    /// Sorted.
    pub events: Vec<TriggerEvent>,
    /// `UPDATE OF a, b`.
    pub columns: Vec<String>,
    pub for_each_row: bool,
    pub when: Option<Expr>,
    pub function: RoutineId,
    pub args: Vec<String>,
    pub constraint: Option<ConstraintTrigger>,
    pub old_table: Option<String>,
    pub new_table: Option<String>,
    pub enabled: TriggerEnabled,
    pub comment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventTrigger {
    pub name: String,
    pub event: String,
    /// `WHEN TAG IN (...)`, sorted.
    pub tags: Vec<String>,
    pub function: RoutineId,
    pub enabled: TriggerEnabled,
    pub owner: Option<String>,
    pub comment: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PolicyCommand {
    All,
    Select,
    Insert,
    Update,
    Delete,
}

impl PolicyCommand {
    pub fn keyword(self) -> &'static str {
        match self {
            PolicyCommand::All => "ALL",
            PolicyCommand::Select => "SELECT",
            PolicyCommand::Insert => "INSERT",
            PolicyCommand::Update => "UPDATE",
            PolicyCommand::Delete => "DELETE",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Policy {
    pub table: QualifiedName,
    pub name: String,
    pub permissive: bool,
    pub command: PolicyCommand,
    /// Sorted role names; `public` for PUBLIC.
    pub roles: Vec<String>,
    pub using: Option<Expr>,
    pub with_check: Option<Expr>,
    pub comment: Option<String>,
}
