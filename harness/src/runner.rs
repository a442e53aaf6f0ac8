//! The runner: generates operation sequences with proptest, runs each against the implementation,
//! judges every step against the model, and shrinks a failure to a minimal sequence.
//!
//! A run searches in rounds. A round is an ordinary proptest run that stops at its first failing
//! case and shrinks it. The rules that failure broke are then tolerated (a case that breaks only
//! tolerated rules ends quietly), and the next round, with a seed derived from the first, looks for
//! a different failure. So one run reports every distinct broken rule it can find, each with its own
//! minimal trace, while a MUST failure is never hidden behind a SHOULD one.

use crate::driver::{Driver, Factory};
use crate::failure::{Failure, FailureKind};
use crate::seam::{Response, SeamError};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use spoolcheck_model::generate::{plan, Plan};
use spoolcheck_model::precondition::OpKind;
use spoolcheck_model::verdict::{judge, next_state, Actual, Verdict};
use spoolcheck_model::{invariants, step, Choices, Op, RuleId, State};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How a run is set up.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// The declared choices.
    pub choices: Choices,
    /// The seed; the same seed gives the same cases and the same report.
    pub seed: u64,
    /// Generated cases per search round.
    pub cases: u32,
    /// The longest generated sequence.
    pub max_len: usize,
    /// The per-call timeout.
    pub timeout: Duration,
    /// Rules whose violations end a case quietly (known deviations).
    pub tolerated: BTreeSet<RuleId>,
    /// How many distinct failures to look for before stopping.
    pub max_failures: usize,
    /// Stop at the first failure that fails the run under this strictness.
    pub stop_at_first: Option<bool>,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            choices: Choices::default(),
            seed: 0,
            cases: 256,
            max_len: 40,
            timeout: Duration::from_secs(10),
            tolerated: BTreeSet::new(),
            max_failures: 8,
            stop_at_first: None,
        }
    }
}

/// What a run found.
#[derive(Clone, Debug, Default)]
pub struct RunReport {
    /// The implementation's name.
    pub implementation: String,
    /// The declared choices of the run.
    pub choices: Choices,
    /// The failures, each minimised, in the order found.
    pub failures: Vec<Failure>,
    /// How often each rule was checked at a step the implementation passed.
    pub exercised: BTreeMap<RuleId, u64>,
    /// Operation kinds the implementation does not implement.
    pub unsupported: BTreeMap<OpKind, String>,
    /// Cases run (not counting shrinking).
    pub cases: u64,
    /// Steps run, shrinking included.
    pub steps: u64,
    /// Wall-clock time.
    pub elapsed: Duration,
    /// Why the run could not go on, if it could not.
    pub harness_error: Option<SeamError>,
}

/// How a case ended.
enum CaseEnd {
    Passed,
    /// Only tolerated rules were broken.
    Tolerated,
    Unsupported(OpKind, String),
    Failed(Box<Failure>),
}

struct Search<'a> {
    config: &'a RunConfig,
    driver: Driver,
    report: RunReport,
    disabled: BTreeSet<OpKind>,
    tolerated: BTreeSet<RuleId>,
    counting: bool,
    stopped: bool,
    /// The answers of the last case, for replays.
    last_observed: Vec<Response>,
}

/// Runs the suite against the implementations `factory` makes.
pub fn run(factory: Arc<Factory>, config: &RunConfig) -> RunReport {
    let started = Instant::now();
    let driver = match Driver::start(factory, config.timeout) {
        Ok(d) => d,
        Err(e) => {
            return RunReport {
                harness_error: Some(e),
                choices: config.choices.clone(),
                ..RunReport::default()
            }
        }
    };
    let report = RunReport {
        implementation: driver.name().to_string(),
        choices: config.choices.clone(),
        ..RunReport::default()
    };
    let search = RefCell::new(Search {
        config,
        driver,
        report,
        disabled: BTreeSet::new(),
        tolerated: config.tolerated.clone(),
        counting: true,
        stopped: false,
        last_observed: Vec::new(),
    });
    for round in 0..config.max_failures.max(1) {
        let found = run_round(&search, round_seed(config.seed, round))
            .map(|f| search.borrow_mut().minimize(f));
        let mut s = search.borrow_mut();
        let Some(failure) = found else { break };
        let stop = config
            .stop_at_first
            .is_some_and(|strict| failure.fails_run(strict));
        let rules = failure.rules();
        let indeterminate = matches!(
            failure.kind,
            FailureKind::Indeterminate(_) | FailureKind::Panicked(_) | FailureKind::Malformed(_)
        );
        s.report.failures.push(failure);
        if stop || indeterminate || rules.is_empty() || s.stopped {
            break;
        }
        s.tolerated.extend(rules);
    }
    let mut report = search.into_inner().report;
    report.elapsed = started.elapsed();
    report
}

/// Each round's seed: distinct, and a pure function of the run's seed.
fn round_seed(seed: u64, round: usize) -> u64 {
    seed ^ (round as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The 32-byte proptest seed of a run seed.
pub fn rng_for(seed: u64) -> TestRng {
    let mut bytes = [0u8; 32];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(
            &(seed
                .wrapping_add(i as u64)
                .wrapping_mul(0x2545_F491_4F6C_DD1D))
            .to_le_bytes(),
        );
    }
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

fn run_round(search: &RefCell<Search<'_>>, seed: u64) -> Option<Failure> {
    let config = search.borrow().config.clone();
    let proptest_config = Config {
        cases: config.cases,
        failure_persistence: None,
        max_shrink_iters: 2048,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(proptest_config, rng_for(seed));
    search.borrow_mut().counting = true;
    let first: RefCell<Option<Failure>> = RefCell::new(None);
    let result = runner.run(&plan(config.max_len), |plan| {
        let mut s = search.borrow_mut();
        if s.stopped {
            return Ok(());
        }
        match s.case(&plan, seed) {
            CaseEnd::Failed(f) => {
                s.counting = false;
                let headline = f.headline();
                first.borrow_mut().get_or_insert(*f);
                Err(TestCaseError::fail(headline))
            }
            _ => Ok(()),
        }
    });
    let mut s = search.borrow_mut();
    match result {
        Err(TestError::Fail(_, minimal)) => match s.case(&minimal, seed) {
            CaseEnd::Failed(f) => Some(*f),
            // A failure that does not come back on a re-run is itself worth reporting: keep the first.
            _ => first.into_inner(),
        },
        Err(TestError::Abort(reason)) => {
            s.report.harness_error = Some(SeamError::Harness(format!(
                "the generator gave up: {reason}"
            )));
            None
        }
        Ok(()) => first
            .into_inner()
            .filter(|f| matches!(f.kind, FailureKind::Indeterminate(_))),
    }
}

impl Search<'_> {
    /// Shrinking works on the generator's seeds; this finishes the job on the literal operations:
    /// it drops one operation at a time while the same rule still fails at the end. Hangs and
    /// crashes are left as found, since every attempt could cost a timeout.
    fn minimize(&mut self, failure: Failure) -> Failure {
        if matches!(failure.kind, FailureKind::Indeterminate(_)) {
            return failure;
        }
        let signature = failure.signature();
        let counting = std::mem::replace(&mut self.counting, false);
        let mut best = failure;
        let mut i = 0;
        while i < best.ops.len() {
            let mut shorter = best.ops.clone();
            shorter.remove(i);
            match self.execute(&best.choices, &shorter, best.seed) {
                CaseEnd::Failed(f)
                    if f.signature() == signature && f.ops.len() < best.ops.len() =>
                {
                    best = *f
                }
                _ => i += 1,
            }
        }
        self.counting = counting;
        best
    }

    /// Runs one case: realises the plan, sends the operations, judges each answer.
    fn case(&mut self, plan: &Plan, seed: u64) -> CaseEnd {
        let choices = self.config.choices.clone();
        let plan = Plan {
            swarm: plan
                .swarm
                .iter()
                .copied()
                .filter(|k| !self.disabled.contains(k))
                .collect(),
            seeds: plan.seeds.clone(),
        };
        let (ops, steps): (Vec<Op>, Vec<_>) =
            spoolcheck_model::generate::realize_with_steps(&choices, &plan)
                .into_iter()
                .unzip();
        if self.counting {
            self.report.cases += 1;
        }
        let end = self.execute_with(&choices, &ops, Some(steps), seed);
        match &end {
            CaseEnd::Unsupported(kind, why) => {
                self.disabled.insert(*kind);
                self.report.unsupported.insert(*kind, why.clone());
            }
            CaseEnd::Failed(f) if matches!(f.kind, FailureKind::Indeterminate(_)) => {
                self.stopped = true
            }
            _ => {}
        }
        end
    }

    fn execute(&mut self, choices: &Choices, ops: &[Op], seed: u64) -> CaseEnd {
        self.execute_with(choices, ops, None, seed)
    }

    /// Runs one case. `realized`, when given, holds the model's steps along the default outcomes;
    /// they are used while the implementation follows those outcomes.
    fn execute_with(
        &mut self,
        choices: &Choices,
        ops: &[Op],
        realized: Option<Vec<spoolcheck_model::Step>>,
        seed: u64,
    ) -> CaseEnd {
        let mut realized = realized.map(Vec::into_iter);
        let fail = |kind, step: usize, observed: Vec<Response>| {
            CaseEnd::Failed(Box::new(Failure {
                kind,
                step,
                ops: ops[..=step].to_vec(),
                observed,
                choices: choices.clone(),
                seed,
            }))
        };
        match self.driver.reset(choices) {
            Ok(()) => {}
            // The implementation cannot run under these declared choices: nothing to judge.
            Err(SeamError::Unsupported(why)) => {
                self.stopped = true;
                self.report.harness_error = Some(SeamError::Unsupported(format!(
                    "reset with the declared choices: {why}"
                )));
                return CaseEnd::Passed;
            }
            Err(e) => return seam_failure(e, 0, ops, choices, seed, Vec::new()),
        }
        let counting = self.counting;
        let tolerated = self.tolerated.clone();
        let mut exercised: Vec<RuleId> = Vec::new();
        let mut batch = match self.driver.run(ops.to_vec()) {
            Ok(b) => b,
            Err(e) => return seam_failure(e, 0, ops, choices, seed, Vec::new()),
        };
        let mut state = State::new(choices.clone());
        let mut observed: Vec<Response> = Vec::with_capacity(ops.len());
        let mut end = CaseEnd::Passed;
        for (i, op) in ops.iter().enumerate() {
            let response = match batch.next_answer() {
                Ok(r) => r,
                Err(SeamError::Unsupported(why)) => {
                    end = CaseEnd::Unsupported(OpKind::of(op), why);
                    break;
                }
                Err(e) => {
                    end = seam_failure(e, i, ops, choices, seed, std::mem::take(&mut observed));
                    break;
                }
            };
            let precomputed = realized.as_mut().and_then(Iterator::next);
            let result = match precomputed {
                Some(result) => result,
                None => step(&state, op),
            };
            let actual = Actual {
                ret: response.ret.clone(),
                calls: response.calls.clone(),
                notifications: response.notifications.clone(),
                observation: response.observation.clone(),
            };
            let verdict = judge(op, &result, &actual);
            observed.push(response);
            match verdict {
                Verdict::Pass { outcome } => {
                    let chosen = &result.outcomes[outcome];
                    if outcome != 0 || !chosen.loose.is_empty() {
                        // Off the realised path: step the model afresh from here on.
                        realized = None;
                    }
                    exercised.extend(chosen.rules.iter().copied());
                    if let Err(broken) = invariants::check_observation(&actual.observation) {
                        end = if tolerated.contains(&broken.rule) {
                            CaseEnd::Tolerated
                        } else {
                            fail(
                                FailureKind::Invariant(broken),
                                i,
                                std::mem::take(&mut observed),
                            )
                        };
                        break;
                    }
                    state = next_state(chosen, &actual.observation);
                }
                Verdict::Fail { mut violations, .. } => {
                    end = if violations.iter().all(|v| tolerated.contains(&v.rule)) {
                        CaseEnd::Tolerated
                    } else {
                        // Name a rule not reported yet first: it is what this failure adds.
                        violations.sort_by_key(|v| tolerated.contains(&v.rule));
                        fail(
                            FailureKind::Violated(violations),
                            i,
                            std::mem::take(&mut observed),
                        )
                    };
                    break;
                }
            }
        }
        drop(batch);
        if let CaseEnd::Passed | CaseEnd::Tolerated = end {
            self.last_observed = observed;
        }
        self.report.steps += ops.len() as u64;
        if counting {
            for rule in exercised {
                *self.report.exercised.entry(rule).or_default() += 1;
            }
        }
        end
    }
}

fn seam_failure(
    e: SeamError,
    step: usize,
    ops: &[Op],
    choices: &Choices,
    seed: u64,
    observed: Vec<Response>,
) -> CaseEnd {
    let kind = match e {
        SeamError::Panicked(m) => FailureKind::Panicked(m),
        SeamError::Malformed(m) => FailureKind::Malformed(m),
        other => FailureKind::Indeterminate(other),
    };
    let step = step.min(ops.len().saturating_sub(1));
    CaseEnd::Failed(Box::new(Failure {
        kind,
        step,
        ops: ops[..ops.len().min(step + 1)].to_vec(),
        observed,
        choices: choices.clone(),
        seed,
    }))
}

/// Replays a literal sequence once and judges it.
pub fn replay(
    factory: Arc<Factory>,
    choices: &Choices,
    ops: &[Op],
    timeout: Duration,
) -> Result<(Option<Failure>, Vec<Response>), SeamError> {
    let driver = Driver::start(factory, timeout)?;
    let config = RunConfig {
        choices: choices.clone(),
        timeout,
        ..RunConfig::default()
    };
    let mut search = Search {
        config: &config,
        driver,
        report: RunReport::default(),
        disabled: BTreeSet::new(),
        tolerated: BTreeSet::new(),
        counting: false,
        stopped: false,
        last_observed: Vec::new(),
    };
    match search.execute(choices, ops, 0) {
        CaseEnd::Failed(f) => {
            let observed = f.observed.clone();
            Ok((Some(*f), observed))
        }
        CaseEnd::Unsupported(kind, why) => Err(SeamError::Unsupported(format!("{kind:?}: {why}"))),
        CaseEnd::Passed | CaseEnd::Tolerated => Ok((None, search.last_observed)),
    }
}
