//! What an expectation is about: the return value of a call, a support or transport call, a kind of
//! notification, or a kind of observation field. The catalog lists, for every rule, the subjects it
//! governs (`governs` in `specs/rules.toml`), and the model may attribute an expectation only to a
//! rule that governs its subject; a test checks it over generated sequences in both profiles.
//!
//! A subject's text form is what the catalog spells: `return:SubmitMessage`, `call:PrepareSubmit`,
//! `notify:queue-table`, `state:PR_SUBMIT_FLAGS.LOCKED`.

use crate::observe::{Field, FlagBit};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A kind of observation field: a [`Field`] without the message it is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FieldKind {
    /// Whether a message exists at its entry ID.
    Exists,
    /// One bit of PR_MESSAGE_FLAGS.
    Flag(FlagBit),
    /// SUBMITFLAG_LOCKED.
    Locked,
    /// SUBMITFLAG_PREPROCESS.
    Preprocess,
    /// The other bits of PR_SUBMIT_FLAGS.
    OtherSubmitFlags,
    /// PR_CLIENT_SUBMIT_TIME.
    SubmitTime,
    /// The recipient table's rows (all but PR_RESPONSIBILITY).
    Recipients,
    /// The PR_RESPONSIBILITY column.
    Responsibility,
    /// Which folder holds what.
    Folders,
    /// The outgoing queue's rows and order.
    Queue,
}

impl FieldKind {
    /// Every kind that is compared (MSGFLAG_RESEND is not: see
    /// [`crate::observe::OBSERVED_MESSAGE_FLAGS`]).
    pub const ALL: [FieldKind; 12] = [
        FieldKind::Exists,
        FieldKind::Flag(FlagBit::Read),
        FieldKind::Flag(FlagBit::Submit),
        FieldKind::Flag(FlagBit::Unsent),
        FieldKind::Locked,
        FieldKind::Preprocess,
        FieldKind::OtherSubmitFlags,
        FieldKind::SubmitTime,
        FieldKind::Recipients,
        FieldKind::Responsibility,
        FieldKind::Folders,
        FieldKind::Queue,
    ];

    /// The kind of a field.
    pub fn of(field: Field) -> FieldKind {
        match field {
            Field::Exists { .. } => FieldKind::Exists,
            Field::Flag { bit, .. } => FieldKind::Flag(bit),
            Field::Locked { .. } => FieldKind::Locked,
            Field::Preprocess { .. } => FieldKind::Preprocess,
            Field::OtherSubmitFlags { .. } => FieldKind::OtherSubmitFlags,
            Field::SubmitTime { .. } => FieldKind::SubmitTime,
            Field::Recipients { .. } => FieldKind::Recipients,
            Field::Responsibility { .. } => FieldKind::Responsibility,
            Field::Folders => FieldKind::Folders,
            Field::Queue => FieldKind::Queue,
        }
    }

    fn name(self) -> &'static str {
        match self {
            FieldKind::Exists => "message",
            FieldKind::Flag(FlagBit::Read) => "PR_MESSAGE_FLAGS.READ",
            FieldKind::Flag(FlagBit::Submit) => "PR_MESSAGE_FLAGS.SUBMIT",
            FieldKind::Flag(FlagBit::Unsent) => "PR_MESSAGE_FLAGS.UNSENT",
            FieldKind::Flag(FlagBit::Resend) => "PR_MESSAGE_FLAGS.RESEND",
            FieldKind::Locked => "PR_SUBMIT_FLAGS.LOCKED",
            FieldKind::Preprocess => "PR_SUBMIT_FLAGS.PREPROCESS",
            FieldKind::OtherSubmitFlags => "PR_SUBMIT_FLAGS.other",
            FieldKind::SubmitTime => "PR_CLIENT_SUBMIT_TIME",
            FieldKind::Recipients => "recipients",
            FieldKind::Responsibility => "PR_RESPONSIBILITY",
            FieldKind::Folders => "folders",
            FieldKind::Queue => "queue",
        }
    }
}

/// What one expectation is about.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Subject {
    /// The return value (HRESULT and data) of a call, by its name ([`crate::Op::call_name`]).
    Return(&'static str),
    /// A support call the store makes, or, in profile `system`, a call on a transport, by its name
    /// ([`crate::SupportCall::name`]).
    Call(&'static str),
    /// Table notifications on the outgoing queue.
    QueueNotification,
    /// fnevNewMail notifications.
    NewMailNotification,
    /// A kind of observation field.
    State(FieldKind),
    /// Read from a file written before subjects were recorded.
    #[default]
    Unrecorded,
}

/// The names [`Subject::Return`] and [`Subject::Call`] take: every call of the model and every
/// support or transport call.
pub const CALL_NAMES: [&str; 20] = [
    "CreateMessage",
    "SubmitMessage",
    "AbortSubmit",
    "OpenEntry",
    "SaveChanges",
    "SetLockState",
    "GetOutgoingQueue",
    "ModifyRecipients",
    "FinishedMsg",
    "Advise",
    "NotifyNewMail",
    "SetReadFlag",
    "DeleteMessages",
    "EmptyFolder",
    "GetProps",
    "StoreLogoff",
    "Restart",
    "RegisterPreprocessor",
    "TransportStatus",
    "RunSpooler",
];

/// The names of support and transport calls.
pub const SUPPORT_CALL_NAMES: [&str; 9] = [
    "SpoolerNotify",
    "PrepareSubmit",
    "ExpandRecips",
    "CompleteMsg",
    "DoSentMail",
    "StoreLogoffTransports",
    "Preprocess",
    "TransportSend",
    "RemovePreprocessInfo",
];

impl Subject {
    /// The subject of a difference in `field`.
    pub fn of_field(field: Field) -> Subject {
        Subject::State(FieldKind::of(field))
    }

    /// Every subject there is, for checking the catalog's patterns against.
    pub fn vocabulary() -> Vec<Subject> {
        let mut all: Vec<Subject> = CALL_NAMES.iter().map(|n| Subject::Return(n)).collect();
        all.extend(SUPPORT_CALL_NAMES.iter().map(|n| Subject::Call(n)));
        all.push(Subject::QueueNotification);
        all.push(Subject::NewMailNotification);
        all.extend(FieldKind::ALL.into_iter().map(Subject::State));
        all
    }

    /// Reads the text form back.
    pub fn parse(text: &str) -> Option<Subject> {
        if text == "unrecorded" {
            return Some(Subject::Unrecorded);
        }
        Subject::vocabulary()
            .into_iter()
            .find(|s| s.to_string() == text)
    }

    /// True if a catalog pattern covers this subject: the subject's text exactly, or a prefix
    /// ending in `*` (`call:*`, `state:*`, `state:PR_MESSAGE_FLAGS.*`).
    pub fn matches(&self, pattern: &str) -> bool {
        let text = self.to_string();
        match pattern.strip_suffix('*') {
            Some(prefix) => text.starts_with(prefix),
            None => text == pattern,
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Return(name) => write!(f, "return:{name}"),
            Subject::Call(name) => write!(f, "call:{name}"),
            Subject::QueueNotification => f.write_str("notify:queue-table"),
            Subject::NewMailNotification => f.write_str("notify:new-mail"),
            Subject::State(kind) => write!(f, "state:{}", kind.name()),
            Subject::Unrecorded => f.write_str("unrecorded"),
        }
    }
}

impl Serialize for Subject {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Subject {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Subject::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown subject `{text}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subject_reads_back_and_patterns_match() {
        for s in Subject::vocabulary() {
            assert_eq!(Subject::parse(&s.to_string()), Some(s));
        }
        let locked = Subject::State(FieldKind::Locked);
        assert!(locked.matches("state:*"));
        assert!(locked.matches("state:PR_SUBMIT_FLAGS.*"));
        assert!(locked.matches("state:PR_SUBMIT_FLAGS.LOCKED"));
        assert!(!locked.matches("state:PR_SUBMIT_FLAGS.PREPROCESS"));
        assert!(!Subject::Call("CompleteMsg").matches("return:*"));
        assert_eq!(Subject::parse("state:nonsense"), None);
    }
}
