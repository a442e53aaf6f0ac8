//! The store's data: the message table with each message's property bag and recipient table, the
//! folder table, and the outgoing queue table.

use spoolcheck_model::mapi::{msgflag, submitflag};
use spoolcheck_model::{Folder, MsgId, NewMessage, RecipientRow};
use std::collections::BTreeMap;

/// One row of a message's recipient table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct RecipientEntry {
    /// PR_RECIPIENT_TYPE, PR_ADDRTYPE, PR_DISPLAY_NAME, PR_EMAIL_ADDRESS, PR_ENTRYID.
    pub props: RecipientRow,
    /// PR_RESPONSIBILITY; `None` until the column is given a value (SUBMIT-06 gives it one).
    pub responsibility: Option<bool>,
}

impl RecipientEntry {
    /// A row as the client or MAPI writes it, without PR_RESPONSIBILITY.
    pub fn new(props: RecipientRow) -> RecipientEntry {
        RecipientEntry {
            props,
            responsibility: None,
        }
    }
}

/// The properties the store keeps for a message, under their MAPI names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct PropertyBag {
    /// PR_MESSAGE_FLAGS.
    pub message_flags: u32,
    /// PR_SUBMIT_FLAGS: SUBMITFLAG_LOCKED mirrors the store's lock table, SUBMITFLAG_PREPROCESS
    /// marks a message queued for preprocessing (FLAG-05, FLAG-06).
    pub submit_flags: u32,
    /// PR_CLIENT_SUBMIT_TIME (a FILETIME).
    pub client_submit_time: Option<u64>,
    /// PR_SENTMAIL_ENTRYID: where the sent message goes.
    pub sentmail_entryid: Option<Folder>,
    /// PR_DELETE_AFTER_SUBMIT.
    pub delete_after_submit: bool,
    /// PR_PREPROCESS. Reserved for MAPI: only the code that plays MAPI (profile `system`) sets and
    /// reads it; the store itself never does.
    pub preprocess: bool,
}

/// One message of the message table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct StoredMessage {
    /// The properties.
    pub props: PropertyBag,
    /// The recipient table, in row order.
    pub recipients: Vec<RecipientEntry>,
    /// A committed copy exists: the message survives a restart (SUBMIT-01).
    pub saved: bool,
    /// ExpandRecips answered NEEDS_SPOOLER at the client's submission; routing after preprocessing
    /// needs the answer again.
    pub needs_spooler: bool,
    /// CompleteMsg handed the message to the spooler; it is no longer a queue row (AMB-21).
    pub handed_to_spooler: bool,
    /// The client's object that SubmitMessage was called on is dead (SUBMIT-14).
    pub submitter_dead: bool,
}

impl StoredMessage {
    /// A new message as the client creates it (CreateMessage, SetProps, ModifyRecipients).
    pub fn create(new: &NewMessage) -> StoredMessage {
        let mut message_flags = 0;
        if new.unsent {
            message_flags |= msgflag::UNSENT;
        }
        if new.resend {
            message_flags |= msgflag::RESEND;
        }
        StoredMessage {
            props: PropertyBag {
                message_flags,
                submit_flags: 0,
                client_submit_time: None,
                sentmail_entryid: new.sentmail,
                delete_after_submit: new.delete_after_submit,
                preprocess: false,
            },
            recipients: new
                .recipients
                .iter()
                .cloned()
                .map(RecipientEntry::new)
                .collect(),
            saved: new.saved,
            needs_spooler: false,
            handed_to_spooler: false,
            submitter_dead: false,
        }
    }

    /// MSGFLAG_SUBMIT: SubmitMessage succeeded and sending has not finished or been aborted.
    pub fn is_submitted(&self) -> bool {
        self.props.message_flags & msgflag::SUBMIT != 0
    }

    /// SUBMITFLAG_PREPROCESS: queued and waiting for preprocessing.
    pub fn awaits_preprocessing(&self) -> bool {
        self.props.submit_flags & submitflag::PREPROCESS != 0
    }

    /// Sets or clears bits of PR_MESSAGE_FLAGS.
    pub fn set_message_flags(&mut self, bits: u32, on: bool) {
        set_bits(&mut self.props.message_flags, bits, on);
    }

    /// Sets or clears bits of PR_SUBMIT_FLAGS.
    pub fn set_submit_flags(&mut self, bits: u32, on: bool) {
        set_bits(&mut self.props.submit_flags, bits, on);
    }
}

fn set_bits(value: &mut u32, bits: u32, on: bool) {
    if on {
        *value |= bits;
    } else {
        *value &= !bits;
    }
}

/// An item of a folder's contents table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum FolderItem {
    /// A message of the message table.
    Message(MsgId),
    /// A copy made by sent-mail processing. Copies are not tracked further; the harness recognises
    /// them by subject, which is their original's entry ID.
    SentCopy {
        /// The message it copies.
        original: MsgId,
    },
}

impl FolderItem {
    /// The item's subject: the entry ID of the message it is or copies.
    pub fn subject(self) -> MsgId {
        match self {
            FolderItem::Message(id) | FolderItem::SentCopy { original: id } => id,
        }
    }
}

/// The folder table: every folder's contents, in the order items arrived.
#[derive(Clone, Debug, Default)]
pub(super) struct FolderTable {
    contents: BTreeMap<Folder, Vec<FolderItem>>,
}

impl FolderTable {
    /// An item arrives in a folder.
    pub fn add(&mut self, folder: Folder, item: FolderItem) {
        self.contents.entry(folder).or_default().push(item);
    }

    /// Takes a message out of whatever folder holds it.
    pub fn remove_message(&mut self, id: MsgId) {
        for items in self.contents.values_mut() {
            items.retain(|&item| item != FolderItem::Message(id));
        }
    }

    /// Moves a message to another folder.
    pub fn move_message(&mut self, id: MsgId, to: Folder) {
        self.remove_message(id);
        self.add(to, FolderItem::Message(id));
    }

    /// A folder's items.
    pub fn items(&self, folder: Folder) -> Vec<FolderItem> {
        self.contents.get(&folder).cloned().unwrap_or_default()
    }

    /// Removes one item from a folder.
    pub fn remove_item(&mut self, folder: Folder, item: FolderItem) {
        if let Some(items) = self.contents.get_mut(&folder) {
            if let Some(pos) = items.iter().position(|&i| i == item) {
                items.remove(pos);
            }
        }
    }
}

/// The outgoing queue table. Rows are kept in the order of the SubmitMessage calls (SUBMIT-12);
/// since the store stamps each submission with the harness's clock, that is also ascending
/// PR_CLIENT_SUBMIT_TIME, the table's default sort order (OQ-03).
#[derive(Clone, Debug, Default)]
pub(super) struct OutgoingQueue {
    rows: Vec<MsgId>,
}

impl OutgoingQueue {
    /// Adds a row at the end: the newest submission.
    pub fn append(&mut self, id: MsgId) {
        self.rows.push(id);
    }

    /// Adds a row at the front (only a mutant does this).
    pub fn push_front(&mut self, id: MsgId) {
        self.rows.insert(0, id);
    }

    /// Removes a row. Returns whether there was one.
    pub fn remove(&mut self, id: MsgId) -> bool {
        let before = self.rows.len();
        self.rows.retain(|&r| r != id);
        self.rows.len() != before
    }

    /// True if the message is a row.
    pub fn contains(&self, id: MsgId) -> bool {
        self.rows.contains(&id)
    }

    /// The oldest row.
    pub fn oldest(&self) -> Option<MsgId> {
        self.rows.first().copied()
    }

    /// The rows in table order.
    pub fn rows(&self) -> &[MsgId] {
        &self.rows
    }

    /// Empties the table.
    pub fn clear(&mut self) {
        self.rows.clear();
    }
}
