//! Profile `system`: the implementation is also the spooler. The harness plays the transports, which
//! register preprocessors (for their address type, by their MAPIUID, or for all messages) and
//! record every call they get (S139-S143; PRE and SPL rules; AMB-37).

use super::tx::{one, Tx};
use super::{Outcome, RetPattern};
use crate::choices::Profile;
use crate::effect::SupportCall;
use crate::mapi::Hresult;
use crate::observe::Field;
use crate::op::{PreprocessorScope, Ret, SpoolerScript};
use crate::rules::RuleId as R;
use crate::state::{AddrType, MsgId, Preprocessor, State};

/// A transport registers a preprocessor for its address type, by its MAPIUID or for all messages
/// (S142, PRE-08, AMB-37).
pub(super) fn register_preprocessor(
    state: &State,
    addr: AddrType,
    scope: PreprocessorScope,
) -> Vec<Outcome> {
    let mut tx = Tx::new(state);
    let id = u32::try_from(state.preprocessors.len()).unwrap_or(u32::MAX) + 1;
    tx.state_mut()
        .preprocessors
        .push(Preprocessor { id, addr, scope });
    tx.setup(Ret::hr(Hresult::S_OK));
    one(tx)
}

/// A transport goes down or comes back.
pub(super) fn set_transport(state: &State, addr: AddrType, available: bool) -> Vec<Outcome> {
    let mut tx = Tx::new(state);
    let down = &mut tx.state_mut().transports_down;
    down.retain(|&a| a != addr);
    if !available {
        down.push(addr);
        down.sort();
    }
    tx.setup(Ret::hr(Hresult::S_OK));
    one(tx)
}

/// The spooler serves one message completely, or does nothing if none can be served. The order
/// leaves room (SPL-02): the spooler may pass over a message whose transport is down or wait for
/// it, and may take the queue before the messages CompleteMsg handed over.
pub(super) fn run_spooler(state: &State, script: &SpoolerScript) -> Vec<Outcome> {
    let mut idle = Tx::new(state);
    idle.setup(Ret::hr(Hresult::S_OK));
    if state.choices.profile != Profile::System {
        return one(idle);
    }
    // A spooler that should serve nothing, or should wait, breaks the order with any call it
    // makes and anything it changes (SPL-02).
    idle.frame(R::Spl02);
    let choices = allowed_choices(state);
    if choices.is_empty() {
        return one(idle);
    }
    let mut outcomes: Vec<Outcome> = choices
        .iter()
        .map(|&id| {
            let mut tx = Tx::new(state);
            tx.label(if Some(id) == next_servable(state) {
                "serves the first servable message"
            } else {
                "serves the queue first"
            });
            serve(&mut tx, id, script);
            tx.done()
        })
        .collect();
    let head = state
        .handed_order
        .iter()
        .chain(state.queue.iter())
        .next()
        .copied();
    if head.is_some_and(|id| !transports_up(state, id)) {
        idle.label("waits for the unavailable transport");
        outcomes.push(idle.done());
    }
    outcomes
}

/// The messages the spooler may serve next: the first servable one, and the first servable queued
/// one when hand-overs come first in the default order.
fn allowed_choices(state: &State) -> Vec<MsgId> {
    let mut choices: Vec<MsgId> = next_servable(state).into_iter().collect();
    if let Some(queued) = state
        .queue
        .iter()
        .copied()
        .find(|&id| transports_up(state, id))
    {
        if !choices.contains(&queued) {
            choices.push(queued);
        }
    }
    choices
}

/// Handed messages first, in hand-over order (CompleteMsg asked for them), then the queue in
/// submission order, passing over a message that waits on an unavailable transport (SPL-02).
pub fn next_servable(state: &State) -> Option<MsgId> {
    state
        .handed_order
        .iter()
        .chain(state.queue.iter())
        .copied()
        .find(|&id| transports_up(state, id))
}

fn transports_up(state: &State, id: MsgId) -> bool {
    state.messages[&id]
        .recipients
        .iter()
        .filter(|r| r.responsibility != Some(true))
        .all(|r| !state.transports_down.contains(&r.addr))
}

/// Lock, preprocess in registration order, re-submit, send to the unhandled recipients,
/// RemovePreprocessInfo, FinishedMsg (PRE-02, SPL-19, SPL-20, SPL-10, SPL-21, TC-06). A
/// preprocessor still running or a transport that asks to wait stops the work: the message stays
/// held, and the next run that serves it picks it up there.
fn serve(tx: &mut Tx, id: MsgId, script: &SpoolerScript) {
    tx.apply(R::Spl02);
    if !tx.msg(id).locked {
        tx.set_locked(id, true, R::Spl19);
    }
    // The preprocessors this message is for, in registration order, judged on the recipients the
    // transports are still to handle as the spooler takes the message (PRE-08, AMB-37).
    let matching: Vec<Preprocessor> = {
        let m = tx.msg(id);
        let s = tx.state();
        s.preprocessors
            .iter()
            .copied()
            .filter(|p| p.is_for(m.pending_addrs()))
            .collect()
    };
    if tx.msg(id).preprocess {
        let done = tx.msg(id).preprocessed_by.clone();
        let due: Vec<Preprocessor> = matching
            .iter()
            .copied()
            .filter(|p| !done.contains(&p.id))
            .collect();
        for (n, p) in due.iter().enumerate() {
            tx.call(
                SupportCall::Preprocess {
                    preprocessor: p.id,
                    msg: id,
                    locked: true,
                },
                R::Pre02,
            );
            if script.busy_preprocessor == Some(p.id) {
                // Still running: the spooler cannot go on with the message until it returns, and
                // holds it meanwhile, visibly locked (SPL-06).
                tx.touch(Field::Locked { msg: id }, R::Spl06);
                for after in &due[n + 1..] {
                    tx.later(SupportCall::Preprocess {
                        preprocessor: after.id,
                        msg: id,
                        locked: true,
                    });
                }
                tx.returns_matching(Ret::hr(Hresult::S_OK), RetPattern::Any, R::Spl19);
                return;
            }
            tx.with_msg(id, |m| m.preprocessed_by.push(p.id));
        }
        tx.apply(R::Pre08);
        // The store's own routing after preprocessing (PRE-03), continued in this outcome.
        let after = super::submit::spooler(tx.state(), id, 0, &crate::op::SubmitScript::ok(0));
        let resumed = after.into_iter().next().expect("one outcome");
        let mut merged = tx.clone().done();
        merged.next = resumed.next;
        merged.touched.extend(resumed.touched);
        tx.adopt(merged);
        resumed.rules.into_iter().for_each(|r| tx.apply(r));
    }
    // A message CompleteMsg handed over is finished under TC-06; the rest under SPL-20 and SPL-21.
    let handed = tx.msg(id).handed;
    let (send_rule, finish_rule) = if handed {
        (R::Tc06, R::Tc06)
    } else {
        (R::Spl20, R::Spl21)
    };
    if !send(tx, id, send_rule, script) {
        // A transport asked to wait: the spooler keeps the message for a later run, and may keep
        // its lock or release it meanwhile (AMB-34).
        tx.loosen(Field::Locked { msg: id });
        tx.reading("AMB-34", Some(id));
        tx.returns_matching(Ret::hr(Hresult::S_OK), RetPattern::Any, R::Spl19);
        return;
    }
    // RemovePreprocessInfo for every preprocessor that ran on the message (the verdict takes them
    // in any order).
    let mut ran = tx.msg(id).preprocessed_by.clone();
    ran.sort_unstable();
    for p in ran {
        tx.call(
            SupportCall::RemovePreprocessInfo {
                preprocessor: p,
                msg: id,
            },
            R::Spl10,
        );
    }
    // FinishedMsg once, after the send: unlocked (the spooler's rule), out of the queue (SPL-16),
    // disposed of once (the spooler's rule, AMB-17).
    tx.finish_flags(id, finish_rule);
    // FinishedMsg may mark the message read (AMB-13).
    tx.loosen(crate::observe::Field::Flag {
        msg: id,
        bit: crate::observe::FlagBit::Read,
    });
    tx.dequeue(id, R::Spl16);
    let mode = tx.state().choices.sentmail;
    tx.dispose(id, mode, finish_rule);
    tx.returns_matching(Ret::hr(Hresult::S_OK), RetPattern::Any, finish_rule);
}

/// Each transport gets the rows that are its own and still unhandled; then they are handled. False
/// when a transport answered MAPI_E_WAIT: it took none of its rows, and the transports after it
/// are not called in this run.
fn send(tx: &mut Tx, id: MsgId, rule: R, script: &SpoolerScript) -> bool {
    for addr in AddrType::ALL {
        let rows: Vec<u8> = tx
            .msg(id)
            .recipients
            .iter()
            .enumerate()
            .filter(|(_, r)| r.addr == addr && r.responsibility != Some(true))
            .map(|(i, _)| u8::try_from(i).unwrap_or(u8::MAX))
            .collect();
        if rows.is_empty() {
            continue;
        }
        tx.call(
            SupportCall::TransportSend {
                transport: addr,
                msg: id,
                recipients: rows,
                locked: true,
            },
            rule,
        );
        if script.waiting_transport == Some(addr) {
            return false;
        }
        // The transport took the rows: its PR_RESPONSIBILITY TRUE is kept (SPL-08).
        tx.set_responsibility(id, true, R::Spl08, |_, r| r.addr == addr);
    }
    true
}
