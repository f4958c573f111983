//! Reading the files tidemark is given (schema files, migrations, `\i` includes, the config):
//! bounded in size, so that a huge file or `/dev/zero` is an error rather than unbounded
//! memory, and checked as text, so that a stray byte is reported with its line and column.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest file tidemark reads.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Why a file could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("cannot read {path}: {message}")]
    Io { path: String, message: String },
    #[error("cannot read {path}: larger than {} MiB, the most tidemark reads from one file", MAX_FILE_BYTES >> 20)]
    TooLarge { path: String },
    #[error("{path}:{line}:{column}: error: {what}; tidemark reads UTF-8 text")]
    NotText { path: String, line: usize, column: usize, what: String },
}

/// The text of `path`: at most [`MAX_FILE_BYTES`], valid UTF-8, no NUL byte. Works on anything
/// readable (a FIFO, `/dev/stdin`), reading no more than one byte past the limit.
pub fn read_text(path: &Path) -> Result<String, FileError> {
    let shown = path.display().to_string();
    let io = |e: std::io::Error| FileError::Io { path: shown.clone(), message: e.to_string() };
    let file = std::fs::File::open(path).map_err(io)?;
    if file.metadata().is_ok_and(|m| m.is_file() && m.len() > MAX_FILE_BYTES) {
        return Err(FileError::TooLarge { path: shown });
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(FileError::TooLarge { path: shown });
    }
    text(&shown, bytes)
}

/// Bytes as text, or where they stop being text.
pub fn text(path: &str, bytes: Vec<u8>) -> Result<String, FileError> {
    let nul = bytes.iter().position(|b| *b == 0);
    let valid_up_to = match std::str::from_utf8(&bytes) {
        Ok(_) => None,
        Err(e) => Some(e.valid_up_to()),
    };
    let bad = match (nul, valid_up_to) {
        (Some(n), Some(v)) => Some(n.min(v)),
        (n, v) => n.or(v),
    };
    let Some(at) = bad else {
        return Ok(String::from_utf8(bytes).expect("checked"));
    };
    let what = if bytes[at] == 0 {
        "a NUL byte (a binary file?)".to_string()
    } else {
        format!("invalid UTF-8 (byte 0x{:02x})", bytes[at])
    };
    let before = std::str::from_utf8(&bytes[..at]).expect("valid up to here");
    let (line, column) = crate::source::parse::line_col(before, at);
    Err(FileError::NotText { path: path.to_string(), line, column, what })
}

/// The directory the `\i` of a top-level `file` may read under, canonical: the first of
/// `roots` (the paths the user gave; a file stands for its directory) holding the file, else the
/// file's own directory.
pub fn include_root(file: &Path, roots: &[PathBuf]) -> Option<PathBuf> {
    let dir_of = |p: &Path| {
        let parent = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        parent.canonicalize().ok()
    };
    if let Ok(canonical) = file.canonicalize() {
        for root in roots {
            let Ok(root) = root.canonicalize() else { continue };
            let root = if root.is_dir() { root } else { dir_of(&root).unwrap_or(root) };
            if canonical.starts_with(&root) {
                return Some(root);
            }
        }
    }
    dir_of(file)
}

/// The pseudo-filesystems no include may read: their files are the machine's and the process's
/// state (`/proc/self/environ` is the whole environment), not the project's.
const SYSTEM_DIRECTORIES: &[&str] = &["/proc", "/sys", "/dev"];

/// The text of a file a `\i` names, read only when it is a regular file under `root` (symbolic
/// links followed: one pointing out of the root is refused), outside `/proc`, `/sys` and
/// `/dev`, and within [`MAX_FILE_BYTES`]. The error says which rule refused it and never shows
/// any of its content.
pub fn read_include(target: &Path, root: Option<&Path>) -> Result<String, String> {
    let shown = target.display();
    let system = |p: &Path| SYSTEM_DIRECTORIES.iter().find(|d| p.starts_with(d)).copied();
    let refuse_system =
        |system: &str| format!("refusing to include {shown}: it is under {system}, not a file of the project");
    if let Some(system) = system(target) {
        return Err(refuse_system(system));
    }
    let canonical = target.canonicalize().map_err(|e| format!("cannot read {shown}: {e}"))?;
    if let Some(system) = system(&canonical) {
        return Err(refuse_system(system));
    }
    let Some(root) = root else {
        return Err(format!("refusing to include {shown}: the directory of the including file cannot be resolved"));
    };
    if !canonical.starts_with(root) {
        return Err(format!(
            "refusing to include {shown}: it is outside {} (symbolic links followed), and includes stay inside \
             the schema or migrations directory given",
            root.display()
        ));
    }
    let meta = std::fs::metadata(&canonical).map_err(|e| format!("cannot read {shown}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("refusing to include {shown}: not a regular file (a directory, device, FIFO or socket)"));
    }
    read_text(&canonical).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stray_bytes_have_a_position() {
        let e = text("a.sql", b"select 1;\ncreate table \xe9t (a int);".to_vec()).unwrap_err();
        assert_eq!(e.to_string(), "a.sql:2:14: error: invalid UTF-8 (byte 0xe9); tidemark reads UTF-8 text");
        let e = text("a.sql", "-- é\nselect\0".as_bytes().to_vec()).unwrap_err();
        assert!(e.to_string().starts_with("a.sql:2:7: error: a NUL byte"), "{e}");
        assert_eq!(text("a.sql", "\u{feff}select 'é';".as_bytes().to_vec()).unwrap(), "\u{feff}select 'é';");
    }

    #[test]
    fn reading_is_bounded() {
        let e = read_text(Path::new("/dev/zero")).unwrap_err();
        assert!(matches!(e, FileError::TooLarge { .. }), "{e}");
        assert!(e.to_string().contains("larger than 32 MiB"), "{e}");
        let dir = std::env::temp_dir().join(format!("tidemark-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let big = dir.join("big.sql");
        std::fs::File::create(&big).unwrap().set_len(MAX_FILE_BYTES + 1).unwrap();
        assert!(matches!(read_text(&big), Err(FileError::TooLarge { .. })));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
