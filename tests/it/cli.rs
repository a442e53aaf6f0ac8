//! Runs the built `spoolcheck` binary as a user would and checks its output and exit statuses.

use serde_json::Value;
use spoolcheck_specs::{Catalog, Level, Profile};
use std::process::{Command, Output, Stdio};

fn spoolcheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spoolcheck"))
        .args(args)
        .output()
        .expect("the spoolcheck binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

fn json(output: &Output) -> Vec<Value> {
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(output));
    match serde_json::from_slice(&output.stdout).expect("stdout is JSON") {
        Value::Array(items) => items,
        other => panic!("expected a JSON array, got {other}"),
    }
}

#[test]
fn rules_as_json_have_every_field_and_every_rule() {
    let rules = json(&spoolcheck(&["rules", "--format", "json"]));
    let catalog = Catalog::embedded();
    assert_eq!(rules.len(), catalog.rules.len());
    for (item, rule) in rules.iter().zip(&catalog.rules) {
        for field in [
            "id",
            "level",
            "profiles",
            "sources",
            "statement",
            "title",
            "settles",
            "check",
        ] {
            assert!(
                item.get(field).is_some(),
                "{} lacks `{field}`: {item}",
                rule.id
            );
        }
        assert_eq!(item["id"], rule.id.as_str(), "catalog order");
        assert!(item["profiles"].is_array() && item["sources"].is_array());
    }
}

#[test]
fn rules_filter_by_level_and_profile() {
    let catalog = Catalog::embedded();
    let expected: Vec<&str> = catalog
        .rules
        .iter()
        .filter(|r| r.level == Level::Must && r.applies_in(Profile::System))
        .map(|r| r.id.as_str())
        .collect();
    let rules = json(&spoolcheck(&[
        "rules",
        "--level",
        "must",
        "--profile",
        "system",
        "--format",
        "json",
    ]));
    let ids: Vec<&str> = rules
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, expected);
    for rule in &rules {
        assert_eq!(rule["level"], "MUST");
        assert!(rule["profiles"]
            .as_array()
            .expect("profiles")
            .contains(&Value::from("system")));
    }

    // The text table: a header, then one line per selected rule; levels ignore case.
    let output = spoolcheck(&["rules", "--level", "MUST", "--profile", "system"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    let mut lines = text.lines();
    assert!(lines.next().expect("a header").starts_with("id "));
    let listed: Vec<&str> = lines
        .map(|l| l.split_whitespace().next().expect("an id"))
        .collect();
    assert_eq!(listed, expected);

    let should = json(&spoolcheck(&[
        "rules", "--level", "Should", "--format", "json",
    ]));
    assert!(!should.is_empty() && should.iter().all(|r| r["level"] == "SHOULD"));
}

#[test]
fn sources_as_json_have_one_row_per_sentence() {
    let rows = json(&spoolcheck(&["sources", "--format", "json"]));
    let sentences: Vec<&str> = rows
        .iter()
        .map(|r| r["sentence"].as_str().expect("sentence"))
        .collect();
    let expected: Vec<String> = (103..=172).map(|n| format!("S{n}")).collect();
    assert_eq!(sentences, expected);
    for row in &rows {
        assert!(row["class"].is_string(), "{row}");
        assert!(row["rules"].is_array(), "{row}");
        assert!(
            row["reason"].is_string() || row["reason"].is_null(),
            "{row}"
        );
    }
    let s117 = &rows[117 - 103];
    assert_eq!(s117["class"], "normative");
    assert!(!s117["rules"].as_array().expect("rules").is_empty());
}

#[test]
fn sources_as_text_list_every_sentence() {
    let output = spoolcheck(&["sources"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output).lines().count(), 1 + 70);
}

#[test]
fn explain_prints_the_rule_and_a_witness_trace() {
    let output = spoolcheck(&["explain", "submit-09"]);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let text = stdout(&output);
    for expected in [
        "id:        SUBMIT-09",
        "level:     MUST",
        "sources:   S133",
        "check:     oracle",
        "preset `default`",
        "\"lock_after_restart\"",
        "# | role",
        "SubmitMessage(m1, expand=0x1)",
        "PREPROCESS; queued",
        "applies SUBMIT-09.",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn explain_shows_chosen_readings_and_invariants() {
    // A rule that both settles ambiguities and is checked by an invariant, so one run covers both.
    let catalog = Catalog::embedded();
    let rule = catalog
        .rules
        .iter()
        .find(|r| !r.settles.is_empty() && r.check.starts_with("INV-"))
        .expect("a rule settles an ambiguity and is checked by an invariant");
    let output = spoolcheck(&["explain", &rule.id.to_lowercase()]);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let text = stdout(&output);
    for id in &rule.settles {
        let amb = catalog.ambiguity(id).expect("the ambiguity exists");
        assert!(
            text.contains(&amb.choice),
            "the reading of {id} is missing:\n{text}"
        );
    }
    let inv = catalog
        .invariant(&rule.check)
        .expect("the invariant exists");
    assert!(text.contains(&format!("invariant {}", inv.id)), "{text}");
    assert!(text.contains(&inv.statement), "{text}");
    assert!(text.contains(&format!("applies {}", rule.id)), "{text}");
}

#[test]
fn an_unknown_rule_is_a_usage_error_with_suggestions() {
    let output = spoolcheck(&["explain", "SUBMT-09"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let message = stderr(&output);
    assert!(
        message.starts_with("unknown rule `SUBMT-09`; did you mean SUBMIT-09"),
        "{message}"
    );
}

#[test]
fn bad_arguments_are_usage_errors() {
    for args in [
        &["rules", "--bogus"][..],
        &["rules", "--level", "sometimes"],
        &["sources", "--format", "yaml"],
        &["explain"],
        &["no-such-command"],
        &[],
    ] {
        let output = spoolcheck(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        let message = stderr(&output);
        assert!(
            message.contains("Usage:") || message.contains("--help"),
            "{args:?}: {message}"
        );
        assert!(output.stdout.is_empty(), "{args:?}");
    }
    let help = spoolcheck(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("explain"));
}

#[test]
fn a_closed_output_pipe_ends_the_command_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_spoolcheck"))
        .args(["explain", "SUBMIT-09"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the spoolcheck binary starts");
    // Close the reading end before the command writes anything (explain searches first).
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("the command ends");
    let message = stderr(&output);
    assert!(!message.contains("panicked"), "{message}");
    assert_eq!(output.status.code(), Some(0), "{message}");
}

#[test]
fn max_ops_and_max_seconds_bound_a_run_and_the_report_says_what_they_covered() {
    let out = std::env::temp_dir().join(format!("spoolcheck-budget-{}", std::process::id()));
    let out = out.to_str().expect("a UTF-8 temporary directory");
    let bounded = |extra: &[&str]| {
        let mut args = vec!["run", "--out", out, "--format", "json"];
        args.extend_from_slice(extra);
        let output = spoolcheck(&args);
        assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
        let doc: Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
        doc
    };
    let doc = bounded(&["--max-ops", "400"]);
    assert_eq!(doc["budget"]["max_ops"], 400);
    assert_eq!(doc["budget"]["ended_by"], "max_ops");
    let steps = doc["steps"].as_u64().expect("steps");
    assert!((400..440).contains(&steps), "{steps} steps");
    assert!(doc["cases"].as_u64().expect("cases") < 2048);
    // The same seed, the same report, for any number of jobs (timings aside).
    let without_timings = |mut doc: Value| {
        doc["timings"] = Value::Null;
        doc
    };
    assert_eq!(
        without_timings(bounded(&["--max-ops", "400", "--jobs", "2"])),
        without_timings(doc)
    );
    // A budget the run does not spend: it says so, and covers the whole run.
    let roomy = bounded(&["--max-seconds", "86400", "--cases", "64"]);
    assert_eq!(roomy["budget"]["max_seconds"], 86400.0);
    assert_eq!(roomy["budget"]["ended_by"], Value::Null);
    assert_eq!(roomy["cases"], 64);
    let text = spoolcheck(&["run", "--out", out, "--max-ops", "400"]);
    let text = stdout(&text);
    assert!(
        text.contains("budget: --max-ops 400 (ended the run); covered "),
        "{text}"
    );
    for bad in [
        &["run", "--max-ops", "0"][..],
        &["run", "--max-seconds", "0"],
        &["run", "--max-seconds", "soon"],
    ] {
        assert_eq!(spoolcheck(bad).status.code(), Some(2), "{bad:?}");
    }
}
