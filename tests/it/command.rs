//! The `spoolcheck` executable as the command-line tests run it: its output, shown whole when an
//! assertion fails, and a scratch directory of its own for each test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `spoolcheck ARGS...` and waits for it.
pub fn spoolcheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spoolcheck"))
        .args(args)
        .output()
        .expect("spoolcheck runs")
}

/// The exit status, stdout and stderr, for an assertion's message.
pub fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// An empty directory `GROUP/NAME` under cargo's temporary directory for integration tests.
pub fn scratch(group: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(group)
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}
