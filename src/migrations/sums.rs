//! `tidemark.sum`: a checksum per migration file and one over them all, so that an edited,
//! removed or unrecorded migration is noticed before anything is generated or applied.
//!
//! ```text
//! # tidemark.sum: checksums of the migration files; `tidemark rehash` rewrites it
//! total sha256:9f2c...
//! 0001_init.sql sha256:5be1...
//! ```

use sha2::{Digest, Sha256};

pub const FILE_NAME: &str = "tidemark.sum";
const COMMENT: &str = "# tidemark.sum: checksums of the migration files; `tidemark rehash` rewrites it";

#[derive(Clone, Debug, PartialEq)]
pub struct SumFile {
    pub total: String,
    /// (path relative to the migrations directory, checksum), in migration order.
    pub files: Vec<(String, String)>,
}

/// What the sums say about the files.
#[derive(Clone, Debug, PartialEq)]
pub enum SumProblem {
    /// Migrations exist but no `tidemark.sum`.
    MissingSumFile,
    /// A file's bytes changed since it was summed.
    Edited(String),
    /// A summed file is gone.
    Missing(String),
    /// A file the sums do not know (written by hand, or by another tool).
    Unsummed(String),
    /// The total does not match the lines: the sum file itself was edited.
    TotalMismatch,
}

impl std::fmt::Display for SumProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SumProblem::MissingSumFile => {
                write!(f, "{FILE_NAME} is missing (run `tidemark rehash` after reviewing the migrations)")
            }
            SumProblem::Edited(p) => write!(f, "{p} was edited after it was generated (its checksum differs)"),
            SumProblem::Missing(p) => write!(f, "{p} is listed in {FILE_NAME} but missing"),
            SumProblem::Unsummed(p) => {
                write!(f, "{p} is not in {FILE_NAME} (run `tidemark rehash` after reviewing it)")
            }
            SumProblem::TotalMismatch => write!(f, "{FILE_NAME} was edited by hand (its total does not match)"),
        }
    }
}

pub fn checksum(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

impl SumFile {
    /// Sums of files, in the order given.
    pub fn of(files: &[(String, &str)]) -> SumFile {
        let files: Vec<(String, String)> = files.iter().map(|(p, t)| (p.clone(), checksum(t.as_bytes()))).collect();
        SumFile { total: total(&files), files }
    }

    pub fn parse(text: &str) -> Result<SumFile, String> {
        let mut total_line = None;
        let mut files = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (name, sum) =
                line.rsplit_once(' ').ok_or_else(|| format!("line {}: expected `<file> sha256:<hex>`", i + 1))?;
            if !sum.starts_with("sha256:") {
                return Err(format!("line {}: expected a sha256: checksum", i + 1));
            }
            if name == "total" && total_line.is_none() && files.is_empty() {
                total_line = Some(sum.to_string());
            } else {
                files.push((name.to_string(), sum.to_string()));
            }
        }
        Ok(SumFile { total: total_line.ok_or("no `total` line")?, files })
    }

    pub fn render(&self) -> String {
        let mut out = format!("{COMMENT}\ntotal {}\n", self.total);
        for (p, s) in &self.files {
            out.push_str(&format!("{p} {s}\n"));
        }
        out
    }

    /// Compare with the files as they are now.
    pub fn check(&self, files: &[(String, &str)]) -> Vec<SumProblem> {
        let mut out = Vec::new();
        if total(&self.files) != self.total {
            out.push(SumProblem::TotalMismatch);
        }
        for (p, sum) in &self.files {
            match files.iter().find(|(q, _)| q == p) {
                None => out.push(SumProblem::Missing(p.clone())),
                Some((_, text)) if checksum(text.as_bytes()) != *sum => out.push(SumProblem::Edited(p.clone())),
                Some(_) => {}
            }
        }
        for (p, _) in files {
            if !self.files.iter().any(|(q, _)| q == p) {
                out.push(SumProblem::Unsummed(p.clone()));
            }
        }
        out
    }
}

fn total(files: &[(String, String)]) -> String {
    let joined: String = files.iter().map(|(p, s)| format!("{p} {s}\n")).collect();
    checksum(joined.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_finds_every_problem() {
        let sum = SumFile::of(&[("0001_a.sql".into(), "CREATE TABLE a ();"), ("0002_b.sql".into(), "SELECT 1;")]);
        assert_eq!(SumFile::parse(&sum.render()).unwrap(), sum);
        assert!(sum
            .check(&[("0001_a.sql".into(), "CREATE TABLE a ();"), ("0002_b.sql".into(), "SELECT 1;")])
            .is_empty());
        let problems = sum.check(&[("0001_a.sql".into(), "CREATE TABLE a (id int);"), ("0003_c.sql".into(), "")]);
        assert_eq!(
            problems,
            vec![
                SumProblem::Edited("0001_a.sql".into()),
                SumProblem::Missing("0002_b.sql".into()),
                SumProblem::Unsummed("0003_c.sql".into())
            ]
        );
        let mut tampered = sum.clone();
        tampered.files[0].1 = checksum(b"other");
        assert!(tampered.check(&[]).contains(&SumProblem::TotalMismatch));
    }
}
