//! `IMessage::SubmitMessage`: the client's submission (S123-S138) with the routing phase
//! (S144-S170), and the spooler's call after preprocessing (S143).
//!
//! The client path, in order: refuse what cannot be submitted; SpoolerNotify once per session and
//! PrepareSubmit; MSGFLAG_SUBMIT, MSGFLAG_UNSENT, PR_RESPONSIBILITY and PR_CLIENT_SUBMIT_TIME on a
//! working copy; ExpandRecips; save; then route on ExpandRecips' answer: queue for preprocessing,
//! queue for the spooler, hand over with CompleteMsg, or (tightly coupled) complete locally.

use super::tables::{RecipientEntry, StoredMessage};
use super::ReferenceStore;
use crate::mutant::Mutant;
use crate::seam::Support;
use spoolcheck_model::choices::{Completion, PrepareSubmitPolicy, TightCoupling};
use spoolcheck_model::mapi::{
    expand, msgflag, submitflag, Hresult, FORCE_SUBMIT, NOTIFY_READYTOSEND,
};
use spoolcheck_model::{MsgId, Ret, Role, SubmitScript, SupportCall};

impl ReferenceStore {
    /// `IMessage::SubmitMessage` on the caller's open message.
    pub(super) fn submit_message(
        &mut self,
        caller: Role,
        id: MsgId,
        flags: u32,
        script: &SubmitScript,
        support: &mut dyn Support,
    ) -> Ret {
        let Some(m) = self.messages.get(&id) else {
            return Ret::hr(self.unknown_entry_id(id));
        };
        // From the spooler, on a submitted message, the call means preprocessing is done (PRE-03). On
        // a message never submitted it is a first submission, as a client's would be (AMB-36).
        if caller == Role::Spooler && m.is_submitted() {
            return self.submit_after_preprocessing(id, support);
        }
        let ret = self.client_submit(id, flags, script, support);
        let failed_on_draft = ret.hr.failed() && !self.messages[&id].is_submitted();
        if failed_on_draft && self.broken(Mutant::Submit15ObjectClosedOnFailure) {
            self.message_mut(id).submitter_dead = true;
        }
        ret
    }

    fn client_submit(
        &mut self,
        id: MsgId,
        flags: u32,
        script: &SubmitScript,
        support: &mut dyn Support,
    ) -> Ret {
        if let Some(hr) = self.refusal(id, flags) {
            return Ret::hr(hr);
        }
        if let Some(hr) = self.prepare_submit(id, support) {
            return Ret::hr(hr);
        }
        // Steps 2 to 4 (S127-S129) are made on a working copy that is saved only when ExpandRecips
        // succeeds: a failed submission leaves the message as it was (SUBMIT-15, AMB-09).
        let mut working = self.messages[&id].clone();
        self.mark_submitted(&mut working, script.now);
        let expand_flags = match self.expand_recips(id, &mut working, script, support) {
            Ok(flags) => flags,
            Err(hr) => {
                if self.broken(Mutant::Submit23FlagKeptOnFailure) {
                    self.message_mut(id)
                        .set_message_flags(msgflag::SUBMIT, true);
                }
                return Ret::hr(hr);
            }
        };
        // Submitting saves every pending change, even on a message never saved before (SUBMIT-01).
        if !self.broken(Mutant::Submit01NotSaved) {
            working.saved = true;
        }
        // The client's object is dead now: only Release is allowed on it (SUBMIT-14, AMB-30).
        if !self.broken(Mutant::Submit14SubmitterAlive) {
            working.submitter_dead = true;
        }
        working.needs_spooler = expand_flags & expand::NEEDS_SPOOLER != 0;
        self.messages.insert(id, working);
        self.mapi.preprocessed.remove(&id); // a new submission is preprocessed from the start
        if expand_flags & expand::NEEDS_PREPROCESSING != 0 {
            self.queue_for_preprocessing(id, support);
        } else {
            self.route(id, false, support);
        }
        Ret::hr(Hresult::S_OK)
    }

    /// Why the message cannot be submitted at all, before MAPI is called.
    fn refusal(&self, id: MsgId, flags: u32) -> Option<Hresult> {
        let m = &self.messages[&id];
        if !self.choices.submission && !self.broken(Mutant::Cap01SubmitsAnyway) {
            // A store that does not support sending says so (CAP-01, AMB-10).
            return Some(Hresult::MAPI_E_NO_SUPPORT);
        }
        if (self.is_locked(id) || m.is_submitted())
            && !self.broken(Mutant::Submit21ResubmitAccepted)
        {
            // A client reaches a submitted message read-only at best, so it cannot submit it
            // again (SUBMIT-21, AMB-10).
            return Some(Hresult::MAPI_E_NO_ACCESS);
        }
        if flags & !FORCE_SUBMIT != 0 && !self.broken(Mutant::Submit22UnknownFlagsAccepted) {
            // Bits with no meaning: refused before anything changes or MAPI is called (AMB-10).
            return Some(Hresult::MAPI_E_UNKNOWN_FLAGS);
        }
        if m.recipients.is_empty() && !self.broken(Mutant::Submit02EmptyAccepted) {
            return Some(Hresult::MAPI_E_NO_RECIPIENTS); // SUBMIT-02
        }
        // FORCE_SUBMIT is accepted and means nothing (SUBMIT-03, AMB-33).
        (flags & FORCE_SUBMIT != 0 && self.broken(Mutant::Submit03ForceRejected))
            .then_some(Hresult::MAPI_E_UNKNOWN_FLAGS)
    }

    /// SpoolerNotify(NOTIFY_READYTOSEND) once per session, then PrepareSubmit (S125, S126).
    /// Returns PrepareSubmit's error, which the store passes on unchanged (SUBMIT-04).
    fn prepare_submit(&mut self, id: MsgId, support: &mut dyn Support) -> Option<Hresult> {
        if self.plays_mapi() {
            return None; // MAPI's own PrepareSubmit: nothing crosses the seam.
        }
        let resend = self.messages[&id].props.message_flags & msgflag::RESEND != 0;
        if self.choices.prepare_submit == PrepareSubmitPolicy::ResendOnly && !resend {
            return None; // Only MSGFLAG_RESEND messages need preparing (AMB-04).
        }
        // Before the session's first PrepareSubmit, make sure the spooler runs (CAP-09).
        let notify = !self.session.ready_to_send && !self.broken(Mutant::Cap09NoReadyToSend);
        self.session.ready_to_send = true;
        let late = self.broken(Mutant::Cap09NotifyAfterPrepare);
        if notify && !late {
            ready_to_send(support);
        }
        let resend_only = self.choices.prepare_submit == PrepareSubmitPolicy::ResendOnly;
        if resend_only && self.broken(Mutant::Submit04ResendNotPrepared) {
            return None; // takes the declared ResendOnly for "never"
        }
        let flags = if self.broken(Mutant::Prep02NonzeroFlags) {
            1
        } else {
            0
        }; // PREP-02: *lpulFlags = 0
        let answer = support.call(SupportCall::PrepareSubmit { msg: id, flags });
        if notify && late {
            ready_to_send(support);
        }
        (answer.hr.failed() && !self.broken(Mutant::Submit04ErrorSwallowed)).then_some(answer.hr)
    }

    /// Steps 2 to 4 of the starting page, on the working copy.
    fn mark_submitted(&self, m: &mut StoredMessage, now: u64) {
        if !self.broken(Mutant::Flag01NoSubmitFlag) {
            m.set_message_flags(msgflag::SUBMIT, true); // FLAG-01 (S127)
        }
        if !self.broken(Mutant::Flag02NoUnsent) {
            m.set_message_flags(msgflag::UNSENT, true); // FLAG-02: set unless the client did
        }
        if !self.broken(Mutant::Submit06ResponsibilityUnset) {
            // No transport has taken any recipient yet (SUBMIT-06, S128).
            for r in &mut m.recipients {
                r.responsibility = Some(false);
            }
        }
        if !self.broken(Mutant::Submit07NoSubmitTime) {
            m.props.client_submit_time = Some(now); // SUBMIT-07 (S129): the harness's clock
        }
    }

    /// ExpandRecips (SUBMIT-08, S130): its error, or its NEEDS_PREPROCESSING / NEEDS_SPOOLER answer.
    /// MAPI may rewrite the recipient table during the call (lists expanded, names restored,
    /// duplicates removed); the submission commits the table as MAPI leaves it (SUBMIT-01), every
    /// row not yet handled by any transport.
    fn expand_recips(
        &self,
        id: MsgId,
        m: &mut StoredMessage,
        script: &SubmitScript,
        support: &mut dyn Support,
    ) -> Result<u32, Hresult> {
        if self.plays_mapi() {
            return Ok(self.mapi_expand_recips(m, &script.book));
        }
        if self.broken(Mutant::Submit08NoExpand) {
            return Ok(0);
        }
        let answer = support.call(SupportCall::ExpandRecips { msg: id });
        if answer.hr.failed() && !self.broken(Mutant::Submit24ExpandErrorSwallowed) {
            return Err(answer.hr);
        }
        if let Some(rows) = answer.recipients {
            if !self.broken(Mutant::Submit01ExpansionLost) {
                m.recipients = rows
                    .into_iter()
                    .map(|props| RecipientEntry {
                        props,
                        responsibility: Some(false),
                    })
                    .collect();
            }
        }
        Ok(answer.flags)
    }

    /// The preprocess route (SUBMIT-09; S133, S135, S136): queued with SUBMITFLAG_PREPROCESS (FLAG-06)
    /// and back to the client. Nothing is sent, even by a coupled transport (S138).
    fn queue_for_preprocessing(&mut self, id: MsgId, support: &mut dyn Support) {
        self.message_mut(id)
            .set_submit_flags(submitflag::PREPROCESS, true);
        if !self.broken(Mutant::Submit09PreprocessNotQueued) {
            self.enqueue(id, support);
        }
    }

    /// The spooler's SubmitMessage once the preprocessors have run (PRE-03; S143, S144): no second
    /// PrepareSubmit, ExpandRecips or submit time; SUBMITFLAG_PREPROCESS is cleared (FLAG-06) and the
    /// routing phase runs.
    fn submit_after_preprocessing(&mut self, id: MsgId, support: &mut dyn Support) -> Ret {
        if !self.messages[&id].awaits_preprocessing() {
            return Ret::hr(Hresult::S_OK); // Nothing was waiting; nothing to do.
        }
        if self.broken(Mutant::Pre03ExpandsAgain) {
            support.call(SupportCall::ExpandRecips { msg: id });
        }
        if !self.broken(Mutant::Flag06PreprocessNotCleared) {
            self.message_mut(id)
                .set_submit_flags(submitflag::PREPROCESS, false);
        }
        self.row_modified(id, support); // OQ-11
        self.route(id, true, support);
        Ret::hr(Hresult::S_OK)
    }

    /// The routing phase (S144-S170), after ExpandRecips or after preprocessing.
    fn route(&mut self, id: MsgId, after_preprocessing: bool, support: &mut dyn Support) {
        let Some(tc) = self.choices.tight_coupling.clone() else {
            // An uncoupled store leaves sending to the spooler (SUBMIT-10; S167, S168, S170).
            if !self.broken(Mutant::Submit10NotQueued) {
                self.wait_for_spooler(id, after_preprocessing, support);
            }
            if self.broken(Mutant::Tc05CompletemsgUncoupled) {
                support.call(SupportCall::CompleteMsg { msg: id, flags: 0 });
            }
            return;
        };
        // AMB-01, reading (b): the coupled transport first takes what it can (TC-02); if someone is
        // left, or MAPI asked for the spooler, the spooler sends to the rest (TC-07; S134, S167).
        let all_handled = self.take_coupled_recipients(id, &tc);
        if self.messages[&id].needs_spooler || !all_handled {
            if !self.broken(Mutant::Tc07PartialNotQueued) {
                self.wait_for_spooler(id, after_preprocessing, support);
            }
            return;
        }
        // Every recipient handled (TC-03; S148-S151). A preprocessed message must go back to the
        // spooler (PRE-05; S149, S157); otherwise the declared completion decides.
        let must_hand_over = after_preprocessing && !self.broken(Mutant::Pre05LocalAfterPreprocess);
        let wants_hand_over = tc.completion == Completion::CompleteMsg
            && !self.broken(Mutant::Tc03LocalDespiteChoice);
        if must_hand_over || wants_hand_over {
            self.complete_msg(id, support);
        } else {
            self.complete_locally(id, support);
        }
    }

    /// The coupled transport takes the recipients it handles: PR_RESPONSIBILITY TRUE on exactly
    /// those (TC-02; S145-S147). Returns whether no recipient is left for anyone else (AMB-02).
    fn take_coupled_recipients(&mut self, id: MsgId, tc: &TightCoupling) -> bool {
        let mark = !self.broken(Mutant::Tc02NotMarked);
        let mut all_handled = true;
        for r in &mut self.message_mut(id).recipients {
            if tc.handles.contains(&r.props.addr) {
                if mark {
                    r.responsibility = Some(true);
                }
            } else if r.responsibility != Some(true) {
                all_handled = false;
            }
        }
        all_handled
    }

    /// The spooler route: a new queue row, or, after preprocessing, the row the message already has
    /// (PRE-04; S144, S167-S169): it stays, still locked, now without SUBMITFLAG_PREPROCESS.
    fn wait_for_spooler(
        &mut self,
        id: MsgId,
        after_preprocessing: bool,
        support: &mut dyn Support,
    ) {
        if !after_preprocessing {
            self.enqueue(id, support);
        } else if self.broken(Mutant::Pre04DroppedAfterPreprocess) {
            self.dequeue(id, support);
        }
    }

    /// Hands the message to the spooler to finish (TC-03 (a), TC-05; S149, S158). It stops being a
    /// queue row (OQ-10, AMB-21) and keeps MSGFLAG_SUBMIT and any lock until FinishedMsg.
    fn complete_msg(&mut self, id: MsgId, support: &mut dyn Support) {
        if !self.plays_mapi() {
            support.call(SupportCall::CompleteMsg { msg: id, flags: 0 });
        }
        self.message_mut(id).handed_to_spooler = true;
        self.mapi.handed_over.push(id);
        self.dequeue(id, support);
    }

    /// Local completion (TC-04; S151-S156): the sent-mail step to the PR_SENTMAIL_ENTRYID folder,
    /// then delete after submit, then unlock. The steps say copy (S152) and FinishedMsg's page says
    /// move: the store does what it declared for sent-mail processing (AMB-17). The sent-mail step
    /// comes first (S153), so under Copy a copy survives the delete. The message is done and never
    /// was a queue row (OQ-10).
    fn complete_locally(&mut self, id: MsgId, support: &mut dyn Support) {
        if self.broken(Mutant::Oq10LocalQueued) {
            self.enqueue(id, support); // queues it like any submission, and never takes the row out
        }
        let (mut sentmail, mut delete) = self.disposition_props(id);
        if self.broken(Mutant::Tc04NoSentmailCopy) {
            sentmail = None;
        }
        if self.broken(Mutant::Tc04DeleteIgnored) {
            delete = false;
        }
        self.clear_submission(id);
        self.unlock(id);
        if self.broken(Mutant::Tc04DeleteBeforeCopy) && delete {
            // Deletes first, and a deleted message leaves nothing to copy.
            self.delete_after_submit(id, support);
            (sentmail, delete) = (None, false);
        }
        self.dispose(id, self.choices.sentmail, sentmail, delete, support);
    }
}

/// SpoolerNotify(NOTIFY_READYTOSEND): the spooler is to run and log its transports on (CAP-09).
fn ready_to_send(support: &mut dyn Support) {
    support.call(SupportCall::SpoolerNotify {
        flags: NOTIFY_READYTOSEND,
    });
}
