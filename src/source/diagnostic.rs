//! Diagnostics: every problem a source reports, with where it is (file, line, column) and the
//! statement it concerns. Errors stop the command; warnings and notes are printed and the
//! command goes on.

use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub location: Option<Location>,
    pub message: String,
    /// The statement concerned, abridged to its first lines.
    pub statement: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Error, location: None, message: message.into(), statement: None }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, location: None, message: message.into(), statement: None }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(l) = &self.location {
            write!(f, "{}:{}:{}: ", l.file, l.line, l.column)?;
        }
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        write!(f, "{sev}: {}", self.message)?;
        if let Some(s) = &self.statement {
            for line in s.lines() {
                write!(f, "\n    | {line}")?;
            }
        }
        Ok(())
    }
}

/// The statement text as shown in a diagnostic: at most 6 lines.
pub fn abridge(statement: &str) -> String {
    let lines: Vec<&str> = statement.trim().lines().collect();
    if lines.len() <= 6 {
        lines.join("\n")
    } else {
        format!("{}\n...", lines[..6].join("\n"))
    }
}
