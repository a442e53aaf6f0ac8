//! Builds what the adapter tests load: the example C provider (with `make`), the faulty C fixture
//! (with the C compiler), the MAPI bridge and the example MAPI provider with its mutant and faulty
//! builds (with `make`), and finds a Python with grpcio for the example Python provider. Each is
//! built once per test run, into cargo's temporary directory for integration tests.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn build_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("native")
}

/// The example C provider, and its mutant: `(library, mutant)`.
pub fn c_example() -> &'static (PathBuf, PathBuf) {
    static BUILT: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let out = build_dir().join("c-provider");
        let status = Command::new("make")
            .arg("-s")
            .arg("-C")
            .arg(root().join("examples/c-provider"))
            .arg(format!("BUILD={}", out.display()))
            .args(["all", "mutant"])
            .status()
            .expect("`make` runs (the C example needs make and a C compiler)");
        assert!(status.success(), "building examples/c-provider failed");
        (
            out.join("libspoolcheck_example.so"),
            out.join("libspoolcheck_example_mutant.so"),
        )
    })
}

/// The faulty fixture built with `-DFAULT_<fault>` (see tests/fixtures/faulty-provider.c).
pub fn faulty(fault: &str) -> PathBuf {
    static LOCK: Mutex<()> = Mutex::new(());
    let _one_at_a_time = LOCK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let out = build_dir().join(format!("libfaulty_{}.so", fault.to_lowercase()));
    let sources = [
        root().join("tests/fixtures/faulty-provider.c"),
        root().join("harness/include/spoolcheck.h"),
    ];
    if is_newer_than_all(&out, &sources) {
        return out;
    }
    std::fs::create_dir_all(build_dir()).expect("the build directory can be made");
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(&compiler)
        .args([
            "-std=c11", "-Wall", "-Wextra", "-Werror", "-fPIC", "-shared",
        ])
        .arg(format!("-I{}", root().join("harness/include").display()))
        .arg(format!("-DFAULT_{fault}"))
        .arg("-o")
        .arg(&out)
        .arg(root().join("tests/fixtures/faulty-provider.c"))
        .status()
        .unwrap_or_else(|e| panic!("`{compiler}` runs: {e}"));
    assert!(status.success(), "building the {fault} fixture failed");
    out
}

/// Whether `built` exists and is newer than every one of `sources`: a build left by an earlier
/// test run against an older header is made again, never loaded.
fn is_newer_than_all(built: &Path, sources: &[PathBuf]) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let Some(built) = modified(built) else {
        return false;
    };
    sources
        .iter()
        .all(|s| modified(s).is_some_and(|source| source <= built))
}

/// The command that serves the example Python provider on `{port}`, if this machine has Python
/// with grpcio. Where `SPOOLCHECK_REQUIRE_PYTHON=1` (CI sets it), a missing one fails the test
/// instead of leaving the Python adapter out.
pub fn python_provider() -> Option<String> {
    let script = root().join("examples/python-provider/provider.py");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let ready = Command::new(&python)
        .args(["-c", "import grpc, grpc_tools"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ready {
        assert!(
            std::env::var_os("SPOOLCHECK_REQUIRE_PYTHON").is_none_or(|v| v != "1"),
            "SPOOLCHECK_REQUIRE_PYTHON=1 but `{python}` cannot import grpc and grpc_tools: \
             python3 -m pip install -r examples/python-provider/requirements.txt"
        );
        eprintln!(
            "note: the Python adapter case is left out: `{python}` cannot import grpcio \
             (python3 -m pip install -r examples/python-provider/requirements.txt)"
        );
        return None;
    }
    Some(format!("{python} {} --port {{port}}", script.display()))
}

/// The MAPI bridge and the example MAPI provider's builds.
pub struct MapiBuilds {
    /// The bridge library, built against the project's own MAPI headers.
    pub bridge: PathBuf,
    /// The example provider.
    pub example: PathBuf,
    /// Its mutant (breaks SPL-06).
    pub mutant: PathBuf,
    /// It crashes in IMSProvider::Logon.
    pub logon_crash: PathBuf,
    /// It hangs in IMessage::SubmitMessage.
    pub submit_hang: PathBuf,
    /// It leaks MAPI memory and calls IMAPISupport::OpenAddressBook.
    pub leak: PathBuf,
    /// The example's provider config.
    pub config: PathBuf,
}

fn make(dir: &Path, out: &Path, targets: &[&str]) {
    let status = Command::new("make")
        .arg("-s")
        .arg("-C")
        .arg(dir)
        .arg(format!("BUILD={}", out.display()))
        .args(targets)
        .status()
        .expect("`make` runs (the MAPI bridge and example need make and a C++17 compiler)");
    assert!(status.success(), "building {} failed", dir.display());
}

/// Builds the bridge and the example MAPI provider (once).
pub fn mapi() -> &'static MapiBuilds {
    static BUILT: OnceLock<MapiBuilds> = OnceLock::new();
    BUILT.get_or_init(|| {
        let bridge = build_dir().join("mapi-bridge");
        make(&root().join("harness/mapi-bridge"), &bridge, &["all"]);
        let example = build_dir().join("mapi-provider");
        make(
            &root().join("examples/mapi-provider"),
            &example,
            &["all", "mutant", "faults"],
        );
        let lib = |name: &str| example.join(format!("libspoolcheck_mapi_example{name}.so"));
        MapiBuilds {
            bridge: bridge.join("libspoolcheck_mapi_bridge.so"),
            example: lib(""),
            mutant: lib("_mutant"),
            logon_crash: lib("_logon_crash"),
            submit_hang: lib("_submit_hang"),
            leak: lib("_leak"),
            config: root().join("examples/mapi-provider/provider.toml"),
        }
    })
}
