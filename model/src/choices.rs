//! The implementer's declared choices: where the documentation allows several behaviours, the
//! implementation says which one it took, and the model follows it (DESIGN §2).
//!
//! Where the documentation permits more than one outcome and an implementation cannot promise one
//! (a lock after a restart), the choice may be `Either` and the model accepts every permitted outcome.

use crate::state::{AddrType, Folder};
use serde::{Deserialize, Serialize};

/// The declared choices of one implementation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields, default)]
pub struct Choices {
    /// Which parties the implementation plays (DESIGN §1).
    pub profile: Profile,
    /// The store supports outgoing submission (CAP-01). Without it, SubmitMessage must fail.
    pub submission: bool,
    /// When the store calls PrepareSubmit (AMB-04).
    pub prepare_submit: PrepareSubmitPolicy,
    /// Spooler-only methods refuse other callers with MAPI_E_NO_SUPPORT (AMB-19).
    pub enforce_spooler_only: bool,
    /// Whether a spooler lock survives a restart (PERSIST-01, AMB-28).
    pub lock_after_restart: LockAfterRestart,
    /// Tight coupling with a transport (TC-01); `None` for an ordinary store.
    pub tight_coupling: Option<TightCoupling>,
    /// Who performs the sent-mail disposition after FinishedMsg (AMB-17).
    pub disposition_by: DispositionBy,
    /// What "delete the message" means (AMB-35).
    pub delete_means: DeleteMeans,
    /// Whether sent-mail processing (FinishedMsg, and a tightly coupled store's local completion)
    /// copies or moves the message to PR_SENTMAIL_ENTRYID (AMB-17).
    pub sentmail: SentMailMode,
}

impl Default for Choices {
    fn default() -> Self {
        Choices {
            profile: Profile::Provider,
            submission: true,
            prepare_submit: PrepareSubmitPolicy::Always,
            enforce_spooler_only: true,
            lock_after_restart: LockAfterRestart::Either,
            tight_coupling: None,
            disposition_by: DispositionBy::Store,
            delete_means: DeleteMeans::HardDelete,
            sentmail: SentMailMode::Move,
        }
    }
}

/// Which parties the implementation under test plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// A message store provider; the harness plays MAPI, the spooler and the transports.
    Provider,
    /// A whole MAPI implementation: store, support object and spooler; the harness plays client and transports.
    System,
}

/// When PrepareSubmit is called during a client's SubmitMessage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case")]
pub enum PrepareSubmitPolicy {
    /// On every client submission (the starting page's step 1).
    Always,
    /// Only for messages with MSGFLAG_RESEND (IMessage::SubmitMessage's notes).
    ResendOnly,
}

/// What happens to a spooler lock when the store restarts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case")]
pub enum LockAfterRestart {
    /// Locks are volatile and always lost.
    Dropped,
    /// Locks are persisted.
    Kept,
    /// Either may happen, per message.
    Either,
}

/// A store tightly coupled with a transport.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct TightCoupling {
    /// The address types the coupled transport can handle (AMB-02).
    pub handles: Vec<AddrType>,
    /// What the store does when it handled every recipient of an unpreprocessed message (TC-03).
    pub completion: Completion,
}

/// How a tightly coupled store finishes a message whose recipients it handled completely.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case")]
pub enum Completion {
    /// Call IMAPISupport::CompleteMsg and let the spooler finish (recommended).
    CompleteMsg,
    /// Finish locally: sent-mail copy, delete-after-submit, unlock.
    Local,
}

/// Who carries out the sent-mail disposition after FinishedMsg.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case")]
pub enum DispositionBy {
    /// The store moves or deletes the message itself, then calls DoSentMail.
    Store,
    /// MAPI's DoSentMail does it; the store leaves the message where it is.
    DoSentMail,
}

/// What deleting a sent message means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case")]
pub enum DeleteMeans {
    /// The message is gone.
    HardDelete,
    /// The message moves to Deleted Items.
    MoveToDeletedItems,
}

/// Whether sent-mail processing copies or moves the message to PR_SENTMAIL_ENTRYID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case")]
pub enum SentMailMode {
    /// The message itself moves to the target folder.
    Move,
    /// A copy goes to the target folder; the original stays unless deleted.
    Copy,
}

impl Choices {
    /// True when the coupled transport handles recipients of this address type.
    pub fn tc_handles(&self, addr: AddrType) -> bool {
        self.tight_coupling
            .as_ref()
            .is_some_and(|tc| tc.handles.contains(&addr))
    }

    /// The folder a deleted message ends in, if any.
    pub fn deleted_folder(&self) -> Option<Folder> {
        match self.delete_means {
            DeleteMeans::HardDelete => None,
            DeleteMeans::MoveToDeletedItems => Some(Folder::DeletedItems),
        }
    }

    /// A few representative choice sets, used by witness search and the property tests.
    pub fn presets() -> Vec<(&'static str, Choices)> {
        let tc = |completion| {
            Some(TightCoupling {
                handles: vec![AddrType::Smtp],
                completion,
            })
        };
        vec![
            ("default", Choices::default()),
            (
                "tight-coupling-complete-msg",
                Choices {
                    tight_coupling: tc(Completion::CompleteMsg),
                    ..Choices::default()
                },
            ),
            (
                "tight-coupling-local",
                Choices {
                    tight_coupling: tc(Completion::Local),
                    sentmail: SentMailMode::Copy,
                    delete_means: DeleteMeans::MoveToDeletedItems,
                    ..Choices::default()
                },
            ),
            (
                "resend-only-dosentmail",
                Choices {
                    prepare_submit: PrepareSubmitPolicy::ResendOnly,
                    disposition_by: DispositionBy::DoSentMail,
                    lock_after_restart: LockAfterRestart::Kept,
                    ..Choices::default()
                },
            ),
            (
                "system",
                Choices {
                    profile: Profile::System,
                    tight_coupling: tc(Completion::CompleteMsg),
                    ..Choices::default()
                },
            ),
            (
                "no-submission",
                Choices {
                    submission: false,
                    ..Choices::default()
                },
            ),
            (
                "permissive",
                Choices {
                    enforce_spooler_only: false,
                    lock_after_restart: LockAfterRestart::Dropped,
                    ..Choices::default()
                },
            ),
        ]
    }
}
