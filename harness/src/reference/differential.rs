//! The differential loop of the tests: generated operation sequences, each step judged against the
//! model, and the model's invariants checked on every observation.

use crate::seam::{exchange, Implementation};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use spoolcheck_model::generate::{pick, plan, Plan};
use spoolcheck_model::invariants::check_observation;
use spoolcheck_model::verdict::{judge, next_state, Actual, Verdict};
use spoolcheck_model::{step, Choices, Op, RuleId, State};
use std::fmt;

/// The most operations in a generated case.
pub(crate) const MAX_OPS: usize = 40;

/// A failing case: the operations up to the failing one, and what went wrong there.
#[derive(Clone, Debug)]
pub(crate) struct Failure {
    /// The operations applied, the failing one last.
    pub ops: Vec<Op>,
    /// The rule named first.
    pub rule: RuleId,
    /// The violations (or the broken invariant), one per line.
    pub detail: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, op) in self.ops.iter().enumerate() {
            writeln!(f, "  {:>2}. {op}", i + 1)?;
        }
        write!(f, "{}", self.detail)
    }
}

/// Runs one plan against `store`, stepping the model along the outcome the store took.
pub(crate) fn run_plan(
    store: &mut dyn Implementation,
    choices: &Choices,
    plan: &Plan,
) -> Result<(), Failure> {
    store.reset(choices).expect("reset");
    let mut state = State::new(choices.clone());
    let mut ops = Vec::new();
    for &seed in &plan.seeds {
        let Some(op) = pick(&state, &plan.swarm, seed) else {
            continue;
        };
        ops.push(op.clone());
        let expected = step(&state, &op);
        let response = exchange(store, &op).expect("the reference answers every call");
        let actual = Actual {
            ret: response.ret,
            calls: response.calls,
            notifications: response.notifications,
            observation: response.observation,
        };
        match judge(&op, &expected, &actual) {
            Verdict::Pass { outcome } => state = next_state(&expected.outcomes[outcome], &actual),
            Verdict::Fail { violations, .. } => {
                let detail: Vec<String> = violations.iter().map(|v| format!("  {v}")).collect();
                return Err(Failure {
                    ops,
                    rule: violations[0].rule,
                    detail: detail.join("\n"),
                });
            }
        }
        if let Err(broken) = check_observation(&actual.observation) {
            return Err(Failure {
                ops,
                rule: broken.rule,
                detail: format!("  {broken}"),
            });
        }
    }
    Ok(())
}

/// A runner with a fixed seed.
fn runner(seed: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// Tries up to `cases` generated plans. On the first failure returns how many cases it took and the
/// failure as found (not shrunk: its first violation is the one the defect caused first).
pub(crate) fn first_failure(
    store: &mut dyn Implementation,
    choices: &Choices,
    seed: u64,
    cases: u32,
) -> Option<(u32, Failure)> {
    let mut runner = runner(seed);
    let strategy = plan(MAX_OPS);
    for case in 1..=cases {
        let tree = strategy
            .new_tree(&mut runner)
            .expect("plans always generate");
        if let Err(failure) = run_plan(store, choices, &tree.current()) {
            return Some((case, failure));
        }
    }
    None
}

/// Like [`first_failure`], but shrinks the failing plan to a short one, for a readable report.
pub(crate) fn shrunk_failure(
    store: &mut dyn Implementation,
    choices: &Choices,
    seed: u64,
    cases: u32,
) -> Option<(u32, Failure)> {
    let mut runner = runner(seed);
    let strategy = plan(MAX_OPS);
    for case in 1..=cases {
        let mut tree = strategy
            .new_tree(&mut runner)
            .expect("plans always generate");
        let Err(mut best) = run_plan(store, choices, &tree.current()) else {
            continue;
        };
        let mut budget = 2_000;
        if tree.simplify() {
            while budget > 0 {
                budget -= 1;
                match run_plan(store, choices, &tree.current()) {
                    Err(failure) => {
                        best = failure;
                        if !tree.simplify() {
                            break;
                        }
                    }
                    Ok(()) if !tree.complicate() => break,
                    Ok(()) => {}
                }
            }
        }
        return Some((case, best));
    }
    None
}
