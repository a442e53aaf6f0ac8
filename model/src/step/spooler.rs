//! The spooler-only `IMsgStore` methods (S111): SetLockState, GetOutgoingQueue, FinishedMsg and
//! NotifyNewMail, and the spooler's writes to a locked message.

use super::tx::{missing, one, Tx};
use super::{Outcome, RetPattern};
use crate::choices::DispositionBy;
use crate::effect::{Notification, SupportCall};
use crate::mapi::{msgflag, Hresult};
use crate::observe::{Field, FlagBit, OBSERVED_MESSAGE_FLAGS};
use crate::op::{QueueRow, Ret, RetData, Role};
use crate::rules::RuleId as R;
use crate::state::{Life, MsgId, State};

/// A non-spooler caller of a spooler-only method, when the implementation enforces it (AMB-19).
fn refused_to_client(state: &State, caller: Role, rule: R) -> Option<Vec<Outcome>> {
    (caller == Role::Client && state.choices.enforce_spooler_only)
        .then(|| super::tx::answered(state, Hresult::MAPI_E_NO_SUPPORT, rule))
}

/// A store that supports sending answers the spooler's calls to its spooler-only methods (CAP-02).
fn spooler_method(tx: &mut Tx, caller: Role) {
    if caller == Role::Spooler && tx.state().choices.submission {
        tx.check(
            RetPattern::NoneOf(vec![Hresult::MAPI_E_NO_SUPPORT]),
            R::Cap02,
        );
    }
}

/// The entry ID read before submission still names the message (SUBMIT-16).
pub(super) fn entry_id_still_valid(tx: &mut Tx) {
    tx.check(
        RetPattern::NoneOf(vec![
            Hresult::MAPI_E_INVALID_ENTRYID,
            Hresult::MAPI_E_NOT_FOUND,
        ]),
        R::Submit16,
    );
}

/// `IMsgStore::SetLockState` (AMB-20's reading).
pub(super) fn set_lock_state(state: &State, caller: Role, id: MsgId, lock: bool) -> Vec<Outcome> {
    if let Some(out) = refused_to_client(state, caller, R::Spl04) {
        return out;
    }
    let Some(life) = state.life(id) else {
        return missing(state);
    };
    let mut tx = Tx::new(state);
    spooler_method(&mut tx, caller);
    let lockable = matches!(life, Life::Queued | Life::QueuedPre | Life::Handed);
    let locked = matches!(life, Life::Locked | Life::LockedPre | Life::HandedLocked);
    if lock && lockable {
        if state.queue.first() != Some(&id) && state.queued(id) {
            // Not the oldest: the spooler may still lock it (SPL-03).
            tx.check(RetPattern::Exact(Ret::hr(Hresult::S_OK)), R::Spl03);
        }
        tx.set_locked(id, true, R::Spl06);
        // The lock is ORed in: SUBMITFLAG_PREPROCESS stays as it was.
        tx.touch(Field::Preprocess { msg: id }, R::Spl06);
        tx.row_modified(id, R::Oq11);
        tx.returns(Ret::hr(Hresult::S_OK), R::Spl06);
    } else if !lock && locked {
        tx.set_locked(id, false, R::Spl07);
        tx.row_modified(id, R::Oq11);
        tx.returns(Ret::hr(Hresult::S_OK), R::Spl07);
    } else if lockable || locked {
        // Locking twice or unlocking twice: a no-op that succeeds.
        tx.returns(Ret::hr(Hresult::S_OK), R::Spl04);
        tx.touch(Field::Locked { msg: id }, R::Spl04);
    } else {
        // Not submitted: undocumented (AMB-20). Any answer, and SUBMITFLAG_LOCKED is the store's.
        tx.returns_matching(
            Ret::hr(Hresult::MAPI_E_NOT_IN_QUEUE),
            RetPattern::Any,
            R::Spl04,
        );
        tx.loosen(Field::Locked { msg: id });
        tx.reading("AMB-20", Some(id));
    }
    one(tx)
}

/// `IMsgStore::GetOutgoingQueue`: every queued message, oldest submission first (OQ-01..03).
pub(super) fn get_outgoing_queue(state: &State, caller: Role) -> Vec<Outcome> {
    if let Some(out) = refused_to_client(state, caller, R::Oq01) {
        return out;
    }
    let mut tx = Tx::new(state);
    spooler_method(&mut tx, caller);
    let rows: Vec<QueueRow> = state.queue.iter().map(|&id| queue_row(state, id)).collect();
    // Which rows (OQ-01), which columns (OQ-02), in which order (OQ-03), showing what values
    // (OQ-11): each is its own rule, so each difference names its own.
    tx.returns_matching(
        Ret::ok(RetData::Queue(rows.clone())),
        RetPattern::QueueMembers(state.queue.clone()),
        R::Oq01,
    );
    tx.check(RetPattern::QueueColumns, R::Oq02);
    tx.check(RetPattern::QueueSorted, R::Oq03);
    tx.check(RetPattern::QueueValues(rows), R::Oq11);
    one(tx)
}

/// The row the model expects for a queued message.
pub fn queue_row(state: &State, id: MsgId) -> QueueRow {
    let m = &state.messages[&id];
    QueueRow {
        msg: id,
        submit_flags: Some(m.submit_flags()),
        message_flags: Some(m.flags & OBSERVED_MESSAGE_FLAGS),
        client_submit_time: m.submit_time,
    }
}

/// The spooler (for a transport) marks a recipient handled and saves (SPL-08, ACCESS-05).
pub(super) fn mark_responsibility(state: &State, caller: Role, id: MsgId, row: u8) -> Vec<Outcome> {
    let Some(m) = state.messages.get(&id) else {
        return missing(state);
    };
    if caller == Role::Client {
        return super::client::write(state, caller, id, crate::op::Handle::Reopened);
    }
    let mut tx = Tx::new(state);
    if usize::from(row) >= m.recipients.len() {
        tx.returns_matching(
            Ret::hr(Hresult::MAPI_E_INVALID_PARAMETER),
            RetPattern::AnyFailure,
            R::Spl08,
        );
        return one(tx);
    }
    tx.apply(R::Access05);
    tx.set_responsibility(id, true, R::Spl08, |i, _| i == usize::from(row));
    tx.with_msg(id, |m| m.saved = true);
    tx.returns(Ret::hr(Hresult::S_OK), R::Spl08);
    one(tx)
}

/// `IMsgStore::FinishedMsg` (E5; AMB-17, AMB-18).
pub(super) fn finished_msg(state: &State, caller: Role, id: MsgId) -> Vec<Outcome> {
    if caller == Role::Client {
        return super::tx::answered(state, Hresult::MAPI_E_NO_SUPPORT, R::Spl11);
    }
    let Some(life) = state.life(id) else {
        return missing(state);
    };
    match life {
        Life::Locked | Life::HandedLocked => finish_branches(state, id),
        Life::Queued | Life::QueuedPre | Life::Handed | Life::LockedPre => {
            // The spooler promises a locked, preprocessed message; otherwise the result is the
            // implementation's (AMB-18): refuse and change nothing, or finish it anyway.
            let mut refuse = Tx::new(state);
            refuse.label("refused: not locked");
            refuse.refuse(Hresult::MAPI_E_CALL_FAILED, R::Spl12);
            let mut all = vec![refuse.done()];
            all.extend(finish_branches(state, id));
            all
        }
        Life::Draft | Life::Done => {
            let mut tx = Tx::new(state);
            tx.returns_matching(
                Ret::hr(Hresult::MAPI_E_NOT_IN_QUEUE),
                RetPattern::Any,
                R::Spl12,
            );
            tx.touch(
                Field::Flag {
                    msg: id,
                    bit: FlagBit::Submit,
                },
                R::Spl12,
            );
            one(tx)
        }
    }
}

/// FinishedMsg on a locked message: two outcomes, since MSGFLAG_READ may be set (the sample store does).
fn finish_branches(state: &State, id: MsgId) -> Vec<Outcome> {
    let finished = finish(state, id);
    let mut read = finished.clone();
    read.label("sets MSGFLAG_READ");
    let mut plain = finished;
    plain.label("leaves MSGFLAG_READ");
    if read.state().messages.contains_key(&id) {
        read.set_flags(id, msgflag::READ, true, R::Flag15);
        plain.touch(
            Field::Flag {
                msg: id,
                bit: FlagBit::Read,
            },
            R::Flag15,
        );
    }
    vec![plain.done(), read.done()]
}

fn finish(state: &State, id: MsgId) -> Tx {
    let mut tx = Tx::new(state);
    spooler_method(&mut tx, Role::Spooler);
    entry_id_still_valid(&mut tx);
    tx.finish_flags(id, R::Spl12);
    tx.dequeue(id, R::Spl16);
    tx.touch(Field::Folders, R::Spl13);
    // In profile `system` the implementation is MAPI too, so its own DoSentMail disposes of the
    // message whichever party the declared choice names.
    let system = state.choices.profile == crate::choices::Profile::System;
    if state.choices.disposition_by == DispositionBy::Store || system {
        tx.dispose(id, state.choices.sentmail, R::Spl13);
    }
    tx.call(SupportCall::DoSentMail { msg: id, flags: 0 }, R::Spl14);
    tx.returns(Ret::hr(Hresult::S_OK), R::Spl12);
    tx
}

/// `IMsgStore::NotifyNewMail`: one fnevNewMail per store-wide sink (NNM-01, NNM-02; AMB-24).
pub(super) fn notify_new_mail(state: &State, caller: Role, id: MsgId) -> Vec<Outcome> {
    if let Some(out) = refused_to_client(state, caller, R::Nnm01) {
        return out;
    }
    let mut tx = Tx::new(state);
    spooler_method(&mut tx, caller);
    for &sink in &state.sinks {
        tx.notify(Notification::NewMail { sink, msg: id }, R::Nnm02);
    }
    tx.apply(R::Nnm02);
    tx.returns(Ret::hr(Hresult::S_OK), R::Nnm01);
    one(tx)
}
