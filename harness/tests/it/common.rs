//! Helpers shared by the test modules: factories for the reference provider and its mutants, a run
//! that stops at a mutant's first failure, self-removing temporary directories, and the report text
//! without its timing.

use spoolcheck_harness::driver::Factory;
use spoolcheck_harness::failure::Failure;
use spoolcheck_harness::mutant::Mutant;
use spoolcheck_harness::reference::ReferenceStore;
use spoolcheck_harness::runner::{run, RunConfig, RunReport};
use spoolcheck_harness::seam::Implementation;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Makes correct reference stores.
pub fn reference() -> Arc<Factory> {
    Arc::new(|| Ok(Box::new(ReferenceStore::new()) as Box<dyn Implementation>))
}

/// Makes reference stores carrying `mutant`.
pub fn mutant(mutant: Mutant) -> Arc<Factory> {
    Arc::new(move || Ok(Box::new(ReferenceStore::with_mutant(mutant)) as Box<dyn Implementation>))
}

/// The reference with several defects: a store with more than one distinct deviation.
pub fn mutants(list: &'static [Mutant]) -> Arc<Factory> {
    Arc::new(move || Ok(Box::new(ReferenceStore::with_mutants(list)) as Box<dyn Implementation>))
}

/// The settings the self-test uses for one mutant: its choices, stop at the first failure.
pub fn kill_config(m: Mutant, seed: u64) -> RunConfig {
    RunConfig {
        choices: m.choices(),
        seed,
        cases: 2_000,
        max_failures: 1,
        stop_at_first: Some(true),
        ..RunConfig::default()
    }
}

/// Runs the suite against a mutant until its first failure and returns the report and that failure.
pub fn first_failure(m: Mutant, seed: u64) -> (RunReport, Failure) {
    let report = run(mutant(m), &kill_config(m, seed));
    let failure = report
        .failures
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("mutant {} was not caught with seed {seed}", m.name()));
    (report, failure)
}

/// A fresh directory under the system's temporary directory, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new, empty directory whose name contains `label`.
    pub fn new(label: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "spoolcheck-harness-it-{}-{label}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("the temporary directory can be created");
        TempDir(path)
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The report text without the summary line that carries the wall-clock time (`... , 0.1 s`).
pub fn without_timing(text: &str) -> String {
    let kept: Vec<&str> = text
        .lines()
        .filter(|line| !(line.contains(" cases, ") && line.ends_with(" s")))
        .collect();
    assert_eq!(
        kept.len() + 1,
        text.lines().count(),
        "exactly one timing line is removed from:\n{text}"
    );
    kept.join("\n")
}
