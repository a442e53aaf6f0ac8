//! Saved counterexamples replay. For every mutant: its first failure, saved as trace JSON and parsed
//! back, fails again against the mutant naming the same rule at the same step with the same
//! answers, and conforms against the correct reference, whose answers are themselves repeatable.
//! Malformed trace files give a `TraceError` that names the file and, for syntax and field errors,
//! the line and column.

use crate::common::{first_failure, mutant, reference, TempDir};
use spoolcheck_harness::mutant::Mutant;
use spoolcheck_harness::runner::replay;
use spoolcheck_harness::tracefile::{TraceError, TraceFile, FORMAT, VERSION};
use std::path::Path;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);

#[test]
fn every_mutant_failure_replays_from_its_json() {
    let mut problems = Vec::new();
    for &m in Mutant::ALL {
        let name = m.name();
        let (report, failure) = first_failure(m, 0);
        let saved = TraceFile::of_failure(&report.implementation, &failure);
        let json = saved.to_json();
        let trace = TraceFile::parse(&json, Path::new("saved.json"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(trace, saved, "{name}: the JSON round-trips");
        let summary = trace.failure.clone().expect("a failure summary");
        assert_eq!(summary.step, failure.step + 1, "{name}");
        assert_eq!(
            summary.rule,
            failure.rule().map(|r| r.to_string()),
            "{name}"
        );
        assert_eq!(trace.ops.len(), failure.step + 1, "{name}");
        assert_eq!(trace.observed.len(), trace.ops.len(), "{name}");

        // Against the mutant: the same failure.
        let (again, observed) = replay(mutant(m), &trace.choices, &trace.ops, TIMEOUT)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let Some(again) = again else {
            problems.push(format!("{name}: the replay against the mutant conforms"));
            continue;
        };
        if (again.rule(), again.step) != (failure.rule(), failure.step) {
            problems.push(format!(
                "{name}: replay names {:?} at step {}, the run {:?} at step {}",
                again.rule(),
                again.step + 1,
                failure.rule(),
                failure.step + 1
            ));
        }
        assert_eq!(again.kind, failure.kind, "{name}");
        assert_eq!(observed, trace.observed, "{name}: the same answers");

        // Against the reference: it conforms, the same way twice.
        let (none, first) = replay(reference(), &trace.choices, &trace.ops, TIMEOUT)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        if let Some(f) = none {
            problems.push(format!(
                "{name}: the reference fails the trace: {}",
                f.headline()
            ));
            continue;
        }
        assert_eq!(first.len(), trace.ops.len(), "{name}");
        let (none, second) = replay(reference(), &trace.choices, &trace.ops, TIMEOUT)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(none.is_none(), "{name}");
        assert_eq!(first, second, "{name}: the reference answers the same way");
        assert_ne!(
            first.last(),
            trace.observed.last(),
            "{name}: the reference answers the failing step differently"
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A valid trace file as pretty JSON (format, version, ... one field per line at the top).
fn valid_json() -> String {
    let (report, failure) = first_failure(Mutant::Spl07UnlockIgnored, 0);
    TraceFile::of_failure(&report.implementation, &failure).to_json()
}

/// Loads `text` from a file in `dir` and returns the error and the file's path.
fn load_error(dir: &TempDir, file: &str, text: &str) -> (TraceError, String) {
    let path = dir.path().join(file);
    std::fs::write(&path, text).expect("the file is written");
    let error = TraceFile::load(&path).expect_err("the file is rejected");
    (error, path.display().to_string())
}

#[test]
fn malformed_trace_files_name_the_file_and_the_position() {
    let dir = TempDir::new("traces");
    let valid = valid_json();
    assert!(valid.starts_with("{\n  \"format\": "), "{valid}");
    let lines: Vec<&str> = valid.lines().collect();
    let version_line = lines
        .iter()
        .position(|l| l.trim_start().starts_with("\"version\""))
        .expect("a version line")
        + 1;

    // Bad JSON: a doubled comma after the version.
    let bad = valid.replacen(
        &format!("\"version\": {VERSION},"),
        &format!("\"version\": {VERSION},,"),
        1,
    );
    let (error, path) = load_error(&dir, "bad.json", &bad);
    match &error {
        TraceError::Malformed { line, column, .. } => {
            assert_eq!(*line, version_line, "{error}");
            assert!(*column > 1, "{error}");
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
    let shown = error.to_string();
    assert!(
        shown.starts_with(&format!("{path}:{version_line}:")),
        "{shown}"
    );

    // Truncated.
    let (error, path) = load_error(&dir, "truncated.json", &valid[..valid.len() / 2]);
    assert!(matches!(error, TraceError::Malformed { .. }), "{error:?}");
    let shown = error.to_string();
    let position = shown
        .strip_prefix(&format!("{path}:"))
        .and_then(|rest| rest.split_once(": "))
        .map(|(pos, _)| pos.to_string())
        .unwrap_or_else(|| panic!("no file:line:column in {shown}"));
    let (line, column) = position.split_once(':').expect("line:column");
    assert!(
        line.parse::<usize>().is_ok() && column.parse::<usize>().is_ok(),
        "{shown}"
    );

    // An unknown field on line 2.
    let unknown = valid.replacen("{\n", "{\n  \"comment\": \"hand-edited\",\n", 1);
    let (error, path) = load_error(&dir, "unknown.json", &unknown);
    let shown = error.to_string();
    assert!(
        matches!(error, TraceError::Malformed { line: 2, .. }),
        "{error:?}"
    );
    assert!(shown.starts_with(&format!("{path}:2:")), "{shown}");
    assert!(shown.contains("unknown field `comment`"), "{shown}");

    // An unknown field inside an operation.
    let in_op = valid.replacen("\"op\": ", "\"bogus\": 1,\n      \"op\": ", 1);
    let (error, path) = load_error(&dir, "unknown-in-op.json", &in_op);
    let shown = error.to_string();
    assert!(matches!(error, TraceError::Malformed { .. }), "{error:?}");
    assert!(shown.starts_with(&format!("{path}:")), "{shown}");
    assert!(shown.contains("bogus"), "{shown}");

    // Another version: named with the file, though not with a position (the version check runs
    // after the whole file has been read).
    let newer = valid.replacen(
        &format!("\"version\": {VERSION},"),
        &format!("\"version\": {},", VERSION + 1),
        1,
    );
    let (error, path) = load_error(&dir, "newer.json", &newer);
    assert!(
        matches!(&error, TraceError::Version { version, .. } if *version == VERSION + 1),
        "{error:?}"
    );
    let shown = error.to_string();
    assert!(shown.starts_with(&format!("{path}: ")), "{shown}");
    assert!(
        shown.contains(&format!("version {}", VERSION + 1)) && shown.contains(FORMAT),
        "{shown}"
    );

    // Another format.
    let other = valid.replacen(FORMAT, "some-other-trace", 1);
    let (error, _) = load_error(&dir, "other.json", &other);
    assert!(
        matches!(&error, TraceError::Version { format, .. } if format == "some-other-trace"),
        "{error:?}"
    );

    // No file at all.
    let missing = dir.path().join("missing.json");
    let error = TraceFile::load(&missing).expect_err("no such file");
    assert!(matches!(error, TraceError::Io { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with(&missing.display().to_string()),
        "{error}"
    );

    // And the valid file loads.
    let path = dir.path().join("valid.json");
    std::fs::write(&path, &valid).expect("written");
    TraceFile::load(&path).expect("the valid trace loads");
}

/// RegisterPreprocessor's scope may be left out of a trace: such a registration is for the
/// transport's address type, as every registration was before scopes existed. Each scope
/// round-trips under its kebab-case name.
#[test]
fn a_registration_without_a_scope_is_for_the_address_type() {
    use spoolcheck_model::{AddrType, Op, PreprocessorScope};
    let old: Op = serde_json::from_str(r#"{"op": "register-preprocessor", "addr": "FAX"}"#)
        .expect("a registration without a scope parses");
    assert_eq!(
        old,
        Op::RegisterPreprocessor {
            addr: AddrType::Fax,
            scope: PreprocessorScope::AddressType
        }
    );
    for (scope, name) in [
        (PreprocessorScope::AddressType, "address-type"),
        (PreprocessorScope::Mapiuid, "mapiuid"),
        (PreprocessorScope::AllMessages, "all-messages"),
    ] {
        let op = Op::RegisterPreprocessor {
            addr: AddrType::Smtp,
            scope,
        };
        let json = serde_json::to_string(&op).expect("serialises");
        assert!(json.contains(&format!(r#""scope":"{name}""#)), "{json}");
        assert_eq!(serde_json::from_str::<Op>(&json).expect("parses"), op);
    }
}

/// One registration of each scope by each transport, then a message for every mix of recipients,
/// each through the spooler: the reference runs exactly the preprocessors the model expects, and
/// each mutant of the new scopes is caught on the same operations naming PRE-08.
#[test]
fn the_reference_honours_every_preprocessor_scope() {
    use spoolcheck_model::{
        AddrType, Choices, Folder, MsgId, NewMessage, Op, PreprocessorScope, Role, SubmitScript,
    };
    let system = Choices::presets()
        .into_iter()
        .find(|(name, _)| *name == "system")
        .map(|(_, c)| c)
        .expect("a system preset");
    let mut ops: Vec<Op> = Vec::new();
    for scope in [PreprocessorScope::Mapiuid, PreprocessorScope::AllMessages] {
        ops.push(Op::RegisterPreprocessor {
            addr: AddrType::Fax,
            scope,
        });
    }
    ops.push(Op::RegisterPreprocessor {
        addr: AddrType::X400,
        scope: PreprocessorScope::AddressType,
    });
    let mixes = [
        vec![AddrType::Smtp],
        vec![AddrType::Fax],
        vec![AddrType::Smtp, AddrType::X400],
    ];
    for (n, recipients) in (1..).zip(mixes) {
        ops.push(Op::CreateMessage(NewMessage {
            folder: Folder::Outbox,
            recipients: recipients
                .into_iter()
                .map(spoolcheck_model::recipient::to)
                .collect(),
            sentmail: None,
            delete_after_submit: false,
            unsent: false,
            resend: false,
            saved: true,
        }));
        ops.push(Op::SubmitMessage {
            caller: Role::Client,
            msg: MsgId(n),
            flags: 0,
            script: SubmitScript::ok(spoolcheck_model::precondition::CLOCK_START + u64::from(n)),
        });
        ops.push(Op::run_spooler());
    }
    for choices in [
        system.clone(),
        Choices {
            tight_coupling: None,
            ..system
        },
    ] {
        let (failure, _) = replay(reference(), &choices, &ops, TIMEOUT).expect("replays");
        assert!(failure.is_none(), "{:?}", failure.map(|f| f.headline()));
        for m in [
            Mutant::Pre08AllMessagesOwnTransport,
            Mutant::Pre08MapiuidAllMessages,
            Mutant::Pre08AnyTransport,
        ] {
            let (failure, _) = replay(mutant(m), &choices, &ops, TIMEOUT).expect("replays");
            let failure = failure.unwrap_or_else(|| panic!("{m} passes"));
            assert_eq!(failure.rule().map(|r| r.as_str()), Some("PRE-08"), "{m}");
        }
    }
}
