//! # spoolcheck-harness
//!
//! The conformance suite itself: the seam an implementation plugs into ([`seam::Implementation`]),
//! the bundled reference provider, the runner that generates operation sequences from the model,
//! compares every step with it and shrinks failures, the mutants that prove each rule is checked,
//! and the reports: text ([`report`]), JSON ([`json_report`]), JUnit XML ([`junit`]) and HTML
//! ([`html`]), with rule coverage ([`coverage`]), the known-deviation ledger ([`ledger`]) and
//! shards ([`shard`]) for implementers' CI. Implementations outside Rust plug in through the [`adapters`]: gRPC (any
//! language) and the C ABI (in process, or isolated in a child process).
//!
//! ```
//! use spoolcheck_harness::{reference::ReferenceStore, runner::{run, RunConfig}, report::RunVerdict};
//! use std::sync::Arc;
//!
//! let config = RunConfig { cases: 20, ..RunConfig::default() };
//! let report = run(Arc::new(|| Ok(Box::new(ReferenceStore::new()) as _)), &config);
//! assert_eq!(RunVerdict::of(&report, true), RunVerdict::Conformant);
//! ```
#![deny(missing_docs)]

pub mod adapters;
pub mod applicability;
pub mod choicefile;
pub mod coverage;
pub mod driver;
pub mod failure;
#[cfg(feature = "arbitrary")]
pub mod fuzzing;
pub mod html;
pub mod json_report;
pub mod junit;
pub mod ledger;
pub mod mutant;
pub mod reference;
pub mod report;
pub mod runner;
pub mod seam;
pub mod selftest;
pub mod shard;
pub mod tracefile;

use std::sync::Arc;

/// Replays a trace (JSON text) against an implementation and panics with the report if it fails.
/// Failures printed by `spoolcheck run` come with a test that calls this.
pub fn assert_replays(
    trace: &str,
    make: impl Fn() -> Box<dyn seam::Implementation> + Send + Sync + 'static,
) {
    let trace = tracefile::TraceFile::parse(trace, std::path::Path::new("(inline trace)"))
        .unwrap_or_else(|e| panic!("{e}"));
    let factory: Arc<driver::Factory> = Arc::new(move || Ok(make()));
    match runner::replay(
        factory,
        &trace.choices,
        &trace.ops,
        std::time::Duration::from_secs(10),
    ) {
        Ok((None, _)) => {}
        Ok((Some(failure), _)) => panic!("{}", report::render_failure(&failure, true, None)),
        Err(e) => panic!("the trace could not be replayed: {e}"),
    }
}
