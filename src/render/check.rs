//! `tidemark check` reports: text (coloured on a terminal), JSON, Markdown for a pull-request
//! comment, GitHub Actions annotations. Decides nothing: the sections and findings are made
//! by the command.

use serde::Serialize;
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// A migration file against `tidemark.sum`.
    Integrity,
    /// A migration generated against another history (merged branches).
    History,
    /// A difference between the migrations and the schema files.
    NotMigrated,
    /// A difference between the database and what its applied migrations build.
    Drift,
    /// A migration the database has not applied.
    Pending,
    /// An applied migration whose file changed since.
    Edited,
    /// A migration the history records as failed half-way.
    Failed,
    /// A migration the database applied that the directory does not have.
    Unknown,
}

#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    /// The object concerned (`column public.users.email`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    pub message: String,
    /// The SQL that would fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
    /// The file concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Section {
    pub name: String,
    /// One line: what was compared and how it came out.
    pub summary: String,
    /// What to do about the findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    pub findings: Vec<Finding>,
}

impl Section {
    pub fn ok(&self) -> bool {
        self.findings.is_empty()
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub in_sync: bool,
    pub sections: Vec<Section>,
}

impl Report {
    pub fn new(sections: Vec<Section>) -> Report {
        Report { in_sync: sections.iter().all(Section::ok), sections }
    }

    fn problems(&self) -> usize {
        self.sections.iter().map(|s| s.findings.len()).sum()
    }
}

pub fn text(report: &Report, colour: bool) -> String {
    let paint = |code: &str, s: &str| if colour { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_string() };
    let mut out = String::new();
    for s in &report.sections {
        let mark = if s.ok() { paint("32", "✓") } else { paint("31", "✗") };
        let _ = writeln!(out, "{mark} {}: {}", paint("1", &s.name), s.summary);
        for f in &s.findings {
            let what = f.object.as_deref().or(f.file.as_deref()).unwrap_or("");
            if what.is_empty() {
                let _ = writeln!(out, "    {}", f.message);
            } else {
                let _ = writeln!(out, "    {}: {}", paint("33", what), f.message);
            }
            if let Some(sql) = &f.sql {
                for line in sql.lines() {
                    let _ = writeln!(out, "        {}", paint("2", line));
                }
            }
        }
        if let (false, Some(h)) = (s.ok(), &s.hint) {
            let _ = writeln!(out, "    → {h}");
        }
    }
    let _ = writeln!(
        out,
        "{}",
        if report.in_sync {
            paint("32", "in sync")
        } else {
            paint("31", &format!("{} problem{}", report.problems(), if report.problems() == 1 { "" } else { "s" }))
        }
    );
    out
}

pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).expect("a report serializes") + "\n"
}

pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let title = if report.in_sync {
        "✅ in sync".to_string()
    } else {
        format!("❌ {} problem{}", report.problems(), if report.problems() == 1 { "" } else { "s" })
    };
    let _ = writeln!(out, "### tidemark check: {title}\n");
    let _ = writeln!(out, "| check | result |\n|---|---|");
    for s in &report.sections {
        let _ =
            writeln!(out, "| {} {} | {} |", if s.ok() { "✅" } else { "❌" }, s.name, s.summary.replace('|', "\\|"));
    }
    for s in report.sections.iter().filter(|s| !s.ok()) {
        let _ = writeln!(out, "\n#### {}\n", s.name);
        if let Some(h) = &s.hint {
            let _ = writeln!(out, "{h}\n");
        }
        for f in &s.findings {
            let what = f.object.as_deref().or(f.file.as_deref());
            match what {
                Some(w) => {
                    let _ = writeln!(out, "- `{w}`: {}", f.message);
                }
                None => {
                    let _ = writeln!(out, "- {}", f.message);
                }
            }
            if let Some(sql) = &f.sql {
                let _ = writeln!(
                    out,
                    "  ```sql\n{}\n  ```",
                    sql.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
                );
            }
        }
    }
    out
}

/// `::error file=...,title=...::message` lines, one per finding, and a notice when in sync.
pub fn github(report: &Report) -> String {
    let escape = |s: &str| s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    let escape_property = |s: &str| escape(s).replace(':', "%3A").replace(',', "%2C");
    let mut out = String::new();
    for s in &report.sections {
        for f in &s.findings {
            let mut props = Vec::new();
            if let Some(file) = &f.file {
                props.push(format!("file={}", escape_property(file)));
            }
            props.push(format!("title={}", escape_property(&format!("tidemark check: {}", s.name))));
            let mut message = match &f.object {
                Some(o) => format!("{o}: {}", f.message),
                None => f.message.clone(),
            };
            if let Some(sql) = &f.sql {
                message.push_str(&format!("\n{sql}"));
            }
            let _ = writeln!(out, "::error {}::{}", props.join(","), escape(&message));
        }
    }
    if report.in_sync {
        let _ = writeln!(out, "::notice title=tidemark check::in sync");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        Report::new(vec![
            Section {
                name: "migration files".into(),
                summary: "2 migrations, sums match".into(),
                hint: None,
                findings: vec![],
            },
            Section {
                name: "migrations vs schema files".into(),
                summary: "1 difference".into(),
                hint: Some("run `tidemark generate`".into()),
                findings: vec![Finding {
                    kind: FindingKind::NotMigrated,
                    object: Some("column public.users.email".into()),
                    message: "add column public.users.email".into(),
                    sql: Some("ALTER TABLE public.users ADD COLUMN email text;".into()),
                    file: None,
                }],
            },
        ])
    }

    #[test]
    fn every_format_names_the_difference_and_its_fix() {
        let r = sample();
        assert!(!r.in_sync);
        for out in [text(&r, false), json(&r), markdown(&r), github(&r)] {
            assert!(out.contains("column public.users.email"), "{out}");
            assert!(out.contains("ALTER TABLE public.users ADD COLUMN email text;"), "{out}");
        }
        assert!(github(&r).starts_with("::error title=tidemark check%3A migrations vs schema files::"));
        assert!(json(&r).contains("\"kind\": \"not-migrated\""));
    }
}
