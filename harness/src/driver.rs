//! Runs an implementation on a worker thread, so that a panic becomes a reported failure and a hang
//! becomes a reported timeout, never a crash or a hang of the harness.
//!
//! A case's operations go to the worker in one batch and its answers stream back one per operation;
//! the runner judges each as it arrives, with a per-call timeout. The worker never waits for the
//! judge, so the two overlap.

use crate::seam::{exchange, Implementation, Response, SeamError};
use spoolcheck_model::{Choices, Op};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Once};
use std::thread;
use std::time::Duration;

/// Makes a fresh implementation (after a timeout the old one is abandoned with its thread).
pub type Factory = dyn Fn() -> Result<Box<dyn Implementation>, SeamError> + Send + Sync;

enum Job {
    Reset(Choices, Sender<Result<(), SeamError>>),
    Run(Vec<Op>, Sender<Result<Response, SeamError>>),
    /// A reset and a batch in one message: one wake-up of the worker per case, not two.
    Case(
        Choices,
        Vec<Op>,
        Sender<Result<(), SeamError>>,
        Sender<Result<Response, SeamError>>,
    ),
}

/// An implementation on its own thread.
pub struct Driver {
    jobs: Sender<Job>,
    name: String,
    timeout: Duration,
    factory: Arc<Factory>,
    poisoned: bool,
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
        thread::Builder::new()
            .name(WORKER.into())
            .spawn(move || match guarded(|| make()) {
                Ok(imp) => {
                    if made.send(Ok(imp.name())).is_ok() {
                        work(imp, inbox);
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
            name,
            timeout,
            factory,
            poisoned: false,
        })
    }

    /// The implementation's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Resets the implementation to an empty store.
    pub fn reset(&mut self, choices: &Choices) -> Result<(), SeamError> {
        self.revive()?;
        let (reply, answer) = channel();
        self.send(Job::Reset(choices.clone(), reply))?;
        self.wait(&answer)?
    }

    /// Resets the implementation and starts a batch on it, in one message to the worker. Returns
    /// the reset's error, if it failed.
    pub fn run_case(&mut self, choices: &Choices, ops: Vec<Op>) -> Result<Batch<'_>, SeamError> {
        self.revive()?;
        let (reset_reply, reset_answer) = channel();
        let (reply, answers) = channel();
        self.send(Job::Case(choices.clone(), ops, reset_reply, reply))?;
        self.wait(&reset_answer)??;
        Ok(Batch {
            driver: self,
            answers,
        })
    }

    /// Starts a batch; its answers arrive through [`Batch::next_answer`].
    pub fn run(&mut self, ops: Vec<Op>) -> Result<Batch<'_>, SeamError> {
        let (reply, answers) = channel();
        self.send(Job::Run(ops, reply))?;
        Ok(Batch {
            driver: self,
            answers,
        })
    }

    fn send(&mut self, job: Job) -> Result<(), SeamError> {
        self.jobs.send(job).map_err(|_| {
            self.poisoned = true;
            SeamError::Crashed("the worker thread has stopped".into())
        })
    }

    fn wait<T>(
        &mut self,
        answers: &Receiver<Result<T, SeamError>>,
    ) -> Result<Result<T, SeamError>, SeamError> {
        // The worker usually answers within microseconds: poll briefly before sleeping, since a
        // sleep and wake-up per operation would cost more than the operation itself.
        for _ in 0..SPINS {
            match answers.try_recv() {
                Ok(answer) => return Ok(answer),
                Err(std::sync::mpsc::TryRecvError::Empty) => std::hint::spin_loop(),
                Err(std::sync::mpsc::TryRecvError::Disconnected) => break,
            }
        }
        match answers.recv_timeout(self.timeout) {
            Ok(answer) => Ok(answer),
            Err(RecvTimeoutError::Timeout) => {
                self.poisoned = true;
                Err(SeamError::Timeout {
                    millis: u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
                })
            }
            Err(RecvTimeoutError::Disconnected) => {
                self.poisoned = true;
                Err(SeamError::Crashed(
                    "the worker thread stopped without answering".into(),
                ))
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

/// The answers of one batch.
pub struct Batch<'a> {
    driver: &'a mut Driver,
    answers: Receiver<Result<Response, SeamError>>,
}

impl Batch<'_> {
    /// The next operation's answer, or the reason there is none.
    pub fn next_answer(&mut self) -> Result<Response, SeamError> {
        self.driver.wait(&self.answers)?
    }
}

fn work(mut imp: Box<dyn Implementation>, inbox: Receiver<Job>) {
    while let Ok(job) = inbox.recv() {
        match job {
            Job::Reset(choices, reply) => {
                let result = guarded(|| imp.reset(&choices));
                let _ = reply.send(result);
            }
            Job::Run(ops, reply) => run_batch(imp.as_mut(), &ops, &reply),
            Job::Case(choices, ops, reset_reply, reply) => {
                let result = guarded(|| imp.reset(&choices));
                let ok = result.is_ok();
                if reset_reply.send(result).is_ok() && ok {
                    run_batch(imp.as_mut(), &ops, &reply);
                }
            }
        }
    }
}

/// Applies each operation, sending each answer as soon as it is there; stops at the first error or
/// when nobody listens any more.
fn run_batch(
    imp: &mut dyn Implementation,
    ops: &[Op],
    reply: &Sender<Result<Response, SeamError>>,
) {
    for op in ops {
        let result = guarded(|| exchange(imp, op));
        let stop = result.is_err();
        if reply.send(result).is_err() || stop {
            break;
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
