//! Steps: a statement of a plan with its hazards (see [`crate::hazard`]), the lock it takes and
//! whether it can run in a transaction.

use serde::Serialize;

pub use crate::hazard::{Hazard, HazardKind, LockLevel, Severity};

/// One SQL statement of a plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    /// The statement, without its terminating semicolon.
    pub sql: String,
    /// What the step does, in words (`add column public.users.email`).
    pub summary: String,
    pub hazards: Vec<Hazard>,
    /// The lock it takes on an existing table, if any.
    pub lock: Option<LockLevel>,
    /// The existing table locked, when it is not the table of the step's object: a new
    /// table's foreign keys lock the tables they reference, INHERITS its parents.
    pub locked_table: Option<crate::model::QualifiedName>,
    pub transactional: bool,
    /// Starts a new transaction: the slow half of an online pair (VALIDATE CONSTRAINT), which
    /// gains nothing if the strong lock of the half before is still held.
    pub fresh_transaction: bool,
    /// The object of the change the step belongs to.
    pub object: Option<crate::model::ObjectRef>,
}

impl Step {
    pub fn new(sql: impl Into<String>, summary: impl Into<String>) -> Step {
        Step {
            sql: sql.into(),
            summary: summary.into(),
            hazards: Vec::new(),
            lock: None,
            locked_table: None,
            transactional: true,
            fresh_transaction: false,
            object: None,
        }
    }

    pub fn hazard(mut self, kind: HazardKind, message: impl Into<String>) -> Step {
        self.hazards.push(Hazard::new(kind, message));
        self
    }

    pub fn lock(mut self, level: LockLevel) -> Step {
        self.lock = Some(level);
        self
    }

    /// A lock on `table`, which is not the step's object's (the strongest is kept).
    pub fn lock_on(mut self, level: LockLevel, table: crate::model::QualifiedName) -> Step {
        if self.lock.is_none_or(|l| level > l) {
            self.lock = Some(level);
            self.locked_table = Some(table);
        }
        self
    }

    pub fn object(mut self, object: crate::model::ObjectRef) -> Step {
        self.object = Some(object);
        self
    }

    pub fn non_transactional(mut self) -> Step {
        self.transactional = false;
        self
    }

    pub fn fresh_transaction(mut self) -> Step {
        self.fresh_transaction = true;
        self
    }

    pub fn loses_data(&self) -> bool {
        self.hazards.iter().any(|h| h.kind == HazardKind::DataLoss)
    }
}
