//! What clients do to submitted messages: AbortSubmit, OpenEntry, writes, SetReadFlag,
//! DeleteMessages and EmptyFolder (S113-S118). Every check asks two questions: does the spooler
//! hold the message (the lock table), and is it submitted (MSGFLAG_SUBMIT)?

use super::system::Hold;
use super::tables::FolderItem;
use super::ReferenceStore;
use crate::mutant::Mutant;
use crate::seam::Support;
use spoolcheck_model::mapi::{msgflag, submitflag, Hresult};
use spoolcheck_model::{Access, AccessLevel, Folder, Handle, MsgId, OpenPath, Ret, RetData, Role};

impl ReferenceStore {
    /// `IMsgStore::AbortSubmit` with the entry ID read before submission (ABORT-01..07; AMB-16).
    /// Clients may call it (ABORT-01). An entry ID that names no message, deleted or never given
    /// out, fails as [`ReferenceStore::unknown_entry_id`] says (ABORT-03).
    pub(super) fn abort_submit(
        &mut self,
        caller: Role,
        id: MsgId,
        support: &mut dyn Support,
    ) -> Ret {
        if caller == Role::Client && self.broken(Mutant::Abort01SpoolerOnly) {
            return Ret::hr(Hresult::MAPI_E_NO_SUPPORT);
        }
        let Some(m) = self.resolve_entry_id(id) else {
            return Ret::hr(self.unknown_entry_id(id));
        };
        let handed = m.handed_to_spooler;
        let preprocessing = self.mapi.held.get(&id) == Some(&Hold::Preprocessing);
        let ignores_lock = self.broken(Mutant::Abort04AbortLocked)
            || (preprocessing && self.broken(Mutant::Abort04AbortWhilePreprocessing));
        if self.is_locked(id) && !ignores_lock {
            return Ret::hr(Hresult::MAPI_E_UNABLE_TO_ABORT); // ABORT-04 (S113)
        }
        if handed {
            // Handed over by CompleteMsg: past cancelling (ABORT-03, AMB-21).
            if self.broken(Mutant::Abort03HandedAborted) {
                self.clear_abort_flags(id);
                return Ret::hr(Hresult::S_OK);
            }
            return Ret::hr(Hresult::MAPI_E_UNABLE_TO_ABORT);
        }
        if !self.queue.contains(id) {
            let hr = if self.broken(Mutant::Abort03DraftOk) {
                Hresult::S_OK
            } else {
                Hresult::MAPI_E_NOT_IN_QUEUE
            };
            return Ret::hr(hr); // ABORT-03: never submitted, or already sent
        }
        if self.broken(Mutant::Abort10Refused) {
            return Ret::hr(Hresult::MAPI_E_UNABLE_TO_ABORT);
        }
        if self.broken(Mutant::Oq05NoRowDeleted) {
            self.queue.remove(id); // takes the row out without telling the queue's views
        } else if !self.broken(Mutant::Abort02RowKept) {
            self.dequeue(id, support); // ABORT-02, with a notification (OQ-05)
        }
        self.clear_abort_flags(id);
        Ret::hr(Hresult::S_OK)
    }

    /// After an abort the message is a draft again: MSGFLAG_SUBMIT and SUBMITFLAG_PREPROCESS are
    /// cleared, MSGFLAG_UNSENT stays (ABORT-07, AMB-13).
    fn clear_abort_flags(&mut self, id: MsgId) {
        let keep_submit = self.broken(Mutant::Abort07SubmitKept);
        self.mapi.forget(id);
        let m = self.message_mut(id);
        m.set_submit_flags(submitflag::PREPROCESS, false);
        m.handed_to_spooler = false;
        if !keep_submit {
            m.set_message_flags(msgflag::SUBMIT, false);
        }
    }

    /// `IMsgStore::OpenEntry` and `IMAPIFolder::OpenEntry` on a message: the access the caller gets
    /// (ACCESS-01..05, ACCESS-10..12; AMB-14).
    pub(super) fn open_entry(
        &self,
        caller: Role,
        id: MsgId,
        access: Access,
        path: OpenPath,
    ) -> Ret {
        let Some(m) = self.resolve_entry_id(id) else {
            if self.broken(Mutant::Access13UnknownOpens) {
                return Ret::ok(RetData::Opened(AccessLevel::ReadOnly));
            }
            return Ret::hr(self.unknown_entry_id(id));
        };
        let requested = if access == Access::Default {
            AccessLevel::ReadOnly
        } else {
            AccessLevel::Modify
        };
        if caller == Role::Spooler {
            // The spooler's store object is not bound by the client rules (ACCESS-05, CAP-06).
            if self.is_locked(id) && self.broken(Mutant::Access05SpoolerRefused) {
                return Ret::hr(Hresult::MAPI_E_NO_ACCESS);
            }
            return Ret::ok(RetData::Opened(requested));
        }
        let sending = self.mapi.held.get(&id) == Some(&Hold::Transport);
        if self.is_locked(id) && !(sending && self.broken(Mutant::Access01OpenWhileSending)) {
            return self.deny_locked();
        }
        // A folder opens its messages through the store, so the answer is the same (ACCESS-10).
        if path == OpenPath::Folder
            && m.is_submitted()
            && access == Access::Modify
            && self.broken(Mutant::Access10FolderDiffers)
        {
            return Ret::hr(Hresult::MAPI_E_NO_ACCESS);
        }
        // (The mutant takes "has PR_CLIENT_SUBMIT_TIME" for "submitted", so an aborted message
        // stays read-only.)
        let mutant_read_only =
            self.broken(Mutant::Access12AbortedReadonly) && m.props.client_submit_time.is_some();
        if !m.is_submitted() && !mutant_read_only {
            return Ret::ok(RetData::Opened(requested)); // an ordinary message (ACCESS-12)
        }
        // Queued or handed over, not locked: read-only (S116-S118).
        match access {
            Access::Modify if self.broken(Mutant::Access02ModifyQueued) => {
                Ret::ok(RetData::Opened(AccessLevel::Modify))
            }
            Access::Modify => Ret::hr(Hresult::MAPI_E_SUBMITTED), // ACCESS-02
            Access::BestAccess if self.broken(Mutant::Access03BestRefused) => {
                Ret::hr(Hresult::MAPI_E_SUBMITTED)
            }
            Access::Default if self.broken(Mutant::Access04DefaultRefused) => {
                Ret::hr(Hresult::MAPI_E_NO_ACCESS)
            }
            Access::BestAccess | Access::Default => Ret::ok(RetData::Opened(AccessLevel::ReadOnly)), // ACCESS-03, ACCESS-04
        }
    }

    /// While the spooler holds a message, no client opens it, whatever the flags (ACCESS-01, S113),
    /// and the error is MAPI_E_NO_ACCESS (ACCESS-11, S114).
    fn deny_locked(&self) -> Ret {
        if self.broken(Mutant::Access01ReadLocked) {
            return Ret::ok(RetData::Opened(AccessLevel::ReadOnly));
        }
        if self.broken(Mutant::Access11WrongCode) {
            return Ret::hr(Hresult::MAPI_E_CALL_FAILED);
        }
        Ret::hr(Hresult::MAPI_E_NO_ACCESS)
    }

    /// A property write and SaveChanges through a client object (SUBMIT-14, ACCESS-09), or through
    /// the spooler's (ACCESS-05).
    pub(super) fn write_message(&mut self, caller: Role, id: MsgId, via: Handle) -> Ret {
        let Some(m) = self.messages.get(&id) else {
            return Ret::hr(self.unknown_entry_id(id));
        };
        if caller == Role::Client {
            let writable = match via {
                // The object the client created and submitted: read/write until SubmitMessage
                // killed it (SUBMIT-14).
                Handle::Submitter => !m.submitter_dead,
                Handle::Reopened => self.reopened_is_writable(id),
            };
            if !writable {
                return Ret::hr(Hresult::MAPI_E_NO_ACCESS);
            }
        }
        self.message_mut(id).saved = true;
        Ret::hr(Hresult::S_OK)
    }

    /// Whether a client object opened afresh with MAPI_BEST_ACCESS can write: not while the spooler
    /// holds the message (ACCESS-01), and not once it is submitted, when it opens read-only
    /// (ACCESS-03, ACCESS-09).
    fn reopened_is_writable(&self, id: MsgId) -> bool {
        if self.is_locked(id) {
            return false;
        }
        !self.messages[&id].is_submitted() || self.broken(Mutant::Access09WriteAfterSubmit)
    }

    /// `IMessage::SetReadFlag`: a submitted message's read flag does not change (ACCESS-07, AMB-31).
    pub(super) fn set_read_flag(&mut self, _caller: Role, id: MsgId) -> Ret {
        let mutant = self.broken(Mutant::Access07ReadFlagChanges);
        let Some(m) = self.messages.get_mut(&id) else {
            return Ret::hr(self.unknown_entry_id(id));
        };
        if m.is_submitted() && !mutant {
            return Ret::hr(Hresult::MAPI_E_NO_ACCESS);
        }
        m.set_message_flags(msgflag::READ, true);
        Ret::hr(Hresult::S_OK)
    }

    /// `IMAPIFolder::DeleteMessages` on one message: a submitted message stays (ACCESS-06, AMB-31).
    pub(super) fn delete_messages(
        &mut self,
        _caller: Role,
        id: MsgId,
        support: &mut dyn Support,
    ) -> Ret {
        let Some(m) = self.messages.get(&id) else {
            return Ret::hr(Hresult::MAPI_E_NOT_FOUND);
        };
        if m.is_submitted() && !self.broken(Mutant::Access06DeleteSubmitted) {
            return Ret::hr(Hresult::MAPI_W_PARTIAL_COMPLETION);
        }
        self.delete_message(id, support);
        Ret::hr(Hresult::S_OK)
    }

    /// `IMAPIFolder::EmptyFolder`: submitted messages stay and are not aborted (ACCESS-08).
    pub(super) fn empty_folder(
        &mut self,
        _caller: Role,
        folder: Folder,
        support: &mut dyn Support,
    ) -> Ret {
        let mut kept = false;
        for item in self.folders.items(folder) {
            match item {
                FolderItem::Message(id)
                    if self.messages[&id].is_submitted()
                        && !self.broken(Mutant::Access08EmptyDeletesSubmitted) =>
                {
                    kept = true;
                }
                FolderItem::Message(id) => self.delete_message(id, support),
                FolderItem::SentCopy { .. } => self.folders.remove_item(folder, item),
            }
        }
        Ret::hr(if kept {
            Hresult::MAPI_W_PARTIAL_COMPLETION
        } else {
            Hresult::S_OK
        })
    }
}
