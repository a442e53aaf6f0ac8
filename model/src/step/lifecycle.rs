//! Setting up and restarting the store: CreateMessage, Advise, the support mask, StoreLogoff and
//! restart (S115; PERSIST rules).

use super::tx::{one, Tx};
use super::{Outcome, RetPattern};
use crate::choices::LockAfterRestart;
use crate::effect::SupportCall;
use crate::mapi::{logoff, msgflag, Hresult};
use crate::observe::Field;
use crate::op::{NewMessage, Ret, RetData};
use crate::rules::RuleId as R;
use crate::state::{Message, MsgId, State};

/// CreateMessage with its properties and recipients. A setup call: no rule checks its result.
pub(super) fn create(state: &State, new: &NewMessage) -> Vec<Outcome> {
    let mut tx = Tx::new(state);
    let id = MsgId(state.next_id);
    let mut m = Message::new(new.folder, &new.recipients);
    m.sentmail = new.sentmail;
    m.delete_after_submit = new.delete_after_submit;
    m.saved = new.saved;
    if new.unsent {
        m.flags |= msgflag::UNSENT;
    }
    if new.resend {
        m.flags |= msgflag::RESEND;
    }
    let s = tx.state_mut();
    s.next_id += 1;
    s.messages.insert(id, m);
    tx.setup(Ret::ok(RetData::Created(id)));
    if !new.unsent {
        // A store may start a new message with MSGFLAG_UNSENT set: nothing says it must not.
        tx.loosen(crate::observe::Field::Flag {
            msg: id,
            bit: crate::observe::FlagBit::Unsent,
        });
    }
    one(tx)
}

/// A client registers a store-wide new-mail sink. A setup call.
pub(super) fn advise_new_mail(state: &State) -> Vec<Outcome> {
    let mut tx = Tx::new(state);
    let sink = state.next_sink;
    let s = tx.state_mut();
    s.next_sink += 1;
    s.sinks.push(sink);
    tx.setup(Ret::ok(RetData::Sink(sink)));
    one(tx)
}

/// PR_STORE_SUPPORT_MASK: STORE_SUBMIT_OK exactly when submission is supported (CAP-03).
pub(super) fn support_mask(state: &State) -> Vec<Outcome> {
    let mut tx = Tx::new(state);
    let submit_ok = state.choices.submission;
    let mask = crate::mapi::STORE_MODIFY_OK
        | crate::mapi::STORE_CREATE_OK
        | if submit_ok {
            crate::mapi::STORE_SUBMIT_OK
        } else {
            0
        };
    tx.returns_matching(
        Ret::ok(RetData::SupportMask(mask)),
        RetPattern::SupportMask { submit_ok },
        R::Cap03,
    );
    one(tx)
}

/// `IMsgStore::StoreLogoff`: the store keeps the flags for shutdown (PERSIST-04).
pub(super) fn store_logoff(state: &State, flags: u32) -> Vec<Outcome> {
    let mut tx = Tx::new(state);
    tx.state_mut().logoff_flags = Some(flags);
    tx.setup(Ret::hr(Hresult::S_OK));
    one(tx)
}

/// Shutdown and start (PERSIST-01, PERSIST-03, PERSIST-04, SUBMIT-01; AMB-28).
pub(super) fn restart(state: &State) -> Vec<Outcome> {
    let mut tx = Tx::new(state);
    let flags = state.logoff_flags.unwrap_or(logoff::ABORT);
    tx.call(SupportCall::StoreLogoffTransports { flags }, R::Persist04);
    let unsaved: Vec<MsgId> = state
        .messages
        .iter()
        .filter(|(_, m)| !m.saved)
        .map(|(&id, _)| id)
        .collect();
    // Saved messages survive with their properties; a message never saved was never made
    // permanent (PERSIST-07).
    tx.field_frame(R::Persist07);
    for id in unsaved {
        tx.delete(id, R::Persist07);
    }
    // A submitted message was saved by its submission, never saved by the client or not
    // (SUBMIT-01).
    let submitted: Vec<MsgId> = state
        .messages
        .iter()
        .filter(|(_, m)| m.saved_by_submission)
        .map(|(&id, _)| id)
        .collect();
    for id in submitted {
        tx.touch(Field::Exists { msg: id }, R::Submit01);
    }
    let s = tx.state_mut();
    s.ready_to_send = false;
    s.sinks.clear();
    s.logoff_flags = None;
    for m in s.messages.values_mut() {
        m.handle_lost = true;
        // The spooler starts over: a message still to preprocess is preprocessed from the start.
        m.preprocessed_by.clear();
    }
    tx.touch(Field::Queue, R::Persist03);
    let preprocessing: Vec<MsgId> = state
        .messages
        .iter()
        .filter(|(_, m)| m.preprocess)
        .map(|(&id, _)| id)
        .collect();
    for id in preprocessing {
        tx.touch(Field::Preprocess { msg: id }, R::Persist03);
    }
    // The queue's notifications belong to the old session: nobody is advised across a restart.
    let tx = without_notifications(tx);
    let locked: Vec<MsgId> = state
        .messages
        .iter()
        .filter(|(_, m)| m.locked)
        .map(|(&id, _)| id)
        .collect();
    let kept = lock_outcome(&tx, &locked, true);
    let dropped = lock_outcome(&tx, &locked, false);
    let outcomes = match (state.choices.lock_after_restart, locked.is_empty()) {
        (_, true) => vec![kept],
        (LockAfterRestart::Kept, _) => vec![kept],
        (LockAfterRestart::Dropped, _) => vec![dropped],
        (LockAfterRestart::Either, _) => {
            // A lock may or may not outlive the restart (AMB-28).
            let (mut dropped, mut kept) = (dropped, kept);
            for &id in &locked {
                dropped.reading("AMB-28", Some(id));
                kept.reading("AMB-28", Some(id));
            }
            vec![dropped, kept]
        }
    };
    outcomes.into_iter().map(Tx::done).collect()
}

fn without_notifications(tx: Tx) -> Tx {
    let mut out = tx.done();
    out.notifications.clear();
    let mut fresh = Tx::new(&out.next);
    fresh.adopt(out);
    fresh
}

fn lock_outcome(tx: &Tx, locked: &[MsgId], keep: bool) -> Tx {
    let mut tx = tx.clone();
    tx.label(if keep { "locks kept" } else { "locks dropped" });
    for &id in locked {
        if tx.state().messages.contains_key(&id) {
            tx.set_locked(id, keep, R::Persist01);
        }
    }
    tx
}
