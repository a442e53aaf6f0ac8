//! Mutants of the reference provider: each one breaks one rule in the most direct way, so the
//! self-test can show that the suite catches it and names the rule.
//!
//! The list is the project's mutant plan (one or more mutants per MUST and SHOULD rule of profile
//! `provider`, and one per MAY rule whose declared behaviour can be left unhonoured; then one or more
//! per rule of profile `system` only, where the reference is also MAPI's spooler). A mutant
//! changes the reference at exactly one place, marked in the code by `self.broken(Mutant::...)`; the
//! correct code path stays the readable one.
//!
//! ```
//! use spoolcheck_harness::mutant::Mutant;
//!
//! let m = Mutant::parse("spl07-unlock-ignored").unwrap();
//! assert_eq!(m.rules()[0].as_str(), "SPL-07");
//! assert_eq!(m.name(), "spl07-unlock-ignored");
//! ```

use spoolcheck_model::choices::{
    Completion, LockAfterRestart, PrepareSubmitPolicy, SentMailMode, TightCoupling,
};
use spoolcheck_model::{AddrType, Choices, RuleId};

/// The choices most mutants run under.
fn default() -> Choices {
    Choices::default()
}

/// A store tightly coupled with an SMTP transport.
fn tight(completion: Completion) -> Choices {
    Choices {
        tight_coupling: Some(TightCoupling {
            handles: vec![AddrType::Smtp],
            completion,
        }),
        ..Choices::default()
    }
}

/// Tight coupling that hands complete messages to the spooler with CompleteMsg.
fn tc_cm() -> Choices {
    tight(Completion::CompleteMsg)
}

/// Tight coupling that completes messages locally, moving them to PR_SENTMAIL_ENTRYID.
fn tc_local() -> Choices {
    tight(Completion::Local)
}

/// Tight coupling that completes messages locally, copying them to PR_SENTMAIL_ENTRYID, so a copy
/// survives PR_DELETE_AFTER_SUBMIT. The coupled transport handles fax too: the clients' only message
/// with both PR_SENTMAIL_ENTRYID and PR_DELETE_AFTER_SUBMIT is a fax.
fn tc_local_copy() -> Choices {
    Choices {
        tight_coupling: Some(TightCoupling {
            handles: vec![AddrType::Smtp, AddrType::Fax],
            completion: Completion::Local,
        }),
        sentmail: SentMailMode::Copy,
        ..Choices::default()
    }
}

/// Locks do not survive a restart.
fn dropped() -> Choices {
    Choices {
        lock_after_restart: LockAfterRestart::Dropped,
        ..Choices::default()
    }
}

/// Locks survive a restart.
fn kept() -> Choices {
    Choices {
        lock_after_restart: LockAfterRestart::Kept,
        ..Choices::default()
    }
}

/// PrepareSubmit only for messages with MSGFLAG_RESEND.
fn resend_only() -> Choices {
    Choices {
        prepare_submit: PrepareSubmitPolicy::ResendOnly,
        ..Choices::default()
    }
}

/// The store does not support submission.
fn no_submit() -> Choices {
    Choices {
        submission: false,
        ..Choices::default()
    }
}

/// Profile `system`: the "system" preset (a store tightly coupled with an SMTP transport, handing
/// complete messages to its own spooler with CompleteMsg).
fn system() -> Choices {
    Choices::presets()
        .into_iter()
        .find(|(name, _)| *name == "system")
        .map(|(_, c)| c)
        .expect("the model has a system preset")
}

/// Profile `system` without tight coupling: every submitted message waits in the queue, and none
/// is handed over by CompleteMsg, so the spooler's duties are SPL-20 and SPL-21's, not TC-06's.
fn system_uncoupled() -> Choices {
    Choices {
        tight_coupling: None,
        ..system()
    }
}

/// Profile `system` without tight coupling, whose sent-mail processing copies, so a repeated
/// disposition shows.
fn system_uncoupled_copy() -> Choices {
    Choices {
        sentmail: SentMailMode::Copy,
        ..system_uncoupled()
    }
}

macro_rules! mutants {
    ($($variant:ident = $name:literal, [$($rule:ident),+], $choices:ident, $what:literal;)*) => {
        /// One deliberate defect of the reference provider.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "kebab-case")]
        #[non_exhaustive]
        pub enum Mutant {
            $(#[doc = $what] $variant,)*
        }

        impl Mutant {
            /// Every mutant, in the order of the plan.
            pub const ALL: &'static [Mutant] = &[$(Mutant::$variant,)*];

            /// The mutant's name, as the plan and the command line spell it.
            pub fn name(self) -> &'static str {
                match self { $(Mutant::$variant => $name,)* }
            }

            /// The rules the mutant breaks: the targeted rule first, then others it may also break.
            pub fn rules(self) -> &'static [RuleId] {
                match self { $(Mutant::$variant => &[$(RuleId::$rule),+],)* }
            }

            /// The declared choices the mutant runs under.
            pub fn choices(self) -> Choices {
                match self { $(Mutant::$variant => $choices(),)* }
            }

            /// What the mutant does wrong.
            pub fn description(self) -> &'static str {
                match self { $(Mutant::$variant => $what,)* }
            }
        }
    };
}

mutants! {
    Cap02QueueRefused = "cap02-queue-refused", [Cap02, Oq01], default,
        "GetOutgoingQueue from the spooler answers MAPI_E_NO_SUPPORT";
    Cap03NoSubmitOk = "cap03-no-submit-ok", [Cap03], default,
        "PR_STORE_SUPPORT_MASK lacks STORE_SUBMIT_OK";
    Cap09NoReadyToSend = "cap09-no-ready-to-send", [Cap09], default,
        "never calls SpoolerNotify(NOTIFY_READYTOSEND)";
    Cap09NotifyAfterPrepare = "cap09-notify-after-prepare", [Cap09], default,
        "calls SpoolerNotify(NOTIFY_READYTOSEND) after the session's first PrepareSubmit instead of before";
    Flag01NoSubmitFlag = "flag01-no-submit-flag", [Flag01], default,
        "SubmitMessage does not set MSGFLAG_SUBMIT";
    Flag02NoUnsent = "flag02-no-unsent", [Flag02], default,
        "SubmitMessage does not set MSGFLAG_UNSENT";
    Flag05StrayBit = "flag05-stray-bit", [Flag05], default,
        "PR_SUBMIT_FLAGS of a queued message also carries bit 0x4";
    Flag06PreprocessNotCleared = "flag06-preprocess-not-cleared", [Flag06], default,
        "the spooler's SubmitMessage after preprocessing leaves SUBMITFLAG_PREPROCESS set";
    Flag16LockedAtQueueTime = "flag16-locked-at-queue-time", [Flag16], default,
        "sets SUBMITFLAG_LOCKED when queueing (AMB-03's wrong reading)";
    Submit01NotSaved = "submit01-not-saved", [Submit01], default,
        "SubmitMessage does not save a never-saved message, so it is lost at restart";
    Submit01ExpansionLost = "submit01-expansion-lost", [Submit01], default,
        "SubmitMessage keeps the recipient table as the client wrote it, not as MAPI's ExpandRecips left it";
    Submit02EmptyAccepted = "submit02-empty-accepted", [Submit02], default,
        "a message with no recipients is submitted and queued";
    Submit04ErrorSwallowed = "submit04-error-swallowed", [Submit04], default,
        "PrepareSubmit's error is ignored and the message queued";
    Submit04ResendNotPrepared = "submit04-resend-not-prepared", [Submit04], resend_only,
        "declared PrepareSubmit for MSGFLAG_RESEND messages only, but submits a resent message without PrepareSubmit (after the session's SpoolerNotify)";
    Submit06ResponsibilityUnset = "submit06-responsibility-unset", [Submit06], default,
        "PR_RESPONSIBILITY is not given to recipients";
    Submit07NoSubmitTime = "submit07-no-submit-time", [Submit07], default,
        "PR_CLIENT_SUBMIT_TIME not set";
    Submit08NoExpand = "submit08-no-expand", [Submit08], default,
        "ExpandRecips not called";
    Submit09PreprocessNotQueued = "submit09-preprocess-not-queued", [Submit09], default,
        "NEEDS_PREPROCESSING answered: returns S_OK without queueing";
    Submit10NotQueued = "submit10-not-queued", [Submit10], default,
        "the spooler route returns S_OK without queueing";
    Submit12Lifo = "submit12-lifo", [Submit12], default,
        "new rows go to the front of the queue";
    Submit14SubmitterAlive = "submit14-submitter-alive", [Submit14], default,
        "the client's submitting object still accepts writes";
    Submit15ObjectClosedOnFailure = "submit15-object-closed-on-failure", [Submit15], default,
        "after a failed submission the submitting object refuses writes, as if the submission had succeeded";
    Submit21ResubmitAccepted = "submit21-resubmit-accepted", [Submit21], default,
        "a second client SubmitMessage of a submitted message is carried out again";
    Submit22UnknownFlagsAccepted = "submit22-unknown-flags-accepted", [Submit22], default,
        "SubmitMessage ignores flag bits it does not know and submits";
    Submit23FlagKeptOnFailure = "submit23-flag-kept-on-failure", [Submit23], default,
        "a failing ExpandRecips leaves MSGFLAG_SUBMIT set";
    Submit24ExpandErrorSwallowed = "submit24-expand-error-swallowed", [Submit24], default,
        "a failing ExpandRecips is ignored: the message is queued and SubmitMessage returns S_OK";
    Submit16EntryIdChanges = "submit16-entry-id-changes", [Submit16], default,
        "once queued, the message is no longer found by its pre-submission entry ID (AbortSubmit, OpenEntry, FinishedMsg answer MAPI_E_INVALID_ENTRYID)";
    Prep02NonzeroFlags = "prep02-nonzero-flags", [Prep02], default,
        "PrepareSubmit is called with *lpulFlags = 1";
    Pre03ExpandsAgain = "pre03-expands-again", [Pre03], default,
        "the spooler's SubmitMessage calls ExpandRecips again";
    Pre04DroppedAfterPreprocess = "pre04-dropped-after-preprocess", [Pre04], default,
        "after preprocessing, the spooler route removes the message from the queue";
    Pre05LocalAfterPreprocess = "pre05-local-after-preprocess", [Pre05], tc_local,
        "a preprocessed message that the TC store handles completely is completed locally instead of by CompleteMsg";
    Tc02NotMarked = "tc02-not-marked", [Tc02], tc_cm,
        "the TC store does not set PR_RESPONSIBILITY TRUE on the recipients it handles (still completes)";
    Tc03LocalDespiteChoice = "tc03-local-despite-choice", [Tc03], tc_cm,
        "completes locally although it declared CompleteMsg";
    Tc04NoSentmailCopy = "tc04-no-sentmail-copy", [Tc04], tc_local_copy,
        "local completion ignores PR_SENTMAIL_ENTRYID";
    Tc04DeleteIgnored = "tc04-delete-ignored", [Tc04], tc_local,
        "local completion ignores PR_DELETE_AFTER_SUBMIT";
    Tc04DeleteBeforeCopy = "tc04-delete-before-copy", [Tc04], tc_local_copy,
        "local completion deletes (PR_DELETE_AFTER_SUBMIT) before the sent-mail copy, so no copy survives";
    Tc05CompletemsgUncoupled = "tc05-completemsg-uncoupled", [Tc05], default,
        "an uncoupled store calls CompleteMsg after queueing";
    Tc07PartialNotQueued = "tc07-partial-not-queued", [Tc07], tc_cm,
        "a message with recipients the TC store cannot handle is not queued";
    Spl03OnlyHead = "spl03-only-head", [Spl03], default,
        "SetLockState refuses (MAPI_E_CALL_FAILED) any message but the oldest queued";
    Spl04ClientMayLock = "spl04-client-may-lock", [Spl04], default,
        "SetLockState from a client succeeds despite declared enforcement";
    Spl06NoLockedFlag = "spl06-no-locked-flag", [Spl06], default,
        "SetLockState(MSG_LOCKED) does not set SUBMITFLAG_LOCKED (the lock still works)";
    Spl07UnlockIgnored = "spl07-unlock-ignored", [Spl07], default,
        "SetLockState(MSG_UNLOCKED) keeps the message locked";
    Spl08WriteLost = "spl08-write-lost", [Spl08], default,
        "the spooler's PR_RESPONSIBILITY writes on a locked message are dropped";
    Spl11ClientFinishes = "spl11-client-finishes", [Spl11], default,
        "FinishedMsg from a client succeeds";
    Spl12LockKept = "spl12-lock-kept", [Spl12], default,
        "FinishedMsg leaves SUBMITFLAG_LOCKED set";
    Flag15FlagsKept = "flag15-flags-kept", [Flag15], default,
        "FinishedMsg leaves MSGFLAG_SUBMIT and MSGFLAG_UNSENT set";
    Spl13NoMove = "spl13-no-move", [Spl13], default,
        "FinishedMsg ignores PR_SENTMAIL_ENTRYID";
    Spl13DeleteIgnored = "spl13-delete-ignored", [Spl13], default,
        "FinishedMsg ignores PR_DELETE_AFTER_SUBMIT";
    Spl14DosentmailTwice = "spl14-dosentmail-twice", [Spl14], default,
        "FinishedMsg calls DoSentMail twice";
    Spl16StaysQueued = "spl16-stays-queued", [Spl16, Oq05], default,
        "FinishedMsg leaves the row in the queue";
    Abort01SpoolerOnly = "abort01-spooler-only", [Abort01], default,
        "AbortSubmit from a client answers MAPI_E_NO_SUPPORT";
    Abort02RowKept = "abort02-row-kept", [Abort02], default,
        "AbortSubmit answers S_OK but keeps the queue row";
    Abort03DraftOk = "abort03-draft-ok", [Abort03], default,
        "AbortSubmit of a message not in the queue answers S_OK";
    Abort04AbortLocked = "abort04-abort-locked", [Abort04], default,
        "AbortSubmit of a locked message succeeds";
    Abort07SubmitKept = "abort07-submit-kept", [Abort07], default,
        "AbortSubmit leaves MSGFLAG_SUBMIT set";
    Abort10Refused = "abort10-refused", [Abort10], default,
        "AbortSubmit of a queued message the spooler has not locked answers MAPI_E_UNABLE_TO_ABORT";
    Access01ReadLocked = "access01-read-locked", [Access01], default,
        "a client can open a locked message read-only";
    Access02ModifyQueued = "access02-modify-queued", [Access02], default,
        "MAPI_MODIFY on a queued message opens read/write";
    Access03BestRefused = "access03-best-refused", [Access03], default,
        "MAPI_BEST_ACCESS on a queued message fails with MAPI_E_SUBMITTED";
    Access04DefaultRefused = "access04-default-refused", [Access04], default,
        "an open with no flags of a queued message fails";
    Access05SpoolerRefused = "access05-spooler-refused", [Access05], default,
        "the spooler cannot open a locked message (MAPI_E_NO_ACCESS)";
    Access06DeleteSubmitted = "access06-delete-submitted", [Access06], default,
        "DeleteMessages deletes a submitted message";
    Access07ReadFlagChanges = "access07-read-flag-changes", [Access07], default,
        "SetReadFlag sets MSGFLAG_READ on a submitted message";
    Access08EmptyDeletesSubmitted = "access08-empty-deletes-submitted", [Access08], default,
        "EmptyFolder also deletes submitted messages";
    Access09WriteAfterSubmit = "access09-write-after-submit", [Access09], default,
        "a reopened handle can write to a submitted message";
    Access10FolderDiffers = "access10-folder-differs", [Access10], default,
        "OpenEntry with MAPI_MODIFY through the folder refuses a queued message with MAPI_E_NO_ACCESS, not MAPI_E_SUBMITTED as through the store";
    Access11WrongCode = "access11-wrong-code", [Access11], default,
        "a client open of a locked message fails with MAPI_E_CALL_FAILED";
    Access12AbortedReadonly = "access12-aborted-readonly", [Access12], default,
        "after AbortSubmit the message only opens read-only (MAPI_MODIFY fails with MAPI_E_SUBMITTED)";
    Access13UnknownOpens = "access13-unknown-opens", [Access13], default,
        "OpenEntry of an entry ID that names no message opens something read-only";
    Oq01LockedHidden = "oq01-locked-hidden", [Oq01], default,
        "GetOutgoingQueue omits locked messages";
    Oq02NoTimeColumn = "oq02-no-time-column", [Oq02, Oq01], default,
        "queue rows lack PR_CLIENT_SUBMIT_TIME";
    Oq03NewestFirst = "oq03-newest-first", [Oq03, Oq01], default,
        "the queue table lists the newest submission first (the store's queue itself is right)";
    Oq05NoRowAdded = "oq05-no-row-added", [Oq05], default,
        "no TABLE_ROW_ADDED when a message joins the queue";
    Oq05NoRowDeleted = "oq05-no-row-deleted", [Oq05], default,
        "no TABLE_ROW_DELETED when AbortSubmit takes a message out of the queue";
    Oq10LocalQueued = "oq10-local-queued", [Oq10], tc_local,
        "local completion leaves the message in the queue";
    Oq11NoRowModified = "oq11-no-row-modified", [Oq11], default,
        "no queue notification when SUBMITFLAG_LOCKED changes";
    Nnm01ClientNotifies = "nnm01-client-notifies", [Nnm01], default,
        "NotifyNewMail from a client succeeds despite enforcement";
    Nnm02Twice = "nnm02-twice", [Nnm02], default,
        "NotifyNewMail notifies each sink twice";
    Persist03QueueLost = "persist03-queue-lost", [Persist03], default,
        "a restart empties the outgoing queue";
    Persist07UnsavedKept = "persist07-unsaved-kept", [Persist07], default,
        "a message never saved survives a restart";
    Persist04NoLogoffTransports = "persist04-no-logoff-transports", [Persist04], default,
        "no StoreLogoffTransports at shutdown";
    Cap01SubmitsAnyway = "cap01-submits-anyway", [Cap01], no_submit,
        "declared no submission, but SubmitMessage succeeds";
    Submit03ForceRejected = "submit03-force-rejected", [Submit03], default,
        "FORCE_SUBMIT answers MAPI_E_UNKNOWN_FLAGS";
    Abort03HandedAborted = "abort03-handed-aborted", [Abort03], tc_cm,
        "AbortSubmit of a message handed over by CompleteMsg answers S_OK (and clears MSGFLAG_SUBMIT)";
    Persist01LockKept = "persist01-lock-kept", [Persist01], dropped,
        "declared volatile locks, but the lock survives a restart";
    Persist01LockDropped = "persist01-lock-dropped", [Persist01], kept,
        "declared persistent locks, but the lock is dropped at a restart";
    Pre02ReverseOrder = "pre02-reverse-order", [Pre02], system,
        "the spooler runs a message's preprocessors newest registration first";
    Pre08AnyTransport = "pre08-any-transport", [Pre08], system_uncoupled,
        "the spooler takes every registered preprocessor for a matching one: a message waiting for preprocessing goes through each (and gets its RemovePreprocessInfo), whatever its transport";
    Pre08AllMessagesOwnTransport = "pre08-all-messages-own-transport", [Pre08], system,
        "the spooler skips a preprocessor registered for all messages (NULL MAPIUID and address type) on a message with no recipient of the registering transport's address type";
    Pre08MapiuidAllMessages = "pre08-mapiuid-all-messages", [Pre08], system_uncoupled,
        "the spooler takes a preprocessor registered by a transport's MAPIUID for one registered for all messages: a message waiting for preprocessing goes through it (and gets its RemovePreprocessInfo), whatever its transports";
    Spl02NewestFirst = "spl02-newest-first", [Spl02], system_uncoupled,
        "the spooler serves the newest queued message first";
    Spl02SendsWhileDown = "spl02-sends-while-down", [Spl02], system_uncoupled,
        "the spooler does not pass over a message waiting on an unavailable transport: it sends while the transport is down";
    Spl10NoRemovePreprocessInfo = "spl10-no-remove-preprocess-info", [Spl10], system,
        "the spooler never calls RemovePreprocessInfo, though PR_PREPROCESS is set";
    Spl19NeverLocks = "spl19-never-locks", [Spl19], system,
        "the spooler preprocesses and sends without locking the message";
    Spl19UnlockedSend = "spl19-unlocked-send", [Spl19], system_uncoupled,
        "the spooler unlocks a message after preprocessing and sends it unlocked";
    Spl20SendsHandled = "spl20-sends-handled", [Spl20, Tc06], system,
        "the spooler also sends to recipients whose PR_RESPONSIBILITY is already TRUE";
    Spl21FinishedTwice = "spl21-finished-twice", [Spl21], system_uncoupled_copy,
        "the spooler calls FinishedMsg twice: the sent-mail disposition is done twice";
    Spl21NeverFinished = "spl21-never-finished", [Spl21], system_uncoupled,
        "the spooler sends but never calls FinishedMsg: the message stays submitted, locked and queued";
    Tc06HandedNotFinished = "tc06-handed-not-finished", [Tc06, Spl21], system,
        "a message handed over by CompleteMsg is sent but never finished (no FinishedMsg)";
    Exp04ListKept = "exp04-list-kept", [Exp04], system_uncoupled,
        "ExpandRecips leaves a personal distribution list's row in the table instead of its members";
    Exp05NameKept = "exp05-name-kept", [Exp05], system_uncoupled,
        "ExpandRecips keeps the display name the client gave an address-book entry";
    Exp06OneOffUnresolved = "exp06-one-off-unresolved", [Exp06], system_uncoupled,
        "ExpandRecips leaves a typed address without an entry ID";
    Exp07DuplicateKept = "exp07-duplicate-kept", [Exp07], system_uncoupled,
        "ExpandRecips keeps a row that names a recipient an earlier row already names";
    Exp08MemberUnset = "exp08-member-unset", [Exp08], system_uncoupled,
        "the rows ExpandRecips adds for a list's members have no PR_RESPONSIBILITY";
    Spl06UnlockedWhileBusy = "spl06-unlocked-while-busy", [Spl06], system_uncoupled,
        "the spooler lets go of a message while one of its preprocessors is still running (MAPI_E_BUSY)";
    Abort04AbortWhilePreprocessing = "abort04-abort-while-preprocessing", [Abort04], system_uncoupled,
        "AbortSubmit succeeds on a message the spooler holds locked while a preprocessor is still running";
    Access01OpenWhileSending = "access01-open-while-sending", [Access01], system_uncoupled,
        "a client opens a message the spooler holds locked while a transport asks it to wait";
}

impl Mutant {
    /// Looks a mutant up by its name.
    pub fn parse(name: &str) -> Option<Mutant> {
        Mutant::ALL
            .iter()
            .copied()
            .find(|m| m.name() == name.trim())
    }
}

impl std::fmt::Display for Mutant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::Mutant;
    use crate::reference::differential::first_failure;
    use crate::reference::ReferenceStore;
    use crate::selftest::{self, Kill, SelftestConfig};
    use spoolcheck_specs::{Catalog, Level, Profile};

    fn is_system(mutant: Mutant) -> bool {
        mutant.choices().profile == spoolcheck_model::Profile::System
    }

    /// The self-test of one mutant as `spoolcheck selftest` runs it: the runner searches, shrinks
    /// and names the rule of the minimal trace.
    fn kill(mutant: Mutant) -> Kill {
        let config = SelftestConfig {
            profile: mutant.choices().profile,
            ..SelftestConfig::default()
        };
        selftest::kill(mutant, &config)
    }

    /// `kill` for every mutant, on as many threads as there are cores, in plan order.
    fn kill_all() -> Vec<Kill> {
        let threads = std::thread::available_parallelism().map_or(4, |n| n.get());
        let chunk = Mutant::ALL.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = Mutant::ALL
                .chunks(chunk)
                .map(|mutants| {
                    scope.spawn(move || mutants.iter().map(|&m| kill(m)).collect::<Vec<Kill>>())
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("a self-test thread panicked"))
                .collect::<Vec<Kill>>()
        })
    }

    #[test]
    fn names_are_unique_and_parse_back() {
        let mut seen = std::collections::BTreeSet::new();
        for &m in Mutant::ALL {
            assert!(seen.insert(m.name()), "duplicate name {m}");
            assert_eq!(Mutant::parse(m.name()), Some(m));
            let json = serde_json::to_string(&m).expect("serialise");
            assert_eq!(json, format!("\"{}\"", m.name()), "serde name of {m:?}");
            assert!(!m.rules().is_empty() && !m.description().is_empty());
            let mut rules = m.rules().to_vec();
            rules.sort();
            rules.dedup();
            assert_eq!(rules.len(), m.rules().len(), "{m} lists a rule twice");
        }
        assert_eq!(Mutant::parse("no-such-mutant"), None);
    }

    #[test]
    fn every_must_and_should_rule_of_profile_provider_is_targeted() {
        let targeted: Vec<&str> = Mutant::ALL.iter().map(|m| m.rules()[0].as_str()).collect();
        let missing: Vec<&str> = Catalog::embedded()
            .rules
            .iter()
            .filter(|r| {
                matches!(r.level, Level::Must | Level::Should) && r.applies_in(Profile::Provider)
            })
            .map(|r| r.id.as_str())
            .filter(|id| !targeted.contains(id))
            .collect();
        assert!(missing.is_empty(), "rules no mutant targets: {missing:?}");
    }

    /// Each MUST and SHOULD rule of profile `system` alone is the targeted rule of a mutant that runs
    /// in profile `system`.
    #[test]
    fn every_must_and_should_rule_of_profile_system_only_is_targeted() {
        let targeted: Vec<&str> = Mutant::ALL
            .iter()
            .filter(|&&m| is_system(m))
            .map(|m| m.rules()[0].as_str())
            .collect();
        let system_only: Vec<&str> = Catalog::embedded()
            .rules
            .iter()
            .filter(|r| {
                matches!(r.level, Level::Must | Level::Should) && r.profiles == [Profile::System]
            })
            .map(|r| r.id.as_str())
            .collect();
        assert!(!system_only.is_empty(), "the catalog has system-only rules");
        let missing: Vec<&str> = system_only
            .into_iter()
            .filter(|id| !targeted.contains(id))
            .collect();
        assert!(
            missing.is_empty(),
            "system-only rules no system mutant targets: {missing:?}"
        );
    }

    /// A mutant's catch is its own only if the correct reference passes under the mutant's choices.
    #[test]
    fn the_reference_passes_under_every_mutants_choices() {
        let mut seen: Vec<spoolcheck_model::Choices> = Vec::new();
        for &mutant in Mutant::ALL {
            let choices = mutant.choices();
            if seen.contains(&choices) {
                continue;
            }
            let mut store = ReferenceStore::new();
            if let Some((case, failure)) = first_failure(&mut store, &choices, 0x5eed, 1_000) {
                panic!(
                    "the reference fails {} at case {case} under the choices of {mutant}:\n{failure}",
                    failure.rule
                );
            }
            seen.push(choices);
        }
    }

    /// Every mutant, through the runner as `spoolcheck selftest` runs it (searching, shrinking and
    /// naming the rule of the minimal trace), is caught naming one of its own rules. A mutant named
    /// by another rule is either badly designed (it should break its target in the most direct way)
    /// or points at the model's attribution of the difference (the order of a step's return checks,
    /// or `verdict::state_rule`).
    #[test]
    fn every_mutant_is_caught_naming_one_of_its_rules() {
        let kills = kill_all();
        let names: Vec<&str> = kills.iter().map(|k| k.mutant.as_str()).collect();
        let expected: Vec<&str> = Mutant::ALL.iter().map(|m| m.name()).collect();
        assert_eq!(names, expected, "one row per mutant, in plan order");
        let table = selftest::table(&kills);
        println!("{table}");
        let problems: Vec<String> = kills
            .iter()
            .filter(|k| !(k.caught && k.named_own_rule))
            .map(|k| match &k.named_rule {
                _ if !k.caught => format!("{}: not caught", k.mutant),
                named => format!("{}: named {named:?}, not one of {:?}", k.mutant, k.rules),
            })
            .collect();
        assert!(problems.is_empty(), "{}\n\n{table}", problems.join("\n"));
    }

    /// The self-test of profile `system`, as `spoolcheck selftest --profile system` runs it: one row
    /// per mutant of the profile, in plan order, and every one caught naming one of its own rules.
    #[test]
    fn the_selftest_of_profile_system_catches_every_system_mutant() {
        let config = SelftestConfig {
            profile: spoolcheck_model::Profile::System,
            ..SelftestConfig::default()
        };
        let kills = selftest::run_all(&config);
        let expected: Vec<&str> = Mutant::ALL
            .iter()
            .filter(|&&m| is_system(m))
            .map(|m| m.name())
            .collect();
        let names: Vec<&str> = kills.iter().map(|k| k.mutant.as_str()).collect();
        assert_eq!(names, expected, "one row per system mutant, in plan order");
        assert!(kills.len() >= 8, "only {} system mutants", kills.len());
        let table = selftest::table(&kills);
        assert!(
            kills.iter().all(|k| k.caught && k.named_own_rule),
            "{table}"
        );
    }
}
