//! Integration tests of the `spoolcheck` package, in one binary so the workspace links it once.
//! The modules live in `tests/it/`, where cargo does not build each file as a test binary of its own.

/// The model and the rule catalog name the same rules, every rule has a witness, and every
/// invariant the catalog names is implemented.
#[path = "it/traceability.rs"]
mod traceability;

/// The `spoolcheck` command as a user runs it: output formats, filters, errors and exit statuses.
#[path = "it/cli.rs"]
mod cli;

/// Every expectation of the model names a rule that governs it, and nothing an ambiguity reading
/// leaves open is asserted where the model follows the reading.
#[path = "it/attribution.rs"]
mod attribution;

/// Snapshots of the model's traces along every documented path of the source page.
#[path = "it/paths.rs"]
mod paths;

/// `spoolcheck run`, `replay`, `selftest` and `choices` as a user runs them.
#[path = "it/suite.rs"]
mod suite;

/// Counterexample traces committed under `tests/traces/` keep replaying: the reference passes each,
/// and the mutant that produced it still fails it, naming the same rule.
#[path = "it/traces.rs"]
mod traces;

/// `spoolcheck run` in an implementer's CI: JSON and JUnit reports, rule coverage, the
/// known-deviation ledger, shards, jobs and `merge`, and errors for bad input files.
#[path = "it/ci.rs"]
mod ci;

/// The HTML report rendered by a headless browser: a run's failure and trace, and three reports
/// side by side.
#[path = "it/html.rs"]
mod html;

/// The `spoolcheck` executable as the command-line tests run it.
#[path = "it/command.rs"]
mod command;

/// What the adapter tests load: the example C provider, the faulty C fixture, Python with grpcio.
#[path = "it/native.rs"]
mod native;

/// One test body over every adapter (in process, gRPC, C ABI, isolated, Python): conformance under
/// every preset and identical replays of the committed traces.
#[path = "it/adapters.rs"]
mod adapters;

/// Crashes, aborts, exits, hangs, nonsense and unreachable servers: reports or usage errors, never
/// a dead harness.
#[path = "it/faults.rs"]
mod faults;

/// `--mapi-provider`: the example MAPI provider, faulty providers, the bridge's notes and build.
#[path = "it/mapi.rs"]
mod mapi;

/// The C header's and the proto's numbers are the model's.
#[path = "it/contract.rs"]
mod contract;
