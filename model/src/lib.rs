//! # spoolcheck-model
//!
//! The executable specification of a MAPI message store provider that supports sending mail: the
//! outgoing queue, `IMessage::SubmitMessage`, the spooler-only `IMsgStore` methods, `OpenEntry` on
//! queued and locked messages, and the calls the store must make to MAPI's support object.
//!
//! The model is plain data and one pure function. [`step`] takes a [`State`] and an [`Op`] and
//! returns every outcome the documentation allows: the next state, the return value and what it must
//! match, the support calls in order, the notifications, and the IDs of the rules it applied. Rule
//! IDs (`SUBMIT-09`) are those of the catalog in `specs/`, which traces each to the sentences of the
//! source page (`S103`..`S172`).
//!
//! ```
//! use spoolcheck_model::{step, Choices, Op, State, NewMessage, Folder, AddrType, Role, SubmitScript, MsgId};
//! use spoolcheck_model::mapi::{Hresult, msgflag};
//! use spoolcheck_model::recipient::to;
//!
//! let state = State::new(Choices::default());
//! let create = Op::CreateMessage(NewMessage {
//!     folder: Folder::Outbox, recipients: vec![to(AddrType::Smtp)], sentmail: None,
//!     delete_after_submit: false, unsent: false, resend: false, saved: true,
//! });
//! let state = step(&state, &create).next().clone();
//! let submit = Op::SubmitMessage {
//!     caller: Role::Client, msg: MsgId(1), flags: 0, script: SubmitScript::ok(1_000),
//! };
//! let result = step(&state, &submit);
//! assert_eq!(result.ret().hr, Hresult::S_OK);
//! assert!(result.next().queued(MsgId(1)));
//! assert!(result.next().messages[&MsgId(1)].flags & msgflag::SUBMIT != 0);
//! assert!(result.rules().iter().any(|r| r.as_str() == "SUBMIT-10"));
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod choices;
pub mod effect;
#[cfg(feature = "proptest")]
pub mod generate;
pub mod invariants;
pub mod mapi;
pub mod observe;
pub mod op;
pub mod precondition;
#[cfg(feature = "quickcheck")]
pub mod quickcheck_gen;
pub mod recipient;
pub mod rules;
pub mod state;
mod step;
pub mod subject;
pub mod trace;
pub mod verdict;
pub mod witness;

pub use choices::{Choices, Profile};
pub use effect::{Because, Notification, SupportCall};
pub use observe::{observe, Observation};
pub use op::{
    Access, AccessLevel, Handle, NewMessage, Op, OpenPath, PreprocessorScope, QueueRow, Ret,
    RetData, Role, SpoolerScript, SubmitScript,
};
pub use recipient::{EntryRef, RecipType, RecipientRow};
pub use rules::RuleId;
pub use state::{AddrType, Folder, Life, MsgId, State};
pub use step::{step, Outcome, RetCheck, RetPattern, Step};
pub use subject::Subject;
