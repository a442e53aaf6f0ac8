//! The codes of `spoolcheck.h` both ways: the harness's operations and choices into the C structs,
//! and what the library reports back into the model's terms, every value checked.

use super::{ffi, slice};
use spoolcheck_model::choices::{
    Completion, DeleteMeans, DispositionBy, LockAfterRestart, PrepareSubmitPolicy, SentMailMode,
};
use spoolcheck_model::mapi::{Hresult, TableEvent};
use spoolcheck_model::op::{AccessLevel, QueueRow, RetData};
use spoolcheck_model::recipient::BookEntry;
use spoolcheck_model::{
    Access, AddrType, Choices, EntryRef, Folder, Handle, MsgId, Notification, Op, OpenPath,
    PreprocessorScope, Profile, RecipType, RecipientRow, Ret, Role, SupportCall,
};
use std::ffi::{c_char, CStr, CString};

pub(super) fn msg(n: u32) -> Result<MsgId, String> {
    if n == 0 {
        Err("message 0 (messages are numbered from 1)".into())
    } else {
        Ok(MsgId(n))
    }
}

fn role_code(r: Role) -> u32 {
    match r {
        Role::Client => 1,
        Role::Spooler => 2,
    }
}

fn folder_code(f: Folder) -> u32 {
    match f {
        Folder::Inbox => 1,
        Folder::Outbox => 2,
        Folder::Drafts => 3,
        Folder::SentItems => 4,
        Folder::DeletedItems => 5,
    }
}

pub(super) fn folder_of(code: u32) -> Result<Folder, String> {
    Folder::ALL
        .into_iter()
        .find(|&f| folder_code(f) == code)
        .ok_or_else(|| format!("folder code {code} is not SPOOLCHECK_FOLDER_*"))
}

fn addr_code(a: AddrType) -> u32 {
    match a {
        AddrType::Smtp => 1,
        AddrType::Fax => 2,
        AddrType::X400 => 3,
        AddrType::Mapipdl => 4,
    }
}

/// A transport's address type: SMTP, FAX or X400.
fn addr_of(code: u32) -> Result<AddrType, String> {
    AddrType::ALL
        .into_iter()
        .find(|&a| addr_code(a) == code)
        .ok_or_else(|| format!("transport code {code} is not SPOOLCHECK_ADDR_SMTP, _FAX or _X400"))
}

/// A recipient row's address type: a transport's, or MAPIPDL.
fn row_addr_of(code: u32) -> Result<AddrType, String> {
    if code == addr_code(AddrType::Mapipdl) {
        return Ok(AddrType::Mapipdl);
    }
    addr_of(code).map_err(|_| format!("address type code {code} is not SPOOLCHECK_ADDR_*"))
}

fn entry_code(e: EntryRef) -> ffi::Entry {
    let (kind, id) = match e {
        EntryRef::Unresolved => (1, 0),
        EntryRef::OneOff => (2, 0),
        EntryRef::Person(n) => (3, n),
        EntryRef::List(n) => (4, n),
    };
    ffi::Entry { kind, id }
}

fn entry_of(e: ffi::Entry) -> Result<EntryRef, String> {
    Ok(match (e.kind, e.id) {
        (1, _) => EntryRef::Unresolved,
        (2, _) => EntryRef::OneOff,
        (3, n) if n > 0 => EntryRef::Person(n),
        (4, n) if n > 0 => EntryRef::List(n),
        (3 | 4, _) => return Err("entry 0 (address-book entries are numbered from 1)".into()),
        (other, _) => return Err(format!("entry kind {other} is not SPOOLCHECK_ENTRY_*")),
    })
}

fn recip_type_code(t: RecipType) -> u32 {
    t.value()
}

fn recip_type_of(code: u32) -> Result<RecipType, String> {
    [RecipType::To, RecipType::Cc, RecipType::Bcc]
        .into_iter()
        .find(|t| t.value() == code)
        .ok_or_else(|| format!("recipient type {code} is not SPOOLCHECK_RECIP_*"))
}

/// A UTF-8 string the library passed, read during the callback.
fn text(p: *const c_char, what: &str) -> Result<String, String> {
    if p.is_null() {
        return Err(format!("{what} is NULL"));
    }
    // SAFETY: non-null, and the header says it is a NUL-terminated string for the callback.
    let bytes = unsafe { CStr::from_ptr(p) }.to_bytes();
    String::from_utf8(bytes.to_vec()).map_err(|_| format!("{what} is not UTF-8"))
}

/// One recipient row the library reports.
pub(super) fn decode_recipient(r: &ffi::Recipient) -> Result<RecipientRow, String> {
    Ok(RecipientRow {
        kind: recip_type_of(r.recip_type)?,
        addr: row_addr_of(r.addr)?,
        name: text(r.name, "a row's display name")?,
        email: text(r.email, "a row's address")?,
        entry: entry_of(r.entry)?,
    })
}

pub(super) fn encode_choices(c: &Choices) -> ffi::Choices {
    let (tight_coupling, tc_handles, tc_completion) = match &c.tight_coupling {
        None => (0, 0, 0),
        Some(t) => (
            1,
            t.handles
                .iter()
                .fold(0, |bits, &a| bits | (1 << addr_code(a))),
            match t.completion {
                Completion::CompleteMsg => 1,
                Completion::Local => 2,
            },
        ),
    };
    ffi::Choices {
        profile: match c.profile {
            Profile::Provider => 1,
            Profile::System => 2,
        },
        submission: u32::from(c.submission),
        prepare_submit: match c.prepare_submit {
            PrepareSubmitPolicy::Always => 1,
            PrepareSubmitPolicy::ResendOnly => 2,
        },
        enforce_spooler_only: u32::from(c.enforce_spooler_only),
        lock_after_restart: match c.lock_after_restart {
            LockAfterRestart::Dropped => 1,
            LockAfterRestart::Kept => 2,
            LockAfterRestart::Either => 3,
        },
        tight_coupling,
        tc_handles,
        tc_completion,
        disposition_by: match c.disposition_by {
            DispositionBy::Store => 1,
            DispositionBy::DoSentMail => 2,
        },
        delete_means: match c.delete_means {
            DeleteMeans::HardDelete => 1,
            DeleteMeans::MoveToDeletedItems => 2,
        },
        sentmail: match c.sentmail {
            SentMailMode::Move => 1,
            SentMailMode::Copy => 2,
        },
    }
}

/// An operation in C structs, with everything they point into. The pointers point into heap
/// buffers this value owns (a `CString`'s or a `Vec`'s, which do not move when the owning `Vec`
/// grows), so the operation is valid as long as this value lives.
pub(super) struct Encoded {
    pub op: ffi::Op,
    _strings: Vec<CString>,
    _rows: Vec<Vec<ffi::Recipient>>,
    _members: Vec<Vec<ffi::Entry>>,
    _book: Vec<ffi::BookEntry>,
}

/// Builds the C strings and arrays an operation points into.
#[derive(Default)]
struct Arena {
    strings: Vec<CString>,
    rows: Vec<Vec<ffi::Recipient>>,
    members: Vec<Vec<ffi::Entry>>,
}

impl Arena {
    fn text(&mut self, s: &str) -> Result<*const c_char, String> {
        let c = CString::new(s).map_err(|_| {
            format!("{s:?} holds a NUL character, which the C ABI's strings cannot carry")
        })?;
        let p = c.as_ptr();
        self.strings.push(c);
        Ok(p)
    }

    /// The rows as C structs: their pointer and count (NULL for none, not a dangling pointer).
    fn rows(&mut self, rows: &[RecipientRow]) -> Result<(*const ffi::Recipient, u32), String> {
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(ffi::Recipient {
                recip_type: recip_type_code(r.kind),
                addr: addr_code(r.addr),
                name: self.text(&r.name)?,
                email: self.text(&r.email)?,
                entry: entry_code(r.entry),
            });
        }
        let p = if out.is_empty() {
            std::ptr::null()
        } else {
            out.as_ptr()
        };
        let n = count(out.len());
        self.rows.push(out);
        Ok((p, n))
    }

    fn book(&mut self, book: &[BookEntry]) -> Result<Vec<ffi::BookEntry>, String> {
        let mut out = Vec::with_capacity(book.len());
        for b in book {
            let members: Vec<ffi::Entry> = b.members.iter().map(|&m| entry_code(m)).collect();
            let p = if members.is_empty() {
                std::ptr::null()
            } else {
                members.as_ptr()
            };
            out.push(ffi::BookEntry {
                entry: entry_code(b.entry),
                name: self.text(&b.name)?,
                addr: addr_code(b.addr),
                email: self.text(&b.email)?,
                member_count: count(members.len()),
                members: p,
            });
            self.members.push(members);
        }
        Ok(out)
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub(super) fn encode_op(op: &Op) -> Result<Encoded, String> {
    let mut arena = Arena::default();
    let mut book = Vec::new();
    let mut c = ffi::Op {
        kind: op_code(op),
        caller: role_code(op.caller()),
        msg: op.msg().map_or(0, |m| m.0),
        ..ffi::Op::default()
    };
    match op {
        Op::CreateMessage(n) => {
            let (recipients, recipient_count) = arena.rows(&n.recipients)?;
            c.create = ffi::NewMessage {
                folder: folder_code(n.folder),
                recipient_count,
                recipients,
                sentmail: n.sentmail.map_or(0, folder_code),
                delete_after_submit: u32::from(n.delete_after_submit),
                unsent: u32::from(n.unsent),
                resend: u32::from(n.resend),
                saved: u32::from(n.saved),
            };
        }
        Op::SubmitMessage { flags, script, .. } => {
            c.flags = *flags;
            let (expanded, expanded_count) =
                arena.rows(script.expanded.as_deref().unwrap_or(&[]))?;
            book = arena.book(&script.book)?;
            c.script = ffi::Script {
                now: script.now,
                prepare: script.prepare.0,
                expand: script.expand.0,
                expand_flags: script.expand_flags,
                has_expanded: u32::from(script.expanded.is_some()),
                expanded_count,
                expanded,
                book_count: count(book.len()),
                book: if book.is_empty() {
                    std::ptr::null()
                } else {
                    book.as_ptr()
                },
            };
        }
        Op::OpenEntry { access, path, .. } => {
            c.access = match access {
                Access::Default => 1,
                Access::Modify => 2,
                Access::BestAccess => 3,
            };
            c.path = match path {
                OpenPath::Store => 1,
                OpenPath::Folder => 2,
            };
        }
        Op::WriteMessage { via, .. } => {
            c.via = match via {
                Handle::Submitter => 1,
                Handle::Reopened => 2,
            };
        }
        Op::SetLockState { lock, .. } => c.lock = u32::from(*lock),
        Op::MarkResponsibility { recipient, .. } => c.recipient = u32::from(*recipient),
        Op::EmptyFolder { folder, .. } => c.folder = folder_code(*folder),
        Op::StoreLogoff { flags } => c.flags = *flags,
        Op::RegisterPreprocessor { addr, scope } => {
            c.addr = addr_code(*addr);
            c.scope = match scope {
                PreprocessorScope::AddressType => 1,
                PreprocessorScope::Mapiuid => 2,
                PreprocessorScope::AllMessages => 3,
            };
        }
        Op::SetTransportAvailable { addr, available } => {
            c.addr = addr_code(*addr);
            c.available = u32::from(*available);
        }
        Op::RunSpooler { script } => {
            c.spooler = ffi::SpoolerScript {
                busy_preprocessor: script.busy_preprocessor.unwrap_or(0),
                waiting_transport: script.waiting_transport.map_or(0, addr_code),
            };
        }
        _ => {}
    }
    Ok(Encoded {
        op: c,
        _strings: arena.strings,
        _rows: arena.rows,
        _members: arena.members,
        _book: book,
    })
}

fn op_code(op: &Op) -> u32 {
    match op {
        Op::CreateMessage(_) => 1,
        Op::SubmitMessage { .. } => 2,
        Op::AbortSubmit { .. } => 3,
        Op::OpenEntry { .. } => 4,
        Op::WriteMessage { .. } => 5,
        Op::SetLockState { .. } => 6,
        Op::GetOutgoingQueue { .. } => 7,
        Op::MarkResponsibility { .. } => 8,
        Op::FinishedMsg { .. } => 9,
        Op::AdviseNewMail => 10,
        Op::NotifyNewMail { .. } => 11,
        Op::SetReadFlag { .. } => 12,
        Op::DeleteMessage { .. } => 13,
        Op::EmptyFolder { .. } => 14,
        Op::GetSupportMask => 15,
        Op::StoreLogoff { .. } => 16,
        Op::Restart => 17,
        Op::RegisterPreprocessor { .. } => 18,
        Op::SetTransportAvailable { .. } => 19,
        Op::RunSpooler { .. } => 20,
    }
}

pub(super) fn decode_ret(r: &ffi::Ret, rows: Vec<QueueRow>) -> Result<Ret, String> {
    if r.data_kind != 3 && !rows.is_empty() {
        return Err("queue rows came with a result that is not SPOOLCHECK_DATA_QUEUE".into());
    }
    let data = match r.data_kind {
        0 => RetData::None,
        1 => RetData::Created(msg(r.value)?),
        2 => RetData::Opened(match r.value {
            0 => AccessLevel::ReadOnly,
            1 => AccessLevel::Modify,
            other => return Err(format!("PR_ACCESS_LEVEL {other} is not 0 or 1")),
        }),
        3 => RetData::Queue(rows),
        4 => RetData::Sink(r.value),
        5 => RetData::SupportMask(r.value),
        other => return Err(format!("data_kind {other} is not SPOOLCHECK_DATA_*")),
    };
    Ok(Ret {
        hr: Hresult(r.hr),
        data,
    })
}

pub(super) fn decode_call(c: &ffi::Call) -> Result<SupportCall, String> {
    Ok(match c.kind {
        1 => SupportCall::SpoolerNotify { flags: c.flags },
        2 => SupportCall::PrepareSubmit {
            msg: msg(c.msg)?,
            flags: c.flags,
        },
        3 => SupportCall::ExpandRecips { msg: msg(c.msg)? },
        4 => SupportCall::CompleteMsg {
            msg: msg(c.msg)?,
            flags: c.flags,
        },
        5 => SupportCall::DoSentMail {
            msg: msg(c.msg)?,
            flags: c.flags,
        },
        6 => SupportCall::StoreLogoffTransports { flags: c.flags },
        7 => SupportCall::Preprocess {
            preprocessor: c.preprocessor,
            msg: msg(c.msg)?,
            locked: c.locked != 0,
        },
        8 => SupportCall::TransportSend {
            transport: addr_of(c.transport)?,
            msg: msg(c.msg)?,
            recipients: slice(c.recipients, c.recipient_count)?
                .iter()
                .map(|&r| u8::try_from(r).map_err(|_| format!("recipient row {r} is out of range")))
                .collect::<Result<_, _>>()?,
            locked: c.locked != 0,
        },
        9 => SupportCall::RemovePreprocessInfo {
            preprocessor: c.preprocessor,
            msg: msg(c.msg)?,
        },
        other => return Err(format!("call kind {other} is not SPOOLCHECK_CALL_*")),
    })
}

pub(super) fn decode_notification(n: &ffi::Notification) -> Result<Notification, String> {
    Ok(match n.kind {
        1 => Notification::QueueTable {
            table_event: match n.table_event {
                1 => TableEvent::Changed,
                3 => TableEvent::RowAdded,
                4 => TableEvent::RowDeleted,
                5 => TableEvent::RowModified,
                other => return Err(format!("table event {other} is not SPOOLCHECK_TABLE_*")),
            },
            msg: if n.msg == 0 { None } else { Some(MsgId(n.msg)) },
        },
        2 => Notification::NewMail {
            sink: n.sink,
            msg: msg(n.msg)?,
        },
        other => {
            return Err(format!(
                "notification kind {other} is not SPOOLCHECK_NOTIFY_*"
            ))
        }
    })
}
