//! The store's own bookkeeping, shared by the MAPI methods: queue rows and their notifications,
//! the lock table, the end of a submission, sent-mail disposition and deletion.

use super::tables::FolderItem;
use super::ReferenceStore;
use crate::mutant::Mutant;
use crate::seam::Support;
use spoolcheck_model::choices::{DeleteMeans, SentMailMode};
use spoolcheck_model::mapi::{msgflag, submitflag, Hresult, TableEvent};
use spoolcheck_model::{Folder, MsgId, Notification, Profile};

impl ReferenceStore {
    /// Profile `system`: the store is also MAPI's support object and the spooler, so its calls to
    /// them and the queue table's notifications stay inside.
    pub(super) fn plays_mapi(&self) -> bool {
        self.choices.profile == Profile::System
    }

    /// Raises fnevTableModified on the outgoing queue table for one row (OQ-05, AMB-25).
    pub(super) fn queue_notification(
        &self,
        support: &mut dyn Support,
        event: TableEvent,
        id: MsgId,
    ) {
        if !self.plays_mapi() {
            support.notify(Notification::QueueTable {
                table_event: event,
                msg: Some(id),
            });
        }
    }

    /// A message joins the outgoing queue as its newest row, and the spooler is told (OQ-05, S137).
    pub(super) fn enqueue(&mut self, id: MsgId, support: &mut dyn Support) {
        // Appending keeps the rows in the order of the SubmitMessage calls (SUBMIT-12).
        if self.broken(Mutant::Submit12Lifo) {
            self.queue.push_front(id);
        } else {
            self.queue.append(id);
        }
        if self.broken(Mutant::Flag05StrayBit) {
            self.message_mut(id).set_submit_flags(0x4, true);
        }
        if self.broken(Mutant::Flag16LockedAtQueueTime) {
            self.message_mut(id)
                .set_submit_flags(submitflag::LOCKED, true);
        }
        if !self.broken(Mutant::Oq05NoRowAdded) {
            self.queue_notification(support, TableEvent::RowAdded, id);
        }
    }

    /// A message leaves the outgoing queue, if it was there, and the spooler is told (OQ-05).
    pub(super) fn dequeue(&mut self, id: MsgId, support: &mut dyn Support) {
        if self.queue.remove(id) {
            self.queue_notification(support, TableEvent::RowDeleted, id);
        }
    }

    /// A queued row's PR_SUBMIT_FLAGS changed (OQ-11).
    pub(super) fn row_modified(&self, id: MsgId, support: &mut dyn Support) {
        if self.queue.contains(id) {
            self.queue_notification(support, TableEvent::RowModified, id);
        }
    }

    /// True while the spooler holds the message.
    pub(super) fn is_locked(&self, id: MsgId) -> bool {
        self.locks.contains(&id)
    }

    /// The spooler takes the message: the lock table, and SUBMITFLAG_LOCKED ORed into
    /// PR_SUBMIT_FLAGS so clients and the queue table see it (SPL-06, FLAG-06, AMB-03).
    pub(super) fn lock(&mut self, id: MsgId) {
        self.locks.insert(id);
        if !self.broken(Mutant::Spl06NoLockedFlag) {
            self.message_mut(id)
                .set_submit_flags(submitflag::LOCKED, true);
        }
    }

    /// The lock is released (SPL-07, SPL-12).
    pub(super) fn unlock(&mut self, id: MsgId) {
        self.locks.remove(&id);
        if let Some(m) = self.messages.get_mut(&id) {
            m.set_submit_flags(submitflag::LOCKED, false);
        }
    }

    /// Sending is over: MSGFLAG_SUBMIT and MSGFLAG_UNSENT are cleared, as is SUBMITFLAG_PREPROCESS,
    /// and the spooler no longer owns the message (SPL-12, TC-04; AMB-13, AMB-22).
    pub(super) fn clear_submission(&mut self, id: MsgId) {
        self.mapi.forget(id);
        let m = self.message_mut(id);
        m.set_message_flags(msgflag::SUBMIT | msgflag::UNSENT, false);
        m.set_submit_flags(submitflag::PREPROCESS, false);
        m.handed_to_spooler = false;
    }

    /// The sent-mail disposition (SPL-13, TC-04; AMB-17, AMB-35): to the PR_SENTMAIL_ENTRYID folder,
    /// moved or copied, then deleted if PR_DELETE_AFTER_SUBMIT asks for it (a copy stays).
    pub(super) fn dispose(
        &mut self,
        id: MsgId,
        mode: SentMailMode,
        sentmail: Option<Folder>,
        delete: bool,
        support: &mut dyn Support,
    ) {
        if let Some(target) = sentmail {
            match mode {
                SentMailMode::Move => self.folders.move_message(id, target),
                SentMailMode::Copy => self
                    .folders
                    .add(target, FolderItem::SentCopy { original: id }),
            }
        }
        if delete {
            self.delete_after_submit(id, support);
        }
    }

    /// PR_DELETE_AFTER_SUBMIT: the message is deleted, as the store declared deleting to mean
    /// (AMB-35).
    pub(super) fn delete_after_submit(&mut self, id: MsgId, support: &mut dyn Support) {
        match self.choices.delete_means {
            DeleteMeans::HardDelete => self.delete_message(id, support),
            DeleteMeans::MoveToDeletedItems => self.folders.move_message(id, Folder::DeletedItems),
        }
    }

    /// PR_SENTMAIL_ENTRYID and PR_DELETE_AFTER_SUBMIT of a message.
    pub(super) fn disposition_props(&self, id: MsgId) -> (Option<Folder>, bool) {
        let props = &self.messages[&id].props;
        (props.sentmail_entryid, props.delete_after_submit)
    }

    /// Removes a message from the message table, its folder, the queue and the lock table.
    pub(super) fn delete_message(&mut self, id: MsgId, support: &mut dyn Support) {
        self.dequeue(id, support);
        self.messages.remove(&id);
        self.folders.remove_message(id);
        self.locks.remove(&id);
    }

    /// The message named by an entry ID read before submission. The store never changes a
    /// message's entry ID, so the old one keeps working while the message is queued (SUBMIT-16).
    pub(super) fn resolve_entry_id(&self, id: MsgId) -> Option<&super::tables::StoredMessage> {
        if self.broken(Mutant::Submit16EntryIdChanges) && self.queue.contains(id) {
            return None;
        }
        self.messages.get(&id)
    }

    /// The answer to an entry ID that names no message (ABORT-03, ACCESS-12; AMB-16): the call fails
    /// and changes nothing. MAPI_E_NOT_FOUND when the store gave the ID out and the message has
    /// since been deleted; MAPI_E_INVALID_ENTRYID when the store never gave it out (it starts
    /// counting at 1, so MsgId(0) never names a message), or no longer accepts it.
    pub(super) fn unknown_entry_id(&self, id: MsgId) -> Hresult {
        let given_out = id.0 != 0 && id.0 < self.next_entry_id;
        if given_out && !self.messages.contains_key(&id) {
            Hresult::MAPI_E_NOT_FOUND
        } else {
            Hresult::MAPI_E_INVALID_ENTRYID
        }
    }

    /// A live message, for code that has already checked it exists.
    pub(super) fn message_mut(&mut self, id: MsgId) -> &mut super::tables::StoredMessage {
        self.messages
            .get_mut(&id)
            .expect("the caller checked that the message exists")
    }
}
