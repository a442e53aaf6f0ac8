//! [`quickcheck::Arbitrary`] for operations and for valid operation sequences (feature
//! `quickcheck`), so quickcheck users can write their own properties against the model.
//!
//! An [`OpSequence`] is generated from the model's state, as the suite's own generator does: a
//! random swarm of enabled operation kinds and random choice seeds, each turned into an operation
//! whose preconditions hold by [`crate::generate::pick`]. It shrinks by removing operations (a
//! prefix first, then one operation at a time), keeping only sequences that are still valid.
//!
//! ```
//! use quickcheck::{QuickCheck, TestResult};
//! use spoolcheck_model::quickcheck_gen::OpSequence;
//! use spoolcheck_model::invariants::check_step;
//!
//! fn invariants_hold(seq: OpSequence) -> TestResult {
//!     for (before, op, result) in seq.steps() {
//!         for outcome in &result.outcomes {
//!             if let Err(broken) = check_step(&before, &op, outcome) {
//!                 return TestResult::error(format!("{broken} after {op}"));
//!             }
//!         }
//!     }
//!     TestResult::passed()
//! }
//! QuickCheck::new().tests(50).quickcheck(invariants_hold as fn(OpSequence) -> TestResult);
//! ```

use crate::choices::Choices;
use crate::generate::pick;
use crate::op::Op;
use crate::precondition::{precondition, OpKind};
use crate::state::State;
use crate::step::{step, Step};
use quickcheck::{Arbitrary, Gen};

/// A sequence of operations that a real client, spooler and transport could make, in order,
/// under the declared choices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpSequence {
    /// The declared choices the sequence was generated under.
    pub choices: Choices,
    /// The operations.
    pub ops: Vec<Op>,
}

impl OpSequence {
    /// A random valid sequence under `choices`, of at most `g.size()` operations.
    pub fn generate(choices: &Choices, g: &mut Gen) -> OpSequence {
        // Swarm selection, as the suite's generator: each kind is enabled with probability 3/4,
        // creation and submission always.
        let swarm: Vec<OpKind> = OpKind::ALL
            .into_iter()
            .filter(|k| matches!(k, OpKind::Create | OpKind::Submit) || u8::arbitrary(g) % 4 != 0)
            .collect();
        let len = usize::arbitrary(g) % g.size().max(1) + 1;
        let mut state = State::new(choices.clone());
        let mut ops = Vec::with_capacity(len);
        for _ in 0..len {
            let seed = (u16::arbitrary(g), u16::arbitrary(g));
            if let Some(op) = pick(&state, &swarm, seed) {
                state = step(&state, &op).next().clone();
                ops.push(op);
            }
        }
        OpSequence {
            choices: choices.clone(),
            ops,
        }
    }

    /// Whether every operation's precondition holds in the state the earlier ones lead to (along
    /// the model's first allowed outcome).
    pub fn is_valid(&self) -> bool {
        let mut state = State::new(self.choices.clone());
        for op in &self.ops {
            if !precondition(&state, op) {
                return false;
            }
            state = step(&state, op).next().clone();
        }
        true
    }

    /// Each operation with the state before it and the model's step, along the first allowed
    /// outcome: what a property usually walks.
    pub fn steps(&self) -> Vec<(State, Op, Step)> {
        let mut state = State::new(self.choices.clone());
        let mut out = Vec::with_capacity(self.ops.len());
        for op in &self.ops {
            let result = step(&state, op);
            let next = result.next().clone();
            out.push((std::mem::replace(&mut state, next), op.clone(), result));
        }
        out
    }

    fn with_ops(&self, ops: Vec<Op>) -> OpSequence {
        OpSequence {
            choices: self.choices.clone(),
            ops,
        }
    }
}

impl Arbitrary for OpSequence {
    /// A sequence under one of the presets of declared choices, chosen at random.
    fn arbitrary(g: &mut Gen) -> OpSequence {
        let presets = Choices::presets();
        let (_, choices) = g.choose(&presets).expect("there are presets");
        OpSequence::generate(choices, g)
    }

    /// Shorter valid sequences: the first half, then the sequence without one operation (from the
    /// last to the first).
    fn shrink(&self) -> Box<dyn Iterator<Item = OpSequence>> {
        let this = self.clone();
        let n = self.ops.len();
        let half = (n > 1).then(|| self.with_ops(self.ops[..n / 2].to_vec()));
        let removals = (0..n).rev().filter_map(move |i| {
            let mut ops = this.ops.clone();
            ops.remove(i);
            let shorter = this.with_ops(ops);
            shorter.is_valid().then_some(shorter)
        });
        Box::new(half.into_iter().chain(removals))
    }
}

impl Arbitrary for Op {
    /// An operation a party could make in some reachable state: one of a random valid sequence.
    /// (It shrinks not on its own: shrink whole sequences with [`OpSequence`].)
    fn arbitrary(g: &mut Gen) -> Op {
        let seq = OpSequence::arbitrary(g);
        g.choose(&seq.ops).cloned().unwrap_or(Op::GetSupportMask)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariants::{check_state, check_step};
    use quickcheck::{QuickCheck, TestResult};

    /// The property the model's own proptest suite checks, through quickcheck: every outcome of
    /// every step keeps the invariants.
    fn invariants_hold(seq: OpSequence) -> TestResult {
        if !seq.is_valid() {
            return TestResult::error("the generator made an invalid sequence");
        }
        for (before, op, result) in seq.steps() {
            if let Err(broken) = check_state(&before) {
                return TestResult::error(format!("{broken} before {op}"));
            }
            for outcome in &result.outcomes {
                if let Err(broken) = check_step(&before, &op, outcome) {
                    return TestResult::error(format!("{broken} after {op}"));
                }
            }
        }
        TestResult::passed()
    }

    #[test]
    fn quickcheck_sequences_keep_the_invariants() {
        QuickCheck::new()
            .rng(Gen::from_size_and_seed(30, 7))
            .tests(300)
            .quickcheck(invariants_hold as fn(OpSequence) -> TestResult);
    }

    #[test]
    fn arbitrary_operations_are_made_by_some_party() {
        fn named(op: Op) -> bool {
            !op.to_string().is_empty()
        }
        QuickCheck::new()
            .rng(Gen::from_size_and_seed(20, 3))
            .tests(100)
            .quickcheck(named as fn(Op) -> bool);
    }

    #[test]
    fn shrinking_removes_operations_and_stays_valid() {
        // A property that fails whenever the sequence submits: the minimal counterexample is a
        // creation and a submission.
        let submits = |s: &OpSequence| {
            s.ops
                .iter()
                .any(|op| matches!(op, Op::SubmitMessage { .. }))
        };
        let mut g = Gen::from_size_and_seed(40, 11);
        let mut failing = (0..100)
            .map(|_| OpSequence::generate(&Choices::default(), &mut g))
            .filter(|s| submits(s) && s.ops.len() > 5)
            .max_by_key(|s| s.ops.len())
            .expect("some sequence submits");
        'shrinking: loop {
            for smaller in failing.shrink() {
                assert!(smaller.is_valid(), "{smaller:?}");
                assert!(smaller.ops.len() < failing.ops.len());
                if submits(&smaller) {
                    failing = smaller;
                    continue 'shrinking;
                }
            }
            break;
        }
        assert_eq!(failing.ops.len(), 2, "{:?}", failing.ops);
        assert!(matches!(failing.ops[0], Op::CreateMessage(_)));
    }
}
