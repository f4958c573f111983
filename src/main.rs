//! The `tidemark` binary: parse arguments, run the command, map the outcome to an exit code
//! (0 fine, 1 differences or drift found, 2 error). A closed pipe ends the program quietly.

use clap::Parser;
use std::process::ExitCode;
use tidemark::cli::{run, Cli, CliError, Outcome};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    match run(cli, &mut out, &mut err) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Changes) => ExitCode::from(1),
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            use std::io::Write;
            let _ = writeln!(err, "error: {e}");
            ExitCode::from(2)
        }
    }
}
