"""IMessage::SubmitMessage: the client's submission with its routing phase, and the spooler's call
after preprocessing.

The client path, in order: refuse what cannot be submitted; SpoolerNotify once per session and
PrepareSubmit; MSGFLAG_SUBMIT, MSGFLAG_UNSENT, PR_RESPONSIBILITY and PR_CLIENT_SUBMIT_TIME on a
working copy; ExpandRecips, and the recipient table it leaves; save; then route on ExpandRecips'
answer: queue for preprocessing, queue for the spooler, hand over with CompleteMsg, or (tightly
coupled) complete locally.
"""

from __future__ import annotations

from typing import Optional

from mapi import (
    FORCE_SUBMIT,
    HR,
    MSGFLAG_RESEND,
    MSGFLAG_SUBMIT,
    MSGFLAG_UNSENT,
    NEEDS_PREPROCESSING,
    NEEDS_SPOOLER,
    NOTIFY_READYTOSEND,
    SUBMITFLAG_PREPROCESS,
    Completion,
    PrepareSubmitPolicy,
    Role,
    failed,
)
from seam import Ret, SubmitScript
from tables import RecipientEntry


class SubmitMixin:
    def submit_message(self, caller: Role, msg: int, flags: int, script: SubmitScript,
                       support) -> Ret:
        """IMessage::SubmitMessage on the caller's open message."""
        m = self.messages.get(msg)
        if m is None:
            return Ret(self.unknown_entry_id(msg))
        # From the spooler, on a submitted message, the call means preprocessing is done (PRE-03).
        # On a message never submitted it is a first submission, as a client's would be (AMB-36).
        if caller == Role.SPOOLER and m.is_submitted():
            return self._submit_after_preprocessing(msg, support)
        return self._client_submit(msg, flags, script, support)

    def _client_submit(self, msg: int, flags: int, script: SubmitScript, support) -> Ret:
        hr = self._refusal(msg, flags)
        if hr is not None:
            return Ret(hr)
        hr = self._prepare_submit(msg, support)
        if hr is not None:
            return Ret(hr)
        # The next steps are made on a working copy that is saved only when ExpandRecips succeeds:
        # a failed submission leaves the message as it was (SUBMIT-15, AMB-09).
        working = self.messages[msg].clone()
        self._mark_submitted(working, script.now)
        ok, result = self._expand_recips(msg, working, script, support)
        if not ok:
            return Ret(result)
        expand_flags = result
        # Submitting saves every pending change, even on a message never saved before (SUBMIT-01).
        working.saved = True
        # The client's object is dead now: only Release is allowed on it (SUBMIT-14, AMB-30).
        working.submitter_dead = True
        working.needs_spooler = expand_flags & NEEDS_SPOOLER != 0
        self.messages[msg] = working
        self.mapi.preprocessed.pop(msg, None)  # a new submission is preprocessed from the start
        if expand_flags & NEEDS_PREPROCESSING:
            self._queue_for_preprocessing(msg, support)
        else:
            self._route(msg, False, support)
        return Ret(HR.S_OK)

    def _refusal(self, msg: int, flags: int) -> Optional[int]:
        """Why the message cannot be submitted at all, before MAPI is called."""
        m = self.messages[msg]
        if not self.choices.submission:
            # A store that does not support sending says so (CAP-01, AMB-10).
            return HR.MAPI_E_NO_SUPPORT
        if self.is_locked(msg) or m.is_submitted():
            # A client cannot reach a locked message (ACCESS-01), and a submitted one only
            # read-only (FLAG-01), so it cannot submit it again (AMB-10).
            return HR.MAPI_E_NO_ACCESS
        if flags & ~FORCE_SUBMIT:
            # Bits with no meaning: refused before anything changes or MAPI is called (AMB-10).
            return HR.MAPI_E_UNKNOWN_FLAGS
        if not m.recipients:
            return HR.MAPI_E_NO_RECIPIENTS  # SUBMIT-02
        # FORCE_SUBMIT is accepted and means nothing (SUBMIT-03, AMB-33).
        return None

    def _prepare_submit(self, msg: int, support) -> Optional[int]:
        """SpoolerNotify(NOTIFY_READYTOSEND) once per session, then PrepareSubmit. Returns
        PrepareSubmit's error, which the store passes on unchanged (SUBMIT-04)."""
        if self.plays_mapi():
            return None  # MAPI's own PrepareSubmit: nothing crosses the seam.
        resend = self.messages[msg].props.message_flags & MSGFLAG_RESEND != 0
        if self.choices.prepare_submit == PrepareSubmitPolicy.RESEND_ONLY and not resend:
            return None  # Only MSGFLAG_RESEND messages need preparing (AMB-04).
        # Before the session's first PrepareSubmit, make sure the spooler runs (CAP-09).
        if not self.session.ready_to_send:
            self.session.ready_to_send = True
            support.call("spooler_notify", flags=NOTIFY_READYTOSEND)
        hr, _ = support.call("prepare_submit", msg=msg, flags=0)  # PREP-02: *lpulFlags = 0
        return hr if failed(hr) else None

    @staticmethod
    def _mark_submitted(m, now: int) -> None:
        m.set_message_flags(MSGFLAG_SUBMIT, True)  # FLAG-01
        m.set_message_flags(MSGFLAG_UNSENT, True)  # FLAG-02: set unless the client did
        for r in m.recipients:
            r.responsibility = False  # no transport has taken any recipient yet (SUBMIT-06)
        m.props.client_submit_time = now  # SUBMIT-07: the harness's clock

    def _expand_recips(self, msg: int, m, script: SubmitScript, support):
        """ExpandRecips (SUBMIT-08): (False, error) or (True, NEEDS_PREPROCESSING/NEEDS_SPOOLER).
        MAPI may rewrite the recipient table during the call (lists expanded, names restored,
        duplicates removed); the submission commits the table as MAPI leaves it (SUBMIT-01), no
        row handled by any transport yet."""
        if self.plays_mapi():
            return True, self.mapi_expand_recips(m, script.book)
        hr, flags = support.call("expand_recips", msg=msg)
        if failed(hr):
            return False, hr
        if script.expanded is not None:
            m.recipients = [RecipientEntry(row, responsibility=False) for row in script.expanded]
        return True, flags

    def _queue_for_preprocessing(self, msg: int, support) -> None:
        """The preprocess route (SUBMIT-09): queued with SUBMITFLAG_PREPROCESS (FLAG-06) and back
        to the client. Nothing is sent, even by a coupled transport."""
        self.messages[msg].set_submit_flags(SUBMITFLAG_PREPROCESS, True)
        self.enqueue(msg, support)

    def _submit_after_preprocessing(self, msg: int, support) -> Ret:
        """The spooler's SubmitMessage once the preprocessors have run (PRE-03): no second
        PrepareSubmit, ExpandRecips or submit time; SUBMITFLAG_PREPROCESS is cleared (FLAG-06) and
        the routing phase runs."""
        if not self.messages[msg].awaits_preprocessing():
            return Ret(HR.S_OK)  # nothing was waiting; nothing to do
        self.messages[msg].set_submit_flags(SUBMITFLAG_PREPROCESS, False)
        self.row_modified(msg, support)  # OQ-11
        self._route(msg, True, support)
        return Ret(HR.S_OK)

    def _route(self, msg: int, after_preprocessing: bool, support) -> None:
        """The routing phase, after ExpandRecips or after preprocessing."""
        tc = self.choices.tight_coupling
        if tc is None:
            # An uncoupled store leaves sending to the spooler (SUBMIT-10).
            self._wait_for_spooler(msg, after_preprocessing, support)
            return
        # AMB-01, reading (b): the coupled transport first takes what it can (TC-02); if someone is
        # left, or MAPI asked for the spooler, the spooler sends to the rest (TC-07).
        all_handled = self._take_coupled_recipients(msg, tc)
        if self.messages[msg].needs_spooler or not all_handled:
            self._wait_for_spooler(msg, after_preprocessing, support)
            return
        # Every recipient handled (TC-03). A preprocessed message must go back to the spooler
        # (PRE-05); otherwise the declared completion decides.
        if after_preprocessing or tc.completion == Completion.COMPLETE_MSG:
            self._complete_msg(msg, support)
        else:
            self._complete_locally(msg, support)

    def _take_coupled_recipients(self, msg: int, tc) -> bool:
        """The coupled transport takes the recipients it handles: PR_RESPONSIBILITY TRUE on exactly
        those (TC-02). Returns whether no recipient is left for anyone else (AMB-02)."""
        all_handled = True
        for r in self.messages[msg].recipients:
            if r.props.addr in tc.handles:
                r.responsibility = True
            elif r.responsibility is not True:
                all_handled = False
        return all_handled

    def _wait_for_spooler(self, msg: int, after_preprocessing: bool, support) -> None:
        """The spooler route: a new queue row or, after preprocessing, the row the message already
        has (PRE-04): it stays, still locked, now without SUBMITFLAG_PREPROCESS."""
        if not after_preprocessing:
            self.enqueue(msg, support)

    def _complete_msg(self, msg: int, support) -> None:
        """Hands the message to the spooler to finish (TC-03 (a), TC-05). It stops being a queue
        row (OQ-10, AMB-21) and keeps MSGFLAG_SUBMIT and any lock until FinishedMsg."""
        if not self.plays_mapi():
            support.call("complete_msg", msg=msg, flags=0)
        self.messages[msg].handed_to_spooler = True
        self.mapi.handed_over.append(msg)
        self.dequeue(msg, support)

    def _complete_locally(self, msg: int, support) -> None:
        """Local completion (TC-04): the sent-mail step to PR_SENTMAIL_ENTRYID (moved or copied as
        declared, AMB-17), then delete after submit, then unlock. The sent-mail step comes first,
        so under "copy" a copy survives the delete. The message never was a queue row (OQ-10)."""
        sentmail, delete = self.disposition_props(msg)
        self.clear_submission(msg)
        self.unlock(msg)
        self.dispose(msg, self.choices.sentmail, sentmail, delete, support)
