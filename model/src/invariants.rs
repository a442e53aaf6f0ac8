//! The invariants INV-01..INV-15 of the catalog (`specs/invariants.toml`).
//!
//! [`check_state`] and [`check_step`] hold for the model after every step (the property tests prove
//! it). [`check_observation`] applies the state invariants to what an implementation shows, so the
//! harness checks them after every step of a real run too.

use crate::effect::SupportCall;
use crate::mapi::{msgflag, submitflag};
use crate::observe::Observation;
use crate::op::{Access, AccessLevel, Op, RetData, Role};
use crate::rules::RuleId;
use crate::state::{Life, State};
use crate::step::Outcome;
use crate::subject::{FieldKind, Subject};
use crate::verdict::{Aspect, Violation};
use std::fmt;

/// A broken invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    /// `INV-01` ...
    pub id: &'static str,
    /// The catalog rule the invariant protects, for reporting.
    pub rule: RuleId,
    /// What was wrong.
    pub detail: String,
}

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.id, self.rule, self.detail)
    }
}

fn broken(id: &'static str, rule: RuleId, detail: String) -> Broken {
    Broken { id, rule, detail }
}

impl Broken {
    /// What the broken invariant is about, as a subject of the catalog.
    pub fn subject(&self) -> Subject {
        use crate::observe::FlagBit;
        let kind = match (self.id, self.rule) {
            ("INV-01", RuleId::Flag01) => FieldKind::Flag(FlagBit::Submit),
            ("INV-02", _) => FieldKind::Preprocess,
            ("INV-03", _) => FieldKind::Locked,
            ("INV-04", _) => FieldKind::OtherSubmitFlags,
            ("INV-05", _) => FieldKind::Responsibility,
            _ => FieldKind::Queue,
        };
        Subject::State(kind)
    }

    /// The broken invariant as a violation of its rule, so it is judged like any other.
    pub fn as_violation(&self) -> Violation {
        Violation {
            rule: self.rule,
            aspect: Aspect::State,
            about: self.subject(),
            subject: format!("{} (invariant)", self.id),
            expected: "the invariant to hold".into(),
            actual: self.detail.clone(),
        }
    }
}

/// INV-01..06 over an observation (the model's or an implementation's).
pub fn check_observation(obs: &Observation) -> Result<(), Broken> {
    for id in &obs.queue {
        let Some(m) = obs.messages.get(id) else {
            return Err(broken(
                "INV-01",
                RuleId::Oq01,
                format!("queue row {id} names no message"),
            ));
        };
        if m.message_flags & msgflag::SUBMIT == 0 {
            return Err(broken(
                "INV-01",
                RuleId::Flag01,
                format!("{id} is queued without MSGFLAG_SUBMIT"),
            ));
        }
    }
    for (id, m) in &obs.messages {
        if m.submit_flags & submitflag::PREPROCESS != 0 && !obs.queue.contains(id) {
            return Err(broken(
                "INV-02",
                RuleId::Flag06,
                format!("{id} has SUBMITFLAG_PREPROCESS but is not queued"),
            ));
        }
        if m.submit_flags & !(submitflag::LOCKED | submitflag::PREPROCESS) != 0 {
            return Err(broken(
                "INV-04",
                RuleId::Flag05,
                format!(
                    "{id} has undefined PR_SUBMIT_FLAGS bits 0x{:X}",
                    m.submit_flags
                ),
            ));
        }
        if m.submit_flags != 0 && m.message_flags & msgflag::SUBMIT == 0 {
            return Err(broken(
                "INV-04",
                RuleId::Flag05,
                format!(
                    "{id} has PR_SUBMIT_FLAGS 0x{:X} without MSGFLAG_SUBMIT",
                    m.submit_flags
                ),
            ));
        }
        if m.message_flags & msgflag::SUBMIT != 0 && m.responsibility.iter().any(Option::is_none) {
            return Err(broken(
                "INV-05",
                RuleId::Submit06,
                format!("{id} is submitted with a recipient lacking PR_RESPONSIBILITY"),
            ));
        }
    }
    let times: Vec<Option<u64>> = obs
        .queue
        .iter()
        .map(|id| obs.messages.get(id).and_then(|m| m.client_submit_time))
        .collect();
    if times.iter().any(Option::is_none) || times.windows(2).any(|w| w[0] >= w[1]) {
        return Err(broken(
            "INV-06",
            RuleId::Submit12,
            format!("queue is not in ascending submission time: {times:?}"),
        ));
    }
    Ok(())
}

/// INV-01..06 over the model's state, plus INV-03 (a lock implies a queued or handed message).
pub fn check_state(state: &State) -> Result<(), Broken> {
    check_observation(&crate::observe::observe(state))?;
    for (&id, m) in &state.messages {
        if m.locked && !state.queued(id) && !m.handed {
            return Err(broken(
                "INV-03",
                RuleId::Spl06,
                format!("{id} is locked but neither queued nor handed"),
            ));
        }
    }
    Ok(())
}

/// INV-07..15: properties of one step of the model.
pub fn check_step(before: &State, op: &Op, out: &Outcome) -> Result<(), Broken> {
    let after = &out.next;
    let ok = !out.ret.hr.failed();
    let visible = before.choices.profile == crate::choices::Profile::Provider;
    let membership_changed = {
        let (mut a, mut b) = (before.queue.clone(), after.queue.clone());
        a.sort();
        b.sort();
        a != b
    };
    if visible
        && membership_changed
        && op != &Op::Restart
        && !out
            .notifications
            .iter()
            .any(|n| matches!(n.what, crate::effect::Notification::QueueTable { .. }))
    {
        return Err(broken(
            "INV-07",
            RuleId::Oq05,
            format!("{op} changed the queue without a table notification"),
        ));
    }
    let life = op.msg().and_then(|id| before.life(id));
    match op {
        Op::AbortSubmit { msg, .. } => {
            let abortable = matches!(life, Some(Life::Queued | Life::QueuedPre));
            if ok != abortable {
                return Err(broken(
                    "INV-08",
                    RuleId::Abort02,
                    format!("abort returned {} in {life:?}", out.ret.hr),
                ));
            }
            if ok && (after.queued(*msg) || after.messages[msg].submitted()) {
                return Err(broken(
                    "INV-08",
                    RuleId::Abort07,
                    format!("{msg} still submitted after abort"),
                ));
            }
        }
        Op::OpenEntry {
            caller: Role::Client,
            msg,
            access,
            ..
        } => {
            let locked = before.messages.get(msg).is_some_and(|m| m.locked);
            if locked && ok {
                return Err(broken(
                    "INV-09",
                    RuleId::Access01,
                    format!("client opened locked {msg}"),
                ));
            }
            let queued_unlocked =
                matches!(life, Some(Life::Queued | Life::QueuedPre | Life::Handed));
            if queued_unlocked && *access == Access::Modify && ok {
                return Err(broken(
                    "INV-10",
                    RuleId::Access02,
                    format!("client opened submitted {msg} for writing"),
                ));
            }
            if queued_unlocked
                && *access == Access::BestAccess
                && out.ret.data != RetData::Opened(AccessLevel::ReadOnly)
            {
                return Err(broken(
                    "INV-10",
                    RuleId::Access03,
                    format!("BEST_ACCESS on submitted {msg} gave {}", out.ret),
                ));
            }
        }
        Op::FinishedMsg {
            caller: Role::Spooler,
            msg,
        } if ok && visible => {
            let dosentmail = out
                .calls
                .iter()
                .filter(|c| matches!(c.what, SupportCall::DoSentMail { .. }))
                .count();
            let still = after.messages.get(msg).is_some_and(|m| m.locked) || after.queued(*msg);
            if dosentmail != 1 || still {
                return Err(broken("INV-11", RuleId::Spl14, format!("FinishedMsg({msg}): {dosentmail} DoSentMail calls, locked or queued: {still}")));
            }
        }
        _ => {}
    }
    if visible {
        check_call_order(before, op, out)?;
    }
    if let Op::SubmitMessage {
        caller: Role::Spooler,
        msg,
        ..
    } = op
    {
        let time_changed = before.messages.get(msg).map(|m| m.submit_time)
            != after.messages.get(msg).map(|m| m.submit_time);
        let remapi = out.calls.iter().any(|c| {
            matches!(
                c.what,
                SupportCall::PrepareSubmit { .. } | SupportCall::ExpandRecips { .. }
            )
        });
        if matches!(life, Some(Life::LockedPre | Life::QueuedPre)) && (time_changed || remapi) {
            return Err(broken(
                "INV-14",
                RuleId::Pre03,
                format!("spooler SubmitMessage({msg}) repeated client work"),
            ));
        }
    }
    if let Op::SubmitMessage {
        caller: Role::Client,
        msg,
        ..
    } = op
    {
        if out.ret.hr.failed()
            && after
                .messages
                .get(msg)
                .is_some_and(|m| m.submitted() && !before.messages[msg].submitted())
        {
            return Err(broken(
                "INV-15",
                RuleId::Submit15,
                format!("failed SubmitMessage left {msg} submitted"),
            ));
        }
    }
    check_state(after)
}

/// INV-12 and INV-13: SpoolerNotify < PrepareSubmit < ExpandRecips; CompleteMsg only from a tightly
/// coupled store with every recipient handled; local completion only without preprocessing.
fn check_call_order(before: &State, op: &Op, out: &Outcome) -> Result<(), Broken> {
    let names: Vec<&str> = out.calls.iter().map(|c| c.what.name()).collect();
    let pos = |n: &str| names.iter().position(|x| *x == n);
    if let (Some(p), Some(e)) = (pos("PrepareSubmit"), pos("ExpandRecips")) {
        if p > e {
            return Err(broken(
                "INV-12",
                RuleId::Submit08,
                "ExpandRecips before PrepareSubmit".into(),
            ));
        }
    }
    if let (Some(s), Some(p)) = (pos("SpoolerNotify"), pos("PrepareSubmit")) {
        if s > p {
            return Err(broken(
                "INV-12",
                RuleId::Cap09,
                "SpoolerNotify after PrepareSubmit".into(),
            ));
        }
    }
    for c in &out.calls {
        if let SupportCall::CompleteMsg { msg, .. } = c.what {
            let handled = out
                .next
                .messages
                .get(&msg)
                .is_some_and(|m| m.recipients.iter().all(|r| r.responsibility == Some(true)));
            if before.choices.tight_coupling.is_none() || !handled {
                return Err(broken(
                    "INV-12",
                    RuleId::Tc05,
                    format!("CompleteMsg({msg}) without full tight coupling"),
                ));
            }
        }
    }
    if let Op::SubmitMessage { msg, .. } = op {
        let completed_locally = out.next.messages.get(msg).is_none_or(|m| m.finished)
            && !out.ret.hr.failed()
            && before.messages.contains_key(msg);
        if completed_locally
            && before.messages[msg].preprocessed
            && before.messages[msg].submitted()
        {
            return Err(broken(
                "INV-13",
                RuleId::Pre05,
                format!("preprocessed {msg} completed locally"),
            ));
        }
    }
    Ok(())
}
