//! JUnit XML (`spoolcheck run --junit FILE`), the common denominator of CI test reports (GitHub
//! Actions reporters, GitLab, Jenkins, Azure Pipelines, Buildkite), written with quick-junit.
//!
//! One `<testcase>` per applicable rule: `classname` is `spoolcheck.` and the rule's family
//! (`spoolcheck.SUBMIT`), `name` is the ID and title (`SUBMIT-09: ...`).
//! - A rule broken by a failure of the run: `<failure>` with the headline as `message`, and the
//!   other rules the same failure breaks ("also breaks: ..."), the violations, the minimal trace
//!   table and the trace file as text.
//! - A stale ledger entry's rule (when stale entries fail the run): `<failure type="stale">`.
//! - A rule broken only by a SHOULD violation without `--strict`: `<skipped>` with the warning.
//! - A rule broken only as a known deviation: `<skipped>` with the ledger's reason.
//! - A rule never reached: `<skipped>`, or `<failure type="coverage">` when the run is below its
//!   `--min-coverage`.
//!
//! Panics, hangs and nonsense answers, which break no particular rule, are testcases of class
//! `spoolcheck.implementation`; a harness error is an `<error>` of class `spoolcheck.harness`.

use crate::coverage::Status;
use crate::json_report::{DeviationDoc, Document, FailureDoc, StalePolicy};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::fmt::Write;
use std::time::Duration;

/// A failed testcase.
fn failure(kind: &str, message: &str, body: &str) -> TestCaseStatus {
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    status.set_type(kind).set_message(message);
    if !body.is_empty() {
        status.set_description(body);
    }
    status
}

/// A skipped testcase.
fn skipped(message: &str) -> TestCaseStatus {
    let mut status = TestCaseStatus::skipped();
    status.set_message(message);
    status
}

/// The outcome of the testcase of one applicable rule.
fn rule_status(doc: &Document, rule: &str, never_reached: bool) -> TestCaseStatus {
    let naming = |f: &&FailureDoc| f.rules.iter().any(|r| r == rule);
    let failing = doc.failures.iter().filter(|f| f.fails_run).find(naming);
    let warning = doc.failures.iter().filter(|f| !f.fails_run).find(naming);
    let stale = doc.stale.iter().find(|d| d.rule == rule);
    let expected = doc.expected.iter().find(|d| d.rule == rule);
    if let Some(f) = failing {
        failure(
            f.level.as_deref().unwrap_or("MUST"),
            &f.headline,
            &failure_body(f),
        )
    } else if let (Some(d), StalePolicy::Fail) = (stale, doc.stale_policy) {
        failure(
            "stale",
            &format!(
                "stale ledger entry: {} is listed as a known deviation (line {}) but did not occur; remove the entry or run `spoolcheck ledger update`",
                d.rule, d.line
            ),
            &deviation_body(d),
        )
    } else if let Some(f) = warning {
        skipped(&format!(
            "warning (a SHOULD violation fails the run only with --strict): {}",
            f.headline
        ))
    } else if let Some(d) = expected {
        skipped(&format!(
            "expected deviation (ledger line {}, {} case(s)): {}",
            d.line, d.cases, d.reason
        ))
    } else if never_reached && !doc.coverage.met {
        failure(
            "coverage",
            &format!(
                "never reached, and the run is below its minimum coverage ({} of {} applicable rules reached)",
                doc.coverage.reached, doc.coverage.applicable
            ),
            "",
        )
    } else if never_reached {
        skipped("never reached by the generated cases")
    } else {
        TestCaseStatus::success()
    }
}

fn case(classname: &str, name: &str, status: TestCaseStatus) -> TestCase {
    let mut case = TestCase::new(name, status);
    case.set_classname(classname);
    case
}

/// The report as JUnit XML.
pub fn render(doc: &Document) -> String {
    let shards: Vec<String> = doc.shards.iter().map(ToString::to_string).collect();
    let shards = shards.join("+");
    let mut suite = TestSuite::new(format!(
        "spoolcheck {} (seed {}, shard {shards})",
        doc.implementation, doc.seed
    ));
    let time = Duration::from_millis(doc.timings.elapsed_ms);
    suite.set_time(time);
    let verdict = serde_json::to_value(doc.verdict)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    suite.add_properties([
        Property::new("implementation", &doc.implementation),
        Property::new("seed", doc.seed.to_string()),
        Property::new("cases", doc.cases.to_string()),
        Property::new("shard", &shards),
        Property::new("strict", doc.strict.to_string()),
        Property::new(
            "choices",
            serde_json::to_string(&doc.choices).unwrap_or_default(),
        ),
        Property::new("verdict", verdict),
    ]);
    for rule in &doc.coverage.rules {
        if rule.status == Status::NotApplicable {
            continue;
        }
        let status = rule_status(doc, &rule.rule, rule.status == Status::NeverReached);
        suite.add_test_case(case(
            &format!("spoolcheck.{}", rule.family),
            &format!("{}: {}", rule.rule, rule.title),
            status,
        ));
    }
    for f in doc.failures.iter().filter(|f| f.rule.is_none()) {
        suite.add_test_case(case(
            "spoolcheck.implementation",
            &f.headline,
            failure("implementation", &f.headline, &failure_body(f)),
        ));
    }
    if let Some(e) = &doc.harness_error {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status.set_type("harness").set_message(e).set_description(e);
        suite.add_test_case(case(
            "spoolcheck.harness",
            "the harness ran the suite",
            status,
        ));
    }
    let mut report = Report::new("spoolcheck");
    report.set_time(time);
    report.add_test_suite(suite);
    let mut xml = report
        .to_string()
        .expect("a report of strings always serialises");
    if !xml.ends_with('\n') {
        xml.push('\n');
    }
    xml
}

fn failure_body(f: &FailureDoc) -> String {
    let mut out = format!("{}\n", f.headline);
    if !f.also_breaks.is_empty() {
        let _ = writeln!(out, "also breaks: {}", f.also_breaks.join(", "));
    }
    if !f.sources.is_empty() {
        let _ = writeln!(out, "sources: {}", f.sources.join(", "));
    }
    for v in &f.violations {
        let _ = writeln!(
            out,
            "- {} {}: expected {}, got {}",
            v.rule, v.subject, v.expected, v.actual
        );
    }
    let _ = writeln!(out, "minimal trace ({} steps):", f.ops.len());
    out.push_str(&f.trace);
    if let Some(path) = &f.trace_file {
        let _ = writeln!(out, "saved: {path}  (replay: spoolcheck replay {path})");
    }
    out
}

fn deviation_body(d: &DeviationDoc) -> String {
    let mut out = format!("reason: {}\n", d.reason);
    if let Some(s) = &d.signature {
        let _ = writeln!(out, "signature: {s}");
    }
    if let Some(l) = &d.link {
        let _ = writeln!(out, "link: {l}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json_report::Options;
    use crate::runner::{RunConfig, RunReport};

    fn document() -> Document {
        Document::build(
            &RunReport::default(),
            &Options {
                config: &RunConfig::default(),
                strict: false,
                ledger: None,
                min_coverage: None,
                stale: StalePolicy::Fail,
                saved: &[],
            },
        )
    }

    #[test]
    fn markup_and_control_characters_are_carried_safely() {
        let mut doc = document();
        let nasty = "a<b>&c\"d'e\u{1}f]]>";
        doc.implementation = nasty.into();
        doc.harness_error = Some(nasty.into());
        let xml = render(&doc);
        let parsed = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}:\n{xml}"));
        let property = parsed
            .descendants()
            .find(|n| n.attribute("name") == Some("implementation"))
            .expect("the implementation property");
        // Markup survives as text; a character XML cannot carry is dropped.
        assert_eq!(property.attribute("value"), Some("a<b>&c\"d'ef]]>"));
        let error = parsed
            .descendants()
            .find(|n| n.has_tag_name("error"))
            .expect("the harness error");
        assert_eq!(error.text(), Some("a<b>&c\"d'ef]]>"));
    }

    #[test]
    fn every_applicable_rule_is_a_testcase() {
        let doc = document();
        let xml = render(&doc);
        let parsed = roxmltree::Document::parse(&xml).unwrap();
        let cases = parsed
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .count();
        assert_eq!(cases, doc.coverage.applicable);
        // Nothing ran, so every one of them was skipped as never reached.
        let skipped = parsed
            .descendants()
            .filter(|n| n.has_tag_name("skipped"))
            .count();
        assert_eq!(skipped, cases);
    }
}
