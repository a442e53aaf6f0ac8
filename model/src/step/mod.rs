//! The pure transition function: `step(&State, &Op) -> Step`.
//!
//! A step returns one or more allowed outcomes. Where the documentation permits several (a lock that
//! may or may not survive a restart, FinishedMsg that may or may not set MSGFLAG_READ), each is an
//! outcome and the runner follows the one the implementation took. `outcomes[0]` is the model's own
//! default reading.

mod client;
mod lifecycle;
mod spooler;
mod submit;
mod system;
mod tx;

pub(crate) use system::next_servable;

use crate::effect::{Because, Notification, SupportCall};
use crate::mapi::Hresult;
use crate::observe::Field;
use crate::op::{Op, Ret, Role};
use crate::rules::RuleId;
use crate::state::State;
use serde::{Deserialize, Serialize};

/// What an implementation's return value must match.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "pattern", content = "value", rename_all = "kebab-case")]
pub enum RetPattern {
    /// Exactly this result and data.
    Exact(Ret),
    /// Any failing HRESULT.
    AnyFailure,
    /// One of these HRESULTs (data not compared).
    OneOf(Vec<Hresult>),
    /// Anything: the documentation leaves the result open; only state and effects are checked.
    Any,
    /// Any result except these HRESULTs.
    NoneOf(Vec<Hresult>),
    /// S_OK with an outgoing-queue table of exactly these messages, in any order (OQ-01).
    QueueMembers(Vec<crate::state::MsgId>),
    /// An outgoing-queue table whose rows all carry the required columns (OQ-02).
    QueueColumns,
    /// Rows that show these values, where they carry the column (OQ-11); which rows there are and
    /// which columns they carry are other rules' (OQ-01, OQ-02).
    QueueValues(Vec<crate::op::QueueRow>),
    /// An outgoing-queue table in ascending submission time (OQ-03).
    QueueSorted,
    /// S_OK with a PR_STORE_SUPPORT_MASK whose STORE_SUBMIT_OK bit is as given; other bits are free.
    SupportMask {
        /// Whether STORE_SUBMIT_OK must be set.
        submit_ok: bool,
    },
}

impl RetPattern {
    /// The part of an answer this pattern looks at, for a report: the whole result, or for row
    /// values the rows with their values.
    pub fn shown(&self, ret: &Ret) -> String {
        match (self, &ret.data) {
            (RetPattern::QueueValues(_), crate::op::RetData::Queue(rows)) => {
                let rows: Vec<String> = rows.iter().map(ToString::to_string).collect();
                format!("rows showing {}", rows.join("; "))
            }
            _ => ret.to_string(),
        }
    }

    /// How much a pattern accepts, most lenient first: where several checks on one return value
    /// fail, the answer already fails the most lenient, so that one names the difference.
    pub fn leniency_rank(&self) -> u8 {
        match self {
            RetPattern::Any => 0,
            RetPattern::NoneOf(_) => 1,
            RetPattern::AnyFailure => 2,
            RetPattern::OneOf(_) => 3,
            RetPattern::QueueMembers(_)
            | RetPattern::QueueColumns
            | RetPattern::QueueSorted
            | RetPattern::QueueValues(_)
            | RetPattern::SupportMask { .. } => 4,
            RetPattern::Exact(_) => 5,
        }
    }

    /// True if `ret` matches.
    pub fn matches(&self, ret: &Ret) -> bool {
        match self {
            RetPattern::Exact(want) => want == ret,
            RetPattern::AnyFailure => ret.hr.failed(),
            RetPattern::OneOf(codes) => codes.contains(&ret.hr),
            RetPattern::Any => true,
            RetPattern::NoneOf(codes) => !codes.contains(&ret.hr),
            RetPattern::QueueMembers(want) => match &ret.data {
                crate::op::RetData::Queue(rows) if ret.hr == Hresult::S_OK => {
                    let mut got: Vec<_> = rows.iter().map(|r| r.msg).collect();
                    let mut want = want.clone();
                    got.sort();
                    want.sort();
                    got == want
                }
                _ => false,
            },
            RetPattern::QueueValues(want) => match &ret.data {
                crate::op::RetData::Queue(rows) => rows.iter().all(|r| {
                    let Some(w) = want.iter().find(|w| w.msg == r.msg) else {
                        return true;
                    };
                    let same = |a: Option<u64>, b: Option<u64>| a.is_none() || a == b;
                    let masked = |f: Option<u32>| {
                        f.map(|f| u64::from(f & crate::observe::OBSERVED_MESSAGE_FLAGS))
                    };
                    same(r.submit_flags.map(u64::from), w.submit_flags.map(u64::from))
                        && same(masked(r.message_flags), masked(w.message_flags))
                        && same(r.client_submit_time, w.client_submit_time)
                }),
                _ => true,
            },
            RetPattern::QueueColumns => match &ret.data {
                crate::op::RetData::Queue(rows) => rows.iter().all(|r| {
                    r.submit_flags.is_some()
                        && r.message_flags.is_some()
                        && r.client_submit_time.is_some()
                }),
                _ => false,
            },
            RetPattern::QueueSorted => match &ret.data {
                crate::op::RetData::Queue(rows) => rows
                    .windows(2)
                    .all(|w| w[0].client_submit_time <= w[1].client_submit_time),
                _ => false,
            },
            RetPattern::SupportMask { submit_ok } => match ret.data {
                crate::op::RetData::SupportMask(mask) => {
                    ret.hr == Hresult::S_OK
                        && (mask & crate::mapi::STORE_SUBMIT_OK != 0) == *submit_ok
                }
                _ => false,
            },
        }
    }
}

impl std::fmt::Display for RetPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RetPattern::Exact(ret) => write!(f, "{ret}"),
            RetPattern::AnyFailure => f.write_str("any failure"),
            RetPattern::OneOf(codes) => {
                let names: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
                write!(f, "one of {}", names.join(" | "))
            }
            RetPattern::Any => f.write_str("anything"),
            RetPattern::NoneOf(codes) => {
                let names: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
                write!(f, "anything but {}", names.join(" | "))
            }
            RetPattern::QueueColumns => f.write_str(
                "rows with PR_ENTRYID, PR_SUBMIT_FLAGS, PR_MESSAGE_FLAGS, PR_CLIENT_SUBMIT_TIME",
            ),
            RetPattern::QueueSorted => f.write_str("rows in ascending PR_CLIENT_SUBMIT_TIME"),
            RetPattern::QueueMembers(ids) => {
                let names: Vec<String> = ids.iter().map(ToString::to_string).collect();
                write!(f, "S_OK, rows for [{}]", names.join(", "))
            }
            RetPattern::QueueValues(rows) => {
                let names: Vec<String> = rows.iter().map(ToString::to_string).collect();
                write!(f, "rows showing {}", names.join("; "))
            }
            RetPattern::SupportMask { submit_ok: true } => {
                f.write_str("S_OK, mask with STORE_SUBMIT_OK")
            }
            RetPattern::SupportMask { submit_ok: false } => {
                f.write_str("S_OK, mask without STORE_SUBMIT_OK")
            }
        }
    }
}

/// A constraint on the return value and the rule that imposes it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RetCheck {
    /// What the result must match.
    pub pattern: RetPattern,
    /// The rule.
    pub rule: RuleId,
}

/// One allowed outcome of a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// What distinguishes this outcome from the others, when there are several.
    pub label: &'static str,
    /// The state afterwards.
    pub next: State,
    /// The model's own return value.
    pub ret: Ret,
    /// What an implementation's return value must satisfy.
    pub ret_checks: Vec<RetCheck>,
    /// Support calls the provider must make, in order.
    pub calls: Vec<Because<SupportCall>>,
    /// Notifications the provider must raise (others may be raised too).
    pub notifications: Vec<Because<Notification>>,
    /// Observation fields this step set, with the rule that set them.
    pub touched: Vec<(Field, RuleId)>,
    /// Fields the documentation leaves open after this step; the runner adopts the implementation's values.
    pub loose: Vec<Field>,
    /// The rule that governs what this outcome does not name: new-mail notifications beyond those
    /// it expects and the fields it leaves as they were. Set where a rule makes the call fail and
    /// change nothing; otherwise each field's home rule governs it.
    pub frame: Option<RuleId>,
    /// The rule that governs support calls this outcome does not expect: set where a rule ends
    /// the call early (a refusal, an error passed on at once).
    pub call_frame: Option<RuleId>,
    /// Calls due when the work this step leaves unfinished is taken up again (the preprocessors
    /// after one that is still running): one made now comes before its turn (PRE-02).
    pub later: Vec<SupportCall>,
    /// The ambiguity readings (`AMB-09` ...) this outcome applies, each with the message it
    /// applies to: where a reading leaves fields open, they are never asserted here (a test holds
    /// the model to `open` in `specs/ambiguities.toml`).
    pub readings: Vec<(&'static str, Option<crate::state::MsgId>)>,
    /// Every rule this outcome applied.
    pub rules: Vec<RuleId>,
}

/// The result of one step: the allowed outcomes, the model's default first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Never empty.
    pub outcomes: Vec<Outcome>,
}

impl Step {
    /// The model's default outcome.
    pub fn default_outcome(&self) -> &Outcome {
        &self.outcomes[0]
    }

    /// The state after the default outcome.
    pub fn next(&self) -> &State {
        &self.default_outcome().next
    }

    /// The default outcome's return value.
    pub fn ret(&self) -> &Ret {
        &self.default_outcome().ret
    }

    /// Every rule any outcome applied, sorted and without repeats.
    pub fn rules(&self) -> Vec<RuleId> {
        let mut all: Vec<RuleId> = self
            .outcomes
            .iter()
            .flat_map(|o| o.rules.iter().copied())
            .collect();
        all.sort();
        all.dedup();
        all
    }
}

/// Applies one operation to a state. Pure and total: every operation in every state has outcomes.
pub fn step(state: &State, op: &Op) -> Step {
    let outcomes = match op {
        Op::CreateMessage(new) => lifecycle::create(state, new),
        Op::SubmitMessage {
            caller: Role::Client,
            msg,
            flags,
            script,
        } => submit::client(state, *msg, *flags, script),
        Op::SubmitMessage {
            caller: Role::Spooler,
            msg,
            flags,
            script,
        } => submit::spooler(state, *msg, *flags, script),
        Op::AbortSubmit { caller, msg } => client::abort(state, *caller, *msg),
        Op::OpenEntry {
            caller,
            msg,
            access,
            path,
        } => client::open(state, *caller, *msg, *access, *path),
        Op::WriteMessage { caller, msg, via } => client::write(state, *caller, *msg, *via),
        Op::SetReadFlag { caller, msg } => client::set_read_flag(state, *caller, *msg),
        Op::DeleteMessage { caller, msg } => client::delete(state, *caller, *msg),
        Op::EmptyFolder { caller, folder } => client::empty_folder(state, *caller, *folder),
        Op::SetLockState { caller, msg, lock } => {
            spooler::set_lock_state(state, *caller, *msg, *lock)
        }
        Op::GetOutgoingQueue { caller } => spooler::get_outgoing_queue(state, *caller),
        Op::MarkResponsibility {
            caller,
            msg,
            recipient,
        } => spooler::mark_responsibility(state, *caller, *msg, *recipient),
        Op::FinishedMsg { caller, msg } => spooler::finished_msg(state, *caller, *msg),
        Op::NotifyNewMail { caller, msg } => spooler::notify_new_mail(state, *caller, *msg),
        Op::AdviseNewMail => lifecycle::advise_new_mail(state),
        Op::GetSupportMask => lifecycle::support_mask(state),
        Op::StoreLogoff { flags } => lifecycle::store_logoff(state, *flags),
        Op::Restart => lifecycle::restart(state),
        Op::RegisterPreprocessor { addr, scope } => {
            system::register_preprocessor(state, *addr, *scope)
        }
        Op::SetTransportAvailable { addr, available } => {
            system::set_transport(state, *addr, *available)
        }
        Op::RunSpooler { script } => system::run_spooler(state, script),
    };
    debug_assert!(!outcomes.is_empty(), "step produced no outcome for {op}");
    let mut step = Step { outcomes };
    if let Op::SubmitMessage { script, .. } = op {
        // The harness's clock reading is spent whatever the store does with it.
        let clock = state.last_clock.map_or(script.now, |t| t.max(script.now));
        step.outcomes
            .iter_mut()
            .for_each(|o| o.next.last_clock = Some(clock));
    }
    if state.choices.profile == crate::choices::Profile::System {
        step.outcomes
            .iter_mut()
            .for_each(keep_visible_to_transports);
    }
    step
}

/// In profile `system` the support object and the spooler are inside the implementation: the harness
/// sees only the transports' calls and the clients' new-mail notifications.
fn keep_visible_to_transports(outcome: &mut Outcome) {
    outcome.calls.retain(|c| c.what.is_transport_call());
    outcome
        .notifications
        .retain(|n| matches!(n.what, Notification::NewMail { .. }));
}
