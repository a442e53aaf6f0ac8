//! Judging an implementation's answer to one step against the model's allowed outcomes, and naming
//! the rule each difference breaks.

use crate::effect::{Because, Notification, SupportCall};
use crate::observe::{diff, observe, Field, FlagBit, Observation};
use crate::op::{Op, Ret, Role};
use crate::rules::RuleId;
use crate::state::State;
use crate::step::{Outcome, Step};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What an implementation did in one step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actual {
    /// Its return value.
    pub ret: Ret,
    /// The calls it made on the harness's side of the seam, in order.
    pub calls: Vec<SupportCall>,
    /// The notifications it raised.
    pub notifications: Vec<Notification>,
    /// The store as observed after the call.
    pub observation: Observation,
}

/// Which part of the answer broke a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Aspect {
    /// The return value.
    Return,
    /// A support (or transport) call.
    Call,
    /// A notification.
    Notification,
    /// The observed state.
    State,
}

/// One broken rule. A step's violations are listed return value first, then calls, state and
/// notifications; the first is the headline of a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Violation {
    /// The rule.
    pub rule: RuleId,
    /// Where the difference is.
    pub aspect: Aspect,
    /// What it concerns (`m1 PR_SUBMIT_FLAGS.LOCKED`, `return value`, `support call 2`).
    pub subject: String,
    /// The expected value.
    pub expected: String,
    /// The actual value.
    pub actual: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: expected {}, got {}",
            self.rule, self.subject, self.expected, self.actual
        )
    }
}

/// The judgement of one step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The answer matches outcome `outcome` of the step.
    Pass {
        /// The index of the matching outcome.
        outcome: usize,
    },
    /// No outcome matches. `violations` are those of the closest outcome, most relevant first.
    Fail {
        /// The index of the closest outcome.
        outcome: usize,
        /// What differs from it, and which rule each difference breaks.
        violations: Vec<Violation>,
    },
}

/// Judges `actual` against every outcome of `step`.
pub fn judge(op: &Op, step: &Step, actual: &Actual) -> Verdict {
    let mut best: Option<(usize, Vec<Violation>)> = None;
    for (i, outcome) in step.outcomes.iter().enumerate() {
        let v = violations(op, outcome, actual);
        if v.is_empty() {
            return Verdict::Pass { outcome: i };
        }
        if best.as_ref().is_none_or(|(_, b)| v.len() < b.len()) {
            best = Some((i, v));
        }
    }
    let (outcome, violations) = best.expect("a step has at least one outcome");
    Verdict::Fail {
        outcome,
        violations,
    }
}

/// The next model state after an implementation matched `outcome`: fields the documentation leaves
/// open take the implementation's values.
pub fn next_state(outcome: &Outcome, observed: &Observation) -> State {
    let mut next = outcome.next.clone();
    for field in &outcome.loose {
        adopt(&mut next, *field, observed);
    }
    next
}

fn adopt(state: &mut State, field: Field, observed: &Observation) {
    let msg = match field {
        Field::Flag { msg, .. } | Field::SubmitTime { msg } | Field::Responsibility { msg } => msg,
        _ => return,
    };
    let (Some(m), Some(seen)) = (state.messages.get_mut(&msg), observed.messages.get(&msg)) else {
        return;
    };
    match field {
        Field::Flag { bit, .. } => {
            m.flags = (m.flags & !bit.mask()) | (seen.message_flags & bit.mask())
        }
        Field::SubmitTime { .. } => m.submit_time = seen.client_submit_time,
        Field::Responsibility { .. } if seen.responsibility.len() == m.recipients.len() => {
            for (r, v) in m.recipients.iter_mut().zip(&seen.responsibility) {
                r.responsibility = *v;
            }
        }
        _ => {}
    }
}

/// Every difference between `actual` and one outcome.
pub fn violations(op: &Op, outcome: &Outcome, actual: &Actual) -> Vec<Violation> {
    let mut out = Vec::new();
    for check in &outcome.ret_checks {
        if !check.pattern.matches(&actual.ret) {
            out.push(Violation {
                rule: check.rule,
                aspect: Aspect::Return,
                subject: format!("{} return value", op.call_name()),
                expected: check.pattern.to_string(),
                actual: actual.ret.to_string(),
            });
        }
    }
    out.extend(call_violation(op, outcome, &actual.calls));
    out.extend(state_violations(outcome, &actual.observation));
    out.extend(notification_violations(
        &outcome.notifications,
        &actual.notifications,
    ));
    out
}

/// The first difference in the sequence of calls, if any.
fn call_violation(op: &Op, outcome: &Outcome, actual: &[SupportCall]) -> Option<Violation> {
    let expected = &outcome.calls;
    // One SpoolerNotify(NOTIFY_READYTOSEND) per session suffices (CAP-09); more are harmless, so a
    // step that needs none tolerates them.
    let needs_notify = expected
        .iter()
        .any(|c| matches!(c.what, SupportCall::SpoolerNotify { .. }));
    let filtered: Vec<SupportCall>;
    let actual = if needs_notify {
        actual
    } else {
        let ready = |c: &SupportCall| matches!(c, SupportCall::SpoolerNotify { flags } if *flags == crate::mapi::NOTIFY_READYTOSEND);
        filtered = actual.iter().filter(|c| !ready(c)).cloned().collect();
        &filtered[..]
    };
    // RunSpooler: the message the model's spooler serves, if any (SPL-02 names the choice).
    let served = outcome.calls.iter().find_map(|c| c.what.msg());
    let serves_one = outcome.rules.contains(&RuleId::Spl02);
    let n = expected.len().max(actual.len());
    for i in 0..n {
        let (want, got) = (expected.get(i), actual.get(i));
        if want.map(|w| &w.what) == got {
            continue;
        }
        let spooler_run = matches!(op, Op::RunSpooler);
        let rule = match (want, got) {
            // The spooler served another message than the one due, or one when none was (SPL-02).
            (_, Some(_)) if spooler_run && !serves_one => RuleId::Spl02,
            (_, Some(g)) if spooler_run && served.is_some() && g.msg() != served => RuleId::Spl02,
            // A preprocessor that should not run for this message at all (PRE-08).
            (_, Some(g @ SupportCall::Preprocess { .. }))
                if !expected.iter().any(|e| &e.what == g) =>
            {
                match expected.iter().find(|e| same_preprocessor(&e.what, g)) {
                    // The right preprocessor, but out of order or without the lock.
                    Some(e) => argument_rule(&e.what, g, RuleId::Pre02),
                    None => RuleId::Pre08,
                }
            }
            // A preprocessor that is for this message and is never run on it (PRE-08), whether
            // other calls come in its place or none do. One run out of order or without the lock
            // is still run: PRE-02 or SPL-19, below.
            (Some(w), _)
                if matches!(w.what, SupportCall::Preprocess { .. })
                    && !actual.iter().any(|g| same_preprocessor(&w.what, g)) =>
            {
                RuleId::Pre08
            }
            // The notice was due only because PrepareSubmit was: if that is missing, name it.
            (Some(w), _)
                if matches!(w.what, SupportCall::SpoolerNotify { .. })
                    && prepare_missing(expected, actual) =>
            {
                RuleId::Submit04
            }
            (Some(w), Some(g)) if w.what.name() == g.name() => argument_rule(&w.what, g, w.rule),
            (Some(w), Some(g)) if expected.iter().any(|e| &e.what == g) => w.rule,
            (_, Some(g)) if !expected.iter().any(|e| e.what.name() == g.name()) => {
                unexpected_call_rule(op, g)
            }
            (Some(w), _) => w.rule,
            (None, Some(g)) => unexpected_call_rule(op, g),
            (None, None) => unreachable!("one side has a call at {i}"),
        };
        return Some(Violation {
            rule,
            aspect: Aspect::Call,
            subject: format!("call {} of {}", i + 1, op.call_name()),
            expected: want.map_or("no further call".to_string(), |w| w.what.to_string()),
            actual: got.map_or("no further call".to_string(), ToString::to_string),
        });
    }
    None
}

/// True when a PrepareSubmit is expected and none was made.
fn prepare_missing(expected: &[Because<SupportCall>], actual: &[SupportCall]) -> bool {
    let is_prepare = |c: &SupportCall| matches!(c, SupportCall::PrepareSubmit { .. });
    expected.iter().any(|e| is_prepare(&e.what)) && !actual.iter().any(is_prepare)
}

/// True when both are Preprocess calls of the same preprocessor on the same message.
fn same_preprocessor(a: &SupportCall, b: &SupportCall) -> bool {
    match (a, b) {
        (
            SupportCall::Preprocess {
                preprocessor: p,
                msg: m,
                ..
            },
            SupportCall::Preprocess {
                preprocessor: q,
                msg: n,
                ..
            },
        ) => p == q && m == n,
        _ => false,
    }
}

/// The rule broken when the right call is made with the wrong arguments.
fn argument_rule(want: &SupportCall, got: &SupportCall, default: RuleId) -> RuleId {
    match (want, got) {
        (SupportCall::PrepareSubmit { msg: a, .. }, SupportCall::PrepareSubmit { msg: b, .. })
            if a == b =>
        {
            RuleId::Prep02
        }
        (
            SupportCall::TransportSend { locked: a, .. },
            SupportCall::TransportSend { locked: b, .. },
        ) if a != b => RuleId::Spl19,
        (SupportCall::Preprocess { locked: a, .. }, SupportCall::Preprocess { locked: b, .. })
            if a != b =>
        {
            RuleId::Spl19
        }
        _ => default,
    }
}

/// The rule broken by a call that should not have been made at all.
pub fn unexpected_call_rule(op: &Op, call: &SupportCall) -> RuleId {
    let spooler_submit = matches!(
        op,
        Op::SubmitMessage {
            caller: Role::Spooler,
            ..
        }
    );
    match call {
        SupportCall::SpoolerNotify { .. } => RuleId::Cap09,
        SupportCall::PrepareSubmit { .. } | SupportCall::ExpandRecips { .. } if spooler_submit => {
            RuleId::Pre03
        }
        SupportCall::PrepareSubmit { .. } => RuleId::Submit04,
        SupportCall::ExpandRecips { .. } => RuleId::Submit08,
        SupportCall::CompleteMsg { .. } => RuleId::Tc05,
        SupportCall::DoSentMail { .. } => RuleId::Spl14,
        SupportCall::StoreLogoffTransports { .. } => RuleId::Persist04,
        SupportCall::Preprocess { .. } => RuleId::Pre08,
        SupportCall::TransportSend { .. } => RuleId::Spl20,
        SupportCall::RemovePreprocessInfo { .. } => RuleId::Spl10,
    }
}

fn notification_violations(
    expected: &[Because<Notification>],
    actual: &[Notification],
) -> Vec<Violation> {
    let mut out = Vec::new();
    for want in expected {
        if !actual.iter().any(|a| a.satisfies(&want.what)) {
            out.push(Violation {
                rule: want.rule,
                aspect: Aspect::Notification,
                subject: "notification".into(),
                expected: want.what.to_string(),
                actual: notifications_text(actual),
            });
        }
    }
    // New-mail notifications are counted exactly: one per sink and call (NNM-02).
    let want_mail: Vec<&Notification> = expected
        .iter()
        .map(|b| &b.what)
        .filter(|n| matches!(n, Notification::NewMail { .. }))
        .collect();
    let got_mail: Vec<&Notification> = actual
        .iter()
        .filter(|n| matches!(n, Notification::NewMail { .. }))
        .collect();
    if got_mail.len() > want_mail.len() && out.iter().all(|v| v.rule != RuleId::Nnm02) {
        out.push(Violation {
            rule: RuleId::Nnm02,
            aspect: Aspect::Notification,
            subject: "new-mail notifications".into(),
            expected: format!("{} notification(s)", want_mail.len()),
            actual: format!("{} notification(s)", got_mail.len()),
        });
    }
    out
}

fn notifications_text(ns: &[Notification]) -> String {
    if ns.is_empty() {
        return "none".into();
    }
    ns.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn state_violations(outcome: &Outcome, observed: &Observation) -> Vec<Violation> {
    let expected = observe(&outcome.next);
    diff(&expected, observed)
        .into_iter()
        .filter(|d| !outcome.loose.contains(&d.field))
        .map(|d| {
            let rule = state_rule(outcome, &expected, observed, d.field);
            Violation {
                rule,
                aspect: Aspect::State,
                subject: d.field.to_string(),
                expected: d.expected,
                actual: d.actual,
            }
        })
        .collect()
}

/// The rule behind a differing field: the rule that set it in this step; for a field the step should
/// have left alone, the step's own rule; failing both, the field's home rule.
fn state_rule(
    outcome: &Outcome,
    expected: &Observation,
    observed: &Observation,
    field: Field,
) -> RuleId {
    if field == Field::Queue {
        let (mut a, mut b) = (expected.queue.clone(), observed.queue.clone());
        a.sort();
        b.sort();
        if a == b {
            return RuleId::Submit12;
        }
    }
    if let Field::Responsibility { msg } = field {
        let (e, a) = (expected.messages.get(&msg), observed.messages.get(&msg));
        if let (Some(e), Some(a)) = (e, a) {
            let unset = e
                .responsibility
                .iter()
                .zip(&a.responsibility)
                .any(|(e, a)| e.is_some() && a.is_none());
            if unset
                && outcome
                    .touched
                    .iter()
                    .any(|(f, r)| *f == field && matches!(r, RuleId::Submit06 | RuleId::Tc02))
            {
                return RuleId::Submit06;
            }
        }
    }
    if let Some((_, rule)) = outcome.touched.iter().find(|(f, _)| *f == field) {
        return *rule;
    }
    if let Field::OtherSubmitFlags { .. } = field {
        return RuleId::Flag05;
    }
    if let Some(check) = outcome.ret_checks.first() {
        return check.rule;
    }
    home_rule(field)
}

/// The rule that governs a field when no step names one.
pub fn home_rule(field: Field) -> RuleId {
    match field {
        Field::Exists { .. } => RuleId::Submit01,
        Field::Flag {
            bit: FlagBit::Submit | FlagBit::Resend,
            ..
        } => RuleId::Flag01,
        Field::Flag {
            bit: FlagBit::Unsent,
            ..
        } => RuleId::Flag02,
        Field::Flag {
            bit: FlagBit::Read, ..
        } => RuleId::Access07,
        Field::Locked { .. } => RuleId::Spl06,
        Field::Preprocess { .. } => RuleId::Flag06,
        Field::OtherSubmitFlags { .. } => RuleId::Flag05,
        Field::SubmitTime { .. } => RuleId::Submit07,
        Field::Responsibility { .. } => RuleId::Submit06,
        Field::Folders => RuleId::Spl13,
        Field::Queue => RuleId::Oq01,
    }
}
