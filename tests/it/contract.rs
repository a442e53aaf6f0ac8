//! The C header and the proto say the same as the model: every HRESULT and flag value the header
//! lists is the model's, and every model HRESULT is in the header, so an implementer who copies
//! from either gets the values the suite compares.

use spoolcheck_model::mapi::{self, Hresult};
use std::collections::BTreeMap;

fn header_constants() -> BTreeMap<String, u32> {
    let text = include_str!("../../harness/include/spoolcheck.h");
    text.lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("#define SPOOLCHECK_")?;
            let mut parts = rest.split_whitespace();
            let name = parts.next()?;
            let value = parts.next()?.trim_end_matches('u');
            let value = match value.strip_prefix("0x") {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => value.parse().ok()?,
            };
            Some((name.to_string(), value))
        })
        .collect()
}

#[test]
fn the_header_lists_every_hresult_with_the_models_value() {
    let header = header_constants();
    for (name, hr) in Hresult::NAMED {
        assert_eq!(header.get(*name), Some(&hr.0), "SPOOLCHECK_{name}");
    }
}

#[test]
fn the_headers_flag_values_are_the_models() {
    let header = header_constants();
    for (name, value) in [
        ("MSGFLAG_READ", mapi::msgflag::READ),
        ("MSGFLAG_UNMODIFIED", mapi::msgflag::UNMODIFIED),
        ("MSGFLAG_SUBMIT", mapi::msgflag::SUBMIT),
        ("MSGFLAG_UNSENT", mapi::msgflag::UNSENT),
        ("MSGFLAG_RESEND", mapi::msgflag::RESEND),
        ("SUBMITFLAG_LOCKED", mapi::submitflag::LOCKED),
        ("SUBMITFLAG_PREPROCESS", mapi::submitflag::PREPROCESS),
        ("NEEDS_PREPROCESSING", mapi::expand::NEEDS_PREPROCESSING),
        ("NEEDS_SPOOLER", mapi::expand::NEEDS_SPOOLER),
        ("FORCE_SUBMIT", mapi::FORCE_SUBMIT),
        ("NOTIFY_READYTOSEND", mapi::NOTIFY_READYTOSEND),
        ("STORE_MODIFY_OK", mapi::STORE_MODIFY_OK),
        ("STORE_CREATE_OK", mapi::STORE_CREATE_OK),
        ("STORE_SUBMIT_OK", mapi::STORE_SUBMIT_OK),
        ("LOGOFF_NO_WAIT", mapi::logoff::NO_WAIT),
        ("LOGOFF_ORDERLY", mapi::logoff::ORDERLY),
        ("LOGOFF_PURGE", mapi::logoff::PURGE),
        ("LOGOFF_ABORT", mapi::logoff::ABORT),
        ("TABLE_CHANGED", mapi::TableEvent::Changed.code()),
        ("TABLE_ROW_ADDED", mapi::TableEvent::RowAdded.code()),
        ("TABLE_ROW_DELETED", mapi::TableEvent::RowDeleted.code()),
        ("TABLE_ROW_MODIFIED", mapi::TableEvent::RowModified.code()),
    ] {
        assert_eq!(header.get(name), Some(&value), "SPOOLCHECK_{name}");
    }
}

#[test]
fn the_proto_and_the_header_number_the_operations_alike() {
    let header = header_constants();
    let proto = include_str!("../../harness/proto/spoolcheck/v2/provider.proto");
    let body = proto
        .split("message Op {")
        .nth(1)
        .and_then(|rest| rest.split("\n}").next())
        .expect("the proto has message Op");
    let mut checked = 0;
    for line in body.lines() {
        // e.g. `    SubmitMessage submit_message = 2;`
        let Some((decl, number)) = line.trim().trim_end_matches(';').split_once(" = ") else {
            continue;
        };
        let Some(field) = decl.split_whitespace().nth(1) else {
            continue;
        };
        let name = format!("OP_{}", field.to_uppercase());
        let number: u32 = number.parse().expect("a field number");
        assert_eq!(header.get(&name), Some(&number), "SPOOLCHECK_{name}");
        checked += 1;
    }
    assert_eq!(checked, 20, "every operation of the proto is checked");
}
