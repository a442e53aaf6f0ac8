//! Minimal witnesses: for each rule, the shortest operation sequence (under one of the preset
//! choice sets) in which the model applies that rule. `spoolcheck explain` prints them, and a test
//! proves every catalog rule has one, so no rule is a dead letter in the model.

use crate::choices::Choices;
use crate::op::Op;
use crate::precondition::candidates;
use crate::rules::RuleId;
use crate::state::State;
use crate::step::step;
use std::collections::{BTreeMap, HashSet, VecDeque};

/// A shortest sequence that shows a rule at work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witness {
    /// The name of the preset choice set.
    pub preset: &'static str,
    /// The choices.
    pub choices: Choices,
    /// The operations; the last one applies the rule.
    pub ops: Vec<Op>,
}

/// How deep the search goes, and how many messages it creates.
const MAX_DEPTH: usize = 6;
const MAX_MESSAGES: u32 = 2;
const MAX_STATES: usize = 60_000;

/// The shortest witness of every rule the search reaches, per rule, preferring earlier presets.
pub fn all() -> BTreeMap<RuleId, Witness> {
    let mut found: BTreeMap<RuleId, Witness> = BTreeMap::new();
    for (preset, choices) in Choices::presets() {
        for (rule, ops) in search(&choices, &found) {
            let better = found.get(&rule).is_none_or(|w| ops.len() < w.ops.len());
            if better {
                found.insert(
                    rule,
                    Witness {
                        preset,
                        choices: choices.clone(),
                        ops,
                    },
                );
            }
        }
    }
    found
}

/// The witness of one rule: the same as `all()[rule]`, found faster by stopping each search as soon
/// as the rule shows, and searching later presets only for something shorter.
pub fn of(rule: RuleId) -> Option<Witness> {
    let mut best: Option<Witness> = None;
    for (preset, choices) in Choices::presets() {
        let depth = best.as_ref().map_or(MAX_DEPTH, |w| w.ops.len() - 1);
        if let Some(ops) = search_for(&choices, rule, depth) {
            best = Some(Witness {
                preset,
                choices,
                ops,
            });
        }
    }
    best
}

/// Breadth-first search for the first sequence, at most `max_depth` long, whose last step applies `rule`.
fn search_for(choices: &Choices, rule: RuleId, max_depth: usize) -> Option<Vec<Op>> {
    let start = State::new(choices.clone());
    let mut nodes: Vec<(Option<usize>, Option<Op>)> = vec![(None, None)];
    let mut seen: HashSet<State> = HashSet::from([start.clone()]);
    let mut queue = VecDeque::from([(0usize, start, 0usize)]);
    while let Some((node, state, depth)) = queue.pop_front() {
        if depth == max_depth {
            continue;
        }
        for (_, op) in candidates(&state, MAX_MESSAGES) {
            let result = step(&state, &op);
            if result.rules().contains(&rule) {
                let mut ops = path(&nodes, node);
                ops.push(op);
                return Some(ops);
            }
            let next = result
                .outcomes
                .into_iter()
                .next()
                .expect("one outcome")
                .next;
            if seen.len() < MAX_STATES && seen.insert(next.clone()) {
                nodes.push((Some(node), Some(op)));
                queue.push_back((nodes.len() - 1, next, depth + 1));
            }
        }
    }
    None
}

/// Breadth-first search over states (each visited once) from an empty store.
fn search(choices: &Choices, known: &BTreeMap<RuleId, Witness>) -> BTreeMap<RuleId, Vec<Op>> {
    // Visited states live in a HashSet only for membership; nothing iterates it, so the
    // search order, and hence every witness, is deterministic.
    let start = State::new(choices.clone());
    let mut nodes: Vec<(Option<usize>, Option<Op>)> = vec![(None, None)];
    let mut seen: HashSet<State> = HashSet::from([start.clone()]);
    let mut queue = VecDeque::from([(0usize, start, 0usize)]);
    let mut found: BTreeMap<RuleId, Vec<Op>> = BTreeMap::new();
    while let Some((node, state, depth)) = queue.pop_front() {
        if depth == MAX_DEPTH {
            continue;
        }
        for (_, op) in candidates(&state, MAX_MESSAGES) {
            let result = step(&state, &op);
            let new_rules: Vec<RuleId> = result
                .rules()
                .into_iter()
                .filter(|r| {
                    !found.contains_key(r) && known.get(r).is_none_or(|w| w.ops.len() > depth + 1)
                })
                .collect();
            if !new_rules.is_empty() {
                let mut ops = path(&nodes, node);
                ops.push(op.clone());
                for rule in new_rules {
                    found.insert(rule, ops.clone());
                }
            }
            // Replays follow the default outcome, so the search does too.
            for outcome in result.outcomes.into_iter().take(1) {
                if seen.len() < MAX_STATES && seen.insert(outcome.next.clone()) {
                    nodes.push((Some(node), Some(op.clone())));
                    queue.push_back((nodes.len() - 1, outcome.next, depth + 1));
                }
            }
        }
    }
    found
}

fn path(nodes: &[(Option<usize>, Option<Op>)], mut node: usize) -> Vec<Op> {
    let mut ops = Vec::new();
    while let (Some(parent), Some(op)) = &nodes[node] {
        ops.push(op.clone());
        node = *parent;
    }
    ops.reverse();
    ops
}
