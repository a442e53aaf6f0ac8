//! Profile `system`: the store is also MAPI's support object and the spooler. The harness plays the
//! transports, which register preprocessors (for their address type, by their MAPIUID, or for all
//! messages), go up and down, and record what they are asked to do (S139-S143). In profile
//! `provider` the harness is the spooler and these calls change nothing.

use super::tables::{RecipientEntry, StoredMessage};
use super::ReferenceStore;
use crate::mutant::Mutant;
use crate::seam::Support;
use spoolcheck_model::mapi::{expand, Hresult};
use spoolcheck_model::recipient::BookEntry;
use spoolcheck_model::{
    AddrType, EntryRef, MsgId, PreprocessorScope, RecipientRow, Ret, Role, SubmitScript,
    SupportCall,
};

/// A MAPIUID: the 16 bytes that name a transport to MAPI.
type Mapiuid = [u8; 16];

/// The MAPIUID of the transport of an address type. Each address type has its own transport, and
/// the spooler gives a recipient to the transport of its address type, so this is also the
/// MAPIUID a recipient is routed by.
fn transport_uid(transport: AddrType) -> Mapiuid {
    let mut uid = *b"spoolcheck-xp-\0\0";
    uid[15] = match transport {
        AddrType::Smtp => 1,
        AddrType::Fax => 2,
        AddrType::X400 => 3,
        // No transport: ExpandRecips replaces a distribution list by its members before any
        // transport or preprocessor looks at the message.
        AddrType::Mapipdl => 0,
    };
    uid
}

/// Why the spooler holds a message it has not finished between two runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Hold {
    /// A preprocessor answered MAPI_E_BUSY: it is still running.
    Preprocessing,
    /// A transport answered MAPI_E_WAIT: it has a temporary problem.
    Transport,
}

/// What a preprocessor was registered for: RegisterPreprocessor's `lpMuid` and `lpszAdrType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Filter {
    /// `lpszAdrType` given: recipients of this address type.
    AddrType(AddrType),
    /// `lpMuid` given: recipients routed to the transport with this MAPIUID.
    Uid(Mapiuid),
    /// Both NULL: every message (AMB-37).
    Everything,
}

/// One row of MAPI's preprocessor table (PRE-08, S142).
#[derive(Clone, Copy, Debug)]
pub(super) struct Registration {
    /// The registration number: the spooler calls preprocessors in this order (PRE-02).
    number: u32,
    /// The transport that registered it.
    transport: AddrType,
    /// The messages it is for.
    filter: Filter,
}

impl Registration {
    /// True if the preprocessor is for a message with recipients of these address types.
    fn wants(&self, mut recipients: impl Iterator<Item = AddrType>) -> bool {
        match self.filter {
            Filter::AddrType(addr) => recipients.any(|a| a == addr),
            Filter::Uid(uid) => recipients.any(|a| transport_uid(a) == uid),
            Filter::Everything => true,
        }
    }
}

impl ReferenceStore {
    /// A transport registers a preprocessor for its address type, by its MAPIUID, or, giving
    /// neither, for all messages (PRE-08, S142).
    pub(super) fn register_preprocessor(
        &mut self,
        addr: AddrType,
        scope: PreprocessorScope,
    ) -> Ret {
        let number = u32::try_from(self.mapi.preprocessors.len()).unwrap_or(u32::MAX) + 1;
        let filter = match scope {
            PreprocessorScope::AddressType => Filter::AddrType(addr),
            PreprocessorScope::Mapiuid => Filter::Uid(transport_uid(addr)),
            PreprocessorScope::AllMessages => Filter::Everything,
        };
        self.mapi.preprocessors.push(Registration {
            number,
            transport: addr,
            filter,
        });
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

    /// MAPI's ExpandRecips, as the store plays it: the recipient table is expanded against the
    /// address book (EXP-04..EXP-08); preprocessing is needed when a registered preprocessor is for
    /// the message (it also sets PR_PREPROCESS), so always once one is registered for all messages;
    /// the spooler is needed when the coupled transport cannot handle every recipient.
    pub(super) fn mapi_expand_recips(&self, m: &mut StoredMessage, book: &[BookEntry]) -> u32 {
        m.recipients = self.expand_table(&m.recipients, book);
        let needs_preprocessing = self
            .mapi
            .preprocessors
            .iter()
            .any(|p| p.wants(m.recipients.iter().map(|r| r.props.addr)));
        let coupled = self.choices.tight_coupling.is_some();
        let needs_spooler = coupled
            && m.recipients
                .iter()
                .any(|r| !self.choices.tc_handles(r.props.addr));
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

    /// The table ExpandRecips leaves: each personal distribution list replaced, in its place, by
    /// its members with the list row's recipient type, lists within lists too (EXP-04); book
    /// entries under their original names (EXP-05); typed addresses resolved to one-off entry IDs
    /// (EXP-06); then every row that repeats an earlier row's recipient type and address removed
    /// (EXP-07, AMB-38). Rows the lists add start without a transport (EXP-08, AMB-39).
    fn expand_table(&self, rows: &[RecipientEntry], book: &[BookEntry]) -> Vec<RecipientEntry> {
        let mut flat = Vec::new();
        for row in rows {
            self.expand_row(row, book, &mut Vec::new(), &mut flat);
        }
        if self.broken(Mutant::Exp07DuplicateKept) {
            return flat;
        }
        let mut kept: Vec<RecipientEntry> = Vec::new();
        for row in flat {
            let key = |r: &RecipientEntry| {
                (
                    r.props.kind,
                    r.props.addr,
                    r.props.email.to_ascii_lowercase(),
                )
            };
            if !kept.iter().any(|k| key(k) == key(&row)) {
                kept.push(row);
            }
        }
        kept
    }

    /// One row of the client's table, or for a list its members; `open` holds the lists being
    /// expanded, so a list that contains itself ends.
    fn expand_row(
        &self,
        row: &RecipientEntry,
        book: &[BookEntry],
        open: &mut Vec<EntryRef>,
        out: &mut Vec<RecipientEntry>,
    ) {
        let entry = row.props.entry;
        let in_book = book.iter().find(|b| b.entry == entry);
        match (entry, in_book) {
            (EntryRef::List(_), Some(list))
                if row.props.addr == AddrType::Mapipdl
                    && !open.contains(&entry)
                    && !self.broken(Mutant::Exp04ListKept) =>
            {
                open.push(entry);
                for member in &list.members {
                    let Some(b) = book.iter().find(|b| b.entry == *member) else {
                        continue;
                    };
                    let responsibility = if self.broken(Mutant::Exp08MemberUnset) {
                        None
                    } else {
                        Some(false)
                    };
                    let added = RecipientEntry {
                        props: RecipientRow {
                            kind: row.props.kind,
                            addr: b.addr,
                            name: b.name.clone(),
                            email: b.email.clone(),
                            entry: b.entry,
                        },
                        responsibility,
                    };
                    self.expand_row(&added, book, open, out);
                }
                open.pop();
            }
            (EntryRef::Person(_), Some(person)) if !self.broken(Mutant::Exp05NameKept) => {
                let mut restored = row.clone();
                restored.props.name = person.name.clone();
                out.push(restored);
            }
            (EntryRef::Unresolved, _) if !self.broken(Mutant::Exp06OneOffUnresolved) => {
                let mut resolved = row.clone();
                resolved.props.entry = EntryRef::OneOff;
                out.push(resolved);
            }
            _ => out.push(row.clone()),
        }
    }

    /// The spooler serves one message as far as the transports and preprocessors let it, if one
    /// can be served.
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
            .all(|r| !self.mapi.transports_down.contains(&r.props.addr))
    }

    /// Lock (SPL-19); run the matching preprocessors in registration order and re-submit (PRE-02,
    /// PRE-08); send to the recipients still FALSE (SPL-20, TC-06); RemovePreprocessInfo for every
    /// preprocessor that ran (SPL-10); FinishedMsg (SPL-21). A preprocessor that answers
    /// MAPI_E_BUSY is still running, and a transport that answers MAPI_E_WAIT has a temporary
    /// problem: the spooler stops there, holds the message locked, and takes it up at the same
    /// point when it next serves it (SPL-06, AMB-34).
    fn serve(&mut self, id: MsgId, support: &mut dyn Support) {
        self.mapi.held.remove(&id);
        if !self.is_locked(id) && !self.broken(Mutant::Spl19NeverLocks) {
            self.lock(id);
        }
        if self.messages[&id].awaits_preprocessing() {
            if !self.preprocess(id, support) {
                return;
            }
            // The spooler's SubmitMessage: preprocessing is done, the store routes the message.
            self.submit_message(Role::Spooler, id, 0, &SubmitScript::ok(0), support);
            if self.broken(Mutant::Spl19UnlockedSend) {
                self.unlock(id); // lets go of the message once preprocessing is done
            }
        }
        if !self.send_to_transports(id, support) {
            return; // the lock is kept while the transport waits (AMB-34)
        }
        let handed = self.messages[&id].handed_to_spooler;
        let ran = self.mapi.preprocessed.remove(&id).unwrap_or_default();
        if !self.broken(Mutant::Spl10NoRemovePreprocessInfo) {
            for preprocessor in ran {
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

    /// Runs the preprocessors the message is for that have not run on it yet, in registration
    /// order. False when one is still running (MAPI_E_BUSY): it is called again next time.
    fn preprocess(&mut self, id: MsgId, support: &mut dyn Support) -> bool {
        let ran = self.mapi.preprocessed.get(&id).cloned().unwrap_or_default();
        let mut order: Vec<u32> = self
            .matching_preprocessors(id)
            .into_iter()
            .filter(|p| !ran.contains(p))
            .collect();
        if self.broken(Mutant::Pre02ReverseOrder) {
            order.reverse();
        }
        for preprocessor in order {
            let answer = support.call(SupportCall::Preprocess {
                preprocessor,
                msg: id,
                locked: self.is_locked(id),
            });
            if answer.hr == Hresult::MAPI_E_BUSY {
                self.mapi.held.insert(id, Hold::Preprocessing);
                if self.broken(Mutant::Spl06UnlockedWhileBusy) {
                    self.unlock(id); // lets go of the message while the preprocessor runs
                }
                return false;
            }
            self.mapi
                .preprocessed
                .entry(id)
                .or_default()
                .push(preprocessor);
        }
        true
    }

    /// Every preprocessor that is for the message, in registration order: one registered for an
    /// address type or a MAPIUID when a recipient not yet handled goes that way, one registered for
    /// all messages always (PRE-08, AMB-37).
    fn matching_preprocessors(&self, id: MsgId) -> Vec<u32> {
        let m = &self.messages[&id];
        let waiting = || {
            m.recipients
                .iter()
                .filter(|r| r.responsibility != Some(true))
                .map(|r| r.props.addr)
        };
        let wanted = |p: &Registration| match p.filter {
            Filter::Everything if self.broken(Mutant::Pre08AllMessagesOwnTransport) => {
                waiting().any(|a| a == p.transport)
            }
            Filter::Uid(_) if self.broken(Mutant::Pre08MapiuidAllMessages) => true,
            _ => self.broken(Mutant::Pre08AnyTransport) || p.wants(waiting()),
        };
        self.mapi
            .preprocessors
            .iter()
            .filter(|p| wanted(p))
            .map(|p| p.number)
            .collect()
    }

    /// Each transport gets its own recipients that no one has handled yet, then they are handled.
    /// False when a transport answered MAPI_E_WAIT: it took none of them, and the transports after
    /// it wait for the next run too.
    fn send_to_transports(&mut self, id: MsgId, support: &mut dyn Support) -> bool {
        for transport in AddrType::ALL {
            let rows: Vec<u8> = self.messages[&id]
                .recipients
                .iter()
                .enumerate()
                .filter(|(_, r)| r.props.addr == transport)
                .filter(|(_, r)| {
                    r.responsibility != Some(true) || self.broken(Mutant::Spl20SendsHandled)
                })
                .map(|(i, _)| u8::try_from(i).unwrap_or(u8::MAX))
                .collect();
            if rows.is_empty() {
                continue;
            }
            let locked = self.is_locked(id);
            let answer = support.call(SupportCall::TransportSend {
                transport,
                msg: id,
                recipients: rows,
                locked,
            });
            if answer.hr == Hresult::MAPI_E_WAIT {
                self.mapi.held.insert(id, Hold::Transport);
                return false;
            }
            for r in &mut self.message_mut(id).recipients {
                if r.props.addr == transport {
                    r.responsibility = Some(true);
                }
            }
        }
        true
    }
}
