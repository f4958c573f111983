//! Steps and their hazards: what a statement risks, what it locks, whether it can run in a
//! transaction. Each hazard variant documents what it does, why it is risky and the safer form;
//! `tidemark hazards` prints these docs.

use serde::Serialize;

/// A risk a step carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HazardKind {
    /// Deletes stored data: dropping a table, column or sequence, removing enum labels, a
    /// conversion that truncates or rounds. Safer: copy the data out first, or deprecate the
    /// column and drop it in a later release once nothing reads it.
    DataLoss,
    /// Rewrites every row of the table under an ACCESS EXCLUSIVE lock (most type changes,
    /// a volatile default, SET LOGGED). Safer: add a new column, backfill in batches, swap.
    TableRewrite,
    /// Takes an ACCESS EXCLUSIVE lock: every read and write of the table waits, and queues
    /// behind it. Safer: run with a short `lock_timeout` and retry.
    AccessExclusiveLock,
    /// Builds an index while holding a SHARE lock, blocking writes for the whole build.
    /// Safer: `CREATE INDEX CONCURRENTLY` (outside a transaction).
    IndexBuild,
    /// Scans the whole table to validate a constraint or NOT NULL while blocking writes.
    /// Safer: add the constraint `NOT VALID`, then `VALIDATE CONSTRAINT` separately.
    ValidationScan,
    /// Cannot run inside a transaction block (`CREATE INDEX CONCURRENTLY`, `ALTER TYPE ...
    /// ADD VALUE` whose value is used in the same migration): runs in a file of its own.
    NonTransactional,
    /// Depends on objects the plan cannot see (PL/pgSQL bodies, dynamic SQL): the order of
    /// statements may be wrong. Safer: review the step, or verify the plan against a copy.
    UntrackedDependency,
    /// Changes who may do what (owners, grants, policies). Safer: review with the team that
    /// owns access control.
    Authorization,
    /// Changes how stored values are computed (a text search configuration's dictionaries)
    /// without computing again what was stored: indexes and stored columns built with the old
    /// definition keep their old values. Safer: `REINDEX` those indexes and recompute the
    /// stored columns after the change.
    StaleDerivedData,
}

impl HazardKind {
    pub fn name(self) -> &'static str {
        match self {
            HazardKind::DataLoss => "data loss",
            HazardKind::TableRewrite => "table rewrite",
            HazardKind::AccessExclusiveLock => "access exclusive lock",
            HazardKind::IndexBuild => "index build",
            HazardKind::ValidationScan => "validation scan",
            HazardKind::NonTransactional => "non-transactional",
            HazardKind::UntrackedDependency => "untracked dependency",
            HazardKind::Authorization => "authorization",
            HazardKind::StaleDerivedData => "stale derived data",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hazard {
    pub kind: HazardKind,
    pub message: String,
}

impl Hazard {
    pub fn new(kind: HazardKind, message: impl Into<String>) -> Hazard {
        Hazard { kind, message: message.into() }
    }
}

/// Postgres table lock levels, weakest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LockLevel {
    AccessShare,
    RowShare,
    RowExclusive,
    ShareUpdateExclusive,
    Share,
    ShareRowExclusive,
    Exclusive,
    AccessExclusive,
}

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
    pub transactional: bool,
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
            transactional: true,
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

    pub fn non_transactional(mut self) -> Step {
        self.transactional = false;
        self
    }

    pub fn loses_data(&self) -> bool {
        self.hazards.iter().any(|h| h.kind == HazardKind::DataLoss)
    }
}
