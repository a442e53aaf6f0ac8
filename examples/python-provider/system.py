"""Profile "system": the store is also MAPI's support object and the spooler. The harness plays the
transports, which register preprocessors (for their address type, by their MAPIUID, or for all
messages), go up and down, answer what they are asked to do (S139-S143), and may keep the spooler
waiting: a preprocessor still running answers MAPI_E_BUSY, a transport with a temporary problem
MAPI_E_WAIT. The store also plays MAPI's ExpandRecips against the address book a submission's
script carries (EXP-04..08). In profile "provider" the harness is the spooler and these calls
change nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, List, Optional, Sequence, Union

from mapi import (
    HR,
    NEEDS_PREPROCESSING,
    NEEDS_SPOOLER,
    TRANSPORTS,
    AddrType,
    EntryKind,
    PreprocessorScope,
    Role,
)
from seam import BookEntry, EntryRef, RecipientRow, Ret, SubmitScript
from tables import RecipientEntry


def transport_uid(transport: AddrType) -> bytes:
    """The MAPIUID (16 bytes) of the transport of an address type. Each address type has its own
    transport, and the spooler gives a recipient to the transport of its address type, so this is
    also the MAPIUID a recipient is routed by."""
    return b"spoolcheck-xp-\0" + bytes([int(transport)])


def _lookup(book: Sequence[BookEntry], entry: EntryRef) -> Optional[BookEntry]:
    """The address-book entry an entry ID names, if the book has it."""
    return next((b for b in book if b.entry == entry), None)


def _same_recipient(a: RecipientRow, b: RecipientRow) -> bool:
    """Two rows name the same recipient: the same recipient type, address type and address, the
    address compared without regard to case (AMB-38); only ASCII letters have a case here, as in
    the harness's comparison. The same person in To and in Cc is two recipients."""
    return (a.kind == b.kind and a.addr == b.addr
            and _ascii_lower(a.email) == _ascii_lower(b.email))


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _ascii_lower(text: str) -> str:
    return text.translate(_ASCII_LOWER)


def expand_table(rows: Iterable[RecipientRow], book: Sequence[BookEntry]) -> List[RecipientRow]:
    """The table MAPI's ExpandRecips leaves: each personal distribution list the book has replaced,
    in its place, by its members with the list row's recipient type, lists within lists too
    (EXP-04); people the book has under its display names (EXP-05); typed addresses resolved to
    one-off entry IDs (EXP-06); then every row naming the same recipient as an earlier row removed,
    the first one staying (EXP-07)."""
    kept: List[RecipientRow] = []
    for row in rows:
        for out in _expand_row(row, book, []):
            if not any(_same_recipient(k, out) for k in kept):
                kept.append(out)
    return kept


def _expand_row(row: RecipientRow, book: Sequence[BookEntry], open_lists: List[EntryRef]):
    """One row, or for a list its members, in order; `open_lists` holds the lists being expanded,
    so a list met again inside itself stays a row. A member the book lacks is left out; a list the
    book lacks stays as it is."""
    found = _lookup(book, row.entry)
    kind = row.entry.kind
    if (kind == EntryKind.LIST and found is not None and row.addr == AddrType.MAPIPDL
            and row.entry not in open_lists):
        open_lists.append(row.entry)
        for member in found.members:
            b = _lookup(book, member)
            if b is not None:
                yield from _expand_row(RecipientRow(row.kind, b.addr, b.name, b.email, b.entry),
                                       book, open_lists)
        open_lists.pop()
    elif kind == EntryKind.PERSON and found is not None:
        yield replace(row, name=found.name)
    elif kind == EntryKind.UNRESOLVED:
        yield replace(row, entry=EntryRef(EntryKind.ONE_OFF))
    else:
        yield row


@dataclass(frozen=True)
class Everything:
    """A registration with a NULL MAPIUID and a NULL address type: every message (AMB-37)."""


# What a preprocessor was registered for: RegisterPreprocessor's `lpszAdrType` (an AddrType:
# recipients of that address type), its `lpMuid` (16 bytes: recipients routed to the transport with
# that MAPIUID), or neither (Everything).
Filter = Union[AddrType, bytes, Everything]


@dataclass(frozen=True)
class Registration:
    """One row of MAPI's preprocessor table (PRE-08, S142)."""

    number: int  # the registration number: the spooler calls preprocessors in this order (PRE-02)
    transport: AddrType  # the transport that registered it
    filter: Filter  # the messages it is for

    def wants(self, recipients: Iterable[AddrType]) -> bool:
        """True if the preprocessor is for a message with recipients of these address types."""
        if isinstance(self.filter, Everything):
            return True
        if isinstance(self.filter, bytes):
            return any(transport_uid(a) == self.filter for a in recipients)
        return any(a == self.filter for a in recipients)


class SystemMixin:
    def register_preprocessor(self, addr: AddrType, scope: PreprocessorScope) -> Ret:
        """A transport registers a preprocessor for its address type, by its MAPIUID, or, giving
        neither, for all messages (PRE-08, S142)."""
        number = len(self.mapi.preprocessors) + 1
        if scope == PreprocessorScope.ADDRESS_TYPE:
            filter_: Filter = addr
        elif scope == PreprocessorScope.MAPIUID:
            filter_ = transport_uid(addr)
        else:
            filter_ = Everything()
        self.mapi.preprocessors.append(Registration(number, addr, filter_))
        return Ret(HR.S_OK)

    def set_transport_available(self, addr: AddrType, available: bool) -> Ret:
        """A transport becomes unavailable or available again."""
        if available:
            self.mapi.transports_down.discard(addr)
        else:
            self.mapi.transports_down.add(addr)
        return Ret(HR.S_OK)

    def mapi_expand_recips(self, m, book: Sequence[BookEntry]) -> int:
        """MAPI's ExpandRecips, as the store plays it: the recipient table is expanded against the
        address book (EXP-04..08), every row still to be handled (PR_RESPONSIBILITY FALSE); then,
        on the expanded table, preprocessing is needed when a registered preprocessor is for the
        message (it also sets PR_PREPROCESS), so always once one is registered for all messages;
        the spooler is needed when the coupled transport cannot handle every recipient (PRE-08,
        AMB-37)."""
        rows = expand_table((r.props for r in m.recipients), book)
        m.recipients = [RecipientEntry(row, responsibility=False) for row in rows]
        needs_preprocessing = any(p.wants(row.addr for row in rows)
                                  for p in self.mapi.preprocessors)
        coupled = self.choices.tight_coupling is not None
        needs_spooler = coupled and any(not self.choices.tc_handles(row.addr) for row in rows)
        m.props.preprocess = needs_preprocessing
        return ((NEEDS_PREPROCESSING if needs_preprocessing else 0)
                | (NEEDS_SPOOLER if needs_spooler else 0))

    def run_spooler(self, support) -> Ret:
        """The spooler serves one message as far as the preprocessors and transports let it, if
        one can be served."""
        if self.plays_mapi():
            msg = self._next_to_serve()
            if msg is not None:
                self._serve(msg, support)
        return Ret(HR.S_OK)

    def _next_to_serve(self) -> Optional[int]:
        """Messages handed over by CompleteMsg first, in hand-over order, then the queue oldest
        first (SPL-02), passing over a message whose remaining recipients wait on a transport that
        is down. A message the spooler stopped working on is still one of these."""
        for msg in list(self.mapi.handed_over) + list(self.queue.rows):
            if self._transports_up_for(msg):
                return msg
        return None

    def _transports_up_for(self, msg: int) -> bool:
        waiting = [r for r in self.messages[msg].recipients if r.responsibility is not True]
        return all(r.props.addr not in self.mapi.transports_down for r in waiting)

    def _serve(self, msg: int, support) -> None:
        """Lock (SPL-19); run the preprocessors still due and re-submit (PRE-02, PRE-08); send to
        the recipients still FALSE (SPL-20, TC-06); RemovePreprocessInfo for every preprocessor
        that ran (SPL-10); FinishedMsg (SPL-21). A busy preprocessor or a waiting transport stops
        the run there: the message stays locked and queued (or handed over), and the spooler takes
        it up at that point when it next serves it (SPL-06, AMB-34). The spooler acts on what the
        preprocessors and transports answer."""
        if not self.is_locked(msg):
            self.lock(msg)
        if self.messages[msg].awaits_preprocessing():
            if not self._preprocess(msg, support):
                return
            # The spooler's SubmitMessage: preprocessing is done, the store routes the message.
            self.submit_message(Role.SPOOLER, msg, 0, SubmitScript(), support)
        if not self._send_to_transports(msg, support):
            return
        for number in self.mapi.preprocessed.pop(msg, []):
            support.call("remove_preprocess_info", preprocessor=number, msg=msg)
        # FinishedMsg once, after the send (SPL-21), handed-over messages too (TC-06).
        self.finish_message(msg, support)

    def _preprocess(self, msg: int, support) -> bool:
        """Runs the preprocessors still due, in registration order (PRE-02), remembering each that
        returns. False when one answers MAPI_E_BUSY: it is still running, so the spooler stops
        work on the message, holding it locked (SPL-06), and calls it again next time."""
        ran = self.mapi.preprocessed.setdefault(msg, [])
        for number in self._matching_preprocessors(msg):
            if number in ran:
                continue
            hr, _ = support.call("preprocess", preprocessor=number, msg=msg,
                                 locked=self.is_locked(msg))
            if hr == HR.MAPI_E_BUSY:
                return False
            ran.append(number)
        return True

    def _matching_preprocessors(self, msg: int) -> List[int]:
        """Every preprocessor that is for the message, in registration order: one registered for
        an address type or a MAPIUID when a recipient not yet handled goes that way, one registered
        for all messages always (PRE-08, AMB-37)."""
        recipients = self.messages[msg].recipients
        waiting = [r.props.addr for r in recipients if r.responsibility is not True]
        return [p.number for p in self.mapi.preprocessors if p.wants(waiting)]

    def _send_to_transports(self, msg: int, support) -> bool:
        """Each transport gets its own recipients that no one has handled yet, then they are
        handled. False when a transport answers MAPI_E_WAIT: it took none of them, and the
        transports after it wait for the next run too, which sends to the rows still not
        handled."""
        for transport in TRANSPORTS:
            recipients = self.messages[msg].recipients
            rows = [i for i, r in enumerate(recipients)
                    if r.props.addr == transport and r.responsibility is not True]
            if not rows:
                continue
            hr, _ = support.call("transport_send", transport=transport, msg=msg, recipients=rows,
                                 locked=self.is_locked(msg))
            if hr == HR.MAPI_E_WAIT:
                return False
            for r in recipients:
                if r.props.addr == transport:
                    r.responsibility = True
        return True
