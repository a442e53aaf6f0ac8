//! Integration tests of `spoolcheck-harness`, in one binary so the workspace links it once. The
//! modules live in `tests/it/`, where cargo does not build each file as a test binary of its own.
//! Each drives the harness through its public API only, as an adapter author or the command line
//! would.

/// Factories, a wrapper around the reference provider, temporary directories and text helpers
/// shared by the other modules.
#[path = "it/common.rs"]
mod common;

/// The self-test through the real runner: every mutant is caught, named by its own rule, and
/// shrunk; the reference passes every preset of declared choices.
#[path = "it/selftest.rs"]
mod selftest;

/// Implementations that panic, hang, fail to observe, answer nonsense or decline calls: each
/// becomes a report and a saved trace, never a harness panic or hang.
#[path = "it/robustness.rs"]
mod robustness;

/// Counterexamples are real: stores the choices allow pass, minimal traces keep generation's
/// constraints, an unrepeatable failure is reported as found, a shared verdict is a harness error.
#[path = "it/verdicts.rs"]
mod verdicts;

/// The same seed gives the same cases, the same failures and the same report.
#[path = "it/determinism.rs"]
mod determinism;

/// Saved traces replay: the same failure at the same step against the mutant, a pass against the
/// reference; malformed trace files give errors that name the file and position.
#[path = "it/replay.rs"]
mod replay;

/// `assert_replays`, which the ready-to-paste regression tests of a report call.
#[path = "it/assert_replays.rs"]
mod assert_replays;

/// A known or already-reported deviation does not hide a later MUST violation in the same case.
#[path = "it/hiding.rs"]
mod hiding;

/// gRPC servers that hang, reply with the wrong kind or an impossible enum value, contradict
/// MAPI's answers, decline a call or speak another version: each a report, never a hang.
#[path = "it/grpc_faults.rs"]
mod grpc_faults;
