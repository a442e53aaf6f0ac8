//! Writing a command's output. Commands write to any `io::Write`; `main` hands them the locked
//! standard streams and turns a write error into an exit status instead of a panic.

use crate::status;
use std::io::{self, Write};

/// Where a command writes: its results to `out`, diagnostics to `err`.
pub struct Streams<'a> {
    /// Results (standard output).
    pub out: &'a mut dyn Write,
    /// Diagnostics (standard error).
    pub err: &'a mut dyn Write,
}

/// Runs a command with the process's standard streams and returns its exit status.
///
/// A reader that goes away early (a closed pipe, as in `spoolcheck rules | head -1`) is not an
/// error: the command stops and the status is success. Any other write failure is reported on
/// standard error, as far as that still works, with the usage-or-tool-error status.
pub fn run_with_stdio(command: impl FnOnce(&mut Streams<'_>) -> io::Result<u8>) -> u8 {
    let stdout = io::stdout();
    let stderr = io::stderr();
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    let result = {
        let mut streams = Streams {
            out: &mut out,
            err: &mut err,
        };
        command(&mut streams).and_then(|code| streams.out.flush().map(|()| code))
    };
    match result {
        Ok(code) => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => status::SUCCESS,
        Err(e) => {
            // Nothing more can be done if standard error fails too.
            let _ = writeln!(err, "spoolcheck: cannot write output: {e}");
            status::USAGE
        }
    }
}
