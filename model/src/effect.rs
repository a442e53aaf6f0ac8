//! Effects: what a step sends across the seam besides its return value. The provider's calls to
//! MAPI's support object (and, in profile `system`, the spooler's calls to transports) are compared in
//! order; notifications are compared as a set that must cover the expected ones.

use crate::mapi::TableEvent;
use crate::rules::RuleId;
use crate::state::{AddrType, MsgId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A call the implementation makes on the harness's side of the seam.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "kebab-case", deny_unknown_fields)]
pub enum SupportCall {
    /// `IMAPISupport::SpoolerNotify(flags, NULL)`.
    SpoolerNotify {
        /// NOTIFY_* flags.
        flags: u32,
    },
    /// `IMAPISupport::PrepareSubmit(msg, &flags)`, with the input value of `*lpulFlags`.
    PrepareSubmit {
        /// The message.
        msg: MsgId,
        /// `*lpulFlags` on input (PREP-02: must be 0).
        flags: u32,
    },
    /// `IMAPISupport::ExpandRecips(msg, &flags)`.
    ExpandRecips {
        /// The message.
        msg: MsgId,
    },
    /// `IMAPISupport::CompleteMsg(flags, entry ID)`.
    CompleteMsg {
        /// The message.
        msg: MsgId,
        /// `ulFlags` (0).
        flags: u32,
    },
    /// `IMAPISupport::DoSentMail(flags, msg)`.
    DoSentMail {
        /// The message.
        msg: MsgId,
        /// `ulFlags` (0).
        flags: u32,
    },
    /// `IMAPISupport::StoreLogoffTransports(&flags)` at shutdown.
    StoreLogoffTransports {
        /// The flags saved from StoreLogoff.
        flags: u32,
    },
    /// Profile `system`: the spooler calls a transport's preprocessor.
    Preprocess {
        /// The registration number of the preprocessor.
        preprocessor: u32,
        /// The message.
        msg: MsgId,
        /// Whether the message was locked when the preprocessor ran (SPL-19).
        locked: bool,
    },
    /// Profile `system`: the spooler hands the message to a transport for these recipient rows.
    TransportSend {
        /// The transport's address type.
        transport: AddrType,
        /// The message.
        msg: MsgId,
        /// The recipient rows the transport is asked to send to.
        recipients: Vec<u8>,
        /// Whether the message was locked at the call (SPL-19).
        locked: bool,
    },
    /// Profile `system`: the spooler calls a transport's RemovePreprocessInfo.
    RemovePreprocessInfo {
        /// The registration number of the preprocessor whose transport provides the function.
        preprocessor: u32,
        /// The message.
        msg: MsgId,
    },
}

impl SupportCall {
    /// True for the calls the spooler makes on transports (profile `system`).
    pub fn is_transport_call(&self) -> bool {
        matches!(
            self,
            SupportCall::Preprocess { .. }
                | SupportCall::TransportSend { .. }
                | SupportCall::RemovePreprocessInfo { .. }
        )
    }

    /// The message the call is about, if any.
    pub fn msg(&self) -> Option<MsgId> {
        match self {
            SupportCall::PrepareSubmit { msg, .. }
            | SupportCall::ExpandRecips { msg }
            | SupportCall::CompleteMsg { msg, .. }
            | SupportCall::DoSentMail { msg, .. }
            | SupportCall::Preprocess { msg, .. }
            | SupportCall::TransportSend { msg, .. }
            | SupportCall::RemovePreprocessInfo { msg, .. } => Some(*msg),
            SupportCall::SpoolerNotify { .. } | SupportCall::StoreLogoffTransports { .. } => None,
        }
    }

    /// The call's name, without arguments.
    pub fn name(&self) -> &'static str {
        match self {
            SupportCall::SpoolerNotify { .. } => "SpoolerNotify",
            SupportCall::PrepareSubmit { .. } => "PrepareSubmit",
            SupportCall::ExpandRecips { .. } => "ExpandRecips",
            SupportCall::CompleteMsg { .. } => "CompleteMsg",
            SupportCall::DoSentMail { .. } => "DoSentMail",
            SupportCall::StoreLogoffTransports { .. } => "StoreLogoffTransports",
            SupportCall::Preprocess { .. } => "Preprocess",
            SupportCall::TransportSend { .. } => "TransportSend",
            SupportCall::RemovePreprocessInfo { .. } => "RemovePreprocessInfo",
        }
    }
}

/// A notification the implementation raises.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Notification {
    /// fnevTableModified on the outgoing queue table. `msg` is `None` for TABLE_CHANGED.
    QueueTable {
        /// The table event.
        table_event: TableEvent,
        /// The row's entry ID.
        msg: Option<MsgId>,
    },
    /// fnevNewMail to a store-wide sink.
    NewMail {
        /// The sink's connection number.
        sink: u32,
        /// The new message.
        msg: MsgId,
    },
}

impl Notification {
    /// True if `self`, raised by an implementation, satisfies the expected notification `want`.
    /// TABLE_CHANGED stands in for any queue-table event (AMB-25).
    pub fn satisfies(&self, want: &Notification) -> bool {
        match (self, want) {
            (
                Notification::QueueTable {
                    table_event: TableEvent::Changed,
                    ..
                },
                Notification::QueueTable { .. },
            ) => true,
            _ => self == want,
        }
    }
}

/// An expected effect with the rule that demands it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Because<T> {
    /// The effect.
    pub what: T,
    /// The rule that demands it.
    pub rule: RuleId,
}

impl fmt::Display for SupportCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SupportCall::SpoolerNotify { flags } => write!(f, "SpoolerNotify(0x{flags:X})"),
            SupportCall::PrepareSubmit { msg, flags } => write!(f, "PrepareSubmit({msg}, {flags})"),
            SupportCall::ExpandRecips { msg } => write!(f, "ExpandRecips({msg})"),
            SupportCall::CompleteMsg { msg, flags } => write!(f, "CompleteMsg({flags}, {msg})"),
            SupportCall::DoSentMail { msg, flags } => write!(f, "DoSentMail({flags}, {msg})"),
            SupportCall::StoreLogoffTransports { flags } => {
                write!(f, "StoreLogoffTransports(0x{flags:X})")
            }
            SupportCall::Preprocess {
                preprocessor,
                msg,
                locked,
            } => {
                write!(f, "Preprocess#{preprocessor}({msg}{})", lock_note(*locked))
            }
            SupportCall::TransportSend {
                transport,
                msg,
                recipients,
                locked,
            } => {
                let rows: Vec<String> = recipients.iter().map(|r| r.to_string()).collect();
                let xp = format!("{transport:?}").to_uppercase();
                write!(
                    f,
                    "{xp}.SubmitMessage({msg}, rows [{}]{})",
                    rows.join(","),
                    lock_note(*locked)
                )
            }
            SupportCall::RemovePreprocessInfo { preprocessor, msg } => {
                write!(f, "RemovePreprocessInfo#{preprocessor}({msg})")
            }
        }
    }
}

fn lock_note(locked: bool) -> &'static str {
    if locked {
        ""
    } else {
        ", unlocked"
    }
}

impl fmt::Display for Notification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notification::QueueTable { table_event, msg } => {
                let name = match table_event {
                    TableEvent::Changed => "TABLE_CHANGED",
                    TableEvent::RowAdded => "ROW_ADDED",
                    TableEvent::RowDeleted => "ROW_DELETED",
                    TableEvent::RowModified => "ROW_MODIFIED",
                };
                match msg {
                    Some(m) => write!(f, "queue {name} {m}"),
                    None => write!(f, "queue {name}"),
                }
            }
            Notification::NewMail { sink, msg } => write!(f, "newmail sink {sink} {msg}"),
        }
    }
}
