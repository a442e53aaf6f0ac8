//! Snapshots of the model's traces along every documented path of the source page: the spooler
//! route, the preprocess route, tight coupling with CompleteMsg or local completion, AbortSubmit,
//! OpenEntry in each life-cycle state, a restart while locked, failing MAPI calls and a message
//! without recipients. Each operation sequence is built by hand, so a snapshot shows what the model
//! answers to exactly the calls the page describes.
//!
//! A snapshot has the declared choices (only those that differ from the defaults), the trace table,
//! the rules each step applied, the other outcomes a step allows, and the store at the end.

use serde_json::Value;
use spoolcheck_model::choices::{Completion, LockAfterRestart, SentMailMode, TightCoupling};
use spoolcheck_model::mapi::expand::{NEEDS_PREPROCESSING, NEEDS_SPOOLER};
use spoolcheck_model::mapi::Hresult;
use spoolcheck_model::observe::{message_flags_text, responsibility_text, submit_flags_text};
use spoolcheck_model::precondition::{CLOCK_START, SECOND};
use spoolcheck_model::{
    observe, step, trace, Access, AddrType, Choices, Folder, MsgId, NewMessage, Op, OpenPath, Role,
    State, SubmitScript,
};
use std::fmt::Write as _;

// ---- Building operations ----

const M1: MsgId = MsgId(1);
const M2: MsgId = MsgId(2);

/// A saved message in the Outbox with these recipients and no sent-mail properties.
fn message(recipients: &[AddrType]) -> NewMessage {
    NewMessage {
        folder: Folder::Outbox,
        recipients: recipients
            .iter()
            .map(|&a| spoolcheck_model::recipient::to(a))
            .collect(),
        sentmail: None,
        delete_after_submit: false,
        unsent: false,
        resend: false,
        saved: true,
    }
}

fn create(new: NewMessage) -> Op {
    Op::CreateMessage(new)
}

fn create_smtp() -> Op {
    create(message(&[AddrType::Smtp]))
}

/// MAPI's answers for the `n`-th submission: success, and these ExpandRecips flags.
fn script(n: u64, expand_flags: u32) -> SubmitScript {
    SubmitScript {
        expand_flags,
        ..SubmitScript::ok(CLOCK_START + n * SECOND)
    }
}

fn submit_with(msg: MsgId, script: SubmitScript) -> Op {
    Op::SubmitMessage {
        caller: Role::Client,
        msg,
        flags: 0,
        script,
    }
}

/// A client submission of `msg` where ExpandRecips answers `expand_flags`.
fn submit(msg: MsgId, expand_flags: u32) -> Op {
    submit_with(msg, script(u64::from(msg.0), expand_flags))
}

fn spooler_submit(msg: MsgId) -> Op {
    Op::SubmitMessage {
        caller: Role::Spooler,
        msg,
        flags: 0,
        script: script(99, 0),
    }
}

fn queue() -> Op {
    Op::GetOutgoingQueue {
        caller: Role::Spooler,
    }
}

fn lock(msg: MsgId) -> Op {
    Op::SetLockState {
        caller: Role::Spooler,
        msg,
        lock: true,
    }
}

fn unlock(msg: MsgId) -> Op {
    Op::SetLockState {
        caller: Role::Spooler,
        msg,
        lock: false,
    }
}

fn mark(msg: MsgId, recipient: u8) -> Op {
    Op::MarkResponsibility {
        caller: Role::Spooler,
        msg,
        recipient,
    }
}

fn finished(msg: MsgId) -> Op {
    Op::FinishedMsg {
        caller: Role::Spooler,
        msg,
    }
}

fn abort(msg: MsgId) -> Op {
    Op::AbortSubmit {
        caller: Role::Client,
        msg,
    }
}

fn open(msg: MsgId, access: Access) -> Op {
    Op::OpenEntry {
        caller: Role::Client,
        msg,
        access,
        path: OpenPath::Store,
    }
}

/// The client opens `msg` with MAPI_MODIFY, MAPI_BEST_ACCESS and no flag, in that order.
fn open_three_ways(msg: MsgId) -> [Op; 3] {
    [
        open(msg, Access::Modify),
        open(msg, Access::BestAccess),
        open(msg, Access::Default),
    ]
}

fn tight_coupling(completion: Completion) -> Choices {
    Choices {
        tight_coupling: Some(TightCoupling {
            handles: vec![AddrType::Smtp],
            completion,
        }),
        ..Choices::default()
    }
}

// ---- Rendering ----

/// The declared choices that differ from the defaults, as `key=json` pairs.
fn choices_text(choices: &Choices) -> String {
    let ours = serde_json::to_value(choices).expect("choices serialize");
    let defaults = serde_json::to_value(Choices::default()).expect("choices serialize");
    let (Value::Object(ours), Value::Object(defaults)) = (ours, defaults) else {
        panic!("choices serialize to an object");
    };
    let changed: Vec<String> = ours
        .iter()
        .filter(|(key, value)| defaults.get(key.as_str()) != Some(*value))
        .map(|(key, value)| format!("{key}={value}"))
        .collect();
    if changed.is_empty() {
        "defaults".to_string()
    } else {
        format!("defaults except {}", changed.join(", "))
    }
}

/// The store at the end: each message's flags and PR_RESPONSIBILITY, the folders and the queue.
fn end_text(state: &State) -> String {
    let obs = observe(state);
    let mut s = String::new();
    for id in (1..state.next_id).map(MsgId) {
        match obs.messages.get(&id) {
            Some(m) => {
                let _ = writeln!(
                    s,
                    "  {id}: PR_MESSAGE_FLAGS {}; PR_SUBMIT_FLAGS {}; PR_RESPONSIBILITY {}",
                    message_flags_text(m.message_flags),
                    submit_flags_text(m.submit_flags),
                    responsibility_text(&m.responsibility),
                );
            }
            None => {
                let _ = writeln!(s, "  {id}: deleted");
            }
        }
    }
    let folders: Vec<String> = obs
        .folders
        .iter()
        .filter(|(_, ids)| !ids.is_empty())
        .map(|(folder, ids)| format!("{folder:?} {}", ids_text(ids)))
        .collect();
    let folders = if folders.is_empty() {
        "all empty".to_string()
    } else {
        folders.join(", ")
    };
    let _ = writeln!(s, "  folders: {folders}");
    let _ = writeln!(s, "  queue: {}", ids_text(&obs.queue));
    s
}

fn ids_text(ids: &[MsgId]) -> String {
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    format!("[{}]", ids.join(", "))
}

/// The whole snapshot of one path.
fn render(path: &str, choices: &Choices, ops: &[Op]) -> String {
    let (rows, end) = trace::run(choices, ops);
    let mut s = format!(
        "path: {path}\ndeclared choices: {}\n\n",
        choices_text(choices)
    );
    s.push_str(&trace::table(&rows));
    s.push_str("\nrules applied:\n");
    for (i, row) in rows.iter().enumerate() {
        let mut rules: Vec<&str> = row.rules.iter().map(|r| r.as_str()).collect();
        rules.sort_unstable();
        let _ = writeln!(s, "  {}: {}", i + 1, rules.join(", "));
    }
    let mut state = State::new(choices.clone());
    let mut alternatives = String::new();
    for (i, op) in ops.iter().enumerate() {
        let result = step(&state, op);
        if result.outcomes.len() > 1 {
            let labels: Vec<String> = result.outcomes[1..]
                .iter()
                .map(|o| format!("\"{}\" ({})", o.label, o.ret))
                .collect();
            let _ = writeln!(
                alternatives,
                "  {}: shown \"{}\"; also allowed {}",
                i + 1,
                result.default_outcome().label,
                labels.join(", ")
            );
        }
        state = result.next().clone();
    }
    if !alternatives.is_empty() {
        s.push_str("\nother allowed outcomes:\n");
        s.push_str(&alternatives);
    }
    s.push_str("\nend:\n");
    s.push_str(&end_text(&end));
    s
}

macro_rules! path {
    ($name:ident, $what:expr, $choices:expr, $ops:expr) => {
        #[test]
        fn $name() {
            let ops: Vec<Op> = $ops.into_iter().collect();
            let snapshot = render($what, &$choices, &ops);
            insta::with_settings!({ omit_expression => true }, {
                insta::assert_snapshot!(stringify!($name), snapshot);
            });
        }
    };
}

// ---- a. The spooler route ----

path!(
    spooler_route,
    "client submits; the spooler reads the queue, locks, has the recipient sent and finishes",
    Choices::default(),
    [
        create_smtp(),
        submit(M1, 0),
        queue(),
        lock(M1),
        mark(M1, 0),
        finished(M1)
    ]
);

path!(
    spooler_route_sent_mail_folder,
    "the spooler route for a message with PR_SENTMAIL_ENTRYID = Sent Items",
    Choices::default(),
    [
        create(NewMessage {
            sentmail: Some(Folder::SentItems),
            ..message(&[AddrType::Smtp])
        }),
        submit(M1, 0),
        queue(),
        lock(M1),
        mark(M1, 0),
        finished(M1),
    ]
);

path!(
    spooler_route_delete_after_submit,
    "the spooler route for a message with PR_DELETE_AFTER_SUBMIT = TRUE",
    Choices::default(),
    [
        create(NewMessage {
            delete_after_submit: true,
            ..message(&[AddrType::Smtp])
        }),
        submit(M1, 0),
        queue(),
        lock(M1),
        mark(M1, 0),
        finished(M1),
    ]
);

path!(
    spooler_route_two_messages_in_order,
    "two submissions: the queue lists them in submission order",
    Choices::default(),
    [
        create_smtp(),
        create_smtp(),
        submit(M2, 0),
        submit(M1, 0),
        queue()
    ]
);

// ---- b. The preprocess route ----

path!(
    preprocess_route,
    "ExpandRecips asks for preprocessing; the spooler locks, preprocesses, re-submits and finishes",
    Choices::default(),
    [
        create_smtp(),
        submit(M1, NEEDS_PREPROCESSING),
        queue(),
        lock(M1),
        spooler_submit(M1),
        queue(),
        finished(M1)
    ]
);

// ---- c. Tight coupling, every recipient handled ----

path!(
    tight_coupling_complete_msg,
    "a coupled store handles every recipient and calls CompleteMsg; the spooler locks and finishes",
    tight_coupling(Completion::CompleteMsg),
    [
        create_smtp(),
        submit(M1, 0),
        queue(),
        lock(M1),
        finished(M1)
    ]
);

/// Local completion for one combination of PR_SENTMAIL_ENTRYID and PR_DELETE_AFTER_SUBMIT.
fn local(sentmail: Option<Folder>, delete_after_submit: bool) -> Vec<Op> {
    let new = NewMessage {
        sentmail,
        delete_after_submit,
        ..message(&[AddrType::Smtp])
    };
    vec![create(new), submit(M1, 0), queue(), abort(M1)]
}

path!(
    tight_coupling_local_neither,
    "local completion, neither PR_SENTMAIL_ENTRYID nor PR_DELETE_AFTER_SUBMIT",
    tight_coupling(Completion::Local),
    local(None, false)
);

path!(
    tight_coupling_local_sent_mail,
    "local completion, PR_SENTMAIL_ENTRYID = Sent Items only, sent mail moved (the default reading)",
    tight_coupling(Completion::Local),
    local(Some(Folder::SentItems), false)
);

path!(
    tight_coupling_local_delete,
    "local completion, PR_DELETE_AFTER_SUBMIT = TRUE only",
    tight_coupling(Completion::Local),
    local(None, true)
);

path!(
    tight_coupling_local_both,
    "local completion, both properties set, sent mail copied: the copy in Sent Items survives the delete (S152, S153)",
    Choices {
        sentmail: SentMailMode::Copy,
        ..tight_coupling(Completion::Local)
    },
    local(Some(Folder::SentItems), true)
);

path!(
    tight_coupling_local_both_move,
    "local completion, both properties set, sent mail moved: nothing is left",
    tight_coupling(Completion::Local),
    local(Some(Folder::SentItems), true)
);

path!(
    tight_coupling_local_sent_mail_copy,
    "local completion, PR_SENTMAIL_ENTRYID = Sent Items only, sent mail copied: the original stays in the Outbox",
    Choices {
        sentmail: SentMailMode::Copy,
        ..tight_coupling(Completion::Local)
    },
    local(Some(Folder::SentItems), false)
);

/// FinishedMsg with both properties set, under each declared reading of the sent-mail step.
fn finished_both_set() -> Vec<Op> {
    let new = NewMessage {
        sentmail: Some(Folder::SentItems),
        delete_after_submit: true,
        ..message(&[AddrType::Smtp])
    };
    vec![create(new), submit(M1, 0), lock(M1), finished(M1)]
}

path!(
    spooler_route_both_set_move,
    "FinishedMsg with both properties set, sent mail moved: nothing is left",
    Choices::default(),
    finished_both_set()
);

path!(
    spooler_route_both_set_copy,
    "FinishedMsg with both properties set, sent mail copied: the copy in Sent Items is left",
    Choices {
        sentmail: SentMailMode::Copy,
        ..Choices::default()
    },
    finished_both_set()
);

path!(
    tight_coupling_preprocessed_complete_msg,
    "a coupled store preferring local completion, but the message was preprocessed: CompleteMsg from the spooler's SubmitMessage",
    tight_coupling(Completion::Local),
    [create_smtp(), submit(M1, NEEDS_PREPROCESSING), lock(M1), spooler_submit(M1), queue(), finished(M1)]
);

// ---- d. Tight coupling, some recipients left to the spooler ----

path!(
    tight_coupling_partial,
    "a coupled store handles the SMTP recipient; ExpandRecips says NEEDS_SPOOLER; the spooler sends to FAX",
    tight_coupling(Completion::CompleteMsg),
    [
        create(message(&[AddrType::Smtp, AddrType::Fax])),
        submit(M1, NEEDS_SPOOLER),
        queue(),
        lock(M1),
        mark(M1, 1),
        finished(M1),
    ]
);

// ---- e. AbortSubmit ----

path!(
    abort_before_lock,
    "AbortSubmit on a queued, unlocked message succeeds; a second one finds nothing in the queue",
    Choices::default(),
    [
        create_smtp(),
        submit(M1, 0),
        abort(M1),
        queue(),
        abort(M1),
        open(M1, Access::Modify)
    ]
);

path!(
    abort_while_awaiting_preprocessing,
    "AbortSubmit on a message queued for preprocessing, before the spooler locks it",
    Choices::default(),
    [
        create_smtp(),
        submit(M1, NEEDS_PREPROCESSING),
        abort(M1),
        queue()
    ]
);

path!(
    abort_locked_then_unlocked,
    "AbortSubmit fails while the spooler holds the lock and succeeds after it unlocks",
    Choices::default(),
    [
        create_smtp(),
        submit(M1, 0),
        lock(M1),
        abort(M1),
        unlock(M1),
        abort(M1),
        queue()
    ]
);

// ---- f. OpenEntry in every state ----

fn then_open(mut ops: Vec<Op>, msg: MsgId) -> Vec<Op> {
    ops.extend(open_three_ways(msg));
    ops
}

path!(
    open_entry_draft,
    "OpenEntry on a message never submitted",
    Choices::default(),
    then_open(vec![create_smtp()], M1)
);

path!(
    open_entry_queued,
    "OpenEntry on a queued, unlocked message (the last open goes through the folder)",
    Choices::default(),
    {
        let mut ops = then_open(vec![create_smtp(), submit(M1, 0)], M1);
        ops.push(Op::OpenEntry {
            caller: Role::Client,
            msg: M1,
            access: Access::Modify,
            path: OpenPath::Folder,
        });
        ops
    }
);

path!(
    open_entry_queued_for_preprocessing,
    "OpenEntry on a message queued for preprocessing",
    Choices::default(),
    then_open(vec![create_smtp(), submit(M1, NEEDS_PREPROCESSING)], M1)
);

path!(
    open_entry_locked_for_preprocessing,
    "OpenEntry on a message the spooler locked for preprocessing",
    Choices::default(),
    then_open(
        vec![create_smtp(), submit(M1, NEEDS_PREPROCESSING), lock(M1)],
        M1
    )
);

path!(
    open_entry_locked,
    "OpenEntry on a queued message the spooler has locked (the spooler's own open last)",
    Choices::default(),
    {
        let mut ops = then_open(vec![create_smtp(), submit(M1, 0), lock(M1)], M1);
        ops.push(Op::OpenEntry {
            caller: Role::Spooler,
            msg: M1,
            access: Access::Modify,
            path: OpenPath::Store,
        });
        ops
    }
);

path!(
    open_entry_handed,
    "OpenEntry on a message handed to the spooler by CompleteMsg",
    tight_coupling(Completion::CompleteMsg),
    then_open(vec![create_smtp(), submit(M1, 0)], M1)
);

path!(
    open_entry_handed_locked,
    "OpenEntry on a handed message the spooler has locked",
    tight_coupling(Completion::CompleteMsg),
    then_open(vec![create_smtp(), submit(M1, 0), lock(M1)], M1)
);

path!(
    open_entry_finished,
    "OpenEntry on a message the spooler has finished",
    Choices::default(),
    then_open(
        vec![create_smtp(), submit(M1, 0), lock(M1), finished(M1)],
        M1
    )
);

// ---- g. A restart while locked ----

fn restart_while_locked() -> Vec<Op> {
    vec![
        create_smtp(),
        submit(M1, 0),
        lock(M1),
        Op::Restart,
        queue(),
        open(M1, Access::BestAccess),
        abort(M1),
    ]
}

path!(
    restart_while_locked_dropped,
    "the store restarts while the spooler holds a lock; locks are declared volatile",
    Choices {
        lock_after_restart: LockAfterRestart::Dropped,
        ..Choices::default()
    },
    restart_while_locked()
);

path!(
    restart_while_locked_kept,
    "the store restarts while the spooler holds a lock; locks are declared persistent",
    Choices {
        lock_after_restart: LockAfterRestart::Kept,
        ..Choices::default()
    },
    restart_while_locked()
);

path!(
    restart_while_locked_either,
    "the store restarts while the spooler holds a lock; either is declared (the model's default outcome shown)",
    Choices { lock_after_restart: LockAfterRestart::Either, ..Choices::default() },
    restart_while_locked()
);

// ---- h. Failing MAPI calls ----

path!(
    prepare_submit_fails,
    "PrepareSubmit fails: the error reaches the client and the message stays a draft; a second submission succeeds",
    Choices::default(),
    [
        create_smtp(),
        submit_with(M1, SubmitScript { prepare: Hresult::MAPI_E_CALL_FAILED, ..script(1, 0) }),
        open(M1, Access::Modify),
        submit(M1, 0),
    ]
);

path!(
    expand_recips_fails,
    "ExpandRecips fails: the error reaches the client and the message stays a draft",
    Choices::default(),
    [
        create_smtp(),
        submit_with(
            M1,
            SubmitScript {
                expand: Hresult::MAPI_E_CALL_FAILED,
                ..script(1, 0)
            }
        ),
        queue(),
        open(M1, Access::Modify),
    ]
);

// ---- i. No recipients ----

path!(
    submit_without_recipients,
    "SubmitMessage on a message with an empty recipient table",
    Choices::default(),
    [create(message(&[])), submit(M1, 0), queue()]
);
