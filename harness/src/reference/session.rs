//! Creating messages, the store's properties, and the life of a session: Advise, StoreLogoff, and
//! the shutdown and start of a restart (S115; PERSIST-01, PERSIST-03, PERSIST-04).

use super::tables::{FolderItem, StoredMessage};
use super::{ReferenceStore, Session};
use crate::mutant::Mutant;
use crate::seam::Support;
use spoolcheck_model::choices::LockAfterRestart;
use spoolcheck_model::mapi::{
    logoff, submitflag, Hresult, STORE_CREATE_OK, STORE_MODIFY_OK, STORE_SUBMIT_OK,
};
use spoolcheck_model::{MsgId, NewMessage, Ret, RetData, SupportCall};

impl ReferenceStore {
    /// CreateMessage, SetProps, ModifyRecipients and, if the client wants, SaveChanges. Entry IDs
    /// are handed out in creation order.
    pub(super) fn create_message(&mut self, new: &NewMessage) -> Ret {
        let id = MsgId(self.next_entry_id);
        self.next_entry_id += 1;
        self.messages.insert(id, StoredMessage::create(new));
        self.folders.add(new.folder, FolderItem::Message(id));
        Ret::ok(RetData::Created(id))
    }

    /// `IMsgStore::Advise` with no entry ID and fnevNewMail: a store-wide new-mail sink.
    pub(super) fn advise_new_mail(&mut self) -> Ret {
        let sink = self.next_sink;
        self.next_sink += 1;
        self.session.new_mail_sinks.push(sink);
        Ret::ok(RetData::Sink(sink))
    }

    /// PR_STORE_SUPPORT_MASK: STORE_SUBMIT_OK exactly when the store supports sending (CAP-03).
    pub(super) fn support_mask(&self) -> Ret {
        let submit = self.choices.submission && !self.broken(Mutant::Cap03NoSubmitOk);
        let mask = STORE_MODIFY_OK | STORE_CREATE_OK | if submit { STORE_SUBMIT_OK } else { 0 };
        Ret::ok(RetData::SupportMask(mask))
    }

    /// `IMsgStore::StoreLogoff`: the flags are kept for shutdown; a later call replaces them.
    pub(super) fn store_logoff(&mut self, flags: u32) -> Ret {
        self.session.logoff_flags = Some(flags);
        Ret::hr(Hresult::S_OK)
    }

    /// The store shuts down and starts again.
    pub(super) fn restart(&mut self, support: &mut dyn Support) -> Ret {
        self.shut_down(support);
        self.start();
        Ret::hr(Hresult::S_OK)
    }

    /// Shutdown: tell MAPI, forget what was never saved, end the session.
    fn shut_down(&mut self, support: &mut dyn Support) {
        // Exactly once, with the saved StoreLogoff flags, or LOGOFF_ABORT without them (PERSIST-04).
        if !self.plays_mapi() && !self.broken(Mutant::Persist04NoLogoffTransports) {
            let flags = self.session.logoff_flags.unwrap_or(logoff::ABORT);
            support.call(SupportCall::StoreLogoffTransports { flags });
        }
        let unsaved: Vec<MsgId> = self
            .messages
            .iter()
            .filter(|(_, m)| !m.saved)
            .map(|(&id, _)| id)
            .collect();
        if !self.broken(Mutant::Persist07UnsavedKept) {
            for id in unsaved {
                self.delete_message(id, support);
            }
        }
        // The session's READYTOSEND, sinks and logoff flags go with it, and so do all client objects.
        self.session = Session::default();
        for m in self.messages.values_mut() {
            m.submitter_dead = true;
        }
    }

    /// Start: the saved messages and the queue are still there (PERSIST-03). The spooler's locks
    /// belong to its session; they survive only if the store declared persistent locks
    /// (PERSIST-01, S115; AMB-28).
    fn start(&mut self) {
        // The spooler starts over too: what it had begun on a message is begun again.
        self.mapi.preprocessed.clear();
        self.mapi.held.clear();
        if self.broken(Mutant::Persist03QueueLost) {
            self.queue.clear();
        }
        let keep_locks = self.choices.lock_after_restart == LockAfterRestart::Kept
            && !self.broken(Mutant::Persist01LockDropped);
        if !keep_locks && !self.broken(Mutant::Persist01LockKept) {
            for id in std::mem::take(&mut self.locks) {
                self.message_mut(id)
                    .set_submit_flags(submitflag::LOCKED, false);
            }
        }
    }
}
