"""The in-memory message store that supports sending.

It keeps its own tables and follows the rules of spoolcheck's catalog (cited by ID, e.g.
SUBMIT-09). The MAPI methods live in mixins by area, as in spoolcheck's Rust reference provider:

* submit.py  -- IMessage::SubmitMessage, from a client and from the spooler after preprocessing
* client.py  -- AbortSubmit, OpenEntry, writes, SetReadFlag, DeleteMessages, EmptyFolder
* spooler.py -- the spooler-only IMsgStore methods: SetLockState, GetOutgoingQueue, FinishedMsg,
                NotifyNewMail, and the spooler's writes
* system.py  -- profile "system": MAPI's ExpandRecips and the spooler

This file holds the tables, the session (CreateMessage, Advise, StoreLogoff, PR_STORE_SUPPORT_MASK,
shutdown and start) and the bookkeeping the methods share: queue rows and their notifications, the
lock table, the end of a submission, sent-mail disposition and deletion.

Where the rules allow several outcomes the store always takes the same one: a lock is dropped at
restart when the declared choice is "either"; FinishedMsg leaves MSGFLAG_READ alone; the spooler's
FinishedMsg on a message it has not locked is refused; AbortSubmit of a message handed over by
CompleteMsg answers MAPI_E_UNABLE_TO_ABORT; an entry ID that names no message answers
MAPI_E_NOT_FOUND if the message was deleted and MAPI_E_INVALID_ENTRYID if the store never gave it
out (AMB-16); local completion moves or copies to PR_SENTMAIL_ENTRYID as the sent-mail choice says
(AMB-17); SubmitMessage refuses flag bits other than FORCE_SUBMIT with MAPI_E_UNKNOWN_FLAGS before
changing anything (AMB-10).
"""

from __future__ import annotations

from typing import Dict, Optional, Set

from client import ClientMixin
from mapi import (
    HR,
    LOGOFF_ABORT,
    MSGFLAG_SUBMIT,
    MSGFLAG_UNSENT,
    OBSERVED_MESSAGE_FLAGS,
    STORE_CREATE_OK,
    STORE_MODIFY_OK,
    STORE_SUBMIT_OK,
    SUBMITFLAG_LOCKED,
    SUBMITFLAG_PREPROCESS,
    DeleteMeans,
    Folder,
    LockAfterRestart,
    Profile,
    SentMailMode,
    TableEvent,
)
from seam import Choices, MessageView, NewMessage, Observation, Ret
from spooler import SpoolerMixin
from submit import SubmitMixin
from system import SystemMixin
from tables import FolderItem, FolderTable, MapiSide, OutgoingQueue, Session, StoredMessage


class MessageStore(SubmitMixin, ClientMixin, SpoolerMixin, SystemMixin):
    """One store. Entry IDs are the harness's message numbers: 1, 2, 3 ... in creation order."""

    def __init__(self, choices: Optional[Choices] = None) -> None:
        self.choices = choices if choices is not None else Choices()
        self.messages: Dict[int, StoredMessage] = {}  # the message table, by entry ID
        self.folders = FolderTable()
        self.queue = OutgoingQueue()
        self.locks: Set[int] = set()  # the lock table: the messages the spooler holds
        self.session = Session()
        self.next_entry_id = 1
        # The connection number the next Advise hands out (it keeps counting across sessions).
        self.next_sink = 1
        self.mapi = MapiSide()  # profile "system"

    def reset(self, choices: Choices) -> None:
        """Empties the store and starts over with these declared choices."""
        self.__init__(choices)

    # -- Creating messages, the store's properties, the session ---------------------------------

    def create_message(self, new: NewMessage) -> Ret:
        """CreateMessage, SetProps, ModifyRecipients and, if the client wants, SaveChanges."""
        msg = self.next_entry_id
        self.next_entry_id += 1
        self.messages[msg] = StoredMessage.create(new)
        self.folders.add(new.folder, FolderItem(msg))
        return Ret.ok("created", msg)

    def advise_new_mail(self) -> Ret:
        """IMsgStore::Advise with no entry ID and fnevNewMail: a store-wide new-mail sink."""
        sink = self.next_sink
        self.next_sink += 1
        self.session.new_mail_sinks.append(sink)
        return Ret.ok("sink", sink)

    def support_mask(self) -> Ret:
        """PR_STORE_SUPPORT_MASK: STORE_SUBMIT_OK exactly when the store supports sending (CAP-03)."""
        mask = STORE_MODIFY_OK | STORE_CREATE_OK
        if self.choices.submission:
            mask |= STORE_SUBMIT_OK
        return Ret.ok("support_mask", mask)

    def store_logoff(self, flags: int) -> Ret:
        """IMsgStore::StoreLogoff: the flags are kept for shutdown; a later call replaces them."""
        self.session.logoff_flags = flags
        return Ret(HR.S_OK)

    def restart(self, support) -> Ret:
        """The store shuts down and starts again."""
        self._shut_down(support)
        self._start()
        return Ret(HR.S_OK)

    def _shut_down(self, support) -> None:
        # Exactly once, with the saved StoreLogoff flags, or LOGOFF_ABORT without them (PERSIST-04).
        if not self.plays_mapi():
            flags = self.session.logoff_flags
            support.call("store_logoff_transports", flags=LOGOFF_ABORT if flags is None else flags)
        # What was never saved is lost.
        for msg in sorted(m for m, stored in self.messages.items() if not stored.saved):
            self.delete_message(msg, support)
        # The session's READYTOSEND, sinks and logoff flags go with it, and so do all client objects.
        self.session = Session()
        for stored in self.messages.values():
            stored.submitter_dead = True

    def _start(self) -> None:
        # Profile "system": the spooler starts over too, so preprocessing a message begins again.
        self.mapi.preprocessed.clear()
        # The saved messages and the queue are still there (PERSIST-03). The spooler's locks belong
        # to its session; they survive only if the store declared persistent locks (PERSIST-01,
        # AMB-28); "either" drops them.
        if self.choices.lock_after_restart != LockAfterRestart.KEPT:
            for msg in sorted(self.locks):
                self.messages[msg].set_submit_flags(SUBMITFLAG_LOCKED, False)
            self.locks.clear()

    # -- Observation ----------------------------------------------------------------------------

    def observe(self) -> Observation:
        """The store as it is, without MAPI's access rules."""
        views = [
            MessageView(
                msg=msg,
                message_flags=m.props.message_flags & OBSERVED_MESSAGE_FLAGS,
                submit_flags=m.props.submit_flags,
                client_submit_time=m.props.client_submit_time,
                recipients=[r.props for r in m.recipients],
                responsibility=[r.responsibility for r in m.recipients],
            )
            for msg, m in sorted(self.messages.items())
        ]
        folders = {f: sorted(i.subject for i in self.folders.items(f)) for f in Folder}
        return Observation(messages=views, folders=folders, queue=list(self.queue.rows))

    # -- Shared bookkeeping ---------------------------------------------------------------------

    def plays_mapi(self) -> bool:
        """Profile "system": the store is also MAPI's support object and the spooler, so its calls
        to them and the queue table's notifications stay inside."""
        return self.choices.profile == Profile.SYSTEM

    def queue_notification(self, support, event: TableEvent, msg: int) -> None:
        """fnevTableModified on the outgoing queue table for one row (OQ-05, AMB-25)."""
        if not self.plays_mapi():
            support.notify("queue_table", event=event, msg=msg)

    def enqueue(self, msg: int, support) -> None:
        """The message joins the queue as its newest row, and the spooler is told (OQ-05).
        Appending keeps the rows in the order of the SubmitMessage calls (SUBMIT-12)."""
        self.queue.append(msg)
        self.queue_notification(support, TableEvent.ROW_ADDED, msg)

    def dequeue(self, msg: int, support) -> None:
        """The message leaves the queue, if it was there, and the spooler is told (OQ-05)."""
        if self.queue.remove(msg):
            self.queue_notification(support, TableEvent.ROW_DELETED, msg)

    def row_modified(self, msg: int, support) -> None:
        """A queued row's PR_SUBMIT_FLAGS changed (OQ-11)."""
        if msg in self.queue:
            self.queue_notification(support, TableEvent.ROW_MODIFIED, msg)

    def is_locked(self, msg: int) -> bool:
        return msg in self.locks

    def lock(self, msg: int) -> None:
        """The spooler takes the message: the lock table, and SUBMITFLAG_LOCKED ORed into
        PR_SUBMIT_FLAGS so clients and the queue table see it (SPL-06, FLAG-06, AMB-03)."""
        self.locks.add(msg)
        self.messages[msg].set_submit_flags(SUBMITFLAG_LOCKED, True)

    def unlock(self, msg: int) -> None:
        """The lock is released (SPL-07, SPL-12)."""
        self.locks.discard(msg)
        if msg in self.messages:
            self.messages[msg].set_submit_flags(SUBMITFLAG_LOCKED, False)

    def clear_submission(self, msg: int) -> None:
        """Sending is over: MSGFLAG_SUBMIT, MSGFLAG_UNSENT and SUBMITFLAG_PREPROCESS are cleared, and
        the spooler no longer owns the message (SPL-12, TC-04; AMB-13, AMB-22)."""
        self.mapi.forget(msg)
        m = self.messages[msg]
        m.set_message_flags(MSGFLAG_SUBMIT | MSGFLAG_UNSENT, False)
        m.set_submit_flags(SUBMITFLAG_PREPROCESS, False)
        m.handed_to_spooler = False

    def dispose(self, msg: int, mode: SentMailMode, sentmail: Optional[Folder], delete: bool,
                support) -> None:
        """Sent-mail disposition (SPL-13, TC-04; AMB-17, AMB-35): to the PR_SENTMAIL_ENTRYID folder,
        moved or copied, then deleted if PR_DELETE_AFTER_SUBMIT asks for it (a copy stays)."""
        if sentmail is not None:
            if mode == SentMailMode.MOVE:
                self.folders.move_message(msg, sentmail)
            else:
                self.folders.add(sentmail, FolderItem(msg, sent_copy=True))
        if delete:
            self.delete_after_submit(msg, support)

    def delete_after_submit(self, msg: int, support) -> None:
        """PR_DELETE_AFTER_SUBMIT: deleted as the store declared deleting to mean (AMB-35)."""
        if self.choices.delete_means == DeleteMeans.HARD_DELETE:
            self.delete_message(msg, support)
        else:
            self.folders.move_message(msg, Folder.DELETED_ITEMS)

    def disposition_props(self, msg: int):
        """PR_SENTMAIL_ENTRYID and PR_DELETE_AFTER_SUBMIT of a message."""
        props = self.messages[msg].props
        return props.sentmail_entryid, props.delete_after_submit

    def delete_message(self, msg: int, support) -> None:
        """Removes a message from the message table, its folder, the queue and the lock table."""
        self.dequeue(msg, support)
        self.messages.pop(msg, None)
        self.folders.remove_message(msg)
        self.locks.discard(msg)

    def resolve_entry_id(self, msg: int) -> Optional[StoredMessage]:
        """The message named by an entry ID read before submission. The store never changes a
        message's entry ID, so the old one keeps working while the message is queued (SUBMIT-16)."""
        return self.messages.get(msg)

    def unknown_entry_id(self, msg: int) -> int:
        """The answer to an entry ID that names no message (ABORT-03, ACCESS-12; AMB-16): the call
        fails and changes nothing. MAPI_E_NOT_FOUND when the store gave the ID out and the message
        has since been deleted; MAPI_E_INVALID_ENTRYID when it never gave it out (it counts from 1,
        so 0 never names a message)."""
        given_out = msg != 0 and msg < self.next_entry_id
        if given_out and msg not in self.messages:
            return HR.MAPI_E_NOT_FOUND
        return HR.MAPI_E_INVALID_ENTRYID
