//! The `IMsgStore` methods only the spooler calls (S111): SetLockState, GetOutgoingQueue,
//! FinishedMsg and NotifyNewMail, and the spooler's (a transport's) writes to a locked message.
//! A store that supports sending implements all four for the spooler (CAP-02; S108-S111).

use super::ReferenceStore;
use crate::mutant::Mutant;
use crate::seam::Support;
use spoolcheck_model::choices::DispositionBy;
use spoolcheck_model::mapi::Hresult;
use spoolcheck_model::observe::OBSERVED_MESSAGE_FLAGS;
use spoolcheck_model::{
    Folder, Handle, MsgId, Notification, QueueRow, Ret, RetData, Role, SupportCall,
};

impl ReferenceStore {
    /// A client calls a spooler-only method and the store enforces the restriction (AMB-19).
    fn refuses_client(&self, caller: Role) -> bool {
        caller == Role::Client && self.choices.enforce_spooler_only
    }

    /// `IMsgStore::SetLockState` (SPL-03..07; AMB-20).
    pub(super) fn set_lock_state(
        &mut self,
        caller: Role,
        id: MsgId,
        lock: bool,
        support: &mut dyn Support,
    ) -> Ret {
        if self.refuses_client(caller) && !self.broken(Mutant::Spl04ClientMayLock) {
            return Ret::hr(Hresult::MAPI_E_NO_SUPPORT); // SPL-04 (S111, S112)
        }
        let Some(m) = self.messages.get(&id) else {
            return Ret::hr(self.unknown_entry_id(id));
        };
        if !self.queue.contains(id) && !m.handed_to_spooler {
            return Ret::hr(Hresult::MAPI_E_NOT_IN_QUEUE); // nothing the spooler could be sending
        }
        if lock == self.is_locked(id) {
            return Ret::hr(Hresult::S_OK); // locking twice or unlocking twice changes nothing
        }
        if lock {
            let oldest = self.queue.oldest() == Some(id);
            if self.broken(Mutant::Spl03OnlyHead) && self.queue.contains(id) && !oldest {
                return Ret::hr(Hresult::MAPI_E_CALL_FAILED);
            }
            // Any queued message can be locked, not only the oldest (SPL-03, S140).
            self.lock(id); // SPL-06 (S113, S120)
        } else {
            if self.broken(Mutant::Spl07UnlockIgnored) {
                return Ret::hr(Hresult::S_OK);
            }
            self.unlock(id); // SPL-07: queued and unlocked again
        }
        if !self.broken(Mutant::Oq11NoRowModified) {
            self.row_modified(id, support); // OQ-11: PR_SUBMIT_FLAGS is a column
        }
        Ret::hr(Hresult::S_OK)
    }

    /// `IMsgStore::GetOutgoingQueue`: one row per queued message, oldest submission first, with the
    /// required columns (OQ-01, OQ-02, OQ-03; S109, S111).
    pub(super) fn get_outgoing_queue(&self, caller: Role) -> Ret {
        if self.refuses_client(caller)
            || (caller == Role::Spooler && self.broken(Mutant::Cap02QueueRefused))
        {
            return Ret::hr(Hresult::MAPI_E_NO_SUPPORT);
        }
        let mut rows: Vec<QueueRow> = self
            .queue
            .rows()
            .iter()
            .filter(|&&id| !(self.broken(Mutant::Oq01LockedHidden) && self.is_locked(id)))
            .map(|&id| self.queue_row(id))
            .collect();
        if self.broken(Mutant::Oq03NewestFirst) {
            rows.reverse();
        }
        Ret::ok(RetData::Queue(rows))
    }

    /// The columns of one queue row.
    fn queue_row(&self, id: MsgId) -> QueueRow {
        let props = &self.messages[&id].props;
        let time = if self.broken(Mutant::Oq02NoTimeColumn) {
            None
        } else {
            props.client_submit_time
        };
        QueueRow {
            msg: id,
            submit_flags: Some(props.submit_flags),
            message_flags: Some(props.message_flags & OBSERVED_MESSAGE_FLAGS),
            client_submit_time: time,
        }
    }

    /// The spooler, for a transport, sets PR_RESPONSIBILITY TRUE on one recipient and saves. The
    /// spooler may write to the messages it sends (ACCESS-05), and the store keeps what it writes
    /// (SPL-08). A client's write is an ordinary write.
    pub(super) fn mark_responsibility(&mut self, caller: Role, id: MsgId, row: u8) -> Ret {
        if caller == Role::Client {
            return self.write_message(caller, id, Handle::Reopened);
        }
        let locked = self.is_locked(id);
        let lost = locked && self.broken(Mutant::Spl08WriteLost);
        let Some(m) = self.messages.get_mut(&id) else {
            return Ret::hr(self.unknown_entry_id(id));
        };
        let Some(recipient) = m.recipients.get_mut(usize::from(row)) else {
            return Ret::hr(Hresult::MAPI_E_INVALID_PARAMETER);
        };
        if !lost {
            recipient.responsibility = Some(true);
            m.saved = true;
        }
        Ret::hr(Hresult::S_OK)
    }

    /// `IMsgStore::FinishedMsg` (SPL-11..16; AMB-17, AMB-18).
    pub(super) fn finished_msg(
        &mut self,
        caller: Role,
        id: MsgId,
        support: &mut dyn Support,
    ) -> Ret {
        if caller == Role::Client && !self.broken(Mutant::Spl11ClientFinishes) {
            return Ret::hr(Hresult::MAPI_E_NO_SUPPORT); // SPL-11: documented, whatever the enforcement
        }
        let Some(m) = self.resolve_entry_id(id) else {
            return Ret::hr(self.unknown_entry_id(id));
        };
        if !m.is_submitted() {
            return Ret::hr(Hresult::MAPI_E_NOT_IN_QUEUE);
        }
        if !self.is_locked(id) || m.awaits_preprocessing() {
            // The spooler only finishes messages it has locked and preprocessed (AMB-18).
            return Ret::hr(Hresult::MAPI_E_CALL_FAILED);
        }
        self.finish_message(id, support);
        Ret::hr(Hresult::S_OK)
    }

    /// The work of FinishedMsg: unlock (SPL-12), end the submission, leave the queue (SPL-16),
    /// the sent-mail disposition (SPL-13), then DoSentMail once (SPL-14).
    pub(super) fn finish_message(&mut self, id: MsgId, support: &mut dyn Support) {
        let (mut sentmail, mut delete) = self.disposition_props(id);
        if !self.broken(Mutant::Spl12LockKept) {
            self.unlock(id);
        }
        if !self.broken(Mutant::Flag15FlagsKept) {
            self.clear_submission(id);
        }
        if !self.broken(Mutant::Spl16StaysQueued) {
            self.dequeue(id, support);
        }
        if self.broken(Mutant::Spl13NoMove) {
            sentmail = None;
        }
        if self.broken(Mutant::Spl13DeleteIgnored) {
            delete = false;
        }
        if self.choices.disposition_by == DispositionBy::Store {
            self.dispose(id, self.choices.sentmail, sentmail, delete, support);
        }
        self.do_sent_mail(id, sentmail, delete, support);
        if self.broken(Mutant::Spl14DosentmailTwice) {
            self.do_sent_mail(id, sentmail, delete, support);
        }
    }

    /// `IMAPISupport::DoSentMail(0, message)`. In profile `system` the store is MAPI: its DoSentMail
    /// does the disposition when the declared choice leaves it to DoSentMail.
    fn do_sent_mail(
        &mut self,
        id: MsgId,
        sentmail: Option<Folder>,
        delete: bool,
        support: &mut dyn Support,
    ) {
        if !self.plays_mapi() {
            support.call(SupportCall::DoSentMail { msg: id, flags: 0 });
        } else if self.choices.disposition_by == DispositionBy::DoSentMail
            && self.messages.contains_key(&id)
        {
            self.dispose(id, self.choices.sentmail, sentmail, delete, support);
        }
    }

    /// `IMsgStore::NotifyNewMail`: one fnevNewMail to each store-wide sink (NNM-01, NNM-02).
    pub(super) fn notify_new_mail(
        &mut self,
        caller: Role,
        id: MsgId,
        support: &mut dyn Support,
    ) -> Ret {
        if self.refuses_client(caller) && !self.broken(Mutant::Nnm01ClientNotifies) {
            return Ret::hr(Hresult::MAPI_E_NO_SUPPORT);
        }
        let times = if self.broken(Mutant::Nnm02Twice) {
            2
        } else {
            1
        };
        for &sink in &self.session.new_mail_sinks {
            for _ in 0..times {
                support.notify(Notification::NewMail { sink, msg: id });
            }
        }
        Ret::hr(Hresult::S_OK)
    }
}
