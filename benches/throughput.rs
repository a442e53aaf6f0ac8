//! Throughput figures for BENCHMARKS.md: `cargo bench --bench throughput`.
//!
//! Prints, side by side and in one run: model steps per second; in-process harness operations per
//! second with full observation (the runner, and the bare judging loop without the worker thread);
//! the same kind of sequences driven by a plain proptest-state-machine test of the same model and
//! provider; the time of the default run; and the time to catch each mutant.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest};
use spoolcheck_harness::reference::ReferenceStore;
use spoolcheck_harness::runner::{self, rng_for, RunConfig};
use spoolcheck_harness::seam::exchange;
use spoolcheck_harness::selftest::{self, SelftestConfig};
use spoolcheck_model::generate::{plan, realize};
use spoolcheck_model::precondition::candidates;
use spoolcheck_model::verdict::{judge, next_state, Actual, Verdict};
use spoolcheck_model::{step, Choices, Op, State};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CASES: u32 = 4_000;
const MAX_LEN: usize = 40;

fn main() {
    let sequences = sequences(CASES);
    let ops: usize = sequences.iter().map(Vec::len).sum();
    println!("{CASES} generated cases, {ops} operations (seed 0, up to {MAX_LEN} per case)\n");
    println!("| measure | figure |");
    println!("|---|---|");
    let (model, _) = best_of(5, || model_steps(&sequences));
    row("model: steps per second", per_second(ops, model));
    let (judged, _) = best_of(3, || judged_loop(&sequences));
    row(
        "harness, bare loop (exchange + step + judge, one thread): ops per second",
        per_second(ops, judged),
    );
    let (run, steps) = best_of(3, runner_steps);
    row(
        "harness, runner (generation, worker thread, judging): ops per second",
        per_second(steps, run),
    );
    let (psm, psm_ops) = best_of(3, proptest_state_machine);
    row(
        "plain proptest-state-machine, same model and provider: ops per second",
        per_second(psm_ops, psm),
    );
    let (default_run, _) = best_of(3, || {
        let report = runner::run(
            reference(),
            &RunConfig {
                cases: 2048,
                ..RunConfig::default()
            },
        );
        report.steps as usize
    });
    row(
        "default `spoolcheck run` (2048 cases): seconds",
        format!("{:.3}", default_run.as_secs_f64()),
    );
    let started = Instant::now();
    let kills = selftest::run_all(&SelftestConfig::default());
    let total = started.elapsed();
    let slowest = kills
        .iter()
        .max_by_key(|k| k.millis)
        .expect("there are mutants");
    let caught = kills
        .iter()
        .filter(|k| k.caught && k.named_own_rule)
        .count();
    row(
        "selftest: mutants caught naming their rule",
        format!("{caught} of {}", kills.len()),
    );
    row(
        "selftest: total seconds",
        format!("{:.3}", total.as_secs_f64()),
    );
    row(
        "selftest: slowest mutant to catch (ms)",
        format!("{} ({})", slowest.millis, slowest.mutant),
    );
    println!("\nTime to catch each mutant (search and shrinking), ms:");
    for k in &kills {
        println!("  {:<34} {:>5}", k.mutant, k.millis);
    }
}

fn row(label: &str, value: String) {
    println!("| {label} | {value} |");
}

fn per_second(count: usize, took: Duration) -> String {
    format!("{:.0}", count as f64 / took.as_secs_f64())
}

/// The fastest of `n` timed runs, with the count the run reports.
fn best_of(n: usize, mut f: impl FnMut() -> usize) -> (Duration, usize) {
    (0..n)
        .map(|_| {
            let started = Instant::now();
            let count = f();
            (started.elapsed(), count)
        })
        .min_by_key(|(d, _)| *d)
        .expect("n > 0")
}

fn sequences(cases: u32) -> Vec<Vec<Op>> {
    let mut runner = TestRunner::new_with_rng(Config::default(), rng_for(0));
    let strategy = plan(MAX_LEN);
    (0..cases)
        .map(|_| {
            realize(
                &Choices::default(),
                &strategy.new_tree(&mut runner).expect("a plan").current(),
            )
        })
        .collect()
}

fn model_steps(sequences: &[Vec<Op>]) -> usize {
    let mut n = 0;
    for ops in sequences {
        let mut state = State::new(Choices::default());
        for op in ops {
            state = step(&state, op).next().clone();
            n += 1;
        }
    }
    n
}

fn judged_loop(sequences: &[Vec<Op>]) -> usize {
    use spoolcheck_harness::seam::Implementation;
    let mut store = ReferenceStore::new();
    let mut n = 0;
    for ops in sequences {
        store.reset(&Choices::default()).expect("reset");
        let mut state = State::new(Choices::default());
        for op in ops {
            let result = step(&state, op);
            let r = exchange(&mut store, op).expect("the reference answers");
            let actual = Actual {
                ret: r.ret,
                calls: r.calls,
                notifications: r.notifications,
                observation: r.observation,
            };
            match judge(op, &result, &actual) {
                Verdict::Pass { outcome } => state = next_state(&result.outcomes[outcome], &actual),
                Verdict::Fail { violations, .. } => panic!("the reference failed: {violations:?}"),
            }
            n += 1;
        }
    }
    n
}

fn reference() -> Arc<spoolcheck_harness::driver::Factory> {
    Arc::new(|| Ok(Box::new(ReferenceStore::new()) as _))
}

fn runner_steps() -> usize {
    let report = runner::run(
        reference(),
        &RunConfig {
            cases: CASES,
            max_len: MAX_LEN,
            ..RunConfig::default()
        },
    );
    assert!(report.failures.is_empty(), "the reference must conform");
    report.steps as usize
}

/// The plain driver: proptest-state-machine with the model as the reference state machine.
struct ModelMachine;
static PSM_OPS: AtomicUsize = AtomicUsize::new(0);

impl ReferenceStateMachine for ModelMachine {
    type State = State;
    type Transition = Op;

    fn init_state() -> BoxedStrategy<State> {
        Just(State::new(Choices::default())).boxed()
    }

    fn transitions(state: &State) -> BoxedStrategy<Op> {
        let ops: Vec<Op> = candidates(state, 4).into_iter().map(|(_, op)| op).collect();
        proptest::sample::select(ops).boxed()
    }

    fn apply(state: State, op: &Op) -> State {
        step(&state, op).next().clone()
    }
}

struct Sut {
    store: ReferenceStore,
    before: State,
}

impl StateMachineTest for ModelMachine {
    type SystemUnderTest = Sut;
    type Reference = ModelMachine;

    fn init_test(state: &State) -> Sut {
        use spoolcheck_harness::seam::Implementation;
        let mut store = ReferenceStore::new();
        store.reset(&state.choices).expect("reset");
        Sut {
            store,
            before: state.clone(),
        }
    }

    fn apply(mut sut: Sut, after: &State, op: Op) -> Sut {
        let result = step(&sut.before, &op);
        let r = exchange(&mut sut.store, &op).expect("the reference answers");
        let actual = Actual {
            ret: r.ret,
            calls: r.calls,
            notifications: r.notifications,
            observation: r.observation,
        };
        assert!(
            matches!(judge(&op, &result, &actual), Verdict::Pass { .. }),
            "the reference must conform"
        );
        sut.before = after.clone();
        PSM_OPS.fetch_add(1, Ordering::Relaxed);
        sut
    }
}

fn proptest_state_machine() -> usize {
    PSM_OPS.store(0, Ordering::Relaxed);
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config.clone(), rng_for(0));
    runner
        .run(
            &ModelMachine::sequential_strategy(1..=MAX_LEN),
            |(state, ops, seen)| {
                ModelMachine::test_sequential(config.clone(), state, ops, seen);
                Ok(())
            },
        )
        .expect("the reference conforms");
    PSM_OPS.load(Ordering::Relaxed)
}
