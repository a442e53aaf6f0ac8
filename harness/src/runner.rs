//! The runner: generates operation sequences with proptest, runs each against the implementation,
//! judges every step against the model, and shrinks a failure to a minimal sequence.
//!
//! A run searches in rounds. A round is a sequence of `cases` generated cases (the same sequence a
//! proptest run with the round's seed generates) that stops at its first failing case and shrinks
//! it. The rules that failure broke are then tolerated (a case that breaks only tolerated rules ends
//! quietly), and the next round, with a seed derived from the first, looks for a different failure.
//! So one run reports every distinct broken rule it can find, each with its own minimal trace, while
//! a MUST failure is never hidden behind a SHOULD one.
//!
//! Known deviations ([`RunConfig::expected`], from the ledger) are tolerated from the start, and the
//! report says how often each one occurred ([`RunReport::expected`]), so an entry that no longer
//! occurs can be reported as stale.
//!
//! Two settings split the work without changing the result:
//! - [`RunConfig::shard`]: every shard generates the round's whole case sequence and executes only
//!   its own cases (case `i` belongs to shard `i mod N + 1`), so shards are disjoint and, for a run
//!   without failures, their union is the unsharded run.
//! - [`RunConfig::jobs`]: cases run on several workers, each with its own implementation. Results
//!   are merged in case order, and a case after the first failing one is discarded, so the report is
//!   the same for any number of jobs (apart from the elapsed time), provided the implementation's
//!   behaviour after a reset depends only on the operations it is sent.

use crate::driver::{Driver, Factory, Ticket};
use crate::failure::{Failure, FailureKind};
use crate::seam::{Response, SeamError};
use crate::shard::Shard;
use proptest::prelude::RngExt;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use spoolcheck_model::generate::{plan, Plan};
use spoolcheck_model::precondition::precondition;
use spoolcheck_model::precondition::OpKind;
use spoolcheck_model::verdict::{
    into_next_state, judge, next_state, Actual, Aspect, Verdict, Violation,
};
use spoolcheck_model::{invariants, step, Choices, Op, RuleId, State};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A known deviation: violations of `rule` are expected, end a case quietly, and are counted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    /// The rule.
    pub rule: RuleId,
    /// When set, only violations of `rule` whose text (`RULE: SUBJECT: expected X, got Y`, e.g.
    /// `SPL-06: m1 PR_SUBMIT_FLAGS.LOCKED: expected set, got clear`) contains this are expected.
    pub signature: Option<String>,
}

impl Expected {
    /// Any violation of a rule.
    pub fn rule(rule: RuleId) -> Expected {
        Expected {
            rule,
            signature: None,
        }
    }

    /// Whether this entry covers the violations of `rule` whose texts are `texts`.
    pub fn covers(&self, rule: RuleId, texts: &[String]) -> bool {
        self.rule == rule
            && self
                .signature
                .as_deref()
                .is_none_or(|s| texts.iter().any(|t| t.contains(s)))
    }
}

/// How a run is set up.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// The declared choices.
    pub choices: Choices,
    /// The seed; the same seed gives the same cases and the same report.
    pub seed: u64,
    /// Generated cases per search round (of the whole run, before sharding).
    pub cases: u32,
    /// The longest generated sequence.
    pub max_len: usize,
    /// The per-call timeout.
    pub timeout: Duration,
    /// Rules whose violations end a case quietly (known deviations without a signature). They are
    /// counted after [`RunConfig::expected`] in [`RunReport::expected`].
    pub tolerated: BTreeSet<RuleId>,
    /// Known deviations (the ledger's entries), in order.
    pub expected: Vec<Expected>,
    /// How many distinct failures to look for before stopping.
    pub max_failures: usize,
    /// Stop at the first failure that fails the run under this strictness.
    pub stop_at_first: Option<bool>,
    /// Which share of the cases this run executes.
    pub shard: Shard,
    /// How many workers (each with its own implementation) run cases in parallel.
    pub jobs: usize,
    /// What every counterexample is replayed on before it is reported: the bundled reference
    /// provider, unless a test puts another store in its place.
    pub reference: Reference,
    /// Bounds on the whole run besides the cases per round: for an implementation so slow that
    /// the rounds would take too long.
    pub budget: Budget,
}

/// Bounds on a run (`--max-ops`, `--max-seconds`). The run starts no further case, generated or
/// shrinking, once either is spent; the case in progress finishes, so a run sends at most
/// `max_ops` plus one case's operations, and the replays that confirm a failure found: it is
/// still confirmed before it is reported, shrunk as far as the budget went. The operations bound is checked in case order, so
/// the same seed gives the same report for any number of jobs; the time bound, by its nature, not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Budget {
    /// The most operations to send, shrinking included.
    pub max_ops: Option<u64>,
    /// The most wall-clock time to take.
    pub max_time: Option<Duration>,
}

/// Which bound of the [`Budget`] ended a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BudgetEnd {
    /// [`Budget::max_ops`].
    Ops,
    /// [`Budget::max_time`].
    Time,
}

/// The store a counterexample is checked against before it is reported (see
/// [`RunConfig::reference`]).
#[derive(Clone, Default)]
pub struct Reference(Option<Arc<Factory>>);

impl Reference {
    /// Another store in place of the bundled reference (for tests of the suite itself).
    pub fn replaced_by(factory: Arc<Factory>) -> Reference {
        Reference(Some(factory))
    }

    fn factory(&self) -> Arc<Factory> {
        self.0.clone().unwrap_or_else(|| {
            Arc::new(|| Ok(Box::new(crate::reference::ReferenceStore::new()) as _))
        })
    }
}

impl std::fmt::Debug for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "a store in place of the reference"
        } else {
            "the bundled reference"
        })
    }
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
            expected: Vec::new(),
            max_failures: 8,
            stop_at_first: None,
            shard: Shard::WHOLE,
            jobs: 1,
            reference: Reference::default(),
            budget: Budget::default(),
        }
    }
}

impl RunConfig {
    /// Every known deviation: [`RunConfig::expected`], then each rule of [`RunConfig::tolerated`].
    /// [`RunReport::expected`] is in this order.
    pub fn expectations(&self) -> Vec<Expected> {
        self.expected
            .iter()
            .cloned()
            .chain(self.tolerated.iter().copied().map(Expected::rule))
            .collect()
    }
}

/// How often one known deviation occurred.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedHits {
    /// The deviation.
    pub expected: Expected,
    /// The cases (counted ones, not shrinking) in which it covered a violation.
    pub cases: u64,
    /// The first such case, cut at the violation and not minimised.
    pub first: Option<Failure>,
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
    /// The shard this report covers.
    pub shard: Shard,
    /// For each of [`RunConfig::expectations`], in order: how often it occurred.
    pub expected: Vec<ExpectedHits>,
    /// Every counted case, as (search round, index of the case in the round's sequence), in order.
    pub executed: Vec<(usize, u64)>,
    /// The run's budget.
    pub budget: Budget,
    /// Which bound of the budget ended the run, if one did (more was left to run).
    pub budget_ended: Option<BudgetEnd>,
    /// Operations sent until the first failing step of the first failure was seen, that step
    /// included, before any shrinking: what finding it cost.
    pub steps_to_first_failure: Option<u64>,
}

/// Where a run is, for a progress display.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// The search round (from 0).
    pub round: usize,
    /// Cases run so far.
    pub cases: u64,
    /// Cases planned so far: this shard's share of every round started.
    pub planned: u64,
    /// Failures found so far.
    pub failures: usize,
    /// Cases that ended in a known deviation so far.
    pub expected: u64,
}

/// How a case ended.
enum CaseEnd {
    Passed,
    /// Only known deviations (found earlier in the run, or in the ledger) showed.
    Tolerated,
    Unsupported(OpKind, String),
    /// The implementation cannot run under the declared choices.
    Refused(String),
    Failed(Box<Failure>),
    /// Operation `at` breaks generation's constraints on the path the implementation took (it
    /// chose another allowed outcome than the one the operations were generated along); `state`
    /// is the model's state before it.
    Invalid {
        at: usize,
        state: Box<State>,
    },
}

/// One executed case: how it ended and what it counted.
struct CaseOutcome {
    end: CaseEnd,
    /// The rules checked at the steps the implementation passed.
    exercised: Vec<RuleId>,
    /// Operations sent (0 if the case never started).
    steps: u64,
    /// For a failed case: the operations sent up to and including the failing step (earlier
    /// passes of the case included).
    failed_after: u64,
    /// The expectations that covered a violation of this case.
    credited: Vec<usize>,
    /// The violation those expectations covered.
    example: Option<Box<Failure>>,
    /// Steps that showed a failure found earlier in the run again: its index in the report and
    /// every rule broken at the step, which the same deviation therefore also breaks.
    merged: Vec<(usize, Vec<RuleId>)>,
}

impl CaseOutcome {
    fn new(end: CaseEnd) -> CaseOutcome {
        CaseOutcome {
            end,
            exercised: Vec::new(),
            steps: 0,
            failed_after: 0,
            credited: Vec::new(),
            example: None,
            merged: Vec::new(),
        }
    }

    /// Whether the cases after this one must wait for it to be handled.
    fn is_event(&self) -> bool {
        !matches!(self.end, CaseEnd::Passed | CaseEnd::Tolerated)
    }
}

/// What every case of a search round shares (read-only, so workers can share it).
struct Context<'a> {
    choices: &'a Choices,
    disabled: &'a BTreeSet<OpKind>,
    /// The headline rules of the failures found so far, each with its index in the report.
    known: &'a BTreeMap<RuleId, usize>,
    expectations: &'a [Expected],
    seed: u64,
    /// Whether the operations must keep generation's constraints (preconditions, a clock that
    /// moves forward) on the path the implementation takes: so for generated and minimised cases,
    /// not for a trace given to replay.
    constrained: bool,
}

/// What the first difference of a failing step is.
enum Deviation {
    /// A failure found earlier in the run (its index in the report).
    Known(usize),
    /// A known deviation of the ledger: the expectations it counts for.
    Expected(Vec<usize>),
    /// Something not seen before.
    New,
}

impl Context<'_> {
    /// Classifies a failing step by its first difference. One deviation is one failure: the step
    /// is a failure found earlier when that failure's headline rule is broken on the subject of
    /// the step's first difference, whatever other rules the step breaks too (patched to agree
    /// with the model there, the step would not fail for anything that failure does not explain).
    fn classify(&self, violations: &[Violation]) -> Deviation {
        let Some(first) = violations.first() else {
            return Deviation::New;
        };
        let at_first = || violations.iter().filter(|v| v.about == first.about);
        if let Some(&index) = at_first().find_map(|v| self.known.get(&v.rule)) {
            return Deviation::Known(index);
        }
        let texts: Vec<String> = at_first()
            .filter(|v| v.rule == first.rule)
            .map(ToString::to_string)
            .collect();
        if !self.covering(first.rule, &texts).is_empty() {
            // Every entry naming a rule of the step still occurs: an entry may list all of them.
            let mut entries = Vec::new();
            for v in violations {
                for e in self.covering(v.rule, &[v.to_string()]) {
                    if !entries.contains(&e) {
                        entries.push(e);
                    }
                }
            }
            return Deviation::Expected(entries);
        }
        Deviation::New
    }

    /// The expectations that cover `rule` given its violations' texts.
    fn covering(&self, rule: RuleId, texts: &[String]) -> Vec<usize> {
        self.expectations
            .iter()
            .enumerate()
            .filter(|(_, e)| e.covers(rule, texts))
            .map(|(i, _)| i)
            .collect()
    }
}

/// One implementation on its worker thread, and the answers of its last passing case.
struct Worker {
    driver: Driver,
    last_observed: Vec<Response>,
}

/// The proptest shrinking budget per failure.
const MAX_SHRINK_ITERS: u32 = 2048;

/// Cases handed to the workers at a time, per worker.
const BATCH_PER_JOB: usize = 32;

struct Search<'a> {
    config: &'a RunConfig,
    expectations: Vec<Expected>,
    workers: Vec<Worker>,
    report: RunReport,
    disabled: BTreeSet<OpKind>,
    /// The headline rules of the failures found so far, each with its index in the report.
    known: BTreeMap<RuleId, usize>,
    progress: Progress,
    started: Instant,
}

/// Runs the suite against the implementations `factory` makes.
pub fn run(factory: Arc<Factory>, config: &RunConfig) -> RunReport {
    run_with_progress(factory, config, &|_| {})
}

/// Like [`run`], telling `progress` where the run is after every batch of cases.
pub fn run_with_progress(
    factory: Arc<Factory>,
    config: &RunConfig,
    progress: &dyn Fn(&Progress),
) -> RunReport {
    let started = Instant::now();
    let expectations = config.expectations();
    let mut report = RunReport {
        choices: config.choices.clone(),
        shard: config.shard,
        expected: expectations
            .iter()
            .map(|e| ExpectedHits {
                expected: e.clone(),
                cases: 0,
                first: None,
            })
            .collect(),
        ..RunReport::default()
    };
    let mut workers = Vec::new();
    for _ in 0..config.jobs.max(1) {
        match Driver::start(factory.clone(), config.timeout) {
            Ok(driver) => workers.push(Worker {
                driver,
                last_observed: Vec::new(),
            }),
            Err(e) => {
                report.harness_error = Some(e);
                report.elapsed = started.elapsed();
                return report;
            }
        }
    }
    report.implementation = workers[0].driver.name().to_string();
    let mut search = Search {
        config,
        expectations,
        workers,
        report,
        disabled: BTreeSet::new(),
        known: BTreeMap::new(),
        progress: Progress::default(),
        started,
    };
    search.report.budget = config.budget;
    for round in 0..config.max_failures.max(1) {
        if round > 0 && search.exhausted() {
            break;
        }
        let Some(failure) = search.round(round, progress) else {
            break;
        };
        let stop = config
            .stop_at_first
            .is_some_and(|strict| failure.fails_run(strict));
        let headline = failure.rule();
        let last = matches!(
            failure.kind,
            FailureKind::Indeterminate(_) | FailureKind::Panicked(_) | FailureKind::Malformed(_)
        ) || failure.reference_fails.is_some();
        search.report.failures.push(failure);
        search.progress.failures = search.report.failures.len();
        progress(&search.progress);
        let Some(headline) = headline else { break };
        if stop || last {
            break;
        }
        // The failure is known by its headline rule, and by every other rule its first difference
        // may be read as breaking (a preprocessor out of its turn, or the one due skipped), so a
        // later step whose first difference is read the other way is the same deviation.
        let index = search.report.failures.len() - 1;
        search.known.insert(headline, index);
        if let Some(FailureKind::Violated(v)) = search.report.failures.last().map(|f| &f.kind) {
            if let Some(first) = v.first() {
                for other in v
                    .iter()
                    .filter(|o| o.about == first.about && o.subject == first.subject)
                {
                    search.known.entry(other.rule).or_insert(index);
                }
            }
        }
    }
    let mut report = search.report;
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

/// The case sequence of one search round: exactly the values a proptest `TestRunner` seeded with
/// [`rng_for`] generates, in order (each case from a fresh RNG seeded from the previous one). It
/// depends only on the seed and the maximum length, never on the shard or on results.
pub struct CaseSequence {
    runner: TestRunner,
    max_len: usize,
    next: u64,
}

impl CaseSequence {
    /// The sequence of a round seed.
    pub fn new(seed: u64, max_len: usize) -> CaseSequence {
        let config = Config {
            failure_persistence: None,
            ..Config::default()
        };
        CaseSequence {
            runner: TestRunner::new_with_rng(config, rng_for(seed)),
            max_len,
            next: 0,
        }
    }

    /// The next case's index and value tree.
    fn next_tree(&mut self) -> (u64, impl ValueTree<Value = Plan>) {
        let seed: [u8; 32] = self.runner.rng().random();
        *self.runner.rng() = TestRng::from_seed(RngAlgorithm::ChaCha, &seed);
        let tree = plan(self.max_len)
            .new_tree(&mut self.runner)
            .expect("plans are never rejected");
        let index = self.next;
        self.next += 1;
        (index, tree)
    }

    /// The value tree of case `index` (for shrinking).
    fn tree_at(seed: u64, max_len: usize, index: u64) -> impl ValueTree<Value = Plan> {
        let mut cases = CaseSequence::new(seed, max_len);
        loop {
            let (i, tree) = cases.next_tree();
            if i == index {
                return tree;
            }
        }
    }
}

impl Iterator for CaseSequence {
    type Item = (u64, Plan);

    fn next(&mut self) -> Option<(u64, Plan)> {
        let (index, tree) = self.next_tree();
        Some((index, tree.current()))
    }
}

impl Search<'_> {
    /// One search round: the first failure of the round's cases, shrunk, or `None`.
    fn round(&mut self, round: usize, progress: &dyn Fn(&Progress)) -> Option<Failure> {
        let seed = round_seed(self.config.seed, round);
        let shard = self.config.shard;
        let total = u64::from(self.config.cases);
        let mut sequence = CaseSequence::new(seed, self.config.max_len)
            .take_while(|(i, _)| *i < total)
            .filter(|(i, _)| shard.owns(*i));
        self.progress.round = round;
        self.progress.planned += (0..total).filter(|&i| shard.owns(i)).count() as u64;
        progress(&self.progress);
        let batch_size = BATCH_PER_JOB * self.workers.len();
        let mut pending: VecDeque<(u64, Plan)> = VecDeque::new();
        loop {
            pending.extend(sequence.by_ref().take(batch_size - pending.len()));
            if pending.is_empty() || self.exhausted() {
                return None;
            }
            let within = self.within_budget(pending.make_contiguous());
            for outcome in self.execute_batch(&pending.make_contiguous()[..within], seed) {
                // In case order, so where the budget ends does not depend on the jobs.
                if self.exhausted() {
                    return None;
                }
                let (index, _) = pending.pop_front().expect("one outcome per pending case");
                if let (CaseEnd::Failed(_), None) =
                    (&outcome.end, self.report.steps_to_first_failure)
                {
                    self.report.steps_to_first_failure =
                        Some(self.report.steps + outcome.failed_after);
                }
                self.count(round, index, &outcome);
                match outcome.end {
                    // Generated cases are realised on the implementation's own path, so they
                    // keep their constraints; nothing to do for one that could not.
                    CaseEnd::Passed | CaseEnd::Tolerated | CaseEnd::Invalid { .. } => {}
                    CaseEnd::Unsupported(kind, why) => {
                        self.disabled.insert(kind);
                        self.report.unsupported.insert(kind, why);
                    }
                    CaseEnd::Refused(why) => {
                        self.report.harness_error = Some(SeamError::Unsupported(format!(
                            "reset with the declared choices: {why}"
                        )));
                        return None;
                    }
                    CaseEnd::Failed(f) => {
                        progress(&self.progress);
                        if matches!(f.kind, FailureKind::Indeterminate(_)) {
                            // Every further attempt could cost a timeout: report it as found.
                            return Some(*f);
                        }
                        let shrunk = self.shrink(seed, index, (*f).clone());
                        let minimal = self.minimize(shrunk);
                        let mut failure = self.confirm(minimal, *f);
                        failure.reference_fails = self.on_reference(&failure);
                        return Some(failure);
                    }
                }
            }
            progress(&self.progress);
        }
    }

    /// Whether the budget is spent; notes which bound ended the run.
    fn exhausted(&mut self) -> bool {
        let budget = self.config.budget;
        let end = if budget.max_ops.is_some_and(|max| self.report.steps >= max) {
            Some(BudgetEnd::Ops)
        } else if budget
            .max_time
            .is_some_and(|max| self.started.elapsed() >= max)
        {
            Some(BudgetEnd::Time)
        } else {
            None
        };
        if end.is_some() {
            self.report.budget_ended = end;
        }
        end.is_some()
    }

    /// How many of the pending cases to hand over: with an operations budget, those whose plans
    /// (an operation per seed at most, usually) fit in what is left, and at least one; so a slow
    /// implementation is not sent cases that will never be counted.
    fn within_budget(&self, pending: &[(u64, Plan)]) -> usize {
        let Some(max) = self.config.budget.max_ops else {
            return pending.len();
        };
        let left = max.saturating_sub(self.report.steps);
        let mut planned = 0u64;
        let fit = pending
            .iter()
            .take_while(|(_, plan)| {
                let before = planned;
                planned += plan.seeds.len() as u64;
                before < left
            })
            .count();
        fit.max(1)
    }

    /// Adds a counted case to the report.
    fn count(&mut self, round: usize, index: u64, outcome: &CaseOutcome) {
        self.report.cases += 1;
        self.report.steps += outcome.steps;
        self.report.executed.push((round, index));
        for &rule in &outcome.exercised {
            *self.report.exercised.entry(rule).or_default() += 1;
        }
        for (index, rules) in &outcome.merged {
            let failure = &mut self.report.failures[*index];
            for &rule in rules {
                if !failure.also.contains(&rule) {
                    failure.also.push(rule);
                }
            }
        }
        for &i in &outcome.credited {
            let hits = &mut self.report.expected[i];
            hits.cases += 1;
            if hits.first.is_none() {
                hits.first = outcome.example.as_deref().cloned();
            }
        }
        self.progress.cases = self.report.cases;
        if matches!(outcome.end, CaseEnd::Tolerated) {
            self.progress.expected += 1;
        }
    }

    /// Runs a batch of cases, on every worker, and returns the outcomes in order up to and including
    /// the first that must be handled before the rest can run (a failure, an unsupported operation).
    fn execute_batch(&mut self, batch: &[(u64, Plan)], seed: u64) -> Vec<CaseOutcome> {
        let context = Context {
            choices: &self.config.choices,
            disabled: &self.disabled,
            known: &self.known,
            expectations: &self.expectations,
            seed,
            constrained: true,
        };
        if self.workers.len() == 1 || batch.len() == 1 {
            let mut plans = batch.iter().map(|(_, plan)| plan).enumerate();
            return self.workers[0]
                .run_cases(&context, || plans.next(), |_| false, |_| {})
                .into_iter()
                .map(|(_, o)| o)
                .collect();
        }
        let next = AtomicUsize::new(0);
        let first_event = AtomicUsize::new(usize::MAX);
        let mut done: Vec<(usize, CaseOutcome)> = std::thread::scope(|scope| {
            let handles: Vec<_> = self
                .workers
                .iter_mut()
                .map(|worker| {
                    let (context, next, first_event) = (&context, &next, &first_event);
                    scope.spawn(move || {
                        // Positions are taken in order, so every position up to the first event
                        // is run by someone; later ones may be skipped.
                        let claim = || {
                            let p = next.fetch_add(1, Ordering::SeqCst);
                            (p < batch.len() && p <= first_event.load(Ordering::SeqCst))
                                .then(|| (p, &batch[p].1))
                        };
                        let past_event = |p| p > first_event.load(Ordering::SeqCst);
                        let event = |p| {
                            first_event.fetch_min(p, Ordering::SeqCst);
                        };
                        worker.run_cases(context, claim, past_event, event)
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| match h.join() {
                    Ok(mine) => mine,
                    Err(payload) => std::panic::resume_unwind(payload),
                })
                .collect()
        });
        let cut = first_event.into_inner();
        done.retain(|(p, _)| *p <= cut);
        done.sort_by_key(|(p, _)| *p);
        done.into_iter().map(|(_, o)| o).collect()
    }

    /// Runs an uncounted case (shrinking) on the first worker; records unsupported operations.
    fn uncounted(&mut self, seed: u64, ops: Option<&[Op]>, plan: Option<&Plan>) -> CaseEnd {
        let context = Context {
            choices: &self.config.choices,
            disabled: &self.disabled,
            known: &self.known,
            expectations: &self.expectations,
            seed,
            constrained: true,
        };
        let worker = &mut self.workers[0];
        let outcome = match (ops, plan) {
            (Some(ops), _) => worker.execute(&context, ops, None, None),
            (None, Some(plan)) => worker.case(&context, Realised::new(&context, plan), None),
            (None, None) => CaseOutcome::new(CaseEnd::Passed),
        };
        self.report.steps += outcome.steps;
        if let CaseEnd::Unsupported(kind, why) = &outcome.end {
            self.disabled.insert(*kind);
            self.report.unsupported.insert(*kind, why.clone());
        }
        outcome.end
    }

    /// Shrinks a failing case on its generator's value tree, as proptest does, and returns the
    /// failure of the simplest plan that still fails with the same headline rule. A plan that
    /// fails for another reason counts as passing: shrinking never slips to another failure.
    fn shrink(&mut self, seed: u64, index: u64, found: Failure) -> Failure {
        let signature = found.signature();
        let mut tree = CaseSequence::tree_at(seed, self.config.max_len, index);
        let mut best = found;
        let mut iterations = 0;
        if !tree.simplify() {
            return best;
        }
        loop {
            if iterations >= MAX_SHRINK_ITERS || self.exhausted() {
                break;
            }
            iterations += 1;
            match self.uncounted(seed, None, Some(&tree.current())) {
                CaseEnd::Failed(f) if matches!(f.kind, FailureKind::Indeterminate(_)) => {
                    // A hang while shrinking: keep what is known to fail.
                    break;
                }
                CaseEnd::Failed(f) if f.signature() == signature => {
                    best = *f;
                    if !tree.simplify() {
                        break;
                    }
                }
                _ => {
                    if !tree.complicate() {
                        break;
                    }
                }
            }
        }
        best
    }

    /// Shrinking works on the generator's seeds; this finishes the job on the literal operations:
    /// it drops one operation at a time while the same rule still fails at the end, and only
    /// while the shorter trace keeps generation's constraints on the path the implementation
    /// takes (every call one a real party would make there, a clock that moves forward). Hangs
    /// and crashes are left as found, since every attempt could cost a timeout.
    fn minimize(&mut self, failure: Failure) -> Failure {
        if matches!(failure.kind, FailureKind::Indeterminate(_)) {
            return failure;
        }
        let signature = failure.signature();
        let mut best = failure;
        let mut i = 0;
        while i < best.ops.len() && !self.exhausted() {
            let mut shorter = best.ops.clone();
            shorter.remove(i);
            match self.uncounted(best.seed, Some(&shorter), None) {
                CaseEnd::Failed(f)
                    if f.signature() == signature && f.ops.len() < best.ops.len() =>
                {
                    best = *f
                }
                _ => i += 1,
            }
        }
        best
    }

    /// Runs the minimal trace once more: a counterexample must fail with the rule first found.
    /// When it does not (an implementation whose answers vary), the trace as found is reported,
    /// with the shorter one kept beside it, and the report says whether even the trace as found
    /// failed again.
    fn confirm(&mut self, minimal: Failure, found: Failure) -> Failure {
        if matches!(minimal.kind, FailureKind::Indeterminate(_)) {
            return minimal;
        }
        let signature = found.signature();
        let again = |ops: &[Op], this: &mut Self| match this.uncounted(found.seed, Some(ops), None)
        {
            CaseEnd::Failed(f) if f.signature() == signature => Some(*f),
            _ => None,
        };
        if let Some(f) = again(&minimal.ops, self) {
            return f;
        }
        let shorter = (minimal.ops != found.ops).then(|| Box::new(minimal));
        let repeated = shorter.is_some() && again(&found.ops, self).is_some();
        Failure {
            shrunk: shorter,
            unrepeatable: !repeated,
            ..found
        }
    }

    /// Replays a failure's trace on the bundled reference provider under the same choices. The
    /// reference agrees with the model on every sequence, so if it fails the trace too, the
    /// verdict is the suite's own fault: its headline, to report as such.
    fn on_reference(&self, failure: &Failure) -> Option<String> {
        // Panics, hangs and nonsense are the implementation's whatever the reference does.
        failure.rule()?;
        match replay(
            self.config.reference.factory(),
            &failure.choices,
            &failure.ops,
            self.config.timeout,
        ) {
            Ok((None, _)) => None,
            Ok((Some(f), _)) => Some(f.headline()),
            Err(e) => Some(format!("the reference could not run the trace: {e}")),
        }
    }
}

/// A generated case realised along the model's default outcomes: its operations, the seed each
/// was picked by, and the model's step for each.
struct Realised {
    /// The plan, without the disabled kinds.
    plan: Plan,
    seeds: Vec<usize>,
    ops: Vec<Op>,
    steps: Vec<spoolcheck_model::Step>,
}

impl Realised {
    fn new(context: &Context<'_>, plan: &Plan) -> Realised {
        let plan = Plan {
            swarm: plan
                .swarm
                .iter()
                .copied()
                .filter(|k| !context.disabled.contains(k))
                .collect(),
            seeds: plan.seeds.clone(),
        };
        let initial = State::new(context.choices.clone());
        let realized = spoolcheck_model::generate::continue_from(&initial, &plan, 0);
        let mut seeds = Vec::with_capacity(realized.len());
        let mut ops = Vec::with_capacity(realized.len());
        let mut steps = Vec::with_capacity(realized.len());
        for r in realized {
            seeds.push(r.seed);
            ops.push(r.op);
            steps.push(r.step);
        }
        Realised {
            plan,
            seeds,
            ops,
            steps,
        }
    }
}

/// Cases handed to the implementation's thread at a time: it is woken once for them and works
/// through them while this thread generates the next ones, so that their answers are there when
/// they are judged. After a failure, the ones not yet judged are cancelled.
const AHEAD: usize = 8;

impl Worker {
    /// Runs generated cases in order: `claim` gives the next (position, plan) until there are
    /// none. Stops after the first event (`event` is told its position at once) or before a
    /// position `stop` rules out. Returns the outcomes with their positions.
    fn run_cases<'p>(
        &mut self,
        context: &Context<'_>,
        mut claim: impl FnMut() -> Option<(usize, &'p Plan)>,
        stop: impl Fn(usize) -> bool,
        mut event: impl FnMut(usize),
    ) -> Vec<(usize, CaseOutcome)> {
        let mut generate = || {
            std::iter::from_fn(&mut claim)
                .take(AHEAD)
                .map(|(p, plan)| (p, Realised::new(context, plan)))
                .collect::<Vec<_>>()
        };
        let mut done = Vec::new();
        let mut next = generate();
        while !next.is_empty() {
            // One message for the lot: the implementation's thread is woken once.
            let ops = next.iter().map(|(_, r)| r.ops.clone()).collect();
            let tickets: Vec<Result<Ticket, SeamError>> =
                match self.driver.submit_all(context.choices, ops) {
                    Ok(tickets) => tickets.into_iter().map(Ok).collect(),
                    Err(e) => next.iter().map(|_| Err(e.clone())).collect(),
                };
            let mut handed: VecDeque<_> = next
                .into_iter()
                .zip(tickets)
                .map(|((p, realised), ticket)| (p, realised, ticket))
                .collect();
            next = generate();
            while let Some((p, realised, ticket)) = handed.pop_front() {
                if stop(p) {
                    handed.push_front((p, realised, ticket));
                    next.clear();
                    break;
                }
                let outcome = self.case(context, realised, Some(ticket));
                let is_event = outcome.is_event();
                done.push((p, outcome));
                if is_event {
                    event(p);
                    next.clear();
                    break;
                }
            }
            for (_, _, ticket) in handed {
                if let Ok(ticket) = ticket {
                    self.driver.cancel(ticket);
                }
            }
        }
        done
    }

    /// Runs one generated case: sends the operations (unless `ticket` says they were sent
    /// already), judges each answer. The plan was realised along the model's default outcomes;
    /// where the implementation takes another allowed outcome and a later operation no longer
    /// keeps its preconditions there, the rest of the case is picked again from the state the
    /// implementation is really in, and the case runs again from the start. So every case,
    /// shrunk ones too, is a sequence real parties could make against this implementation.
    fn case(
        &mut self,
        context: &Context<'_>,
        realised: Realised,
        ticket: Option<Result<Ticket, SeamError>>,
    ) -> CaseOutcome {
        let Realised {
            plan,
            mut seeds,
            mut ops,
            steps,
        } = realised;
        let mut outcome = self.execute(context, &ops, Some(steps), ticket);
        let mut sent = outcome.steps;
        // Each pass keeps a longer valid prefix, so this ends; the bound guards against an
        // implementation whose answers vary from run to run.
        for _ in 0..=plan.seeds.len() {
            let CaseEnd::Invalid { at, state } = &outcome.end else {
                break;
            };
            let from = seeds[*at];
            let rest = spoolcheck_model::generate::continue_from(state, &plan, from);
            ops.truncate(*at);
            seeds.truncate(*at);
            for r in rest {
                seeds.push(r.seed);
                ops.push(r.op);
            }
            outcome = self.execute(context, &ops, None, None);
            sent += outcome.steps;
        }
        if let CaseEnd::Invalid { .. } = outcome.end {
            outcome.end = CaseEnd::Passed;
        }
        outcome.failed_after += sent - outcome.steps;
        outcome.steps = sent;
        outcome
    }

    /// Runs one case. `realized`, when given, holds the model's steps along the default outcomes;
    /// they are used while the implementation follows those outcomes. `ticket` is the case as
    /// handed over already, if it was.
    fn execute(
        &mut self,
        context: &Context<'_>,
        ops: &[Op],
        realized: Option<Vec<spoolcheck_model::Step>>,
        ticket: Option<Result<Ticket, SeamError>>,
    ) -> CaseOutcome {
        let choices = context.choices;
        let seed = context.seed;
        let mut realized = realized.map(Vec::into_iter);
        let fail = |kind, step: usize, observed: Vec<Response>| {
            Box::new(Failure {
                kind,
                step,
                ops: ops[..=step].to_vec(),
                observed,
                choices: choices.clone(),
                seed,
                also: Vec::new(),
                shrunk: None,
                unrepeatable: false,
                reference_fails: None,
            })
        };
        let not_started = |e| match e {
            // The implementation cannot run under these declared choices: nothing to judge.
            SeamError::Unsupported(why) => CaseOutcome::new(CaseEnd::Refused(why)),
            e => CaseOutcome::new(seam_failure(e, 0, ops, choices, seed, Vec::new())),
        };
        // A case not handed over ahead (shrinking, a re-run, a replay) usually ends at a failure:
        // step by step, the implementation runs nothing past it.
        let ticket = ticket.unwrap_or_else(|| self.driver.submit_stepwise(choices, ops.to_vec()));
        let mut ticket = match ticket {
            Ok(t) => t,
            Err(e) => return not_started(e),
        };
        if let Err(e) = self.driver.started(&mut ticket) {
            return not_started(e);
        }
        let mut answered = 0;
        let mut outcome = CaseOutcome::new(CaseEnd::Passed);
        let mut state = State::new(choices.clone());
        let mut observed: Vec<Response> = Vec::with_capacity(ops.len());
        let mut tolerated = false;
        for (i, op) in ops.iter().enumerate() {
            if context.constrained && !precondition(&state, op) {
                outcome.end = CaseEnd::Invalid {
                    at: i,
                    state: Box::new(state),
                };
                break;
            }
            let response = match self.driver.next_answer(&mut ticket) {
                Ok(r) => r,
                Err(SeamError::Unsupported(why)) => {
                    outcome.end = CaseEnd::Unsupported(OpKind::of(op), why);
                    break;
                }
                Err(e) => {
                    outcome.end =
                        seam_failure(e, i, ops, choices, seed, std::mem::take(&mut observed));
                    break;
                }
            };
            answered += 1;
            let precomputed = realized.as_mut().and_then(Iterator::next);
            let mut result = match precomputed {
                Some(result) => result,
                None => step(&state, op),
            };
            // The answer is judged as it is, then kept: moved, never copied.
            let actual = Actual {
                ret: response.ret,
                calls: response.calls,
                notifications: response.notifications,
                observation: response.observation,
            };
            let verdict = judge(op, &result, &actual);
            let (violations, next, state_differs) = match verdict {
                Verdict::Pass { outcome: index } => {
                    let chosen = result.outcomes.swap_remove(index);
                    if index != 0 || !chosen.loose.is_empty() {
                        // Off the realised path: step the model afresh from here on.
                        realized = None;
                    }
                    outcome.exercised.extend_from_slice(&chosen.rules);
                    let next = into_next_state(chosen, &actual);
                    let checked = invariants::check_observation(&actual.observation);
                    observed.push(response_of(actual));
                    match checked {
                        Ok(()) => {
                            state = next;
                            continue;
                        }
                        Err(broken) => (FailureKind::Invariant(broken), next, true),
                    }
                }
                Verdict::Fail {
                    outcome: closest,
                    mut violations,
                } => {
                    strictest_state_first(&mut violations);
                    let differs = violations.iter().any(|v| v.aspect == Aspect::State);
                    let next = after_deviation(&state, &result.outcomes[closest], &actual);
                    observed.push(response_of(actual));
                    (FailureKind::Violated(violations), next, differs)
                }
            };
            let as_violations = match &violations {
                FailureKind::Violated(v) => v.clone(),
                FailureKind::Invariant(b) => vec![b.as_violation()],
                _ => Vec::new(),
            };
            let failure = fail(violations, i, observed.clone());
            match context.classify(&as_violations) {
                Deviation::New => {
                    outcome.end = CaseEnd::Failed(failure);
                    break;
                }
                Deviation::Known(index) => {
                    let rules = as_violations.iter().map(|v| v.rule).collect();
                    outcome.merged.push((index, rules));
                }
                Deviation::Expected(entries) => credit(&mut outcome, entries, failure),
            }
            // A known deviation. When the store's state is still the model's (a wrong code, call
            // or notification), go on, so a later violation is not hidden behind it; a state that
            // differs would make every later step differ too, so the case ends there.
            tolerated = true;
            if state_differs {
                break;
            }
            state = next;
            realized = None;
        }
        if answered < ops.len() {
            // The case ended early: the implementation runs nothing more of it.
            self.driver.cancel(ticket);
        }
        if tolerated && matches!(outcome.end, CaseEnd::Passed) {
            outcome.end = CaseEnd::Tolerated;
        }
        if let CaseEnd::Passed | CaseEnd::Tolerated = outcome.end {
            observed = std::mem::replace(&mut self.last_observed, observed);
        }
        self.driver.done_with(observed);
        outcome.steps = ops.len() as u64;
        if let CaseEnd::Failed(f) = &outcome.end {
            outcome.failed_after = f.step as u64 + 1;
        }
        outcome
    }
}

/// An answer, once judged, as the seam gave it.
fn response_of(actual: Actual) -> Response {
    Response {
        ret: actual.ret,
        calls: actual.calls,
        notifications: actual.notifications,
        observation: actual.observation,
    }
}

/// The model's state after a known deviation that left the observed store as the model expects:
/// the closest outcome's, unless the store failed a call the model expected to succeed and shows
/// nothing changed; then the call is taken to have done nothing (a failed MAPI call changes nothing,
/// AMB-10), so what it would have changed out of sight (a save, say) is not assumed either.
fn after_deviation(before: &State, closest: &spoolcheck_model::Outcome, actual: &Actual) -> State {
    let refused = actual.ret.hr.failed() && !closest.ret.hr.failed();
    if refused && spoolcheck_model::observe(before) == actual.observation {
        let mut unchanged = before.clone();
        unchanged.last_clock = closest.next.last_clock;
        unchanged.ready_to_send |=
            actual
                .calls
                .contains(&spoolcheck_model::SupportCall::SpoolerNotify {
                    flags: spoolcheck_model::mapi::NOTIFY_READYTOSEND,
                });
        return unchanged;
    }
    next_state(closest, actual)
}

/// The differences in the store's state are observed all at once, after the call: among them, the
/// most binding rule names the deviation (the model lists them last, in field order).
fn strictest_state_first(violations: &mut [Violation]) {
    let start = violations
        .iter()
        .position(|v| v.aspect == Aspect::State)
        .unwrap_or(violations.len());
    violations[start..].sort_by_key(|v| std::cmp::Reverse(crate::failure::level_of(v.rule)));
}

/// Records a tolerated failure: the ledger entries it counts for, and the first such failure as the
/// case's example.
fn credit(outcome: &mut CaseOutcome, entries: Vec<usize>, failure: Box<Failure>) {
    if entries.is_empty() {
        return;
    }
    for entry in entries {
        if !outcome.credited.contains(&entry) {
            outcome.credited.push(entry);
        }
    }
    outcome.example.get_or_insert(failure);
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
        also: Vec::new(),
        shrunk: None,
        unrepeatable: false,
        reference_fails: None,
    }))
}

/// Replays a literal sequence once and judges it.
pub fn replay(
    factory: Arc<Factory>,
    choices: &Choices,
    ops: &[Op],
    timeout: Duration,
) -> Result<(Option<Failure>, Vec<Response>), SeamError> {
    let mut worker = Worker {
        driver: Driver::start(factory, timeout)?,
        last_observed: Vec::new(),
    };
    let context = Context {
        choices,
        disabled: &BTreeSet::new(),
        known: &BTreeMap::new(),
        expectations: &[],
        seed: 0,
        constrained: false,
    };
    match worker.execute(&context, ops, None, None).end {
        CaseEnd::Failed(f) => {
            let observed = f.observed.clone();
            Ok((Some(*f), observed))
        }
        CaseEnd::Unsupported(kind, why) => Err(SeamError::Unsupported(format!("{kind:?}: {why}"))),
        CaseEnd::Refused(why) => Err(SeamError::Unsupported(why)),
        // Not constrained, so never invalid.
        CaseEnd::Passed | CaseEnd::Tolerated | CaseEnd::Invalid { .. } => {
            Ok((None, worker.last_observed))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::ReferenceStore;
    use proptest::test_runner::TestCaseError;
    use std::cell::RefCell;

    fn reference() -> Arc<Factory> {
        Arc::new(|| Ok(Box::new(ReferenceStore::new()) as _))
    }

    #[test]
    fn the_case_sequence_is_the_one_proptest_generates() {
        for seed in [0, 7, round_seed(7, 3)] {
            let seen = RefCell::new(Vec::new());
            let config = Config {
                cases: 40,
                failure_persistence: None,
                ..Config::default()
            };
            let mut runner = TestRunner::new_with_rng(config, rng_for(seed));
            runner
                .run(&plan(40), |p| {
                    seen.borrow_mut().push(p);
                    Ok::<(), TestCaseError>(())
                })
                .unwrap();
            let ours: Vec<Plan> = CaseSequence::new(seed, 40)
                .take(40)
                .map(|(_, p)| p)
                .collect();
            assert_eq!(ours, seen.into_inner(), "seed {seed}");
        }
    }

    #[test]
    fn shards_are_disjoint_and_their_union_is_the_whole_run() {
        let config = RunConfig {
            cases: 90,
            seed: 3,
            ..RunConfig::default()
        };
        let whole = run(reference(), &config);
        assert!(whole.failures.is_empty());
        let mut executed = Vec::new();
        let mut exercised: BTreeMap<RuleId, u64> = BTreeMap::new();
        let (mut cases, mut steps) = (0, 0);
        for k in 1..=3 {
            let shard = Shard::new(k, 3).unwrap();
            let part = run(
                reference(),
                &RunConfig {
                    shard,
                    ..config.clone()
                },
            );
            assert_eq!(part.shard, shard);
            assert!(part.executed.iter().all(|&(_, i)| shard.owns(i)));
            executed.extend(part.executed);
            for (rule, n) in part.exercised {
                *exercised.entry(rule).or_default() += n;
            }
            cases += part.cases;
            steps += part.steps;
        }
        executed.sort_unstable();
        let unique: BTreeSet<_> = executed.iter().collect();
        assert_eq!(unique.len(), executed.len(), "disjoint");
        assert_eq!(executed, whole.executed, "the union is the whole run");
        assert_eq!(
            (cases, steps, exercised),
            (whole.cases, whole.steps, whole.exercised)
        );
    }

    #[test]
    fn jobs_do_not_change_the_report() {
        let m = crate::mutant::Mutant::Submit16EntryIdChanges;
        let mutant: Arc<Factory> =
            Arc::new(move || Ok(Box::new(ReferenceStore::with_mutant(m)) as _));
        let config = RunConfig {
            choices: m.choices(),
            seed: 42,
            cases: 256,
            ..RunConfig::default()
        };
        let one = run(mutant.clone(), &config);
        let three = run(mutant, &RunConfig { jobs: 3, ..config });
        assert!(!one.failures.is_empty());
        assert_eq!(one.failures, three.failures);
        assert_eq!(
            (one.cases, one.steps, &one.exercised, &one.executed),
            (three.cases, three.steps, &three.exercised, &three.executed)
        );
    }

    #[test]
    fn max_ops_bounds_the_steps_deterministically() {
        let config = RunConfig {
            cases: 2048,
            seed: 5,
            budget: Budget {
                max_ops: Some(500),
                max_time: None,
            },
            ..RunConfig::default()
        };
        let once = run(reference(), &config);
        assert_eq!(once.budget_ended, Some(BudgetEnd::Ops));
        // The case in progress finishes: at most one case more than the budget.
        assert!(
            (500..500 + config.max_len as u64).contains(&once.steps),
            "{} steps",
            once.steps
        );
        assert!(once.cases < 2048);
        for jobs in [1, 3] {
            let again = run(
                reference(),
                &RunConfig {
                    jobs,
                    ..config.clone()
                },
            );
            assert_eq!(
                (again.cases, again.steps, &again.exercised, &again.executed),
                (once.cases, once.steps, &once.exercised, &once.executed),
                "jobs {jobs}"
            );
            assert_eq!(again.budget_ended, Some(BudgetEnd::Ops));
        }
    }

    #[test]
    fn max_ops_bounds_search_and_shrinking_of_a_mutant() {
        let m = crate::mutant::Mutant::Spl06NoLockedFlag;
        let mutant: Arc<Factory> =
            Arc::new(move || Ok(Box::new(ReferenceStore::with_mutant(m)) as _));
        let unbounded = RunConfig {
            choices: m.choices(),
            cases: 2048,
            ..RunConfig::default()
        };
        let free = run(mutant.clone(), &unbounded);
        let found = free.steps_to_first_failure.expect("the mutant is caught");
        assert!(found <= free.steps);
        // Enough to find it, not to shrink it all the way: the failure is still reported, with
        // what finding it cost, and no second round runs.
        let config = RunConfig {
            budget: Budget {
                max_ops: Some(found + 1),
                max_time: None,
            },
            ..unbounded
        };
        let bounded = run(mutant.clone(), &config);
        assert_eq!(bounded.steps_to_first_failure, Some(found));
        assert_eq!(bounded.failures.len(), 1);
        assert_eq!(bounded.failures[0].rule(), free.failures[0].rule());
        assert!(bounded.steps < free.steps);
        let three = run(mutant, &RunConfig { jobs: 3, ..config });
        assert_eq!(three.failures, bounded.failures);
        assert_eq!(
            (three.cases, three.steps, three.budget_ended),
            (bounded.cases, bounded.steps, bounded.budget_ended)
        );
    }

    #[test]
    fn a_spent_time_budget_starts_no_case_and_an_unspent_one_changes_nothing() {
        let config = RunConfig {
            cases: 64,
            ..RunConfig::default()
        };
        let spent = run(
            reference(),
            &RunConfig {
                budget: Budget {
                    max_ops: None,
                    max_time: Some(Duration::ZERO),
                },
                ..config.clone()
            },
        );
        assert_eq!((spent.cases, spent.steps), (0, 0));
        assert_eq!(spent.budget_ended, Some(BudgetEnd::Time));
        let free = run(reference(), &config);
        let roomy = run(
            reference(),
            &RunConfig {
                budget: Budget {
                    max_ops: Some(u64::MAX),
                    max_time: Some(Duration::from_secs(86_400)),
                },
                ..config
            },
        );
        assert_eq!(roomy.budget_ended, None);
        assert_eq!(
            (roomy.cases, roomy.steps, &roomy.executed),
            (free.cases, free.steps, &free.executed)
        );
    }

    #[test]
    fn expected_deviations_are_tolerated_and_counted() {
        let m = crate::mutant::Mutant::Spl06NoLockedFlag;
        let mutant: Arc<Factory> =
            Arc::new(move || Ok(Box::new(ReferenceStore::with_mutant(m)) as _));
        let config = RunConfig {
            choices: m.choices(),
            cases: 300,
            expected: vec![
                Expected::rule(RuleId::Spl06),
                Expected {
                    rule: RuleId::Spl06,
                    signature: Some("no such text".into()),
                },
                Expected::rule(RuleId::Submit09),
            ],
            ..RunConfig::default()
        };
        let report = run(mutant, &config);
        let text = crate::report::render(&report, true, &[]);
        assert!(
            report
                .failures
                .iter()
                .all(|f| !f.rules().contains(&RuleId::Spl06)),
            "{text}"
        );
        assert!(report.expected[0].cases > 0, "{text}");
        let first = report.expected[0].first.as_ref().expect("an example");
        assert_eq!(first.rule(), Some(RuleId::Spl06));
        assert_eq!(report.expected[1].cases, 0, "the signature does not match");
        assert_eq!(report.expected[2].cases, 0, "SUBMIT-09 is not broken");
    }
}
