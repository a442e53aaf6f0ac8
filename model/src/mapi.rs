//! MAPI constants with their real values, so traces read like MAPI.
//!
//! Values are those of the MAPI SDK headers (`mapicode.h`, `mapidefs.h`, `mapispi.h`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A MAPI result code (HRESULT). Success codes have the high bit clear.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Hresult(pub u32);

macro_rules! hresults {
    ($($name:ident = $value:literal,)*) => {
        impl Hresult {
            $(#[doc = concat!("`", stringify!($name), "`")] pub const $name: Hresult = Hresult($value);)*

            /// Every code this crate names, for parsing and display.
            pub const NAMED: &'static [(&'static str, Hresult)] = &[$((stringify!($name), Hresult::$name),)*];
        }
    };
}

hresults! {
    S_OK = 0x0000_0000,
    MAPI_W_PARTIAL_COMPLETION = 0x0004_0680,
    MAPI_E_CALL_FAILED = 0x8000_4005,
    MAPI_E_NO_ACCESS = 0x8007_0005,
    MAPI_E_INVALID_PARAMETER = 0x8007_0057,
    MAPI_E_NO_SUPPORT = 0x8004_0102,
    MAPI_E_UNKNOWN_FLAGS = 0x8004_0106,
    MAPI_E_INVALID_ENTRYID = 0x8004_0107,
    MAPI_E_BUSY = 0x8004_010B,
    MAPI_E_NOT_FOUND = 0x8004_010F,
    MAPI_E_UNABLE_TO_ABORT = 0x8004_0114,
    MAPI_E_NETWORK_ERROR = 0x8004_0115,
    MAPI_E_CORRUPT_DATA = 0x8004_011B,
    MAPI_E_CORRUPT_STORE = 0x8004_0600,
    MAPI_E_WAIT = 0x8004_0500,
    MAPI_E_NOT_IN_QUEUE = 0x8004_0601,
    MAPI_E_NON_STANDARD = 0x8004_0606,
    MAPI_E_NO_RECIPIENTS = 0x8004_0607,
    MAPI_E_SUBMITTED = 0x8004_0608,
}

impl Hresult {
    /// True for failure codes (severity bit set).
    pub fn failed(self) -> bool {
        self.0 & 0x8000_0000 != 0
    }

    /// The symbolic name, when this crate knows one.
    pub fn name(self) -> Option<&'static str> {
        Self::NAMED
            .iter()
            .find(|(_, hr)| *hr == self)
            .map(|(n, _)| *n)
    }

    /// Parses a symbolic name or a hexadecimal value such as `0x80040608`.
    pub fn parse(text: &str) -> Option<Hresult> {
        if let Some((_, hr)) = Self::NAMED.iter().find(|(n, _)| *n == text) {
            return Some(*hr);
        }
        let hex = text
            .strip_prefix("0x")
            .or_else(|| text.strip_prefix("0X"))?;
        u32::from_str_radix(&hex.replace('_', ""), 16)
            .ok()
            .map(Hresult)
    }
}

impl fmt::Display for Hresult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "0x{:08X}", self.0),
        }
    }
}

impl fmt::Debug for Hresult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// `PR_MESSAGE_FLAGS` bits.
pub mod msgflag {
    /// MSGFLAG_READ
    pub const READ: u32 = 0x0000_0001;
    /// MSGFLAG_UNMODIFIED
    pub const UNMODIFIED: u32 = 0x0000_0002;
    /// MSGFLAG_SUBMIT
    pub const SUBMIT: u32 = 0x0000_0004;
    /// MSGFLAG_UNSENT
    pub const UNSENT: u32 = 0x0000_0008;
    /// MSGFLAG_RESEND
    pub const RESEND: u32 = 0x0000_0080;
}

/// `PR_SUBMIT_FLAGS` bits.
pub mod submitflag {
    /// SUBMITFLAG_LOCKED: the spooler holds the message.
    pub const LOCKED: u32 = 0x0000_0001;
    /// SUBMITFLAG_PREPROCESS: the message waits for preprocessing.
    pub const PREPROCESS: u32 = 0x0000_0002;
}

/// Output flags of `IMAPISupport::ExpandRecips`.
pub mod expand {
    /// NEEDS_PREPROCESSING
    pub const NEEDS_PREPROCESSING: u32 = 0x0000_0001;
    /// NEEDS_SPOOLER
    pub const NEEDS_SPOOLER: u32 = 0x0000_0002;
}

/// `IMessage::SubmitMessage` flag FORCE_SUBMIT.
pub const FORCE_SUBMIT: u32 = 0x0000_0001;
/// `IMAPISupport::SpoolerNotify` flag NOTIFY_READYTOSEND.
pub const NOTIFY_READYTOSEND: u32 = 0x0000_0002;
/// `PR_STORE_SUPPORT_MASK` bit STORE_SUBMIT_OK.
pub const STORE_SUBMIT_OK: u32 = 0x0000_0080;
/// `PR_STORE_SUPPORT_MASK` bits a writable store advertises besides submission.
pub const STORE_MODIFY_OK: u32 = 0x0000_0008;
/// STORE_CREATE_OK
pub const STORE_CREATE_OK: u32 = 0x0000_0010;

/// `StoreLogoff` flags.
pub mod logoff {
    /// LOGOFF_NO_WAIT
    pub const NO_WAIT: u32 = 0x0000_0001;
    /// LOGOFF_ORDERLY
    pub const ORDERLY: u32 = 0x0000_0002;
    /// LOGOFF_PURGE
    pub const PURGE: u32 = 0x0000_0004;
    /// LOGOFF_ABORT: what the store forwards when StoreLogoff was never called.
    pub const ABORT: u32 = 0x0000_0008;
}

/// `TABLE_NOTIFICATION.ulTableEvent` values used on the outgoing queue table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum TableEvent {
    /// TABLE_CHANGED (1): coarse "something changed", valid in place of any rich event.
    Changed,
    /// TABLE_ROW_ADDED (3)
    RowAdded,
    /// TABLE_ROW_DELETED (4)
    RowDeleted,
    /// TABLE_ROW_MODIFIED (5)
    RowModified,
}

impl TableEvent {
    /// The MAPI numeric value.
    pub fn code(self) -> u32 {
        match self {
            TableEvent::Changed => 1,
            TableEvent::RowAdded => 3,
            TableEvent::RowDeleted => 4,
            TableEvent::RowModified => 5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_their_header_values() {
        assert_eq!(Hresult::MAPI_E_SUBMITTED.0, 0x8004_0608);
        assert_eq!(Hresult::MAPI_E_NO_ACCESS.0, 0x8007_0005);
        assert!(Hresult::MAPI_E_UNABLE_TO_ABORT.failed());
        assert!(!Hresult::MAPI_W_PARTIAL_COMPLETION.failed());
    }

    #[test]
    fn names_round_trip() {
        for (name, hr) in Hresult::NAMED {
            assert_eq!(Hresult::parse(name), Some(*hr));
            assert_eq!(Hresult::parse(&format!("0x{:08X}", hr.0)), Some(*hr));
        }
        assert_eq!(Hresult::parse("nonsense"), None);
        assert_eq!(Hresult(0x8004_0999).to_string(), "0x80040999");
    }
}
