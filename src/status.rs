//! The exit statuses of `spoolcheck`, defined once for every subcommand.

use std::process::ExitCode;

/// The command did what was asked (for `run`: the implementation conforms).
pub const SUCCESS: u8 = 0;

/// The implementation under test broke a rule (`run`, `replay`), or a mutant escaped (`selftest`).
pub const NONCONFORMANT: u8 = 1;

/// The command line was wrong (an unknown subcommand, flag, value or rule ID), or the tool
/// could not do its own work (for example, it could not write its output).
pub const USAGE: u8 = 2;

/// The user interrupted the run (SIGINT or SIGTERM), as shells report a death by SIGINT.
pub const INTERRUPTED: u8 = 130;

/// The process exit code of a status.
pub fn code(status: u8) -> ExitCode {
    ExitCode::from(status)
}
