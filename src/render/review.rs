//! Reviews as text, JSON, Markdown (a pull-request comment), GitHub annotations and SARIF.
//! Hazards come first, highest severity first; then every statement with its lock.
//!
//! The JSON form is a stable interface (`"format": "tidemark-review/1"`): fields are added,
//! never renamed or removed, within a version. See docs/review-json.md.

use crate::hazard::{HazardKind, Severity};
use crate::review::{Finding, Review, Reviewed};
use serde_json::json;
use std::fmt::Write;

fn summary_line(review: &Review) -> String {
    let statements = review.statements().count();
    let files = review.files.len();
    let counts = review.counts();
    let found: Vec<String> = [Severity::High, Severity::Medium, Severity::Low]
        .iter()
        .map(|s| format!("{} {}", counts.get(&std::cmp::Reverse(*s)).copied().unwrap_or(0), s.name()))
        .collect();
    format!(
        "{statements} statement{} in {files} file{}: {}",
        if statements == 1 { "" } else { "s" },
        if files == 1 { "" } else { "s" },
        found.join(", ")
    )
}

/// Every finding with its statement, highest severity first, then in file order.
fn findings_by_severity(review: &Review) -> Vec<(&Reviewed, &Finding)> {
    let mut all: Vec<(usize, &Reviewed, &Finding)> =
        review.statements().enumerate().flat_map(|(i, s)| s.hazards.iter().map(move |f| (i, s, f))).collect();
    all.sort_by_key(|(i, _, f)| (std::cmp::Reverse(f.severity), *i));
    all.into_iter().map(|(_, s, f)| (s, f)).collect()
}

fn lock_words(s: &Reviewed) -> String {
    let mut parts = Vec::new();
    if let (Some(l), Some(t)) = (s.lock, &s.table) {
        parts.push(format!("{} on {t} ({})", l.name(), l.blocks()));
    }
    if s.rewrites {
        parts.push("rewrites the table".into());
    }
    if !s.transactional {
        parts.push("outside a transaction".into());
    }
    parts.join("; ")
}

pub fn text(review: &Review, colour: bool) -> String {
    let paint = |code: &str, s: &str| if colour { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_string() };
    let sev = |s: Severity| match s {
        Severity::High => paint("1;31", "high  "),
        Severity::Medium => paint("33", "medium"),
        Severity::Low => paint("36", "low   "),
    };
    let mut out = String::new();
    for f in &review.files {
        let _ = writeln!(out, "{}", paint("1", &f.file));
        for s in &f.statements {
            let _ = writeln!(out, "  {}:{}  {}", s.line, s.column, s.summary);
            let lock = lock_words(s);
            if !lock.is_empty() {
                let _ = writeln!(out, "        {}", paint("2", &lock));
            }
            for h in &s.hazards {
                let _ = writeln!(out, "        {} {}: {}", sev(h.severity), h.kind.name(), h.message);
                if let Some(safer) = &h.safer {
                    for (i, line) in safer.lines().enumerate() {
                        let _ = writeln!(out, "               {} {line}", if i == 0 { "safer:" } else { "      " });
                    }
                }
            }
        }
    }
    let _ = writeln!(out, "{}", summary_line(review));
    out
}

pub fn json(review: &Review) -> String {
    let counts = review.counts();
    let count = |s: Severity| counts.get(&std::cmp::Reverse(s)).copied().unwrap_or(0);
    let value = json!({
        "format": "tidemark-review/1",
        "summary": {
            "files": review.files.len(),
            "statements": review.statements().count(),
            "high": count(Severity::High),
            "medium": count(Severity::Medium),
            "low": count(Severity::Low),
            "max_severity": review.max_severity(),
        },
        "files": review.files,
    });
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_default();
    s.push('\n');
    s
}

fn severity_badge(s: Severity) -> &'static str {
    match s {
        Severity::High => "🔴 high",
        Severity::Medium => "🟠 medium",
        Severity::Low => "🔵 low",
    }
}

pub fn markdown(review: &Review) -> String {
    let mut out = String::from("## tidemark review\n\n");
    let _ = writeln!(out, "{}\n", summary_line(review));
    let findings = findings_by_severity(review);
    if findings.is_empty() {
        out.push_str("No hazards found.\n\n");
    } else {
        out.push_str("### Hazards\n\n");
        for (s, f) in findings {
            let _ = writeln!(
                out,
                "#### {} · {} · `{}:{}`\n\n{}\n\n```sql\n{}\n```\n",
                severity_badge(f.severity),
                f.kind.name(),
                s.file,
                s.line,
                f.message,
                s.sql.trim()
            );
            if let Some(safer) = &f.safer {
                let _ = writeln!(out, "Safer:\n\n```sql\n{}\n```\n", safer.trim());
            }
        }
    }
    out.push_str("### Statements\n\n| where | statement | lock | in transaction | rewrite | hazards |\n|---|---|---|---|---|---|\n");
    for s in review.statements() {
        let hazards: Vec<&str> = s.hazards.iter().map(|h| h.kind.name()).collect();
        let _ = writeln!(
            out,
            "| `{}:{}` | {} | {} | {} | {} | {} |",
            s.file,
            s.line,
            s.summary.replace('|', "\\|"),
            s.lock.map(|l| l.name()).unwrap_or("—"),
            if s.transactional { "yes" } else { "**no**" },
            if s.rewrites { "**yes**" } else { "no" },
            if hazards.is_empty() { "—".to_string() } else { hazards.join(", ") }
        );
    }
    out.push_str("\n<sub>Hazards are documented in docs/hazards.md (`tidemark hazards`).</sub>\n");
    out
}

/// GitHub workflow commands: one annotation per finding.
pub fn github(review: &Review) -> String {
    let escape = |s: &str| s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    let escape_prop = |s: &str| escape(s).replace(':', "%3A").replace(',', "%2C");
    let mut out = String::new();
    for s in review.statements() {
        for f in &s.hazards {
            let level = match f.severity {
                Severity::High => "error",
                Severity::Medium => "warning",
                Severity::Low => "notice",
            };
            let mut message = f.message.clone();
            if let Some(safer) = &f.safer {
                message.push_str("\nsafer:\n");
                message.push_str(safer);
            }
            let _ = writeln!(
                out,
                "::{level} file={},line={},col={},title={}::{}",
                escape_prop(&s.file),
                s.line,
                s.column,
                escape_prop(&format!("tidemark: {} ({})", f.kind.name(), f.severity.name())),
                escape(&message)
            );
        }
    }
    let _ = writeln!(out, "{}", summary_line(review));
    out
}

/// SARIF 2.1.0, for code-scanning uploads.
pub fn sarif(review: &Review) -> String {
    let level = |s: Severity| match s {
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    };
    let rules: Vec<serde_json::Value> = HazardKind::ALL
        .iter()
        .map(|k| {
            let d = k.doc();
            json!({
                "id": k.code(),
                "name": k.name(),
                "shortDescription": { "text": k.name() },
                "fullDescription": { "text": d.what },
                "help": { "text": format!("{} Safer: {}", d.why, d.safer) },
                "defaultConfiguration": { "level": level(k.severity()) },
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = review
        .statements()
        .flat_map(|s| {
            s.hazards.iter().map(move |f| {
                let mut message = f.message.clone();
                if let Some(safer) = &f.safer {
                    message.push_str("\nSafer:\n");
                    message.push_str(safer);
                }
                json!({
                    "ruleId": f.kind.code(),
                    "level": level(f.severity),
                    "message": { "text": message },
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": { "uri": s.file },
                            "region": { "startLine": s.line, "startColumn": s.column },
                        }
                    }],
                })
            })
        })
        .collect();
    let value = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "tidemark",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_default();
    s.push('\n');
    s
}
