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

/// Most lines of a statement a diagnostic shows.
const SHOWN_LINES: usize = 6;
/// Most characters of a line a diagnostic shows: a statement is shown to say which one it is,
/// not to reproduce a file (a one-line file of any size, like `/proc/self/environ`).
const SHOWN_LINE_CHARS: usize = 160;

/// The statement text as shown in a diagnostic: at most 6 lines of at most 160 characters.
pub fn abridge(statement: &str) -> String {
    let lines: Vec<&str> = statement.trim().lines().collect();
    let mut shown: Vec<String> = lines
        .iter()
        .take(SHOWN_LINES)
        .map(|line| match line.char_indices().nth(SHOWN_LINE_CHARS) {
            Some((cut, _)) => format!("{} ...", &line[..cut]),
            None => line.to_string(),
        })
        .collect();
    if lines.len() > SHOWN_LINES {
        shown.push("...".into());
    }
    shown.join("\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn statements_are_abridged_in_lines_and_width() {
        assert_eq!(super::abridge("  select 1\n  from t  "), "select 1\n  from t");
        let many: Vec<String> = (0..10).map(|i| format!("line {i}")).collect();
        assert_eq!(super::abridge(&many.join("\n")).lines().count(), 7);
        let long = format!("select '{}'", "é".repeat(10_000));
        let shown = super::abridge(&long);
        assert_eq!(shown.chars().count(), 164, "{shown}");
        assert!(shown.ends_with(" ..."));
    }
}
