//! `--grpc-spawn 'CMD --port {port}'`: the harness starts the implementation's server on a free
//! port, waits until it answers `Describe`, runs, and stops it.
//!
//! The command runs under `sh -c` in a process group of its own, so a wrapper script and what it
//! starts are stopped together. Its output goes to a log file, whose last lines the errors quote.

use super::grpc::GrpcProvider;
use super::remote::{describe_status, log_tail};
use crate::seam::SeamError;
use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A server the harness started.
pub struct SpawnedServer {
    child: Mutex<Child>,
    url: String,
    log: PathBuf,
    command: String,
}

/// How long a server may take to start answering.
pub const READY_TIMEOUT: Duration = Duration::from_secs(60);

impl SpawnedServer {
    /// Starts `template` with `{port}` replaced by a free loopback port, logging to `log`, and
    /// waits until it answers.
    pub fn start(template: &str, log: &Path, ready: Duration) -> Result<SpawnedServer, SeamError> {
        if !template.contains("{port}") {
            return Err(SeamError::Harness(format!(
                "--grpc-spawn needs `{{port}}` in its command, where the server's port goes: `{template}`"
            )));
        }
        let port = free_port()?;
        let command = template.replace("{port}", &port.to_string());
        if let Some(dir) = log.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| SeamError::Harness(format!("cannot create {}: {e}", dir.display())))?;
        }
        let out = File::create(log)
            .map_err(|e| SeamError::Harness(format!("cannot write {}: {e}", log.display())))?;
        let err = out
            .try_clone()
            .map_err(|e| SeamError::Harness(format!("cannot write {}: {e}", log.display())))?;
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(&command)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let child = cmd
            .spawn()
            .map_err(|e| SeamError::Harness(format!("cannot start `{command}`: {e}")))?;
        let server = SpawnedServer {
            child: Mutex::new(child),
            url: format!("http://127.0.0.1:{port}"),
            log: log.to_path_buf(),
            command,
        };
        server.wait_ready(ready)?;
        Ok(server)
    }

    /// The server's address.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn wait_ready(&self, ready: Duration) -> Result<(), SeamError> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.exited() {
                return Err(SeamError::Harness(format!(
                    "the server `{}` exited ({status}) before it answered{}",
                    self.command,
                    self.tail()
                )));
            }
            match GrpcProvider::try_connect(&self.url, Duration::from_millis(500)) {
                Ok(_) => return Ok(()),
                // Nothing listens yet: the server is still starting.
                Err((e, true)) if started.elapsed() < ready => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err((e, transient)) => {
                    self.stop();
                    let when = if transient {
                        format!("did not answer within {} s", ready.as_secs())
                    } else {
                        "answered, but not as the contract says".to_string()
                    };
                    return Err(SeamError::Harness(format!(
                        "the server `{}` {when}: {e}{}",
                        self.command,
                        self.tail()
                    )));
                }
            }
        }
    }

    /// The exit status, if the server has exited.
    pub fn exited(&self) -> Option<String> {
        let mut child = self.child.lock().ok()?;
        match child.try_wait() {
            Ok(Some(status)) => Some(describe_status(status)),
            _ => None,
        }
    }

    /// The last lines of the server's log, as a suffix for an error message.
    pub fn tail(&self) -> String {
        match log_tail(&self.log) {
            t if t.is_empty() => format!(" (its log {} is empty)", self.log.display()),
            t => t,
        }
    }

    /// Stops the server: SIGTERM to its process group, then SIGKILL after a grace period; returns
    /// when the whole group is gone.
    pub fn stop(&self) {
        let Ok(mut child) = self.child.lock() else {
            return;
        };
        signal_group(&child, false);
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline && group_alive(&mut child) {
            std::thread::sleep(Duration::from_millis(10));
        }
        if group_alive(&mut child) {
            signal_group(&child, true);
            let _ = child.kill();
        }
        let _ = child.wait();
        let deadline = Instant::now() + Duration::from_secs(1);
        while Instant::now() < deadline && group_alive(&mut child) {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Sends SIGTERM (or SIGKILL) to the server's process group.
#[cfg(unix)]
fn signal_group(child: &Child, kill: bool) {
    use rustix::process::{kill_process_group, Pid, Signal};
    let Some(group) = i32::try_from(child.id()).ok().and_then(Pid::from_raw) else {
        return;
    };
    let signal = if kill { Signal::KILL } else { Signal::TERM };
    let _ = kill_process_group(group, signal);
}

#[cfg(not(unix))]
fn signal_group(_: &Child, _: bool) {}

/// Whether anything of the server's process group is still running (its leader reaped or not).
#[cfg(unix)]
fn group_alive(child: &mut Child) -> bool {
    use rustix::process::{test_kill_process_group, Pid};
    let _ = child.try_wait();
    let Some(group) = i32::try_from(child.id()).ok().and_then(Pid::from_raw) else {
        return false;
    };
    test_kill_process_group(group).is_ok()
}

#[cfg(not(unix))]
fn group_alive(child: &mut Child) -> bool {
    matches!(child.try_wait(), Ok(None))
}

impl Drop for SpawnedServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> Result<u16, SeamError> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| SeamError::Harness(format!("cannot find a free loopback port: {e}")))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| SeamError::Harness(format!("cannot find a free loopback port: {e}")))
}
