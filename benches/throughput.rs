//! Throughput figures for BENCHMARKS.md: `cargo bench --bench throughput [-- SECTION...]`.
//!
//! Prints, side by side and in one run: model steps per second; in-process harness operations per
//! second with full observation (the bare judging loop without the worker thread); the runner
//! against a plain proptest-state-machine driver of the same model and provider, in alternating
//! timed runs, with the ratio they give; the time of the default run; and the time to catch each
//! mutant. The sections are `model`, `bare`, `ratio`, `default` and `selftest` (all of them
//! without arguments); `runner` and `driver` only run that side, again and again, for a profiler.

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
/// Timed runs of each side of the runner / plain-driver comparison, alternating.
const PAIRS: usize = 5;

fn main() {
    // `cargo bench` passes `--bench`; the rest name sections.
    let sections: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wanted = |name: &str| sections.is_empty() || sections.iter().any(|s| s == name);
    for (name, side) in [
        ("runner", runner_steps as fn() -> usize),
        ("driver", proptest_state_machine),
    ] {
        if sections.iter().any(|s| s == name) {
            let ops: usize = (0..10).map(|_| side()).sum();
            println!("{name}: {ops} operations");
            return;
        }
    }
    println!("{CASES} generated cases per run (seed 0, up to {MAX_LEN} operations each)\n");
    if wanted("model") || wanted("bare") {
        let sequences = sequences(CASES);
        let ops: usize = sequences.iter().map(Vec::len).sum();
        println!("| measure | figure |");
        println!("|---|---|");
        if wanted("model") {
            let (model, _) = best_of(5, || model_steps(&sequences));
            row("model: steps per second", per_second(ops, model));
        }
        if wanted("bare") {
            let (judged, _) = best_of(3, || judged_loop(&sequences));
            row(
                "harness, bare loop (exchange + step + judge, one thread): ops per second",
                per_second(ops, judged),
            );
        }
        println!();
    }
    if wanted("ratio") {
        ratio();
    }
    if wanted("default") {
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
        println!(
            "default `spoolcheck run` (2048 cases): {:.3} s\n",
            default_run.as_secs_f64()
        );
    }
    if wanted("selftest") {
        selftest_times();
    }
}

/// The runner and the plain driver, timed in turns (each pair in the other order than the last,
/// so a drift in the machine's load favours neither), and the ratio of their best runs.
fn ratio() {
    println!(
        "Runner (generation, the implementation on its worker thread with its timeout, answers"
    );
    println!(
        "streamed back and judged, coverage) against the plain proptest-state-machine driver:\n"
    );
    println!("| pair | runner ops/s | plain driver ops/s | ratio |");
    println!("|---|---|---|---|");
    let (mut runner_best, mut driver_best) = (0.0f64, 0.0f64);
    let mut ratios = Vec::new();
    for pair in 0..PAIRS {
        let timed = |f: fn() -> usize| {
            let started = Instant::now();
            let ops = f();
            ops as f64 / started.elapsed().as_secs_f64()
        };
        let (r, d) = if pair % 2 == 0 {
            let r = timed(runner_steps);
            (r, timed(proptest_state_machine))
        } else {
            let d = timed(proptest_state_machine);
            (timed(runner_steps), d)
        };
        runner_best = runner_best.max(r);
        driver_best = driver_best.max(d);
        ratios.push(r / d);
        println!("| {} | {r:.0} | {d:.0} | {:.2} |", pair + 1, r / d);
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "\nrunner / plain driver: {:.2}x (best {runner_best:.0} against best {driver_best:.0} ops/s); \
         pairs: lowest {:.2}x, median {:.2}x\n",
        runner_best / driver_best,
        ratios[0],
        ratios[ratios.len() / 2]
    );
}

fn selftest_times() {
    let started = Instant::now();
    let kills = selftest::run_all(&SelftestConfig::default());
    let total = started.elapsed();
    let slowest = kills
        .iter()
        .max_by_key(|k| k.millis)
        .expect("there are mutants");
    let caught = kills.iter().filter(|k| k.passed()).count();
    println!("| measure | figure |");
    println!("|---|---|");
    row(
        "selftest: mutants caught, one failure each, naming their rule",
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
