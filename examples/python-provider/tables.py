"""The store's data: the message table (a property bag and a recipient table per message), the
folder table and the outgoing queue table."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, List, Optional

from mapi import (
    MSGFLAG_RESEND,
    MSGFLAG_SUBMIT,
    MSGFLAG_UNSENT,
    SUBMITFLAG_PREPROCESS,
    Folder,
)
from seam import RecipientRow

if TYPE_CHECKING:
    from system import Registration


@dataclass
class RecipientEntry:
    """One row of a message's recipient table."""

    # PR_RECIPIENT_TYPE, PR_ADDRTYPE, PR_DISPLAY_NAME, PR_EMAIL_ADDRESS, PR_ENTRYID.
    props: RecipientRow
    # PR_RESPONSIBILITY; None until the column is given a value (SUBMIT-06 gives it one).
    responsibility: Optional[bool] = None


@dataclass
class PropertyBag:
    """The properties the store keeps for a message, under their MAPI names."""

    message_flags: int = 0  # PR_MESSAGE_FLAGS
    # PR_SUBMIT_FLAGS: SUBMITFLAG_LOCKED mirrors the lock table, SUBMITFLAG_PREPROCESS marks a
    # message queued for preprocessing (FLAG-05, FLAG-06).
    submit_flags: int = 0
    client_submit_time: Optional[int] = None  # PR_CLIENT_SUBMIT_TIME (a FILETIME)
    sentmail_entryid: Optional[Folder] = None  # PR_SENTMAIL_ENTRYID
    delete_after_submit: bool = False  # PR_DELETE_AFTER_SUBMIT
    # PR_PREPROCESS: reserved for MAPI; only the code that plays MAPI (profile "system") touches it.
    preprocess: bool = False


@dataclass
class StoredMessage:
    """One row of the message table."""

    props: PropertyBag
    recipients: List[RecipientEntry]  # in row order
    # A committed copy exists: the message survives a restart (SUBMIT-01).
    saved: bool = False
    # ExpandRecips answered NEEDS_SPOOLER at the client's submission; routing after
    # preprocessing needs the answer again.
    needs_spooler: bool = False
    # CompleteMsg handed the message to the spooler; it is no longer a queue row (AMB-21).
    handed_to_spooler: bool = False
    # The client's object that SubmitMessage was called on is dead (SUBMIT-14).
    submitter_dead: bool = False

    @classmethod
    def create(cls, new) -> "StoredMessage":
        """A message as the client creates it: CreateMessage, SetProps, ModifyRecipients."""
        flags = 0
        if new.unsent:
            flags |= MSGFLAG_UNSENT
        if new.resend:
            flags |= MSGFLAG_RESEND
        return cls(
            props=PropertyBag(
                message_flags=flags,
                sentmail_entryid=new.sentmail,
                delete_after_submit=new.delete_after_submit,
            ),
            recipients=[RecipientEntry(row) for row in new.recipients],
            saved=new.saved,
        )

    def clone(self) -> "StoredMessage":
        return copy.deepcopy(self)

    def is_submitted(self) -> bool:
        """MSGFLAG_SUBMIT: submitted, and sending has not finished or been aborted."""
        return self.props.message_flags & MSGFLAG_SUBMIT != 0

    def awaits_preprocessing(self) -> bool:
        """SUBMITFLAG_PREPROCESS: queued and waiting for preprocessing."""
        return self.props.submit_flags & SUBMITFLAG_PREPROCESS != 0

    def set_message_flags(self, bits: int, on: bool) -> None:
        if on:
            self.props.message_flags |= bits
        else:
            self.props.message_flags &= ~bits

    def set_submit_flags(self, bits: int, on: bool) -> None:
        if on:
            self.props.submit_flags |= bits
        else:
            self.props.submit_flags &= ~bits


@dataclass(frozen=True)
class FolderItem:
    """An item of a folder's contents table: a message, or a copy made by sent-mail processing.
    Copies are not tracked further; their subject is their original's entry ID."""

    msg: int
    sent_copy: bool = False

    @property
    def subject(self) -> int:
        return self.msg


class FolderTable:
    """Every folder's contents, in the order items arrived."""

    def __init__(self) -> None:
        self.contents: Dict[Folder, List[FolderItem]] = {}

    def add(self, folder: Folder, item: FolderItem) -> None:
        self.contents.setdefault(folder, []).append(item)

    def remove_message(self, msg: int) -> None:
        """Takes a message out of whatever folder holds it (its copies stay)."""
        target = FolderItem(msg)
        for folder, items in self.contents.items():
            self.contents[folder] = [i for i in items if i != target]

    def move_message(self, msg: int, to: Folder) -> None:
        self.remove_message(msg)
        self.add(to, FolderItem(msg))

    def items(self, folder: Folder) -> List[FolderItem]:
        """A snapshot of a folder's items."""
        return list(self.contents.get(folder, []))

    def remove_item(self, folder: Folder, item: FolderItem) -> None:
        items = self.contents.get(folder)
        if items and item in items:
            items.remove(item)


class OutgoingQueue:
    """The outgoing queue table. Rows are kept in the order of the SubmitMessage calls (SUBMIT-12);
    since each submission is stamped with the harness's clock, that is also ascending
    PR_CLIENT_SUBMIT_TIME, the table's default sort order (OQ-03)."""

    def __init__(self) -> None:
        self.rows: List[int] = []

    def append(self, msg: int) -> None:
        self.rows.append(msg)

    def remove(self, msg: int) -> bool:
        """Removes a row; returns whether there was one."""
        if msg in self.rows:
            self.rows = [r for r in self.rows if r != msg]
            return True
        return False

    def __contains__(self, msg: int) -> bool:
        return msg in self.rows

    def oldest(self) -> Optional[int]:
        return self.rows[0] if self.rows else None


@dataclass
class Session:
    """What one session of the store remembers; a restart starts a new one."""

    ready_to_send: bool = False  # SpoolerNotify(NOTIFY_READYTOSEND) was sent (CAP-09)
    new_mail_sinks: List[int] = field(default_factory=list)  # store-wide fnevNewMail sinks (NNM-02)
    # The flags of the last StoreLogoff, for StoreLogoffTransports at shutdown (PERSIST-04).
    logoff_flags: Optional[int] = None


@dataclass
class MapiSide:
    """Profile "system": what MAPI's spooler knows."""

    # The registered preprocessors (system.Registration), in registration order.
    preprocessors: List["Registration"] = field(default_factory=list)
    # Transports that are temporarily unavailable.
    transports_down: set = field(default_factory=set)
    # Messages handed over by CompleteMsg, in hand-over order: the spooler serves them first.
    handed_over: List[int] = field(default_factory=list)
    # The preprocessors that have run on each message being sent, in the order they ran: they get
    # RemovePreprocessInfo after the send, and a busy one and those after it are called again when
    # the spooler comes back to the message.
    preprocessed: Dict[int, List[int]] = field(default_factory=dict)

    def forget(self, msg: int) -> None:
        """The spooler is done with a message, or starts over with it."""
        self.handed_over = [h for h in self.handed_over if h != msg]
        self.preprocessed.pop(msg, None)
