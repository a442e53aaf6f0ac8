//! `--mapi-provider` as a user runs it: the example MAPI provider through the bridge, a provider
//! that crashes in Logon or hangs in SubmitMessage (reported, with the trace saved), the notes the
//! report lists (calls answered MAPI_E_NO_SUPPORT, leaks), `spoolcheck mapi-bridge build`, and
//! clear usage errors for what cannot be used.

use super::command::{spoolcheck, text};
use super::{command, native};
use std::path::{Path, PathBuf};
use std::process::Output;

fn scratch(name: &str) -> PathBuf {
    command::scratch("mapi", name)
}

fn utf8(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// `spoolcheck run --mapi-provider PROVIDER` with the example's config and the test's bridge.
fn run_mapi(provider: &Path, dir: &Path, extra: &[&str]) -> Output {
    let mapi = native::mapi();
    let out = dir.join("failures");
    let json = dir.join("report.json");
    let mut args = vec![
        "run",
        "--mapi-provider",
        utf8(provider),
        "--provider-config",
        utf8(&mapi.config),
        "--mapi-bridge",
        utf8(&mapi.bridge),
        "--out",
        utf8(&out),
        "--json",
        utf8(&json),
    ];
    args.extend_from_slice(extra);
    spoolcheck(&args)
}

fn traces_in(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn the_example_mapi_provider_conforms_in_process_and_isolated() {
    let mapi = native::mapi();
    for extra in [&[][..], &["--isolate"][..]] {
        let dir = scratch(if extra.is_empty() {
            "example"
        } else {
            "example-isolated"
        });
        let mut args = vec!["--cases", "200"];
        args.extend_from_slice(extra);
        let o = run_mapi(&mapi.example, &dir, &args);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(0), "{t}");
        assert!(
            t.contains("implementation: MAPI provider libspoolcheck_mapi_example.so"),
            "{t}"
        );
        assert!(
            !t.contains("MAPI bridge notes"),
            "the example needs nothing MAPI lacks: {t}"
        );
    }
}

#[test]
fn a_mapi_provider_that_crashes_in_logon_is_indeterminate_with_the_trace_saved() {
    let dir = scratch("logon-crash");
    let o = run_mapi(&native::mapi().logon_crash, &dir, &["--isolate"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("indeterminate"), "{t}");
    assert!(t.contains("killed by signal 11 (SIGSEGV)"), "{t}");
    assert_eq!(traces_in(&dir.join("failures")), 1, "{t}");
    let report = std::fs::read_to_string(dir.join("report.json")).expect("the report is written");
    assert!(
        report.contains("\"verdict\": \"not-conformant\""),
        "{report}"
    );
}

#[test]
fn a_mapi_provider_that_hangs_in_submit_message_times_out_with_the_trace_saved() {
    let dir = scratch("submit-hang");
    let o = run_mapi(
        &native::mapi().submit_hang,
        &dir,
        &["--isolate", "--timeout-ms", "300"],
    );
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("indeterminate"), "{t}");
    assert!(t.contains("SubmitMessage"), "{t}");
    assert!(t.contains("no answer within 300 ms"), "{t}");
    assert_eq!(traces_in(&dir.join("failures")), 1, "{t}");
}

#[test]
fn the_report_lists_calls_answered_no_support_and_leaked_memory() {
    let dir = scratch("leak");
    let o = run_mapi(&native::mapi().leak, &dir, &["--cases", "20"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "notes do not fail a run: {t}");
    assert!(t.contains("MAPI bridge notes:"), "{t}");
    assert!(
        t.contains("IMAPISupport::OpenAddressBook; the harness answered MAPI_E_NO_SUPPORT"),
        "{t}"
    );
    assert!(t.contains("leak: the provider left"), "{t}");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("report.json")).expect("the report is written"),
    )
    .expect("the report is JSON");
    let notes = report["adapter_notes"].as_array().expect("adapter_notes");
    assert_eq!(notes.len(), 2, "{notes:?}");
}

#[test]
fn the_bridge_builds_with_the_documented_command_and_prints_its_path() {
    let dir = scratch("build");
    let o = spoolcheck(&["mapi-bridge", "build", "--out", utf8(&dir)]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    let printed = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert!(printed.ends_with("libspoolcheck_mapi_bridge.so"), "{t}");
    assert!(Path::new(&printed).is_file(), "{t}");
}

#[test]
fn what_cannot_be_used_is_a_usage_error_saying_what_to_do() {
    let mapi = native::mapi();
    let dir = scratch("usage");
    let bad_config = dir.join("bad.toml");
    std::fs::write(
        &bad_config,
        "[properties]\n\"0x6600001E\" = \"{choices.colour}\"\n",
    )
    .unwrap();
    let (c_library, _) = native::c_example();
    let bridge = utf8(&mapi.bridge);
    let example = utf8(&mapi.example);
    for (args, expect) in [
        (
            vec![
                "--mapi-provider",
                "/nonexistent/libnothing.so",
                "--mapi-bridge",
                bridge,
            ],
            "no such file",
        ),
        (
            vec![
                "--mapi-provider",
                example,
                "--mapi-bridge",
                "/nonexistent/bridge.so",
            ],
            "spoolcheck mapi-bridge build",
        ),
        (
            vec![
                "--mapi-provider",
                example,
                "--mapi-bridge",
                bridge,
                "--provider-config",
                utf8(&bad_config),
            ],
            "unknown placeholder {choices.colour}",
        ),
        (
            vec!["--mapi-provider", utf8(c_library), "--mapi-bridge", bridge],
            "does not export MSProviderInit",
        ),
        (
            vec![
                "--mapi-provider",
                example,
                "--mapi-bridge",
                bridge,
                "--profile",
                "system",
            ],
            "profile \"provider\"",
        ),
        (
            vec!["--provider-config", utf8(&bad_config)],
            "--mapi-provider",
        ),
    ] {
        let mut full = vec!["run", "--out", utf8(&dir)];
        full.extend(args);
        let o = spoolcheck(&full);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{t}");
        assert!(t.contains(expect), "expected `{expect}` in:\n{t}");
    }
}
