//! Implementations that misbehave at one point, each a thin wrapper around the reference provider:
//! one panics, one hangs, one cannot be observed, several answer nonsense, one cannot be reset and
//! one declines NotifyNewMail. The harness must turn each into a report (and a trace that saves and
//! loads back), never panic or hang itself, and give the verdict and exit code a user expects.

use crate::common::TempDir;
use spoolcheck_harness::driver::Factory;
use spoolcheck_harness::failure::{Failure, FailureKind};
use spoolcheck_harness::reference::ReferenceStore;
use spoolcheck_harness::report::{self, RunVerdict};
use spoolcheck_harness::runner::{self, run, RunConfig, RunReport};
use spoolcheck_harness::seam::{Implementation, SeamError, Support};
use spoolcheck_harness::tracefile::TraceFile;
use spoolcheck_model::mapi::Hresult;
use spoolcheck_model::observe::MessageView;
use spoolcheck_model::precondition::OpKind;
use spoolcheck_model::{Choices, MsgId, Observation, Op, QueueRow, Ret, RetData};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// How long the hanging implementation sleeps in FinishedMsg unless released.
const HANG: Duration = Duration::from_secs(60);

/// The one point where a [`Faulty`] store goes wrong.
#[derive(Clone)]
enum Fault {
    /// Panics inside `apply` on the third SubmitMessage since the last reset.
    PanicOnThirdSubmit,
    /// Sleeps in FinishedMsg for [`HANG`] or until the flag is set; counts its FinishedMsg calls.
    HangInFinishedMsg {
        release: Arc<AtomicBool>,
        calls: Arc<AtomicUsize>,
    },
    /// `observe` fails with `Malformed` once a message is queued.
    ObserveMalformedWhenQueued,
    /// GetOutgoingQueue answers rows naming messages that were never created.
    GhostQueueRows,
    /// Every call answers a pseudo-random HRESULT (the same sequence after each reset).
    RandomHresults,
    /// The observation shows a message with an ID that was never created.
    GhostMessageObserved,
    /// Every observed message has PR_SUBMIT_FLAGS = 0xFFFF.
    WildSubmitFlags,
    /// `reset` answers `Unsupported`; counts its calls.
    ResetUnsupported(Arc<AtomicUsize>),
    /// `apply` answers `Unsupported` to NotifyNewMail; counts those calls.
    NotifyNewMailUnsupported(Arc<AtomicUsize>),
}

impl Fault {
    fn label(&self) -> &'static str {
        match self {
            Fault::PanicOnThirdSubmit => "panics",
            Fault::HangInFinishedMsg { .. } => "hangs",
            Fault::ObserveMalformedWhenQueued => "unobservable",
            Fault::GhostQueueRows => "ghost-queue-rows",
            Fault::RandomHresults => "random-hresults",
            Fault::GhostMessageObserved => "ghost-message",
            Fault::WildSubmitFlags => "wild-submit-flags",
            Fault::ResetUnsupported(_) => "no-reset",
            Fault::NotifyNewMailUnsupported(_) => "no-new-mail",
        }
    }
}

/// The reference provider with one fault.
struct Faulty {
    inner: ReferenceStore,
    fault: Fault,
    submits: u32,
    rng: u64,
}

const PANIC_TEXT: &str = "lost track of the outgoing queue on the third SubmitMessage";
const MALFORMED_TEXT: &str = "the outgoing queue table could not be read";
const NO_RESET_TEXT: &str = "this store cannot be emptied";
const NO_NEW_MAIL_TEXT: &str = "new-mail notifications are not implemented";
const GHOST: MsgId = MsgId(4242);

impl Implementation for Faulty {
    fn name(&self) -> String {
        format!("faulty ({})", self.fault.label())
    }

    fn reset(&mut self, choices: &Choices) -> Result<(), SeamError> {
        if let Fault::ResetUnsupported(calls) = &self.fault {
            calls.fetch_add(1, Ordering::SeqCst);
            return Err(SeamError::Unsupported(NO_RESET_TEXT.into()));
        }
        self.submits = 0;
        self.rng = 0x2545_F491_4F6C_DD1D;
        self.inner.reset(choices)
    }

    fn apply(&mut self, op: &Op, support: &mut dyn Support) -> Result<Ret, SeamError> {
        match (&self.fault, op) {
            (Fault::PanicOnThirdSubmit, Op::SubmitMessage { .. }) => {
                self.submits += 1;
                assert!(self.submits != 3, "{PANIC_TEXT}");
            }
            (Fault::HangInFinishedMsg { release, calls }, Op::FinishedMsg { .. }) => {
                calls.fetch_add(1, Ordering::SeqCst);
                let started = Instant::now();
                while !release.load(Ordering::SeqCst) && started.elapsed() < HANG {
                    thread::sleep(Duration::from_millis(10));
                }
            }
            (Fault::NotifyNewMailUnsupported(calls), Op::NotifyNewMail { .. }) => {
                calls.fetch_add(1, Ordering::SeqCst);
                return Err(SeamError::Unsupported(NO_NEW_MAIL_TEXT.into()));
            }
            _ => {}
        }
        let mut ret = self.inner.apply(op, support)?;
        match (&self.fault, op) {
            (Fault::GhostQueueRows, Op::GetOutgoingQueue { .. }) => {
                let row = |n| QueueRow {
                    msg: MsgId(n),
                    submit_flags: Some(0xFFFF),
                    message_flags: Some(0),
                    client_submit_time: None,
                };
                ret.data = RetData::Queue(vec![row(GHOST.0), row(0), row(u32::MAX)]);
            }
            (Fault::RandomHresults, _) => {
                // xorshift64
                self.rng ^= self.rng << 13;
                self.rng ^= self.rng >> 7;
                self.rng ^= self.rng << 17;
                ret.hr = Hresult(self.rng as u32 | 1);
            }
            _ => {}
        }
        Ok(ret)
    }

    fn observe(&mut self) -> Result<Observation, SeamError> {
        let mut observation = self.inner.observe()?;
        match self.fault {
            Fault::ObserveMalformedWhenQueued if !observation.queue.is_empty() => {
                return Err(SeamError::Malformed(MALFORMED_TEXT.into()));
            }
            Fault::GhostMessageObserved => {
                observation.messages.insert(
                    GHOST,
                    MessageView {
                        message_flags: 0xFFFF_FFFF,
                        submit_flags: 0xFFFF,
                        client_submit_time: Some(u64::MAX),
                        recipients: Vec::new(),
                        responsibility: vec![None, Some(true)],
                    },
                );
                observation.queue.push(GHOST);
            }
            Fault::WildSubmitFlags => {
                for m in observation.messages.values_mut() {
                    m.submit_flags = 0xFFFF;
                }
            }
            _ => {}
        }
        Ok(observation)
    }
}

fn faulty(fault: Fault) -> Arc<Factory> {
    Arc::new(move || {
        Ok(Box::new(Faulty {
            inner: ReferenceStore::new(),
            fault: fault.clone(),
            submits: 0,
            rng: 0,
        }) as Box<dyn Implementation>)
    })
}

fn config(cases: u32) -> RunConfig {
    RunConfig {
        cases,
        seed: 7,
        ..RunConfig::default()
    }
}

/// Saves the failure's trace, loads it back, and checks that it is the same trace and that the
/// report renders with the saved path.
fn saves_and_loads(report: &RunReport, failure: &Failure, dir: &Path) -> TraceFile {
    let trace = TraceFile::of_failure(&report.implementation, failure);
    let path = trace.save(dir).expect("the trace saves");
    assert!(path.starts_with(dir), "{}", path.display());
    let loaded = TraceFile::load(&path).expect("the saved trace loads");
    assert_eq!(loaded, trace);
    assert_eq!(loaded.ops, failure.ops);
    assert_eq!(loaded.observed, failure.observed);
    let text = report::render(report, false, &[Some(&path)]);
    assert!(text.contains(&path.display().to_string()), "{text}");
    loaded
}

fn verdict(report: &RunReport) -> RunVerdict {
    RunVerdict::of(report, false)
}

#[test]
fn a_panic_in_apply_is_a_reported_failure_at_that_submit() {
    let report = run(faulty(Fault::PanicOnThirdSubmit), &config(256));
    let text = report::render(&report, false, &[]);
    assert_eq!(report.harness_error, None, "{text}");
    assert_eq!(
        report.failures.len(),
        1,
        "the run stops at a panic:\n{text}"
    );
    let f = &report.failures[0];
    assert_eq!(f.kind, FailureKind::Panicked(PANIC_TEXT.into()), "{text}");
    assert!(
        matches!(f.ops.last(), Some(Op::SubmitMessage { .. })),
        "the trace ends at the SubmitMessage that panicked:\n{text}"
    );
    let submits = f
        .ops
        .iter()
        .filter(|op| matches!(op, Op::SubmitMessage { .. }))
        .count();
    assert_eq!(submits, 3, "{text}");
    assert_eq!(f.step + 1, f.ops.len());
    assert_eq!(f.observed.len(), f.step, "every earlier step was answered");
    assert!(f.ops.len() <= 6, "shrunk to {} steps:\n{text}", f.ops.len());
    assert_eq!(f.rule(), None);
    assert!(f.fails_run(false));
    assert!(
        text.contains(&format!(
            "the implementation panicked at step {}",
            f.step + 1
        )) && text.contains(PANIC_TEXT),
        "{text}"
    );
    assert_eq!(verdict(&report), RunVerdict::NotConformant);
    assert_eq!(verdict(&report).exit_code(), 1);
    let dir = TempDir::new("panic");
    let trace = saves_and_loads(&report, f, dir.path());
    assert_eq!(trace.failure.and_then(|s| s.rule), None);
}

/// Sets the flag when dropped, so the hanging workers end even if an assertion fails.
struct Release(Arc<AtomicBool>);

impl Drop for Release {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// The run gives up on a FinishedMsg that never answers: the failure is indeterminate at that call,
/// and the hanging call is neither retried nor shrunk (each attempt could cost another timeout).
#[test]
fn a_hang_in_finishedmsg_is_an_indeterminate_failure_at_that_call() {
    let release = Release(Arc::new(AtomicBool::new(false)));
    let calls = Arc::new(AtomicUsize::new(0));
    let config = RunConfig {
        timeout: Duration::from_millis(200),
        ..config(256)
    };
    let fault = Fault::HangInFinishedMsg {
        release: release.0.clone(),
        calls: calls.clone(),
    };
    let report = run(faulty(fault), &config);
    let text = report::render(&report, false, &[]);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "FinishedMsg was called again after it hung:\n{text}"
    );
    assert_eq!(report.harness_error, None, "{text}");
    assert_eq!(report.failures.len(), 1, "{text}");
    let f = &report.failures[0];
    assert_eq!(
        f.kind,
        FailureKind::Indeterminate(SeamError::Timeout { millis: 200 }),
        "{text}"
    );
    assert!(
        matches!(f.ops.last(), Some(Op::FinishedMsg { .. })),
        "the trace ends at the FinishedMsg that hung:\n{text}"
    );
    assert_eq!(f.observed.len(), f.step);
    assert!(
        text.contains("indeterminate at step") && text.contains("no answer within 200 ms"),
        "{text}"
    );
    assert_eq!(verdict(&report), RunVerdict::NotConformant);
    assert_eq!(verdict(&report).exit_code(), 1);
    let dir = TempDir::new("hang");
    saves_and_loads(&report, f, dir.path());
}

#[test]
fn an_observation_that_cannot_be_read_is_a_malformed_failure() {
    let report = run(faulty(Fault::ObserveMalformedWhenQueued), &config(256));
    let text = report::render(&report, false, &[]);
    assert_eq!(report.harness_error, None, "{text}");
    assert_eq!(report.failures.len(), 1, "{text}");
    let f = &report.failures[0];
    assert_eq!(
        f.kind,
        FailureKind::Malformed(MALFORMED_TEXT.into()),
        "{text}"
    );
    assert!(
        matches!(f.ops.last(), Some(Op::SubmitMessage { .. })),
        "the first message joins the queue through SubmitMessage:\n{text}"
    );
    assert!(f.ops.len() <= 3, "shrunk to {} steps:\n{text}", f.ops.len());
    assert!(
        text.contains("the implementation answered nonsense at step"),
        "{text}"
    );
    assert_eq!(verdict(&report), RunVerdict::NotConformant);
    assert_eq!(verdict(&report).exit_code(), 1);
    let dir = TempDir::new("malformed");
    saves_and_loads(&report, f, dir.path());
}

#[test]
fn nonsense_answers_are_rule_violations_with_saved_traces() {
    let dir = TempDir::new("nonsense");
    for fault in [
        Fault::GhostQueueRows,
        Fault::RandomHresults,
        Fault::GhostMessageObserved,
        Fault::WildSubmitFlags,
    ] {
        let label = fault.label();
        let factory = faulty(fault);
        let report = run(factory.clone(), &config(128));
        let text = report::render(&report, false, &[]);
        assert_eq!(report.harness_error, None, "{label}:\n{text}");
        assert!(!report.failures.is_empty(), "{label} conforms:\n{text}");
        assert_eq!(verdict(&report), RunVerdict::NotConformant, "{label}");
        for (round, f) in report.failures.iter().enumerate() {
            assert!(
                matches!(f.kind, FailureKind::Violated(_) | FailureKind::Invariant(_)),
                "{label}: {}",
                f.headline()
            );
            assert!(f.rule().is_some(), "{label}: {}", f.headline());
            let trace = saves_and_loads(&report, f, dir.path());
            // The nonsense is deterministic, so the saved trace reproduces it.
            let (again, _) = runner::replay(
                factory.clone(),
                &trace.choices,
                &trace.ops,
                Duration::from_secs(10),
            )
            .expect("the trace replays");
            let again = again.unwrap_or_else(|| panic!("{label}: the replay conforms"));
            if round == 0 {
                assert_eq!(
                    (again.rules(), again.step),
                    (f.rules(), f.step),
                    "{label}: {}",
                    f.headline()
                );
            } else {
                // A later round went on past deviations already reported; a replay, which has no
                // such history, stops at the first of them, at or before the recorded step.
                assert!(again.step <= f.step, "{label}: {}", f.headline());
            }
        }
        match label {
            "ghost-queue-rows" => assert!(
                report
                    .failures
                    .iter()
                    .all(|f| matches!(f.ops[f.step], Op::GetOutgoingQueue { .. })),
                "{text}"
            ),
            // These are wrong from the first answer on.
            _ => assert!(
                report.failures.iter().any(|f| f.ops.len() == 1),
                "{label}:\n{text}"
            ),
        }
    }
}

#[test]
fn a_reset_that_is_unsupported_is_reported_not_run() {
    let resets = Arc::new(AtomicUsize::new(0));
    let report = run(faulty(Fault::ResetUnsupported(resets.clone())), &config(64));
    let text = report::render(&report, false, &[]);
    // The implementation cannot run under the declared choices: nothing was sent, nothing is
    // judged, and the run ends as a harness error (exit 2) that says why.
    assert!(report.failures.is_empty(), "{text}");
    assert_eq!(report.steps, 0, "no operation was sent:\n{text}");
    match &report.harness_error {
        Some(SeamError::Unsupported(why)) => assert!(why.contains(NO_RESET_TEXT), "{why}"),
        other => panic!("expected an unsupported reset, got {other:?}\n{text}"),
    }
    assert!(
        text.contains(NO_RESET_TEXT) && text.contains("HARNESS ERROR"),
        "{text}"
    );
    assert_eq!(verdict(&report), RunVerdict::HarnessError);
    assert_eq!(verdict(&report).exit_code(), 2);
    assert_eq!(
        resets.load(Ordering::SeqCst),
        1,
        "no search goes on after the refusal"
    );
}

#[test]
fn an_unsupported_notifynewmail_is_listed_and_the_run_is_not_conformant() {
    let calls = Arc::new(AtomicUsize::new(0));
    let report = run(
        faulty(Fault::NotifyNewMailUnsupported(calls.clone())),
        &config(256),
    );
    let text = report::render(&report, false, &[]);
    assert_eq!(report.harness_error, None, "{text}");
    assert!(report.failures.is_empty(), "{text}");
    // The rest conforms, but a store that declines a call it must support is not conformant.
    assert!(report.failures.is_empty(), "{text}");
    assert_eq!(verdict(&report), RunVerdict::NotConformant, "{text}");
    assert_eq!(verdict(&report).exit_code(), 1);
    assert_eq!(
        report.unsupported.keys().copied().collect::<Vec<_>>(),
        [OpKind::NewMail],
        "{text}"
    );
    assert_eq!(report.unsupported[&OpKind::NewMail], NO_NEW_MAIL_TEXT);
    assert!(
        text.contains(&format!("unsupported: NewMail ({NO_NEW_MAIL_TEXT})")),
        "{text}"
    );
    // The command's document (JSON report, exit status) says the same, with the reason.
    let config = config(256);
    let doc = spoolcheck_harness::json_report::Document::build(
        &report,
        &spoolcheck_harness::json_report::Options {
            config: &config,
            strict: false,
            ledger: None,
            min_coverage: None,
            stale: spoolcheck_harness::json_report::StalePolicy::Fail,
            saved: &[],
        },
    );
    assert_eq!(doc.exit_code, 1, "{}", doc.summary());
    assert!(
        doc.reasons
            .iter()
            .any(|r| r.contains("declined as unsupported: NewMail")),
        "{:?}",
        doc.reasons
    );
    // Generation stops asking after the first refusal.
    assert_eq!(calls.load(Ordering::SeqCst), 1, "{text}");
    assert_eq!(report.cases, 256);
    assert!(report.exercised.len() >= 30, "{text}");
}
