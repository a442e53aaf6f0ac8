//! Profile `system`: the store is also MAPI's support object and the spooler. The harness plays the
//! transports, which register preprocessors, go up and down, and record what they are asked to do
//! (S139-S143). In profile `provider` the harness is the spooler and these calls change nothing.

use super::tables::StoredMessage;
use super::ReferenceStore;
use crate::mutant::Mutant;
use crate::seam::Support;
use spoolcheck_model::mapi::{expand, Hresult};
use spoolcheck_model::{AddrType, MsgId, Ret, Role, SubmitScript, SupportCall};

impl ReferenceStore {
    /// A transport registers a preprocessor for its address type (PRE-08, S142).
    pub(super) fn register_preprocessor(&mut self, addr: AddrType) -> Ret {
        let number = u32::try_from(self.mapi.preprocessors.len()).unwrap_or(u32::MAX) + 1;
        self.mapi.preprocessors.push((number, addr));
        Ret::hr(Hresult::S_OK)
    }

    /// A transport becomes unavailable or available again.
    pub(super) fn set_transport_available(&mut self, addr: AddrType, available: bool) -> Ret {
        if available {
            self.mapi.transports_down.remove(&addr);
        } else {
            self.mapi.transports_down.insert(addr);
        }
        Ret::hr(Hresult::S_OK)
    }

    /// MAPI's ExpandRecips, as the store plays it: preprocessing is needed when a registered
    /// preprocessor's transport has a recipient (it also sets PR_PREPROCESS), and the spooler is needed
    /// when the coupled transport cannot handle every recipient.
    pub(super) fn mapi_expand_recips(&self, m: &mut StoredMessage) -> u32 {
        let needs_preprocessing = m
            .recipients
            .iter()
            .any(|r| self.preprocessors_for(r.addr_type).next().is_some());
        let coupled = self.choices.tight_coupling.is_some();
        let needs_spooler = coupled
            && m.recipients
                .iter()
                .any(|r| !self.choices.tc_handles(r.addr_type));
        m.props.preprocess = needs_preprocessing;
        (if needs_preprocessing {
            expand::NEEDS_PREPROCESSING
        } else {
            0
        }) | (if needs_spooler {
            expand::NEEDS_SPOOLER
        } else {
            0
        })
    }

    /// The registration numbers of the preprocessors of one address type's transport.
    fn preprocessors_for(&self, addr: AddrType) -> impl Iterator<Item = u32> + '_ {
        self.mapi
            .preprocessors
            .iter()
            .filter(move |(_, a)| *a == addr)
            .map(|(n, _)| *n)
    }

    /// The spooler serves one message completely, if one can be served.
    pub(super) fn run_spooler(&mut self, support: &mut dyn Support) -> Ret {
        if self.plays_mapi() {
            if let Some(id) = self.next_to_serve() {
                self.serve(id, support);
            }
        }
        Ret::hr(Hresult::S_OK)
    }

    /// Messages handed over by CompleteMsg first, in hand-over order, then the queue oldest first
    /// (SPL-02), passing over a message whose remaining recipients wait on a transport that is down.
    fn next_to_serve(&self) -> Option<MsgId> {
        let handed = self.mapi.handed_over.iter().copied();
        let mut queued = self.queue.rows().to_vec();
        if self.broken(Mutant::Spl02NewestFirst) {
            queued.reverse();
        }
        handed.chain(queued).find(|&id| self.transports_up_for(id))
    }

    fn transports_up_for(&self, id: MsgId) -> bool {
        if self.broken(Mutant::Spl02SendsWhileDown) {
            return true;
        }
        let m = &self.messages[&id];
        let waiting = m
            .recipients
            .iter()
            .filter(|r| r.responsibility != Some(true));
        waiting
            .into_iter()
            .all(|r| !self.mapi.transports_down.contains(&r.addr_type))
    }

    /// Lock (SPL-19); run the matching preprocessors in registration order and re-submit (PRE-02,
    /// PRE-08); send to the recipients still FALSE (SPL-20, TC-06); RemovePreprocessInfo when
    /// PR_PREPROCESS is set (SPL-10); FinishedMsg (SPL-21).
    fn serve(&mut self, id: MsgId, support: &mut dyn Support) {
        if !self.is_locked(id) && !self.broken(Mutant::Spl19NeverLocks) {
            self.lock(id);
        }
        let preprocessors = self.matching_preprocessors(id);
        if self.messages[&id].awaits_preprocessing() {
            let mut order = preprocessors.clone();
            if self.broken(Mutant::Pre02ReverseOrder) {
                order.reverse();
            }
            for preprocessor in order {
                support.call(SupportCall::Preprocess {
                    preprocessor,
                    msg: id,
                    locked: self.is_locked(id),
                });
            }
            // The spooler's SubmitMessage: preprocessing is done, the store routes the message.
            self.submit_message(Role::Spooler, id, 0, &SubmitScript::ok(0), support);
            if self.broken(Mutant::Spl19UnlockedSend) {
                self.unlock(id); // lets go of the message once preprocessing is done
            }
        }
        self.send_to_transports(id, support);
        let handed = self.messages[&id].handed_to_spooler;
        if self.messages[&id].props.preprocess && !self.broken(Mutant::Spl10NoRemovePreprocessInfo)
        {
            for &preprocessor in &preprocessors {
                support.call(SupportCall::RemovePreprocessInfo {
                    preprocessor,
                    msg: id,
                });
            }
        }
        // FinishedMsg once, after the send (SPL-21), handed-over messages too (TC-06).
        if self.broken(Mutant::Spl21NeverFinished)
            || (handed && self.broken(Mutant::Tc06HandedNotFinished))
        {
            return;
        }
        self.finish_message(id, support);
        if self.broken(Mutant::Spl21FinishedTwice) && self.messages.contains_key(&id) {
            self.finish_message(id, support);
        }
    }

    /// Every preprocessor whose transport has a recipient of the message, in registration order.
    fn matching_preprocessors(&self, id: MsgId) -> Vec<u32> {
        let m = &self.messages[&id];
        let any_transport = self.broken(Mutant::Pre08AnyTransport);
        let wanted = |addr: AddrType| m.recipients.iter().any(|r| r.addr_type == addr);
        self.mapi
            .preprocessors
            .iter()
            .filter(|(_, addr)| any_transport || wanted(*addr))
            .map(|(n, _)| *n)
            .collect()
    }

    /// Each transport gets its own recipients that no one has handled yet, then they are handled.
    fn send_to_transports(&mut self, id: MsgId, support: &mut dyn Support) {
        for transport in AddrType::ALL {
            let rows: Vec<u8> = self.messages[&id]
                .recipients
                .iter()
                .enumerate()
                .filter(|(_, r)| r.addr_type == transport)
                .filter(|(_, r)| {
                    r.responsibility != Some(true) || self.broken(Mutant::Spl20SendsHandled)
                })
                .map(|(i, _)| u8::try_from(i).unwrap_or(u8::MAX))
                .collect();
            if rows.is_empty() {
                continue;
            }
            let locked = self.is_locked(id);
            support.call(SupportCall::TransportSend {
                transport,
                msg: id,
                recipients: rows,
                locked,
            });
            for r in &mut self.message_mut(id).recipients {
                if r.addr_type == transport {
                    r.responsibility = Some(true);
                }
            }
        }
    }
}
