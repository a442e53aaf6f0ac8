"""The IMsgStore methods only the spooler calls: SetLockState, GetOutgoingQueue, FinishedMsg and
NotifyNewMail, and the spooler's (a transport's) writes to a locked message. A store that supports
sending implements all four for the spooler (CAP-02)."""

from __future__ import annotations

from typing import Optional

from mapi import HR, OBSERVED_MESSAGE_FLAGS, DispositionBy, Folder, Handle, Role
from seam import QueueRow, Ret


class SpoolerMixin:
    def _refuses_client(self, caller: Role) -> bool:
        """A client calls a spooler-only method and the store enforces the restriction (AMB-19)."""
        return caller == Role.CLIENT and self.choices.enforce_spooler_only

    def set_lock_state(self, caller: Role, msg: int, lock: bool, support) -> Ret:
        """IMsgStore::SetLockState (SPL-03..07; AMB-20)."""
        if self._refuses_client(caller):
            return Ret(HR.MAPI_E_NO_SUPPORT)  # SPL-04
        m = self.messages.get(msg)
        if m is None:
            return Ret(self.unknown_entry_id(msg))
        if msg not in self.queue and not m.handed_to_spooler:
            return Ret(HR.MAPI_E_NOT_IN_QUEUE)  # nothing the spooler could be sending
        if lock == self.is_locked(msg):
            return Ret(HR.S_OK)  # locking twice or unlocking twice changes nothing
        if lock:
            # Any queued message can be locked, not only the oldest (SPL-03).
            self.lock(msg)  # SPL-06
        else:
            self.unlock(msg)  # SPL-07: queued and unlocked again
        self.row_modified(msg, support)  # OQ-11: PR_SUBMIT_FLAGS is a column
        return Ret(HR.S_OK)

    def get_outgoing_queue(self, caller: Role) -> Ret:
        """IMsgStore::GetOutgoingQueue: one row per queued message, oldest submission first, with
        the required columns (OQ-01, OQ-02, OQ-03)."""
        if self._refuses_client(caller):
            return Ret(HR.MAPI_E_NO_SUPPORT)
        rows = []
        for msg in self.queue.rows:
            props = self.messages[msg].props
            rows.append(QueueRow(
                msg=msg,
                submit_flags=props.submit_flags,
                message_flags=props.message_flags & OBSERVED_MESSAGE_FLAGS,
                client_submit_time=props.client_submit_time,
            ))
        return Ret.ok("queue", rows)

    def mark_responsibility(self, caller: Role, msg: int, row: int) -> Ret:
        """The spooler, for a transport, sets PR_RESPONSIBILITY TRUE on one recipient and saves.
        The spooler may write to the messages it sends (ACCESS-05), and the store keeps what it
        writes (SPL-08). A client's write is an ordinary write."""
        if caller == Role.CLIENT:
            return self.write_message(caller, msg, Handle.REOPENED)
        m = self.messages.get(msg)
        if m is None:
            return Ret(self.unknown_entry_id(msg))
        if row >= len(m.recipients):
            return Ret(HR.MAPI_E_INVALID_PARAMETER)
        m.recipients[row].responsibility = True
        m.saved = True
        return Ret(HR.S_OK)

    def finished_msg(self, caller: Role, msg: int, support) -> Ret:
        """IMsgStore::FinishedMsg (SPL-11..16; AMB-17, AMB-18)."""
        if caller == Role.CLIENT:
            return Ret(HR.MAPI_E_NO_SUPPORT)  # SPL-11: documented, whatever the enforcement
        m = self.resolve_entry_id(msg)
        if m is None:
            return Ret(self.unknown_entry_id(msg))
        if not m.is_submitted():
            return Ret(HR.MAPI_E_NOT_IN_QUEUE)
        if not self.is_locked(msg) or m.awaits_preprocessing():
            # The spooler only finishes messages it has locked and preprocessed (AMB-18).
            return Ret(HR.MAPI_E_CALL_FAILED)
        self.finish_message(msg, support)
        return Ret(HR.S_OK)

    def finish_message(self, msg: int, support) -> None:
        """The work of FinishedMsg: unlock (SPL-12), end the submission, leave the queue (SPL-16),
        the sent-mail disposition (SPL-13), then DoSentMail once (SPL-14). MSGFLAG_READ is left
        alone."""
        sentmail, delete = self.disposition_props(msg)
        self.unlock(msg)
        self.clear_submission(msg)
        self.dequeue(msg, support)
        if self.choices.disposition_by == DispositionBy.STORE:
            self.dispose(msg, self.choices.sentmail, sentmail, delete, support)
        self._do_sent_mail(msg, sentmail, delete, support)

    def _do_sent_mail(self, msg: int, sentmail: Optional[Folder], delete: bool, support) -> None:
        """IMAPISupport::DoSentMail(0, message). In profile "system" the store is MAPI: its
        DoSentMail does the disposition when the declared choice leaves it to DoSentMail."""
        if not self.plays_mapi():
            support.call("do_sent_mail", msg=msg, flags=0)
        elif self.choices.disposition_by == DispositionBy.DO_SENT_MAIL and msg in self.messages:
            self.dispose(msg, self.choices.sentmail, sentmail, delete, support)

    def notify_new_mail(self, caller: Role, msg: int, support) -> Ret:
        """IMsgStore::NotifyNewMail: one fnevNewMail to each store-wide sink (NNM-01, NNM-02)."""
        if self._refuses_client(caller):
            return Ret(HR.MAPI_E_NO_SUPPORT)
        for sink in self.session.new_mail_sinks:
            support.notify("new_mail", sink=sink, msg=msg)
        return Ret(HR.S_OK)
