//! What the harness observes after each step, without going through MAPI's access rules: the
//! state of every message, the folders' contents and the outgoing queue.

use crate::mapi::msgflag;
use crate::recipient::RecipientRow;
use crate::state::{Folder, MsgId, State};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// PR_MESSAGE_FLAGS bits the model governs; others (UNMODIFIED, HASATTACH ...) are not compared.
/// MSGFLAG_RESEND is the client's to set, and no rule governs it after that, so it is not compared
/// either (the model still uses the client's setting: a resent message needs PrepareSubmit).
pub const OBSERVED_MESSAGE_FLAGS: u32 = msgflag::READ | msgflag::SUBMIT | msgflag::UNSENT;

/// One message as observed at its original entry ID.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageView {
    /// PR_MESSAGE_FLAGS masked with [`OBSERVED_MESSAGE_FLAGS`].
    pub message_flags: u32,
    /// PR_SUBMIT_FLAGS (0 when absent).
    pub submit_flags: u32,
    /// PR_CLIENT_SUBMIT_TIME.
    pub client_submit_time: Option<u64>,
    /// The recipient table in row order (PR_ROWID ascending), without PR_RESPONSIBILITY.
    pub recipients: Vec<RecipientRow>,
    /// PR_RESPONSIBILITY per recipient row (`None`: no value in the column).
    pub responsibility: Vec<Option<bool>>,
}

/// A snapshot of the store.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observation {
    /// Every live message, at its original entry ID.
    pub messages: BTreeMap<MsgId, MessageView>,
    /// Each folder's contents, by subject (the original's entry ID, so copies show as their original), sorted.
    pub folders: BTreeMap<Folder, Vec<MsgId>>,
    /// The outgoing queue table in its default order.
    pub queue: Vec<MsgId>,
}

/// A bit of PR_MESSAGE_FLAGS the model governs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlagBit {
    /// MSGFLAG_READ
    Read,
    /// MSGFLAG_SUBMIT
    Submit,
    /// MSGFLAG_UNSENT
    Unsent,
    /// MSGFLAG_RESEND
    Resend,
}

impl FlagBit {
    /// Every governed bit.
    pub const ALL: [FlagBit; 4] = [
        FlagBit::Read,
        FlagBit::Submit,
        FlagBit::Unsent,
        FlagBit::Resend,
    ];

    /// The bit's value in PR_MESSAGE_FLAGS.
    pub fn mask(self) -> u32 {
        match self {
            FlagBit::Read => msgflag::READ,
            FlagBit::Submit => msgflag::SUBMIT,
            FlagBit::Unsent => msgflag::UNSENT,
            FlagBit::Resend => msgflag::RESEND,
        }
    }

    /// The bits of a mask.
    pub fn of(bits: u32) -> impl Iterator<Item = FlagBit> {
        FlagBit::ALL
            .into_iter()
            .filter(move |b| bits & b.mask() != 0)
    }
}

/// A field of an observation, so a difference can be traced to the rule that set it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "field", rename_all = "kebab-case")]
pub enum Field {
    /// Whether a message exists at its entry ID.
    Exists {
        /// The message.
        msg: MsgId,
    },
    /// One bit of PR_MESSAGE_FLAGS.
    Flag {
        /// The message.
        msg: MsgId,
        /// The bit.
        bit: FlagBit,
    },
    /// SUBMITFLAG_LOCKED in PR_SUBMIT_FLAGS.
    Locked {
        /// The message.
        msg: MsgId,
    },
    /// SUBMITFLAG_PREPROCESS in PR_SUBMIT_FLAGS.
    Preprocess {
        /// The message.
        msg: MsgId,
    },
    /// Other bits of PR_SUBMIT_FLAGS, which should never be set.
    OtherSubmitFlags {
        /// The message.
        msg: MsgId,
    },
    /// PR_CLIENT_SUBMIT_TIME.
    SubmitTime {
        /// The message.
        msg: MsgId,
    },
    /// The recipient table's rows: recipient type, address, display name, entry ID.
    Recipients {
        /// The message.
        msg: MsgId,
    },
    /// The PR_RESPONSIBILITY column.
    Responsibility {
        /// The message.
        msg: MsgId,
    },
    /// Which folder holds what.
    Folders,
    /// The outgoing queue's rows and order.
    Queue,
}

/// One difference between the expected and the actual observation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    /// The field.
    pub field: Field,
    /// The expected value, rendered.
    pub expected: String,
    /// The actual value, rendered.
    pub actual: String,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Exists { msg } => write!(f, "{msg} exists"),
            Field::Flag { msg, bit } => write!(
                f,
                "{msg} PR_MESSAGE_FLAGS.{}",
                format!("{bit:?}").to_uppercase()
            ),
            Field::Locked { msg } => write!(f, "{msg} PR_SUBMIT_FLAGS.LOCKED"),
            Field::Preprocess { msg } => write!(f, "{msg} PR_SUBMIT_FLAGS.PREPROCESS"),
            Field::OtherSubmitFlags { msg } => write!(f, "{msg} PR_SUBMIT_FLAGS (undefined bits)"),
            Field::SubmitTime { msg } => write!(f, "{msg} PR_CLIENT_SUBMIT_TIME"),
            Field::Recipients { msg } => write!(f, "{msg} recipient table"),
            Field::Responsibility { msg } => write!(f, "{msg} PR_RESPONSIBILITY"),
            Field::Folders => f.write_str("folder contents"),
            Field::Queue => f.write_str("outgoing queue"),
        }
    }
}

/// The observation the model expects of a state.
pub fn observe(state: &State) -> Observation {
    let messages = state
        .messages
        .iter()
        .map(|(&id, m)| {
            let view = MessageView {
                message_flags: m.flags & OBSERVED_MESSAGE_FLAGS,
                submit_flags: m.submit_flags(),
                client_submit_time: m.submit_time,
                recipients: m.recipients.iter().map(|r| r.row.clone()).collect(),
                responsibility: m.recipients.iter().map(|r| r.responsibility).collect(),
            };
            (id, view)
        })
        .collect();
    let mut folders: BTreeMap<Folder, Vec<MsgId>> =
        Folder::ALL.iter().map(|&f| (f, Vec::new())).collect();
    for (&id, m) in &state.messages {
        folders.entry(m.folder).or_default().push(id);
    }
    for &(folder, id) in &state.copies {
        folders.entry(folder).or_default().push(id);
    }
    for items in folders.values_mut() {
        items.sort();
    }
    Observation {
        messages,
        folders,
        queue: state.queue.clone(),
    }
}

/// True when `obs` is exactly what [`observe`] makes of `state`, decided without building that
/// observation. The judge asks this at nearly every step, where building the expected observation
/// (maps and vectors) and dropping it again cost more than the comparison.
pub fn shows(state: &State, obs: &Observation) -> bool {
    if obs.queue != state.queue || obs.messages.len() != state.messages.len() {
        return false;
    }
    let messages_agree = state
        .messages
        .iter()
        .zip(&obs.messages)
        .all(|((id, m), (seen, v))| {
            id == seen
                && v.message_flags == m.flags & OBSERVED_MESSAGE_FLAGS
                && v.submit_flags == m.submit_flags()
                && v.client_submit_time == m.submit_time
                && v.responsibility.len() == m.recipients.len()
                && v.recipients.len() == m.recipients.len()
                && v.responsibility
                    .iter()
                    .zip(&v.recipients)
                    .zip(&m.recipients)
                    .all(|((resp, row), r)| *resp == r.responsibility && *row == r.row)
        });
    if !messages_agree || !obs.folders.keys().copied().eq(Folder::ALL) {
        return false;
    }
    obs.folders.iter().all(|(&folder, items)| {
        // `observe` lists a folder's messages and copies by entry ID; the messages come in that
        // order already, and copies are rare.
        let own = state
            .messages
            .iter()
            .filter(move |(_, m)| m.folder == folder)
            .map(|(&id, _)| id);
        let mut copies = state.copies.iter().filter(|(f, _)| *f == folder).peekable();
        if copies.peek().is_none() {
            return items.iter().copied().eq(own);
        }
        let mut expected: Vec<MsgId> = own.chain(copies.map(|&(_, id)| id)).collect();
        expected.sort();
        *items == expected
    })
}

/// Every difference between `expected` and `actual`, in a fixed order.
pub fn diff(expected: &Observation, actual: &Observation) -> Vec<Difference> {
    let mut out = Vec::new();
    if expected == actual {
        return out;
    }
    let ids: std::collections::BTreeSet<MsgId> = expected
        .messages
        .keys()
        .chain(actual.messages.keys())
        .copied()
        .collect();
    for id in ids {
        match (expected.messages.get(&id), actual.messages.get(&id)) {
            (Some(e), Some(a)) => diff_message(id, e, a, &mut out),
            (e, a) => out.push(Difference {
                field: Field::Exists { msg: id },
                expected: presence(e.is_some()),
                actual: presence(a.is_some()),
            }),
        }
    }
    if expected.folders != actual.folders {
        out.push(Difference {
            field: Field::Folders,
            expected: folders_text(&expected.folders),
            actual: folders_text(&actual.folders),
        });
    }
    if expected.queue != actual.queue {
        out.push(Difference {
            field: Field::Queue,
            expected: ids_text(&expected.queue),
            actual: ids_text(&actual.queue),
        });
    }
    out
}

fn diff_message(id: MsgId, e: &MessageView, a: &MessageView, out: &mut Vec<Difference>) {
    if e == a {
        return;
    }
    let on = |v: bool| if v { "set" } else { "clear" }.to_string();
    let mut push = |field, expected: String, actual: String| {
        out.push(Difference {
            field,
            expected,
            actual,
        })
    };
    // The recipient table first: where a submission goes, and what its flags say, follow from it.
    if e.recipients != a.recipients {
        push(
            Field::Recipients { msg: id },
            rows_text(&e.recipients),
            rows_text(&a.recipients),
        );
    }
    for bit in FlagBit::ALL
        .into_iter()
        .filter(|b| OBSERVED_MESSAGE_FLAGS & b.mask() != 0)
    {
        let (ev, av) = (
            e.message_flags & bit.mask() != 0,
            a.message_flags & bit.mask() != 0,
        );
        if ev != av {
            push(Field::Flag { msg: id, bit }, on(ev), on(av));
        }
    }
    use crate::mapi::submitflag::{LOCKED, PREPROCESS};
    for (bit, field) in [
        (LOCKED, Field::Locked { msg: id }),
        (PREPROCESS, Field::Preprocess { msg: id }),
    ] {
        let (ev, av) = (e.submit_flags & bit != 0, a.submit_flags & bit != 0);
        if ev != av {
            push(field, on(ev), on(av));
        }
    }
    let other = |v: u32| v & !(LOCKED | PREPROCESS);
    if other(e.submit_flags) != other(a.submit_flags) {
        let hex = |v: u32| format!("0x{:X}", other(v));
        push(
            Field::OtherSubmitFlags { msg: id },
            hex(e.submit_flags),
            hex(a.submit_flags),
        );
    }
    if e.client_submit_time != a.client_submit_time {
        push(
            Field::SubmitTime { msg: id },
            format!("{:?}", e.client_submit_time),
            format!("{:?}", a.client_submit_time),
        );
    }
    if e.responsibility != a.responsibility {
        push(
            Field::Responsibility { msg: id },
            responsibility_text(&e.responsibility),
            responsibility_text(&a.responsibility),
        );
    }
}

fn rows_text(rows: &[RecipientRow]) -> String {
    let rows: Vec<String> = rows.iter().map(RecipientRow::short).collect();
    format!("[{}]", rows.join(", "))
}

fn presence(present: bool) -> String {
    if present { "present" } else { "absent" }.to_string()
}

/// Renders PR_MESSAGE_FLAGS bits by name.
pub fn message_flags_text(flags: u32) -> String {
    let names = [
        (msgflag::READ, "READ"),
        (msgflag::SUBMIT, "SUBMIT"),
        (msgflag::UNSENT, "UNSENT"),
        (msgflag::RESEND, "RESEND"),
    ];
    bits_text(flags, &names)
}

/// Renders PR_SUBMIT_FLAGS bits by name.
pub fn submit_flags_text(flags: u32) -> String {
    use crate::mapi::submitflag::{LOCKED, PREPROCESS};
    bits_text(flags, &[(LOCKED, "LOCKED"), (PREPROCESS, "PREPROCESS")])
}

fn bits_text(flags: u32, names: &[(u32, &str)]) -> String {
    let mut parts: Vec<String> = names
        .iter()
        .filter(|(b, _)| flags & b != 0)
        .map(|(_, n)| n.to_string())
        .collect();
    let rest = names.iter().fold(flags, |acc, (b, _)| acc & !b);
    if rest != 0 {
        parts.push(format!("0x{rest:X}"));
    }
    if parts.is_empty() {
        "0".to_string()
    } else {
        parts.join("|")
    }
}

/// Renders a PR_RESPONSIBILITY column: T, F or - per row.
pub fn responsibility_text(rows: &[Option<bool>]) -> String {
    let cells: String = rows
        .iter()
        .map(|r| match r {
            Some(true) => 'T',
            Some(false) => 'F',
            None => '-',
        })
        .collect();
    format!("[{cells}]")
}

fn ids_text(ids: &[MsgId]) -> String {
    let parts: Vec<String> = ids.iter().map(|m| m.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

fn folders_text(folders: &BTreeMap<Folder, Vec<MsgId>>) -> String {
    let parts: Vec<String> = folders
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(f, v)| format!("{f:?}{}", ids_text(v)))
        .collect();
    if parts.is_empty() {
        "(all empty)".to_string()
    } else {
        parts.join(" ")
    }
}
