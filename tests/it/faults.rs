//! Implementations that crash, abort, exit, hang, answer nonsense or cannot be reached, through the
//! command line: each is a report (indeterminate or malformed, with the counterexample saved and
//! the report written) or a clear usage error, and the harness itself survives.

use super::command::{spoolcheck, text};
use super::{command, native};
use std::path::{Path, PathBuf};
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    command::scratch("faults", name)
}

fn traces_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect()
        })
        .unwrap_or_default()
}

/// Runs the suite on a faulty library and checks the report: not conformant (exit 1), the fault
/// named as indeterminate, the report written and a trace saved.
fn run_faulty(fault: &str, extra: &[&str], expect: &str) {
    let library = native::faulty(fault);
    let dir = scratch(fault);
    let out = dir.join("failures");
    let json = dir.join("report.json");
    let mut args = vec![
        "run",
        "--cabi",
        library.to_str().expect("a UTF-8 path"),
        "--out",
        out.to_str().expect("a UTF-8 path"),
        "--json",
        json.to_str().expect("a UTF-8 path"),
    ];
    args.extend_from_slice(extra);
    let o = spoolcheck(&args);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(
        t.contains("indeterminate") || t.contains("malformed"),
        "{t}"
    );
    assert!(t.contains(expect), "expected `{expect}` in:\n{t}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("the report is written"))
            .expect("the report is JSON");
    assert_eq!(report["verdict"], "not-conformant", "{t}");
    let saved = traces_in(&out);
    assert_eq!(saved.len(), 1, "one counterexample saved: {t}");
}

#[test]
fn an_isolated_segfault_is_indeterminate_and_the_harness_survives() {
    run_faulty("SEGV", &["--isolate"], "killed by signal 11 (SIGSEGV)");
}

#[test]
fn an_isolated_abort_is_indeterminate() {
    run_faulty("ABORT", &["--isolate"], "killed by signal 6 (SIGABRT)");
}

#[test]
fn an_isolated_exit_is_indeterminate() {
    run_faulty("EXIT", &["--isolate"], "died: exit code 3");
}

#[test]
fn an_isolated_hang_times_out() {
    run_faulty(
        "HANG",
        &["--isolate", "--timeout-ms", "300"],
        "no answer within 300 ms",
    );
}

#[test]
fn nonsense_through_the_c_abi_is_malformed() {
    run_faulty(
        "BAD_FOLDER",
        &[],
        "folder code 42 is not SPOOLCHECK_FOLDER_*",
    );
    run_faulty("BAD_STATUS", &[], "status 7 is not SPOOLCHECK_OK");
    run_faulty(
        "BAD_ROW",
        &[],
        "m1, recipient row 0: address type code 9 is not SPOOLCHECK_ADDR_*",
    );
}

#[test]
fn a_library_of_contract_version_1_is_refused_naming_the_version() {
    let library = native::faulty("V1");
    for isolate in [false, true] {
        let mut args = vec!["run", "--cabi", library.to_str().expect("UTF-8")];
        if isolate {
            args.push("--isolate");
        }
        let o = spoolcheck(&args);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{t}");
        assert!(
            t.contains("implements version 1 of the provider contract"),
            "{t}"
        );
    }
}

#[test]
fn a_library_without_the_entry_point_is_a_usage_error() {
    let library = native::faulty("NO_ENTRY");
    for isolate in [false, true] {
        let mut args = vec!["run", "--cabi", library.to_str().expect("UTF-8")];
        if isolate {
            args.push("--isolate");
        }
        let o = spoolcheck(&args);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{t}");
        assert!(t.contains("does not export spoolcheck_provider_v2"), "{t}");
    }
    let o = spoolcheck(&["run", "--cabi", "/nonexistent/libnothing.so"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("cannot load /nonexistent/libnothing.so"));
}

#[test]
fn a_grpc_server_that_dies_mid_run_is_reported_with_a_partial_report() {
    let dir = scratch("server-dies");
    let out = dir.join("failures");
    let json = dir.join("report.json");
    // The server is stopped one second in; the run needs several seconds.
    let command = format!(
        "timeout 1 {} serve --port {{port}}",
        env!("CARGO_BIN_EXE_spoolcheck")
    );
    let o = spoolcheck(&[
        "run",
        "--grpc-spawn",
        &command,
        "--cases",
        "20000",
        "--out",
        out.to_str().expect("UTF-8"),
        "--json",
        json.to_str().expect("UTF-8"),
    ]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("indeterminate"), "{t}");
    assert!(t.contains("the implementation is gone"), "{t}");
    let report = std::fs::read_to_string(&json).expect("the partial report is written");
    assert!(
        report.contains("\"verdict\": \"not-conformant\""),
        "{report}"
    );
    assert_eq!(traces_in(&out).len(), 1, "{t}");
}

#[test]
fn servers_that_cannot_be_used_are_usage_errors() {
    let dir = scratch("bad-servers");
    let out = dir.to_str().expect("UTF-8");
    for (args, expect) in [
        (
            vec!["--grpc-spawn", "false {port}"],
            "exited (exit code 1) before it answered",
        ),
        (
            vec!["--grpc-spawn", "sleep 5"],
            "needs `{port}` in its command",
        ),
        (
            vec!["--grpc", "http://127.0.0.1:1"],
            "cannot connect to http://127.0.0.1:1",
        ),
        (vec!["--grpc", "not a url"], "is not a gRPC address"),
    ] {
        let mut full = vec!["run", "--out", out];
        full.extend(args);
        let o = spoolcheck(&full);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{t}");
        assert!(t.contains(expect), "expected `{expect}` in:\n{t}");
    }
    let o = spoolcheck(&["run", "--isolate"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = spoolcheck(&["run", "--grpc", "http://x", "--cabi", "y.so"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn a_library_that_hangs_while_it_is_made_times_out() {
    let library = native::faulty("CREATE_HANG");
    let dir = scratch("create-hang");
    for isolate in [false, true] {
        let mut args = vec![
            "run",
            "--cabi",
            library.to_str().expect("UTF-8"),
            "--timeout-ms",
            "500",
            "--out",
            dir.to_str().expect("UTF-8"),
        ];
        if isolate {
            args.push("--isolate");
        }
        let o = spoolcheck(&args);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{t}");
        assert!(t.contains("no answer within 500 ms"), "{t}");
    }
}

#[test]
fn an_interrupted_run_stops_the_processes_it_started() {
    // A copy under a name of its own, so the process check below sees only this test's child.
    let dir = scratch("interrupted");
    let library = dir.join("libinterrupted_hang.so");
    std::fs::copy(native::faulty("HANG"), &library).expect("a copy of the fixture");
    let mut run = Command::new(env!("CARGO_BIN_EXE_spoolcheck"))
        .args(["run", "--isolate", "--timeout-ms", "60000", "--cabi"])
        .arg(&library)
        .arg("--out")
        .arg(dir.join("failures"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spoolcheck starts");
    let children = || {
        Command::new("pgrep")
            .args(["-f", "__cabi-host .*libinterrupted_hang"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).lines().count())
            .unwrap_or(0)
    };
    // The run starts a short-lived child to check that the library loads, then the child that
    // hangs: wait until a child stays (two sightings 300 ms apart), so it is the hanging one.
    let started = std::time::Instant::now();
    let mut settled = false;
    while !settled && started.elapsed() < std::time::Duration::from_secs(30) {
        if children() > 0 {
            std::thread::sleep(std::time::Duration::from_millis(300));
            settled = children() > 0;
        } else {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
    assert!(settled, "the hanging isolated child never started");
    let status = Command::new("kill")
        .args(["-TERM", &run.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let exit = run.wait().expect("spoolcheck exits");
    assert_eq!(exit.code(), Some(130));
    assert_eq!(children(), 0, "an isolated child outlived the harness");
}

#[test]
fn a_spawned_server_is_stopped_when_the_run_ends() {
    // A link of its own name to the binary, so the process check sees only this test's server.
    let dir = scratch("spawned-stopped");
    let link = dir.join("spoolcheck-spawned-server");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_spoolcheck"), &link).expect("a link");
    let command = format!("{} serve --port {{port}}", link.display());
    let o = spoolcheck(&[
        "run",
        "--grpc-spawn",
        &command,
        "--cases",
        "20",
        "--out",
        dir.to_str().expect("UTF-8"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let left = Command::new("pgrep")
        .args(["-f", "spoolcheck-spawned-server"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).lines().count())
        .unwrap_or(0);
    assert_eq!(left, 0, "the spawned server outlived the run");
}
