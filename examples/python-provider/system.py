"""Profile "system": the store is also MAPI's support object and the spooler. The harness plays the
transports, which register preprocessors (for their address type, by their MAPIUID, or for all
messages), go up and down, and record what they are asked to do (S139-S143). In profile "provider"
the harness is the spooler and these calls change nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, List, Optional, Union

from mapi import HR, NEEDS_PREPROCESSING, NEEDS_SPOOLER, AddrType, PreprocessorScope, Role
from seam import Ret, SubmitScript


def transport_uid(transport: AddrType) -> bytes:
    """The MAPIUID (16 bytes) of the transport of an address type. Each address type has its own
    transport, and the spooler gives a recipient to the transport of its address type, so this is
    also the MAPIUID a recipient is routed by."""
    return b"spoolcheck-xp-\0" + bytes([int(transport)])


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

    def mapi_expand_recips(self, m) -> int:
        """MAPI's ExpandRecips, as the store plays it: preprocessing is needed when a registered
        preprocessor is for the message (it also sets PR_PREPROCESS), so always once one is
        registered for all messages; the spooler is needed when the coupled transport cannot
        handle every recipient (PRE-08, AMB-37)."""
        needs_preprocessing = any(p.wants(r.addr_type for r in m.recipients)
                                  for p in self.mapi.preprocessors)
        coupled = self.choices.tight_coupling is not None
        needs_spooler = coupled and any(not self.choices.tc_handles(r.addr_type)
                                        for r in m.recipients)
        m.props.preprocess = needs_preprocessing
        return ((NEEDS_PREPROCESSING if needs_preprocessing else 0)
                | (NEEDS_SPOOLER if needs_spooler else 0))

    def run_spooler(self, support) -> Ret:
        """The spooler serves one message completely, if one can be served."""
        if self.plays_mapi():
            msg = self._next_to_serve()
            if msg is not None:
                self._serve(msg, support)
        return Ret(HR.S_OK)

    def _next_to_serve(self) -> Optional[int]:
        """Messages handed over by CompleteMsg first, in hand-over order, then the queue oldest
        first (SPL-02), passing over a message whose remaining recipients wait on a transport that
        is down."""
        for msg in list(self.mapi.handed_over) + list(self.queue.rows):
            if self._transports_up_for(msg):
                return msg
        return None

    def _transports_up_for(self, msg: int) -> bool:
        waiting = [r for r in self.messages[msg].recipients if r.responsibility is not True]
        return all(r.addr_type not in self.mapi.transports_down for r in waiting)

    def _serve(self, msg: int, support) -> None:
        """Lock (SPL-19); run the matching preprocessors in registration order and re-submit
        (PRE-02, PRE-08); send to the recipients still FALSE (SPL-20, TC-06); RemovePreprocessInfo
        when PR_PREPROCESS is set (SPL-10); FinishedMsg (SPL-21)."""
        if not self.is_locked(msg):
            self.lock(msg)
        preprocessors = self._matching_preprocessors(msg)
        if self.messages[msg].awaits_preprocessing():
            for number in preprocessors:
                support.call("preprocess", preprocessor=number, msg=msg,
                             locked=self.is_locked(msg))
            # The spooler's SubmitMessage: preprocessing is done, the store routes the message.
            self.submit_message(Role.SPOOLER, msg, 0, SubmitScript(), support)
        self._send_to_transports(msg, support)
        if self.messages[msg].props.preprocess:
            for number in preprocessors:
                support.call("remove_preprocess_info", preprocessor=number, msg=msg)
        # FinishedMsg once, after the send (SPL-21), handed-over messages too (TC-06).
        self.finish_message(msg, support)

    def _matching_preprocessors(self, msg: int) -> List[int]:
        """Every preprocessor that is for the message, in registration order: one registered for
        an address type or a MAPIUID when a recipient not yet handled goes that way, one registered
        for all messages always (PRE-08, AMB-37)."""
        recipients = self.messages[msg].recipients
        waiting = [r.addr_type for r in recipients if r.responsibility is not True]
        return [p.number for p in self.mapi.preprocessors if p.wants(waiting)]

    def _send_to_transports(self, msg: int, support) -> None:
        """Each transport gets its own recipients that no one has handled yet, then they are
        handled."""
        for transport in AddrType:
            recipients = self.messages[msg].recipients
            rows = [i for i, r in enumerate(recipients)
                    if r.addr_type == transport and r.responsibility is not True]
            if not rows:
                continue
            support.call("transport_send", transport=transport, msg=msg, recipients=rows,
                         locked=self.is_locked(msg))
            for r in recipients:
                if r.addr_type == transport:
                    r.responsibility = True
