"""Profile "system": the store is also MAPI's support object and the spooler. The harness plays the
transports, which register preprocessors, go up and down, and record what they are asked to do. In
profile "provider" the harness is the spooler and these calls change nothing."""

from __future__ import annotations

from typing import List, Optional

from mapi import HR, NEEDS_PREPROCESSING, NEEDS_SPOOLER, AddrType, Role
from seam import Ret, SubmitScript


class SystemMixin:
    def register_preprocessor(self, addr: AddrType) -> Ret:
        """A transport registers a preprocessor for its address type (PRE-08)."""
        number = len(self.mapi.preprocessors) + 1
        self.mapi.preprocessors.append((number, addr))
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
        preprocessor's transport has a recipient (it also sets PR_PREPROCESS), and the spooler is
        needed when the coupled transport cannot handle every recipient."""
        registered = {addr for _, addr in self.mapi.preprocessors}
        needs_preprocessing = any(r.addr_type in registered for r in m.recipients)
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
        """Every preprocessor whose transport has a recipient of the message, in registration
        order."""
        addrs = {r.addr_type for r in self.messages[msg].recipients}
        return [number for number, addr in self.mapi.preprocessors if addr in addrs]

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
