//! The suite's own commands, run as a user runs them: exit statuses, saved traces, replays and
//! clear errors for bad input.

use std::path::PathBuf;
use std::process::{Command, Output};

fn spoolcheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spoolcheck"))
        .args(args)
        .output()
        .expect("the spoolcheck binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("spoolcheck-suite-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

#[test]
fn the_reference_conforms() {
    let out = spoolcheck(&["run", "--cases", "300"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("CONFORMANT"));
}

#[test]
fn a_mutant_fails_with_a_saved_trace_that_replays() {
    let dir = scratch("mutant");
    let out = spoolcheck(&[
        "run",
        "--mutant",
        "spl06-no-locked-flag",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("SPL-06 (MUST)")
            && stdout.contains("S120")
            && stdout.contains("as a Rust test"),
        "{stdout}"
    );
    let saved: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(saved.len(), 1, "one counterexample file");
    assert!(
        stdout.contains(saved[0].to_str().unwrap()),
        "the report names the file"
    );
    let trace = saved[0].to_str().unwrap();
    let replayed = spoolcheck(&["replay", trace, "--mutant", "spl06-no-locked-flag"]);
    assert_eq!(replayed.status.code(), Some(1));
    assert!(text(&replayed.stdout).contains("SPL-06"));
    let fixed = spoolcheck(&["replay", trace]);
    assert_eq!(fixed.status.code(), Some(0), "{}", text(&fixed.stdout));
}

#[test]
fn should_failures_are_warnings_unless_strict() {
    let dir = scratch("should");
    let lenient = spoolcheck(&[
        "run",
        "--mutant",
        "access04-default-refused",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        text(&lenient.stdout).contains("WARN ACCESS-04"),
        "{}",
        text(&lenient.stdout)
    );
    assert_eq!(lenient.status.code(), Some(0));
    let strict = spoolcheck(&[
        "run",
        "--mutant",
        "access04-default-refused",
        "--strict",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(strict.status.code(), Some(1), "{}", text(&strict.stdout));
}

#[test]
fn the_same_seed_gives_the_same_report() {
    let dir = scratch("seed");
    let run = |seed: &str| {
        let out = spoolcheck(&[
            "run",
            "--mutant",
            "access02-modify-queued",
            "--seed",
            seed,
            "--out",
            dir.to_str().unwrap(),
        ]);
        // Timings and file names aside.
        text(&out.stdout)
            .lines()
            .filter(|l| !l.contains(" s") && !l.contains("saved:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(run("7"), run("7"));
}

#[test]
fn selftest_catches_every_mutant_and_reports_json() {
    let out = spoolcheck(&["selftest", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let kills: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(kills.len() >= 65);
    for k in &kills {
        for field in [
            "mutant",
            "rules",
            "caught",
            "named_rule",
            "shrunk_len",
            "millis",
        ] {
            assert!(k.get(field).is_some(), "{field} missing in {k}");
        }
        assert_eq!(k["caught"], true, "{k}");
    }
}

#[test]
fn bad_input_is_a_clear_usage_error() {
    let dir = scratch("bad");
    let bad_choices = dir.join("choices.toml");
    std::fs::write(
        &bad_choices,
        "version = 1\nlock_after_restart = \"sometimes\"\n",
    )
    .unwrap();
    let out = spoolcheck(&["run", "--choices", bad_choices.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("choices.toml")
            && err.contains("line 2")
            && err.contains("lock_after_restart"),
        "{err}"
    );

    let bad_trace = dir.join("trace.json");
    std::fs::write(
        &bad_trace,
        "{\"format\": \"spoolcheck-trace\",\n \"version\": 2,\n \"opps\": []}",
    )
    .unwrap();
    let out = spoolcheck(&["replay", bad_trace.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("trace.json:3:") && err.contains("opps"),
        "{err}"
    );

    let out = spoolcheck(&["run", "--mutant", "no-such-mutant"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("spl06-no-locked-flag"),
        "lists the mutants"
    );
    assert_eq!(spoolcheck(&["run", "--cases", "0"]).status.code(), Some(2));
    assert_eq!(
        spoolcheck(&["replay", "/no/such/file.json"]).status.code(),
        Some(2)
    );
}

#[test]
fn choices_prints_a_loadable_template() {
    let dir = scratch("choices");
    for (preset, _) in spoolcheck_model::Choices::presets() {
        let out = spoolcheck(&["choices", "--preset", preset]);
        assert_eq!(out.status.code(), Some(0));
        // The file is its own documentation: each key with what it declares, its values, the
        // rules that check it and the ambiguities it settles.
        let printed = text(&out.stdout);
        for expected in [
            "# profile: which parties",
            "\"resend-only\"",
            "# checked by: SUBMIT-04",
            "# settles:    AMB-28 What survives a restart",
            "# [tight_coupling]: ",
            "completion: what the store does",
        ] {
            assert!(
                printed.contains(expected),
                "{preset}: no {expected:?}:\n{printed}"
            );
        }
        let file = dir.join(format!("{preset}.toml"));
        std::fs::write(&file, &out.stdout).unwrap();
        let run = spoolcheck(&["run", "--cases", "50", "--choices", file.to_str().unwrap()]);
        assert_eq!(run.status.code(), Some(0), "{}", text(&run.stdout));
    }
    assert_eq!(
        spoolcheck(&["choices", "--preset", "nope"]).status.code(),
        Some(2)
    );
}
