//! Hazards: the typed risks a statement carries, with their severity and documentation. The
//! planner attaches them to the steps it writes and `review` to the statements it reads; one
//! enum serves both, so a generated migration and a hand-written one are judged alike.
//!
//! Each variant is declared once, below, with what it does, why it is risky and the safer
//! form. Those texts are the variant's rustdoc and, through [`HazardKind::doc`], the user
//! documentation: `tidemark hazards` prints it and `docs/hazards.md` is its output (a test
//! keeps the file in step with the enum).

use serde::Serialize;
use std::fmt::Write;

/// How bad a hazard is. Anything that can lose data is `High`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Severity, String> {
        match s {
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            _ => Err(format!("unknown severity '{s}' (expected low, medium or high)")),
        }
    }
}

/// A hazard kind's documentation: the three texts of its declaration.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct HazardDoc {
    pub what: &'static str,
    pub why: &'static str,
    pub safer: &'static str,
}

macro_rules! hazards {
    ($(
        $variant:ident {
            name: $name:literal,
            code: $code:literal,
            severity: $severity:ident,
            what: $what:literal,
            why: $why:literal,
            safer: $safer:literal $(,)?
        }
    ),* $(,)?) => {
        /// A risk a statement carries. See each variant, or `tidemark hazards`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum HazardKind {
            $(
                #[doc = concat!("**", $name, "** (", $code, ", severity ", stringify!($severity), "). ", $what,
                    "\n\nWhy it is risky: ", $why, "\n\nSafer: ", $safer)]
                $variant,
            )*
        }

        impl HazardKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [HazardKind] = &[$(HazardKind::$variant),*];

            /// The words a report uses (`data loss`).
            pub fn name(self) -> &'static str {
                match self { $(HazardKind::$variant => $name),* }
            }

            /// The stable identifier (JSON, SARIF rule ids): `data_loss`.
            pub fn code(self) -> &'static str {
                match self { $(HazardKind::$variant => $code),* }
            }

            pub fn severity(self) -> Severity {
                match self { $(HazardKind::$variant => Severity::$severity),* }
            }

            pub fn doc(self) -> HazardDoc {
                match self { $(HazardKind::$variant => HazardDoc { what: $what, why: $why, safer: $safer }),* }
            }
        }
    };
}

hazards! {
    DataLoss {
        name: "data loss",
        code: "data_loss",
        severity: High,
        what: "Deletes stored data: dropping a table, column, sequence, type or schema, removing \
               an enum value, TRUNCATE or DELETE, or a type change that truncates or rounds.",
        why: "Nothing brings the data back but a restore from backup, and a deploy that drops a \
              column still read by the running application breaks it as well.",
        safer: "Deploy the code that stops using the object first; copy the data out if it may \
                be needed; drop in a later migration. tidemark refuses such plans unless \
                `--allow-data-loss` is given.",
    },
    TableRewrite {
        name: "table rewrite",
        code: "table_rewrite",
        severity: High,
        what: "Rewrites every row of the table (and rebuilds its indexes) while holding an \
               ACCESS EXCLUSIVE lock: most column type changes, a volatile default or a \
               stored generated column added to existing rows, SET LOGGED / UNLOGGED, \
               SET TABLESPACE, VACUUM FULL, CLUSTER.",
        why: "No query can read or write the table until the rewrite ends, which takes as long \
              as copying the table: minutes to hours on a large one.",
        safer: "Add a new column, backfill it in batches, switch the application over, then drop \
                the old column; for a default, add the column without it and backfill.",
    },
    AccessExclusiveLock {
        name: "access exclusive lock",
        code: "access_exclusive_lock",
        severity: Medium,
        what: "Takes an ACCESS EXCLUSIVE lock on an existing table where a weaker-locking form \
               exists: DROP INDEX, REFRESH MATERIALIZED VIEW, DETACH PARTITION, LOCK TABLE.",
        why: "Every read and write of the table waits for it, and while it waits for a long \
              query to finish, everything queued behind it waits too.",
        safer: "The concurrent form: DROP INDEX CONCURRENTLY, REFRESH MATERIALIZED VIEW \
                CONCURRENTLY (with a unique index), DETACH PARTITION ... CONCURRENTLY.",
    },
    IndexBuild {
        name: "index build",
        code: "index_build",
        severity: Medium,
        what: "Builds an index on an existing table without CONCURRENTLY (CREATE INDEX, a new \
               PRIMARY KEY, UNIQUE or EXCLUDE constraint, REINDEX), holding a lock that blocks \
               every write.",
        why: "Inserts, updates and deletes wait for the whole build, which reads the whole \
              table.",
        safer: "CREATE INDEX CONCURRENTLY (outside a transaction); for a constraint, build its \
                unique index concurrently, then ADD CONSTRAINT ... USING INDEX.",
    },
    ValidationScan {
        name: "validation scan",
        code: "validation_scan",
        severity: Medium,
        what: "Checks every existing row while blocking writes: a new CHECK or FOREIGN KEY \
               constraint without NOT VALID, SET NOT NULL, a domain constraint, attaching a \
               partition without a matching constraint.",
        why: "The scan reads the whole table (and, for a foreign key, looks up every row in the \
              referenced table) while writes wait.",
        safer: "Add the constraint NOT VALID, then VALIDATE CONSTRAINT in a separate statement \
                (it takes a lock that lets writes through); for NOT NULL, validate a CHECK \
                (col IS NOT NULL) first, after which SET NOT NULL skips the scan.",
    },
    FailsOnExistingData {
        name: "fails on existing data",
        code: "fails_on_existing_data",
        severity: Medium,
        what: "Succeeds on an empty development database and fails on production data: a NOT \
               NULL column without a default, SET NOT NULL, a new UNIQUE index or constraint, a \
               CHECK that existing rows may violate.",
        why: "The migration passes every test and then stops the deploy, half-applied if the \
              runner does not wrap it in a transaction.",
        safer: "Check the data first (a query in the review), give new NOT NULL columns a \
                default, backfill before SET NOT NULL.",
    },
    BreaksClients {
        name: "breaks clients",
        code: "breaks_clients",
        severity: Medium,
        what: "Changes a name or a contract the running application uses: renaming a table, \
               column, type or enum value; dropping a view, function or type; dropping NOT NULL, \
               a default, a generation expression, a CHECK or foreign key, or a unique key no \
               equivalent one replaces (ON CONFLICT needs it); making an identity GENERATED \
               ALWAYS, or adding one whose sequence starts below the values already stored. A \
               guarantee the same migration restores (a constraint re-added under its name, a \
               default replaced by an identity) is no break.",
        why: "The application deployed before the migration still uses the old name or \
              assumption; it fails, or writes rows its readers do not expect, between the \
              migration and the next deploy.",
        safer: "Expand and contract: add the new name (a column, or a view with the old name), \
                move the application over, then remove the old one.",
    },
    NonTransactional {
        name: "non-transactional",
        code: "non_transactional",
        severity: Low,
        what: "Cannot run inside a transaction block: CREATE / DROP INDEX CONCURRENTLY, REINDEX \
               CONCURRENTLY, DETACH PARTITION CONCURRENTLY, VACUUM, or an enum value used in \
               the transaction that adds it.",
        why: "If it fails halfway it leaves work behind (an INVALID index) and nothing rolls \
              back; a runner that wraps the file in a transaction fails on it.",
        safer: "Give it a migration file of its own, marked `-- tidemark:no-transaction`; after \
                a failure drop the INVALID index and run it again.",
    },
    MissingLockTimeout {
        name: "missing lock timeout",
        code: "missing_lock_timeout",
        severity: Low,
        what: "Takes a lock on an existing table with no `lock_timeout` set earlier in the \
               migration.",
        why: "If a long query holds the table, the statement waits for it indefinitely, and \
              every query on the table queues behind the waiting lock: an outage caused by a \
              one-millisecond change.",
        safer: "`SET lock_timeout = '5s'` at the top of the migration, and retry on failure. \
                tidemark's plans start with it.",
    },
    TransactionControl {
        name: "transaction control",
        code: "transaction_control",
        severity: Medium,
        what: "BEGIN, COMMIT, ROLLBACK or SAVEPOINT inside a migration file.",
        why: "Runners wrap each file in a transaction: a COMMIT inside ends it early, so a later \
              failure leaves the file half-applied and unrecorded.",
        safer: "Leave transactions to the runner; split work that needs its own transaction \
                into separate migration files.",
    },
    UntrackedDependency {
        name: "untracked dependency",
        code: "untracked_dependency",
        severity: Low,
        what: "Uses objects the server does not track: PL/pgSQL bodies, dynamic SQL, DO blocks.",
        why: "The objects are not checked when the statement runs, and dropping or renaming \
              them later does not fail: the error comes at run time, in production.",
        safer: "Review the body's references; verify the migration against a copy of production \
                (`--verify`).",
    },
    Authorization {
        name: "authorization",
        code: "authorization",
        severity: Low,
        what: "Changes who may do what: GRANT / REVOKE, owners, row-level security and its \
               policies, SECURITY DEFINER functions, roles, default privileges.",
        why: "A mistake is silent: it either locks the application out or lets someone read \
              what they should not.",
        safer: "Review with whoever owns access control; test the policies as the application \
                role.",
    },
    StaleDerivedData {
        name: "stale derived data",
        code: "stale_derived_data",
        severity: Medium,
        what: "Changes how stored values are computed (a text search configuration's \
               dictionaries) without computing again what was stored.",
        why: "Indexes and stored columns built with the old definition keep their old values, \
              so queries return different results for old and new rows.",
        safer: "REINDEX the indexes and recompute the stored columns after the change.",
    },
}

impl HazardKind {
    /// The documentation of every hazard kind, as Markdown (`tidemark hazards`,
    /// `docs/hazards.md`).
    pub fn markdown() -> String {
        let mut out = String::from(
            "# Hazards\n\n\
             <!-- Generated by `tidemark hazards` from src/hazard.rs; do not edit. -->\n\n\
             Every statement tidemark plans or reviews carries the hazards below, each with a \
             severity (`high`: can lose data or block a table for the length of a rewrite; \
             `medium`: blocks writes or fails on real data; `low`: needs a reviewer's eyes). \
             `tidemark review --fail-on LEVEL` exits 1 when a hazard at or above LEVEL is \
             found.\n\n\
             | hazard | code | severity |\n|---|---|---|\n",
        );
        for k in HazardKind::ALL {
            let _ = writeln!(out, "| [{}](#{}) | `{}` | {} |", k.name(), k.code(), k.code(), k.severity().name());
        }
        for k in HazardKind::ALL {
            let d = k.doc();
            let _ = write!(
                out,
                "\n<a id=\"{}\"></a>\n## {} (`{}`, {})\n\n{}\n\n**Why it is risky.** {}\n\n**Safer.** {}\n",
                k.code(),
                k.name(),
                k.code(),
                k.severity().name(),
                d.what,
                d.why,
                d.safer
            );
        }
        out
    }
}

/// One hazard of one statement: its kind and what, specifically, is at risk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hazard {
    pub kind: HazardKind,
    pub message: String,
}

impl Hazard {
    pub fn new(kind: HazardKind, message: impl Into<String>) -> Hazard {
        Hazard { kind, message: message.into() }
    }

    pub fn severity(&self) -> Severity {
        self.kind.severity()
    }
}

/// Postgres table lock levels, weakest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
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

impl LockLevel {
    /// As Postgres names it: `ACCESS EXCLUSIVE`.
    pub fn name(self) -> &'static str {
        match self {
            LockLevel::AccessShare => "ACCESS SHARE",
            LockLevel::RowShare => "ROW SHARE",
            LockLevel::RowExclusive => "ROW EXCLUSIVE",
            LockLevel::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
            LockLevel::Share => "SHARE",
            LockLevel::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            LockLevel::Exclusive => "EXCLUSIVE",
            LockLevel::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }

    /// What the lock lets through, in a reviewer's words.
    pub fn blocks(self) -> &'static str {
        match self {
            LockLevel::AccessShare | LockLevel::RowShare | LockLevel::RowExclusive => "blocks only DDL",
            LockLevel::ShareUpdateExclusive => "reads and writes continue",
            LockLevel::Share | LockLevel::ShareRowExclusive | LockLevel::Exclusive => "blocks writes",
            LockLevel::AccessExclusive => "blocks reads and writes",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_data_loss_is_high() {
        let mut codes: Vec<&str> = HazardKind::ALL.iter().map(|k| k.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), HazardKind::ALL.len());
        assert_eq!(HazardKind::DataLoss.severity(), Severity::High);
        assert_eq!(serde_json::to_string(&HazardKind::DataLoss).unwrap(), "\"data_loss\"");
        for k in HazardKind::ALL {
            assert_eq!(serde_json::to_string(k).unwrap(), format!("\"{}\"", k.code()));
        }
    }
}
