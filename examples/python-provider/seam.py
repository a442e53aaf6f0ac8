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
    Folder,
    LockAfterRestart,
    PrepareSubmitPolicy,
    Profile,
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


@dataclass
class NewMessage:
    folder: Folder
    recipients: List[AddrType]
    sentmail: Optional[Folder] = None
    delete_after_submit: bool = False
    unsent: bool = False
    resend: bool = False
    saved: bool = False


@dataclass
class SubmitScript:
    """What MAPI answers while the store runs one SubmitMessage."""

    now: int = 0
    prepare: int = HR.S_OK
    expand: int = HR.S_OK
    expand_flags: int = 0


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
    """MAPI's support object for one operation, answering by the contract's rule: PrepareSubmit
    answers script.prepare; ExpandRecips answers script.expand and, when that succeeds, the flags
    script.expand_flags; every other call answers S_OK with no flags. Records every call and
    notification in order."""

    def __init__(self, script: Optional[SubmitScript] = None) -> None:
        self.script = script
        self.calls: List[SupportCall] = []
        self.notifications: List[Notification] = []

    def call(self, kind: str, **args: Any) -> Tuple[int, int]:
        hr, flags = HR.S_OK, 0
        s = self.script
        if s is not None and kind == "prepare_submit":
            hr = s.prepare
        elif s is not None and kind == "expand_recips":
            hr = s.expand
            flags = 0 if failed(s.expand) else s.expand_flags
        self.calls.append(SupportCall(kind, args, hr, flags))
        return hr, flags

    def notify(self, kind: str, **args: Any) -> None:
        self.notifications.append(Notification(kind, args))


@dataclass
class MessageView:
    msg: int
    message_flags: int
    submit_flags: int
    client_submit_time: Optional[int]
    responsibility: List[Optional[bool]]


@dataclass
class Observation:
    messages: List[MessageView] = field(default_factory=list)
    folders: Dict[Folder, List[int]] = field(default_factory=dict)
    queue: List[int] = field(default_factory=list)
