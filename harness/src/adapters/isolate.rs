//! `--isolate`: a C library runs in a child process, so that a segfault, an abort or a hang in it
//! is reported (indeterminate, with the trace) and the harness goes on.
//!
//! The child is the spoolcheck executable itself, started as `spoolcheck __cabi-host LIBRARY
//! PORT`: it loads the library, connects back to the harness over loopback TCP and serves the same
//! one-round-trip protocol as the gRPC contract, as JSON lines. The library's own stdout and stderr
//! stay the child's, so a chatty library cannot corrupt the protocol; they go to a log file.

use super::cabi::{CabiLibrary, CabiProvider};
use super::remote::{deliver, describe_status, log_tail, ReportedCall};
use crate::seam::{scripted_answer, Implementation, ScriptedSupport, SeamError, Support};
use serde::{Deserialize, Serialize};
use spoolcheck_model::{Choices, Notification, Observation, Op, Ret};
use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A request to the child.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum HostRequest {
    Reset(Choices),
    Apply(Op),
    Observe,
}

/// The child's reply.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum HostReply {
    Reset,
    Applied {
        ret: Ret,
        calls: Vec<ReportedCall>,
        notifications: Vec<Notification>,
        observation: Observation,
    },
    Observation(Observation),
    Unsupported(String),
    Failed(String),
    Malformed(String),
}

/// Starts isolated instances of one library and stops them all at the end of the run.
pub struct Launcher {
    host: PathBuf,
    library: PathBuf,
    log: PathBuf,
    /// How long a child may take to load the library and make its instance: the per-call timeout.
    timeout: Duration,
    /// The configuration each instance is made with (`CabiProvider::with_config`), if any.
    config: Option<String>,
    children: Mutex<Vec<Started>>,
}

/// A child the launcher started, and the harness's end of its connection.
type Started = (Arc<Mutex<Child>>, Option<TcpStream>);

/// The environment variable that carries the token an isolated child proves itself with.
const TOKEN_VAR: &str = "SPOOLCHECK_ISOLATE_TOKEN";

/// The environment variable that carries the configuration of the child's instance, when the
/// library takes one (it is the child's alone: the harness's own environment is not changed).
const CONFIG_VAR: &str = "SPOOLCHECK_CABI_CONFIG";

/// How long a child may take to start and connect.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a child gets to destroy its instance and exit after the harness hangs up.
const GRACE: Duration = Duration::from_secs(1);

/// A token no other process can guess: std's per-process random hash keys, hashed.
fn token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut a = std::collections::hash_map::RandomState::new().build_hasher();
    a.write_u32(std::process::id());
    let mut b = std::collections::hash_map::RandomState::new().build_hasher();
    b.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    format!("{:016x}{:016x}", a.finish(), b.finish())
}

impl Launcher {
    /// `host` is the spoolcheck executable; `library` the shared library; the children's output
    /// goes to `log`; `timeout` bounds loading the library and making an instance.
    pub fn new(
        host: PathBuf,
        library: PathBuf,
        log: PathBuf,
        timeout: Duration,
    ) -> Result<Arc<Launcher>, SeamError> {
        Launcher::configured(host, library, None, log, timeout)
    }

    /// As [`Launcher::new`], each child making its instance from `config` (the library's
    /// `spoolcheck_create_configured_v2`).
    pub fn configured(
        host: PathBuf,
        library: PathBuf,
        config: Option<String>,
        log: PathBuf,
        timeout: Duration,
    ) -> Result<Arc<Launcher>, SeamError> {
        if let Some(dir) = log.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| SeamError::Harness(format!("cannot create {}: {e}", dir.display())))?;
        }
        File::create(&log)
            .map_err(|e| SeamError::Harness(format!("cannot write {}: {e}", log.display())))?;
        Ok(Arc::new(Launcher {
            host,
            library,
            log,
            timeout,
            config,
            children: Mutex::new(Vec::new()),
        }))
    }

    /// A new child with a new instance.
    pub fn start(&self) -> Result<IsolatedProvider, SeamError> {
        let harness = |what: &str, e: std::io::Error| SeamError::Harness(format!("{what}: {e}"));
        let listener = TcpListener::bind("127.0.0.1:0")
            .map_err(|e| harness("cannot listen on a loopback port", e))?;
        let port = listener
            .local_addr()
            .map_err(|e| harness("cannot read the listening address", e))?
            .port();
        let log = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.log)
            .map_err(|e| harness(&format!("cannot write {}", self.log.display()), e))?;
        let log2 = log
            .try_clone()
            .map_err(|e| harness(&format!("cannot write {}", self.log.display()), e))?;
        let token = token();
        let mut command = Command::new(&self.host);
        if let Some(config) = &self.config {
            command.env(CONFIG_VAR, config);
        }
        let child = command
            .env(TOKEN_VAR, &token)
            .arg("__cabi-host")
            .arg(&self.library)
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2)
            .spawn()
            .map_err(|e| harness(&format!("cannot start {}", self.host.display()), e))?;
        let child = Arc::new(Mutex::new(child));
        let stream = match accept(&listener, &child, CONNECT_TIMEOUT) {
            Ok(s) => s,
            Err(e) => {
                if let Ok(mut c) = child.lock() {
                    let _ = c.kill();
                    let _ = c.wait();
                }
                return Err(SeamError::Harness(format!("{e}{}", self.tail())));
            }
        };
        if let Ok(mut children) = self.children.lock() {
            children.push((child.clone(), stream.try_clone().ok()));
        }
        let mut provider = IsolatedProvider {
            reader: BufReader::new(
                stream
                    .try_clone()
                    .map_err(|e| harness("cannot use the child's connection", e))?,
            ),
            writer: stream,
            child,
            name: String::new(),
            observation: None,
            log: self.log.clone(),
        };
        // The child's first line is the token, its second the library's name or why it could not
        // load it; both within the greeting timeout (a library may hang in `create`).
        let _ = provider.writer.set_read_timeout(Some(self.timeout));
        let mut first = String::new();
        match provider.reader.read_line(&mut first) {
            Ok(n) if n > 0 && first.trim_end() == token => {}
            Ok(n) if n > 0 => {
                return Err(SeamError::Harness(
                    "a process that is not the isolated child connected to the harness".into(),
                ))
            }
            _ => return Err(SeamError::Harness(provider.death("while starting"))),
        }
        let mut greeting = String::new();
        match provider.reader.read_line(&mut greeting) {
            Ok(n) if n > 0 => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                // Stuck loading the library or in `create`.
                return Err(SeamError::Timeout {
                    millis: u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
                });
            }
            _ => {
                return Err(SeamError::Harness(
                    provider.death("while loading the library"),
                ))
            }
        }
        let _ = provider.writer.set_read_timeout(None);
        match serde_json::from_str::<Result<String, String>>(&greeting) {
            Ok(Ok(name)) => provider.name = format!("{name} (isolated)"),
            Ok(Err(why)) => return Err(SeamError::Harness(why)),
            Err(e) => {
                return Err(SeamError::Harness(format!(
                    "the child sent `{}` instead of its greeting: {e}",
                    greeting.trim_end()
                )))
            }
        }
        Ok(provider)
    }

    /// Stops every child still running: hangs up on each, gives them a moment to destroy their
    /// instances and exit, then kills the rest (a hung one).
    pub fn stop_all(&self) {
        let Ok(mut children) = self.children.lock() else {
            return;
        };
        for (_, stream) in children.iter() {
            if let Some(s) = stream {
                let _ = s.shutdown(std::net::Shutdown::Both);
            }
        }
        let deadline = Instant::now() + GRACE;
        for (child, _) in children.drain(..) {
            if let Ok(mut c) = child.lock() {
                finish(&mut c, deadline);
            }
        }
    }

    fn tail(&self) -> String {
        log_tail(&self.log)
    }
}

impl Drop for Launcher {
    fn drop(&mut self) {
        self.stop_all();
    }
}

/// Waits for the child to connect, unless it dies first.
fn accept(
    listener: &TcpListener,
    child: &Mutex<Child>,
    wait: Duration,
) -> Result<TcpStream, String> {
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("cannot poll the listening socket: {e}"))?;
    let started = Instant::now();
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream
                    .set_nonblocking(false)
                    .map_err(|e| format!("cannot use the child's connection: {e}"))?;
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(format!("cannot accept the child's connection: {e}")),
        }
        if let Ok(mut c) = child.lock() {
            if let Ok(Some(status)) = c.try_wait() {
                return Err(format!(
                    "the isolated child exited ({}) before it connected",
                    describe_status(status)
                ));
            }
        }
        if started.elapsed() > wait {
            return Err(format!(
                "the isolated child did not connect within {} s",
                wait.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// An instance of a C library in a child process.
pub struct IsolatedProvider {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    child: Arc<Mutex<Child>>,
    name: String,
    observation: Option<Observation>,
    log: PathBuf,
}

impl IsolatedProvider {
    fn round_trip(&mut self, request: &HostRequest, what: &str) -> Result<HostReply, SeamError> {
        let mut line = serde_json::to_string(request)
            .map_err(|e| SeamError::Harness(format!("{what}: cannot encode the request: {e}")))?;
        line.push('\n');
        if self.writer.write_all(line.as_bytes()).is_err() {
            return Err(SeamError::Crashed(self.death(what)));
        }
        let mut reply = String::new();
        match self.reader.read_line(&mut reply) {
            Ok(n) if n > 0 => {}
            _ => return Err(SeamError::Crashed(self.death(what))),
        }
        let reply: HostReply = serde_json::from_str(&reply).map_err(|e| {
            SeamError::Harness(format!(
                "{what}: the isolated child's reply is unreadable: {e}"
            ))
        })?;
        match reply {
            HostReply::Unsupported(why) => Err(SeamError::Unsupported(why)),
            HostReply::Failed(why) => Err(SeamError::Crashed(why)),
            HostReply::Malformed(why) => Err(SeamError::Malformed(why)),
            other => Ok(other),
        }
    }

    /// What became of the child, for an error message.
    fn death(&self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(2);
        let status = loop {
            let polled = self
                .child
                .lock()
                .ok()
                .and_then(|mut c| c.try_wait().ok().flatten());
            if let Some(status) = polled {
                break Some(status);
            }
            if Instant::now() > deadline {
                break None;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let how = status.map_or_else(
            || "closed its connection".to_string(),
            |s| format!("died: {}", describe_status(s)),
        );
        format!(
            "{what}: the implementation's process {how}{}",
            log_tail(&self.log)
        )
    }
}

impl Drop for IsolatedProvider {
    fn drop(&mut self) {
        // Hanging up ends the child's loop: it destroys its instance and exits.
        let _ = self.writer.shutdown(std::net::Shutdown::Both);
        if let Ok(mut c) = self.child.lock() {
            finish(&mut c, Instant::now() + GRACE);
        }
    }
}

/// Waits for a child to exit until `deadline`, then kills it.
fn finish(child: &mut Child, deadline: Instant) {
    while Instant::now() < deadline {
        if !matches!(child.try_wait(), Ok(None)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
}

impl Implementation for IsolatedProvider {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn reset(&mut self, choices: &Choices) -> Result<(), SeamError> {
        self.observation = None;
        match self.round_trip(&HostRequest::Reset(choices.clone()), "reset")? {
            HostReply::Reset => Ok(()),
            other => Err(SeamError::Harness(format!(
                "reset: unexpected reply {other:?}"
            ))),
        }
    }

    fn apply(&mut self, op: &Op, support: &mut dyn Support) -> Result<Ret, SeamError> {
        self.observation = None;
        let what = op.call_name();
        match self.round_trip(&HostRequest::Apply(op.clone()), what)? {
            HostReply::Applied {
                ret,
                calls,
                notifications,
                observation,
            } => {
                deliver(support, calls, notifications)?;
                self.observation = Some(observation);
                Ok(ret)
            }
            other => Err(SeamError::Harness(format!(
                "{what}: unexpected reply {other:?}"
            ))),
        }
    }

    fn observe(&mut self) -> Result<Observation, SeamError> {
        if let Some(o) = self.observation.take() {
            return Ok(o);
        }
        match self.round_trip(&HostRequest::Observe, "observe")? {
            HostReply::Observation(o) => Ok(o),
            other => Err(SeamError::Harness(format!(
                "observe: unexpected reply {other:?}"
            ))),
        }
    }
}

/// The child's side (`spoolcheck __cabi-host LIBRARY PORT`): serves one instance until the harness
/// hangs up. Returns an error only when it cannot even connect.
pub fn serve_child(library: &Path, port: u16) -> Result<(), String> {
    // If the harness dies, so does this child, even when the library is stuck in a loop.
    #[cfg(target_os = "linux")]
    let _ = rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL));
    let token = std::env::var(TOKEN_VAR).map_err(|_| format!("{TOKEN_VAR} is not set"))?;
    let stream = TcpStream::connect(("127.0.0.1", port))
        .map_err(|e| format!("cannot connect to the harness on port {port}: {e}"))?;
    let _ = stream.set_nodelay(true);
    let mut writer = stream
        .try_clone()
        .map_err(|e| format!("cannot use the connection: {e}"))?;
    let reader = BufReader::new(stream);
    writer
        .write_all(format!("{token}\n").as_bytes())
        .map_err(|e| format!("the harness hung up: {e}"))?;
    let loaded = CabiLibrary::load(library).and_then(|l| match std::env::var(CONFIG_VAR) {
        Ok(config) => CabiProvider::with_config(l, &config),
        Err(_) => CabiProvider::new(l),
    });
    let greeting: Result<String, String> = match &loaded {
        Ok(p) => Ok(p.name()),
        Err(e) => Err(inner_text(e)),
    };
    send(&mut writer, &greeting)?;
    let Ok(mut imp) = loaded else {
        return Ok(());
    };
    for line in reader.lines() {
        let Ok(line) = line else { break };
        let reply = match serde_json::from_str::<HostRequest>(&line) {
            Ok(request) => handle(&mut imp, request),
            Err(e) => HostReply::Failed(format!("the child cannot read the request: {e}")),
        };
        send(&mut writer, &reply)?;
    }
    Ok(())
}

fn send<T: Serialize>(writer: &mut TcpStream, value: &T) -> Result<(), String> {
    let mut line = serde_json::to_string(value).map_err(|e| e.to_string())?;
    line.push('\n');
    writer
        .write_all(line.as_bytes())
        .map_err(|e| format!("the harness hung up: {e}"))
}

fn handle(imp: &mut CabiProvider, request: HostRequest) -> HostReply {
    let result = match request {
        HostRequest::Reset(choices) => imp.reset(&choices).map(|()| HostReply::Reset),
        HostRequest::Apply(op) => {
            let mut support = ScriptedSupport::for_op(&op);
            imp.apply(&op, &mut support).and_then(|ret| {
                let observation = imp.observe()?;
                let calls = support
                    .calls
                    .into_iter()
                    .map(|call| {
                        let a = scripted_answer(&op, &call);
                        ReportedCall {
                            call,
                            answer_hr: a.hr.0,
                            answer_flags: a.flags,
                        }
                    })
                    .collect();
                Ok(HostReply::Applied {
                    ret,
                    calls,
                    notifications: support.notifications,
                    observation,
                })
            })
        }
        HostRequest::Observe => imp.observe().map(HostReply::Observation),
    };
    result.unwrap_or_else(|e| match e {
        SeamError::Unsupported(why) => HostReply::Unsupported(why),
        SeamError::Malformed(why) => HostReply::Malformed(why),
        other => HostReply::Failed(inner_text(&other)),
    })
}

/// An error's message without its kind's prefix, which the harness's side adds again.
fn inner_text(e: &SeamError) -> String {
    match e {
        SeamError::Unsupported(m)
        | SeamError::Panicked(m)
        | SeamError::Crashed(m)
        | SeamError::Malformed(m)
        | SeamError::Harness(m) => m.clone(),
        other => other.to_string(),
    }
}
