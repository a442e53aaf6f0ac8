//! Generating operation sequences with proptest.
//!
//! A generated case is a [`Plan`]: a swarm (the kinds of operation enabled for this case, so rare
//! paths get long runs) and a list of choice seeds. Each seed is turned into an operation against
//! the current model state by [`pick`], among the candidates whose preconditions hold. Shrinking
//! works on the seeds, so every shrunk case is still a valid sequence.

use crate::choices::Choices;
use crate::op::Op;
use crate::precondition::{candidates_of, OpKind};
use crate::state::State;
use crate::step::{step, Step};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

/// The most messages a generated case creates.
pub const MAX_MESSAGES: u32 = 4;

/// One generated case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The operation kinds enabled in this case.
    pub swarm: Vec<OpKind>,
    /// One seed per operation: (kind choice, candidate choice).
    pub seeds: Vec<(u16, u16)>,
}

/// How often each kind is chosen, relative to the others. Rare but important paths (preprocessing,
/// locking, FinishedMsg, restarts, spooler runs) are weighted up.
pub fn weight(kind: OpKind) -> u32 {
    match kind {
        OpKind::Create => 3,
        OpKind::Submit => 5,
        OpKind::SubmitFailing
        | OpKind::Write
        | OpKind::Queue
        | OpKind::NewMail
        | OpKind::FolderOps => 1,
        OpKind::SpoolerSubmit | OpKind::Lock | OpKind::Finish | OpKind::RunSpooler => 4,
        OpKind::Abort | OpKind::Mark | OpKind::Restart | OpKind::Transport | OpKind::Open => 2,
    }
}

/// Chooses the operation a seed stands for in `state`, or `None` if no enabled kind has a candidate.
/// The first half of the seed picks a kind by weight; a kind with no candidate here drops out and the
/// pick is made again among the rest. The second half picks among that kind's candidates.
pub fn pick(state: &State, swarm: &[OpKind], seed: (u16, u16)) -> Option<Op> {
    // On the stack: this runs for every generated operation.
    let mut enabled = [OpKind::Create; OpKind::ALL.len()];
    let mut count = 0;
    for kind in OpKind::ALL.into_iter().filter(|k| swarm.contains(k)) {
        enabled[count] = kind;
        count += 1;
    }
    let mut kinds = &mut enabled[..count];
    loop {
        let total: u32 = kinds.iter().map(|&k| weight(k)).sum();
        if total == 0 {
            return None;
        }
        let mut ticket = u32::from(seed.0) % total;
        let position = kinds.iter().position(|&k| {
            let w = weight(k);
            if ticket < w {
                true
            } else {
                ticket -= w;
                false
            }
        })?;
        let kind = kinds[position];
        let mut ops = candidates_of(state, MAX_MESSAGES, Some(kind));
        if ops.is_empty() {
            // Drop the kind, keeping the others in order.
            kinds.copy_within(position + 1.., position);
            let last = kinds.len() - 1;
            kinds = &mut kinds[..last];
            continue;
        }
        let chosen = usize::from(seed.1) % ops.len();
        return Some(ops.swap_remove(chosen).1);
    }
}

/// Turns a plan into operations, stepping the model along its default outcomes.
pub fn realize(choices: &Choices, plan: &Plan) -> Vec<Op> {
    realize_with_steps(choices, plan)
        .into_iter()
        .map(|(op, _)| op)
        .collect()
}

/// Like [`realize`], keeping each operation's step, so a runner whose implementation follows the
/// default outcomes need not step the model a second time.
pub fn realize_with_steps(choices: &Choices, plan: &Plan) -> Vec<(Op, Step)> {
    continue_from(&State::new(choices.clone()), plan, 0)
        .into_iter()
        .map(|r| (r.op, r.step))
        .collect()
}

/// One operation of a realised plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Realized {
    /// The index of the seed it was picked by.
    pub seed: usize,
    /// The operation.
    pub op: Op,
    /// Its step from the state it was picked in, along the default outcomes.
    pub step: Step,
}

/// Realises the plan's seeds from `first_seed` on, starting in `state`. A runner whose
/// implementation took another allowed outcome than the default picks the rest of a case from
/// the state the implementation is really in, so every operation keeps its preconditions there.
pub fn continue_from(state: &State, plan: &Plan, first_seed: usize) -> Vec<Realized> {
    let mut out: Vec<Realized> = Vec::with_capacity(plan.seeds.len().saturating_sub(first_seed));
    for (i, &seed) in plan.seeds.iter().enumerate().skip(first_seed) {
        // Each operation is picked in the state the previous step left, kept in that step.
        let state = out.last().map_or(state, |r| r.step.next());
        if let Some(op) = pick(state, &plan.swarm, seed) {
            let result = step(state, &op);
            out.push(Realized {
                seed: i,
                op,
                step: result,
            });
        }
    }
    out
}

/// Swarm selection: every kind is enabled with probability 3/4; creation and submission always are.
pub fn swarm() -> impl Strategy<Value = Vec<OpKind>> {
    proptest::collection::vec(proptest::bool::weighted(0.75), OpKind::ALL.len()).prop_map(|on| {
        OpKind::ALL
            .into_iter()
            .zip(on)
            .filter(|(k, on)| *on || matches!(k, OpKind::Create | OpKind::Submit))
            .map(|(k, _)| k)
            .collect()
    })
}

/// Plans of up to `max_len` operations.
pub fn plan(max_len: usize) -> impl Strategy<Value = Plan> {
    (
        swarm(),
        proptest::collection::vec(any::<(u16, u16)>(), 1..=max_len),
    )
        .prop_map(|(swarm, seeds)| Plan { swarm, seeds })
}
