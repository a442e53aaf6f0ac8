//! The C-ABI adapter: loads a shared library that exports `spoolcheck_provider_v1` (see
//! `include/spoolcheck.h`) and drives it in this process.
//!
//! This module is the only place in the harness with `unsafe` code. Every call into the library
//! passes pointers that live for the call only; every callback from the library runs behind a panic
//! boundary and checks what it is given before it trusts it. What no check can stop (a library
//! that writes through a wild pointer, or crashes) is what `--isolate` ([`super::isolate`]) is for.
#![allow(unsafe_code)]

use crate::seam::{SeamError, Support};
use spoolcheck_model::choices::{
    Completion, DeleteMeans, DispositionBy, LockAfterRestart, PrepareSubmitPolicy, SentMailMode,
};
use spoolcheck_model::mapi::{Hresult, TableEvent};
use spoolcheck_model::observe::{MessageView, OBSERVED_MESSAGE_FLAGS};
use spoolcheck_model::op::{AccessLevel, QueueRow, RetData};
use spoolcheck_model::{
    Access, AddrType, Choices, Folder, Handle, MsgId, Notification, Observation, Op, OpenPath,
    PreprocessorScope, Profile, Ret, Role, SupportCall,
};
use std::collections::BTreeMap;
use std::ffi::{c_char, c_void, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::ptr::NonNull;
use std::sync::Arc;

/// The structures of `spoolcheck.h`, field for field.
mod ffi {
    use std::ffi::{c_char, c_void};

    pub const ABI_VERSION: u32 = 1;
    pub const OK: i32 = 0;
    pub const UNSUPPORTED: i32 = 1;
    pub const ERROR: i32 = 2;

    #[repr(C)]
    #[derive(Default)]
    pub struct Choices {
        pub profile: u32,
        pub submission: u32,
        pub prepare_submit: u32,
        pub enforce_spooler_only: u32,
        pub lock_after_restart: u32,
        pub tight_coupling: u32,
        pub tc_handles: u32,
        pub tc_completion: u32,
        pub disposition_by: u32,
        pub delete_means: u32,
        pub sentmail: u32,
    }

    #[repr(C)]
    #[derive(Default, Clone, Copy)]
    pub struct Script {
        pub now: u64,
        pub prepare: u32,
        pub expand: u32,
        pub expand_flags: u32,
    }

    #[repr(C)]
    pub struct NewMessage {
        pub folder: u32,
        pub recipient_count: u32,
        pub recipients: *const u32,
        pub sentmail: u32,
        pub delete_after_submit: u32,
        pub unsent: u32,
        pub resend: u32,
        pub saved: u32,
    }

    #[repr(C)]
    pub struct Op {
        pub kind: u32,
        pub caller: u32,
        pub msg: u32,
        pub flags: u32,
        pub access: u32,
        pub path: u32,
        pub via: u32,
        pub lock: u32,
        pub recipient: u32,
        pub folder: u32,
        pub addr: u32,
        pub available: u32,
        pub scope: u32,
        pub create: NewMessage,
        pub script: Script,
    }

    #[repr(C)]
    #[derive(Default)]
    pub struct Ret {
        pub hr: u32,
        pub data_kind: u32,
        pub value: u32,
    }

    #[repr(C)]
    pub struct QueueRow {
        pub msg: u32,
        pub has_submit_flags: u32,
        pub submit_flags: u32,
        pub has_message_flags: u32,
        pub message_flags: u32,
        pub has_client_submit_time: u32,
        pub client_submit_time: u64,
    }

    #[repr(C)]
    pub struct Call {
        pub kind: u32,
        pub msg: u32,
        pub flags: u32,
        pub preprocessor: u32,
        pub transport: u32,
        pub locked: u32,
        pub recipient_count: u32,
        pub recipients: *const u32,
    }

    #[repr(C)]
    pub struct Notification {
        pub kind: u32,
        pub table_event: u32,
        pub msg: u32,
        pub sink: u32,
    }

    #[repr(C)]
    pub struct MessageView {
        pub msg: u32,
        pub message_flags: u32,
        pub submit_flags: u32,
        pub has_client_submit_time: u32,
        pub client_submit_time: u64,
        pub recipient_count: u32,
        pub responsibility: *const i8,
    }

    #[repr(C)]
    pub struct Host {
        pub ctx: *mut c_void,
        pub call: extern "C" fn(*mut c_void, *const Call, *mut u32) -> u32,
        pub notify: extern "C" fn(*mut c_void, *const Notification),
        pub queue_row: extern "C" fn(*mut c_void, *const QueueRow),
        pub message: extern "C" fn(*mut c_void, *const MessageView),
        pub folder_item: extern "C" fn(*mut c_void, u32, u32),
        pub queue_item: extern "C" fn(*mut c_void, u32),
    }

    #[repr(C)]
    pub struct Provider {
        pub abi_version: u32,
        pub name: *const c_char,
        pub create: Option<unsafe extern "C" fn() -> *mut c_void>,
        pub destroy: Option<unsafe extern "C" fn(*mut c_void)>,
        pub reset: Option<unsafe extern "C" fn(*mut c_void, *const Choices) -> i32>,
        pub apply:
            Option<unsafe extern "C" fn(*mut c_void, *const Op, *const Host, *mut Ret) -> i32>,
        pub observe: Option<unsafe extern "C" fn(*mut c_void, *const Host) -> i32>,
        pub last_error: Option<unsafe extern "C" fn(*mut c_void) -> *const c_char>,
    }

    pub type EntryPoint = unsafe extern "C" fn() -> *const Provider;
    pub const ENTRY_POINT: &[u8] = b"spoolcheck_provider_v1\0";

    /// The optional `void *spoolcheck_create_configured_v1(const char *config, char *error,
    /// size_t error_size)` of a library that needs configuration to make an instance (the MAPI
    /// bridge, harness/mapi-bridge/src/abi.cpp): NULL with the reason in `error` when it cannot.
    pub type CreateConfigured =
        unsafe extern "C" fn(*const c_char, *mut c_char, usize) -> *mut c_void;
    pub const CREATE_CONFIGURED: &[u8] = b"spoolcheck_create_configured_v1\0";
}

/// The function table, checked once at load time.
struct Table {
    create: unsafe extern "C" fn() -> *mut c_void,
    destroy: unsafe extern "C" fn(*mut c_void),
    reset: unsafe extern "C" fn(*mut c_void, *const ffi::Choices) -> i32,
    apply:
        unsafe extern "C" fn(*mut c_void, *const ffi::Op, *const ffi::Host, *mut ffi::Ret) -> i32,
    observe: unsafe extern "C" fn(*mut c_void, *const ffi::Host) -> i32,
    last_error: Option<unsafe extern "C" fn(*mut c_void) -> *const c_char>,
    create_configured: Option<ffi::CreateConfigured>,
}

/// A loaded library.
pub struct CabiLibrary {
    table: Table,
    name: String,
    // Last, so it is unloaded after everything that points into it.
    _library: libloading::Library,
}

impl CabiLibrary {
    /// Loads the library at `path` and reads its function table.
    pub fn load(path: &Path) -> Result<Arc<CabiLibrary>, SeamError> {
        let shown = path.display();
        // SAFETY: loading a library runs its initialisers; running the library is what the user
        // asked for with --cabi, and nothing else in this process depends on what they do.
        let library = unsafe { libloading::Library::new(path) }.map_err(|e| {
            // libloading's own text is only "dlopen failed"; the reason is its source.
            let why =
                std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string());
            SeamError::Harness(format!("cannot load {shown}: {why}"))
        })?;
        // SAFETY: the header declares the entry point with exactly this signature.
        let entry: ffi::EntryPoint = unsafe { library.get::<ffi::EntryPoint>(ffi::ENTRY_POINT) }
            .map(|symbol| *symbol)
            .map_err(|e| {
                SeamError::Harness(format!(
                    "{shown} does not export spoolcheck_provider_v1 (see harness/include/spoolcheck.h): {e}"
                ))
            })?;
        // SAFETY: the entry point takes nothing and returns a pointer, checked below.
        let table = unsafe { entry() };
        // SAFETY: a non-null result points at the library's static table (the header's contract),
        // which lives as long as the library, which this value owns.
        let Some(table) = (unsafe { table.as_ref() }) else {
            return Err(SeamError::Harness(format!(
                "{shown}: spoolcheck_provider_v1() returned NULL"
            )));
        };
        if table.abi_version != ffi::ABI_VERSION {
            return Err(SeamError::Harness(format!(
                "{shown} implements ABI version {}, this harness speaks version {}",
                table.abi_version,
                ffi::ABI_VERSION
            )));
        }
        let missing = |what: &str| {
            SeamError::Harness(format!("{shown}: the function table's `{what}` is NULL"))
        };
        let name = if table.name.is_null() {
            path.file_name()
                .map_or_else(|| shown.to_string(), |n| n.to_string_lossy().into_owned())
        } else {
            // SAFETY: non-null, and the header says it is a NUL-terminated string in the table.
            unsafe { CStr::from_ptr(table.name) }
                .to_string_lossy()
                .into_owned()
        };
        // SAFETY: when the library exports the optional symbol, it has exactly this signature
        // (see `ffi::CreateConfigured`); the function lives as long as the library.
        let create_configured =
            unsafe { library.get::<ffi::CreateConfigured>(ffi::CREATE_CONFIGURED) }
                .ok()
                .map(|symbol| *symbol);
        let table = Table {
            create_configured,
            create: table.create.ok_or_else(|| missing("create"))?,
            destroy: table.destroy.ok_or_else(|| missing("destroy"))?,
            reset: table.reset.ok_or_else(|| missing("reset"))?,
            apply: table.apply.ok_or_else(|| missing("apply"))?,
            observe: table.observe.ok_or_else(|| missing("observe"))?,
            last_error: table.last_error,
        };
        Ok(Arc::new(CabiLibrary {
            table,
            name,
            _library: library,
        }))
    }
}

/// One instance of the library's store.
pub struct CabiProvider {
    library: Arc<CabiLibrary>,
    instance: NonNull<c_void>,
}

// SAFETY: the header allows an instance to be used from any thread, one at a time; `&mut self`
// on every call guarantees one at a time.
unsafe impl Send for CabiProvider {}

impl CabiProvider {
    /// A new instance.
    pub fn new(library: Arc<CabiLibrary>) -> Result<CabiProvider, SeamError> {
        // SAFETY: `create` takes nothing; the result is checked for NULL.
        let instance = unsafe { (library.table.create)() };
        let instance = NonNull::new(instance).ok_or_else(|| {
            SeamError::Harness(format!("{}: create() returned NULL", library.name))
        })?;
        Ok(CabiProvider { library, instance })
    }

    /// A new instance made from a configuration text, by the library's
    /// `spoolcheck_create_configured_v1`; the library's own reason when it cannot make one.
    pub fn with_config(library: Arc<CabiLibrary>, config: &str) -> Result<CabiProvider, SeamError> {
        let Some(create) = library.table.create_configured else {
            return Err(SeamError::Harness(format!(
                "{} does not export spoolcheck_create_configured_v1, so it takes no configuration",
                library.name
            )));
        };
        let config = std::ffi::CString::new(config).map_err(|_| {
            SeamError::Harness("the configuration text holds a NUL character".into())
        })?;
        let mut error = vec![0u8; 4096];
        // SAFETY: `config` is NUL-terminated and `error` holds `error.len()` writable bytes, both
        // for the duration of the call; the result is checked for NULL.
        let instance = unsafe { create(config.as_ptr(), error.as_mut_ptr().cast(), error.len()) };
        let Some(instance) = NonNull::new(instance) else {
            let end = error.iter().position(|&b| b == 0).unwrap_or(error.len());
            let why = String::from_utf8_lossy(&error[..end]).into_owned();
            return Err(SeamError::Harness(if why.is_empty() {
                format!(
                    "{}: spoolcheck_create_configured_v1 returned NULL",
                    library.name
                )
            } else {
                why
            }));
        };
        Ok(CabiProvider { library, instance })
    }

    fn last_error(&self) -> String {
        let Some(last_error) = self.library.table.last_error else {
            return "no detail (the library has no last_error)".into();
        };
        // SAFETY: the instance is live; the result is NULL or a NUL-terminated string that stays
        // valid until the next call on the instance, and is copied at once.
        let text = unsafe { last_error(self.instance.as_ptr()) };
        if text.is_null() {
            return "no detail".into();
        }
        // SAFETY: non-null and NUL-terminated (the header's contract).
        unsafe { CStr::from_ptr(text) }
            .to_string_lossy()
            .into_owned()
    }

    fn status(&self, status: i32, what: &str) -> Result<(), SeamError> {
        match status {
            ffi::OK => Ok(()),
            ffi::UNSUPPORTED => Err(SeamError::Unsupported(self.last_error())),
            ffi::ERROR => Err(SeamError::Crashed(format!(
                "{what}: the implementation failed: {}",
                self.last_error()
            ))),
            other => Err(SeamError::Malformed(format!(
                "{what}: status {other} is not SPOOLCHECK_OK, _UNSUPPORTED or _ERROR"
            ))),
        }
    }
}

impl Drop for CabiProvider {
    fn drop(&mut self) {
        // SAFETY: the instance came from `create` and is destroyed once.
        unsafe { (self.library.table.destroy)(self.instance.as_ptr()) }
    }
}

impl crate::seam::Implementation for CabiProvider {
    fn name(&self) -> String {
        self.library.name.clone()
    }

    fn reset(&mut self, choices: &Choices) -> Result<(), SeamError> {
        let c = encode_choices(choices);
        // SAFETY: the instance is live; `c` outlives the call.
        let status = unsafe { (self.library.table.reset)(self.instance.as_ptr(), &c) };
        self.status(status, "reset")
    }

    fn apply(&mut self, op: &Op, support: &mut dyn Support) -> Result<Ret, SeamError> {
        let what = op.call_name();
        let recipients: Vec<u32> = match op {
            Op::CreateMessage(n) => n.recipients.iter().map(|&a| addr_code(a)).collect(),
            _ => Vec::new(),
        };
        let c_op = encode_op(op, &recipients);
        let mut ctx = HostCtx::new(Some(support));
        let host = ctx.host();
        let mut ret = ffi::Ret::default();
        // SAFETY: the instance is live; `c_op` (and `recipients`, which it points into), `host`
        // and `ret` outlive the call; `host.ctx` points at `ctx`, which the callbacks alone use
        // while the call runs.
        let status =
            unsafe { (self.library.table.apply)(self.instance.as_ptr(), &c_op, &host, &mut ret) };
        let fault = ctx.fault.take();
        self.status(status, what)?;
        if let Some(fault) = fault {
            return Err(SeamError::Malformed(format!("{what}: {fault}")));
        }
        decode_ret(&ret, ctx.queue_rows).map_err(|e| SeamError::Malformed(format!("{what}: {e}")))
    }

    fn observe(&mut self) -> Result<Observation, SeamError> {
        let mut ctx = HostCtx::new(None);
        let host = ctx.host();
        // SAFETY: as in `apply`.
        let status = unsafe { (self.library.table.observe)(self.instance.as_ptr(), &host) };
        self.status(status, "observe")?;
        if let Some(fault) = ctx.fault.take() {
            return Err(SeamError::Malformed(format!("observe: {fault}")));
        }
        Ok(ctx.observation.finish())
    }
}

/// What the callbacks of one call share.
struct HostCtx<'a> {
    support: Option<&'a mut dyn Support>,
    queue_rows: Vec<QueueRow>,
    observation: ObservationBuilder,
    /// The first thing the library passed that breaks the contract.
    fault: Option<String>,
}

impl<'a> HostCtx<'a> {
    fn new(support: Option<&'a mut dyn Support>) -> HostCtx<'a> {
        HostCtx {
            support,
            queue_rows: Vec::new(),
            observation: ObservationBuilder::default(),
            fault: None,
        }
    }

    fn host(&mut self) -> ffi::Host {
        ffi::Host {
            ctx: std::ptr::from_mut(self).cast(),
            call: host_call,
            notify: host_notify,
            queue_row: host_queue_row,
            message: host_message,
            folder_item: host_folder_item,
            queue_item: host_queue_item,
        }
    }

    fn fault(&mut self, text: String) {
        self.fault.get_or_insert(text);
    }
}

/// Runs a callback's body on the context behind a panic boundary: a panic must not unwind into C.
fn with_ctx<T>(ctx: *mut c_void, fallback: T, body: impl FnOnce(&mut HostCtx<'_>) -> T) -> T {
    if ctx.is_null() {
        return fallback;
    }
    // SAFETY: `ctx` is the pointer `HostCtx::host` handed out for the call in progress; the
    // context outlives the call and nothing else touches it meanwhile.
    let ctx = unsafe { &mut *ctx.cast::<HostCtx<'_>>() };
    match catch_unwind(AssertUnwindSafe(|| body(&mut *ctx))) {
        Ok(value) => value,
        Err(_) => {
            ctx.fault("a harness callback panicked (a bug in spoolcheck: please report it)".into());
            fallback
        }
    }
}

/// Reads `count` items at `items`, which the library promises are there.
fn slice<'a, T>(items: *const T, count: u32) -> Result<&'a [T], String> {
    if count == 0 {
        return Ok(&[]);
    }
    if items.is_null() {
        return Err(format!("a NULL array of {count} items"));
    }
    // SAFETY: non-null, and the header says the array holds `count` items for the callback.
    Ok(unsafe { std::slice::from_raw_parts(items, count as usize) })
}

const CALL_FAILED: u32 = Hresult::MAPI_E_CALL_FAILED.0;

extern "C" fn host_call(ctx: *mut c_void, call: *const ffi::Call, out_flags: *mut u32) -> u32 {
    with_ctx(ctx, CALL_FAILED, |ctx| {
        // SAFETY: the library passes a call for the duration of the callback, or NULL.
        let Some(call) = (unsafe { call.as_ref() }) else {
            ctx.fault("call(): NULL call".into());
            return CALL_FAILED;
        };
        let decoded = match decode_call(call) {
            Ok(c) => c,
            Err(e) => {
                ctx.fault(format!("call(): {e}"));
                return CALL_FAILED;
            }
        };
        let Some(support) = ctx.support.as_mut() else {
            ctx.fault("call() during observe()".into());
            return CALL_FAILED;
        };
        let answer = support.call(decoded);
        if !out_flags.is_null() {
            // SAFETY: non-null; the header says it points at a uint32_t the library owns.
            unsafe { *out_flags = answer.flags };
        }
        answer.hr.0
    })
}

extern "C" fn host_notify(ctx: *mut c_void, n: *const ffi::Notification) {
    with_ctx(ctx, (), |ctx| {
        // SAFETY: as in `host_call`.
        let Some(n) = (unsafe { n.as_ref() }) else {
            return ctx.fault("notify(): NULL notification".into());
        };
        match (decode_notification(n), ctx.support.as_mut()) {
            (Ok(n), Some(support)) => support.notify(n),
            (Err(e), _) => ctx.fault(format!("notify(): {e}")),
            (_, None) => ctx.fault("notify() during observe()".into()),
        }
    });
}

extern "C" fn host_queue_row(ctx: *mut c_void, row: *const ffi::QueueRow) {
    with_ctx(ctx, (), |ctx| {
        // SAFETY: as in `host_call`.
        let Some(r) = (unsafe { row.as_ref() }) else {
            return ctx.fault("queue_row(): NULL row".into());
        };
        match msg(r.msg) {
            Ok(m) => ctx.queue_rows.push(QueueRow {
                msg: m,
                submit_flags: (r.has_submit_flags != 0).then_some(r.submit_flags),
                // The contract compares the governed bits only.
                message_flags: (r.has_message_flags != 0)
                    .then_some(r.message_flags & OBSERVED_MESSAGE_FLAGS),
                client_submit_time: (r.has_client_submit_time != 0).then_some(r.client_submit_time),
            }),
            Err(e) => ctx.fault(format!("queue_row(): {e}")),
        }
    });
}

extern "C" fn host_message(ctx: *mut c_void, view: *const ffi::MessageView) {
    with_ctx(ctx, (), |ctx| {
        // SAFETY: as in `host_call`.
        let Some(v) = (unsafe { view.as_ref() }) else {
            return ctx.fault("message(): NULL view".into());
        };
        if let Err(e) = ctx.observation.message(v) {
            ctx.fault(format!("message(): {e}"));
        }
    });
}

extern "C" fn host_folder_item(ctx: *mut c_void, folder: u32, m: u32) {
    with_ctx(ctx, (), |ctx| match (folder_of(folder), msg(m)) {
        (Ok(f), Ok(m)) => ctx.observation.folders.entry(f).or_default().push(m),
        (Err(e), _) | (_, Err(e)) => ctx.fault(format!("folder_item(): {e}")),
    });
}

extern "C" fn host_queue_item(ctx: *mut c_void, m: u32) {
    with_ctx(ctx, (), |ctx| match msg(m) {
        Ok(m) => ctx.observation.queue.push(m),
        Err(e) => ctx.fault(format!("queue_item(): {e}")),
    });
}

#[derive(Default)]
struct ObservationBuilder {
    messages: BTreeMap<MsgId, MessageView>,
    folders: BTreeMap<Folder, Vec<MsgId>>,
    queue: Vec<MsgId>,
}

impl ObservationBuilder {
    fn message(&mut self, v: &ffi::MessageView) -> Result<(), String> {
        let id = msg(v.msg)?;
        let responsibility = slice(v.responsibility, v.recipient_count)?
            .iter()
            .map(|&r| match r {
                -1 => Ok(None),
                0 => Ok(Some(false)),
                1 => Ok(Some(true)),
                other => Err(format!("responsibility {other} is not -1, 0 or 1")),
            })
            .collect::<Result<_, _>>()?;
        let view = MessageView {
            message_flags: v.message_flags & OBSERVED_MESSAGE_FLAGS,
            submit_flags: v.submit_flags,
            client_submit_time: (v.has_client_submit_time != 0).then_some(v.client_submit_time),
            responsibility,
        };
        if self.messages.insert(id, view).is_some() {
            return Err(format!("{id} is reported twice"));
        }
        Ok(())
    }

    fn finish(self) -> Observation {
        let mut folders: BTreeMap<Folder, Vec<MsgId>> =
            Folder::ALL.iter().map(|&f| (f, Vec::new())).collect();
        for (f, mut items) in self.folders {
            items.sort();
            folders.insert(f, items);
        }
        Observation {
            messages: self.messages,
            folders,
            queue: self.queue,
        }
    }
}

// ---- Codes ----------------------------------------------------------------------------------

fn msg(n: u32) -> Result<MsgId, String> {
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

fn folder_of(code: u32) -> Result<Folder, String> {
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
    }
}

fn addr_of(code: u32) -> Result<AddrType, String> {
    AddrType::ALL
        .into_iter()
        .find(|&a| addr_code(a) == code)
        .ok_or_else(|| format!("address type code {code} is not SPOOLCHECK_ADDR_*"))
}

fn encode_choices(c: &Choices) -> ffi::Choices {
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

fn encode_op(op: &Op, recipients: &[u32]) -> ffi::Op {
    let mut c = ffi::Op {
        kind: op_code(op),
        caller: role_code(op.caller()),
        msg: op.msg().map_or(0, |m| m.0),
        flags: 0,
        access: 0,
        path: 0,
        via: 0,
        lock: 0,
        recipient: 0,
        folder: 0,
        addr: 0,
        available: 0,
        scope: 0,
        create: ffi::NewMessage {
            folder: 0,
            recipient_count: 0,
            recipients: std::ptr::null(),
            sentmail: 0,
            delete_after_submit: 0,
            unsent: 0,
            resend: 0,
            saved: 0,
        },
        script: ffi::Script::default(),
    };
    match op {
        Op::CreateMessage(n) => {
            c.create = ffi::NewMessage {
                folder: folder_code(n.folder),
                recipient_count: u32::try_from(recipients.len()).unwrap_or(u32::MAX),
                // NULL for none, not an empty Vec's dangling pointer.
                recipients: if recipients.is_empty() {
                    std::ptr::null()
                } else {
                    recipients.as_ptr()
                },
                sentmail: n.sentmail.map_or(0, folder_code),
                delete_after_submit: u32::from(n.delete_after_submit),
                unsent: u32::from(n.unsent),
                resend: u32::from(n.resend),
                saved: u32::from(n.saved),
            };
        }
        Op::SubmitMessage { flags, script, .. } => {
            c.flags = *flags;
            c.script = ffi::Script {
                now: script.now,
                prepare: script.prepare.0,
                expand: script.expand.0,
                expand_flags: script.expand_flags,
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
        _ => {}
    }
    c
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
        Op::RunSpooler => 20,
    }
}

fn decode_ret(r: &ffi::Ret, rows: Vec<QueueRow>) -> Result<Ret, String> {
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

fn decode_call(c: &ffi::Call) -> Result<SupportCall, String> {
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

fn decode_notification(n: &ffi::Notification) -> Result<Notification, String> {
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

#[cfg(test)]
mod tests {
    //! The Rust mirror of `spoolcheck.h` has the header's layout: a C program built from the
    //! header prints every struct's size and every field's offset, and the Rust side must agree.

    use super::ffi;
    use std::mem::{offset_of, size_of};
    use std::process::Command;

    /// `(C struct, Rust type, [fields])` → lines "struct.field offset" and "struct size".
    macro_rules! layout {
        ($($c:literal => $rust:ty { $($f:ident),* $(,)? })*) => {{
            let mut c = String::new();
            let mut rust = String::new();
            $(
                c.push_str(&format!(
                    "printf(\"{} %zu\\n\", sizeof({}));\n", $c, $c
                ));
                rust.push_str(&format!("{} {}\n", $c, size_of::<$rust>()));
                $(
                    c.push_str(&format!(
                        "printf(\"{}.{} %zu\\n\", offsetof({}, {}));\n",
                        $c, stringify!($f), $c, stringify!($f)
                    ));
                    rust.push_str(&format!(
                        "{}.{} {}\n", $c, stringify!($f), offset_of!($rust, $f)
                    ));
                )*
            )*
            (c, rust)
        }};
    }

    #[test]
    fn the_rust_structs_have_the_headers_layout() {
        let (c_body, rust) = layout! {
            "spoolcheck_choices" => ffi::Choices { profile, submission, prepare_submit,
                enforce_spooler_only, lock_after_restart, tight_coupling, tc_handles,
                tc_completion, disposition_by, delete_means, sentmail }
            "spoolcheck_script" => ffi::Script { now, prepare, expand, expand_flags }
            "spoolcheck_new_message" => ffi::NewMessage { folder, recipient_count, recipients,
                sentmail, delete_after_submit, unsent, resend, saved }
            "spoolcheck_op" => ffi::Op { kind, caller, msg, flags, access, path, via, lock,
                recipient, folder, addr, available, scope, create, script }
            "spoolcheck_ret" => ffi::Ret { hr, data_kind, value }
            "spoolcheck_queue_row" => ffi::QueueRow { msg, has_submit_flags, submit_flags,
                has_message_flags, message_flags, has_client_submit_time, client_submit_time }
            "spoolcheck_call" => ffi::Call { kind, msg, flags, preprocessor, transport, locked,
                recipient_count, recipients }
            "spoolcheck_notification" => ffi::Notification { kind, table_event, msg, sink }
            "spoolcheck_message_view" => ffi::MessageView { msg, message_flags, submit_flags,
                has_client_submit_time, client_submit_time, recipient_count, responsibility }
            "spoolcheck_host" => ffi::Host { ctx, call, notify, queue_row, message, folder_item,
                queue_item }
            "spoolcheck_provider" => ffi::Provider { abi_version, name, create, destroy, reset,
                apply, observe, last_error }
        };
        let dir = std::env::temp_dir().join(format!("spoolcheck-layout-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let source = dir.join("layout.c");
        std::fs::write(
            &source,
            format!(
                "#include <stddef.h>\n#include <stdio.h>\n#include \"spoolcheck.h\"\n\
                 int main(void) {{\n{c_body}return 0;\n}}\n"
            ),
        )
        .unwrap();
        let program = dir.join("layout");
        let include = concat!(env!("CARGO_MANIFEST_DIR"), "/include");
        let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".into());
        let built = Command::new(&compiler)
            .args(["-std=c11", "-Wall", "-Werror", "-I", include, "-o"])
            .arg(&program)
            .arg(&source)
            .status()
            .unwrap_or_else(|e| panic!("`{compiler}` runs: {e}"));
        assert!(built.success(), "the layout program does not build");
        let out = Command::new(&program).output().unwrap();
        let c = String::from_utf8(out.stdout).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        for (c_line, rust_line) in c.lines().zip(rust.lines()) {
            assert_eq!(
                c_line, rust_line,
                "C says `{c_line}`, Rust says `{rust_line}`"
            );
        }
        assert_eq!(c.lines().count(), rust.lines().count());
    }
}
