//! `spoolcheck_harness::assert_replays`, which every ready-to-paste regression test of a report
//! calls: it panics with the rule ID when the trace fails against the implementation and returns
//! quietly when the implementation conforms. The trace embedded in `report::rust_test` is checked
//! too, since that is the text a user pastes.

use crate::common::first_failure;
use spoolcheck_harness::assert_replays;
use spoolcheck_harness::driver::panic_text;
use spoolcheck_harness::mutant::Mutant;
use spoolcheck_harness::reference::ReferenceStore;
use spoolcheck_harness::report;
use spoolcheck_harness::tracefile::TraceFile;
use std::panic::catch_unwind;

/// The panic message of `assert_replays`, or `None` if it returned.
fn replays(trace: &str, m: Option<Mutant>) -> Option<String> {
    let trace = trace.to_string();
    catch_unwind(move || match m {
        Some(m) => assert_replays(&trace, move || Box::new(ReferenceStore::with_mutant(m))),
        None => assert_replays(&trace, || Box::new(ReferenceStore::new())),
    })
    .err()
    .map(|payload| panic_text(payload.as_ref()))
}

/// The raw-string trace inside a generated regression test.
fn embedded_trace(test: &str) -> &str {
    let start = test.find("r#\"").expect("a raw string") + 3;
    let end = test[start..].find("\"#").expect("its end") + start;
    &test[start..end]
}

#[test]
fn a_mutant_trace_panics_with_the_rule_and_the_reference_passes() {
    for m in [
        Mutant::Spl07UnlockIgnored,
        Mutant::Access07ReadFlagChanges,
        Mutant::Tc03LocalDespiteChoice,
        Mutant::Persist01LockKept,
    ] {
        let (report, failure) = first_failure(m, 0);
        let rule = failure.rule().expect("a rule violation").to_string();
        let json = TraceFile::of_failure(&report.implementation, &failure).to_json();

        let message = replays(&json, Some(m))
            .unwrap_or_else(|| panic!("{}: assert_replays passed the mutant", m.name()));
        assert!(
            message.contains(&rule) && message.starts_with("FAIL "),
            "{}: {message}",
            m.name()
        );
        assert_eq!(replays(&json, None), None, "{}", m.name());

        // The test a report prints carries a trace that does the same.
        let test = report::rust_test(&failure);
        assert!(
            test.contains("spoolcheck_harness::assert_replays(trace"),
            "{test}"
        );
        let embedded = embedded_trace(&test);
        let message = replays(embedded, Some(m))
            .unwrap_or_else(|| panic!("{}: the pasted test passes the mutant", m.name()));
        assert!(message.contains(&rule), "{}: {message}", m.name());
        assert_eq!(replays(embedded, None), None, "{}", m.name());
    }
}

#[test]
fn a_malformed_trace_panics_naming_the_inline_trace() {
    let message = replays("{\"format\": \"spoolcheck-trace\",}", None).expect("it panics");
    assert!(message.starts_with("(inline trace):1:"), "{message}");
}
