"""What clients do to submitted messages: AbortSubmit, OpenEntry, writes, SetReadFlag,
DeleteMessages and EmptyFolder. Every check asks two questions: does the spooler hold the message
(the lock table), and is it submitted (MSGFLAG_SUBMIT)?"""

from __future__ import annotations

from mapi import (
    HR,
    MSGFLAG_READ,
    MSGFLAG_SUBMIT,
    SUBMITFLAG_PREPROCESS,
    Access,
    AccessLevel,
    Folder,
    Handle,
    OpenPath,
    Role,
)
from seam import Ret


class ClientMixin:
    def abort_submit(self, caller: Role, msg: int, support) -> Ret:
        """IMsgStore::AbortSubmit with the entry ID read before submission (ABORT-01..07; AMB-16).
        Clients may call it (ABORT-01)."""
        m = self.resolve_entry_id(msg)
        if m is None:
            return Ret(self.unknown_entry_id(msg))  # ABORT-03
        if self.is_locked(msg):
            return Ret(HR.MAPI_E_UNABLE_TO_ABORT)  # ABORT-04
        if m.handed_to_spooler:
            # Handed over by CompleteMsg: past cancelling (ABORT-05, AMB-21).
            return Ret(HR.MAPI_E_UNABLE_TO_ABORT)
        if msg not in self.queue:
            return Ret(HR.MAPI_E_NOT_IN_QUEUE)  # ABORT-03: never submitted, or already sent
        self.dequeue(msg, support)  # ABORT-02, with a notification (OQ-05)
        self._clear_abort_flags(msg)
        return Ret(HR.S_OK)

    def _clear_abort_flags(self, msg: int) -> None:
        """After an abort the message is a draft again: MSGFLAG_SUBMIT and SUBMITFLAG_PREPROCESS are
        cleared, MSGFLAG_UNSENT stays (ABORT-07, AMB-13)."""
        self.mapi.forget(msg)
        m = self.messages[msg]
        m.set_submit_flags(SUBMITFLAG_PREPROCESS, False)
        m.handed_to_spooler = False
        m.set_message_flags(MSGFLAG_SUBMIT, False)

    def open_entry(self, caller: Role, msg: int, access: Access, path: OpenPath) -> Ret:
        """IMsgStore::OpenEntry and IMAPIFolder::OpenEntry on a message: the access the caller
        gets (ACCESS-01..05, ACCESS-10..12; AMB-14). A folder opens its messages through the
        store, so the path does not change the answer (ACCESS-10)."""
        m = self.resolve_entry_id(msg)
        if m is None:
            return Ret(self.unknown_entry_id(msg))
        requested = AccessLevel.READ_ONLY if access == Access.DEFAULT else AccessLevel.MODIFY
        if caller == Role.SPOOLER:
            # The spooler's store object is not bound by the client rules (ACCESS-05, CAP-06).
            return Ret.ok("opened", requested)
        if self.is_locked(msg):
            # While the spooler holds a message no client opens it, whatever the flags
            # (ACCESS-01), and the error is MAPI_E_NO_ACCESS (ACCESS-11).
            return Ret(HR.MAPI_E_NO_ACCESS)
        if not m.is_submitted():
            return Ret.ok("opened", requested)  # an ordinary message (ACCESS-12)
        # Queued or handed over, not locked: read-only.
        if access == Access.MODIFY:
            return Ret(HR.MAPI_E_SUBMITTED)  # ACCESS-02
        return Ret.ok("opened", AccessLevel.READ_ONLY)  # ACCESS-03, ACCESS-04

    def write_message(self, caller: Role, msg: int, via: Handle) -> Ret:
        """A property write and SaveChanges through a client object (SUBMIT-14, ACCESS-09), or
        through the spooler's (ACCESS-05)."""
        m = self.messages.get(msg)
        if m is None:
            return Ret(self.unknown_entry_id(msg))
        if caller == Role.CLIENT:
            if via == Handle.SUBMITTER:
                # The object the client created and submitted: read/write until SubmitMessage
                # killed it (SUBMIT-14).
                writable = not m.submitter_dead
            else:
                writable = self._reopened_is_writable(msg)
            if not writable:
                return Ret(HR.MAPI_E_NO_ACCESS)
        m.saved = True
        return Ret(HR.S_OK)

    def _reopened_is_writable(self, msg: int) -> bool:
        """An object opened afresh with MAPI_BEST_ACCESS writes: not while the spooler holds the
        message (ACCESS-01), and not once it is submitted, when it opens read-only (ACCESS-03,
        ACCESS-09)."""
        if self.is_locked(msg):
            return False
        return not self.messages[msg].is_submitted()

    def set_read_flag(self, caller: Role, msg: int) -> Ret:
        """IMessage::SetReadFlag: a submitted message's read flag does not change (ACCESS-07,
        AMB-31)."""
        m = self.messages.get(msg)
        if m is None:
            return Ret(self.unknown_entry_id(msg))
        if m.is_submitted():
            return Ret(HR.MAPI_E_NO_ACCESS)
        m.set_message_flags(MSGFLAG_READ, True)
        return Ret(HR.S_OK)

    def delete_messages(self, caller: Role, msg: int, support) -> Ret:
        """IMAPIFolder::DeleteMessages on one message: a submitted message stays (ACCESS-06,
        AMB-31)."""
        m = self.messages.get(msg)
        if m is None:
            return Ret(HR.MAPI_E_NOT_FOUND)
        if m.is_submitted():
            return Ret(HR.MAPI_W_PARTIAL_COMPLETION)
        self.delete_message(msg, support)
        return Ret(HR.S_OK)

    def empty_folder(self, caller: Role, folder: Folder, support) -> Ret:
        """IMAPIFolder::EmptyFolder: submitted messages stay and are not aborted (ACCESS-08)."""
        kept = False
        for item in self.folders.items(folder):
            if item.sent_copy:
                self.folders.remove_item(folder, item)
            elif self.messages[item.msg].is_submitted():
                kept = True
            else:
                self.delete_message(item.msg, support)
        return Ret(HR.MAPI_W_PARTIAL_COMPLETION if kept else HR.S_OK)
