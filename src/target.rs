//! The implementation a run targets, from `--mutant`, `--grpc`, `--grpc-spawn`, `--cabi`,
//! `--mapi-provider` and `--isolate`; the two commands that serve the other side: `spoolcheck
//! serve` (the reference provider over gRPC) and the hidden `__cabi-host` (the child of
//! `--isolate`); and `spoolcheck mapi-bridge build`.

use crate::cli::{CabiHostArgs, MapiBridgeAction, MapiBridgeArgs, ServeArgs, TargetArgs};
use crate::output::Streams;
use crate::status;
use spoolcheck_harness::adapters::cabi::{CabiLibrary, CabiProvider};
use spoolcheck_harness::adapters::grpc::GrpcProvider;
use spoolcheck_harness::adapters::grpc_server;
use spoolcheck_harness::adapters::isolate::{self, Launcher};
use spoolcheck_harness::adapters::mapi::{self, Named, ProviderConfig};
use spoolcheck_harness::adapters::spawn::{SpawnedServer, READY_TIMEOUT};
use spoolcheck_harness::driver::Factory;
use spoolcheck_harness::mutant::Mutant;
use spoolcheck_harness::reference::ReferenceStore;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

/// An implementation to run against, with whatever must live as long as the run (a server the
/// harness started, isolated children), stopped when this is dropped.
pub(crate) struct Target {
    pub factory: Arc<Factory>,
    /// Where the MAPI bridge writes its notes for the report (`--mapi-provider` only).
    pub notes: Option<std::path::PathBuf>,
    _keep: Keep,
}

enum Keep {
    Nothing,
    Server(Arc<SpawnedServer>),
    Children(Arc<Launcher>),
}

impl Drop for Target {
    /// Stops what the run started, now: the factory and the interrupt handler hold clones, so
    /// dropping ours would not.
    fn drop(&mut self) {
        match &self._keep {
            Keep::Nothing => {}
            Keep::Server(server) => server.stop(),
            Keep::Children(launcher) => launcher.stop_all(),
        }
    }
}

/// How long a connection to a gRPC server may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The target the arguments name; `log_dir` receives the logs of processes the harness starts.
/// An error is a message for the user (exit 2).
pub(crate) fn resolve(args: &TargetArgs, log_dir: &Path) -> Result<Target, String> {
    if let Some(url) = &args.grpc {
        if url.starts_with("https://") {
            return Err(format!(
                "`{url}`: this build speaks gRPC without TLS; serve on loopback or a trusted \
                 network and use http://"
            ));
        }
        // `127.0.0.1:50051` means what everyone means by it.
        let url = if url.contains("://") {
            url.clone()
        } else {
            format!("http://{url}")
        };
        // Connect once now, so a wrong address is a usage error, not a failed run.
        GrpcProvider::connect(&url, CONNECT_TIMEOUT).map_err(|e| e.to_string())?;
        return Ok(Target {
            factory: Arc::new(move || {
                Ok(Box::new(GrpcProvider::connect(&url, CONNECT_TIMEOUT)?) as _)
            }),
            notes: None,
            _keep: Keep::Nothing,
        });
    }
    if let Some(command) = &args.grpc_spawn {
        let server = Arc::new(
            SpawnedServer::start(command, &log_dir.join("grpc-server.log"), READY_TIMEOUT)
                .map_err(|e| e.to_string())?,
        );
        let stop = server.clone();
        on_interrupt(Box::new(move || stop.stop()));
        let s = server.clone();
        return Ok(Target {
            factory: Arc::new(move || {
                GrpcProvider::connect(s.url(), CONNECT_TIMEOUT)
                    .map(|p| Box::new(p) as _)
                    .map_err(|e| match s.exited() {
                        Some(status) => spoolcheck_harness::seam::SeamError::Crashed(format!(
                            "the server exited ({status}){}",
                            s.tail()
                        )),
                        None => e,
                    })
            }),
            notes: None,
            _keep: Keep::Server(server),
        });
    }
    if let Some(path) = &args.cabi {
        // A bare file name would make the loader search the system's library path, not here.
        let path = &std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.clone());
        if args.isolate {
            let host = std::env::current_exe().map_err(|e| {
                format!("cannot find the spoolcheck executable to isolate with: {e}")
            })?;
            let launcher = Launcher::new(
                host,
                path.clone(),
                log_dir.join("isolated.log"),
                Duration::from_millis(args.timeout_ms),
            )
            .map_err(|e| e.to_string())?;
            let stop = launcher.clone();
            on_interrupt(Box::new(move || stop.stop_all()));
            // Start one child now, so a library that does not load is a usage error.
            drop(launcher.start().map_err(|e| e.to_string())?);
            let l = launcher.clone();
            return Ok(Target {
                factory: Arc::new(move || Ok(Box::new(l.start()?) as _)),
                notes: None,
                _keep: Keep::Children(launcher),
            });
        }
        let library = CabiLibrary::load(path).map_err(|e| e.to_string())?;
        return Ok(Target {
            factory: Arc::new(move || Ok(Box::new(CabiProvider::new(library.clone())?) as _)),
            notes: None,
            _keep: Keep::Nothing,
        });
    }
    if let Some(provider) = &args.mapi_provider {
        return mapi_target(args, provider, log_dir);
    }
    let factory: Arc<Factory> = match mutant(args.mutant.as_deref())? {
        None => Arc::new(|| Ok(Box::new(ReferenceStore::new()) as _)),
        Some(m) => Arc::new(move || Ok(Box::new(ReferenceStore::with_mutant(m)) as _)),
    };
    Ok(Target {
        factory,
        notes: None,
        _keep: Keep::Nothing,
    })
}

/// A path made absolute against the working directory, so a loader does not search for it.
fn absolute(path: &Path) -> std::path::PathBuf {
    std::env::current_dir()
        .map(|d| d.join(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

/// `--mapi-provider LIB`: the MAPI bridge, in process or isolated, told to load LIB and serve the
/// provider config; its notes go to `mapi-notes.txt` in `log_dir`.
fn mapi_target(args: &TargetArgs, provider: &Path, log_dir: &Path) -> Result<Target, String> {
    let provider = absolute(provider);
    if !provider.is_file() {
        return Err(format!(
            "--mapi-provider {}: no such file (the provider's shared library, which exports \
             MSProviderInit)",
            provider.display()
        ));
    }
    let config = match &args.provider_config {
        Some(path) => ProviderConfig::load(path)?,
        None => ProviderConfig::default(),
    };
    let bridge = args
        .mapi_bridge
        .as_deref()
        .map_or_else(mapi::default_bridge, absolute);
    if !bridge.is_file() {
        return Err(format!(
            "the MAPI bridge {} is not built: `spoolcheck mapi-bridge build` builds it (add \
             --mapi-include DIR for the MAPI headers your provider was built with), or name one \
             with --mapi-bridge",
            bridge.display()
        ));
    }
    std::fs::create_dir_all(log_dir)
        .map_err(|e| format!("cannot create {}: {e}", log_dir.display()))?;
    let notes = log_dir.join("mapi-notes.txt");
    std::fs::write(&notes, "").map_err(|e| format!("cannot write {}: {e}", notes.display()))?;
    let text = config.bridge_text(&provider, &notes);
    let name = mapi::provider_name(&provider);
    if args.isolate {
        let host = std::env::current_exe()
            .map_err(|e| format!("cannot find the spoolcheck executable to isolate with: {e}"))?;
        let launcher = Launcher::configured(
            host,
            bridge,
            Some(text),
            log_dir.join("isolated.log"),
            Duration::from_millis(args.timeout_ms),
        )
        .map_err(|e| e.to_string())?;
        let stop = launcher.clone();
        on_interrupt(Box::new(move || stop.stop_all()));
        // Start one child now, so a provider that does not load is a usage error.
        drop(launcher.start().map_err(|e| e.to_string())?);
        let l = launcher.clone();
        return Ok(Target {
            factory: Arc::new(move || Ok(Box::new(Named::new(l.start()?, name.clone())) as _)),
            notes: Some(notes),
            _keep: Keep::Children(launcher),
        });
    }
    let library = CabiLibrary::load(&bridge).map_err(|e| e.to_string())?;
    // Make one instance now, so a provider that does not load is a usage error.
    drop(CabiProvider::with_config(library.clone(), &text).map_err(|e| e.to_string())?);
    Ok(Target {
        factory: Arc::new(move || {
            let p = CabiProvider::with_config(library.clone(), &text)?;
            Ok(Box::new(Named::new(p, name.clone())) as _)
        }),
        notes: Some(notes),
        _keep: Keep::Nothing,
    })
}

/// `spoolcheck mapi-bridge build`: prints the library's path.
pub fn mapi_bridge(args: &MapiBridgeArgs, io: &mut Streams<'_>) -> io::Result<u8> {
    match &args.action {
        MapiBridgeAction::Build { mapi_include, out } => {
            match mapi::build_bridge(mapi_include.as_deref(), out.as_deref()) {
                Ok(lib) => {
                    writeln!(io.out, "{}", lib.display())?;
                    Ok(status::SUCCESS)
                }
                Err(e) => crate::suite_cmd::usage(io, &e),
            }
        }
    }
}

/// What to stop when the user interrupts the run (Ctrl-C, SIGTERM): the servers and children the
/// harness started, which would otherwise outlive it.
static ON_INTERRUPT: Mutex<Vec<Box<dyn Fn() + Send>>> = Mutex::new(Vec::new());

/// Set when the user interrupted the run; the command then exits with 130 whatever else happened.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether the run was interrupted.
pub(crate) fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

fn on_interrupt(stop: Box<dyn Fn() + Send>) {
    static INSTALLED: Once = Once::new();
    if let Ok(mut stoppers) = ON_INTERRUPT.lock() {
        stoppers.push(stop);
    }
    INSTALLED.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            INTERRUPTED.store(true, Ordering::SeqCst);
            // No message: the command holds the standard streams' locks while it runs.
            if let Ok(stoppers) = ON_INTERRUPT.lock() {
                for stop in stoppers.iter() {
                    stop();
                }
            }
            std::process::exit(130);
        });
    });
}

/// A directory of this process's own under the system's temporary directory, for the logs of a
/// replay (which has no --out): created afresh with a random name, readable by this user only, so
/// no existing file or link is written through. It is kept after the replay, for its logs.
pub(crate) fn private_log_dir() -> Result<std::path::PathBuf, String> {
    tempfile::Builder::new()
        .prefix("spoolcheck-")
        .tempdir()
        .map(tempfile::TempDir::keep)
        .map_err(|e| {
            format!(
                "cannot create a log directory in {}: {e}",
                std::env::temp_dir().display()
            )
        })
}

/// The mutant a name names, or a message listing the mutants.
fn mutant(name: Option<&str>) -> Result<Option<Mutant>, String> {
    let Some(name) = name else { return Ok(None) };
    Mutant::parse(name).map(Some).ok_or_else(|| {
        let names: Vec<&str> = Mutant::ALL.iter().map(|m| m.name()).collect();
        format!(
            "unknown mutant `{name}`; the mutants are: {}",
            names.join(", ")
        )
    })
}

/// `spoolcheck serve --port P`.
pub fn serve(args: &ServeArgs, io: &mut Streams<'_>) -> io::Result<u8> {
    let make: Arc<grpc_server::Maker> = match mutant(args.mutant.as_deref()) {
        Ok(None) => Arc::new(|| Box::new(ReferenceStore::new())),
        Ok(Some(m)) => Arc::new(move || Box::new(ReferenceStore::with_mutant(m))),
        Err(m) => return crate::suite_cmd::usage(io, &m),
    };
    let listener = match std::net::TcpListener::bind(("127.0.0.1", args.port)) {
        Ok(l) => l,
        Err(e) => {
            return crate::suite_cmd::usage(
                io,
                &format!("cannot listen on port {}: {e}", args.port),
            )
        }
    };
    writeln!(
        io.err,
        "spoolcheck: serving spoolcheck.v2.Provider on 127.0.0.1:{}",
        args.port
    )?;
    io.err.flush()?;
    match grpc_server::serve(listener, make, std::future::pending()) {
        Ok(()) => Ok(status::SUCCESS),
        Err(e) => {
            writeln!(io.err, "spoolcheck: {e}")?;
            Ok(status::USAGE)
        }
    }
}

/// `spoolcheck __cabi-host LIBRARY PORT`.
pub fn cabi_host(args: &CabiHostArgs, io: &mut Streams<'_>) -> io::Result<u8> {
    match isolate::serve_child(&args.library, args.port) {
        Ok(()) => Ok(status::SUCCESS),
        Err(e) => {
            writeln!(io.err, "spoolcheck __cabi-host: {e}")?;
            Ok(status::USAGE)
        }
    }
}
