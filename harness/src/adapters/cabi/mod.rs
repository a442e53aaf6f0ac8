//! The C-ABI adapter: loads a shared library that exports `spoolcheck_provider_v2` (see
//! `include/spoolcheck.h`) and drives it in this process.
//!
//! This module is the only place in the harness with `unsafe` code. Every call into the library
//! passes pointers that live for the call only; every callback from the library runs behind a panic
//! boundary and checks what it is given before it trusts it. What no check can stop (a library
//! that writes through a wild pointer, or crashes) is what `--isolate` ([`super::isolate`]) is for.
//!
//! `ffi.rs` mirrors the header's structures, `codes.rs` translates values both ways, and this file
//! loads the library, calls it and serves its callbacks.
#![allow(unsafe_code)]

mod codes;
mod ffi;
#[cfg(test)]
mod tests;

use crate::seam::{SeamError, Support};
use codes::{
    decode_call, decode_notification, decode_recipient, decode_ret, encode_choices, encode_op,
    folder_of, msg,
};
use spoolcheck_model::mapi::Hresult;
use spoolcheck_model::observe::{MessageView, OBSERVED_MESSAGE_FLAGS};
use spoolcheck_model::op::QueueRow;
use spoolcheck_model::{Choices, Folder, MsgId, Observation, Op, Ret};
use std::collections::BTreeMap;
use std::ffi::{c_char, c_void, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::ptr::NonNull;
use std::sync::Arc;

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
        // SAFETY: only looked up, never called: a version 1 library is refused by name.
        let v1 = unsafe { library.get::<ffi::EntryPoint>(ffi::ENTRY_POINT_V1) }.is_ok();
        // SAFETY: the header declares the entry point with exactly this signature.
        let entry: ffi::EntryPoint = unsafe { library.get::<ffi::EntryPoint>(ffi::ENTRY_POINT) }
            .map(|symbol| *symbol)
            .map_err(|e| {
                SeamError::Harness(if v1 {
                    format!(
                        "{shown} implements version 1 of the provider contract \
                         (spoolcheck_provider_v1); this harness speaks version 2, whose recipient \
                         rows, scripts and observations are whole rows: rebuild it against \
                         harness/include/spoolcheck.h (its opening comment lists what changed)"
                    )
                } else {
                    format!(
                        "{shown} does not export spoolcheck_provider_v2 (see harness/include/spoolcheck.h): {e}"
                    )
                })
            })?;
        // SAFETY: the entry point takes nothing and returns a pointer, checked below.
        let table = unsafe { entry() };
        // SAFETY: a non-null result points at the library's static table (the header's contract),
        // which lives as long as the library, which this value owns.
        let Some(table) = (unsafe { table.as_ref() }) else {
            return Err(SeamError::Harness(format!(
                "{shown}: spoolcheck_provider_v2() returned NULL"
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
    /// `spoolcheck_create_configured_v2`; the library's own reason when it cannot make one.
    pub fn with_config(library: Arc<CabiLibrary>, config: &str) -> Result<CabiProvider, SeamError> {
        let Some(create) = library.table.create_configured else {
            return Err(SeamError::Harness(format!(
                "{} does not export spoolcheck_create_configured_v2, so it takes no configuration",
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
                    "{}: spoolcheck_create_configured_v2 returned NULL",
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
        let encoded = encode_op(op).map_err(|e| SeamError::Harness(format!("{what}: {e}")))?;
        let mut ctx = HostCtx::new(Some(support));
        let host = ctx.host();
        let mut ret = ffi::Ret::default();
        // SAFETY: the instance is live; `encoded` (the operation and everything it points into),
        // `host` and `ret` outlive the call; `host.ctx` points at `ctx`, which the callbacks alone
        // use while the call runs.
        let status = unsafe {
            (self.library.table.apply)(self.instance.as_ptr(), &encoded.op, &host, &mut ret)
        };
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
pub(super) fn slice<'a, T>(items: *const T, count: u32) -> Result<&'a [T], String> {
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
        let recipients = slice(v.recipients, v.recipient_count)?
            .iter()
            .enumerate()
            .map(|(i, r)| decode_recipient(r).map_err(|e| format!("{id}, recipient row {i}: {e}")))
            .collect::<Result<_, _>>()?;
        let view = MessageView {
            message_flags: v.message_flags & OBSERVED_MESSAGE_FLAGS,
            recipients,
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
