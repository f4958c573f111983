//! Review: migration SQL, generated or hand-written, judged statement by statement. Pure: it
//! takes the catalog the migrations before the reviewed file leave (so it knows which tables
//! exist and their columns) and the file's statements as the interpreter ran them (so it
//! knows the search_path of each, and which tables the file itself created), and returns for
//! each statement the lock it takes, whether it can run in a transaction, whether it rewrites
//! the table, and its hazards with the safer form.
//!
//! The rules are Postgres' own: which lock each command takes (the "Explicit Locking" table of
//! the manual and `AlterTableGetLockLevel`), which ALTERs rewrite (`ATColumnChangeRequiresRewrite`
//! and `ATPrepAlterColumnType`), which validate existing rows. Tables created earlier in the
//! same file carry no hazard: nobody else can see them yet.

mod rules;

use crate::hazard::{Hazard, HazardKind, LockLevel, Severity};
use crate::model::Catalog;
use crate::source::diagnostic::Diagnostic;
use crate::source::parse::{line_col, Interpreter, ParseOptions, RecordedStatement, SqlFile};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One hazard of a reviewed statement, with the safer form when there is one.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub kind: HazardKind,
    pub severity: Severity,
    pub message: String,
    /// The statement(s) to run instead, as SQL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safer: Option<String>,
}

impl Finding {
    pub fn new(kind: HazardKind, message: impl Into<String>) -> Finding {
        Finding { kind, severity: kind.severity(), message: message.into(), safer: None }
    }

    pub fn safer(mut self, sql: impl Into<String>) -> Finding {
        self.safer = Some(sql.into());
        self
    }

    pub fn hazard(&self) -> Hazard {
        Hazard::new(self.kind, self.message.clone())
    }
}

/// The size of a table, from the live database's statistics (`reltuples`, `relpages`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TableSize {
    pub rows: f64,
    pub bytes: i64,
}

/// A statement and what it costs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reviewed {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub sql: String,
    /// What the statement does, in words (`ALTER TABLE public.users ADD COLUMN email`).
    pub summary: String,
    /// The strongest lock it takes on an existing table, and on which.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock: Option<LockLevel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// Whether it can run inside a transaction block.
    pub transactional: bool,
    /// Whether it rewrites the table.
    pub rewrites: bool,
    pub hazards: Vec<Finding>,
    /// The table's size, when reviewed against a database (`--db`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<TableSize>,
}

impl Reviewed {
    pub fn max_severity(&self) -> Option<Severity> {
        self.hazards.iter().map(|f| f.severity).max()
    }
}

/// A reviewed file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FileReview {
    pub file: String,
    pub statements: Vec<Reviewed>,
}

/// The whole review: files in the order they run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Review {
    pub files: Vec<FileReview>,
    /// Where a reviewed file does not parse. A review that could not read every statement is
    /// no clean review: the command reports these and exits 2, after judging every statement
    /// that could still be split out.
    #[serde(skip)]
    pub syntax_errors: Vec<Diagnostic>,
}

impl Review {
    pub fn statements(&self) -> impl Iterator<Item = &Reviewed> {
        self.files.iter().flat_map(|f| f.statements.iter())
    }

    pub fn max_severity(&self) -> Option<Severity> {
        self.statements().filter_map(|s| s.max_severity()).max()
    }

    /// How many findings there are of each severity, highest first.
    pub fn counts(&self) -> BTreeMap<std::cmp::Reverse<Severity>, usize> {
        let mut out = BTreeMap::new();
        for f in self.statements().flat_map(|s| &s.hazards) {
            *out.entry(std::cmp::Reverse(f.severity)).or_insert(0) += 1;
        }
        out
    }

    /// The tables the statements lock (for size estimates).
    pub fn tables(&self) -> BTreeSet<String> {
        self.statements().filter_map(|s| s.table.clone()).collect()
    }

    /// Attach sizes (by table name as printed) and mention them in the costly findings.
    pub fn with_sizes(mut self, sizes: &BTreeMap<String, TableSize>) -> Review {
        for s in self.files.iter_mut().flat_map(|f| f.statements.iter_mut()) {
            let Some(size) = s.table.as_ref().and_then(|t| sizes.get(t)) else {
                continue;
            };
            s.size = Some(*size);
            let amount = describe_size(size);
            for f in &mut s.hazards {
                let verb = match f.kind {
                    HazardKind::TableRewrite => "rewrites",
                    HazardKind::IndexBuild => "indexes",
                    HazardKind::ValidationScan => "scans",
                    HazardKind::DataLoss
                        if s.summary.starts_with("DROP TABLE") || s.summary.starts_with("TRUNCATE") =>
                    {
                        "deletes"
                    }
                    _ => continue,
                };
                f.message = format!("{} ({verb} {amount})", f.message);
            }
        }
        self
    }
}

/// `about 4.2 M rows (1.3 GB)`.
pub fn describe_size(size: &TableSize) -> String {
    let rows = size.rows.max(0.0);
    let rows = if rows >= 1e9 {
        format!("{:.1} G", rows / 1e9)
    } else if rows >= 1e6 {
        format!("{:.1} M", rows / 1e6)
    } else if rows >= 1e3 {
        format!("{:.1} k", rows / 1e3)
    } else {
        format!("{rows:.0}")
    };
    let b = size.bytes as f64;
    let bytes = if b >= 1024f64.powi(3) {
        format!("{:.1} GB", b / 1024f64.powi(3))
    } else if b >= 1024f64.powi(2) {
        format!("{:.1} MB", b / 1024f64.powi(2))
    } else {
        format!("{:.0} kB", b / 1024.0)
    };
    format!("about {rows} rows ({bytes})")
}

/// Review one file's statements, given the catalog before the file, the catalog it leaves and
/// the file's text (for line numbers).
pub fn review_file(
    before: &Catalog,
    after: &Catalog,
    file: &str,
    text: &str,
    statements: &[RecordedStatement],
) -> FileReview {
    let mut cx = rules::FileState::new(before, after, statements);
    let statements = statements
        .iter()
        .map(|st| {
            let (line, column) = line_col(text, st.offset);
            let judged = cx.judge(st);
            Reviewed {
                file: file.to_string(),
                line,
                column,
                sql: st.text.clone(),
                summary: judged.summary,
                lock: judged.lock.as_ref().map(|(l, _)| *l),
                table: judged.lock.as_ref().map(|(_, t)| t.to_string()),
                transactional: judged.transactional,
                rewrites: judged.rewrites,
                hazards: judged.findings,
                size: None,
            }
        })
        .collect();
    FileReview { file: file.to_string(), statements }
}

/// Review `files` in order, after replaying `history` (the migrations that run before them).
/// Diagnostics of the replay (statements the interpreter could not model) come back with the
/// review: the statements are still judged, with less knowledge of the tables.
pub fn review(history: &[SqlFile], files: &[SqlFile], options: &ParseOptions) -> (Review, Vec<Diagnostic>) {
    let mut interp = Interpreter::new(options.template(), options.clone());
    for h in history {
        interp.run_file(h);
    }
    let mut review = Review::default();
    let history_errors = interp.syntax_errors().len();
    for f in files {
        let before = interp.catalog().clone();
        let recorded: Vec<RecordedStatement> =
            interp.run_file_recording(f).into_iter().filter(|r| r.file == f.name).collect();
        review.files.push(review_file(&before, interp.catalog(), &f.name, &f.text, &recorded));
    }
    review.syntax_errors = interp.syntax_errors()[history_errors..].to_vec();
    (review, interp.diagnostics().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::parse::{ParseOptions, SqlFile};

    fn file(name: &str, text: &str) -> SqlFile {
        SqlFile { name: name.into(), text: text.into() }
    }

    #[test]
    fn sizes_are_described_and_attached_to_costly_findings() {
        let size = TableSize { rows: 4_200_000.0, bytes: 1_395_864_371 };
        assert_eq!(describe_size(&size), "about 4.2 M rows (1.3 GB)");
        let history = [file("0001.sql", "CREATE TABLE t (id int, v text);")];
        let files = [file("0002.sql", "ALTER TABLE t ALTER COLUMN id TYPE bigint;")];
        let (review, _) = review(&history, &files, &ParseOptions::default());
        let sizes = BTreeMap::from([("public.t".to_string(), size)]);
        let review = review.with_sizes(&sizes);
        let s = review.statements().next().expect("one statement");
        assert!(s.rewrites);
        assert!(s.hazards[0].message.ends_with("(rewrites about 4.2 M rows (1.3 GB))"), "{}", s.hazards[0].message);
        assert_eq!(review.max_severity(), Some(Severity::High));
    }

    #[test]
    fn a_syntax_error_hides_no_later_statement() {
        let history = [file("0001.sql", "CREATE TABLE t (a int, b int);")];
        let files =
            [file("0002.sql", "CREATE TABLE t2 (a int;\nALTER TABLE t DROP COLUMN a;\nSELECT (1;\nDROP TABLE t;")];
        let (review, _) = review(&history, &files, &ParseOptions::default());
        let summaries: Vec<&str> = review.statements().map(|s| s.summary.as_str()).collect();
        assert!(summaries.iter().any(|s| s.contains("DROP COLUMN a")), "{summaries:?}");
        assert!(summaries.iter().any(|s| s.starts_with("DROP TABLE")), "{summaries:?}");
        assert_eq!(review.max_severity(), Some(Severity::High));
        assert_eq!(review.syntax_errors.len(), 2, "{:?}", review.syntax_errors);
    }

    #[test]
    fn a_table_created_earlier_in_the_file_is_not_in_use() {
        let files = [file("0001.sql", "CREATE TABLE t (id int);\nCREATE INDEX t_id ON t (id);")];
        let (review, _) = review(&[], &files, &ParseOptions::default());
        assert!(review.statements().all(|s| s.hazards.is_empty()));
        let later = [file("0002.sql", "CREATE INDEX t_id2 ON t (id);")];
        let (review, _) = super::review(&files, &later, &ParseOptions::default());
        let kinds: Vec<HazardKind> = review.statements().flat_map(|s| s.hazards.iter().map(|h| h.kind)).collect();
        assert!(kinds.contains(&HazardKind::IndexBuild), "{kinds:?}");
    }
}
