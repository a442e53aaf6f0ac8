//! The model's state: one message store and what the parties around it remember.

use crate::choices::Choices;
use crate::mapi::{msgflag, submitflag};
use crate::op::PreprocessorScope;
use crate::recipient::RecipientRow;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A message's identity: its entry ID as read before submission. The harness assigns them in
/// creation order; adapters translate them to the implementation's own entry IDs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct MsgId(pub u32);

impl fmt::Display for MsgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "m{}", self.0)
    }
}

/// The folders of the store. A message's subject is its `MsgId`, so copies can be recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Folder {
    /// Inbox.
    Inbox,
    /// Outbox, where clients usually compose and submit.
    Outbox,
    /// Drafts.
    Drafts,
    /// Sent Items, the usual PR_SENTMAIL_ENTRYID target.
    SentItems,
    /// Deleted Items.
    DeletedItems,
}

impl Folder {
    /// Every folder, in a fixed order.
    pub const ALL: [Folder; 5] = [
        Folder::Inbox,
        Folder::Outbox,
        Folder::Drafts,
        Folder::SentItems,
        Folder::DeletedItems,
    ];
}

/// A recipient's address type (PR_ADDRTYPE). Each of SMTP, FAX and X400 has its own transport in
/// profile `system`; MAPIPDL marks a personal distribution list, which ExpandRecips expands before
/// any transport sees the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum AddrType {
    /// SMTP
    Smtp,
    /// FAX
    Fax,
    /// X400
    X400,
    /// MAPIPDL: a personal distribution list.
    Mapipdl,
}

impl AddrType {
    /// Every address type a transport handles.
    pub const ALL: [AddrType; 3] = [AddrType::Smtp, AddrType::Fax, AddrType::X400];

    /// The PR_ADDRTYPE string.
    pub fn name(self) -> &'static str {
        match self {
            AddrType::Smtp => "SMTP",
            AddrType::Fax => "FAX",
            AddrType::X400 => "X400",
            AddrType::Mapipdl => "MAPIPDL",
        }
    }
}

/// One row of a message's recipient table.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Recipient {
    /// The row's properties: recipient type, address type and address, display name, entry ID.
    pub row: RecipientRow,
    /// PR_ADDRTYPE (the row's, kept at hand: transports and preprocessors go by it).
    pub addr: AddrType,
    /// PR_RESPONSIBILITY; `None` while the column is absent.
    pub responsibility: Option<bool>,
    /// ExpandRecips added the row for a member of a distribution list (EXP-08 governs its
    /// PR_RESPONSIBILITY).
    pub from_list: bool,
}

impl Recipient {
    /// A row as written, without PR_RESPONSIBILITY.
    pub fn new(row: RecipientRow) -> Recipient {
        Recipient {
            addr: row.addr,
            row,
            responsibility: None,
            from_list: false,
        }
    }
}

/// One message as the store holds it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Message {
    /// The folder holding the message.
    pub folder: Folder,
    /// PR_MESSAGE_FLAGS.
    pub flags: u32,
    /// SUBMITFLAG_LOCKED: the spooler holds the message.
    pub locked: bool,
    /// SUBMITFLAG_PREPROCESS: queued for preprocessing.
    pub preprocess: bool,
    /// PR_CLIENT_SUBMIT_TIME as a FILETIME.
    pub submit_time: Option<u64>,
    /// The recipient table.
    pub recipients: Vec<Recipient>,
    /// PR_SENTMAIL_ENTRYID.
    pub sentmail: Option<Folder>,
    /// PR_DELETE_AFTER_SUBMIT.
    pub delete_after_submit: bool,
    /// The message has been saved at least once (unsaved messages vanish on restart).
    pub saved: bool,
    /// ExpandRecips answered NEEDS_SPOOLER at the client's submission.
    pub needs_spooler: bool,
    /// ExpandRecips answered NEEDS_PREPROCESSING (so PR_PREPROCESS is set).
    pub preprocessed: bool,
    /// CompleteMsg handed the message to the spooler (AMB-21).
    pub handed: bool,
    /// The client's object that SubmitMessage was called on is dead (SUBMIT-14).
    pub submitter_dead: bool,
    /// The client's object from CreateMessage went with the session at a restart: no client
    /// writes through it any more.
    pub handle_lost: bool,
    /// The last client SubmitMessage of this message failed, so the object stays open (SUBMIT-15).
    pub submit_failed: bool,
    /// A successful SubmitMessage saved the message (SUBMIT-01), so it survives restarts.
    pub saved_by_submission: bool,
    /// The last client SubmitMessage failed with MAPI's own error, after which nothing says
    /// whether the submitting object is still open: clients do not write through it.
    pub submitter_in_doubt: bool,
    /// Sending finished (FinishedMsg or local completion).
    pub finished: bool,
    /// The preprocessors that have run on the message, by registration number (profile
    /// `system`); a busy one is called again when the spooler comes back to the message.
    pub preprocessed_by: Vec<u32>,
}

/// The named life-cycle states of a message, from draft to finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Life {
    /// Editable, not submitted.
    Draft,
    /// Queued, waiting for preprocessing.
    QueuedPre,
    /// Locked by the spooler for preprocessing.
    LockedPre,
    /// Queued for the spooler.
    Queued,
    /// Locked by the spooler for sending.
    Locked,
    /// Handed to the spooler by CompleteMsg.
    Handed,
    /// Handed and locked.
    HandedLocked,
    /// Finished: submission flags cleared.
    Done,
}

impl Message {
    /// A new message as CreateMessage leaves it.
    pub fn new(folder: Folder, recipients: &[RecipientRow]) -> Message {
        Message {
            folder,
            flags: 0,
            locked: false,
            preprocess: false,
            submit_time: None,
            recipients: recipients.iter().cloned().map(Recipient::new).collect(),
            sentmail: None,
            delete_after_submit: false,
            saved: false,
            needs_spooler: false,
            preprocessed: false,
            handed: false,
            submitter_dead: false,
            handle_lost: false,
            submit_failed: false,
            saved_by_submission: false,
            submitter_in_doubt: false,
            finished: false,
            preprocessed_by: Vec::new(),
        }
    }

    /// The address types of the recipients no transport has handled yet (PR_RESPONSIBILITY not
    /// TRUE): the rows the spooler still gives to transports.
    pub fn pending_addrs(&self) -> impl Iterator<Item = AddrType> + '_ {
        self.recipients
            .iter()
            .filter(|r| r.responsibility != Some(true))
            .map(|r| r.addr)
    }

    /// MSGFLAG_SUBMIT is set.
    pub fn submitted(&self) -> bool {
        self.flags & msgflag::SUBMIT != 0
    }

    /// PR_SUBMIT_FLAGS as the store should show it.
    pub fn submit_flags(&self) -> u32 {
        (if self.locked { submitflag::LOCKED } else { 0 })
            | (if self.preprocess {
                submitflag::PREPROCESS
            } else {
                0
            })
    }
}

/// A preprocessor registered by the transport of an address type (profile `system`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Preprocessor {
    /// Registration number, in registration order.
    pub id: u32,
    /// The registering transport's address type.
    pub addr: AddrType,
    /// Which messages the preprocessor is for (PRE-08, AMB-37).
    pub scope: PreprocessorScope,
}

impl Preprocessor {
    /// True if the preprocessor is for a message whose recipients still to be handled have the
    /// address types `pending` (PRE-08, AMB-37).
    pub fn is_for(&self, mut pending: impl Iterator<Item = AddrType>) -> bool {
        match self.scope {
            PreprocessorScope::AllMessages => true,
            // Each address type has its own transport, which gets exactly the recipients of that
            // type, so the transport's MAPIUID picks out the same recipients as its address type.
            PreprocessorScope::AddressType | PreprocessorScope::Mapiuid => {
                pending.any(|a| a == self.addr)
            }
        }
    }
}

/// The whole model state.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct State {
    /// The declared choices the model follows.
    pub choices: Choices,
    /// Live messages by entry ID.
    pub messages: BTreeMap<MsgId, Message>,
    /// Copies made by sent-mail processing: (folder, original).
    pub copies: Vec<(Folder, MsgId)>,
    /// The outgoing queue, in submission order.
    pub queue: Vec<MsgId>,
    /// The next entry ID CreateMessage hands out.
    pub next_id: u32,
    /// SpoolerNotify(NOTIFY_READYTOSEND) was sent in this session (CAP-09).
    pub ready_to_send: bool,
    /// Store-wide new-mail sinks registered in this session.
    pub sinks: Vec<u32>,
    /// The next sink number.
    pub next_sink: u32,
    /// Flags saved from the last StoreLogoff of this session (PERSIST-04).
    pub logoff_flags: Option<u32>,
    /// Preprocessors in registration order (profile `system`).
    pub preprocessors: Vec<Preprocessor>,
    /// Address types whose transport is temporarily unavailable (profile `system`).
    pub transports_down: Vec<AddrType>,
    /// Messages handed to the spooler by CompleteMsg, in hand-over order (AMB-21, AMB-29).
    pub handed_order: Vec<MsgId>,
    /// The latest reading of the harness's clock a client SubmitMessage carried. The clock never
    /// stands still or goes back (AMB-12), across restarts too.
    pub last_clock: Option<u64>,
}

impl State {
    /// An empty store with the given declared choices.
    pub fn new(choices: Choices) -> State {
        State {
            choices,
            messages: BTreeMap::new(),
            copies: Vec::new(),
            queue: Vec::new(),
            next_id: 1,
            ready_to_send: false,
            sinks: Vec::new(),
            next_sink: 1,
            logoff_flags: None,
            preprocessors: Vec::new(),
            transports_down: Vec::new(),
            handed_order: Vec::new(),
            last_clock: None,
        }
    }

    /// True if the message is a row of the outgoing queue.
    pub fn queued(&self, id: MsgId) -> bool {
        self.queue.contains(&id)
    }

    /// The life-cycle state of a live message.
    pub fn life(&self, id: MsgId) -> Option<Life> {
        let m = self.messages.get(&id)?;
        let queued = self.queued(id);
        Some(
            match (m.submitted(), queued, m.handed, m.preprocess, m.locked) {
                (_, true, _, true, false) => Life::QueuedPre,
                (_, true, _, true, true) => Life::LockedPre,
                (_, true, _, false, false) => Life::Queued,
                (_, true, _, false, true) => Life::Locked,
                (true, false, true, _, false) => Life::Handed,
                (true, false, true, _, true) => Life::HandedLocked,
                _ if m.finished => Life::Done,
                _ => Life::Draft,
            },
        )
    }
}
