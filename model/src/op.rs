//! Operations (one variant per call, tagged with the caller's role) and their results.

use crate::mapi::Hresult;
use crate::recipient::{BookEntry, RecipientRow};
use crate::state::{AddrType, Folder, MsgId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Who makes a call. The spooler uses the store object from `SpoolerLogon`; everyone else is a client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Role {
    /// A client application's session.
    Client,
    /// The MAPI spooler (or a spooler-emulating protocol manager).
    Spooler,
}

/// The access flags of `OpenEntry`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Access {
    /// No access flag: read-only by default.
    Default,
    /// MAPI_MODIFY (0x1).
    Modify,
    /// MAPI_BEST_ACCESS (0x10).
    BestAccess,
}

/// Which object `OpenEntry` is called on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum OpenPath {
    /// `IMsgStore::OpenEntry`.
    Store,
    /// `IMAPIFolder::OpenEntry` on the message's folder.
    Folder,
}

/// Which client object a write goes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Handle {
    /// The object the client created the message with and called SubmitMessage on.
    Submitter,
    /// An object the client opens afresh with MAPI_BEST_ACCESS.
    Reopened,
}

/// Which messages a transport registers a preprocessor for: `IMAPISupport::RegisterPreprocessor`
/// takes a MAPIUID and an address type, either of which may be NULL (PRE-08, AMB-37).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum PreprocessorScope {
    /// Registered for the transport's address type: the messages with a recipient of that type.
    #[default]
    AddressType,
    /// Registered by the transport's MAPIUID: the messages that transport handles.
    Mapiuid,
    /// Registered with a NULL MAPIUID and a NULL address type: every message.
    AllMessages,
}

impl PreprocessorScope {
    /// Every scope, in a fixed order.
    pub const ALL: [PreprocessorScope; 3] = [
        PreprocessorScope::AddressType,
        PreprocessorScope::Mapiuid,
        PreprocessorScope::AllMessages,
    ];
}

/// What MAPI answers while the store runs one SubmitMessage. The harness knows these in advance
/// (it plays MAPI), so they travel with the operation and one call is one round trip.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct SubmitScript {
    /// The clock reading (FILETIME) the store stamps into PR_CLIENT_SUBMIT_TIME.
    pub now: u64,
    /// What `IMAPISupport::PrepareSubmit` returns.
    pub prepare: Hresult,
    /// What `IMAPISupport::ExpandRecips` returns.
    pub expand: Hresult,
    /// The flags ExpandRecips writes to `*lpulFlags` (NEEDS_PREPROCESSING, NEEDS_SPOOLER).
    pub expand_flags: u32,
    /// The recipient table ExpandRecips leaves when it succeeds (MAPI writes it into the message,
    /// as through ModifyRecipients, PR_RESPONSIBILITY FALSE on every row); `None`: it leaves the
    /// table as it is. Profile `provider`, where the harness is MAPI.
    #[serde(default)]
    pub expanded: Option<Vec<RecipientRow>>,
    /// The entries of the harness's address book the message's rows name, lists' members
    /// included: what an ExpandRecips of the implementation's own reads (profile `system`).
    #[serde(default)]
    pub book: Vec<BookEntry>,
}

impl SubmitScript {
    /// A script where MAPI succeeds and asks for nothing special.
    pub fn ok(now: u64) -> SubmitScript {
        SubmitScript {
            now,
            prepare: Hresult::S_OK,
            expand: Hresult::S_OK,
            expand_flags: 0,
            expanded: None,
            book: Vec::new(),
        }
    }
}

/// What the harness's transports and preprocessors answer while the spooler runs (profile
/// `system`): a preprocessor may still be running and a transport may have a temporary problem,
/// so the spooler stops work on the message and comes back to it in a later run. These are the
/// points where clients act while the spooler holds the message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct SpoolerScript {
    /// The preprocessor (by registration number) that answers MAPI_E_BUSY: still running. The
    /// spooler calls it again when it next serves the message.
    #[serde(default)]
    pub busy_preprocessor: Option<u32>,
    /// The transport that answers MAPI_E_WAIT: a temporary problem; the spooler keeps the message
    /// and sends it again to the rows still to be handled in a later run.
    #[serde(default)]
    pub waiting_transport: Option<AddrType>,
}

/// A message as the client creates it (CreateMessage, SetProps, ModifyRecipients, optional SaveChanges).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct NewMessage {
    /// The folder to create it in.
    pub folder: Folder,
    /// The recipient rows, in row order.
    pub recipients: Vec<RecipientRow>,
    /// PR_SENTMAIL_ENTRYID.
    pub sentmail: Option<Folder>,
    /// PR_DELETE_AFTER_SUBMIT.
    pub delete_after_submit: bool,
    /// The client sets MSGFLAG_UNSENT itself.
    pub unsent: bool,
    /// MSGFLAG_RESEND.
    pub resend: bool,
    /// The client calls SaveChanges before anything else.
    pub saved: bool,
}

/// One call into the store (or, for profile `system`, into the whole MAPI implementation).
///
/// Each variant's documentation names the rules whose checks it exercises.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Op {
    /// A client creates a message. Returns its entry ID. Sets up the rules below; checks none itself.
    CreateMessage(NewMessage),
    /// `IMessage::SubmitMessage`. From a client: CAP-01, CAP-09, PREP-02, SUBMIT-01..16, FLAG-01/02/06,
    /// TC-02..07, OQ-05, OQ-10. From the spooler after preprocessing: PRE-03, PRE-04, PRE-05, FLAG-06.
    SubmitMessage {
        /// The caller.
        caller: Role,
        /// The message.
        msg: MsgId,
        /// `ulFlags` (FORCE_SUBMIT: SUBMIT-03).
        flags: u32,
        /// MAPI's answers during the call.
        script: SubmitScript,
    },
    /// `IMsgStore::AbortSubmit`: ABORT-01..05, ABORT-07, SUBMIT-16, OQ-05.
    AbortSubmit {
        /// The caller.
        caller: Role,
        /// The entry ID read before submission.
        msg: MsgId,
    },
    /// `OpenEntry` on a message: ACCESS-01..05, ACCESS-10, ACCESS-11, SUBMIT-16.
    OpenEntry {
        /// The caller.
        caller: Role,
        /// The message.
        msg: MsgId,
        /// MAPI_MODIFY, MAPI_BEST_ACCESS or neither.
        access: Access,
        /// Through the store or the folder.
        path: OpenPath,
    },
    /// A client changes a property and saves, through the given object: SUBMIT-14, ACCESS-09, ACCESS-01.
    WriteMessage {
        /// The caller.
        caller: Role,
        /// The message.
        msg: MsgId,
        /// The object written through.
        via: Handle,
    },
    /// `IMsgStore::SetLockState`: SPL-03, SPL-04, SPL-06, SPL-07, FLAG-06, OQ-11, CAP-02.
    SetLockState {
        /// The caller.
        caller: Role,
        /// The message.
        msg: MsgId,
        /// MSG_LOCKED (true) or MSG_UNLOCKED (false).
        lock: bool,
    },
    /// `IMsgStore::GetOutgoingQueue`: OQ-01, OQ-02, OQ-03, CAP-02.
    GetOutgoingQueue {
        /// The caller.
        caller: Role,
    },
    /// The spooler, for a transport, sets PR_RESPONSIBILITY TRUE on one recipient and saves: SPL-08, ACCESS-05.
    MarkResponsibility {
        /// The caller.
        caller: Role,
        /// The message.
        msg: MsgId,
        /// The recipient row.
        recipient: u8,
    },
    /// `IMsgStore::FinishedMsg`: SPL-11..16, CAP-02, SUBMIT-16, OQ-05.
    FinishedMsg {
        /// The caller.
        caller: Role,
        /// The message.
        msg: MsgId,
    },
    /// A client registers a store-wide fnevNewMail sink (`IMsgStore::Advise` with no entry ID).
    AdviseNewMail,
    /// `IMsgStore::NotifyNewMail` for a message: NNM-01, NNM-02, CAP-02.
    NotifyNewMail {
        /// The caller.
        caller: Role,
        /// The new message the notification names.
        msg: MsgId,
    },
    /// `IMessage::SetReadFlag`: ACCESS-07.
    SetReadFlag {
        /// The caller.
        caller: Role,
        /// The message.
        msg: MsgId,
    },
    /// `IMAPIFolder::DeleteMessages` on one message: ACCESS-06.
    DeleteMessage {
        /// The caller.
        caller: Role,
        /// The message.
        msg: MsgId,
    },
    /// `IMAPIFolder::EmptyFolder`: ACCESS-08.
    EmptyFolder {
        /// The caller.
        caller: Role,
        /// The folder.
        folder: Folder,
    },
    /// Read PR_STORE_SUPPORT_MASK: CAP-03.
    GetSupportMask,
    /// `IMsgStore::StoreLogoff` with these flags; the store saves them for shutdown: PERSIST-04.
    StoreLogoff {
        /// LOGOFF_* flags.
        flags: u32,
    },
    /// The store shuts down and starts again (a new session): PERSIST-01, PERSIST-03, PERSIST-04, SUBMIT-01.
    Restart,
    /// Profile `system`: a transport registers a preprocessor: PRE-08. It registers it for its
    /// address type, by its MAPIUID, or for all messages (a NULL MAPIUID and a NULL address type);
    /// the spooler's RunSpooler then calls it only for the messages its scope covers (AMB-37).
    RegisterPreprocessor {
        /// The registering transport (each address type has its own transport).
        addr: AddrType,
        /// Which messages the preprocessor is for.
        #[serde(default)]
        scope: PreprocessorScope,
    },
    /// Profile `system`: a transport becomes unavailable or available again: SPL-02.
    SetTransportAvailable {
        /// The transport's address type.
        addr: AddrType,
        /// Available or not.
        available: bool,
    },
    /// Profile `system`: the spooler takes the next message it can serve and processes it as far as
    /// the transports and preprocessors let it (a busy preprocessor or a waiting transport stops
    /// it, the message held): PRE-02, PRE-08, SPL-02, SPL-06, SPL-10, SPL-19, SPL-20, SPL-21,
    /// TC-06, EXP-04..08 (through the submissions before it).
    RunSpooler {
        /// What the transports and preprocessors answer.
        #[serde(default)]
        script: SpoolerScript,
    },
}

/// Matches the variants that are about one message, once for `msg` and `msg_mut`.
macro_rules! with_msg {
    ($op:expr, $msg:ident => $found:expr) => {
        match $op {
            Op::SubmitMessage { $msg, .. }
            | Op::AbortSubmit { $msg, .. }
            | Op::OpenEntry { $msg, .. }
            | Op::WriteMessage { $msg, .. }
            | Op::SetLockState { $msg, .. }
            | Op::MarkResponsibility { $msg, .. }
            | Op::FinishedMsg { $msg, .. }
            | Op::NotifyNewMail { $msg, .. }
            | Op::SetReadFlag { $msg, .. }
            | Op::DeleteMessage { $msg, .. } => $found,
            _ => None,
        }
    };
}

impl Op {
    /// The spooler runs with every transport and preprocessor answering at once.
    pub fn run_spooler() -> Op {
        Op::RunSpooler {
            script: SpoolerScript::default(),
        }
    }

    /// The call's name as MAPI spells it.
    pub fn call_name(&self) -> &'static str {
        match self {
            Op::CreateMessage(_) => "CreateMessage",
            Op::SubmitMessage { .. } => "SubmitMessage",
            Op::AbortSubmit { .. } => "AbortSubmit",
            Op::OpenEntry { .. } => "OpenEntry",
            Op::WriteMessage { .. } => "SaveChanges",
            Op::SetLockState { .. } => "SetLockState",
            Op::GetOutgoingQueue { .. } => "GetOutgoingQueue",
            Op::MarkResponsibility { .. } => "ModifyRecipients",
            Op::FinishedMsg { .. } => "FinishedMsg",
            Op::AdviseNewMail => "Advise",
            Op::NotifyNewMail { .. } => "NotifyNewMail",
            Op::SetReadFlag { .. } => "SetReadFlag",
            Op::DeleteMessage { .. } => "DeleteMessages",
            Op::EmptyFolder { .. } => "EmptyFolder",
            Op::GetSupportMask => "GetProps",
            Op::StoreLogoff { .. } => "StoreLogoff",
            Op::Restart => "Restart",
            Op::RegisterPreprocessor { .. } => "RegisterPreprocessor",
            Op::SetTransportAvailable { .. } => "TransportStatus",
            Op::RunSpooler { .. } => "RunSpooler",
        }
    }

    /// Who makes the call.
    pub fn caller(&self) -> Role {
        match self {
            Op::SubmitMessage { caller, .. }
            | Op::AbortSubmit { caller, .. }
            | Op::OpenEntry { caller, .. }
            | Op::WriteMessage { caller, .. }
            | Op::SetLockState { caller, .. }
            | Op::GetOutgoingQueue { caller }
            | Op::MarkResponsibility { caller, .. }
            | Op::FinishedMsg { caller, .. }
            | Op::NotifyNewMail { caller, .. }
            | Op::SetReadFlag { caller, .. }
            | Op::DeleteMessage { caller, .. }
            | Op::EmptyFolder { caller, .. } => *caller,
            Op::RunSpooler { .. } => Role::Spooler,
            _ => Role::Client,
        }
    }

    /// The message the call is about, if any.
    pub fn msg(&self) -> Option<MsgId> {
        with_msg!(self, msg => Some(*msg))
    }

    /// The message the call is about, to point the call elsewhere (the fuzz targets do).
    pub fn msg_mut(&mut self) -> Option<&mut MsgId> {
        with_msg!(self, msg => Some(msg))
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.call_name();
        match self {
            Op::CreateMessage(n) => {
                let recips: Vec<String> = n.recipients.iter().map(RecipientRow::short).collect();
                write!(f, "{name}({:?}, [{}]", n.folder, recips.join(", "))?;
                if let Some(s) = n.sentmail {
                    write!(f, ", sentmail={s:?}")?;
                }
                for (on, label) in [
                    (n.delete_after_submit, "delete-after-submit"),
                    (n.unsent, "unsent"),
                    (n.resend, "resend"),
                    (n.saved, "saved"),
                ] {
                    if on {
                        write!(f, ", {label}")?;
                    }
                }
                f.write_str(")")
            }
            Op::SubmitMessage {
                msg, flags, script, ..
            } => {
                write!(f, "{name}({msg}")?;
                if *flags != 0 {
                    write!(f, ", flags=0x{flags:X}")?;
                }
                if script.prepare != Hresult::S_OK {
                    write!(f, ", PrepareSubmit->{}", script.prepare)?;
                }
                if script.expand != Hresult::S_OK {
                    write!(f, ", ExpandRecips->{}", script.expand)?;
                }
                if script.expand_flags != 0 {
                    write!(f, ", expand=0x{:X}", script.expand_flags)?;
                }
                f.write_str(")")
            }
            Op::OpenEntry {
                msg, access, path, ..
            } => {
                let via = if *path == OpenPath::Folder {
                    ", via folder"
                } else {
                    ""
                };
                write!(f, "{name}({msg}, {}{via})", access_name(*access))
            }
            Op::WriteMessage { msg, via, .. } => write!(f, "{name}({msg}, via {via:?})"),
            Op::SetLockState { msg, lock, .. } => {
                write!(
                    f,
                    "{name}({msg}, {})",
                    if *lock { "MSG_LOCKED" } else { "MSG_UNLOCKED" }
                )
            }
            Op::MarkResponsibility { msg, recipient, .. } => {
                write!(f, "{name}({msg}, row {recipient} handled)")
            }
            Op::EmptyFolder { folder, .. } => write!(f, "{name}({folder:?})"),
            Op::StoreLogoff { flags } => write!(f, "{name}(0x{flags:X})"),
            Op::RegisterPreprocessor { addr, scope } => {
                let scope = match scope {
                    PreprocessorScope::AddressType => "",
                    PreprocessorScope::Mapiuid => ", by MAPIUID",
                    PreprocessorScope::AllMessages => ", all messages",
                };
                write!(f, "{name}({}{scope})", format!("{addr:?}").to_uppercase())
            }
            Op::RunSpooler { script } => {
                let mut parts = Vec::new();
                if let Some(p) = script.busy_preprocessor {
                    parts.push(format!("preprocessor #{p} busy"));
                }
                if let Some(t) = script.waiting_transport {
                    parts.push(format!("{} waits", t.name()));
                }
                write!(f, "{name}({})", parts.join(", "))
            }
            Op::SetTransportAvailable { addr, available } => {
                write!(
                    f,
                    "{name}({}, {})",
                    format!("{addr:?}").to_uppercase(),
                    if *available { "up" } else { "down" }
                )
            }
            _ => match self.msg() {
                Some(msg) => write!(f, "{name}({msg})"),
                None => write!(f, "{name}()"),
            },
        }
    }
}

fn access_name(access: Access) -> &'static str {
    match access {
        Access::Default => "no flags",
        Access::Modify => "MAPI_MODIFY",
        Access::BestAccess => "MAPI_BEST_ACCESS",
    }
}

/// PR_ACCESS_LEVEL of an opened object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccessLevel {
    /// 0: read-only.
    ReadOnly,
    /// 1: modify.
    Modify,
}

/// One row of the outgoing queue table, with the columns the suite reads (OQ-02).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueRow {
    /// PR_ENTRYID.
    pub msg: MsgId,
    /// PR_SUBMIT_FLAGS (`None` when the column is missing).
    pub submit_flags: Option<u32>,
    /// PR_MESSAGE_FLAGS, masked to the bits the model governs.
    pub message_flags: Option<u32>,
    /// PR_CLIENT_SUBMIT_TIME.
    pub client_submit_time: Option<u64>,
}

impl fmt::Display for QueueRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::observe::{message_flags_text, submit_flags_text};
        let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
        write!(
            f,
            "{} PR_SUBMIT_FLAGS={} PR_MESSAGE_FLAGS={} PR_CLIENT_SUBMIT_TIME={}",
            self.msg,
            or_dash(self.submit_flags.map(submit_flags_text)),
            or_dash(self.message_flags.map(message_flags_text)),
            or_dash(self.client_submit_time.map(|t| t.to_string())),
        )
    }
}

/// The data a call returns besides its HRESULT.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum RetData {
    /// Nothing.
    None,
    /// CreateMessage: the new message's entry ID.
    Created(MsgId),
    /// OpenEntry: the object's PR_ACCESS_LEVEL.
    Opened(AccessLevel),
    /// GetOutgoingQueue: the rows in the table's default order.
    Queue(Vec<QueueRow>),
    /// AdviseNewMail: the sink's connection number.
    Sink(u32),
    /// GetSupportMask: PR_STORE_SUPPORT_MASK.
    SupportMask(u32),
}

/// A call's result: the HRESULT and any returned data.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ret {
    /// The HRESULT.
    pub hr: Hresult,
    /// Returned data (`RetData::None` on failure).
    pub data: RetData,
}

impl Ret {
    /// A plain result with no data.
    pub fn hr(hr: Hresult) -> Ret {
        Ret {
            hr,
            data: RetData::None,
        }
    }

    /// S_OK with data.
    pub fn ok(data: RetData) -> Ret {
        Ret {
            hr: Hresult::S_OK,
            data,
        }
    }
}

impl fmt::Display for Ret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.hr)?;
        match &self.data {
            RetData::None => Ok(()),
            RetData::Created(m) => write!(f, " {m}"),
            RetData::Opened(AccessLevel::ReadOnly) => f.write_str(" read-only"),
            RetData::Opened(AccessLevel::Modify) => f.write_str(" read/write"),
            RetData::Queue(rows) => {
                let ids: Vec<String> = rows.iter().map(|r| r.msg.to_string()).collect();
                write!(f, " [{}]", ids.join(", "))
            }
            RetData::Sink(s) => write!(f, " sink {s}"),
            RetData::SupportMask(m) => write!(f, " mask=0x{m:X}"),
        }
    }
}
