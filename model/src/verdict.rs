//! Judging an implementation's answer to one step against the model's allowed outcomes, and naming
//! the rule each difference breaks.

use crate::effect::{Because, Notification, SupportCall};
use crate::mapi::TableEvent;
use crate::observe::{diff, observe, Field, FlagBit, Observation};
use crate::op::{Op, Ret, Role};
use crate::rules::RuleId;
use crate::state::State;
use crate::step::{Outcome, Step};
use crate::subject::Subject;
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

impl Actual {
    /// The answer an implementation gives that does exactly what `outcome` says.
    pub fn of(outcome: &Outcome) -> Actual {
        Actual {
            ret: outcome.ret.clone(),
            calls: outcome.calls.iter().map(|c| c.what.clone()).collect(),
            notifications: outcome
                .notifications
                .iter()
                .map(|n| n.what.clone())
                .collect(),
            observation: observe(&outcome.next),
        }
    }
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

/// One broken rule. A step's violations are listed in the order their differences became
/// observable (see [`violations`]); the first is the headline of a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Violation {
    /// The rule.
    pub rule: RuleId,
    /// Where the difference is.
    pub aspect: Aspect,
    /// What the difference is about, as the catalog's `governs` spells it.
    #[serde(default)]
    pub about: Subject,
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

/// Judges `actual` against every outcome of `step`. When none matches, the closest is the one the
/// implementation most plainly took: the one that differs in the fewest parts of the answer (the
/// return value, the calls, the notifications, the state afterwards), then the one with the fewest
/// differences. So a spooler that served a message, but with a wrong call, is judged as serving
/// it, not as having waited; one that served it right but never finished it, likewise.
///
/// Nearly every answer matches an outcome, most often the first: [`conforms`] says so without
/// building the violation texts, which are built only when it does not (a difference in a field
/// the outcome leaves open is no violation, so the texts decide then).
pub fn judge(op: &Op, step: &Step, actual: &Actual) -> Verdict {
    /// How far an outcome is from the answer: idle while the implementation acted, parts that
    /// differ, differences. Smaller is closer.
    type Distance = (bool, usize, usize);
    let mut best: Option<(usize, Distance, Vec<Violation>)> = None;
    let acted = matches!(op, Op::RunSpooler { .. }) && visibly_acted(step, actual);
    for (i, outcome) in step.outcomes.iter().enumerate() {
        if conforms(outcome, actual) {
            return Verdict::Pass { outcome: i };
        }
        let v = violations(op, outcome, actual);
        if v.is_empty() {
            return Verdict::Pass { outcome: i };
        }
        let mut parts: Vec<Aspect> = v.iter().map(|v| v.aspect).collect();
        parts.sort_by_key(|a| *a as u8);
        parts.dedup();
        // A spooler that visibly did something did not wait: an outcome in which it does nothing
        // is the closest only when no other is allowed.
        let idle = acted && does_nothing(outcome);
        let key = (idle, parts.len(), v.len());
        if best.as_ref().is_none_or(|(_, k, _)| key < *k) {
            best = Some((i, key, v));
        }
    }
    let (outcome, _, violations) = best.expect("a step has at least one outcome");
    Verdict::Fail {
        outcome,
        violations,
    }
}

/// An outcome that makes no call and changes nothing.
fn does_nothing(outcome: &Outcome) -> bool {
    outcome.calls.is_empty() && outcome.touched.is_empty()
}

/// True when the implementation made a call, or left the store otherwise than an outcome that
/// does nothing expects.
fn visibly_acted(step: &Step, actual: &Actual) -> bool {
    let Some(idle) = step.outcomes.iter().find(|o| does_nothing(o)) else {
        return false;
    };
    !actual.calls.is_empty() || crate::observe(&idle.next) != actual.observation
}

/// The next model state after an implementation matched `outcome`: fields the documentation leaves
/// open take the implementation's values, and a ready-to-send notice the store gave early counts
/// for the session (CAP-09 asks for one before the first PrepareSubmit, not at it).
pub fn next_state(outcome: &Outcome, actual: &Actual) -> State {
    settle(outcome.next.clone(), &outcome.loose, &outcome.calls, actual)
}

/// [`next_state`] of an outcome taken by value: a runner that owns the step's outcomes need not
/// copy the state.
pub fn into_next_state(outcome: Outcome, actual: &Actual) -> State {
    settle(outcome.next, &outcome.loose, &outcome.calls, actual)
}

/// The outcome's `next`, with what the implementation settled where the outcome leaves it open.
fn settle(
    mut next: State,
    loose: &[Field],
    calls: &[Because<SupportCall>],
    actual: &Actual,
) -> State {
    for field in loose {
        adopt(&mut next, *field, &actual.observation);
    }
    let ready = SupportCall::SpoolerNotify {
        flags: crate::mapi::NOTIFY_READYTOSEND,
    };
    if actual.calls.contains(&ready) {
        next.ready_to_send = true;
    }
    // A preprocessor the spooler ran that the model did not expect has run all the same: it is
    // owed its RemovePreprocessInfo, and is not run again when the spooler comes back.
    for call in &actual.calls {
        if let SupportCall::Preprocess {
            preprocessor, msg, ..
        } = call
        {
            let expected = calls.iter().any(|c| &c.what == call);
            if let Some(m) = next.messages.get_mut(msg).filter(|_| !expected) {
                if !m.preprocessed_by.contains(preprocessor) {
                    m.preprocessed_by.push(*preprocessor);
                    m.preprocessed_by.sort_unstable();
                }
            }
        }
    }
    // And one the model ran that the spooler did not has not run.
    for call in calls {
        if let SupportCall::Preprocess {
            preprocessor, msg, ..
        } = &call.what
        {
            let made = actual
                .calls
                .iter()
                .any(|c| same_preprocessor(c, &call.what));
            if let Some(m) = next.messages.get_mut(msg).filter(|_| !made) {
                m.preprocessed_by.retain(|p| p != preprocessor);
            }
        }
    }
    next
}

fn adopt(state: &mut State, field: Field, observed: &Observation) {
    let msg = match field {
        Field::Flag { msg, .. }
        | Field::SubmitTime { msg }
        | Field::Responsibility { msg }
        | Field::Locked { msg }
        | Field::Preprocess { msg } => msg,
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
        Field::Locked { .. } => m.locked = seen.submit_flags & crate::mapi::submitflag::LOCKED != 0,
        Field::Preprocess { .. } => {
            m.preprocess = seen.submit_flags & crate::mapi::submitflag::PREPROCESS != 0
        }
        Field::Responsibility { .. } if seen.responsibility.len() == m.recipients.len() => {
            for (r, v) in m.recipients.iter_mut().zip(&seen.responsibility) {
                r.responsibility = *v;
            }
        }
        _ => {}
    }
}

/// Every difference between `actual` and one outcome, in the order the differences became
/// observable: a wrong or extra support call as it is made; then the return value (where several
/// checks on it fail, the most lenient first, since the answer fails already there: "anything
/// but MAPI_E_NOT_FOUND" before "exactly S_OK"); then an expected call that never came (seen
/// only once the call has returned); then the notifications; then the state afterwards.
pub fn violations(op: &Op, outcome: &Outcome, actual: &Actual) -> Vec<Violation> {
    let mut out: Vec<(u8, u8, Violation)> = Vec::new();
    for check in &outcome.ret_checks {
        if !check.pattern.matches(&actual.ret) {
            out.push((
                2,
                check.pattern.leniency_rank(),
                Violation {
                    rule: check.rule,
                    aspect: Aspect::Return,
                    about: Subject::Return(op.call_name()),
                    subject: format!("{} return value", op.call_name()),
                    expected: check.pattern.to_string(),
                    actual: check.pattern.shown(&actual.ret),
                },
            ));
        }
    }
    if let Some((made, readings)) = call_violation(op, outcome, &actual.calls) {
        // A missing call shows once the call returns, after the return value, unless the return
        // value the store owed was MAPI's answer to that very call: a store that never asked could
        // not pass the answer on, so the missing call explains the return value.
        let phase = if made {
            0
        } else if answer_never_asked(op, outcome, &actual.calls) {
            1
        } else {
            3
        };
        out.extend(readings.into_iter().map(|v| (phase, 0, v)));
    }
    for v in notification_violations(outcome, &actual.notifications, &actual.observation) {
        out.push((4, 0, v));
    }
    for v in state_violations(outcome, &actual.observation) {
        out.push((5, 0, v));
    }
    // A stable sort keeps each phase's own order.
    out.sort_by_key(|(phase, rank, _)| (*phase, *rank));
    out.into_iter().map(|(_, _, v)| v).collect()
}

/// True when `actual` is exactly what `outcome` expects: every return-value check holds, the calls
/// are those expected (a needless SpoolerNotify(NOTIFY_READYTOSEND) aside, as in
/// [`violations`]), every notification due came and no new-mail notification too many, and the
/// store shows exactly the outcome's state. Then [`violations`] is empty; the converse holds when
/// the outcome leaves no field open.
pub fn conforms(outcome: &Outcome, actual: &Actual) -> bool {
    outcome
        .ret_checks
        .iter()
        .all(|check| check.pattern.matches(&actual.ret))
        && calls_agree(&outcome.calls, &actual.calls)
        && notifications_agree(outcome, &actual.notifications, &actual.observation)
        && crate::observe::shows(&outcome.next, &actual.observation)
}

/// The calls as [`call_violation`] compares them, without a difference.
fn calls_agree(expected: &[Because<SupportCall>], actual: &[SupportCall]) -> bool {
    let needs_notify = expected
        .iter()
        .any(|c| matches!(c.what, SupportCall::SpoolerNotify { .. }));
    let ready = |c: &&SupportCall| {
        !needs_notify
            && matches!(c, SupportCall::SpoolerNotify { flags } if *flags == crate::mapi::NOTIFY_READYTOSEND)
    };
    let removals = actual
        .iter()
        .filter(|c| matches!(c, SupportCall::RemovePreprocessInfo { .. }))
        .count();
    if removals < 2 {
        let mut made = actual.iter().filter(|c| !ready(c));
        return expected.iter().all(|e| made.next() == Some(&e.what)) && made.next().is_none();
    }
    // Runs of RemovePreprocessInfo are compared in registration order, as in [`call_violation`].
    let made: Vec<SupportCall> = actual.iter().filter(|c| !ready(c)).cloned().collect();
    let made = in_registration_order(&made);
    expected.len() == made.len() && expected.iter().zip(&made).all(|(e, m)| &e.what == m)
}

/// The notifications as [`notification_violations`] checks them, without a difference.
fn notifications_agree(outcome: &Outcome, actual: &[Notification], observed: &Observation) -> bool {
    let is_mail = |n: &Notification| matches!(n, Notification::NewMail { .. });
    outcome.notifications.iter().all(|want| {
        !due(&want.what, outcome, observed) || actual.iter().any(|a| a.satisfies(&want.what))
    }) && actual.iter().filter(|n| is_mail(n)).count()
        <= outcome
            .notifications
            .iter()
            .filter(|n| is_mail(&n.what))
            .count()
}

/// The calls with each run of consecutive RemovePreprocessInfo calls sorted by message and
/// preprocessor.
fn in_registration_order(calls: &[SupportCall]) -> Vec<SupportCall> {
    let mut out = calls.to_vec();
    let key = |c: &SupportCall| match c {
        SupportCall::RemovePreprocessInfo { preprocessor, msg } => Some((*msg, *preprocessor)),
        _ => None,
    };
    let mut start = 0;
    while start < out.len() {
        let end = start + out[start..].iter().take_while(|c| key(c).is_some()).count();
        out[start..end].sort_by_key(key);
        start = end.max(start + 1);
    }
    out
}

/// The first difference in the sequence of calls, if any, and whether it is a call that was made
/// (wrong or extra) rather than one that never came. Usually one violation; two where the
/// difference reads two ways, the likelier first (a preprocessor run before its turn while the
/// one due has not run yet: out of order, or the one due skipped).
fn call_violation(
    op: &Op,
    outcome: &Outcome,
    actual: &[SupportCall],
) -> Option<(bool, Vec<Violation>)> {
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
    // The RemovePreprocessInfo calls that close a message's preprocessing come in no order the
    // sources fix (SPL-10): a run of them is compared in registration order.
    let ordered = in_registration_order(actual);
    let actual = &ordered[..];
    // RunSpooler: the message the model's spooler serves, if any (SPL-02 names the choice).
    let served = outcome.calls.iter().find_map(|c| c.what.msg());
    let serves_one = outcome.rules.contains(&RuleId::Spl02);
    let n = expected.len().max(actual.len());
    let mut or_else: Option<RuleId> = None;
    for i in 0..n {
        let (want, got) = (expected.get(i), actual.get(i));
        if want.map(|w| &w.what) == got {
            continue;
        }
        let spooler_run = matches!(op, Op::RunSpooler { .. });
        let (rule, made_blamed) = match (want, got) {
            // The spooler served another message than the one due, or one when none was (SPL-02).
            (_, Some(_)) if spooler_run && !serves_one => (RuleId::Spl02, true),
            (_, Some(g)) if spooler_run && served.is_some() && g.msg() != served => {
                (RuleId::Spl02, true)
            }
            // A call of a kind the outcome does not expect at all, where a rule ends the call or
            // keeps it from acting (a refusal, an error passed on, a spooler that must wait).
            (_, Some(g))
                if outcome.call_frame.is_some()
                    && !expected.iter().any(|e| e.what.name() == g.name()) =>
            {
                (outcome.call_frame.unwrap_or(RuleId::Spl02), true)
            }
            // A preprocessor due later in this run, run before its turn (PRE-02).
            (Some(w), Some(g @ SupportCall::Preprocess { .. }))
                if matches!(w.what, SupportCall::Preprocess { .. })
                    && expected[i + 1..]
                        .iter()
                        .any(|e| same_preprocessor(&e.what, g)) =>
            {
                if !actual.iter().any(|a| same_preprocessor(&w.what, a)) {
                    or_else = Some(RuleId::Pre08);
                }
                (RuleId::Pre02, true)
            }
            // A preprocessor that should not run for this message at all (PRE-08).
            (_, Some(g @ SupportCall::Preprocess { .. }))
                if !expected.iter().any(|e| &e.what == g) =>
            {
                let due_later = outcome.later.iter().find(|l| same_preprocessor(l, g));
                let moved_on = actual
                    .iter()
                    .any(|a| !matches!(a, SupportCall::Preprocess { .. }));
                // The one due here runs too, later: the order is wrong, not the choice.
                let due_here_runs = want.is_some_and(|w| {
                    matches!(w.what, SupportCall::Preprocess { .. })
                        && actual.iter().any(|a| same_preprocessor(&w.what, a))
                });
                match expected.iter().find(|e| same_preprocessor(&e.what, g)) {
                    // The right preprocessor, but out of order or without the lock.
                    Some(e) => (argument_rule(&e.what, g, RuleId::Pre02), true),
                    // One for this message, run before the one still running returned.
                    // Unless the one due here never runs and the spooler went on past
                    // preprocessing (sent, or closed it): then that one was skipped (PRE-08).
                    None if due_later.is_some() && (due_here_runs || !moved_on) => {
                        if !due_here_runs {
                            or_else = Some(RuleId::Pre08);
                        }
                        (RuleId::Pre02, true)
                    }
                    None => (RuleId::Pre08, true),
                }
            }
            // A preprocessor that is for this message and is never run on it (PRE-08), whether
            // other calls come in its place or none do. One run out of order or without the lock
            // is still run: PRE-02 or SPL-19, below.
            (Some(w), _)
                if matches!(w.what, SupportCall::Preprocess { .. })
                    && !actual.iter().any(|g| same_preprocessor(&w.what, g)) =>
            {
                (RuleId::Pre08, false)
            }
            // The notice was due only because PrepareSubmit was: if that is missing, name it.
            (Some(w), _)
                if matches!(w.what, SupportCall::SpoolerNotify { .. })
                    && prepare_missing(expected, actual) =>
            {
                (RuleId::Submit04, false)
            }
            (Some(w), Some(g)) if w.what.name() == g.name() => {
                (argument_rule(&w.what, g, w.rule), false)
            }
            // A call out of its place: the one due here did not come.
            (Some(w), Some(g)) if expected.iter().any(|e| &e.what == g) => (w.rule, false),
            (_, Some(g)) if !expected.iter().any(|e| e.what.name() == g.name()) => {
                let rule = outcome
                    .call_frame
                    .unwrap_or_else(|| unexpected_call_rule(op, g));
                (rule, true)
            }
            (Some(w), _) => (w.rule, false),
            (None, Some(g)) => {
                let rule = outcome
                    .call_frame
                    .unwrap_or_else(|| unexpected_call_rule(op, g));
                (rule, true)
            }
            (None, None) => unreachable!("one side has a call at {i}"),
        };
        // The call the difference is about: the one made when the rule is about making it, else
        // the one that was due.
        let name = match (want, got) {
            (_, Some(g)) if made_blamed => g.name(),
            (Some(w), _) => w.what.name(),
            (None, Some(g)) => g.name(),
            (None, None) => "?",
        };
        let v = Violation {
            rule,
            aspect: Aspect::Call,
            about: Subject::Call(name),
            subject: format!("call {} of {}", i + 1, op.call_name()),
            expected: want.map_or("no further call".to_string(), |w| w.what.to_string()),
            actual: got.map_or("no further call".to_string(), ToString::to_string),
        };
        let mut readings = vec![v.clone()];
        readings.extend(or_else.map(|rule| Violation { rule, ..v }));
        return Some((got.is_some(), readings));
    }
    None
}

/// True when the outcome returns MAPI's failing answer to PrepareSubmit or ExpandRecips and the
/// implementation never made that call.
fn answer_never_asked(op: &Op, outcome: &Outcome, actual: &[SupportCall]) -> bool {
    let Op::SubmitMessage { script, .. } = op else {
        return false;
    };
    let made = |name: &str| actual.iter().any(|c| c.name() == name);
    let expected = |name: &str| outcome.calls.iter().any(|c| c.what.name() == name);
    let owed = outcome.ret.hr;
    (owed == script.prepare
        && script.prepare.failed()
        && expected("PrepareSubmit")
        && !made("PrepareSubmit"))
        || (owed == script.expand
            && script.expand.failed()
            && expected("ExpandRecips")
            && !made("ExpandRecips"))
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
    outcome: &Outcome,
    actual: &[Notification],
    observed: &Observation,
) -> Vec<Violation> {
    let expected = &outcome.notifications;
    let mut out = Vec::new();
    for want in expected {
        if due(&want.what, outcome, observed) && !actual.iter().any(|a| a.satisfies(&want.what)) {
            out.push(Violation {
                rule: want.rule,
                aspect: Aspect::Notification,
                about: notification_subject(&want.what),
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
    let rule = outcome.frame.unwrap_or(RuleId::Nnm02);
    if got_mail.len() > want_mail.len() && out.iter().all(|v| v.rule != rule) {
        out.push(Violation {
            rule,
            aspect: Aspect::Notification,
            about: Subject::NewMailNotification,
            subject: "new-mail notifications".into(),
            expected: format!("{} notification(s)", want_mail.len()),
            actual: format!("{} notification(s)", got_mail.len()),
        });
    }
    out
}

/// Whether an expected notification is due given the store as observed. A queue-table event
/// announces a change of the queue: it is due for the change the store made, so a store that did
/// not make the change (its state differs, and a state rule says so) owes no event for it.
fn due(want: &Notification, outcome: &Outcome, observed: &Observation) -> bool {
    let Notification::QueueTable {
        table_event,
        msg: Some(msg),
    } = want
    else {
        return true;
    };
    let queued = observed.queue.contains(msg);
    match table_event {
        TableEvent::RowAdded => queued,
        TableEvent::RowDeleted => !queued,
        TableEvent::RowModified => {
            let expected = outcome.next.messages.get(msg).map(|m| m.submit_flags());
            queued && expected == observed.messages.get(msg).map(|m| m.submit_flags)
        }
        TableEvent::Changed => true,
    }
}

/// The subject of a notification.
pub fn notification_subject(n: &Notification) -> Subject {
    match n {
        Notification::QueueTable { .. } => Subject::QueueNotification,
        Notification::NewMail { .. } => Subject::NewMailNotification,
    }
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
                about: Subject::of_field(d.field),
                subject: d.field.to_string(),
                expected: d.expected,
                actual: d.actual,
            }
        })
        .collect()
}

/// The rule behind a differing field: the rule that set it in this step; for a field the step should
/// have left alone, the outcome's frame rule when it has one (a call that must fail and change
/// nothing); failing both, the field's home rule, which governs the field's value between the
/// calls that change it.
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
    if let Field::Recipients { msg } = field {
        let touched = outcome.touched.iter().find(|(f, _)| *f == field);
        if let (Some((_, RuleId::Exp04)), Some(a)) = (touched, observed.messages.get(&msg)) {
            return expansion_rule(&a.recipients);
        }
    }
    if let Field::Responsibility { msg } = field {
        if let (Some(m), Some(a)) = (outcome.next.messages.get(&msg), observed.messages.get(&msg)) {
            // The first row that differs says whose value it is: a row ExpandRecips added for a
            // list's member starts without responsibility by EXP-08.
            let first = m
                .recipients
                .iter()
                .zip(a.responsibility.iter().chain(std::iter::repeat(&None)))
                .find(|(r, v)| r.responsibility != **v);
            if first.is_some_and(|(r, _)| r.from_list) {
                return RuleId::Exp08;
            }
        }
    }
    if let Some((_, rule)) = outcome.touched.iter().find(|(f, _)| *f == field) {
        return *rule;
    }
    outcome
        .frame
        .unwrap_or_else(|| home_rule(field, &outcome.next))
}

/// Which of ExpandRecips' duties a table it left breaks (profile `system`): a list still there
/// (EXP-04), a typed address still unresolved (EXP-06), a recipient named twice (EXP-07), a book
/// person under another name than the book's (EXP-05); otherwise the members are wrong (EXP-04).
fn expansion_rule(actual: &[crate::recipient::RecipientRow]) -> RuleId {
    use crate::recipient::{book, lookup, same_recipient, EntryRef};
    if actual.iter().any(|r| matches!(r.entry, EntryRef::List(_))) {
        return RuleId::Exp04;
    }
    if actual.iter().any(|r| r.entry == EntryRef::Unresolved) {
        return RuleId::Exp06;
    }
    let twice = actual
        .iter()
        .enumerate()
        .any(|(i, r)| actual[..i].iter().any(|e| same_recipient(e, r)));
    if twice {
        return RuleId::Exp07;
    }
    let all = book();
    let renamed = actual.iter().any(|r| {
        matches!(r.entry, EntryRef::Person(_))
            && lookup(&all, r.entry).is_some_and(|b| b.name != r.name)
    });
    if renamed {
        return RuleId::Exp05;
    }
    RuleId::Exp04
}

/// The rule that governs a field between the calls that change it, when the step names none: the
/// rule that says what the field holds while nothing changes it. `next` is the state the step
/// should leave.
pub fn home_rule(field: Field, next: &State) -> RuleId {
    let submitted = |msg| next.messages.get(&msg).map(|m| m.submitted());
    match field {
        Field::Exists { msg } => match submitted(msg) {
            Some(true) => RuleId::Submit01,
            Some(false) => RuleId::Access12,
            // A message that should not be there: no call may bring one back or invent one.
            None => RuleId::Access13,
        },
        Field::Flag {
            bit: FlagBit::Submit | FlagBit::Resend,
            ..
        } => RuleId::Flag01,
        Field::Flag {
            bit: FlagBit::Unsent,
            ..
        } => RuleId::Flag02,
        Field::Flag {
            bit: FlagBit::Read,
            msg,
        } => match submitted(msg) {
            Some(true) => RuleId::Access07,
            _ => RuleId::Access12,
        },
        Field::Locked { .. } | Field::Preprocess { .. } | Field::OtherSubmitFlags { .. } => {
            RuleId::Flag05
        }
        Field::SubmitTime { .. } => RuleId::Submit07,
        Field::Recipients { msg } => match submitted(msg) {
            Some(true) => RuleId::Submit01,
            _ => RuleId::Access12,
        },
        Field::Responsibility { .. } => RuleId::Spl08,
        Field::Folders => RuleId::Spl13,
        Field::Queue => RuleId::Oq01,
    }
}
