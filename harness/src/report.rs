//! The terminal report: each failure with the rule it breaks, its level and sources, expected
//! against actual, the minimal trace as a table and as a ready-to-paste Rust test.

use crate::failure::{level_of, Failure, FailureKind};
use crate::runner::RunReport;
use crate::seam::Response;
use crate::tracefile::TraceFile;
use spoolcheck_model::observe::{message_flags_text, responsibility_text, submit_flags_text};
use spoolcheck_model::trace::{align, joined, COLUMNS};
use spoolcheck_model::Op;
use spoolcheck_specs::Catalog;
use std::fmt::Write;
use std::path::Path;

/// The verdict of a whole run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunVerdict {
    /// No failure fails the run.
    Conformant,
    /// At least one failure fails the run.
    NotConformant,
    /// The harness could not run.
    HarnessError,
}

impl RunVerdict {
    /// Of a report's failures, under the given strictness. (The command's verdict also fails a
    /// run for stale ledger entries and for coverage below `--min-coverage`: see
    /// [`crate::json_report::Document`].)
    pub fn of(report: &RunReport, strict: bool) -> RunVerdict {
        if report.harness_error.is_some()
            || report.failures.iter().any(|f| f.reference_fails.is_some())
        {
            RunVerdict::HarnessError
        } else if report.failures.iter().any(|f| f.fails_run(strict)) {
            RunVerdict::NotConformant
        } else if !report.unsupported.is_empty() {
            // Every call the suite makes is one a store that sends mail must support (CAP-02 and
            // the rules of each call): a store that declines one cannot be called conformant.
            RunVerdict::NotConformant
        } else {
            RunVerdict::Conformant
        }
    }

    /// The process exit status: 0 conformant, 1 not conformant, 2 harness error.
    pub fn exit_code(self) -> u8 {
        match self {
            RunVerdict::Conformant => 0,
            RunVerdict::NotConformant => 1,
            RunVerdict::HarnessError => 2,
        }
    }
}

/// The whole report as text. `saved` gives the trace file of each failure, in order.
pub fn render(report: &RunReport, strict: bool, saved: &[Option<&Path>]) -> String {
    let mut out = String::new();
    for (i, f) in report.failures.iter().enumerate() {
        out.push_str(&render_failure(f, strict, saved.get(i).copied().flatten()));
        out.push('\n');
    }
    out.push_str(&summary(report, strict));
    out
}

/// The closing summary lines.
pub fn summary(report: &RunReport, strict: bool) -> String {
    let mut out = String::new();
    let verdict = RunVerdict::of(report, strict);
    let failing = report
        .failures
        .iter()
        .filter(|f| f.fails_run(strict))
        .count();
    let warnings = report.failures.len() - failing;
    let _ = writeln!(out, "implementation: {}", report.implementation);
    let _ = writeln!(
        out,
        "{} cases, {} steps, {:.1} s",
        report.cases,
        report.steps,
        report.elapsed.as_secs_f64()
    );
    let applicable = crate::applicability::applicable(&report.choices);
    let reached = applicable
        .iter()
        .filter(|r| report.exercised.contains_key(r))
        .count();
    let _ = writeln!(
        out,
        "rules: {reached} of {} applicable rules exercised ({} not applicable to the declared choices)",
        applicable.len(),
        spoolcheck_model::RuleId::ALL.len() - applicable.len()
    );
    if let Some(line) = budget_line(report, reached, applicable.len()) {
        out.push_str(&line);
    }
    let unreached: Vec<String> = applicable
        .iter()
        .filter(|r| !report.exercised.contains_key(r))
        .map(ToString::to_string)
        .collect();
    if !unreached.is_empty() {
        let _ = writeln!(out, "never reached: {}", unreached.join(", "));
    }
    for hits in report.expected.iter().filter(|h| h.cases > 0) {
        let _ = writeln!(
            out,
            "expected: {} in {} case(s) (a known deviation)",
            hits.expected.rule, hits.cases
        );
    }
    for (kind, why) in &report.unsupported {
        let _ = writeln!(out, "unsupported: {kind:?} ({why})");
    }
    if let Some(e) = &report.harness_error {
        let _ = writeln!(out, "harness error: {e}");
    }
    for f in report
        .failures
        .iter()
        .filter(|f| f.reference_fails.is_some())
    {
        let _ = writeln!(
            out,
            "harness error: the bundled reference provider fails the trace of {} too, so the suite, not the implementation, is at fault there",
            f.signature()
        );
    }
    let word = match verdict {
        RunVerdict::Conformant => "CONFORMANT",
        RunVerdict::NotConformant => "NOT CONFORMANT",
        RunVerdict::HarnessError => "HARNESS ERROR",
    };
    let _ = writeln!(
        out,
        "{word}: {failing} failure(s), {warnings} warning(s){}",
        if strict {
            " (strict: SHOULD violations fail the run)".to_string()
        } else if warnings > 0 {
            format!(
                " ({warnings} SHOULD violation(s): warnings that do not fail the run; --strict fails on them)"
            )
        } else {
            String::new()
        }
    );
    out
}

/// One failure, fully.
pub fn render_failure(f: &Failure, strict: bool, saved: Option<&Path>) -> String {
    let mut out = String::new();
    let tag = if f.fails_run(strict) { "FAIL" } else { "WARN" };
    let _ = writeln!(out, "{tag} {}", f.headline());
    if let Some(rule) = f.rule().and_then(|r| Catalog::embedded().rule(r.as_str())) {
        if let Some(reasoning) = &rule.reasoning {
            let _ = writeln!(out, "  {} is derived: {reasoning}", rule.id);
        }
    }
    let also = f.also_breaks();
    if !also.is_empty() {
        let named: Vec<String> = also
            .iter()
            .map(|r| format!("{r} ({})", level_of(*r)))
            .collect();
        let _ = writeln!(out, "  also breaks: {}", named.join(", "));
    }
    if let Some(headline) = &f.reference_fails {
        let _ = writeln!(
            out,
            "  HARNESS ERROR: the bundled reference provider fails this trace too ({headline}), so \
             this verdict is a fault of spoolcheck, not of the implementation: please report it \
             with the saved trace"
        );
    }
    if f.unrepeatable {
        let _ = writeln!(
            out,
            "  note: run once more, this trace did not fail again: the implementation's answers \
             vary from run to run (state kept between resets, timing, randomness?), so the trace \
             below is the one first found"
        );
    }
    if let Some(shrunk) = &f.shrunk {
        let _ = writeln!(
            out,
            "  note: shrinking found a {}-step trace that failed the same way once but not when run \
             again (an implementation whose answers vary?); the trace below is the one first found, \
             the shorter one is:",
            shrunk.ops.len()
        );
        for line in trace_table(&shrunk.ops, &shrunk.observed).lines() {
            let _ = writeln!(out, "      {line}");
        }
    }
    if let FailureKind::Violated(violations) = &f.kind {
        for v in violations {
            let _ = writeln!(
                out,
                "  - {} ({}) {}: expected {}, got {}",
                v.rule,
                level_of(v.rule),
                v.subject,
                v.expected,
                v.actual
            );
        }
    }
    let _ = writeln!(
        out,
        "  minimal trace ({} steps, declared choices: {}):",
        f.ops.len(),
        choices_text(&f.choices)
    );
    for line in trace_table(&f.ops, &f.observed).lines() {
        let _ = writeln!(out, "    {line}");
    }
    if let Some(path) = saved {
        let _ = writeln!(
            out,
            "  saved: {}  (replay: spoolcheck replay {})",
            path.display(),
            path.display()
        );
    }
    let _ = writeln!(out, "  as a Rust test:");
    for line in rust_test(f).lines() {
        let _ = writeln!(out, "    {line}");
    }
    out
}

fn choices_text(choices: &spoolcheck_model::Choices) -> String {
    serde_json::to_string(choices).unwrap_or_default()
}

/// The operations with the implementation's answers, as a table.
pub fn trace_table(ops: &[Op], observed: &[Response]) -> String {
    let mut rows = vec![COLUMNS.map(String::from)];
    for (i, op) in ops.iter().enumerate() {
        let role = spoolcheck_model::trace::party(op);
        let (result, calls, notes, after) = match observed.get(i) {
            Some(r) => (
                r.ret.to_string(),
                joined(&r.calls),
                joined(&r.notifications),
                after_text(op, r),
            ),
            None => ("(no answer)".into(), "-".into(), "-".into(), "-".into()),
        };
        rows.push([
            (i + 1).to_string(),
            role.into(),
            op.to_string(),
            result,
            calls,
            notes,
            after,
        ]);
    }
    align(&rows)
}

fn after_text(op: &Op, r: &Response) -> String {
    let queue: Vec<String> = r
        .observation
        .queue
        .iter()
        .map(ToString::to_string)
        .collect();
    let created = match r.ret.data {
        spoolcheck_model::RetData::Created(id) => Some(id),
        _ => None,
    };
    let Some(id) = op.msg().or(created) else {
        return format!("queue [{}]", queue.join(","));
    };
    let Some(m) = r.observation.messages.get(&id) else {
        return format!("{id} gone");
    };
    let mut parts = vec![message_flags_text(m.message_flags)];
    if m.submit_flags != 0 {
        parts.push(submit_flags_text(m.submit_flags));
    }
    if r.observation.queue.contains(&id) {
        parts.push("queued".into());
    }
    parts.push(responsibility_text(&m.responsibility));
    format!("{id}: {}", parts.join("; "))
}

/// A ready-to-paste Rust test that replays the failure against an implementation.
pub fn rust_test(f: &Failure) -> String {
    let slug = f.signature().to_lowercase().replace('-', "_");
    let trace = TraceFile::of_failure("regression", f);
    let json = serde_json::to_string(&serde_json::json!({
        "format": trace.format, "version": trace.version, "implementation": trace.implementation,
        "choices": trace.choices, "ops": trace.ops,
    }))
    .unwrap_or_default();
    format!(
        "#[test]\nfn regression_{slug}() {{\n    // {}\n    let trace = r#\"{json}\"#;\n    spoolcheck_harness::assert_replays(trace, || Box::new(MyStore::new()));\n}}\n",
        f.headline().replace('\n', " ")
    )
}

/// The budget and what the run covered within it, when the run had one.
fn budget_line(report: &RunReport, reached: usize, applicable: usize) -> Option<String> {
    let budget = crate::json_report::BudgetDoc::of(report)?;
    let line = crate::json_report::budget_summary(
        &budget,
        report.cases,
        report.steps,
        reached,
        applicable,
    );
    Some(line + "\n")
}
