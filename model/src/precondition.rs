//! Preconditions and the alphabet of candidate operations. They only steer generation (and the
//! witness search) towards calls a real client, spooler or transport would make; [`crate::step`]
//! itself is total and answers every operation in every state.

use crate::choices::Profile;
use crate::mapi::{expand, logoff, Hresult, FORCE_SUBMIT};
use crate::op::{
    Access, Handle, NewMessage, Op, OpenPath, PreprocessorScope, Role, SpoolerScript, SubmitScript,
};
use crate::recipient::{book_for, expand, RecipientRow};
use crate::state::{AddrType, Folder, Life, MsgId, State};
use serde::{Deserialize, Serialize};

/// The kinds of operation, for weights and swarm selection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum OpKind {
    Create,
    Submit,
    SubmitFailing,
    SpoolerSubmit,
    Abort,
    Open,
    Write,
    Lock,
    Queue,
    Mark,
    Finish,
    NewMail,
    FolderOps,
    Restart,
    Transport,
    RunSpooler,
}

impl OpKind {
    /// Every kind.
    pub const ALL: [OpKind; 16] = [
        OpKind::Create,
        OpKind::Submit,
        OpKind::SubmitFailing,
        OpKind::SpoolerSubmit,
        OpKind::Abort,
        OpKind::Open,
        OpKind::Write,
        OpKind::Lock,
        OpKind::Queue,
        OpKind::Mark,
        OpKind::Finish,
        OpKind::NewMail,
        OpKind::FolderOps,
        OpKind::Restart,
        OpKind::Transport,
        OpKind::RunSpooler,
    ];
}

impl OpKind {
    /// The kind of an operation.
    pub fn of(op: &Op) -> OpKind {
        match op {
            Op::CreateMessage(_) => OpKind::Create,
            Op::SubmitMessage {
                caller: Role::Spooler,
                ..
            } => OpKind::SpoolerSubmit,
            Op::SubmitMessage { script, flags, .. }
                if script.prepare.failed()
                    || script.expand.failed()
                    || flags & !FORCE_SUBMIT != 0 =>
            {
                OpKind::SubmitFailing
            }
            Op::SubmitMessage { .. } => OpKind::Submit,
            Op::AbortSubmit { .. } => OpKind::Abort,
            Op::OpenEntry { .. } => OpKind::Open,
            Op::WriteMessage { .. } => OpKind::Write,
            Op::SetLockState { .. } => OpKind::Lock,
            Op::GetOutgoingQueue { .. } => OpKind::Queue,
            Op::MarkResponsibility { .. } => OpKind::Mark,
            Op::FinishedMsg { .. } => OpKind::Finish,
            Op::AdviseNewMail | Op::NotifyNewMail { .. } => OpKind::NewMail,
            Op::SetReadFlag { .. }
            | Op::DeleteMessage { .. }
            | Op::EmptyFolder { .. }
            | Op::GetSupportMask => OpKind::FolderOps,
            Op::StoreLogoff { .. } | Op::Restart => OpKind::Restart,
            Op::RegisterPreprocessor { .. } | Op::SetTransportAvailable { .. } => OpKind::Transport,
            Op::RunSpooler { .. } => OpKind::RunSpooler,
        }
    }
}

/// The FILETIME the harness's clock starts at (early 2022).
pub const CLOCK_START: u64 = 132_850_000_000_000_000;
/// One second in FILETIME units.
pub const SECOND: u64 = 10_000_000;

/// True if a real party would make this call in this state.
pub fn precondition(state: &State, op: &Op) -> bool {
    let system = state.choices.profile == Profile::System;
    if let Some(id) = op.msg() {
        // Clients do try deleted or unknown entry IDs with AbortSubmit and OpenEntry (AMB-16).
        let stale_id_ok = matches!(
            op,
            Op::AbortSubmit {
                caller: Role::Client,
                ..
            } | Op::OpenEntry {
                caller: Role::Client,
                ..
            }
        );
        if !state.messages.contains_key(&id) && !stale_id_ok {
            return false;
        }
    }
    let life = op.msg().and_then(|id| state.life(id));
    match op {
        Op::RegisterPreprocessor { .. }
        | Op::SetTransportAvailable { .. }
        | Op::RunSpooler { .. } => system,
        Op::SubmitMessage {
            caller: Role::Spooler,
            script,
            ..
        } => !system && life == Some(Life::LockedPre) && clock_moves_forward(state, script.now),
        Op::FinishedMsg {
            caller: Role::Spooler,
            ..
        } => !system && matches!(life, Some(Life::Locked | Life::HandedLocked)),
        Op::SetLockState {
            caller: Role::Spooler,
            lock,
            ..
        } => {
            !system
                && match lock {
                    true => matches!(life, Some(Life::Queued | Life::QueuedPre | Life::Handed)),
                    false => matches!(
                        life,
                        Some(Life::Locked | Life::LockedPre | Life::HandedLocked)
                    ),
                }
        }
        Op::MarkResponsibility {
            caller: Role::Spooler,
            msg,
            recipient,
        } => {
            !system
                && state.messages[msg].locked
                && state.messages[msg]
                    .recipients
                    .get(usize::from(*recipient))
                    .is_some_and(|r| r.responsibility != Some(true))
        }
        // A client object from before a restart went with its session.
        Op::WriteMessage {
            via: Handle::Submitter,
            msg,
            ..
        } => !state.messages[msg].handle_lost && !state.messages[msg].submitter_in_doubt,
        Op::GetOutgoingQueue {
            caller: Role::Spooler,
        }
        | Op::NotifyNewMail {
            caller: Role::Spooler,
            ..
        } => !system,
        Op::SubmitMessage {
            caller: Role::Client,
            script,
            ..
        } => {
            clock_moves_forward(state, script.now)
                && (!system || *script == realistic_script(state, op.msg(), script.now, false))
        }
        _ => true,
    }
}

/// The message templates a client creates: plain rows of the harness's address book, a row the
/// client renamed, a typed one-off address, personal distribution lists (one within another, two
/// sharing a member), a recipient named twice in To and once more in Cc, and no recipient at all.
pub fn templates() -> Vec<NewMessage> {
    use crate::recipient::{one_off, renamed, row_of, EntryRef::*, RecipType::*};
    let base = |folder, recipients: Vec<RecipientRow>| NewMessage {
        folder,
        recipients,
        sentmail: None,
        delete_after_submit: false,
        unsent: false,
        resend: false,
        saved: true,
    };
    let ann = || row_of(To, Person(1));
    let cy = |kind| row_of(kind, Person(3));
    vec![
        base(Folder::Outbox, vec![ann()]),
        base(Folder::Outbox, vec![ann(), cy(Cc)]),
        NewMessage {
            sentmail: Some(Folder::SentItems),
            ..base(Folder::Outbox, vec![ann()])
        },
        NewMessage {
            delete_after_submit: true,
            ..base(Folder::Outbox, vec![ann()])
        },
        NewMessage {
            sentmail: Some(Folder::SentItems),
            delete_after_submit: true,
            ..base(Folder::Outbox, vec![cy(To)])
        },
        base(Folder::Outbox, vec![]),
        NewMessage {
            resend: true,
            unsent: true,
            ..base(Folder::Drafts, vec![row_of(To, Person(4)), ann()])
        },
        NewMessage {
            saved: false,
            ..base(Folder::Inbox, vec![ann()])
        },
        base(Folder::Outbox, vec![row_of(To, List(1))]),
        base(
            Folder::Outbox,
            vec![row_of(To, List(3)), ann(), row_of(Cc, Person(1))],
        ),
        base(
            Folder::Outbox,
            vec![
                renamed(To, 2, "Bobby"),
                one_off(Bcc, AddrType::Smtp, "Guest", "guest@example.test"),
            ],
        ),
        base(Folder::Drafts, vec![row_of(To, List(2)), cy(Cc)]),
    ]
}

/// The next reading of the harness's clock: one second after the latest reading a submission
/// carried, whether or not that message is still there (AMB-12: readings never repeat).
pub fn next_clock(state: &State) -> u64 {
    state.last_clock.map_or(CLOCK_START, |t| t + SECOND)
}

/// True if a client SubmitMessage's clock reading moves the clock forward (AMB-12).
pub fn clock_moves_forward(state: &State, now: u64) -> bool {
    state.last_clock.is_none_or(|last| now > last)
}

/// What a real MAPI's ExpandRecips would answer: NEEDS_SPOOLER when a tightly coupled store cannot
/// handle some recipient, NEEDS_PREPROCESSING when asked to.
pub fn realistic_script(
    state: &State,
    msg: Option<MsgId>,
    now: u64,
    preprocess: bool,
) -> SubmitScript {
    realistic_from(state, msg, mapi_script(state, msg, now), preprocess)
}

/// [`realistic_script`] from the message's [`mapi_script`], already made.
fn realistic_from(
    state: &State,
    msg: Option<MsgId>,
    mut script: SubmitScript,
    preprocess: bool,
) -> SubmitScript {
    if state.choices.profile == Profile::System {
        // The implementation is MAPI: its own ExpandRecips decides; the script only carries the
        // clock and the address book.
        return script;
    }
    // The table ExpandRecips leaves: the script's, or, when it leaves the table alone, the
    // message's own rows.
    let unhandled = match &script.expanded {
        Some(rows) => rows.iter().any(|r| !state.choices.tc_handles(r.addr)),
        None => msg.and_then(|id| state.messages.get(&id)).is_some_and(|m| {
            m.recipients
                .iter()
                .any(|r| !state.choices.tc_handles(r.row.addr))
        }),
    };
    if state.choices.tight_coupling.is_some() && unhandled {
        script.expand_flags |= expand::NEEDS_SPOOLER;
    }
    if preprocess {
        script.expand_flags |= expand::NEEDS_PREPROCESSING;
    }
    script
}

/// MAPI's part of a submission that succeeds: the address book the message's rows name and, in
/// profile `provider`, where the harness is MAPI, the table its ExpandRecips leaves.
pub fn mapi_script(state: &State, msg: Option<MsgId>, now: u64) -> SubmitScript {
    let rows: Vec<RecipientRow> = msg
        .and_then(|id| state.messages.get(&id))
        .map(|m| m.recipients.iter().map(|r| r.row.clone()).collect())
        .unwrap_or_default();
    let book = book_for(&rows);
    // MAPI rewrites the table only when expanding changes it (a list, a changed name, a typed
    // address, a duplicate); otherwise it leaves the store's rows, and their PR_RESPONSIBILITY, alone.
    let expanded: Vec<RecipientRow> = expand(&rows, &book).into_iter().map(|(r, _)| r).collect();
    SubmitScript {
        book,
        expanded: (state.choices.profile == Profile::Provider && expanded != rows)
            .then_some(expanded),
        ..SubmitScript::ok(now)
    }
}

/// Every candidate operation for a state, with its kind, filtered by [`precondition`].
/// `max_messages` bounds CreateMessage.
pub fn candidates(state: &State, max_messages: u32) -> Vec<(OpKind, Op)> {
    candidates_of(state, max_messages, None)
}

/// The candidates of one kind only (or of every kind): generation picks a kind first, so it need not
/// build and check the candidates of the others.
pub fn candidates_of(state: &State, max_messages: u32, only: Option<OpKind>) -> Vec<(OpKind, Op)> {
    let mut out = Vec::new();
    let wants = |kind| only.is_none_or(|k| k == kind);
    let mut push = |kind, op: Op| {
        if wants(kind) && precondition(state, &op) {
            out.push((kind, op));
        }
    };
    if state.next_id <= max_messages && only.is_none_or(|k| k == OpKind::Create) {
        static TEMPLATES: std::sync::OnceLock<Vec<NewMessage>> = std::sync::OnceLock::new();
        for t in TEMPLATES.get_or_init(templates) {
            push(OpKind::Create, Op::CreateMessage(t.clone()));
        }
    }
    for &msg in state.messages.keys() {
        per_message(state, msg, &wants, &mut push);
    }
    // A deleted message's entry ID, or one the store never gave out (0).
    let gone = (1..state.next_id)
        .map(MsgId)
        .find(|id| !state.messages.contains_key(id))
        .unwrap_or(MsgId(0));
    push(
        OpKind::Abort,
        Op::AbortSubmit {
            caller: Role::Client,
            msg: gone,
        },
    );
    push(
        OpKind::Open,
        Op::OpenEntry {
            caller: Role::Client,
            msg: gone,
            access: Access::BestAccess,
            path: OpenPath::Store,
        },
    );
    use Role::{Client, Spooler};
    push(OpKind::Queue, Op::GetOutgoingQueue { caller: Spooler });
    push(OpKind::Queue, Op::GetOutgoingQueue { caller: Client });
    push(OpKind::NewMail, Op::AdviseNewMail);
    push(OpKind::FolderOps, Op::GetSupportMask);
    push(
        OpKind::FolderOps,
        Op::EmptyFolder {
            caller: Client,
            folder: Folder::Outbox,
        },
    );
    push(
        OpKind::Restart,
        Op::StoreLogoff {
            flags: logoff::ORDERLY,
        },
    );
    push(OpKind::Restart, Op::Restart);
    for addr in AddrType::ALL {
        // Every form of registration (PRE-08): for the address type, by MAPIUID, for all messages.
        for scope in PreprocessorScope::ALL {
            push(OpKind::Transport, Op::RegisterPreprocessor { addr, scope });
        }
        let down = state.transports_down.contains(&addr);
        push(
            OpKind::Transport,
            Op::SetTransportAvailable {
                addr,
                available: down,
            },
        );
    }
    push(
        OpKind::RunSpooler,
        Op::RunSpooler {
            script: SpoolerScript::default(),
        },
    );
    // A preprocessor still running, or a transport with a temporary problem, when the spooler
    // calls it for the message it serves next: the points where clients act while it holds it.
    if let Some(next) = crate::step::next_servable(state) {
        let m = &state.messages[&next];
        if m.preprocess {
            for p in state
                .preprocessors
                .iter()
                .filter(|p| p.is_for(m.pending_addrs()))
            {
                let script = SpoolerScript {
                    busy_preprocessor: Some(p.id),
                    ..SpoolerScript::default()
                };
                push(OpKind::RunSpooler, Op::RunSpooler { script });
            }
        }
        let mut pending: Vec<AddrType> = m
            .pending_addrs()
            .filter(|a| AddrType::ALL.contains(a))
            .collect();
        pending.sort();
        pending.dedup();
        for transport in pending {
            let script = SpoolerScript {
                waiting_transport: Some(transport),
                ..SpoolerScript::default()
            };
            push(OpKind::RunSpooler, Op::RunSpooler { script });
        }
    }
    out
}

/// A message's candidates, in a fixed order. The submission scripts cost an address-book lookup
/// and an expansion each, so they are made only when `wants` their kind.
fn per_message(
    state: &State,
    msg: MsgId,
    wants: &impl Fn(OpKind) -> bool,
    push: &mut impl FnMut(OpKind, Op),
) {
    use Role::{Client, Spooler};
    let now = next_clock(state);
    let submit = |script, flags| Op::SubmitMessage {
        caller: Client,
        msg,
        flags,
        script,
    };
    let (submits, failing) = (wants(OpKind::Submit), wants(OpKind::SubmitFailing));
    if submits || failing {
        let mapi = mapi_script(state, Some(msg), now);
        let realistic = realistic_from(state, Some(msg), mapi.clone(), false);
        if submits {
            push(OpKind::Submit, submit(realistic.clone(), 0));
            push(
                OpKind::Submit,
                submit(realistic_from(state, Some(msg), mapi.clone(), true), 0),
            );
            push(OpKind::Submit, submit(realistic.clone(), FORCE_SUBMIT));
            let spooler_flag = SubmitScript {
                expand_flags: expand::NEEDS_SPOOLER,
                ..mapi
            };
            push(OpKind::Submit, submit(spooler_flag, 0));
        }
        if failing {
            // A flag bit SubmitMessage does not define (SUBMIT-22).
            push(OpKind::SubmitFailing, submit(realistic, 0x2));
            push(
                OpKind::SubmitFailing,
                submit(
                    SubmitScript {
                        prepare: Hresult::MAPI_E_CALL_FAILED,
                        ..SubmitScript::ok(now)
                    },
                    0,
                ),
            );
            push(
                OpKind::SubmitFailing,
                submit(
                    SubmitScript {
                        expand: Hresult::MAPI_E_NOT_FOUND,
                        ..SubmitScript::ok(now)
                    },
                    0,
                ),
            );
        }
    }
    push(
        OpKind::SpoolerSubmit,
        Op::SubmitMessage {
            caller: Spooler,
            msg,
            flags: 0,
            script: SubmitScript::ok(now),
        },
    );
    push(
        OpKind::Abort,
        Op::AbortSubmit {
            caller: Client,
            msg,
        },
    );
    for path in [OpenPath::Store, OpenPath::Folder] {
        for access in [Access::Default, Access::Modify, Access::BestAccess] {
            push(
                OpKind::Open,
                Op::OpenEntry {
                    caller: Client,
                    msg,
                    access,
                    path,
                },
            );
        }
    }
    push(
        OpKind::Open,
        Op::OpenEntry {
            caller: Spooler,
            msg,
            access: Access::Modify,
            path: OpenPath::Store,
        },
    );
    push(
        OpKind::Write,
        Op::WriteMessage {
            caller: Client,
            msg,
            via: Handle::Submitter,
        },
    );
    push(
        OpKind::Write,
        Op::WriteMessage {
            caller: Client,
            msg,
            via: Handle::Reopened,
        },
    );
    push(
        OpKind::Lock,
        Op::SetLockState {
            caller: Spooler,
            msg,
            lock: true,
        },
    );
    push(
        OpKind::Lock,
        Op::SetLockState {
            caller: Spooler,
            msg,
            lock: false,
        },
    );
    push(
        OpKind::Lock,
        Op::SetLockState {
            caller: Client,
            msg,
            lock: true,
        },
    );
    for recipient in 0..2 {
        push(
            OpKind::Mark,
            Op::MarkResponsibility {
                caller: Spooler,
                msg,
                recipient,
            },
        );
    }
    push(
        OpKind::Finish,
        Op::FinishedMsg {
            caller: Spooler,
            msg,
        },
    );
    push(
        OpKind::Finish,
        Op::FinishedMsg {
            caller: Client,
            msg,
        },
    );
    push(
        OpKind::NewMail,
        Op::NotifyNewMail {
            caller: Spooler,
            msg,
        },
    );
    push(
        OpKind::NewMail,
        Op::NotifyNewMail {
            caller: Client,
            msg,
        },
    );
    push(
        OpKind::FolderOps,
        Op::SetReadFlag {
            caller: Client,
            msg,
        },
    );
    push(
        OpKind::FolderOps,
        Op::DeleteMessage {
            caller: Client,
            msg,
        },
    );
}
