//! `spoolcheck run` in an implementer's CI: the JSON and JUnit reports, rule coverage and
//! `--min-coverage`, the known-deviation ledger and `ledger update`, shards, jobs and `merge`, and
//! clear errors for bad input files.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn spoolcheck(args: &[&str]) -> Output {
    spoolcheck_in(Path::new("."), args)
}

fn spoolcheck_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spoolcheck"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the spoolcheck binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn both(out: &Output) -> String {
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("spoolcheck-ci-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", both(out)))
}

fn load(file: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(file).expect("the report file exists"))
        .expect("the report file is JSON")
}

/// The report text without its last field, `timings`.
fn without_timings(report: &str) -> &str {
    let cut = report.find("\"timings\"").expect("a timings field");
    &report[..cut]
}

/// Parses JUnit XML with a real XML parser, or fails the test showing the text.
fn parse_xml(xml: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("not well-formed XML ({e}):\n{xml}"))
}

/// The elements named `name`.
fn elements<'a, 'i>(
    doc: &'a roxmltree::Document<'i>,
    name: &'a str,
) -> Vec<roxmltree::Node<'a, 'i>> {
    doc.descendants().filter(|n| n.has_tag_name(name)).collect()
}

/// The testcase whose name starts with `prefix`.
fn testcase<'a, 'i>(doc: &'a roxmltree::Document<'i>, prefix: &str) -> roxmltree::Node<'a, 'i> {
    elements(doc, "testcase")
        .into_iter()
        .find(|n| n.attribute("name").is_some_and(|a| a.starts_with(prefix)))
        .unwrap_or_else(|| panic!("no testcase `{prefix}...`"))
}

/// The child element `name` of a testcase.
fn child<'a, 'i>(case: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    case.children().find(|n| n.has_tag_name(name))
}

/// A ledger file in `dir`.
fn ledger(dir: &Path, text: &str) -> PathBuf {
    let file = dir.join("ledger.toml");
    std::fs::write(&file, text).unwrap();
    file
}

const MUTANT: &str = "spl06-no-locked-flag";

#[test]
fn the_json_report_has_the_documented_fields() {
    let dir = scratch("json-fields");
    let out = spoolcheck(&[
        "run",
        "--mutant",
        MUTANT,
        "--cases",
        "300",
        "--format",
        "json",
        "--out",
        path(&dir),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let report = json(&out);
    assert_eq!(report["exit_code"], 1);
    assert_eq!(report["format"], "spoolcheck-report");
    assert_eq!(report["version"], 2);
    for field in [
        "implementation",
        "choices",
        "seed",
        "cases_per_round",
        "max_len",
        "strict",
        "shards",
        "cases",
        "steps",
        "verdict",
        "reasons",
        "coverage",
        "failures",
        "ledger",
        "stale_policy",
        "expected",
        "stale",
        "unsupported",
        "harness_error",
        "timings",
    ] {
        assert!(report.get(field).is_some(), "`{field}` missing");
    }
    assert_eq!(report["verdict"], "not-conformant");
    assert_eq!(report["shards"][0]["index"], 1);
    let f = &report["failures"][0];
    for field in [
        "rule",
        "rules",
        "also_breaks",
        "derived_from",
        "level",
        "fails_run",
        "sources",
        "step",
        "headline",
        "violations",
        "seed",
        "trace_file",
        "ops",
        "trace",
        "unconfirmed_minimal",
        "unrepeatable",
        "reference_fails",
    ] {
        assert!(
            f.get(field).is_some(),
            "failure field `{field}` missing: {f}"
        );
    }
    assert_eq!(f["rule"], "SPL-06");
    assert_eq!(f["level"], "MUST");
    let trace_file = f["trace_file"].as_str().expect("a saved trace");
    assert!(Path::new(trace_file).exists(), "{trace_file}");
    assert!(f["ops"].as_array().is_some_and(|ops| !ops.is_empty()));
    let rules = report["coverage"]["rules"].as_array().unwrap();
    let spl06 = rules.iter().find(|r| r["rule"] == "SPL-06").unwrap();
    assert_eq!(spl06["status"], "violated");
    assert_eq!(spl06["family"], "SPL");
    assert!(rules
        .iter()
        .any(|r| r["status"] == "exercised" && r["exercised"].as_u64() > Some(0)));
    assert!(rules
        .iter()
        .any(|r| r["status"] == "not-applicable" && r["not_applicable"].as_str().is_some()));
    // The text report is not printed with --format json.
    assert!(!text(&out.stdout).contains("NOT CONFORMANT"));
}

#[test]
fn the_same_seed_gives_a_byte_identical_json_report_whatever_the_jobs() {
    let dir = scratch("json-seed");
    let out_dir = dir.join("traces");
    let run = |jobs: &str, file: &str| {
        // The same trace directory, emptied, so the trace file names are the same too.
        let _ = std::fs::remove_dir_all(&out_dir);
        let file = dir.join(file);
        let out = spoolcheck(&[
            "run",
            "--mutant",
            "access02-modify-queued",
            "--strict",
            "--seed",
            "7",
            "--cases",
            "400",
            "--jobs",
            jobs,
            "--json",
            path(&file),
            "--out",
            path(&out_dir),
        ]);
        assert_eq!(out.status.code(), Some(1), "{}", both(&out));
        std::fs::read_to_string(file).unwrap()
    };
    let first = run("1", "a.json");
    let second = run("1", "b.json");
    let parallel = run("3", "c.json");
    assert!(first.contains("\"failures\""));
    assert_eq!(without_timings(&first), without_timings(&second));
    assert_eq!(without_timings(&first), without_timings(&parallel));
}

#[test]
fn junit_has_a_testcase_per_applicable_rule_and_is_well_formed() {
    let dir = scratch("junit");
    let xml_file = dir.join("junit.xml");
    let json_file = dir.join("report.json");
    let out = spoolcheck(&[
        "run",
        "--mutant",
        MUTANT,
        "--cases",
        "300",
        "--junit",
        path(&xml_file),
        "--json",
        path(&json_file),
        "--out",
        path(&dir),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(
        text(&out.stdout).contains("NOT CONFORMANT"),
        "the text report stays"
    );
    let xml = std::fs::read_to_string(&xml_file).unwrap();
    let junit = parse_xml(&xml);
    let report = load(&json_file);
    let applicable = report["coverage"]["applicable"].as_u64().unwrap() as usize;
    assert_eq!(elements(&junit, "testcase").len(), applicable, "{xml}");
    let case = testcase(&junit, "SPL-06: ");
    assert_eq!(case.attribute("classname"), Some("spoolcheck.SPL"), "{xml}");
    let failures = elements(&junit, "failure").len();
    assert!(failures >= 1, "{xml}");
    let suite = elements(&junit, "testsuite")[0];
    assert_eq!(
        suite.attribute("failures"),
        Some(failures.to_string().as_str())
    );
    assert_eq!(
        suite.attribute("tests"),
        Some(applicable.to_string().as_str())
    );
    // The failure carries the headline, the violations and the minimal trace.
    let failure = child(case, "failure").expect("SPL-06 failed");
    assert_eq!(failure.attribute("type"), Some("MUST"));
    assert!(
        failure
            .attribute("message")
            .is_some_and(|m| m.starts_with("SPL-06 (MUST) violated at step")),
        "{xml}"
    );
    let body = failure.text().unwrap_or_default();
    assert!(
        body.contains("PR_SUBMIT_FLAGS")
            && body.contains("minimal trace")
            && body.contains("SetLockState"),
        "{body}"
    );
    // Every other rule the failure breaks is named.
    let f = &report["failures"][0];
    for other in f["rules"].as_array().unwrap() {
        if other != &f["rule"] {
            assert!(
                body.contains("also breaks: ") && body.contains(other.as_str().unwrap()),
                "{body}"
            );
        }
    }

    // A known deviation is a skipped testcase, with its reason.
    let ledger = ledger(
        &dir,
        "[[deviation]]\nrule = \"SPL-06\"\nreason = \"locks <are> tracked & kept elsewhere\"\n",
    );
    let out = spoolcheck(&[
        "run",
        "--mutant",
        MUTANT,
        "--cases",
        "300",
        "--ledger",
        path(&ledger),
        "--junit",
        path(&xml_file),
        "--out",
        path(&dir),
    ]);
    let xml = std::fs::read_to_string(&xml_file).unwrap();
    let junit = parse_xml(&xml);
    let skipped = child(testcase(&junit, "SPL-06: "), "skipped").expect("SPL-06 skipped");
    assert!(
        skipped
            .attribute("message")
            .is_some_and(|m| m.contains("expected deviation")
                && m.contains("locks <are> tracked & kept elsewhere")),
        "{}\n{xml}",
        both(&out)
    );
}

#[test]
fn an_expected_failure_passes_and_a_stale_entry_fails() {
    let dir = scratch("ledger");
    let ledger = ledger(
        &dir,
        "# Known deviations of our store.\nversion = 1\n\n[[deviation]]\nrule = \"SPL-06\"\nreason = \"the locked flag is set lazily\"\nlink = \"https://example.org/issues/6\"\n",
    );
    let run = |mutant: Option<&str>, extra: &[&str]| {
        let mut args = vec![
            "run",
            "--cases",
            "300",
            "--ledger",
            path(&ledger),
            "--format",
            "json",
            "--out",
            path(&dir),
        ];
        if let Some(m) = mutant {
            args.extend(["--mutant", m]);
        }
        args.extend(extra);
        spoolcheck(&args)
    };
    // The mutant breaks SPL-06, which the ledger lists: expected, and the run passes.
    let out = run(Some(MUTANT), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let report = json(&out);
    assert_eq!(report["verdict"], "conformant");
    assert_eq!(report["failures"].as_array().unwrap().len(), 0);
    let expected = &report["expected"][0];
    assert_eq!(expected["rule"], "SPL-06");
    assert_eq!(expected["line"], 4);
    assert_eq!(expected["link"], "https://example.org/issues/6");
    assert!(expected["cases"].as_u64() > Some(0));
    assert!(expected["example"].as_str().unwrap().contains("SPL-06"));
    assert!(report["ledger"].as_str().unwrap().ends_with("ledger.toml"));

    // The reference does not break it: the entry is stale, and the run fails.
    let out = run(None, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let report = json(&out);
    assert_eq!(report["verdict"], "not-conformant");
    assert_eq!(report["stale"][0]["rule"], "SPL-06");
    assert!(report["reasons"][0].as_str().unwrap().contains("stale"));
    // ... unless stale entries only warn (as in a shard).
    assert_eq!(run(None, &["--stale", "warn"]).status.code(), Some(0));
    let out = spoolcheck(&["run", "--cases", "300", "--ledger", path(&ledger)]);
    assert!(
        text(&out.stdout).contains("STALE SPL-06 (") && text(&out.stdout).contains(":4)"),
        "{}",
        both(&out)
    );

    // A signature narrows the entry: a violation without that text is a failure.
    let narrow = dir.join("narrow.toml");
    std::fs::write(
        &narrow,
        "[[deviation]]\nrule = \"SPL-06\"\nreason = \"only the restart case\"\nsignature = \"no such text\"\n",
    )
    .unwrap();
    let out = spoolcheck(&[
        "run",
        "--mutant",
        MUTANT,
        "--cases",
        "300",
        "--ledger",
        path(&narrow),
        "--out",
        path(&dir),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let wide = dir.join("wide.toml");
    std::fs::write(
        &wide,
        "[[deviation]]\nrule = \"SPL-06\"\nreason = \"the flag\"\nsignature = \"PR_SUBMIT_FLAGS.LOCKED\"\n",
    )
    .unwrap();
    let out = spoolcheck(&[
        "run",
        "--mutant",
        MUTANT,
        "--cases",
        "300",
        "--ledger",
        path(&wide),
        "--out",
        path(&dir),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
}

#[test]
fn ledger_update_adds_new_failures_and_removes_stale_entries() {
    let dir = scratch("ledger-update");
    // No ledger yet: `ledger update` writes the default file with the mutant's failures.
    let out = spoolcheck_in(
        &dir,
        &["ledger", "update", "--mutant", MUTANT, "--cases", "300"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(
        text(&out.stdout).contains("added    SPL-06"),
        "{}",
        both(&out)
    );
    let file = dir.join("spoolcheck-ledger.toml");
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(
        written.contains("rule = \"SPL-06\"") && written.contains("FILL IN"),
        "{written}"
    );

    // The written ledger makes the mutant's run pass, with a warning about the placeholder.
    let out = spoolcheck_in(
        &dir,
        &[
            "run",
            "--mutant",
            MUTANT,
            "--cases",
            "300",
            "--ledger",
            "spoolcheck-ledger.toml",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(
        text(&out.stderr).contains("spoolcheck-ledger.toml:")
            && text(&out.stderr).contains("placeholder reason"),
        "{}",
        both(&out)
    );

    // Filled in, with a comment; the reference fixes the deviation, so an update removes it and
    // keeps the rest of the file.
    let filled = written.replace(
        spoolcheck_harness::ledger::PLACEHOLDER_REASON,
        "the locked flag is set lazily",
    );
    std::fs::write(&file, format!("# our store's deviations\n{filled}")).unwrap();
    let out = spoolcheck_in(&dir, &["ledger", "update", "--cases", "300"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(
        text(&out.stdout).contains("removed  SPL-06")
            && text(&out.stdout).contains("the locked flag is set lazily"),
        "{}",
        both(&out)
    );
    let updated = std::fs::read_to_string(&file).unwrap();
    assert!(
        updated.starts_with("# our store's deviations\n"),
        "{updated}"
    );
    assert!(!updated.contains("SPL-06"), "{updated}");
    let out = spoolcheck_in(
        &dir,
        &[
            "run",
            "--cases",
            "300",
            "--ledger",
            "spoolcheck-ledger.toml",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
}

#[test]
fn bad_ledgers_name_the_file_the_line_and_the_field() {
    let dir = scratch("bad-ledger");
    let cases: [(&str, &[&str]); 5] = [
        (
            "version = 1\n\n[[deviation]]\nrule = \"SPL-6\"\nreason = \"x\"\n",
            &["ledger.toml:4:", "`rule`", "SPL-6", "did you mean SPL-06"],
        ),
        (
            "[[deviation]]\nrule = \"SPL-06\"\n",
            &["ledger.toml:1:", "`reason`", "SPL-06"],
        ),
        (
            "[[deviation]]\nrule = \"SPL-06\"\nreason = \"x\"\nsignture = \"y\"\n",
            &["ledger.toml:4:", "unknown key `signture`", "signature"],
        ),
        (
            "[[deviation]]\nrule = \"SPL-06\"\nreason = \"x\nlink = 3\n",
            &["ledger.toml:3:", "not valid TOML"],
        ),
        (
            "[[deviation]]\nrule = \"SPL-06\"\nreason = \"x\"\nlink = 3\n",
            &["ledger.toml:4:", "`link` must be a string"],
        ),
    ];
    for (content, needles) in cases {
        let file = ledger(&dir, content);
        for args in [
            vec!["run", "--cases", "10", "--ledger", path(&file)],
            vec!["ledger", "update", "--cases", "10", "--ledger", path(&file)],
        ] {
            let out = spoolcheck(&args);
            assert_eq!(out.status.code(), Some(2), "{content}\n{}", both(&out));
            let err = text(&out.stderr);
            for needle in needles {
                assert!(err.contains(needle), "`{needle}` missing from: {err}");
            }
            assert!(out.stdout.is_empty(), "nothing runs: {}", both(&out));
        }
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            content,
            "a bad ledger is never overwritten"
        );
    }
    let out = spoolcheck(&["ledger", "update", "--shard", "1/2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("whole run"), "{}", both(&out));
    let out = spoolcheck(&["run", "--ledger", "/no/such/ledger.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/no/such/ledger.toml"));
}

#[test]
fn bad_choices_and_trace_files_name_the_file_the_line_and_the_field() {
    let dir = scratch("bad-files");
    let choices = dir.join("choices.toml");
    std::fs::write(
        &choices,
        "version = 1\nprofile = \"provider\"\nsubmision = true\n",
    )
    .unwrap();
    let out = spoolcheck(&["run", "--choices", path(&choices), "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("choices.toml") && err.contains("line 3") && err.contains("submision"),
        "{err}"
    );
    assert!(out.stdout.is_empty());

    // An unknown key is refused however it is spelt, even one that starts like `version`.
    std::fs::write(&choices, "\"version\" = 1\nversion_typo = 2\n").unwrap();
    let out = spoolcheck(&["run", "--choices", path(&choices)]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("choices.toml: line 2") && err.contains("unknown key `version_typo`"),
        "{err}"
    );
    assert!(out.stdout.is_empty());

    let trace = dir.join("trace.json");
    std::fs::write(
        &trace,
        "{\"format\": \"spoolcheck-trace\", \"version\": 2,\n \"implementation\": \"x\",\n \"choices\": {\"profile\": \"sideways\"}}",
    )
    .unwrap();
    let out = spoolcheck(&["replay", path(&trace)]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("trace.json:3:") && err.contains("sideways"),
        "{err}"
    );

    // A report given to `merge` is read the same way.
    let report = dir.join("report.json");
    std::fs::write(
        &report,
        "{\"format\": \"spoolcheck-report\", \"version\": 2,\n \"cases\": \"many\"}",
    )
    .unwrap();
    let out = spoolcheck(&["merge", path(&report)]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("report.json:2:") && err.contains("many"),
        "{err}"
    );

    // A report of the previous version is refused, naming the version.
    std::fs::write(
        &report,
        "{\"format\": \"spoolcheck-report\", \"version\": 1, \"cases\": 3}",
    )
    .unwrap();
    let out = spoolcheck(&["merge", path(&report)]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("version 1") && err.contains("version 2"),
        "{err}"
    );
}

#[test]
fn min_coverage_fails_a_run_that_never_reaches_an_applicable_rule() {
    // Two-operation cases cannot reach most rules.
    let out = spoolcheck(&[
        "run",
        "--cases",
        "20",
        "--max-len",
        "2",
        "--min-coverage",
        "all",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let report = json(&out);
    assert_eq!(report["coverage"]["met"], false);
    let never = report["coverage"]["never_reached"].as_array().unwrap();
    assert!(never.iter().any(|r| r == "SPL-06"), "{never:?}");
    assert!(report["reasons"][0]
        .as_str()
        .unwrap()
        .contains("never reached: "));
    let out = spoolcheck(&[
        "run",
        "--cases",
        "20",
        "--max-len",
        "2",
        "--min-coverage",
        "all",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("minimum all NOT met")
            && stdout.contains("never reached: ")
            && stdout.contains("SPL-06"),
        "{stdout}"
    );
    // A low percentage passes; a full run of the reference reaches every applicable rule.
    let low = spoolcheck(&[
        "run",
        "--cases",
        "20",
        "--max-len",
        "2",
        "--min-coverage",
        "5%",
    ]);
    assert_eq!(low.status.code(), Some(0), "{}", both(&low));
    let full = spoolcheck(&["run", "--cases", "400", "--min-coverage", "all"]);
    assert_eq!(full.status.code(), Some(0), "{}", both(&full));
    assert_eq!(
        spoolcheck(&["run", "--min-coverage", "most"]).status.code(),
        Some(2)
    );
}

#[test]
fn shards_are_disjoint_and_merge_into_the_unsharded_run() {
    let dir = scratch("shards");
    let run = |shard: &str, file: &str| {
        let file = dir.join(file);
        let out = spoolcheck(&[
            "run",
            "--cases",
            "150",
            "--seed",
            "5",
            "--shard",
            shard,
            "--json",
            path(&file),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", both(&out));
        file
    };
    let whole = run("1/1", "whole.json");
    let parts: Vec<PathBuf> = (1..=3)
        .map(|k| run(&format!("{k}/3"), &format!("part{k}.json")))
        .collect();
    let whole_doc = load(&whole);
    let docs: Vec<Value> = parts.iter().map(|p| load(p)).collect();
    let sum = |field: &str| docs.iter().map(|d| d[field].as_u64().unwrap()).sum::<u64>();
    assert_eq!(sum("cases"), whole_doc["cases"].as_u64().unwrap());
    assert_eq!(sum("cases"), 150);
    assert_eq!(sum("steps"), whole_doc["steps"].as_u64().unwrap());
    for (i, rule) in whole_doc["coverage"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let parts: u64 = docs
            .iter()
            .map(|d| d["coverage"]["rules"][i]["exercised"].as_u64().unwrap())
            .sum();
        assert_eq!(
            parts,
            rule["exercised"].as_u64().unwrap(),
            "{}",
            rule["rule"]
        );
    }
    // Each shard ran a third of the cases, and not the same ones.
    assert!(docs.iter().all(|d| d["cases"] == 50));
    assert_ne!(docs[0]["steps"], docs[1]["steps"]);

    // Merged, the shards are the whole run.
    let merged_file = dir.join("merged.json");
    let mut args = vec![
        "merge",
        "--json",
        path(&merged_file),
        "--min-coverage",
        "all",
    ];
    args.extend(parts.iter().map(|p| path(p)));
    let out = spoolcheck(&args);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(text(&out.stdout).contains("CONFORMANT"), "{}", both(&out));
    let merged = load(&merged_file);
    for field in [
        "cases", "steps", "coverage", "failures", "expected", "stale",
    ] {
        let mut expected = whole_doc[field].clone();
        if field == "coverage" {
            expected["min"] = "all".into();
        }
        assert_eq!(merged[field], expected, "{field}");
    }
    assert_eq!(merged["shards"].as_array().unwrap().len(), 3);

    // A missing or doubled shard is refused.
    let out = spoolcheck(&["merge", path(&parts[0]), path(&parts[2])]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("2/3"), "{}", both(&out));
    let out = spoolcheck(&["merge", path(&parts[0]), path(&parts[0]), path(&parts[1])]);
    assert_eq!(out.status.code(), Some(2));
    let out = spoolcheck(&["merge", path(&whole), path(&parts[0])]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert_eq!(
        spoolcheck(&["run", "--shard", "4/3"]).status.code(),
        Some(2)
    );
    assert_eq!(
        spoolcheck(&["run", "--shard", "two"]).status.code(),
        Some(2)
    );
}

#[test]
fn a_stale_entry_of_one_shard_is_judged_over_all_shards() {
    let dir = scratch("shard-stale");
    let ledger = ledger(
        &dir,
        "[[deviation]]\nrule = \"SPL-06\"\nreason = \"the flag is lazy\"\n",
    );
    let mut files = Vec::new();
    for k in 1..=2 {
        let file = dir.join(format!("part{k}.json"));
        let out = spoolcheck(&[
            "run",
            "--cases",
            "100",
            "--shard",
            &format!("{k}/2"),
            "--ledger",
            path(&ledger),
            "--stale",
            "warn",
            "--json",
            path(&file),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", both(&out));
        files.push(file);
    }
    let junit = dir.join("junit.xml");
    let out = spoolcheck(&[
        "merge",
        "--junit",
        path(&junit),
        path(&files[0]),
        path(&files[1]),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(text(&out.stdout).contains("STALE SPL-06"), "{}", both(&out));
    let xml = std::fs::read_to_string(&junit).unwrap();
    let junit = parse_xml(&xml);
    let failure = child(testcase(&junit, "SPL-06: "), "failure").expect("SPL-06 failed");
    assert_eq!(failure.attribute("type"), Some("stale"), "{xml}");
}

#[test]
fn the_progress_bar_stays_off_when_standard_error_is_not_a_terminal() {
    let out = spoolcheck(&["run", "--cases", "100"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}
