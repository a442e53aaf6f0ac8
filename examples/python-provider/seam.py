"""What crosses the seam between the store and the harness, in the store's own terms: the declared
choices, the operations' arguments, the return value, the support object (MAPI's side, scripted by
the harness) and the observation. wire.py converts these to and from the contract's messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from mapi import (
    HR,
    AddrType,
    Completion,
    DeleteMeans,
    DispositionBy,
    EntryKind,
    Folder,
    LockAfterRestart,
    PrepareSubmitPolicy,
    Profile,
    RecipType,
    SentMailMode,
    failed,
)


@dataclass
class TightCoupling:
    handles: List[AddrType]  # the address types the coupled transport handles (AMB-02)
    completion: Completion  # what the store does once it handled every recipient (TC-03)


@dataclass
class Choices:
    """The declared choices. The defaults are spoolcheck's."""

    profile: Profile = Profile.PROVIDER
    submission: bool = True
    prepare_submit: PrepareSubmitPolicy = PrepareSubmitPolicy.ALWAYS
    enforce_spooler_only: bool = True
    lock_after_restart: LockAfterRestart = LockAfterRestart.EITHER
    tight_coupling: Optional[TightCoupling] = None
    disposition_by: DispositionBy = DispositionBy.STORE
    delete_means: DeleteMeans = DeleteMeans.HARD_DELETE
    sentmail: SentMailMode = SentMailMode.MOVE

    def tc_handles(self, addr: AddrType) -> bool:
        return self.tight_coupling is not None and addr in self.tight_coupling.handles


@dataclass(frozen=True)
class EntryRef:
    """PR_ENTRYID: its kind and, for an address-book person or list, its number (from 1)."""

    kind: EntryKind
    id: int = 0


@dataclass(frozen=True)
class RecipientRow:
    """One recipient row's properties, as a client or MAPI writes them (PR_RESPONSIBILITY is kept
    beside them)."""

    kind: RecipType  # PR_RECIPIENT_TYPE
    addr: AddrType  # PR_ADDRTYPE
    name: str  # PR_DISPLAY_NAME
    email: str  # PR_EMAIL_ADDRESS (empty for a list)
    entry: EntryRef  # PR_ENTRYID


@dataclass(frozen=True)
class BookEntry:
    """One entry of the harness's address book: a person, or a personal distribution list with its
    members in order."""

    entry: EntryRef
    name: str  # the original display name
    addr: AddrType
    email: str
    members: Tuple[EntryRef, ...] = ()


@dataclass
class NewMessage:
    folder: Folder
    recipients: List[RecipientRow]
    sentmail: Optional[Folder] = None
    delete_after_submit: bool = False
    unsent: bool = False
    resend: bool = False
    saved: bool = False


@dataclass
class SubmitScript:
    """What MAPI answers while the store runs one SubmitMessage. In profile "provider", when
    ExpandRecips succeeds and `expanded` is given, MAPI has rewritten the message's recipient table
    to it. In profile "system" the store's own ExpandRecips looks the rows' entries up in `book`."""

    now: int = 0
    prepare: int = HR.S_OK
    expand: int = HR.S_OK
    expand_flags: int = 0
    expanded: Optional[List[RecipientRow]] = None
    book: List[BookEntry] = field(default_factory=list)


@dataclass
class SpoolerScript:
    """What the harness's preprocessors and transports answer during one RunSpooler (profile
    "system"): this preprocessor (a registration number) is still running, this transport has a
    temporary problem."""

    busy_preprocessor: Optional[int] = None
    waiting_transport: Optional[AddrType] = None


@dataclass
class Ret:
    """A return value: the HRESULT and, on success, one piece of data: ("created", n),
    ("opened", AccessLevel), ("queue", [QueueRow]), ("sink", n) or ("support_mask", mask)."""

    hr: int
    data: Optional[Tuple[str, Any]] = None

    @classmethod
    def ok(cls, kind: str, value: Any) -> "Ret":
        return cls(HR.S_OK, (kind, value))


@dataclass
class QueueRow:
    msg: int
    submit_flags: Optional[int]
    message_flags: Optional[int]
    client_submit_time: Optional[int]


@dataclass
class SupportCall:
    """One call on MAPI's side of the seam: its kind (the contract's name: "spooler_notify",
    "prepare_submit", "expand_recips", "complete_msg", "do_sent_mail", "store_logoff_transports",
    "preprocess", "transport_send", "remove_preprocess_info"), its arguments, and the answer used."""

    kind: str
    args: Dict[str, Any]
    answer_hr: int = HR.S_OK
    answer_flags: int = 0


@dataclass
class Notification:
    """("queue_table", {"event": TableEvent, "msg": n}) or ("new_mail", {"sink": n, "msg": n})."""

    kind: str
    args: Dict[str, Any]


class ScriptedSupport:
    """MAPI's support object for one operation, with the harness's preprocessors and transports,
    answering by the contract's rule: PrepareSubmit answers script.prepare; ExpandRecips answers
    script.expand and, when that succeeds, the flags script.expand_flags; the spooler script's busy
    preprocessor answers MAPI_E_BUSY and its waiting transport MAPI_E_WAIT; every other call
    answers S_OK with no flags. Records every call and notification in order."""

    def __init__(self, script: Optional[SubmitScript] = None,
                 spooler: Optional[SpoolerScript] = None) -> None:
        self.script = script
        self.spooler = spooler if spooler is not None else SpoolerScript()
        self.calls: List[SupportCall] = []
        self.notifications: List[Notification] = []

    def call(self, kind: str, **args: Any) -> Tuple[int, int]:
        hr, flags = self._answer(kind, args)
        self.calls.append(SupportCall(kind, args, hr, flags))
        return hr, flags

    def _answer(self, kind: str, args: Dict[str, Any]) -> Tuple[int, int]:
        s = self.script
        if s is not None and kind == "prepare_submit":
            return s.prepare, 0
        if s is not None and kind == "expand_recips":
            return s.expand, 0 if failed(s.expand) else s.expand_flags
        if kind == "preprocess" and args["preprocessor"] == self.spooler.busy_preprocessor:
            return HR.MAPI_E_BUSY, 0
        if kind == "transport_send" and args["transport"] == self.spooler.waiting_transport:
            return HR.MAPI_E_WAIT, 0
        return HR.S_OK, 0

    def notify(self, kind: str, **args: Any) -> None:
        self.notifications.append(Notification(kind, args))


@dataclass
class MessageView:
    msg: int
    message_flags: int
    submit_flags: int
    client_submit_time: Optional[int]
    recipients: List[RecipientRow]
    responsibility: List[Optional[bool]]


@dataclass
class Observation:
    messages: List[MessageView] = field(default_factory=list)
    folders: Dict[Folder, List[int]] = field(default_factory=dict)
    queue: List[int] = field(default_factory=list)
