//! Operations to the first failure, for BENCHMARKS.md: `cargo bench --bench find [-- provider |
//! system | MUTANT...]`.
//!
//! Every mutant of both profiles (as `spoolcheck selftest` lists them) runs twice, side by side:
//! through the runner, as `spoolcheck run --mutant NAME` runs it (until its first failure, shrunk),
//! and through a baseline: the same model driven by a plain proptest-state-machine strategy that
//! picks uniformly among every operation the preconditions allow, judging each step the same way.
//! For each, two counts of operations the implementation executed: until the first failing step
//! was seen (before shrinking), and in all, shrinking included. The baseline gives up after
//! [`CAP`] operations without a failure; its row then shows `>= CAP`.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest};
use spoolcheck_harness::mutant::Mutant;
use spoolcheck_harness::reference::ReferenceStore;
use spoolcheck_harness::runner::{self, rng_for, RunConfig};
use spoolcheck_harness::seam::{exchange, Implementation, SeamError, Support};
use spoolcheck_model::generate::MAX_MESSAGES;
use spoolcheck_model::precondition::{candidates, precondition};
use spoolcheck_model::verdict::{judge, next_state, Actual, Verdict};
use spoolcheck_model::{invariants, step, Choices, Observation, Op, Profile, Ret, State};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Cases per search round, as `spoolcheck run` and `spoolcheck selftest` generate.
const CASES: u32 = 2_048;
/// The longest generated sequence, for both.
const MAX_LEN: usize = 40;
/// The baseline's operations without a failure before it gives up.
const CAP: u64 = 100_000;
/// The baseline's shrinking budget: the runner's.
const SHRINK_ITERS: u32 = 2_048;

fn main() {
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    for profile in [Profile::Provider, Profile::System] {
        let name = format!("{profile:?}").to_lowercase();
        let mutants: Vec<Mutant> = Mutant::ALL
            .iter()
            .copied()
            .filter(|m| m.choices().profile == profile)
            .filter(|m| wanted.is_empty() || wanted.iter().any(|w| *w == name || w == m.name()))
            .collect();
        if !mutants.is_empty() {
            table(&name, &mutants);
        }
    }
}

/// One mutant's counts: the runner's, then the baseline's (the cap where it found nothing).
struct Row {
    mutant: Mutant,
    first: u64,
    total: u64,
    base_first: u64,
    base_total: u64,
    capped: bool,
}

/// The rows of one profile and their summary.
fn table(profile: &str, mutants: &[Mutant]) {
    println!("Profile `{profile}`: operations the implementation executed (seed 0)\n");
    println!("| mutant | runner: to first failure | runner: in all | baseline: to first failure | baseline: in all | baseline / runner (first failure) |");
    println!("|---|---|---|---|---|---|");
    let mut rows = Vec::new();
    for &m in mutants {
        let ours = runner_find(m);
        let theirs = baseline_find(m);
        let (first, base_first) = (ours.first.unwrap_or(u64::MAX), theirs.first.unwrap_or(CAP));
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            m.name(),
            shown(ours.first, u64::MAX),
            ours.total,
            shown(theirs.first, CAP),
            if theirs.first.is_some() {
                theirs.total.to_string()
            } else {
                format!(">= {CAP}")
            },
            ratio(base_first, first, theirs.first.is_none()),
        );
        rows.push(Row {
            mutant: m,
            first,
            total: ours.total,
            base_first,
            base_total: theirs.total,
            capped: theirs.first.is_none(),
        });
    }
    let column = |f: fn(&Row) -> u64| {
        let mut v: Vec<u64> = rows.iter().map(f).collect();
        v.sort_unstable();
        (v[v.len() / 2], v[v.len() - 1])
    };
    let (med_first, worst_first) = column(|r| r.first);
    let (med_total, worst_total) = column(|r| r.total);
    let (bmed_first, bworst_first) = column(|r| r.base_first);
    let (bmed_total, bworst_total) = column(|r| r.base_total);
    let capped = rows.iter().filter(|r| r.capped).count();
    println!(
        "\n| {profile} ({} mutants) | runner | baseline | baseline / runner |",
        rows.len()
    );
    println!("|---|---|---|---|");
    println!(
        "| median, to first failure | {med_first} | {bmed_first} | {:.1} |",
        bmed_first as f64 / med_first as f64
    );
    println!(
        "| worst, to first failure | {worst_first} | {bworst_first} | {:.1} |",
        bworst_first as f64 / worst_first as f64
    );
    println!(
        "| median, in all | {med_total} | {bmed_total} | {:.1} |",
        bmed_total as f64 / med_total as f64
    );
    println!(
        "| worst, in all | {worst_total} | {bworst_total} | {:.1} |",
        bworst_total as f64 / worst_total as f64
    );
    let worse: Vec<String> = rows
        .iter()
        .filter(|r| r.first > r.base_first)
        .map(|r| format!("{} ({} against {})", r.mutant.name(), r.first, r.base_first))
        .collect();
    println!(
        "\nbaseline capped (no failure within {CAP} operations; counted as {CAP}): {capped}; \
         runner worse than the baseline to the first failure: {}\n",
        if worse.is_empty() {
            "none".to_string()
        } else {
            worse.join(", ")
        }
    );
}

fn shown(count: Option<u64>, cap: u64) -> String {
    count.map_or_else(|| format!(">= {cap}"), |n| n.to_string())
}

fn ratio(baseline: u64, runner: u64, capped: bool) -> String {
    let r = baseline as f64 / runner as f64;
    if capped {
        format!(">= {r:.1}")
    } else {
        format!("{r:.1}")
    }
}

/// What one side executed.
struct Found {
    /// Operations until the first failing step, that step included; `None`: none failed.
    first: Option<u64>,
    /// Operations in all, shrinking included.
    total: u64,
}

/// A mutant that counts the operations it executes.
struct Counting {
    inner: ReferenceStore,
    ops: Arc<AtomicU64>,
}

impl Implementation for Counting {
    fn name(&self) -> String {
        self.inner.name()
    }

    fn reset(&mut self, choices: &Choices) -> Result<(), SeamError> {
        self.inner.reset(choices)
    }

    fn apply(&mut self, op: &Op, support: &mut dyn Support) -> Result<Ret, SeamError> {
        self.ops.fetch_add(1, Ordering::Relaxed);
        self.inner.apply(op, support)
    }

    fn observe(&mut self) -> Result<Observation, SeamError> {
        self.inner.observe()
    }
}

/// The runner, as `spoolcheck run --mutant NAME` runs it, until its first failure. In all: every
/// operation the mutant executed, the cases its worker thread ran ahead included.
fn runner_find(m: Mutant) -> Found {
    let ops = Arc::new(AtomicU64::new(0));
    let counter = ops.clone();
    let report = runner::run(
        Arc::new(move || {
            Ok(Box::new(Counting {
                inner: ReferenceStore::with_mutant(m),
                ops: counter.clone(),
            }) as _)
        }),
        &RunConfig {
            choices: m.choices(),
            cases: CASES,
            max_len: MAX_LEN,
            max_failures: 1,
            ..RunConfig::default()
        },
    );
    Found {
        first: report.steps_to_first_failure,
        total: ops.load(Ordering::Relaxed),
    }
}

/// The mutant the baseline runs (its trait functions take no `self`).
static CURRENT: Mutex<Option<Mutant>> = Mutex::new(None);
/// Operations the baseline's mutant executed.
static OPS: AtomicU64 = AtomicU64::new(0);
/// [`OPS`] when the first failing step was seen, or `u64::MAX`.
static FIRST: AtomicU64 = AtomicU64::new(u64::MAX);

fn current() -> Mutant {
    CURRENT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .expect("a mutant is set")
}

/// The baseline: proptest-state-machine over the model, uniform among every allowed operation.
struct Baseline;

impl ReferenceStateMachine for Baseline {
    type State = State;
    type Transition = Op;

    fn init_state() -> BoxedStrategy<State> {
        Just(State::new(current().choices())).boxed()
    }

    fn transitions(state: &State) -> BoxedStrategy<Op> {
        let ops: Vec<Op> = candidates(state, MAX_MESSAGES)
            .into_iter()
            .map(|(_, op)| op)
            .collect();
        proptest::sample::select(ops).boxed()
    }

    fn preconditions(state: &State, op: &Op) -> bool {
        precondition(state, op)
    }

    fn apply(state: State, op: &Op) -> State {
        step(&state, op).next().clone()
    }
}

/// The mutant and the model's state along the path it takes.
struct Sut {
    store: ReferenceStore,
    model: State,
}

impl StateMachineTest for Baseline {
    type SystemUnderTest = Sut;
    type Reference = Baseline;

    fn init_test(state: &State) -> Sut {
        let mut store = ReferenceStore::with_mutant(current());
        store.reset(&state.choices).expect("reset");
        Sut {
            store,
            model: state.clone(),
        }
    }

    fn apply(mut sut: Sut, _: &State, op: Op) -> Sut {
        // Generated along the model's default outcomes: where the mutant took another allowed
        // one, an operation whose preconditions no longer hold on its path is skipped.
        if !precondition(&sut.model, &op) {
            return sut;
        }
        let seen = OPS.fetch_add(1, Ordering::Relaxed) + 1;
        let result = step(&sut.model, &op);
        let r = exchange(&mut sut.store, &op).expect("the mutant answers");
        let actual = Actual {
            ret: r.ret,
            calls: r.calls,
            notifications: r.notifications,
            observation: r.observation,
        };
        let passed = match judge(&op, &result, &actual) {
            Verdict::Pass { outcome } => {
                sut.model = next_state(&result.outcomes[outcome], &actual);
                invariants::check_observation(&actual.observation).is_ok()
            }
            Verdict::Fail { .. } => false,
        };
        if !passed {
            let _ = FIRST.compare_exchange(u64::MAX, seen, Ordering::Relaxed, Ordering::Relaxed);
            panic!("a deviation at {op}");
        }
        sut
    }
}

fn baseline_find(m: Mutant) -> Found {
    *CURRENT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(m);
    OPS.store(0, Ordering::Relaxed);
    FIRST.store(u64::MAX, Ordering::Relaxed);
    let config = Config {
        cases: u32::MAX,
        max_shrink_iters: SHRINK_ITERS,
        // A rejection ends the run: how the test gives up at the cap.
        max_global_rejects: 0,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config.clone(), rng_for(0));
    // The deviations are panics that proptest catches; they are expected, not news.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = runner.run(
        &Baseline::sequential_strategy(1..=MAX_LEN),
        |(state, ops, seen)| {
            if FIRST.load(Ordering::Relaxed) == u64::MAX && OPS.load(Ordering::Relaxed) >= CAP {
                return Err(TestCaseError::reject("no failure within the cap"));
            }
            Baseline::test_sequential(config.clone(), state, ops, seen);
            Ok(())
        },
    );
    std::panic::set_hook(hook);
    let first = FIRST.load(Ordering::Relaxed);
    match result {
        Err(TestError::Fail(..)) => assert!(first != u64::MAX, "a failure was seen"),
        Err(TestError::Abort(_)) | Ok(()) => assert_eq!(first, u64::MAX, "{}", m.name()),
    }
    Found {
        first: (first != u64::MAX).then_some(first),
        total: OPS.load(Ordering::Relaxed),
    }
}
