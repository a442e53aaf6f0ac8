//! One test body, run against every adapter: the reference provider in process and over gRPC, the
//! example C provider through the C ABI in process and isolated, the example MAPI provider through
//! the MAPI bridge in process and isolated, and the example Python provider over gRPC (spawned).
//! Each conforms under every preset of declared choices in both profiles (a MAPI store provider in
//! profile provider only: the harness is MAPI), and every committed trace replays to the same
//! answers and observations on all of them.

use super::native;
use spoolcheck_harness::adapters::cabi::{CabiLibrary, CabiProvider};
use spoolcheck_harness::adapters::grpc::GrpcProvider;
use spoolcheck_harness::adapters::grpc_server::BackgroundServer;
use spoolcheck_harness::adapters::isolate::Launcher;
use spoolcheck_harness::adapters::mapi::ProviderConfig;
use spoolcheck_harness::adapters::spawn::{SpawnedServer, READY_TIMEOUT};
use spoolcheck_harness::driver::Factory;
use spoolcheck_harness::reference::ReferenceStore;
use spoolcheck_harness::report::{self, RunVerdict};
use spoolcheck_harness::runner::{self, RunConfig};
use spoolcheck_harness::seam::Response;
use spoolcheck_harness::tracefile::TraceFile;
use spoolcheck_model::{Choices, Profile};
use std::any::Any;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// An implementation behind one adapter, with what keeps it alive (a server, children).
struct Adapter {
    name: &'static str,
    factory: Arc<Factory>,
    /// A MAPI store provider: profile provider only.
    provider_only: bool,
    _keep: Box<dyn Any>,
}

const CONNECT: Duration = Duration::from_secs(10);

fn grpc_to(url: String) -> Arc<Factory> {
    Arc::new(move || Ok(Box::new(GrpcProvider::connect(&url, CONNECT)?) as _))
}

fn log_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("adapter-logs")
}

fn adapters() -> Vec<Adapter> {
    let (c_library, _) = native::c_example();
    let mut all = vec![
        Adapter {
            name: "in process",
            factory: Arc::new(|| Ok(Box::new(ReferenceStore::new()) as _)),
            provider_only: false,
            _keep: Box::new(()),
        },
        {
            let server = BackgroundServer::start(Arc::new(|| Box::new(ReferenceStore::new())))
                .expect("the reference serves over gRPC");
            Adapter {
                name: "gRPC",
                factory: grpc_to(server.url()),
                provider_only: false,
                _keep: Box::new(server),
            }
        },
        {
            let library = CabiLibrary::load(c_library).expect("the C example loads");
            Adapter {
                name: "C ABI",
                factory: Arc::new(move || Ok(Box::new(CabiProvider::new(library.clone())?) as _)),
                provider_only: false,
                _keep: Box::new(()),
            }
        },
        {
            let launcher = Launcher::new(
                PathBuf::from(env!("CARGO_BIN_EXE_spoolcheck")),
                c_library.clone(),
                log_dir().join("isolated.log"),
                Duration::from_secs(10),
            )
            .expect("the isolation log can be written");
            let l = launcher.clone();
            Adapter {
                name: "C ABI, isolated",
                factory: Arc::new(move || Ok(Box::new(l.start()?) as _)),
                provider_only: false,
                _keep: Box::new(launcher),
            }
        },
    ];
    let mapi = native::mapi();
    let text = mapi_text(&mapi.example, "mapi-notes.txt");
    let bridge = CabiLibrary::load(&mapi.bridge).expect("the MAPI bridge loads");
    let t = text.clone();
    all.push(Adapter {
        name: "MAPI provider",
        factory: Arc::new(
            move || Ok(Box::new(CabiProvider::with_config(bridge.clone(), &t)?) as _),
        ),
        provider_only: true,
        _keep: Box::new(()),
    });
    let launcher = Launcher::configured(
        PathBuf::from(env!("CARGO_BIN_EXE_spoolcheck")),
        mapi.bridge.clone(),
        Some(text),
        log_dir().join("mapi-isolated.log"),
        Duration::from_secs(10),
    )
    .expect("the isolation log can be written");
    let l = launcher.clone();
    all.push(Adapter {
        name: "MAPI provider, isolated",
        factory: Arc::new(move || Ok(Box::new(l.start()?) as _)),
        provider_only: true,
        _keep: Box::new(launcher),
    });
    if let Some(command) = native::python_provider() {
        let server = Arc::new(
            SpawnedServer::start(&command, &log_dir().join("python.log"), READY_TIMEOUT)
                .expect("the Python provider starts"),
        );
        all.push(Adapter {
            name: "gRPC, Python (spawned)",
            factory: grpc_to(server.url().to_string()),
            provider_only: false,
            _keep: Box::new(server),
        });
    }
    all
}

/// The bridge's configuration for the example MAPI provider, its notes in `notes` of the logs.
fn mapi_text(provider: &Path, notes: &str) -> String {
    let config = ProviderConfig::load(&native::mapi().config).expect("the example's config loads");
    std::fs::create_dir_all(log_dir()).expect("the log directory can be made");
    config.bridge_text(provider, &log_dir().join(notes))
}

/// Every preset of declared choices, in both profiles.
fn every_choice_set() -> Vec<(String, Choices)> {
    let mut out = Vec::new();
    for (name, choices) in Choices::presets() {
        for profile in [Profile::Provider, Profile::System] {
            let mut c = choices.clone();
            c.profile = profile;
            out.push((format!("{name}, profile {profile:?}"), c));
        }
    }
    out
}

#[test]
fn every_adapter_conforms_under_every_preset_in_both_profiles() {
    for adapter in adapters() {
        for (label, choices) in every_choice_set() {
            if adapter.provider_only && choices.profile == Profile::System {
                continue;
            }
            let config = RunConfig {
                choices,
                cases: 48,
                ..RunConfig::default()
            };
            let run = runner::run(adapter.factory.clone(), &config);
            assert_eq!(
                RunVerdict::of(&run, true),
                RunVerdict::Conformant,
                "{} under {label}:\n{}",
                adapter.name,
                report::render(&run, true, &[])
            );
            assert!(run.exercised.len() > 10, "{} under {label}", adapter.name);
        }
    }
}

fn committed_traces() -> Vec<TraceFile> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/traces");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/traces exists")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| TraceFile::load(p).expect("a committed trace loads"))
        .collect()
}

#[test]
fn committed_traces_replay_to_identical_observations_on_every_adapter() {
    let traces = committed_traces();
    assert!(traces.len() >= 10);
    let adapters = adapters();
    for trace in &traces {
        let mut first: Option<(&str, Vec<Response>)> = None;
        for adapter in &adapters {
            if adapter.provider_only && trace.choices.profile == Profile::System {
                continue;
            }
            let (failure, responses) = runner::replay(
                adapter.factory.clone(),
                &trace.choices,
                &trace.ops,
                Duration::from_secs(10),
            )
            .unwrap_or_else(|e| {
                panic!(
                    "{}: {} cannot replay: {e}",
                    adapter.name, trace.implementation
                )
            });
            if let Some(f) = failure {
                panic!(
                    "{}: the trace of {} fails:\n{}",
                    adapter.name,
                    trace.implementation,
                    report::render_failure(&f, true, None)
                );
            }
            assert_eq!(responses.len(), trace.ops.len(), "{}", adapter.name);
            match &first {
                None => first = Some((adapter.name, responses)),
                Some((name, expected)) => {
                    for (i, (want, got)) in expected.iter().zip(&responses).enumerate() {
                        assert_eq!(
                            want, got,
                            "step {i} ({}) of the trace of {}: {} and {} differ",
                            trace.ops[i], trace.implementation, name, adapter.name
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn the_c_example_mutant_is_caught_naming_its_rule() {
    let (_, mutant) = native::c_example();
    let library = CabiLibrary::load(mutant).expect("the mutant loads");
    let factory: Arc<Factory> =
        Arc::new(move || Ok(Box::new(CabiProvider::new(library.clone())?) as _));
    let run = runner::run(factory, &RunConfig::default());
    let text = report::render(&run, true, &[]);
    assert_eq!(
        RunVerdict::of(&run, true),
        RunVerdict::NotConformant,
        "{text}"
    );
    let first = &run.failures[0];
    assert_eq!(
        first.rules().first().map(|r| r.as_str()),
        Some("ACCESS-01"),
        "{text}"
    );
}

#[test]
fn the_mapi_example_mutant_is_caught_naming_its_rule_alone() {
    let mapi = native::mapi();
    let bridge = CabiLibrary::load(&mapi.bridge).expect("the MAPI bridge loads");
    let text = mapi_text(&mapi.mutant, "mapi-mutant-notes.txt");
    let factory: Arc<Factory> =
        Arc::new(move || Ok(Box::new(CabiProvider::with_config(bridge.clone(), &text)?) as _));
    let run = runner::run(factory, &RunConfig::default());
    let text = report::render(&run, true, &[]);
    assert_eq!(
        RunVerdict::of(&run, true),
        RunVerdict::NotConformant,
        "{text}"
    );
    assert_eq!(run.failures.len(), 1, "{text}");
    assert_eq!(
        run.failures[0].rules().first().map(|r| r.as_str()),
        Some("SPL-06"),
        "{text}"
    );
}
