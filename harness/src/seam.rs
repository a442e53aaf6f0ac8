//! The seam an implementation under test plugs into.
//!
//! One object-safe trait, [`Implementation`]: reset to an empty store with the declared choices,
//! apply one operation, observe. While it applies an operation the implementation calls MAPI's
//! support object (and, in profile `system`, the transports) through [`Support`], which the harness
//! provides: it answers from the operation's [`SubmitScript`] and records every call.
//!
//! Because the answers are known before the call (they travel in the operation), an operation can
//! cross a process boundary in one round trip: the request carries the operation, and the response
//! carries the return value, the calls made, the notifications and the observation ([`Response`]).
//!
//! Naming: the harness names messages 1, 2, 3 ... in creation order ([`MsgId`]) and new-mail sinks
//! 1, 2, 3 ... in `Advise` order since the last reset; an adapter whose implementation has its own
//! entry IDs maps them (see [`IdMap`]).

use spoolcheck_model::mapi::Hresult;
use spoolcheck_model::{
    Choices, MsgId, Notification, Observation, Op, RecipientRow, Ret, SubmitScript, SupportCall,
};
use std::fmt;

/// An implementation under test.
pub trait Implementation: Send {
    /// A short name for reports.
    fn name(&self) -> String;

    /// Empties the store and starts over with these declared choices.
    fn reset(&mut self, choices: &Choices) -> Result<(), SeamError>;

    /// Applies one operation. The implementation makes its support calls and raises its
    /// notifications through `support`. `Ok` carries the implementation's answer, right or wrong;
    /// `Err` means the call could not be made at all.
    fn apply(&mut self, op: &Op, support: &mut dyn Support) -> Result<Ret, SeamError>;

    /// The store as it is now, seen without MAPI's access rules.
    fn observe(&mut self) -> Result<Observation, SeamError>;
}

/// MAPI's support object (and the transports), as the harness plays them.
pub trait Support {
    /// A call to `IMAPISupport` (or a transport). Returns MAPI's answer: the HRESULT and, for
    /// ExpandRecips, the output flags.
    fn call(&mut self, call: SupportCall) -> Answer;

    /// A notification (`IMAPISupport::Notify` or the store's own mechanism).
    fn notify(&mut self, notification: Notification);
}

/// MAPI's answer to a support call (or a transport's, or a preprocessor's, in profile `system`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The HRESULT.
    pub hr: Hresult,
    /// Output flags (ExpandRecips' NEEDS_PREPROCESSING / NEEDS_SPOOLER), else 0.
    pub flags: u32,
    /// For ExpandRecips in profile `provider`: the recipient table MAPI leaves in the message (as
    /// through its ModifyRecipients), which the store then holds, PR_RESPONSIBILITY FALSE on every
    /// row; `None`: MAPI leaves the table as it is.
    pub recipients: Option<Vec<RecipientRow>>,
}

impl Answer {
    fn ok() -> Answer {
        Answer {
            hr: Hresult::S_OK,
            flags: 0,
            recipients: None,
        }
    }

    /// The HRESULT and flags, which an implementation across a boundary reports it used.
    pub fn code(&self) -> (Hresult, u32) {
        (self.hr, self.flags)
    }
}

/// The harness's support object: answers from the operation's scripts, records every call and
/// notification.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScriptedSupport {
    op: Option<Op>,
    /// The calls made, in order.
    pub calls: Vec<SupportCall>,
    /// The notifications raised, in order.
    pub notifications: Vec<Notification>,
}

impl ScriptedSupport {
    /// A support object for one operation.
    pub fn for_op(op: &Op) -> ScriptedSupport {
        ScriptedSupport {
            op: Some(op.clone()),
            calls: Vec::new(),
            notifications: Vec::new(),
        }
    }
}

impl Support for ScriptedSupport {
    fn call(&mut self, call: SupportCall) -> Answer {
        let answer = match &self.op {
            Some(op) => scripted_answer(op, &call),
            None => Answer::ok(),
        };
        self.calls.push(call);
        answer
    }

    fn notify(&mut self, notification: Notification) {
        self.notifications.push(notification);
    }
}

/// MAPI's answer to a support call made while `op` runs: PrepareSubmit answers the script's
/// `prepare`; ExpandRecips answers `expand` and, when that succeeds, `expand_flags` and the table
/// it leaves (`expanded`); in profile `system`, the preprocessor the spooler script names answers
/// MAPI_E_BUSY (still running) and the transport it names MAPI_E_WAIT (try later); everything else
/// S_OK. An implementation across a process boundary answers its own calls by this rule (the
/// provider contract says so), and the adapters check that it did.
pub fn scripted_answer(op: &Op, call: &SupportCall) -> Answer {
    let code = |hr| Answer { hr, ..Answer::ok() };
    match (call, op) {
        (SupportCall::PrepareSubmit { .. }, Op::SubmitMessage { script, .. }) => {
            code(script.prepare)
        }
        (SupportCall::ExpandRecips { .. }, Op::SubmitMessage { script, .. })
            if script.expand.failed() =>
        {
            code(script.expand)
        }
        (SupportCall::ExpandRecips { .. }, Op::SubmitMessage { script, .. }) => Answer {
            hr: script.expand,
            flags: script.expand_flags,
            recipients: script.expanded.clone(),
        },
        (SupportCall::Preprocess { preprocessor, .. }, Op::RunSpooler { script })
            if script.busy_preprocessor == Some(*preprocessor) =>
        {
            code(Hresult::MAPI_E_BUSY)
        }
        (SupportCall::TransportSend { transport, .. }, Op::RunSpooler { script })
            if script.waiting_transport == Some(*transport) =>
        {
            code(Hresult::MAPI_E_WAIT)
        }
        _ => Answer::ok(),
    }
}

/// The script of an operation, if it carries one.
pub fn script_of(op: &Op) -> Option<&SubmitScript> {
    match op {
        Op::SubmitMessage { script, .. } => Some(script),
        _ => None,
    }
}

/// Everything one operation produced: what crosses the seam in one round trip.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// The implementation's return value.
    pub ret: Ret,
    /// Its support calls, in order.
    pub calls: Vec<SupportCall>,
    /// Its notifications.
    pub notifications: Vec<Notification>,
    /// The store afterwards.
    pub observation: Observation,
}

/// Applies `op` and observes: one round trip.
pub fn exchange(imp: &mut dyn Implementation, op: &Op) -> Result<Response, SeamError> {
    let mut support = ScriptedSupport::for_op(op);
    let ret = imp.apply(op, &mut support)?;
    let observation = imp.observe()?;
    Ok(Response {
        ret,
        calls: support.calls,
        notifications: support.notifications,
        observation,
    })
}

/// Why a call could not be made. This is never the implementation's answer: a wrong answer is an
/// `Ok` that the runner judges.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SeamError {
    /// The implementation says it does not implement this (like BoGo's exit code 89). The runner
    /// stops generating this kind of call and reports the rules it would have checked as unsupported.
    #[error("not implemented by the implementation: {0}")]
    Unsupported(String),
    /// The implementation panicked inside the call.
    #[error("the implementation panicked: {0}")]
    Panicked(String),
    /// The call did not return within the per-call timeout.
    #[error(
        "no answer within {millis} ms (raise --timeout-ms if the implementation is just slow)"
    )]
    Timeout {
        /// The timeout.
        millis: u64,
    },
    /// The implementation's process died or its connection broke.
    #[error("the implementation is gone: {0}")]
    Crashed(String),
    /// The implementation answered something the seam cannot read.
    #[error("malformed answer from the implementation: {0}")]
    Malformed(String),
    /// The harness itself could not run (setup, I/O).
    #[error("the harness could not run: {0}")]
    Harness(String),
}

impl SeamError {
    /// True when the implementation's state is unknown afterwards (the run cannot go on with it).
    pub fn is_indeterminate(&self) -> bool {
        matches!(
            self,
            SeamError::Timeout { .. } | SeamError::Crashed(_) | SeamError::Panicked(_)
        )
    }
}

/// Maps an implementation's own identifiers (entry IDs, connection numbers) to the harness's
/// creation-order numbers, for adapters of implementations that choose their own.
#[derive(Clone, Debug, Default)]
pub struct IdMap<T> {
    own: Vec<T>,
}

impl<T: PartialEq + Clone + fmt::Debug> IdMap<T> {
    /// Records the identifier of the next created object and returns the harness's number for it.
    pub fn record(&mut self, own: T) -> u32 {
        self.own.push(own);
        u32::try_from(self.own.len()).unwrap_or(u32::MAX)
    }

    /// The implementation's identifier of the harness's object `n`.
    pub fn own(&self, n: u32) -> Option<&T> {
        self.own.get(usize::try_from(n).ok()?.checked_sub(1)?)
    }

    /// The harness's number of the implementation's identifier.
    pub fn number(&self, own: &T) -> Option<u32> {
        self.own
            .iter()
            .position(|o| o == own)
            .and_then(|i| u32::try_from(i + 1).ok())
    }

    /// The harness's message ID of the implementation's identifier.
    pub fn msg(&self, own: &T) -> Option<MsgId> {
        self.number(own).map(MsgId)
    }

    /// Forgets everything (on reset).
    pub fn clear(&mut self) {
        self.own.clear();
    }
}
