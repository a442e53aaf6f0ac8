//! Committed counterexamples replay on every build, so a regression survives changes to the
//! generators: each trace is literal operations, not a seed.

use spoolcheck_harness::driver::Factory;
use spoolcheck_harness::mutant::Mutant;
use spoolcheck_harness::reference::ReferenceStore;
use spoolcheck_harness::runner::replay;
use spoolcheck_harness::seam::Response;
use spoolcheck_harness::tracefile::TraceFile;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

fn traces() -> Vec<PathBuf> {
    traces_in("tests/traces")
}

/// Traces recorded by version 1 of the trace format (recipients as address types only), kept as
/// they were written: this version still reads them.
fn version1_traces() -> Vec<PathBuf> {
    traces_in("tests/traces/version1")
}

fn traces_in(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/traces exists")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// The mutant a trace was recorded against, from its `implementation` field.
fn mutant_of(trace: &TraceFile) -> Mutant {
    let name = trace
        .implementation
        .strip_prefix("reference (mutant ")
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or_else(|| panic!("not a mutant's trace: {}", trace.implementation));
    Mutant::parse(name).unwrap_or_else(|| panic!("unknown mutant {name}"))
}

fn factory(mutant: Option<Mutant>) -> Arc<Factory> {
    Arc::new(move || {
        Ok(Box::new(match mutant {
            Some(m) => ReferenceStore::with_mutant(m),
            None => ReferenceStore::new(),
        }) as _)
    })
}

/// Replays `trace` (read from `path`) on the reference, or on `mutant`: the failure, if any, and
/// the answers.
fn replay_on(
    mutant: Option<Mutant>,
    trace: &TraceFile,
    path: &Path,
) -> (Option<spoolcheck_harness::failure::Failure>, Vec<Response>) {
    replay(
        factory(mutant),
        &trace.choices,
        &trace.ops,
        Duration::from_secs(10),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn there_are_committed_traces() {
    assert!(
        traces().len() >= 5,
        "tests/traces holds the regression traces"
    );
}

#[test]
fn the_reference_passes_every_committed_trace() {
    for path in traces() {
        let trace = TraceFile::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let (failure, _) = replay_on(None, &trace, &path);
        assert!(
            failure.is_none(),
            "{}: the reference fails: {:?}",
            path.display(),
            failure.map(|f| f.headline())
        );
    }
}

#[test]
fn each_mutant_still_fails_its_trace_naming_the_recorded_rule() {
    for path in traces() {
        let trace = TraceFile::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let recorded = trace
            .failure
            .as_ref()
            .expect("a counterexample records its failure");
        let (failure, observed) = replay_on(Some(mutant_of(&trace)), &trace, &path);
        let failure =
            failure.unwrap_or_else(|| panic!("{}: the mutant no longer fails", path.display()));
        assert_eq!(
            failure.rule().map(|r| r.to_string()),
            recorded.rule,
            "{}",
            path.display()
        );
        assert_eq!(failure.step + 1, recorded.step, "{}", path.display());
        assert_eq!(
            observed,
            trace.observed,
            "{}: the observations changed",
            path.display()
        );
    }
}

#[test]
fn version_1_traces_still_read_pass_on_the_reference_and_fail_their_mutant() {
    let old = version1_traces();
    assert!(
        old.len() >= 10,
        "tests/traces/version1 holds the old traces"
    );
    for path in old {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"version\": 1"), "{}", path.display());
        let trace = TraceFile::load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(trace.observed.is_empty(), "version 1 answers are not kept");
        let recorded = trace
            .failure
            .clone()
            .unwrap_or_else(|| panic!("{}: the failure summary still reads", path.display()));
        let (on_reference, _) = replay_on(None, &trace, &path);
        assert!(on_reference.is_none(), "{}", path.display());
        let (failure, _) = replay_on(Some(mutant_of(&trace)), &trace, &path);
        let failure =
            failure.unwrap_or_else(|| panic!("{}: the mutant no longer fails", path.display()));
        assert_eq!(
            failure.rule().map(|r| r.to_string()),
            recorded.rule,
            "{}",
            path.display()
        );
    }
}

#[test]
fn a_trace_of_an_unknown_version_is_refused_naming_it() {
    let err = TraceFile::parse(
        "{\"format\": \"spoolcheck-trace\", \"version\": 7, \"ops\": []}",
        Path::new("t.json"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("version 7") && err.contains("re-record it"),
        "{err}"
    );
}
