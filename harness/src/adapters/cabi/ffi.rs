//! The structures of `spoolcheck.h`, field for field (the layout test in `tests.rs` compares them
//! with a C compiler's).

use std::ffi::{c_char, c_void};

pub const ABI_VERSION: u32 = 2;
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
#[derive(Clone, Copy, Default)]
pub struct Entry {
    pub kind: u32,
    pub id: u32,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct Recipient {
    pub recip_type: u32,
    pub addr: u32,
    pub name: *const c_char,
    pub email: *const c_char,
    pub entry: Entry,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct BookEntry {
    pub entry: Entry,
    pub name: *const c_char,
    pub addr: u32,
    pub email: *const c_char,
    pub member_count: u32,
    pub members: *const Entry,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct Script {
    pub now: u64,
    pub prepare: u32,
    pub expand: u32,
    pub expand_flags: u32,
    pub has_expanded: u32,
    pub expanded_count: u32,
    pub expanded: *const Recipient,
    pub book_count: u32,
    pub book: *const BookEntry,
}

impl Default for Script {
    fn default() -> Script {
        Script {
            now: 0,
            prepare: 0,
            expand: 0,
            expand_flags: 0,
            has_expanded: 0,
            expanded_count: 0,
            expanded: std::ptr::null(),
            book_count: 0,
            book: std::ptr::null(),
        }
    }
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct SpoolerScript {
    pub busy_preprocessor: u32,
    pub waiting_transport: u32,
}

#[repr(C)]
pub struct NewMessage {
    pub folder: u32,
    pub recipient_count: u32,
    pub recipients: *const Recipient,
    pub sentmail: u32,
    pub delete_after_submit: u32,
    pub unsent: u32,
    pub resend: u32,
    pub saved: u32,
}

impl Default for NewMessage {
    fn default() -> NewMessage {
        NewMessage {
            folder: 0,
            recipient_count: 0,
            recipients: std::ptr::null(),
            sentmail: 0,
            delete_after_submit: 0,
            unsent: 0,
            resend: 0,
            saved: 0,
        }
    }
}

#[repr(C)]
#[derive(Default)]
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
    pub spooler: SpoolerScript,
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
    pub recipients: *const Recipient,
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
    pub apply: Option<unsafe extern "C" fn(*mut c_void, *const Op, *const Host, *mut Ret) -> i32>,
    pub observe: Option<unsafe extern "C" fn(*mut c_void, *const Host) -> i32>,
    pub last_error: Option<unsafe extern "C" fn(*mut c_void) -> *const c_char>,
}

pub type EntryPoint = unsafe extern "C" fn() -> *const Provider;
pub const ENTRY_POINT: &[u8] = b"spoolcheck_provider_v2\0";
/// The entry point of contract version 1, looked for only to say why such a library is refused.
pub const ENTRY_POINT_V1: &[u8] = b"spoolcheck_provider_v1\0";

/// The optional `void *spoolcheck_create_configured_v2(const char *config, char *error,
/// size_t error_size)` of a library that needs configuration to make an instance (the MAPI
/// bridge, harness/mapi-bridge/src/abi.cpp): NULL with the reason in `error` when it cannot.
pub type CreateConfigured = unsafe extern "C" fn(*const c_char, *mut c_char, usize) -> *mut c_void;
pub const CREATE_CONFIGURED: &[u8] = b"spoolcheck_create_configured_v2\0";
