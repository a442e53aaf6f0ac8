//! Runs an implementation on a worker thread, so that a panic becomes a reported failure and a hang
//! becomes a reported timeout, never a crash or a hang of the harness.
//!
//! A case's operations go to the worker in one message and its answers stream back one per
//! operation; the runner judges each as it arrives, with a per-call timeout. The worker never waits
//! for the judge, so the two overlap.
//!
//! Cases can be handed over ahead of time ([`Driver::submit`]): the worker runs them in order, one
//! after the other, while the runner generates and judges. So the worker is woken once for several
//! cases rather than once per case, and neither thread waits for the other while there is work
//! queued. A case handed over and then not wanted (one after a failure) is cancelled
//! ([`Driver::cancel`]): the implementation finishes the call it is in and runs nothing more of it.
//! The timeout is per call wherever the call is in the queue: the worker notes when each call
//! starts, and an answer is late only when the call in progress has run longer than the timeout.

use crate::seam::{exchange, Implementation, Response, SeamError};
use spoolcheck_model::{Choices, Op};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Once};
use std::thread;
use std::time::{Duration, Instant};

/// Makes a fresh implementation (after a timeout the old one is abandoned with its thread).
pub type Factory = dyn Fn() -> Result<Box<dyn Implementation>, SeamError> + Send + Sync;

/// Cases for the worker, run in order: one message, so one wake-up for all of them.
struct Job {
    cases: Vec<Case>,
    /// Answers judged and no longer needed, freed on the worker thread after the cases: it made
    /// them, and the allocator frees memory fastest on the thread that allocated it; the worker
    /// has time to spare while the runner generates and judges.
    done_with: Vec<Vec<Response>>,
}

/// A reset and a batch of operations: one case.
struct Case {
    choices: Choices,
    ops: Vec<Op>,
    cancelled: Arc<AtomicBool>,
    /// For a case run step by step: one permit per operation, sent when its answer is wanted.
    permits: Option<Receiver<()>>,
    reset_reply: Sender<Result<(), SeamError>>,
    reply: Sender<Result<Response, SeamError>>,
}

/// When the worker started the call it is in: nanoseconds after `epoch`, or [`IDLE`].
struct Clock {
    epoch: Instant,
    call_started: AtomicU64,
}

/// The worker waits for a case.
const IDLE: u64 = u64::MAX;

impl Clock {
    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(IDLE - 1)
    }

    fn call_starts(&self) {
        self.call_started.store(self.now(), Ordering::Release);
    }

    fn idle(&self) {
        self.call_started.store(IDLE, Ordering::Release);
    }

    /// When the answer someone began waiting for at `began` is late: the timeout after the start of
    /// the call the worker is in, or after `began` while it is between cases.
    fn deadline(&self, began: u64, timeout: Duration) -> u64 {
        let from = match self.call_started.load(Ordering::Acquire) {
            IDLE => began,
            started => started,
        };
        from.saturating_add(u64::try_from(timeout.as_nanos()).unwrap_or(IDLE))
    }
}

/// An implementation on its own thread.
pub struct Driver {
    jobs: Sender<Job>,
    clock: Arc<Clock>,
    name: String,
    timeout: Duration,
    factory: Arc<Factory>,
    poisoned: bool,
    /// Answers to hand back with the next cases (see [`Job::done_with`]).
    done_with: Vec<Vec<Response>>,
}

/// A case handed over to the worker: its answers, as they come.
pub struct Ticket {
    /// The answer to the reset that starts the case, until it has come.
    reset: Option<Receiver<Result<(), SeamError>>>,
    answers: Receiver<Result<Response, SeamError>>,
    cancelled: Arc<AtomicBool>,
    /// A case run step by step: the worker applies an operation when given a permit.
    permits: Option<Sender<()>>,
}

/// How many times to poll for an answer before blocking.
const SPINS: u32 = 2_000;

/// Worker threads carry this name prefix; the panic hook keeps quiet for them because their panics
/// are caught and reported.
const WORKER: &str = "spoolcheck-implementation";

impl Driver {
    /// Starts a worker with a new implementation. The implementation is made on the worker
    /// thread, under the per-call timeout, so one that hangs while it is being made (a C library
    /// stuck in `create`) is reported, not waited for.
    pub fn start(factory: Arc<Factory>, timeout: Duration) -> Result<Driver, SeamError> {
        quiet_worker_panics();
        let (jobs, inbox) = channel();
        let (made, name) = channel();
        let make = factory.clone();
        let clock = Arc::new(Clock {
            epoch: Instant::now(),
            call_started: AtomicU64::new(0),
        });
        let worker_clock = clock.clone();
        thread::Builder::new()
            .name(WORKER.into())
            .spawn(move || match guarded(|| make()) {
                Ok(imp) => {
                    if made.send(Ok(imp.name())).is_ok() {
                        work(imp, &inbox, &worker_clock);
                    }
                }
                Err(e) => {
                    let _ = made.send(Err(e));
                }
            })
            .map_err(|e| SeamError::Harness(format!("cannot start a worker thread: {e}")))?;
        let name = match name.recv_timeout(timeout) {
            Ok(result) => result?,
            Err(RecvTimeoutError::Timeout) => {
                return Err(SeamError::Timeout {
                    millis: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
                })
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(SeamError::Crashed(
                    "the worker thread stopped while the implementation was being made".into(),
                ))
            }
        };
        Ok(Driver {
            jobs,
            clock,
            name,
            timeout,
            factory,
            poisoned: false,
            done_with: Vec::new(),
        })
    }

    /// The implementation's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Hands a case over: the worker resets the implementation with these choices and applies
    /// the operations, after the cases handed over before. Returns at once.
    pub fn submit(&mut self, choices: &Choices, ops: Vec<Op>) -> Result<Ticket, SeamError> {
        let mut tickets = self.hand_over(choices, vec![ops], false)?;
        Ok(tickets.remove(0))
    }

    /// Hands a case over to be run step by step: the worker applies each operation only when its
    /// answer is asked for ([`Driver::next_answer`]), so an implementation runs nothing past the
    /// step where the case ends. For cases that usually end early (shrinking a failure), where an
    /// implementation running ahead would do work nobody judges.
    pub fn submit_stepwise(
        &mut self,
        choices: &Choices,
        ops: Vec<Op>,
    ) -> Result<Ticket, SeamError> {
        let mut tickets = self.hand_over(choices, vec![ops], true)?;
        Ok(tickets.remove(0))
    }

    /// Hands several cases over in one message, to be run in this order.
    pub fn submit_all(
        &mut self,
        choices: &Choices,
        cases: Vec<Vec<Op>>,
    ) -> Result<Vec<Ticket>, SeamError> {
        self.hand_over(choices, cases, false)
    }

    fn hand_over(
        &mut self,
        choices: &Choices,
        cases: Vec<Vec<Op>>,
        stepwise: bool,
    ) -> Result<Vec<Ticket>, SeamError> {
        self.revive()?;
        let mut job = Vec::with_capacity(cases.len());
        let mut tickets = Vec::with_capacity(cases.len());
        for ops in cases {
            let (reset_reply, reset_answer) = channel();
            let (reply, answers) = channel();
            let cancelled = Arc::new(AtomicBool::new(false));
            let (permit, permits) = if stepwise {
                let (permit, permits) = channel();
                (Some(permit), Some(permits))
            } else {
                (None, None)
            };
            job.push(Case {
                choices: choices.clone(),
                ops,
                cancelled: cancelled.clone(),
                permits,
                reset_reply,
                reply,
            });
            tickets.push(Ticket {
                reset: Some(reset_answer),
                answers,
                cancelled,
                permits: permit,
            });
        }
        let job = Job {
            cases: job,
            done_with: std::mem::take(&mut self.done_with),
        };
        self.jobs.send(job).map_err(|_| {
            self.poisoned = true;
            SeamError::Crashed("the worker thread has stopped".into())
        })?;
        Ok(tickets)
    }

    /// Gives answers back once they are judged, to be freed on the worker thread.
    pub fn done_with(&mut self, answers: Vec<Response>) {
        if !answers.is_empty() {
            self.done_with.push(answers);
        }
    }

    /// Waits until the reset that starts the case is done; its error, if it failed.
    pub fn started(&mut self, ticket: &mut Ticket) -> Result<(), SeamError> {
        match ticket.reset.take() {
            Some(reset) => self.wait(&reset)?,
            None => Ok(()),
        }
    }

    /// The case's next answer, or the reason there is none.
    pub fn next_answer(&mut self, ticket: &mut Ticket) -> Result<Response, SeamError> {
        self.started(ticket)?;
        if let Some(permit) = &ticket.permits {
            // A worker that has stopped has dropped its end: the wait below says why.
            let _ = permit.send(());
        }
        self.wait(&ticket.answers)?
    }

    /// Gives up a case: nothing more of it runs once the call in progress, if any, returns. Waits
    /// for that (within the timeout, else the worker is abandoned), so the next case's answers
    /// are not kept waiting by this one, and a hang in it is never taken for the next case's.
    pub fn cancel(&mut self, mut ticket: Ticket) {
        ticket.cancelled.store(true, Ordering::Release);
        // A worker waiting for a permit stops when there can be none.
        ticket.permits = None;
        if let Some(reset) = &ticket.reset {
            self.drain(reset);
        }
        self.drain(&ticket.answers);
    }

    /// Waits until the worker has dropped this channel, discarding what comes.
    fn drain<T>(&mut self, answers: &Receiver<Result<T, SeamError>>) {
        while !self.poisoned {
            match self.receive(answers) {
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => return,
            }
        }
    }

    /// The next answer on a channel the worker is still to answer on.
    fn wait<T>(
        &mut self,
        answers: &Receiver<Result<T, SeamError>>,
    ) -> Result<Result<T, SeamError>, SeamError> {
        match self.receive(answers)? {
            Some(answer) => Ok(answer),
            None => {
                self.poisoned = true;
                Err(SeamError::Crashed(
                    "the worker thread stopped without answering".into(),
                ))
            }
        }
    }

    /// The next answer on a channel, `None` once the worker has dropped it, or the timeout.
    fn receive<T>(&mut self, answers: &Receiver<T>) -> Result<Option<T>, SeamError> {
        // The worker usually answers within microseconds: poll briefly before sleeping, since a
        // sleep and wake-up per operation would cost more than the operation itself.
        for _ in 0..SPINS {
            match answers.try_recv() {
                Ok(answer) => return Ok(Some(answer)),
                Err(TryRecvError::Empty) => std::hint::spin_loop(),
                Err(TryRecvError::Disconnected) => return Ok(None),
            }
        }
        let began = self.clock.now();
        loop {
            // The answer may wait behind calls of cases handed over before: it is late only when
            // the call the worker is in has run longer than the timeout.
            let deadline = self.clock.deadline(began, self.timeout);
            let left = Duration::from_nanos(deadline.saturating_sub(self.clock.now()));
            match answers.recv_timeout(left) {
                Ok(answer) => return Ok(Some(answer)),
                Err(RecvTimeoutError::Disconnected) => return Ok(None),
                Err(RecvTimeoutError::Timeout)
                    if self.clock.now() < self.clock.deadline(began, self.timeout) => {}
                Err(RecvTimeoutError::Timeout) => {
                    self.poisoned = true;
                    return Err(SeamError::Timeout {
                        millis: u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
                    });
                }
            }
        }
    }

    /// After a timeout the worker may still be stuck: start over with a new implementation.
    fn revive(&mut self) -> Result<(), SeamError> {
        if self.poisoned {
            *self = Driver::start(self.factory.clone(), self.timeout)?;
        }
        Ok(())
    }
}

fn work(mut imp: Box<dyn Implementation>, inbox: &Receiver<Job>, clock: &Clock) {
    loop {
        clock.idle();
        let Ok(job) = inbox.recv() else { return };
        for (i, case) in job.cases.iter().enumerate() {
            if run_case(imp.as_mut(), case, clock) == Ran::Declined {
                // The runner ends the case at a declined call and plans the next ones without
                // it: the cases handed over after it are not wanted, so none of them asks the
                // implementation again (the runner gives them up when it sees the refusal).
                for later in &job.cases[i + 1..] {
                    later.cancelled.store(true, Ordering::Release);
                }
            }
        }
        drop(job.done_with);
    }
}

/// Resets and applies each operation, sending each answer as soon as it is there; stops at the
/// first error, when nobody listens any more, or when the case is given up (one given up before
/// it began does not run at all; dropping it tells the runner).
fn run_case(imp: &mut dyn Implementation, case: &Case, clock: &Clock) -> Ran {
    let cancelled = || case.cancelled.load(Ordering::Acquire);
    if cancelled() {
        return Ran::Stopped;
    }
    clock.call_starts();
    let result = guarded(|| imp.reset(&case.choices));
    let ended = Ran::after(&result);
    if case.reset_reply.send(result).is_err() || ended != Ran::Through {
        return ended;
    }
    for op in &case.ops {
        if let Some(permits) = &case.permits {
            clock.idle();
            if permits.recv().is_err() {
                break;
            }
        }
        if cancelled() {
            break;
        }
        clock.call_starts();
        let result = guarded(|| exchange(imp, op));
        let ended = Ran::after(&result);
        if case.reply.send(result).is_err() || ended != Ran::Through {
            return ended;
        }
    }
    Ran::Through
}

/// How a case ended on the worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ran {
    /// Every call answered, or the case was given up or not listened to.
    Through,
    /// A call failed (a panic, nonsense, a crash): the case stops there.
    Stopped,
    /// The implementation declined a call as unsupported.
    Declined,
}

impl Ran {
    fn after<T>(result: &Result<T, SeamError>) -> Ran {
        match result {
            Ok(_) => Ran::Through,
            Err(SeamError::Unsupported(_)) => Ran::Declined,
            Err(_) => Ran::Stopped,
        }
    }
}

/// Runs a call on the implementation behind a panic boundary.
fn guarded<T>(call: impl FnOnce() -> Result<T, SeamError>) -> Result<T, SeamError> {
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(result) => result,
        Err(payload) => Err(SeamError::Panicked(panic_text(payload.as_ref()))),
    }
}

/// The message of a panic payload.
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-text payload".into()
    }
}

fn quiet_worker_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if thread::current().name() != Some(WORKER) {
                previous(info);
            }
        }));
    });
}
