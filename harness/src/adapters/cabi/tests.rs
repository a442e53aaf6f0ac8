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
        "spoolcheck_entry" => ffi::Entry { kind, id }
        "spoolcheck_recipient" => ffi::Recipient { recip_type, addr, name, email, entry }
        "spoolcheck_book_entry" => ffi::BookEntry { entry, name, addr, email, member_count,
            members }
        "spoolcheck_script" => ffi::Script { now, prepare, expand, expand_flags, has_expanded,
            expanded_count, expanded, book_count, book }
        "spoolcheck_spooler_script" => ffi::SpoolerScript { busy_preprocessor,
            waiting_transport }
        "spoolcheck_new_message" => ffi::NewMessage { folder, recipient_count, recipients,
            sentmail, delete_after_submit, unsent, resend, saved }
        "spoolcheck_op" => ffi::Op { kind, caller, msg, flags, access, path, via, lock,
            recipient, folder, addr, available, scope, create, script, spooler }
        "spoolcheck_ret" => ffi::Ret { hr, data_kind, value }
        "spoolcheck_queue_row" => ffi::QueueRow { msg, has_submit_flags, submit_flags,
            has_message_flags, message_flags, has_client_submit_time, client_submit_time }
        "spoolcheck_call" => ffi::Call { kind, msg, flags, preprocessor, transport, locked,
            recipient_count, recipients }
        "spoolcheck_notification" => ffi::Notification { kind, table_event, msg, sink }
        "spoolcheck_message_view" => ffi::MessageView { msg, message_flags, submit_flags,
            has_client_submit_time, client_submit_time, recipient_count, recipients,
            responsibility }
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
