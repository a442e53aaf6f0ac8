//! Calls a client makes on submitted messages: AbortSubmit, OpenEntry, writes, SetReadFlag,
//! DeleteMessages and EmptyFolder (S113-S118; ABORT and ACCESS rules).

use super::tx::{missing, one, Tx};
use super::{Outcome, RetPattern};
use crate::mapi::{msgflag, Hresult};
use crate::observe::{Field, FlagBit};
use crate::op::{Access, AccessLevel, Handle, OpenPath, Ret, RetData, Role};
use crate::rules::RuleId as R;
use crate::state::{Folder, Life, MsgId, State};

/// `IMsgStore::AbortSubmit` (AMB-16's model default).
pub(super) fn abort(state: &State, caller: Role, id: MsgId) -> Vec<Outcome> {
    let mut tx = Tx::new(state);
    if caller == Role::Client {
        // Clients may call AbortSubmit: it is not a spooler-only method (ABORT-01).
        tx.check(
            RetPattern::NoneOf(vec![Hresult::MAPI_E_NO_SUPPORT]),
            R::Abort01,
        );
    }
    let Some(life) = state.life(id) else {
        let codes = vec![
            Hresult::MAPI_E_NOT_IN_QUEUE,
            Hresult::MAPI_E_INVALID_ENTRYID,
            Hresult::MAPI_E_NOT_FOUND,
        ];
        tx.returns_matching(
            Ret::hr(Hresult::MAPI_E_NOT_IN_QUEUE),
            RetPattern::OneOf(codes),
            R::Abort03,
        );
        tx.frame(R::Abort03);
        return one(tx);
    };
    match life {
        Life::Queued | Life::QueuedPre => {
            super::spooler::entry_id_still_valid(&mut tx);
            // Nothing keeps the store from aborting a message it still holds (ABORT-10); then
            // the message leaves the queue (ABORT-02) and is an unsent draft again (ABORT-07).
            tx.returns(Ret::hr(Hresult::S_OK), R::Abort10);
            tx.dequeue(id, R::Abort02);
            tx.set_preprocess(id, false, R::Abort07);
            tx.set_flags(id, msgflag::SUBMIT, false, R::Abort07);
            tx.touch(
                Field::Flag {
                    msg: id,
                    bit: FlagBit::Unsent,
                },
                R::Abort07,
            );
            tx.touch(Field::Exists { msg: id }, R::Abort07);
            tx.touch(Field::Folders, R::Abort07);
        }
        Life::Locked | Life::LockedPre | Life::HandedLocked => {
            super::spooler::entry_id_still_valid(&mut tx);
            tx.returns(Ret::hr(Hresult::MAPI_E_UNABLE_TO_ABORT), R::Abort04);
            tx.frame(R::Abort04);
        }
        Life::Handed => {
            // Handed over by CompleteMsg: not in the queue, or past cancelling (AMB-21).
            let codes = vec![
                Hresult::MAPI_E_NOT_IN_QUEUE,
                Hresult::MAPI_E_UNABLE_TO_ABORT,
            ];
            tx.returns_matching(
                Ret::hr(Hresult::MAPI_E_NOT_IN_QUEUE),
                RetPattern::OneOf(codes),
                R::Abort03,
            );
            tx.frame(R::Abort03);
        }
        Life::Draft => {
            tx.returns(Ret::hr(Hresult::MAPI_E_NOT_IN_QUEUE), R::Abort03);
            tx.frame(R::Abort03);
        }
        Life::Done => {
            // Already sent: not in the queue, or past cancelling (AMB-16).
            let codes = vec![
                Hresult::MAPI_E_NOT_IN_QUEUE,
                Hresult::MAPI_E_UNABLE_TO_ABORT,
            ];
            tx.returns_matching(
                Ret::hr(Hresult::MAPI_E_NOT_IN_QUEUE),
                RetPattern::OneOf(codes),
                R::Abort03,
            );
            tx.frame(R::Abort03);
        }
    }
    one(tx)
}

/// `OpenEntry` on a message (AMB-14's model default: the lock's MUST beats BEST_ACCESS's SHOULD).
pub(super) fn open(
    state: &State,
    caller: Role,
    id: MsgId,
    access: Access,
    path: OpenPath,
) -> Vec<Outcome> {
    let Some(m) = state.messages.get(&id) else {
        return missing(state);
    };
    let mut tx = Tx::new(state);
    // The rules below speak of any client OpenEntry (S113, S114, S116, S118), so they hold through
    // the message's folder as through the store; only the error code of a refused MAPI_MODIFY is
    // the store's page's own (S117), and the folder's is derived from it (ACCESS-10).
    let writable = if access == Access::Default {
        AccessLevel::ReadOnly
    } else {
        AccessLevel::Modify
    };
    if m.submitted() {
        super::spooler::entry_id_still_valid(&mut tx);
    }
    if caller == Role::Spooler && m.submitted() {
        tx.ok_with(RetData::Opened(writable), R::Access05);
    } else if m.locked {
        deny_locked(&mut tx, access);
    } else if m.submitted() {
        match access {
            Access::Modify if path == OpenPath::Folder => {
                tx.returns_matching(
                    Ret::hr(Hresult::MAPI_E_SUBMITTED),
                    RetPattern::AnyFailure,
                    R::Access02,
                );
                tx.check(
                    RetPattern::Exact(Ret::hr(Hresult::MAPI_E_SUBMITTED)),
                    R::Access10,
                );
            }
            Access::Modify => tx.returns(Ret::hr(Hresult::MAPI_E_SUBMITTED), R::Access02),
            Access::BestAccess => tx.ok_with(RetData::Opened(AccessLevel::ReadOnly), R::Access03),
            Access::Default => tx.ok_with(RetData::Opened(AccessLevel::ReadOnly), R::Access04),
        }
    } else {
        tx.ok_with(RetData::Opened(writable), R::Access12);
    }
    one(tx)
}

/// A client's open of a locked message fails (ACCESS-01), with MAPI_E_NO_ACCESS (ACCESS-11); for
/// MAPI_MODIFY, MAPI_E_SUBMITTED is as right (AMB-14).
fn deny_locked(tx: &mut Tx, access: Access) {
    tx.refuse(Hresult::MAPI_E_NO_ACCESS, R::Access01);
    let mut codes = vec![Hresult::MAPI_E_NO_ACCESS];
    if access == Access::Modify {
        codes.push(Hresult::MAPI_E_SUBMITTED);
    }
    tx.check(RetPattern::OneOf(codes), R::Access11);
}

/// A client writes a property and saves through `via` (SUBMIT-14, ACCESS-09).
pub(super) fn write(state: &State, caller: Role, id: MsgId, via: Handle) -> Vec<Outcome> {
    let Some(m) = state.messages.get(&id) else {
        return missing(state);
    };
    let mut tx = Tx::new(state);
    if via == Handle::Submitter && m.handle_lost && caller == Role::Client {
        // The object went with the session at a restart: no real client writes through it, and
        // nothing says what a store answers; nothing is saved.
        tx.returns_matching(
            Ret::hr(Hresult::MAPI_E_NO_ACCESS),
            RetPattern::Any,
            R::Access12,
        );
        return one(tx);
    }
    if caller == Role::Spooler && m.submitted() {
        tx.returns(Ret::hr(Hresult::S_OK), R::Access05);
        tx.with_msg(id, |m| m.saved = true);
    } else if caller == Role::Spooler {
        tx.returns(Ret::hr(Hresult::S_OK), R::Access12);
        tx.with_msg(id, |m| m.saved = true);
    } else if via == Handle::Submitter && m.submit_failed && !m.submitter_dead && !m.submitted() {
        // The submission failed, so the object the client submitted stays open (SUBMIT-15).
        tx.returns(Ret::hr(Hresult::S_OK), R::Submit15);
        tx.with_msg(id, |m| m.saved = true);
        tx.touch(Field::Exists { msg: id }, R::Submit15);
    } else if via == Handle::Submitter && m.submitter_dead {
        tx.refuse(Hresult::MAPI_E_NO_ACCESS, R::Submit14);
    } else if m.locked {
        deny_locked(&mut tx, Access::BestAccess);
    } else if m.submitted() {
        tx.refuse(Hresult::MAPI_E_NO_ACCESS, R::Access09);
    } else {
        tx.returns(Ret::hr(Hresult::S_OK), R::Access12);
        tx.with_msg(id, |m| m.saved = true);
        tx.touch(Field::Exists { msg: id }, R::Access12);
    }
    one(tx)
}

/// `IMessage::SetReadFlag`: a submitted message's read flag does not change (ACCESS-07, AMB-31).
pub(super) fn set_read_flag(state: &State, _caller: Role, id: MsgId) -> Vec<Outcome> {
    let Some(m) = state.messages.get(&id) else {
        return missing(state);
    };
    let mut tx = Tx::new(state);
    if m.submitted() {
        tx.returns_matching(
            Ret::hr(Hresult::MAPI_E_NO_ACCESS),
            RetPattern::Any,
            R::Access07,
        );
        tx.touch(
            Field::Flag {
                msg: id,
                bit: FlagBit::Read,
            },
            R::Access07,
        );
    } else {
        tx.set_flags(id, msgflag::READ, true, R::Access12);
        tx.returns(Ret::hr(Hresult::S_OK), R::Access12);
    }
    one(tx)
}

/// `IMAPIFolder::DeleteMessages` on one message: a submitted one stays (ACCESS-06, AMB-31).
pub(super) fn delete(state: &State, _caller: Role, id: MsgId) -> Vec<Outcome> {
    let Some(m) = state.messages.get(&id) else {
        let mut tx = Tx::new(state);
        let codes = vec![
            Hresult::MAPI_E_NOT_FOUND,
            Hresult::MAPI_W_PARTIAL_COMPLETION,
            Hresult::MAPI_E_INVALID_ENTRYID,
        ];
        tx.returns_matching(
            Ret::hr(Hresult::MAPI_E_NOT_FOUND),
            RetPattern::OneOf(codes),
            R::Access13,
        );
        tx.frame(R::Access13);
        return one(tx);
    };
    let mut tx = Tx::new(state);
    if m.submitted() {
        let codes = vec![
            Hresult::MAPI_W_PARTIAL_COMPLETION,
            Hresult::MAPI_E_NOT_FOUND,
        ];
        tx.returns_matching(
            Ret::hr(Hresult::MAPI_W_PARTIAL_COMPLETION),
            RetPattern::OneOf(codes),
            R::Access06,
        );
        tx.touch(Field::Exists { msg: id }, R::Access06);
        tx.touch(Field::Queue, R::Access06);
    } else {
        tx.delete(id, R::Access12);
        tx.returns(Ret::hr(Hresult::S_OK), R::Access12);
    }
    one(tx)
}

/// `IMAPIFolder::EmptyFolder`: submitted messages stay, and are not aborted (ACCESS-08).
pub(super) fn empty_folder(state: &State, _caller: Role, folder: Folder) -> Vec<Outcome> {
    let mut tx = Tx::new(state);
    let mut kept = false;
    let ids: Vec<MsgId> = state
        .messages
        .iter()
        .filter(|(_, m)| m.folder == folder)
        .map(|(&id, _)| id)
        .collect();
    for id in ids {
        if state.messages[&id].submitted() {
            kept = true;
            tx.touch(Field::Exists { msg: id }, R::Access08);
        } else {
            tx.delete(id, R::Access12);
        }
    }
    tx.state_mut().copies.retain(|(f, _)| *f != folder);
    tx.touch(Field::Folders, if kept { R::Access08 } else { R::Access12 });
    if kept {
        tx.touch(Field::Queue, R::Access08);
        tx.returns(Ret::hr(Hresult::MAPI_W_PARTIAL_COMPLETION), R::Access08);
    } else {
        tx.returns(Ret::hr(Hresult::S_OK), R::Access12);
    }
    one(tx)
}
