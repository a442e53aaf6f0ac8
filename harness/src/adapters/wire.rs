//! The provider contract's messages (`proto/spoolcheck/v2/provider.proto`) and their translation to
//! and from the model's types, both ways: the gRPC adapter encodes operations and decodes answers,
//! the gRPC server does the opposite.
//!
//! Decoding never trusts the other side: every enum value, message number and oneof is checked,
//! and an error names the field ("applied.calls[2].prepare_submit.msg: ...").

use spoolcheck_model::choices::{
    Completion, DeleteMeans, DispositionBy, LockAfterRestart, PrepareSubmitPolicy, SentMailMode,
    TightCoupling,
};
use spoolcheck_model::mapi::{Hresult, TableEvent};
use spoolcheck_model::observe::{MessageView, OBSERVED_MESSAGE_FLAGS};
use spoolcheck_model::op::{AccessLevel, QueueRow, RetData};
use spoolcheck_model::recipient::BookEntry;
use spoolcheck_model::{
    Access, AddrType, Choices, EntryRef, Folder, Handle, MsgId, NewMessage, Notification,
    Observation, Op, OpenPath, PreprocessorScope, Profile, RecipType, RecipientRow, Ret, Role,
    SpoolerScript, SubmitScript, SupportCall,
};
use std::collections::BTreeMap;
use std::fmt;

/// The generated types of package `spoolcheck.v2`.
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod pb {
    tonic::include_proto!("spoolcheck.v2");
}

/// A message that does not follow the contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError {
    /// Where: the field path.
    pub path: String,
    /// What is wrong there.
    pub problem: String,
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.problem)
    }
}

impl std::error::Error for WireError {}

fn bad<T>(path: &str, problem: impl Into<String>) -> Result<T, WireError> {
    Err(WireError {
        path: path.to_string(),
        problem: problem.into(),
    })
}

fn field(path: &str, name: &str) -> String {
    format!("{path}.{name}")
}

/// Enums that map one to one onto a proto enum, with `0` meaning "unspecified".
macro_rules! enum_map {
    ($encode:ident, $decode:ident, $model:ty, $proto:ty, { $($m:path => $p:path,)* }) => {
        fn $encode(value: $model) -> i32 {
            match value { $($m => $p as i32,)* }
        }
        fn $decode(value: i32, path: &str) -> Result<$model, WireError> {
            match <$proto>::try_from(value) {
                $(Ok($p) => Ok($m),)*
                _ => bad(
                    path,
                    format!("{value} is not a valid {}", stringify!($proto).trim_start_matches("pb::")),
                ),
            }
        }
    };
}

enum_map!(encode_role, decode_role, Role, pb::Role, {
    Role::Client => pb::Role::Client,
    Role::Spooler => pb::Role::Spooler,
});
enum_map!(encode_folder, decode_folder, Folder, pb::Folder, {
    Folder::Inbox => pb::Folder::Inbox,
    Folder::Outbox => pb::Folder::Outbox,
    Folder::Drafts => pb::Folder::Drafts,
    Folder::SentItems => pb::Folder::SentItems,
    Folder::DeletedItems => pb::Folder::DeletedItems,
});
enum_map!(encode_addr, decode_addr, AddrType, pb::AddrType, {
    AddrType::Smtp => pb::AddrType::Smtp,
    AddrType::Fax => pb::AddrType::Fax,
    AddrType::X400 => pb::AddrType::X400,
    AddrType::Mapipdl => pb::AddrType::Mapipdl,
});
enum_map!(encode_kind, decode_kind, RecipType, pb::RecipientType, {
    RecipType::To => pb::RecipientType::To,
    RecipType::Cc => pb::RecipientType::Cc,
    RecipType::Bcc => pb::RecipientType::Bcc,
});

// ---- Recipients ---------------------------------------------------------------------------

fn encode_entry(e: EntryRef) -> (i32, u32) {
    match e {
        EntryRef::Unresolved => (pb::EntryKind::Unresolved as i32, 0),
        EntryRef::OneOff => (pb::EntryKind::OneOff as i32, 0),
        EntryRef::Person(n) => (pb::EntryKind::Person as i32, n),
        EntryRef::List(n) => (pb::EntryKind::List as i32, n),
    }
}

fn decode_entry(kind: i32, id: u32, path: &str) -> Result<EntryRef, WireError> {
    match pb::EntryKind::try_from(kind) {
        Ok(pb::EntryKind::Unresolved) => Ok(EntryRef::Unresolved),
        Ok(pb::EntryKind::OneOff) => Ok(EntryRef::OneOff),
        Ok(pb::EntryKind::Person) => Ok(EntryRef::Person(id)),
        Ok(pb::EntryKind::List) => Ok(EntryRef::List(id)),
        _ => bad(
            &field(path, "entry_kind"),
            format!("{kind} is not a valid EntryKind"),
        ),
    }
}

fn encode_recipient(r: &RecipientRow) -> pb::RecipientRow {
    let (entry_kind, entry_id) = encode_entry(r.entry);
    pb::RecipientRow {
        recipient_type: encode_kind(r.kind),
        addr_type: encode_addr(r.addr),
        display_name: r.name.clone(),
        email_address: r.email.clone(),
        entry_kind,
        entry_id,
    }
}

fn decode_recipient(r: &pb::RecipientRow, path: &str) -> Result<RecipientRow, WireError> {
    Ok(RecipientRow {
        kind: decode_kind(r.recipient_type, &field(path, "recipient_type"))?,
        addr: decode_addr(r.addr_type, &field(path, "addr_type"))?,
        name: r.display_name.clone(),
        email: r.email_address.clone(),
        entry: decode_entry(r.entry_kind, r.entry_id, path)?,
    })
}

fn decode_recipients(
    rows: &[pb::RecipientRow],
    path: &str,
) -> Result<Vec<RecipientRow>, WireError> {
    rows.iter()
        .enumerate()
        .map(|(i, r)| decode_recipient(r, &format!("{path}[{i}]")))
        .collect()
}

fn encode_book(b: &BookEntry) -> pb::BookEntry {
    let (entry_kind, entry_id) = encode_entry(b.entry);
    pb::BookEntry {
        entry_kind,
        entry_id,
        display_name: b.name.clone(),
        addr_type: encode_addr(b.addr),
        email_address: b.email.clone(),
        members: b
            .members
            .iter()
            .map(|&m| {
                let (entry_kind, entry_id) = encode_entry(m);
                pb::BookMember {
                    entry_kind,
                    entry_id,
                }
            })
            .collect(),
    }
}

fn decode_book(b: &pb::BookEntry, path: &str) -> Result<BookEntry, WireError> {
    Ok(BookEntry {
        entry: decode_entry(b.entry_kind, b.entry_id, path)?,
        name: b.display_name.clone(),
        addr: decode_addr(b.addr_type, &field(path, "addr_type"))?,
        email: b.email_address.clone(),
        members: b
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| decode_entry(m.entry_kind, m.entry_id, &format!("{path}.members[{i}]")))
            .collect::<Result<_, _>>()?,
    })
}
enum_map!(encode_scope, decode_scope, PreprocessorScope, pb::PreprocessorScope, {
    PreprocessorScope::AddressType => pb::PreprocessorScope::AddressType,
    PreprocessorScope::Mapiuid => pb::PreprocessorScope::Mapiuid,
    PreprocessorScope::AllMessages => pb::PreprocessorScope::AllMessages,
});
enum_map!(encode_access, decode_access, Access, pb::Access, {
    Access::Default => pb::Access::Default,
    Access::Modify => pb::Access::Modify,
    Access::BestAccess => pb::Access::BestAccess,
});
enum_map!(encode_path, decode_path, OpenPath, pb::OpenPath, {
    OpenPath::Store => pb::OpenPath::Store,
    OpenPath::Folder => pb::OpenPath::Folder,
});
enum_map!(encode_handle, decode_handle, Handle, pb::Handle, {
    Handle::Submitter => pb::Handle::Submitter,
    Handle::Reopened => pb::Handle::Reopened,
});
enum_map!(encode_profile, decode_profile, Profile, pb::Profile, {
    Profile::Provider => pb::Profile::Provider,
    Profile::System => pb::Profile::System,
});
enum_map!(encode_prepare, decode_prepare, PrepareSubmitPolicy, pb::PrepareSubmitPolicy, {
    PrepareSubmitPolicy::Always => pb::PrepareSubmitPolicy::PrepareSubmitAlways,
    PrepareSubmitPolicy::ResendOnly => pb::PrepareSubmitPolicy::PrepareSubmitResendOnly,
});
enum_map!(encode_lock, decode_lock, LockAfterRestart, pb::LockAfterRestart, {
    LockAfterRestart::Dropped => pb::LockAfterRestart::LockDropped,
    LockAfterRestart::Kept => pb::LockAfterRestart::LockKept,
    LockAfterRestart::Either => pb::LockAfterRestart::LockEither,
});
enum_map!(encode_completion, decode_completion, Completion, pb::Completion, {
    Completion::CompleteMsg => pb::Completion::CompleteMsg,
    Completion::Local => pb::Completion::Local,
});
enum_map!(encode_disposition, decode_disposition, DispositionBy, pb::DispositionBy, {
    DispositionBy::Store => pb::DispositionBy::Store,
    DispositionBy::DoSentMail => pb::DispositionBy::DoSentMail,
});
enum_map!(encode_delete, decode_delete, DeleteMeans, pb::DeleteMeans, {
    DeleteMeans::HardDelete => pb::DeleteMeans::HardDelete,
    DeleteMeans::MoveToDeletedItems => pb::DeleteMeans::MoveToDeletedItems,
});
enum_map!(encode_sentmail, decode_sentmail, SentMailMode, pb::SentMailMode, {
    SentMailMode::Move => pb::SentMailMode::SentMailMove,
    SentMailMode::Copy => pb::SentMailMode::SentMailCopy,
});
enum_map!(encode_level, decode_level, AccessLevel, pb::AccessLevel, {
    AccessLevel::ReadOnly => pb::AccessLevel::ReadOnly,
    AccessLevel::Modify => pb::AccessLevel::Modify,
});
enum_map!(encode_event, decode_event, TableEvent, pb::TableEvent, {
    TableEvent::Changed => pb::TableEvent::TableChanged,
    TableEvent::RowAdded => pb::TableEvent::TableRowAdded,
    TableEvent::RowDeleted => pb::TableEvent::TableRowDeleted,
    TableEvent::RowModified => pb::TableEvent::TableRowModified,
});

fn decode_msg(n: u32, path: &str) -> Result<MsgId, WireError> {
    if n == 0 {
        return bad(path, "0 is not a message (messages are numbered from 1)");
    }
    Ok(MsgId(n))
}

fn decode_row(n: u32, path: &str) -> Result<u8, WireError> {
    u8::try_from(n).or_else(|_| bad(path, format!("recipient row {n} is out of range")))
}

fn some<'a, T>(value: &'a Option<T>, path: &str) -> Result<&'a T, WireError> {
    match value {
        Some(v) => Ok(v),
        None => bad(path, "missing"),
    }
}

// ---- Choices ------------------------------------------------------------------------------

/// The declared choices on the wire.
pub fn encode_choices(c: &Choices) -> pb::Choices {
    pb::Choices {
        profile: encode_profile(c.profile),
        submission: c.submission,
        prepare_submit: encode_prepare(c.prepare_submit),
        enforce_spooler_only: c.enforce_spooler_only,
        lock_after_restart: encode_lock(c.lock_after_restart),
        tight_coupling: c.tight_coupling.as_ref().map(|t| pb::TightCoupling {
            handles: t.handles.iter().map(|&a| encode_addr(a)).collect(),
            completion: encode_completion(t.completion),
        }),
        disposition_by: encode_disposition(c.disposition_by),
        delete_means: encode_delete(c.delete_means),
        sentmail: encode_sentmail(c.sentmail),
    }
}

/// The declared choices from the wire.
pub fn decode_choices(c: &pb::Choices, path: &str) -> Result<Choices, WireError> {
    let tight_coupling = match &c.tight_coupling {
        None => None,
        Some(t) => {
            let p = field(path, "tight_coupling");
            Some(TightCoupling {
                handles: t
                    .handles
                    .iter()
                    .enumerate()
                    .map(|(i, &a)| decode_addr(a, &format!("{p}.handles[{i}]")))
                    .collect::<Result<_, _>>()?,
                completion: decode_completion(t.completion, &field(&p, "completion"))?,
            })
        }
    };
    Ok(Choices {
        profile: decode_profile(c.profile, &field(path, "profile"))?,
        submission: c.submission,
        prepare_submit: decode_prepare(c.prepare_submit, &field(path, "prepare_submit"))?,
        enforce_spooler_only: c.enforce_spooler_only,
        lock_after_restart: decode_lock(c.lock_after_restart, &field(path, "lock_after_restart"))?,
        tight_coupling,
        disposition_by: decode_disposition(c.disposition_by, &field(path, "disposition_by"))?,
        delete_means: decode_delete(c.delete_means, &field(path, "delete_means"))?,
        sentmail: decode_sentmail(c.sentmail, &field(path, "sentmail"))?,
    })
}

// ---- Operations ---------------------------------------------------------------------------

/// An operation on the wire.
pub fn encode_op(op: &Op) -> pb::Op {
    use pb::op::Kind;
    let kind = match op {
        Op::CreateMessage(n) => Kind::CreateMessage(pb::CreateMessage {
            folder: encode_folder(n.folder),
            recipients: n.recipients.iter().map(encode_recipient).collect(),
            sentmail: n.sentmail.map_or(0, encode_folder),
            delete_after_submit: n.delete_after_submit,
            unsent: n.unsent,
            resend: n.resend,
            saved: n.saved,
        }),
        Op::SubmitMessage {
            caller,
            msg,
            flags,
            script,
        } => Kind::SubmitMessage(pb::SubmitMessage {
            caller: encode_role(*caller),
            msg: msg.0,
            flags: *flags,
            script: Some(pb::SubmitScript {
                now: script.now,
                prepare: script.prepare.0,
                expand: script.expand.0,
                expand_flags: script.expand_flags,
                expanded: script.expanded.as_ref().map(|rows| pb::RecipientTable {
                    rows: rows.iter().map(encode_recipient).collect(),
                }),
                book: script.book.iter().map(encode_book).collect(),
            }),
        }),
        Op::AbortSubmit { caller, msg } => Kind::AbortSubmit(pb::AbortSubmit {
            caller: encode_role(*caller),
            msg: msg.0,
        }),
        Op::OpenEntry {
            caller,
            msg,
            access,
            path,
        } => Kind::OpenEntry(pb::OpenEntry {
            caller: encode_role(*caller),
            msg: msg.0,
            access: encode_access(*access),
            path: encode_path(*path),
        }),
        Op::WriteMessage { caller, msg, via } => Kind::WriteMessage(pb::WriteMessage {
            caller: encode_role(*caller),
            msg: msg.0,
            via: encode_handle(*via),
        }),
        Op::SetLockState { caller, msg, lock } => Kind::SetLockState(pb::SetLockState {
            caller: encode_role(*caller),
            msg: msg.0,
            lock: *lock,
        }),
        Op::GetOutgoingQueue { caller } => Kind::GetOutgoingQueue(pb::GetOutgoingQueue {
            caller: encode_role(*caller),
        }),
        Op::MarkResponsibility {
            caller,
            msg,
            recipient,
        } => Kind::MarkResponsibility(pb::MarkResponsibility {
            caller: encode_role(*caller),
            msg: msg.0,
            recipient: u32::from(*recipient),
        }),
        Op::FinishedMsg { caller, msg } => Kind::FinishedMsg(pb::FinishedMsg {
            caller: encode_role(*caller),
            msg: msg.0,
        }),
        Op::AdviseNewMail => Kind::AdviseNewMail(pb::AdviseNewMail {}),
        Op::NotifyNewMail { caller, msg } => Kind::NotifyNewMail(pb::NotifyNewMail {
            caller: encode_role(*caller),
            msg: msg.0,
        }),
        Op::SetReadFlag { caller, msg } => Kind::SetReadFlag(pb::SetReadFlag {
            caller: encode_role(*caller),
            msg: msg.0,
        }),
        Op::DeleteMessage { caller, msg } => Kind::DeleteMessage(pb::DeleteMessage {
            caller: encode_role(*caller),
            msg: msg.0,
        }),
        Op::EmptyFolder { caller, folder } => Kind::EmptyFolder(pb::EmptyFolder {
            caller: encode_role(*caller),
            folder: encode_folder(*folder),
        }),
        Op::GetSupportMask => Kind::GetSupportMask(pb::GetSupportMask {}),
        Op::StoreLogoff { flags } => Kind::StoreLogoff(pb::StoreLogoff { flags: *flags }),
        Op::Restart => Kind::Restart(pb::Restart {}),
        Op::RegisterPreprocessor { addr, scope } => {
            Kind::RegisterPreprocessor(pb::RegisterPreprocessor {
                transport: encode_addr(*addr),
                scope: encode_scope(*scope),
            })
        }
        Op::SetTransportAvailable { addr, available } => {
            Kind::SetTransportAvailable(pb::SetTransportAvailable {
                transport: encode_addr(*addr),
                available: *available,
            })
        }
        Op::RunSpooler { script } => Kind::RunSpooler(pb::RunSpooler {
            busy_preprocessor: script.busy_preprocessor,
            waiting_transport: script.waiting_transport.map(encode_addr),
        }),
    };
    pb::Op { kind: Some(kind) }
}

/// An operation from the wire.
pub fn decode_op(op: &pb::Op, path: &str) -> Result<Op, WireError> {
    use pb::op::Kind;
    let kind = some(&op.kind, path)?;
    let role = |caller: i32, p: &str| decode_role(caller, &field(p, "caller"));
    // An operation may name message 0, or a number not given out yet: an entry ID the store never
    // gave out (AMB-16).
    let msg = |n: u32, _: &str| Ok::<_, WireError>(MsgId(n));
    Ok(match kind {
        Kind::CreateMessage(n) => {
            let p = field(path, "create_message");
            Op::CreateMessage(NewMessage {
                folder: decode_folder(n.folder, &field(&p, "folder"))?,
                recipients: decode_recipients(&n.recipients, &field(&p, "recipients"))?,
                sentmail: match n.sentmail {
                    0 => None,
                    f => Some(decode_folder(f, &field(&p, "sentmail"))?),
                },
                delete_after_submit: n.delete_after_submit,
                unsent: n.unsent,
                resend: n.resend,
                saved: n.saved,
            })
        }
        Kind::SubmitMessage(s) => {
            let p = field(path, "submit_message");
            let script = some(&s.script, &field(&p, "script"))?;
            Op::SubmitMessage {
                caller: role(s.caller, &p)?,
                msg: msg(s.msg, &p)?,
                flags: s.flags,
                script: SubmitScript {
                    now: script.now,
                    prepare: Hresult(script.prepare),
                    expand: Hresult(script.expand),
                    expand_flags: script.expand_flags,
                    expanded: match &script.expanded {
                        None => None,
                        Some(t) => Some(decode_recipients(
                            &t.rows,
                            &format!("{p}.script.expanded.rows"),
                        )?),
                    },
                    book: script
                        .book
                        .iter()
                        .enumerate()
                        .map(|(i, b)| decode_book(b, &format!("{p}.script.book[{i}]")))
                        .collect::<Result<_, _>>()?,
                },
            }
        }
        Kind::AbortSubmit(a) => {
            let p = field(path, "abort_submit");
            Op::AbortSubmit {
                caller: role(a.caller, &p)?,
                msg: msg(a.msg, &p)?,
            }
        }
        Kind::OpenEntry(o) => {
            let p = field(path, "open_entry");
            Op::OpenEntry {
                caller: role(o.caller, &p)?,
                msg: msg(o.msg, &p)?,
                access: decode_access(o.access, &field(&p, "access"))?,
                path: decode_path(o.path, &field(&p, "path"))?,
            }
        }
        Kind::WriteMessage(w) => {
            let p = field(path, "write_message");
            Op::WriteMessage {
                caller: role(w.caller, &p)?,
                msg: msg(w.msg, &p)?,
                via: decode_handle(w.via, &field(&p, "via"))?,
            }
        }
        Kind::SetLockState(l) => {
            let p = field(path, "set_lock_state");
            Op::SetLockState {
                caller: role(l.caller, &p)?,
                msg: msg(l.msg, &p)?,
                lock: l.lock,
            }
        }
        Kind::GetOutgoingQueue(g) => Op::GetOutgoingQueue {
            caller: role(g.caller, &field(path, "get_outgoing_queue"))?,
        },
        Kind::MarkResponsibility(m) => {
            let p = field(path, "mark_responsibility");
            Op::MarkResponsibility {
                caller: role(m.caller, &p)?,
                msg: msg(m.msg, &p)?,
                recipient: decode_row(m.recipient, &field(&p, "recipient"))?,
            }
        }
        Kind::FinishedMsg(m) => {
            let p = field(path, "finished_msg");
            Op::FinishedMsg {
                caller: role(m.caller, &p)?,
                msg: msg(m.msg, &p)?,
            }
        }
        Kind::AdviseNewMail(_) => Op::AdviseNewMail,
        Kind::NotifyNewMail(m) => {
            let p = field(path, "notify_new_mail");
            Op::NotifyNewMail {
                caller: role(m.caller, &p)?,
                msg: msg(m.msg, &p)?,
            }
        }
        Kind::SetReadFlag(m) => {
            let p = field(path, "set_read_flag");
            Op::SetReadFlag {
                caller: role(m.caller, &p)?,
                msg: msg(m.msg, &p)?,
            }
        }
        Kind::DeleteMessage(m) => {
            let p = field(path, "delete_message");
            Op::DeleteMessage {
                caller: role(m.caller, &p)?,
                msg: msg(m.msg, &p)?,
            }
        }
        Kind::EmptyFolder(e) => {
            let p = field(path, "empty_folder");
            Op::EmptyFolder {
                caller: role(e.caller, &p)?,
                folder: decode_folder(e.folder, &field(&p, "folder"))?,
            }
        }
        Kind::GetSupportMask(_) => Op::GetSupportMask,
        Kind::StoreLogoff(s) => Op::StoreLogoff { flags: s.flags },
        Kind::Restart(_) => Op::Restart,
        Kind::RegisterPreprocessor(r) => {
            let p = field(path, "register_preprocessor");
            Op::RegisterPreprocessor {
                addr: decode_addr(r.transport, &field(&p, "transport"))?,
                scope: decode_scope(r.scope, &field(&p, "scope"))?,
            }
        }
        Kind::SetTransportAvailable(s) => Op::SetTransportAvailable {
            addr: decode_addr(
                s.transport,
                &field(&field(path, "set_transport_available"), "transport"),
            )?,
            available: s.available,
        },
        Kind::RunSpooler(r) => Op::RunSpooler {
            script: SpoolerScript {
                busy_preprocessor: r.busy_preprocessor,
                waiting_transport: match r.waiting_transport {
                    None => None,
                    Some(a) => Some(decode_addr(
                        a,
                        &field(&field(path, "run_spooler"), "waiting_transport"),
                    )?),
                },
            },
        },
    })
}

// ---- Results ------------------------------------------------------------------------------

/// A return value on the wire.
pub fn encode_ret(ret: &Ret) -> pb::Ret {
    use pb::ret::Data;
    let data = match &ret.data {
        RetData::None => None,
        RetData::Created(m) => Some(Data::Created(m.0)),
        RetData::Opened(level) => Some(Data::Opened(encode_level(*level))),
        RetData::Queue(rows) => Some(Data::Queue(pb::QueueRows {
            rows: rows
                .iter()
                .map(|r| pb::QueueRow {
                    msg: r.msg.0,
                    submit_flags: r.submit_flags,
                    message_flags: r.message_flags,
                    client_submit_time: r.client_submit_time,
                })
                .collect(),
        })),
        RetData::Sink(s) => Some(Data::Sink(*s)),
        RetData::SupportMask(m) => Some(Data::SupportMask(*m)),
    };
    pb::Ret { hr: ret.hr.0, data }
}

/// A return value from the wire.
pub fn decode_ret(ret: &pb::Ret, path: &str) -> Result<Ret, WireError> {
    use pb::ret::Data;
    let data = match &ret.data {
        None => RetData::None,
        Some(Data::Created(m)) => RetData::Created(decode_msg(*m, &field(path, "created"))?),
        Some(Data::Opened(l)) => RetData::Opened(decode_level(*l, &field(path, "opened"))?),
        Some(Data::Queue(q)) => RetData::Queue(
            q.rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    Ok(QueueRow {
                        msg: decode_msg(r.msg, &format!("{path}.queue.rows[{i}].msg"))?,
                        submit_flags: r.submit_flags,
                        // The contract compares the governed bits only.
                        message_flags: r.message_flags.map(|f| f & OBSERVED_MESSAGE_FLAGS),
                        client_submit_time: r.client_submit_time,
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
        Some(Data::Sink(s)) => RetData::Sink(*s),
        Some(Data::SupportMask(m)) => RetData::SupportMask(*m),
    };
    Ok(Ret {
        hr: Hresult(ret.hr),
        data,
    })
}

/// A support call on the wire, with the answer the implementation used.
pub fn encode_call(call: &SupportCall, answer_hr: u32, answer_flags: u32) -> pb::SupportCall {
    use pb::support_call::Kind;
    let kind = match call {
        SupportCall::SpoolerNotify { flags } => {
            Kind::SpoolerNotify(pb::SpoolerNotify { flags: *flags })
        }
        SupportCall::PrepareSubmit { msg, flags } => Kind::PrepareSubmit(pb::PrepareSubmit {
            msg: msg.0,
            flags: *flags,
        }),
        SupportCall::ExpandRecips { msg } => Kind::ExpandRecips(pb::ExpandRecips { msg: msg.0 }),
        SupportCall::CompleteMsg { msg, flags } => Kind::CompleteMsg(pb::CompleteMsg {
            msg: msg.0,
            flags: *flags,
        }),
        SupportCall::DoSentMail { msg, flags } => Kind::DoSentMail(pb::DoSentMail {
            msg: msg.0,
            flags: *flags,
        }),
        SupportCall::StoreLogoffTransports { flags } => {
            Kind::StoreLogoffTransports(pb::StoreLogoffTransports { flags: *flags })
        }
        SupportCall::Preprocess {
            preprocessor,
            msg,
            locked,
        } => Kind::Preprocess(pb::Preprocess {
            preprocessor: *preprocessor,
            msg: msg.0,
            locked: *locked,
        }),
        SupportCall::TransportSend {
            transport,
            msg,
            recipients,
            locked,
        } => Kind::TransportSend(pb::TransportSend {
            transport: encode_addr(*transport),
            msg: msg.0,
            recipients: recipients.iter().map(|&r| u32::from(r)).collect(),
            locked: *locked,
        }),
        SupportCall::RemovePreprocessInfo { preprocessor, msg } => {
            Kind::RemovePreprocessInfo(pb::RemovePreprocessInfo {
                preprocessor: *preprocessor,
                msg: msg.0,
            })
        }
    };
    pb::SupportCall {
        kind: Some(kind),
        answer_hr,
        answer_flags,
    }
}

/// A support call from the wire, with the answer (HRESULT, flags) the implementation used.
pub fn decode_call(
    call: &pb::SupportCall,
    path: &str,
) -> Result<(SupportCall, Hresult, u32), WireError> {
    use pb::support_call::Kind;
    let kind = some(&call.kind, path)?;
    let msg = |n: u32, name: &str| decode_msg(n, &format!("{path}.{name}.msg"));
    let decoded = match kind {
        Kind::SpoolerNotify(s) => SupportCall::SpoolerNotify { flags: s.flags },
        Kind::PrepareSubmit(s) => SupportCall::PrepareSubmit {
            msg: msg(s.msg, "prepare_submit")?,
            flags: s.flags,
        },
        Kind::ExpandRecips(s) => SupportCall::ExpandRecips {
            msg: msg(s.msg, "expand_recips")?,
        },
        Kind::CompleteMsg(s) => SupportCall::CompleteMsg {
            msg: msg(s.msg, "complete_msg")?,
            flags: s.flags,
        },
        Kind::DoSentMail(s) => SupportCall::DoSentMail {
            msg: msg(s.msg, "do_sent_mail")?,
            flags: s.flags,
        },
        Kind::StoreLogoffTransports(s) => SupportCall::StoreLogoffTransports { flags: s.flags },
        Kind::Preprocess(s) => SupportCall::Preprocess {
            preprocessor: s.preprocessor,
            msg: msg(s.msg, "preprocess")?,
            locked: s.locked,
        },
        Kind::TransportSend(s) => SupportCall::TransportSend {
            transport: decode_addr(s.transport, &format!("{path}.transport_send.transport"))?,
            msg: msg(s.msg, "transport_send")?,
            recipients: s
                .recipients
                .iter()
                .enumerate()
                .map(|(i, &r)| decode_row(r, &format!("{path}.transport_send.recipients[{i}]")))
                .collect::<Result<_, _>>()?,
            locked: s.locked,
        },
        Kind::RemovePreprocessInfo(s) => SupportCall::RemovePreprocessInfo {
            preprocessor: s.preprocessor,
            msg: msg(s.msg, "remove_preprocess_info")?,
        },
    };
    Ok((decoded, Hresult(call.answer_hr), call.answer_flags))
}

/// A notification on the wire.
pub fn encode_notification(n: &Notification) -> pb::Notification {
    use pb::notification::Kind;
    let kind = match n {
        Notification::QueueTable { table_event, msg } => Kind::QueueTable(pb::QueueTableEvent {
            event: encode_event(*table_event),
            msg: msg.map(|m| m.0),
        }),
        Notification::NewMail { sink, msg } => Kind::NewMail(pb::NewMail {
            sink: *sink,
            msg: msg.0,
        }),
    };
    pb::Notification { kind: Some(kind) }
}

/// A notification from the wire.
pub fn decode_notification(n: &pb::Notification, path: &str) -> Result<Notification, WireError> {
    use pb::notification::Kind;
    Ok(match some(&n.kind, path)? {
        Kind::QueueTable(q) => Notification::QueueTable {
            table_event: decode_event(q.event, &format!("{path}.queue_table.event"))?,
            msg: q
                .msg
                .map(|m| decode_msg(m, &format!("{path}.queue_table.msg")))
                .transpose()?,
        },
        Kind::NewMail(m) => Notification::NewMail {
            sink: m.sink,
            msg: decode_msg(m.msg, &format!("{path}.new_mail.msg"))?,
        },
    })
}

// ---- Observation --------------------------------------------------------------------------

/// An observation on the wire.
pub fn encode_observation(o: &Observation) -> pb::Observation {
    pb::Observation {
        messages: o
            .messages
            .iter()
            .map(|(id, v)| pb::MessageView {
                msg: id.0,
                message_flags: v.message_flags,
                submit_flags: v.submit_flags,
                client_submit_time: v.client_submit_time,
                recipients: v.recipients.iter().map(encode_recipient).collect(),
                responsibility: v
                    .responsibility
                    .iter()
                    .map(|r| match r {
                        None => pb::Responsibility::Absent as i32,
                        Some(false) => pb::Responsibility::False as i32,
                        Some(true) => pb::Responsibility::True as i32,
                    })
                    .collect(),
            })
            .collect(),
        folders: o
            .folders
            .iter()
            .filter(|(_, items)| !items.is_empty())
            .map(|(&folder, items)| pb::FolderContents {
                folder: encode_folder(folder),
                msgs: items.iter().map(|m| m.0).collect(),
            })
            .collect(),
        queue: o.queue.iter().map(|m| m.0).collect(),
    }
}

/// An observation from the wire, in the model's form: every folder present (empty when left
/// out), each folder's items sorted. A message or folder reported twice is an error.
pub fn decode_observation(o: &pb::Observation, path: &str) -> Result<Observation, WireError> {
    let mut messages = BTreeMap::new();
    for (i, m) in o.messages.iter().enumerate() {
        let p = format!("{path}.messages[{i}]");
        let id = decode_msg(m.msg, &field(&p, "msg"))?;
        let responsibility = m
            .responsibility
            .iter()
            .enumerate()
            .map(|(j, &r)| match pb::Responsibility::try_from(r) {
                Ok(pb::Responsibility::Absent) => Ok(None),
                Ok(pb::Responsibility::False) => Ok(Some(false)),
                Ok(pb::Responsibility::True) => Ok(Some(true)),
                Err(_) => bad(
                    &format!("{p}.responsibility[{j}]"),
                    format!("{r} is not a valid Responsibility"),
                ),
            })
            .collect::<Result<_, _>>()?;
        let view = MessageView {
            message_flags: m.message_flags & OBSERVED_MESSAGE_FLAGS,
            submit_flags: m.submit_flags,
            client_submit_time: m.client_submit_time,
            recipients: decode_recipients(&m.recipients, &field(&p, "recipients"))?,
            responsibility,
        };
        if messages.insert(id, view).is_some() {
            return bad(&p, format!("{id} is reported twice"));
        }
    }
    let mut folders: BTreeMap<Folder, Vec<MsgId>> =
        Folder::ALL.iter().map(|&f| (f, Vec::new())).collect();
    let mut seen = Vec::new();
    for (i, f) in o.folders.iter().enumerate() {
        let p = format!("{path}.folders[{i}]");
        let folder = decode_folder(f.folder, &field(&p, "folder"))?;
        if seen.contains(&folder) {
            return bad(&p, format!("folder {folder:?} is reported twice"));
        }
        seen.push(folder);
        let items = folders.entry(folder).or_default();
        for (j, &m) in f.msgs.iter().enumerate() {
            items.push(decode_msg(m, &format!("{p}.msgs[{j}]"))?);
        }
        items.sort();
    }
    let queue = o
        .queue
        .iter()
        .enumerate()
        .map(|(i, &m)| decode_msg(m, &format!("{path}.queue[{i}]")))
        .collect::<Result<_, _>>()?;
    Ok(Observation {
        messages,
        folders,
        queue,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use spoolcheck_model::generate;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Every operation the generator makes, and every answer the model gives, survives the wire,
        /// under every preset of choices in both profiles.
        #[test]
        fn operations_and_answers_round_trip(
            preset in 0..Choices::presets().len(),
            system in any::<bool>(),
            plan in generate::plan(30),
        ) {
            let mut choices = Choices::presets()[preset].1.clone();
            if system {
                choices.profile = Profile::System;
            }
            for (op, step) in generate::realize_with_steps(&choices, &plan) {
                prop_assert_eq!(&decode_op(&encode_op(&op), "op").unwrap(), &op);
                let outcome = &step.outcomes[0];
                prop_assert_eq!(&decode_ret(&encode_ret(&outcome.ret), "ret").unwrap(), &outcome.ret);
                for call in &outcome.calls {
                    let (back, hr, flags) = decode_call(&encode_call(&call.what, 7, 9), "call").unwrap();
                    prop_assert_eq!((&back, hr, flags), (&call.what, Hresult(7), 9));
                }
                for n in &outcome.notifications {
                    prop_assert_eq!(&decode_notification(&encode_notification(&n.what), "n").unwrap(), &n.what);
                }
                let observed = spoolcheck_model::observe(&outcome.next);
                prop_assert_eq!(decode_observation(&encode_observation(&observed), "o").unwrap(), observed);
            }
        }
    }

    #[test]
    fn every_preset_round_trips() {
        for (_, mut choices) in Choices::presets() {
            assert_eq!(
                decode_choices(&encode_choices(&choices), "c").unwrap(),
                choices
            );
            choices.profile = Profile::System;
            assert_eq!(
                decode_choices(&encode_choices(&choices), "c").unwrap(),
                choices
            );
        }
    }

    #[test]
    fn bad_input_names_the_field() {
        let mut op = encode_op(&Op::AbortSubmit {
            caller: Role::Client,
            msg: MsgId(1),
        });
        if let Some(pb::op::Kind::AbortSubmit(a)) = &mut op.kind {
            a.caller = 7;
        }
        let e = decode_op(&op, "apply").unwrap_err();
        assert_eq!(e.path, "apply.abort_submit.caller");
        let e = decode_op(&pb::Op { kind: None }, "apply").unwrap_err();
        assert_eq!(e.to_string(), "apply: missing");
        let mut obs = pb::Observation::default();
        obs.folders.push(pb::FolderContents {
            folder: 42,
            msgs: vec![],
        });
        let e = decode_observation(&obs, "observation").unwrap_err();
        assert_eq!(e.path, "observation.folders[0].folder");
        obs.folders[0].folder = pb::Folder::Inbox as i32;
        obs.folders.push(obs.folders[0].clone());
        let e = decode_observation(&obs, "observation").unwrap_err();
        assert!(e.problem.contains("twice"), "{e}");
    }
}
