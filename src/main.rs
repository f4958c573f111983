//! The `tidemark` binary: parse arguments, run the command, map the outcome to an exit code
//! (0 fine, 1 differences or drift found, 2 error). A closed pipe ends the program quietly.
//! Messages on stderr quote names, statements and file text that may hold control characters:
//! they pass through [`TerminalSafe`], so no name can move the cursor or rewrite the screen.
//! So does stdout when it is a terminal (reports, and SQL shown rather than piped), keeping only
//! the colour codes (SGR) the reports paint with; piped, stdout is left byte for byte as written.

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;
use tidemark::cli::{run, Cli, CliError, Outcome};

/// A writer that shows control characters (other than newline and tab) as `\xNN`: an escape
/// sequence inside a table name is printed, not obeyed. With `colours`, a complete SGR sequence
/// (`ESC [ digits ; ... m`: colour and weight only, no cursor movement) passes.
struct TerminalSafe<W: Write> {
    inner: W,
    colours: bool,
}

/// The length of the SGR sequence `buf` starts with, if it is one.
fn sgr_len(buf: &[u8]) -> Option<usize> {
    let rest = buf.strip_prefix(b"\x1b[")?;
    let n = rest.iter().take_while(|b| b.is_ascii_digit() || **b == b';').count();
    (rest.get(n) == Some(&b'm')).then_some(n + 3)
}

impl<W: Write> Write for TerminalSafe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let (mut start, mut i) = (0, 0);
        while i < buf.len() {
            let b = buf[i];
            if let Some(n) = sgr_len(&buf[i..]).filter(|_| self.colours) {
                i += n;
                continue;
            }
            if (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f {
                self.inner.write_all(&buf[start..i])?;
                write!(self.inner, "\\x{b:02x}")?;
                start = i + 1;
            }
            i += 1;
        }
        self.inner.write_all(&buf[start..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    use std::io::IsTerminal;
    let stdout = std::io::stdout();
    let mut out: Box<dyn Write> = if stdout.is_terminal() {
        Box::new(TerminalSafe { inner: stdout.lock(), colours: true })
    } else {
        Box::new(stdout.lock())
    };
    let mut err = TerminalSafe { inner: std::io::stderr().lock(), colours: false };
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
