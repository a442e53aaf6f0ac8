//! The model blames a difference only on a rule that governs it, and never asserts what an
//! ambiguity reading leaves open.
//!
//! Both checks walk generated sequences in both profiles under every preset, following a random
//! one of each step's allowed outcomes. At every step, for every outcome, the answer that outcome
//! describes is perturbed in every part the harness compares (the return value, each support call,
//! each notification, each observed field), and every violation the verdict then reports must name
//! a rule whose `governs` in `specs/rules.toml` covers the violation's subject. Where an outcome
//! follows a reading that leaves fields open (`open` in `specs/ambiguities.toml`), perturbing those
//! fields must leave the step passing. Each check is shown to fail on a catalog or an outcome broken
//! on purpose.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use spoolcheck_model::generate::{pick, plan};
use spoolcheck_model::mapi::{submitflag, Hresult, TableEvent, NOTIFY_READYTOSEND};
use spoolcheck_model::observe::Observation;
use spoolcheck_model::subject::FieldKind;
use spoolcheck_model::verdict::{judge, violations, Actual, Verdict};
use spoolcheck_model::{
    step, AccessLevel, Choices, Folder, MsgId, Notification, Op, Outcome, Profile, Ret, RetData,
    RuleId, State, Step, Subject, SupportCall,
};
use spoolcheck_specs::Catalog;
use std::collections::BTreeMap;

/// Sequences per preset and profile, and the longest.
const CASES: u32 = 60;
const MAX_LEN: usize = 30;

/// One step of a walk: the operation and its step.
struct Visited {
    op: Op,
    step: Step,
}

/// Every preset, in both profiles.
fn choice_sets() -> Vec<Choices> {
    Choices::presets()
        .into_iter()
        .flat_map(|(_, c)| {
            [Profile::Provider, Profile::System].map(|profile| Choices {
                profile,
                ..c.clone()
            })
        })
        .collect()
}

/// Generated walks, following a random allowed outcome at each step.
fn walks() -> Vec<Vec<Visited>> {
    let mut out = Vec::new();
    for (n, choices) in choice_sets().into_iter().enumerate() {
        let mut bytes = [0u8; 32];
        bytes[0] = n as u8;
        let config = Config {
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
        for _ in 0..CASES {
            let plan = plan(MAX_LEN)
                .new_tree(&mut runner)
                .expect("plans are never rejected")
                .current();
            let mut state = State::new(choices.clone());
            let mut walk = Vec::new();
            for &seed in &plan.seeds {
                let Some(op) = pick(&state, &plan.swarm, seed) else {
                    continue;
                };
                let result = step(&state, &op);
                let follow = usize::from(seed.1) % result.outcomes.len();
                state = result.outcomes[follow].next.clone();
                walk.push(Visited { op, step: result });
            }
            out.push(walk);
        }
    }
    out
}

/// The answers that differ from `actual` in one part each.
fn perturbations(op: &Op, actual: &Actual) -> Vec<Actual> {
    let mut out = Vec::new();
    let with = |f: &dyn Fn(&mut Actual)| {
        let mut a = actual.clone();
        f(&mut a);
        a
    };
    // The return value.
    let mut rets = vec![
        Ret::hr(Hresult::S_OK),
        Ret::ok(RetData::Opened(AccessLevel::ReadOnly)),
        Ret::ok(RetData::Opened(AccessLevel::Modify)),
        Ret::ok(RetData::Queue(Vec::new())),
        Ret::ok(RetData::SupportMask(0)),
    ];
    rets.extend(Hresult::NAMED.iter().map(|&(_, hr)| Ret::hr(hr)));
    for ret in rets {
        out.push(with(&|a| a.ret = ret.clone()));
    }
    // The calls: each one dropped, one of every kind added at every position, neighbours swapped.
    let msg = op.msg().unwrap_or(MsgId(1));
    let extra = [
        SupportCall::SpoolerNotify {
            flags: NOTIFY_READYTOSEND,
        },
        SupportCall::PrepareSubmit { msg, flags: 0 },
        SupportCall::PrepareSubmit { msg, flags: 1 },
        SupportCall::ExpandRecips { msg },
        SupportCall::CompleteMsg { msg, flags: 0 },
        SupportCall::DoSentMail { msg, flags: 0 },
        SupportCall::StoreLogoffTransports { flags: 8 },
        SupportCall::Preprocess {
            preprocessor: 1,
            msg,
            locked: true,
        },
        SupportCall::TransportSend {
            transport: spoolcheck_model::AddrType::Smtp,
            msg,
            recipients: vec![0],
            locked: false,
        },
        SupportCall::RemovePreprocessInfo {
            preprocessor: 1,
            msg,
        },
    ];
    for i in 0..actual.calls.len() {
        out.push(with(&|a| {
            a.calls.remove(i);
        }));
        if i + 1 < actual.calls.len() {
            out.push(with(&|a| a.calls.swap(i, i + 1)));
        }
    }
    for call in &extra {
        for at in [0, actual.calls.len()] {
            out.push(with(&|a| a.calls.insert(at, call.clone())));
        }
    }
    // The notifications: each one dropped, an extra new-mail event.
    for i in 0..actual.notifications.len() {
        out.push(with(&|a| {
            a.notifications.remove(i);
        }));
    }
    out.push(with(&|a| {
        a.notifications.push(Notification::NewMail { sink: 1, msg });
        a.notifications.push(Notification::NewMail { sink: 1, msg });
    }));
    out.push(with(&|a| {
        a.notifications.push(Notification::QueueTable {
            table_event: TableEvent::RowAdded,
            msg: Some(msg),
        })
    }));
    // The state: every field of every message, the folders and the queue.
    let ids: Vec<MsgId> = actual
        .observation
        .messages
        .keys()
        .copied()
        .chain([msg, MsgId(99)])
        .collect();
    for &id in &ids {
        for kind in FieldKind::ALL {
            let mut a = actual.clone();
            if perturb(&mut a.observation, id, kind) {
                out.push(a);
            }
        }
    }
    out
}

/// Changes one field of an observation; false if there is nothing to change.
fn perturb(obs: &mut Observation, id: MsgId, kind: FieldKind) -> bool {
    if let FieldKind::Exists = kind {
        if obs.messages.remove(&id).is_none() {
            let view = spoolcheck_model::observe::MessageView {
                message_flags: 0,
                submit_flags: 0,
                client_submit_time: None,
                recipients: Vec::new(),
                responsibility: Vec::new(),
            };
            obs.messages.insert(id, view);
            obs.folders.entry(Folder::Inbox).or_default().push(id);
        } else {
            obs.folders
                .values_mut()
                .for_each(|v| v.retain(|&m| m != id));
            obs.queue.retain(|&m| m != id);
        }
        return true;
    }
    if let FieldKind::Folders = kind {
        let held = obs.folders.values().any(|v| v.contains(&id));
        obs.folders
            .values_mut()
            .for_each(|v| v.retain(|&m| m != id));
        let target = if held {
            Folder::Drafts
        } else {
            Folder::SentItems
        };
        obs.folders.entry(target).or_default().push(id);
        return true;
    }
    if let FieldKind::Queue = kind {
        if obs.queue.contains(&id) {
            obs.queue.retain(|&m| m != id);
        } else if obs.queue.len() > 1 {
            obs.queue.reverse();
        } else {
            obs.queue.push(id);
        }
        return true;
    }
    let Some(m) = obs.messages.get_mut(&id) else {
        return false;
    };
    match kind {
        FieldKind::Flag(bit) => m.message_flags ^= bit.mask(),
        FieldKind::Locked => m.submit_flags ^= submitflag::LOCKED,
        FieldKind::Preprocess => m.submit_flags ^= submitflag::PREPROCESS,
        FieldKind::OtherSubmitFlags => m.submit_flags ^= 0x40,
        FieldKind::SubmitTime => {
            m.client_submit_time = match m.client_submit_time {
                Some(t) => Some(t + 1),
                None => Some(1),
            }
        }
        FieldKind::Responsibility => match m.responsibility.first_mut() {
            Some(r) => {
                *r = match r {
                    Some(true) => Some(false),
                    Some(false) => None,
                    None => Some(true),
                }
            }
            None => return false,
        },
        FieldKind::Recipients => match m.recipients.first_mut() {
            Some(row) => row.name.push_str(" (changed)"),
            None => return false,
        },
        FieldKind::Exists | FieldKind::Folders | FieldKind::Queue => unreachable!(),
    }
    true
}

/// Which rules may carry an expectation about a subject.
type Governs<'a> = dyn Fn(RuleId, &str) -> bool + 'a;

/// Every (rule, subject) the verdict attributes that the rule does not govern, with an example.
fn attribution_problems(
    walks: &[Vec<Visited>],
    governs: &Governs<'_>,
) -> BTreeMap<(RuleId, String), String> {
    let mut problems = BTreeMap::new();
    for walk in walks {
        for visited in walk {
            for outcome in &visited.step.outcomes {
                check_outcome(&visited.op, outcome, governs, &mut problems);
            }
        }
    }
    problems
}

fn check_outcome(
    op: &Op,
    outcome: &Outcome,
    governs: &Governs<'_>,
    problems: &mut BTreeMap<(RuleId, String), String>,
) {
    let mut blame = |rule: RuleId, subject: Subject, example: String| {
        let subject = subject.to_string();
        if subject == "unrecorded" || !governs(rule, &subject) {
            problems
                .entry((rule, subject))
                .or_insert_with(|| format!("{op}: {example}"));
        }
    };
    // What the outcome states directly.
    for check in &outcome.ret_checks {
        blame(
            check.rule,
            Subject::Return(op.call_name()),
            format!("return must match {}", check.pattern),
        );
    }
    for call in &outcome.calls {
        blame(
            call.rule,
            Subject::Call(call.what.name()),
            call.what.to_string(),
        );
    }
    for n in &outcome.notifications {
        let subject = spoolcheck_model::verdict::notification_subject(&n.what);
        blame(n.rule, subject, n.what.to_string());
    }
    for (field, rule) in &outcome.touched {
        blame(*rule, Subject::of_field(*field), format!("sets {field}"));
    }
    // What the verdict blames when the answer differs in one part.
    let actual = Actual::of(outcome);
    for answer in perturbations(op, &actual) {
        for v in violations(op, outcome, &answer) {
            let example = v.to_string();
            blame(v.rule, v.about, example);
        }
    }
}

fn catalog_governs(rule: RuleId, subject: &str) -> bool {
    Catalog::embedded()
        .rule(rule.as_str())
        .is_some_and(|r| r.governs_subject(subject))
}

fn listing(problems: &BTreeMap<(RuleId, String), String>) -> String {
    problems
        .iter()
        .map(|((rule, subject), example)| {
            format!("{rule} does not govern {subject}, yet is blamed: {example}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_expectation_names_a_rule_that_governs_it() {
    let problems = attribution_problems(&walks(), &catalog_governs);
    assert!(
        problems.is_empty(),
        "{} attribution(s) a rule's `governs` does not cover:\n{}",
        problems.len(),
        listing(&problems)
    );
}

#[test]
fn the_attribution_check_catches_a_rule_blamed_outside_what_it_governs() {
    // The same walks, against a catalog in which FLAG-01 no longer governs MSGFLAG_SUBMIT.
    let doctored = |rule: RuleId, subject: &str| {
        !(rule == RuleId::Flag01 && subject == "state:PR_MESSAGE_FLAGS.SUBMIT")
            && catalog_governs(rule, subject)
    };
    let problems = attribution_problems(&walks(), &doctored);
    assert!(
        problems.contains_key(&(RuleId::Flag01, "state:PR_MESSAGE_FLAGS.SUBMIT".into())),
        "{}",
        listing(&problems)
    );
}

/// Every place an outcome asserts what a reading it follows leaves open, and every reading the
/// walks never applied.
fn reading_problems(walks: &[Vec<Visited>], loosen: bool) -> Vec<String> {
    let catalog = Catalog::embedded();
    let mut problems = Vec::new();
    let mut applied = std::collections::BTreeSet::new();
    for walk in walks {
        for visited in walk {
            for outcome in &visited.step.outcomes {
                let mut outcome = outcome.clone();
                if !loosen {
                    // Broken on purpose: the outcome forgets what the readings leave open.
                    outcome.loose.clear();
                }
                let step = Step {
                    outcomes: visited
                        .step
                        .outcomes
                        .iter()
                        .map(|o| {
                            if o.label == outcome.label {
                                outcome.clone()
                            } else {
                                o.clone()
                            }
                        })
                        .collect(),
                };
                check_readings(&visited.op, &step, &outcome, &mut applied, &mut problems);
            }
        }
    }
    for ambiguity in &catalog.ambiguities {
        if ambiguity.open.is_some() && !applied.contains(ambiguity.id.as_str()) {
            problems.push(format!(
                "{} leaves fields open, but no generated outcome follows it",
                ambiguity.id
            ));
        }
    }
    problems
}

fn check_readings(
    op: &Op,
    step: &Step,
    outcome: &Outcome,
    applied: &mut std::collections::BTreeSet<String>,
    problems: &mut Vec<String>,
) {
    let catalog = Catalog::embedded();
    for ambiguity in &catalog.ambiguities {
        let Some(open) = &ambiguity.open else {
            continue;
        };
        let follows: Vec<Option<MsgId>> = outcome
            .readings
            .iter()
            .filter(|(amb, _)| *amb == ambiguity.id)
            .map(|(_, msg)| *msg)
            .collect();
        let on_its_paths = outcome
            .rules
            .iter()
            .any(|r| open.on.iter().any(|id| id == r.as_str()));
        if on_its_paths && follows.is_empty() {
            problems.push(format!(
                "{op} ({:?}) applies {:?} but does not follow {}",
                outcome.label, open.on, ambiguity.id
            ));
        }
        if !follows.is_empty() {
            applied.insert(ambiguity.id.clone());
        }
        for msg in follows.into_iter().flatten() {
            for field in &open.fields {
                let kind = FieldKind::ALL
                    .into_iter()
                    .find(|k| Subject::State(*k).to_string() == *field)
                    .unwrap_or_else(|| panic!("{}: unknown field {field}", ambiguity.id));
                let mut answer = Actual::of(outcome);
                if !perturb(&mut answer.observation, msg, kind) {
                    continue;
                }
                if let Verdict::Fail { violations, .. } = judge(op, step, &answer) {
                    problems.push(format!(
                        "{op} ({:?}) follows {} but asserts {field} of {msg}: {}",
                        outcome.label, ambiguity.id, violations[0]
                    ));
                }
            }
        }
    }
}

#[test]
fn what_a_reading_leaves_open_is_never_asserted_where_the_model_follows_it() {
    let problems = reading_problems(&walks(), true);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_reading_check_catches_an_outcome_that_asserts_what_is_left_open() {
    let problems = reading_problems(&walks(), false);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("follows AMB-09 but asserts")),
        "{}",
        problems.join("\n")
    );
}

/// The walks reach every rule's expectations, so the check above covers the whole catalog.
#[test]
fn the_walks_reach_every_rule() {
    let mut reached = std::collections::BTreeSet::new();
    for walk in walks() {
        for visited in &walk {
            for outcome in &visited.step.outcomes {
                reached.extend(outcome.rules.iter().copied());
            }
        }
    }
    let unreached: Vec<&str> = RuleId::ALL
        .iter()
        .filter(|r| !reached.contains(r))
        .map(|r| r.as_str())
        .collect();
    assert!(unreached.is_empty(), "never reached: {unreached:?}");
}

#[test]
fn every_subject_a_rule_governs_exists() {
    let vocabulary: Vec<String> = Subject::vocabulary()
        .iter()
        .map(ToString::to_string)
        .collect();
    for rule in &Catalog::embedded().rules {
        for pattern in &rule.governs {
            let matches = vocabulary.iter().any(|s| match pattern.strip_suffix('*') {
                Some(prefix) => s.starts_with(prefix),
                None => s == pattern,
            });
            assert!(
                matches,
                "{} governs {pattern}, which names no subject",
                rule.id
            );
        }
    }
}
