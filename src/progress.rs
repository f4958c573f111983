//! Progress on a terminal: one line on stderr, rewritten as a long step advances
//! (introspecting thousands of tables, proving a plan on a throwaway server). Silent when
//! stderr is not a terminal, so logs and tests see only results.

use std::io::{IsTerminal, Write};

pub struct Progress {
    enabled: bool,
    shown: bool,
}

impl Progress {
    /// On stderr when it is a terminal.
    pub fn stderr() -> Progress {
        Progress { enabled: std::io::stderr().is_terminal(), shown: false }
    }

    /// Never shown.
    pub fn hidden() -> Progress {
        Progress { enabled: false, shown: false }
    }

    pub fn set(&mut self, message: &str) {
        if self.enabled {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K{message}...");
            let _ = err.flush();
            self.shown = true;
        }
    }

    /// Clear the line (before printing results).
    pub fn clear(&mut self) {
        if self.enabled && self.shown {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            self.shown = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}
