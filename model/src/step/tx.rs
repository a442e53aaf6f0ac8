//! A builder for one outcome: every mutation goes through a method that records which rule made it,
//! so a difference in an implementation's state can be traced to the rule that demanded the value.

use super::{Outcome, RetCheck, RetPattern};
use crate::choices::{DeleteMeans, SentMailMode};
use crate::effect::{Because, Notification, SupportCall};
use crate::mapi::{msgflag, Hresult, TableEvent};
use crate::observe::{Field, FlagBit};
use crate::op::{Ret, RetData};
use crate::rules::RuleId;
use crate::state::{Message, MsgId, State};

/// One outcome under construction.
#[derive(Clone)]
pub(crate) struct Tx {
    out: Outcome,
}

impl Tx {
    /// Starts from `state`, unchanged, returning S_OK with no checks.
    pub fn new(state: &State) -> Tx {
        Tx {
            out: Outcome {
                label: "",
                next: state.clone(),
                ret: Ret::hr(Hresult::S_OK),
                ret_checks: Vec::new(),
                calls: Vec::new(),
                notifications: Vec::new(),
                touched: Vec::new(),
                loose: Vec::new(),
                frame: None,
                call_frame: None,
                later: Vec::new(),
                readings: Vec::new(),
                rules: Vec::new(),
            },
        }
    }

    /// The state as built so far.
    pub fn state(&self) -> &State {
        &self.out.next
    }

    /// The state, for changes that observations do not show.
    pub fn state_mut(&mut self) -> &mut State {
        &mut self.out.next
    }

    /// A live message. Callers check existence first.
    pub fn msg(&self, id: MsgId) -> &Message {
        &self.out.next.messages[&id]
    }

    fn msg_mut(&mut self, id: MsgId) -> &mut Message {
        self.out
            .next
            .messages
            .get_mut(&id)
            .expect("message checked to exist")
    }

    /// Records that `rule` applied.
    pub fn apply(&mut self, rule: RuleId) {
        if !self.out.rules.contains(&rule) {
            self.out.rules.push(rule);
        }
    }

    /// Names this outcome among several.
    pub fn label(&mut self, label: &'static str) {
        self.out.label = label;
    }

    /// The model returns `ret`, and the implementation must return exactly that (`rule`).
    pub fn returns(&mut self, ret: Ret, rule: RuleId) {
        self.returns_matching(ret.clone(), RetPattern::Exact(ret), rule);
    }

    /// The model returns `ret`; the implementation's result must match `pattern` (`rule`).
    pub fn returns_matching(&mut self, ret: Ret, pattern: RetPattern, rule: RuleId) {
        self.out.ret = ret;
        self.check(pattern, rule);
    }

    /// A setup call: the model's answer is `ret`, and nothing about the implementation's is checked.
    pub fn setup(&mut self, ret: Ret) {
        self.out.ret = ret;
    }

    /// Adds a further constraint on the result.
    pub fn check(&mut self, pattern: RetPattern, rule: RuleId) {
        self.apply(rule);
        self.out.ret_checks.push(RetCheck { pattern, rule });
    }

    /// Fails the call with `hr`, accepting any failure (`rule`) and changing nothing: `rule`
    /// governs everything the call does.
    pub fn refuse(&mut self, hr: Hresult, rule: RuleId) {
        self.returns_matching(Ret::hr(hr), RetPattern::AnyFailure, rule);
        self.frame(rule);
    }

    /// `rule` governs whatever this outcome does not name: fields, further notifications and
    /// calls (see [`Outcome::frame`]).
    pub fn frame(&mut self, rule: RuleId) {
        self.apply(rule);
        self.out.frame = Some(rule);
        self.out.call_frame = Some(rule);
    }

    /// `rule` governs the fields this outcome leaves as they were and further new-mail
    /// notifications, but not unexpected calls (see [`Outcome::frame`]).
    pub fn field_frame(&mut self, rule: RuleId) {
        self.apply(rule);
        self.out.frame = Some(rule);
    }

    /// `rule` governs the support calls this outcome does not expect (see
    /// [`Outcome::call_frame`]).
    pub fn call_frame(&mut self, rule: RuleId) {
        self.apply(rule);
        self.out.call_frame = Some(rule);
    }

    /// Succeeds with data.
    pub fn ok_with(&mut self, data: RetData, rule: RuleId) {
        self.returns(Ret::ok(data), rule);
    }

    /// The provider must make this support call next.
    pub fn call(&mut self, call: SupportCall, rule: RuleId) {
        self.apply(rule);
        self.out.calls.push(Because { what: call, rule });
    }

    /// The provider must raise this notification.
    pub fn notify(&mut self, n: Notification, rule: RuleId) {
        self.apply(rule);
        self.out.notifications.push(Because { what: n, rule });
    }

    /// A call due in a later step, when the work is taken up again (see [`Outcome::later`]).
    pub fn later(&mut self, call: SupportCall) {
        self.out.later.push(call);
    }

    /// Records that `rule` set `field`.
    pub fn touch(&mut self, field: Field, rule: RuleId) {
        self.apply(rule);
        self.out.touched.retain(|(f, _)| *f != field);
        self.out.touched.push((field, rule));
    }

    /// Leaves `field` open: the runner adopts the implementation's value.
    pub fn loosen(&mut self, field: Field) {
        self.out.loose.push(field);
    }

    /// Records that this outcome follows the reading `ambiguity` for `msg`.
    pub fn reading(&mut self, ambiguity: &'static str, msg: Option<MsgId>) {
        if !self.out.readings.contains(&(ambiguity, msg)) {
            self.out.readings.push((ambiguity, msg));
        }
    }

    /// Sets or clears bits of PR_MESSAGE_FLAGS.
    pub fn set_flags(&mut self, id: MsgId, bits: u32, on: bool, rule: RuleId) {
        let m = self.msg_mut(id);
        if on {
            m.flags |= bits;
        } else {
            m.flags &= !bits;
        }
        for bit in FlagBit::of(bits) {
            self.touch(Field::Flag { msg: id, bit }, rule);
        }
    }

    /// Sets SUBMITFLAG_LOCKED.
    pub fn set_locked(&mut self, id: MsgId, on: bool, rule: RuleId) {
        self.msg_mut(id).locked = on;
        self.touch(Field::Locked { msg: id }, rule);
        self.apply(RuleId::Flag05);
    }

    /// Sets SUBMITFLAG_PREPROCESS.
    pub fn set_preprocess(&mut self, id: MsgId, on: bool, rule: RuleId) {
        self.msg_mut(id).preprocess = on;
        self.touch(Field::Preprocess { msg: id }, rule);
        self.apply(RuleId::Flag05);
    }

    /// Sets PR_CLIENT_SUBMIT_TIME.
    pub fn set_submit_time(&mut self, id: MsgId, time: Option<u64>, rule: RuleId) {
        self.msg_mut(id).submit_time = time;
        self.touch(Field::SubmitTime { msg: id }, rule);
    }

    /// Sets PR_RESPONSIBILITY on the rows `which` selects.
    pub fn set_responsibility(
        &mut self,
        id: MsgId,
        value: bool,
        rule: RuleId,
        which: impl Fn(usize, &crate::state::Recipient) -> bool,
    ) {
        for (i, r) in self.msg_mut(id).recipients.iter_mut().enumerate() {
            if which(i, r) {
                r.responsibility = Some(value);
            }
        }
        self.touch(Field::Responsibility { msg: id }, rule);
    }

    /// Changes fields of a message that observations do not show.
    pub fn with_msg(&mut self, id: MsgId, f: impl FnOnce(&mut Message)) {
        f(self.msg_mut(id));
    }

    /// Appends the message to the outgoing queue and announces the new row (OQ-05).
    pub fn enqueue(&mut self, id: MsgId, rule: RuleId) {
        // Appending keeps the queue in the order of the SubmitMessage calls (SUBMIT-12).
        self.out.next.queue.push(id);
        self.touch(Field::Queue, rule);
        self.apply(RuleId::Submit12);
        // SUBMITFLAG_LOCKED is the spooler's to set, not the queue's (FLAG-16, AMB-03).
        self.touch(Field::Locked { msg: id }, RuleId::Flag16);
        self.notify(
            Notification::QueueTable {
                table_event: TableEvent::RowAdded,
                msg: Some(id),
            },
            RuleId::Oq05,
        );
    }

    /// Removes the message from the outgoing queue, if there, and announces it (OQ-05).
    pub fn dequeue(&mut self, id: MsgId, rule: RuleId) {
        if self.out.next.queued(id) {
            self.out.next.queue.retain(|&q| q != id);
            self.touch(Field::Queue, rule);
            self.notify(
                Notification::QueueTable {
                    table_event: TableEvent::RowDeleted,
                    msg: Some(id),
                },
                RuleId::Oq05,
            );
        }
    }

    /// Announces a changed row of a queued message (`rule` is OQ-11 or a rule that demands it).
    pub fn row_modified(&mut self, id: MsgId, rule: RuleId) {
        if self.out.next.queued(id) {
            self.notify(
                Notification::QueueTable {
                    table_event: TableEvent::RowModified,
                    msg: Some(id),
                },
                rule,
            );
        }
    }

    /// Removes a message from the store.
    pub fn delete(&mut self, id: MsgId, rule: RuleId) {
        self.dequeue(id, rule);
        self.out.next.messages.remove(&id);
        self.touch(Field::Exists { msg: id }, rule);
        self.touch(Field::Folders, rule);
    }

    /// Sent-mail disposition by PR_SENTMAIL_ENTRYID and PR_DELETE_AFTER_SUBMIT (TC-04, SPL-13), with
    /// the given copy-or-move reading of the sent-mail step.
    pub fn dispose(&mut self, id: MsgId, mode: SentMailMode, rule: RuleId) {
        let (sentmail, delete) = (self.msg(id).sentmail, self.msg(id).delete_after_submit);
        let choices = self.state().choices.clone();
        if let Some(target) = sentmail {
            match mode {
                SentMailMode::Move => self.msg_mut(id).folder = target,
                SentMailMode::Copy => self.out.next.copies.push((target, id)),
            }
            self.touch(Field::Folders, rule);
        }
        if delete {
            match choices.delete_means {
                DeleteMeans::HardDelete => self.delete(id, rule),
                DeleteMeans::MoveToDeletedItems => {
                    self.msg_mut(id).folder = crate::state::Folder::DeletedItems;
                    self.touch(Field::Folders, rule);
                }
            }
        }
    }

    /// The end of sending: unlocked by `rule` (SPL-12, TC-04, or the spooler's SPL-21 and TC-06),
    /// no longer submitted or unsent and without submit flags (FLAG-15; AMB-13, AMB-22).
    pub fn finish_flags(&mut self, id: MsgId, rule: RuleId) {
        if !self.out.next.messages.contains_key(&id) {
            return;
        }
        self.set_locked(id, false, rule);
        self.set_preprocess(id, false, RuleId::Flag15);
        self.set_flags(id, msgflag::SUBMIT | msgflag::UNSENT, false, RuleId::Flag15);
        // Whether the end of sending marks the message read is the store's (AMB-13).
        self.reading("AMB-13", Some(id));
        self.with_msg(id, |m| {
            m.finished = true;
            m.handed = false;
            m.preprocessed_by.clear();
        });
        self.out.next.handed_order.retain(|&h| h != id);
    }

    /// Continues building from a finished outcome.
    pub fn adopt(&mut self, outcome: Outcome) {
        self.out = outcome;
    }

    /// The finished outcome.
    pub fn done(self) -> Outcome {
        self.out
    }
}

/// A single outcome.
pub(crate) fn one(tx: Tx) -> Vec<Outcome> {
    vec![tx.done()]
}

/// Convenience: a refusal that changes nothing.
pub(crate) fn refused(state: &State, hr: Hresult, rule: RuleId) -> Vec<Outcome> {
    let mut tx = Tx::new(state);
    tx.refuse(hr, rule);
    one(tx)
}

/// Convenience: an exact result that changes nothing.
pub(crate) fn answered(state: &State, hr: Hresult, rule: RuleId) -> Vec<Outcome> {
    let mut tx = Tx::new(state);
    tx.returns(Ret::hr(hr), rule);
    tx.frame(rule);
    one(tx)
}

/// Convenience: the call names an entry ID that is not (or no longer) a message: it fails and
/// changes nothing (ACCESS-13).
pub(crate) fn missing(state: &State) -> Vec<Outcome> {
    let mut tx = Tx::new(state);
    tx.refuse(Hresult::MAPI_E_NOT_FOUND, RuleId::Access13);
    one(tx)
}
