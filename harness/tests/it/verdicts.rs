//! Counterexamples are real: a store the declared choices allow passes however it is searched,
//! minimal traces keep every constraint generation keeps on the path the implementation took, a
//! failure that does not come back is reported as found with the shorter trace beside it, and a
//! verdict the bundled reference shares is the suite's fault (a harness error), never the
//! implementation's.

use crate::common::{mutant, mutants};
use spoolcheck_harness::json_report::FailureDoc;
use spoolcheck_harness::mutant::Mutant;
use spoolcheck_harness::reference::ReferenceStore;
use spoolcheck_harness::report::{self, RunVerdict};
use spoolcheck_harness::runner::{run, Reference, RunConfig};
use spoolcheck_harness::seam::{Implementation, SeamError, Support};
use spoolcheck_model::choices::LockAfterRestart;
use spoolcheck_model::precondition::precondition;
use spoolcheck_model::verdict::{judge, next_state, Actual, Verdict};
use spoolcheck_model::{step, Choices, Observation, Op, Ret, State};
use std::sync::Arc;

/// A store that keeps its spooler locks across a restart, under `lock_after_restart = "either"`,
/// which allows it: no seed may find a failure in it.
#[test]
fn a_store_keeping_locks_where_either_is_declared_passes_every_seed() {
    let choices = Choices {
        lock_after_restart: LockAfterRestart::Either,
        ..Choices::default()
    };
    for seed in 0..=20 {
        let config = RunConfig {
            choices: choices.clone(),
            seed,
            cases: 2048,
            ..RunConfig::default()
        };
        let report = run(mutant(Mutant::Persist01LockKept), &config);
        assert!(
            report.failures.is_empty(),
            "seed {seed}:\n{}",
            report::render(&report, false, &[])
        );
    }
}

/// Steps the model along a trace as the runner does, following the implementation's answers, and
/// checks that every operation keeps its preconditions (a call a real party would make there, a
/// clock that moves forward) in the state the implementation was really in.
fn keeps_constraints(
    choices: &Choices,
    ops: &[Op],
    observed: &[spoolcheck_harness::seam::Response],
) {
    let mut state = State::new(choices.clone());
    for (i, (op, response)) in ops.iter().zip(observed).enumerate() {
        assert!(
            precondition(&state, op),
            "operation {} ({op}) breaks generation's constraints in {ops:?}",
            i + 1
        );
        let actual = Actual {
            ret: response.ret.clone(),
            calls: response.calls.clone(),
            notifications: response.notifications.clone(),
            observation: response.observation.clone(),
        };
        let result = step(&state, op);
        state = match judge(op, &result, &actual) {
            Verdict::Pass { outcome } => next_state(&result.outcomes[outcome], &actual),
            Verdict::Fail { outcome, .. } => next_state(&result.outcomes[outcome], &actual),
        };
    }
}

#[test]
fn minimal_traces_keep_the_constraints_generation_keeps() {
    // Mutants whose deviations come after restarts, locks and the spooler's work, where the
    // implementation takes other outcomes than the model's defaults.
    let chosen = [
        Mutant::Persist01LockKept,
        Mutant::Persist01LockDropped,
        Mutant::Persist03QueueLost,
        Mutant::Spl07UnlockIgnored,
        Mutant::Submit12Lifo,
        Mutant::Abort04AbortLocked,
        Mutant::Flag15FlagsKept,
        Mutant::Pre02ReverseOrder,
        Mutant::Spl02SendsWhileDown,
        Mutant::Spl21NeverFinished,
    ];
    for m in chosen {
        let config = RunConfig {
            choices: m.choices(),
            cases: 512,
            ..RunConfig::default()
        };
        let report = run(mutant(m), &config);
        assert_eq!(report.failures.len(), 1, "{m}");
        for f in &report.failures {
            keeps_constraints(&f.choices, &f.ops, &f.observed);
        }
    }
}

/// A store that carries the SPL-06 defect in its first two cases that lock a message, and is
/// correct from then on: so the failure is found, a shorter trace fails once while shrinking,
/// and neither fails again.
struct FlakyLock {
    locking_cases: u32,
    locked_in_this_case: bool,
    inner: ReferenceStore,
}

impl Implementation for FlakyLock {
    fn name(&self) -> String {
        "flaky".into()
    }

    fn reset(&mut self, choices: &Choices) -> Result<(), SeamError> {
        if self.locked_in_this_case {
            self.locking_cases += 1;
        }
        self.locked_in_this_case = false;
        self.inner = if self.locking_cases < 2 {
            ReferenceStore::with_mutant(Mutant::Spl06NoLockedFlag)
        } else {
            ReferenceStore::new()
        };
        self.inner.reset(choices)
    }

    fn apply(&mut self, op: &Op, support: &mut dyn Support) -> Result<Ret, SeamError> {
        if let Op::SetLockState { lock: true, .. } = op {
            self.locked_in_this_case = true;
        }
        self.inner.apply(op, support)
    }

    fn observe(&mut self) -> Result<Observation, SeamError> {
        self.inner.observe()
    }
}

#[test]
fn a_failure_that_does_not_come_back_is_reported_as_found_and_said_to_vary() {
    let factory: Arc<spoolcheck_harness::driver::Factory> = Arc::new(|| {
        Ok(Box::new(FlakyLock {
            locking_cases: 0,
            locked_in_this_case: false,
            inner: ReferenceStore::new(),
        }) as _)
    });
    let report = run(factory, &RunConfig::default());
    let text = report::render(&report, false, &[]);
    assert_eq!(report.failures.len(), 1, "{text}");
    let f = &report.failures[0];
    assert_eq!(f.signature(), "SPL-06", "{text}");
    // The store is correct by now, so neither the trace found nor a shorter one fails again.
    assert!(f.unrepeatable, "{text}");
    assert!(text.contains("did not fail again"), "{text}");
    let doc = FailureDoc::of(f, false, None);
    assert!(doc.unrepeatable);
    if let Some(shorter) = &f.shrunk {
        assert!(text.contains("note: shrinking found a"), "{text}");
        assert_eq!(doc.unconfirmed_minimal.as_ref(), Some(&shorter.ops));
    }
}

#[test]
fn a_verdict_the_reference_shares_is_a_harness_error() {
    const BROKEN: &[Mutant] = &[Mutant::Spl06NoLockedFlag];
    let config = RunConfig {
        reference: Reference::replaced_by(mutants(BROKEN)),
        ..RunConfig::default()
    };
    let report = run(mutant(Mutant::Spl06NoLockedFlag), &config);
    let text = report::render(&report, false, &[]);
    assert_eq!(report.failures.len(), 1, "{text}");
    assert!(report.failures[0].reference_fails.is_some(), "{text}");
    assert_eq!(RunVerdict::of(&report, false), RunVerdict::HarnessError);
    assert_eq!(RunVerdict::of(&report, false).exit_code(), 2);
    assert!(text.contains("fault of spoolcheck"), "{text}");
    // With the real reference the same store is the implementation's failure.
    let honest = run(mutant(Mutant::Spl06NoLockedFlag), &RunConfig::default());
    assert!(honest.failures[0].reference_fails.is_none());
    assert_eq!(RunVerdict::of(&honest, false), RunVerdict::NotConformant);
}
