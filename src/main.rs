//! The `tidemark` binary: parse arguments, run the command, map the outcome to an exit code
//! (0 fine, 1 differences or drift found, 2 error). A closed pipe ends the program quietly.
//! Messages on stderr quote names, statements and file text that may hold control characters:
//! they pass through [`TerminalSafe`], so no name can move the cursor or rewrite the screen.

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;
use tidemark::cli::{run, Cli, CliError, Outcome};

/// A writer that shows control characters (other than newline and tab) as `\xNN`: an escape
/// sequence inside a table name is printed, not obeyed. Stdout is left alone: it carries SQL,
/// where such characters are part of quoted names.
struct TerminalSafe<W: Write>(W);

impl<W: Write> Write for TerminalSafe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut start = 0;
        for (i, &b) in buf.iter().enumerate() {
            if (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f {
                self.0.write_all(&buf[start..i])?;
                write!(self.0, "\\x{b:02x}")?;
                start = i + 1;
            }
        }
        self.0.write_all(&buf[start..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = std::io::stdout().lock();
    let mut err = TerminalSafe(std::io::stderr().lock());
    match run(cli, &mut out, &mut err) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Changes) => ExitCode::from(1),
        Ok(Outcome::Incomplete) => ExitCode::from(2),
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            ExitCode::from(2)
        }
    }
}
