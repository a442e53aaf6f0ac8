//! `IMessage::SubmitMessage`: the client's submission (S123-S138, S144-S170) and the spooler's call
//! after preprocessing (S143).

use super::tx::{missing, one, refused, Tx};
use super::{Outcome, RetPattern};
use crate::choices::{Completion, PrepareSubmitPolicy, Profile};
use crate::effect::SupportCall;
use crate::mapi::{expand, msgflag, Hresult, FORCE_SUBMIT, NOTIFY_READYTOSEND};
use crate::observe::{Field, FlagBit};
use crate::op::{Ret, SubmitScript};
use crate::recipient::{expand, lookup, EntryRef, RecipientRow};
use crate::rules::RuleId as R;
use crate::state::{MsgId, Recipient, State};

/// A client (or, for a message never submitted, the spooler: AMB-36) submits a message.
pub(super) fn client(state: &State, id: MsgId, flags: u32, script: &SubmitScript) -> Vec<Outcome> {
    let Some(m) = state.messages.get(&id) else {
        return missing(state);
    };
    if !state.choices.submission {
        return refused(state, Hresult::MAPI_E_NO_SUPPORT, R::Cap01);
    }
    if m.submitted() {
        // Queued, locked or handed over: a client can reach the message read-only at best, so a
        // second submission fails and changes nothing (SUBMIT-21, AMB-10).
        return refused(state, Hresult::MAPI_E_NO_ACCESS, R::Submit21);
    }
    if flags & !FORCE_SUBMIT != 0 {
        // Flag bits with no meaning: the call fails and changes nothing (SUBMIT-22, AMB-10). An
        // error for invalid information leaves the object open (SUBMIT-15).
        let mut out = refused(state, Hresult::MAPI_E_UNKNOWN_FLAGS, R::Submit22);
        if let Some(m) = out[0].next.messages.get_mut(&id) {
            m.submit_failed = true;
        }
        return out;
    }
    if m.recipients.is_empty() {
        return no_recipients(state, id, script);
    }
    let script = effective_script(state, id, script);
    let script = &script;
    let mut tx = Tx::new(state);
    if let Some(failure) = prepare_submit(&mut tx, id, script) {
        return failed(tx, id, failure, R::Submit04);
    }
    if flags & FORCE_SUBMIT != 0 && !script.expand.failed() {
        // FORCE_SUBMIT is accepted and means nothing (SUBMIT-03, AMB-33). Checked only where MAPI
        // failed nothing: MAPI's own error is passed on whatever its code (SUBMIT-04).
        let rejections = vec![
            Hresult::MAPI_E_UNKNOWN_FLAGS,
            Hresult::MAPI_E_INVALID_PARAMETER,
            Hresult::MAPI_E_NON_STANDARD,
        ];
        tx.check(RetPattern::NoneOf(rejections), R::Submit03);
    }
    mark_submitted(&mut tx, id, script);
    tx.call(SupportCall::ExpandRecips { msg: id }, R::Submit08);
    if script.expand.failed() {
        let mut rolled_back = Tx::new(state);
        rolled_back.state_mut().ready_to_send = tx.state().ready_to_send;
        // Only the calls made before the failure were checked; the rolled-back changes were not.
        for call in &tx.clone().done().calls {
            rolled_back.call(call.what.clone(), call.rule);
            if let SupportCall::PrepareSubmit { .. } = call.what {
                rolled_back.apply(R::Prep02);
            }
        }
        return failed(rolled_back, id, script.expand, R::Submit24);
    }
    expand_recipients(&mut tx, id, script);
    tx.with_msg(id, |m| {
        m.needs_spooler = script.expand_flags & expand::NEEDS_SPOOLER != 0;
        m.preprocessed = script.expand_flags & expand::NEEDS_PREPROCESSING != 0;
        m.submitter_dead = true;
    });
    tx.apply(R::Submit14);
    if script.expand_flags & expand::NEEDS_PREPROCESSING != 0 {
        tx.set_preprocess(id, true, R::Flag06);
        tx.enqueue(id, R::Submit09);
        tx.returns(Ret::hr(Hresult::S_OK), R::Submit09);
    } else {
        route(&mut tx, id, false);
    }
    one(tx)
}

/// The spooler calls SubmitMessage on its open message: preprocessing is complete (PRE-03).
pub(super) fn spooler(state: &State, id: MsgId, flags: u32, script: &SubmitScript) -> Vec<Outcome> {
    let Some(m) = state.messages.get(&id) else {
        return missing(state);
    };
    if !m.submitted() {
        return client(state, id, flags, script);
    }
    let mut tx = Tx::new(state);
    if !m.preprocess {
        // Undocumented: the spooler re-submits a message that awaits no preprocessing. Any answer is
        // accepted as long as nothing changes and MAPI is not called again.
        tx.returns_matching(Ret::hr(Hresult::S_OK), RetPattern::Any, R::Pre03);
        return one(tx);
    }
    tx.set_preprocess(id, false, R::Flag06);
    tx.apply(R::Pre03);
    route(&mut tx, id, true);
    one(tx)
}

/// No recipients: MAPI_E_NO_RECIPIENTS (SUBMIT-02). The store may notice before calling MAPI, or
/// only after PrepareSubmit or ExpandRecips (where the sample store notices): each is allowed.
fn no_recipients(state: &State, id: MsgId, script: &SubmitScript) -> Vec<Outcome> {
    let finish = |mut tx: Tx, label, hr: Hresult, rule| {
        tx.label(label);
        tx.returns(Ret::hr(hr), rule);
        // Only MAPI_E_NO_RECIPIENTS is an error for missing information (SUBMIT-15).
        leave_draft(&mut tx, id, rule, hr == Hresult::MAPI_E_NO_RECIPIENTS);
        tx.done()
    };
    let mut outcomes = vec![finish(
        Tx::new(state),
        "checked before calling MAPI",
        Hresult::MAPI_E_NO_RECIPIENTS,
        R::Submit02,
    )];
    let mut called = Tx::new(state);
    if let Some(failure) = prepare_submit(&mut called, id, script) {
        // Having asked MAPI first, the store must pass MAPI's error on (SUBMIT-04).
        outcomes.push(finish(
            called,
            "PrepareSubmit failed first",
            failure,
            R::Submit04,
        ));
        return outcomes;
    }
    if !called.clone().done().calls.is_empty() {
        outcomes.push(finish(
            called.clone(),
            "checked after PrepareSubmit",
            Hresult::MAPI_E_NO_RECIPIENTS,
            R::Submit02,
        ));
    }
    called.call(SupportCall::ExpandRecips { msg: id }, R::Submit08);
    let (hr, rule, label) = if script.expand.failed() {
        (script.expand, R::Submit24, "ExpandRecips failed first")
    } else {
        (
            Hresult::MAPI_E_NO_RECIPIENTS,
            R::Submit02,
            "checked after ExpandRecips",
        )
    };
    outcomes.push(finish(called, label, hr, rule));
    outcomes
}

/// In profile `system` the implementation is MAPI too: ExpandRecips expands the table and answers
/// from the registered preprocessors and the coupled transport, and PrepareSubmit succeeds.
/// Preprocessing is needed when some registered preprocessor is for the message (PRE-08, AMB-37),
/// so one registered for all messages makes every submission need it.
fn effective_script(state: &State, id: MsgId, script: &SubmitScript) -> SubmitScript {
    if state.choices.profile == Profile::Provider {
        return script.clone();
    }
    let rows: Vec<RecipientRow> = state.messages[&id]
        .recipients
        .iter()
        .map(|r| r.row.clone())
        .collect();
    let expanded: Vec<RecipientRow> = expand(&rows, &script.book)
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    SubmitScript {
        now: script.now,
        prepare: Hresult::S_OK,
        expand: Hresult::S_OK,
        expand_flags: mapi_flags(state, &expanded),
        expanded: None,
        book: script.book.clone(),
    }
}

/// The flags MAPI's ExpandRecips answers for a table as it leaves it: NEEDS_PREPROCESSING when a
/// registered preprocessor is for the message, NEEDS_SPOOLER when a coupled transport cannot take
/// every recipient. Every recipient is still to be handled here: the store has just set
/// PR_RESPONSIBILITY FALSE on all of them (SUBMIT-06).
pub(crate) fn mapi_flags(state: &State, rows: &[RecipientRow]) -> u32 {
    let needs_pre = state
        .preprocessors
        .iter()
        .any(|p| p.is_for(rows.iter().map(|r| r.addr)));
    let tc = state.choices.tight_coupling.is_some();
    let needs_spooler = tc && rows.iter().any(|r| !state.choices.tc_handles(r.addr));
    let mut flags = 0;
    if needs_pre {
        flags |= expand::NEEDS_PREPROCESSING;
    }
    if needs_spooler {
        flags |= expand::NEEDS_SPOOLER;
    }
    flags
}

/// What ExpandRecips leaves of the recipient table. In profile `provider` MAPI rewrote it as the
/// script says, and the store keeps that as it keeps every change of the call (SUBMIT-01). In
/// profile `system` the implementation's own ExpandRecips expands lists (EXP-04), restores names
/// (EXP-05), resolves one-offs (EXP-06), removes duplicates (EXP-07), and starts the rows it adds
/// without responsibility (EXP-08).
fn expand_recipients(tx: &mut Tx, id: MsgId, script: &SubmitScript) {
    let rows: Vec<RecipientRow> = tx
        .msg(id)
        .recipients
        .iter()
        .map(|r| r.row.clone())
        .collect();
    let fresh = |row: RecipientRow, from_list: bool| Recipient {
        responsibility: Some(false),
        from_list,
        ..Recipient::new(row)
    };
    let table: Vec<Recipient> = if tx.state().choices.profile == Profile::System {
        let has = |f: &dyn Fn(&RecipientRow) -> bool| rows.iter().any(f);
        tx.touch(Field::Recipients { msg: id }, R::Exp04);
        let renamed = |r: &RecipientRow| {
            matches!(r.entry, EntryRef::Person(_))
                && lookup(&script.book, r.entry).is_some_and(|b| b.name != r.name)
        };
        if has(&renamed) {
            tx.apply(R::Exp05);
        }
        if has(&|r| r.entry == EntryRef::Unresolved) {
            tx.apply(R::Exp06);
        }
        let expanded = expand(&rows, &script.book);
        if rows.len() > 1 || has(&|r| matches!(r.entry, EntryRef::List(_))) {
            tx.apply(R::Exp07);
        }
        let table: Vec<Recipient> = expanded
            .into_iter()
            .map(|(row, from)| fresh(row, matches!(rows[from].entry, EntryRef::List(_))))
            .collect();
        if table.iter().any(|r| r.from_list) {
            tx.touch(Field::Responsibility { msg: id }, R::Exp08);
        }
        table
    } else if let Some(written) = &script.expanded {
        tx.touch(Field::Recipients { msg: id }, R::Submit01);
        written.iter().cloned().map(|r| fresh(r, false)).collect()
    } else {
        return;
    };
    tx.with_msg(id, |m| m.recipients = table);
}

/// SpoolerNotify (once per session) and PrepareSubmit. Returns PrepareSubmit's error, if any.
fn prepare_submit(tx: &mut Tx, id: MsgId, script: &SubmitScript) -> Option<Hresult> {
    let resend = tx.msg(id).flags & msgflag::RESEND != 0;
    if tx.state().choices.prepare_submit == PrepareSubmitPolicy::ResendOnly && !resend {
        return None;
    }
    if !tx.state().ready_to_send {
        tx.call(
            SupportCall::SpoolerNotify {
                flags: NOTIFY_READYTOSEND,
            },
            R::Cap09,
        );
        tx.state_mut().ready_to_send = true;
    }
    tx.call(
        SupportCall::PrepareSubmit { msg: id, flags: 0 },
        R::Submit04,
    );
    tx.apply(R::Prep02);
    script.prepare.failed().then_some(script.prepare)
}

/// A failed submission returns MAPI's error and leaves the message a draft (SUBMIT-15, AMB-09).
/// Whether PR_RESPONSIBILITY and PR_CLIENT_SUBMIT_TIME were rolled back is left open.
fn failed(mut tx: Tx, id: MsgId, hr: Hresult, rule: R) -> Vec<Outcome> {
    tx.returns(Ret::hr(hr), rule);
    leave_draft(&mut tx, id, rule, false);
    one(tx)
}

/// What every failed submission leaves behind (SUBMIT-23, AMB-09): a draft in its folder, not
/// queued, without MSGFLAG_SUBMIT, nothing else changed; whether PR_RESPONSIBILITY,
/// PR_CLIENT_SUBMIT_TIME and MSGFLAG_UNSENT were rolled back is left open. The object stays open
/// for the client to mend and submit again when the error is one for missing or invalid
/// information (`object_open`, SUBMIT-15); after MAPI's own failures nothing says whether it is.
/// The rule whose error ended the call (`ended_by`) governs any support call made after it.
fn leave_draft(tx: &mut Tx, id: MsgId, ended_by: R, object_open: bool) {
    tx.frame(R::Submit23);
    tx.call_frame(ended_by);
    tx.reading("AMB-09", Some(id));
    tx.with_msg(id, |m| {
        m.submit_failed = object_open;
        m.submitter_in_doubt = !object_open;
    });
    tx.touch(
        Field::Flag {
            msg: id,
            bit: FlagBit::Submit,
        },
        R::Submit23,
    );
    tx.touch(Field::Queue, R::Submit23);
    tx.loosen(Field::Responsibility { msg: id });
    tx.loosen(Field::SubmitTime { msg: id });
    tx.loosen(Field::Flag {
        msg: id,
        bit: FlagBit::Unsent,
    });
}

/// Steps 2 to 4 of the starting page: MSGFLAG_SUBMIT, MSGFLAG_UNSENT, PR_RESPONSIBILITY, the submit time.
fn mark_submitted(tx: &mut Tx, id: MsgId, script: &SubmitScript) {
    tx.set_flags(id, msgflag::SUBMIT, true, R::Flag01);
    if tx.msg(id).flags & msgflag::UNSENT == 0 {
        tx.set_flags(id, msgflag::UNSENT, true, R::Flag02);
    }
    tx.set_responsibility(id, false, R::Submit06, |_, _| true);
    tx.set_submit_time(id, Some(script.now), R::Submit07);
    tx.with_msg(id, |m| {
        m.saved = true;
        m.finished = false;
        m.submit_failed = false;
        m.submitter_in_doubt = false;
        m.saved_by_submission = true;
        m.preprocessed_by.clear();
    });
    tx.touch(Field::Exists { msg: id }, R::Submit01);
}

/// The routing phase (S144-S170), after ExpandRecips or after preprocessing.
fn route(tx: &mut Tx, id: MsgId, preprocessed: bool) {
    let Some(tc) = tx.state().choices.tight_coupling.clone() else {
        queue_for_spooler(tx, id, preprocessed, R::Submit10);
        return;
    };
    let choices = tx.state().choices.clone();
    tx.set_responsibility(id, true, R::Tc02, |_, r| choices.tc_handles(r.addr));
    let all_handled = tx
        .msg(id)
        .recipients
        .iter()
        .all(|r| r.responsibility == Some(true));
    if tx.msg(id).needs_spooler || !all_handled {
        queue_for_spooler(tx, id, preprocessed, R::Tc07);
    } else if preprocessed || tc.completion == Completion::CompleteMsg {
        let rule = if preprocessed { R::Pre05 } else { R::Tc03 };
        tx.call(SupportCall::CompleteMsg { msg: id, flags: 0 }, rule);
        tx.apply(R::Tc05);
        tx.with_msg(id, |m| m.handed = true);
        tx.state_mut().handed_order.push(id);
        tx.dequeue(id, R::Oq10);
        tx.touch(Field::Queue, R::Oq10);
        // Handed to the spooler, not completed here: it stays where it is, still submitted.
        tx.touch(Field::Folders, rule);
        tx.touch(Field::Exists { msg: id }, rule);
        tx.returns(Ret::hr(Hresult::S_OK), rule);
    } else {
        tx.apply(R::Tc03);
        local_completion(tx, id);
    }
}

/// The message waits in the queue for the spooler, without SUBMITFLAG_PREPROCESS.
fn queue_for_spooler(tx: &mut Tx, id: MsgId, preprocessed: bool, rule: R) {
    if preprocessed {
        // Already a row: it stays, locked, and its PR_SUBMIT_FLAGS changed (PRE-04).
        tx.row_modified(id, R::Pre04);
        tx.touch(Field::Queue, R::Pre04);
        tx.touch(Field::Locked { msg: id }, R::Pre04);
        tx.returns(Ret::hr(Hresult::S_OK), R::Pre04);
    } else {
        tx.enqueue(id, rule);
        // Queued for the spooler without SUBMITFLAG_PREPROCESS (S168).
        tx.touch(Field::Preprocess { msg: id }, rule);
        tx.returns(Ret::hr(Hresult::S_OK), rule);
    }
}

/// TC local completion (S151-S156): sent-mail copy, delete-after-submit, unlock; never queued.
fn local_completion(tx: &mut Tx, id: MsgId) {
    // Neither CompleteMsg nor DoSentMail: the store completes the message itself (AMB-22).
    tx.call_frame(R::Tc04);
    tx.finish_flags(id, R::Tc04);
    // The same end state as FinishedMsg (AMB-22), which may mark the message read (AMB-13).
    tx.loosen(Field::Flag {
        msg: id,
        bit: FlagBit::Read,
    });
    // The steps say copy (S152), FinishedMsg's page says move: the declared reading decides
    // (AMB-17). The sent-mail step comes before delete-after-submit (S153), so a copy survives it.
    let mode = tx.state().choices.sentmail;
    tx.dispose(id, mode, R::Tc04);
    tx.touch(Field::Queue, R::Oq10);
    tx.returns(Ret::hr(Hresult::S_OK), R::Tc04);
}
