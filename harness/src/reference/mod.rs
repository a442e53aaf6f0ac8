//! The reference provider: an in-memory message store that supports sending, written the way an
//! implementer would write one. It is the example to copy, and the suite's self-test: it passes every
//! check, and each of its [mutants](crate::mutant) is caught.
//!
//! It does not use the model's transition function. It keeps its own tables and follows the rules of
//! the catalog (cited by ID, e.g. SUBMIT-09, and by source sentence, e.g. S136), so a difference
//! between the two is a bug in one of them.
//!
//! # Data structures
//!
//! * The **message table** ([`tables::StoredMessage`], keyed by entry ID): a property bag
//!   (PR_MESSAGE_FLAGS, PR_SUBMIT_FLAGS, PR_CLIENT_SUBMIT_TIME, PR_SENTMAIL_ENTRYID,
//!   PR_DELETE_AFTER_SUBMIT), a recipient table whose rows carry PR_RECIPIENT_TYPE, PR_ADDRTYPE,
//!   PR_EMAIL_ADDRESS, PR_DISPLAY_NAME, PR_ENTRYID and PR_RESPONSIBILITY,
//!   whether a committed copy exists, and whether the client's submitting object is dead.
//! * The **folder table**: each folder's items; sent-mail copies are items too.
//! * The **outgoing queue table**: entry IDs in the order of the SubmitMessage calls, which is
//!   ascending PR_CLIENT_SUBMIT_TIME.
//! * The **lock table**: the messages the spooler holds. SUBMITFLAG_LOCKED mirrors it.
//! * The **session**: whether SpoolerNotify(NOTIFY_READYTOSEND) was sent, the store-wide new-mail
//!   sinks, the flags saved from StoreLogoff. A restart ends it.
//! * The caller's role stands for the store object the call comes through: the one returned by
//!   `IMSProvider::SpoolerLogon` is marked as the spooler's, every other one is a client's.
//!
//! # MAPI methods and where they live
//!
//! | method | file | what it touches |
//! |---|---|---|
//! | `IMessage::SubmitMessage` (client) | `submit.rs` | support object, property bag, queue or CompleteMsg or local completion |
//! | `IMessage::SubmitMessage` (spooler, after preprocessing) | `submit.rs` | PR_SUBMIT_FLAGS, routing |
//! | `IMsgStore::SetLockState`, `GetOutgoingQueue`, `FinishedMsg`, `NotifyNewMail` | `spooler.rs` | lock table, queue, sent-mail disposition, sinks |
//! | `IMsgStore::AbortSubmit`, `OpenEntry`, `IMessage::SaveChanges`, `SetReadFlag`, `IMAPIFolder::DeleteMessages`, `EmptyFolder` | `client.rs` | access checks against MSGFLAG_SUBMIT and the lock table |
//! | `CreateMessage`, `IMsgStore::Advise`, `StoreLogoff`, PR_STORE_SUPPORT_MASK, shutdown and start | `session.rs` | message table, session |
//! | profile `system`: MAPI's ExpandRecips and the spooler | `system.rs` | preprocessors, transports |
//!
//! # Declared choices
//!
//! Every field of [`Choices`] is honoured. Where the rules allow several outcomes the store takes one,
//! always the same: a lock is dropped at restart when the choice is `Either` (it belongs to the
//! spooler's session, which ended), FinishedMsg leaves MSGFLAG_READ alone, a spooler's FinishedMsg on
//! a message it has not locked is refused, AbortSubmit of a message handed over by CompleteMsg
//! answers MAPI_E_UNABLE_TO_ABORT, and an entry ID that names no message answers MAPI_E_NOT_FOUND
//! if the message was deleted and MAPI_E_INVALID_ENTRYID if the store never gave it out (AMB-16).
//! Local completion, like FinishedMsg, moves or copies to PR_SENTMAIL_ENTRYID as `sentmail`
//! declares (AMB-17), and SubmitMessage refuses flag bits other than FORCE_SUBMIT with
//! MAPI_E_UNKNOWN_FLAGS before changing anything (AMB-10).
//!
//! ```
//! use spoolcheck_harness::reference::ReferenceStore;
//! use spoolcheck_harness::seam::{exchange, Implementation};
//! use spoolcheck_model::{AddrType, Choices, Folder, MsgId, NewMessage, Op, Role, SubmitScript};
//! use spoolcheck_model::recipient::to;
//!
//! let mut store = ReferenceStore::new();
//! store.reset(&Choices::default()).unwrap();
//! let create = Op::CreateMessage(NewMessage {
//!     folder: Folder::Outbox, recipients: vec![to(AddrType::Smtp)], sentmail: None,
//!     delete_after_submit: false, unsent: false, resend: false, saved: true,
//! });
//! exchange(&mut store, &create).unwrap();
//! let submit = Op::SubmitMessage { caller: Role::Client, msg: MsgId(1), flags: 0, script: SubmitScript::ok(7) };
//! let response = exchange(&mut store, &submit).unwrap();
//! assert_eq!(response.observation.queue, vec![MsgId(1)]);
//! assert_eq!(response.calls.len(), 3); // SpoolerNotify, PrepareSubmit, ExpandRecips
//! ```

mod client;
mod session;
mod spooler;
mod store;
mod submit;
mod system;
mod tables;

#[cfg(test)]
pub(crate) mod differential;
#[cfg(test)]
mod tests;

use crate::mutant::Mutant;
use crate::seam::{Implementation, SeamError, Support};
use spoolcheck_model::observe::{MessageView, OBSERVED_MESSAGE_FLAGS};
use spoolcheck_model::{AddrType, Choices, Folder, MsgId, Observation, Op, Ret};
use std::collections::{BTreeMap, BTreeSet};
use tables::{FolderTable, OutgoingQueue, StoredMessage};

/// The reference message store provider.
#[derive(Clone, Debug)]
pub struct ReferenceStore {
    /// The defects this instance carries (none for the reference itself).
    mutants: Vec<Mutant>,
    /// The declared choices it follows.
    choices: Choices,
    /// The message table, by entry ID.
    messages: BTreeMap<MsgId, StoredMessage>,
    /// The folder table.
    folders: FolderTable,
    /// The outgoing queue table.
    queue: OutgoingQueue,
    /// The messages the spooler has locked.
    locks: BTreeSet<MsgId>,
    /// The current session.
    session: Session,
    /// The entry ID the next CreateMessage hands out.
    next_entry_id: u32,
    /// The connection number the next Advise hands out (it keeps counting across sessions).
    next_sink: u32,
    /// Profile `system`: what MAPI's spooler knows.
    mapi: MapiSide,
}

/// What one session of the store remembers; a restart starts a new one.
#[derive(Clone, Debug, Default)]
struct Session {
    /// SpoolerNotify(NOTIFY_READYTOSEND) was sent (CAP-09).
    ready_to_send: bool,
    /// Store-wide fnevNewMail sinks (NNM-02).
    new_mail_sinks: Vec<u32>,
    /// The flags of the last StoreLogoff, for StoreLogoffTransports at shutdown (PERSIST-04).
    logoff_flags: Option<u32>,
}

/// Profile `system`: the registered preprocessors and the transports that are down.
#[derive(Clone, Debug, Default)]
struct MapiSide {
    /// The registered preprocessors, in registration order.
    preprocessors: Vec<system::Registration>,
    /// Transports that are temporarily unavailable.
    transports_down: BTreeSet<AddrType>,
    /// Messages handed over by CompleteMsg, in hand-over order: the spooler serves them first.
    handed_over: Vec<MsgId>,
    /// The preprocessors that have run on each message being sent, in the order they ran: they get
    /// RemovePreprocessInfo after the send, and a busy one's successors wait for it.
    preprocessed: BTreeMap<MsgId, Vec<u32>>,
    /// The messages the spooler holds between runs, and why.
    held: BTreeMap<MsgId, system::Hold>,
}

impl MapiSide {
    /// The spooler is done with a message, or starts over with it.
    fn forget(&mut self, id: MsgId) {
        self.handed_over.retain(|&h| h != id);
        self.preprocessed.remove(&id);
        self.held.remove(&id);
    }
}

impl ReferenceStore {
    /// A correct store.
    pub fn new() -> ReferenceStore {
        ReferenceStore {
            mutants: Vec::new(),
            choices: Choices::default(),
            messages: BTreeMap::new(),
            folders: FolderTable::default(),
            queue: OutgoingQueue::default(),
            locks: BTreeSet::new(),
            session: Session::default(),
            next_entry_id: 1,
            next_sink: 1,
            mapi: MapiSide::default(),
        }
    }

    /// A store with one deliberate defect.
    pub fn with_mutant(mutant: Mutant) -> ReferenceStore {
        ReferenceStore::with_mutants(&[mutant])
    }

    /// The reference with several defects at once: a store with more than one distinct deviation.
    pub fn with_mutants(mutants: &[Mutant]) -> ReferenceStore {
        ReferenceStore {
            mutants: mutants.to_vec(),
            ..ReferenceStore::new()
        }
    }

    /// True when this instance carries `mutant`: the guard of each mutation.
    fn broken(&self, mutant: Mutant) -> bool {
        self.mutants.contains(&mutant)
    }
}

impl Default for ReferenceStore {
    fn default() -> Self {
        ReferenceStore::new()
    }
}

impl Implementation for ReferenceStore {
    fn name(&self) -> String {
        if self.mutants.is_empty() {
            return "reference".to_string();
        }
        let names: Vec<&str> = self.mutants.iter().map(|m| m.name()).collect();
        format!("reference (mutant {})", names.join(" + "))
    }

    fn reset(&mut self, choices: &Choices) -> Result<(), SeamError> {
        *self = ReferenceStore {
            mutants: self.mutants.clone(),
            choices: choices.clone(),
            ..ReferenceStore::new()
        };
        Ok(())
    }

    fn apply(&mut self, op: &Op, support: &mut dyn Support) -> Result<Ret, SeamError> {
        Ok(match op {
            Op::CreateMessage(new) => self.create_message(new),
            Op::SubmitMessage {
                caller,
                msg,
                flags,
                script,
            } => self.submit_message(*caller, *msg, *flags, script, support),
            Op::AbortSubmit { caller, msg } => self.abort_submit(*caller, *msg, support),
            Op::OpenEntry {
                caller,
                msg,
                access,
                path,
            } => self.open_entry(*caller, *msg, *access, *path),
            Op::WriteMessage { caller, msg, via } => self.write_message(*caller, *msg, *via),
            Op::SetLockState { caller, msg, lock } => {
                self.set_lock_state(*caller, *msg, *lock, support)
            }
            Op::GetOutgoingQueue { caller } => self.get_outgoing_queue(*caller),
            Op::MarkResponsibility {
                caller,
                msg,
                recipient,
            } => self.mark_responsibility(*caller, *msg, *recipient),
            Op::FinishedMsg { caller, msg } => self.finished_msg(*caller, *msg, support),
            Op::AdviseNewMail => self.advise_new_mail(),
            Op::NotifyNewMail { caller, msg } => self.notify_new_mail(*caller, *msg, support),
            Op::SetReadFlag { caller, msg } => self.set_read_flag(*caller, *msg),
            Op::DeleteMessage { caller, msg } => self.delete_messages(*caller, *msg, support),
            Op::EmptyFolder { caller, folder } => self.empty_folder(*caller, *folder, support),
            Op::GetSupportMask => self.support_mask(),
            Op::StoreLogoff { flags } => self.store_logoff(*flags),
            Op::Restart => self.restart(support),
            Op::RegisterPreprocessor { addr, scope } => self.register_preprocessor(*addr, *scope),
            Op::SetTransportAvailable { addr, available } => {
                self.set_transport_available(*addr, *available)
            }
            Op::RunSpooler { .. } => self.run_spooler(support),
        })
    }

    fn observe(&mut self) -> Result<Observation, SeamError> {
        let messages = self.messages.iter().map(|(&id, m)| (id, view(m))).collect();
        let folders = Folder::ALL
            .iter()
            .map(|&f| {
                let mut subjects: Vec<MsgId> = self
                    .folders
                    .items(f)
                    .into_iter()
                    .map(|i| i.subject())
                    .collect();
                subjects.sort();
                (f, subjects)
            })
            .collect();
        Ok(Observation {
            messages,
            folders,
            queue: self.queue.rows().to_vec(),
        })
    }
}

/// A message as the harness observes it.
fn view(m: &StoredMessage) -> MessageView {
    MessageView {
        message_flags: m.props.message_flags & OBSERVED_MESSAGE_FLAGS,
        submit_flags: m.props.submit_flags,
        client_submit_time: m.props.client_submit_time,
        recipients: m.recipients.iter().map(|r| r.props.clone()).collect(),
        responsibility: m.recipients.iter().map(|r| r.responsibility).collect(),
    }
}
