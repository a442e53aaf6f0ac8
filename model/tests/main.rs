//! Integration tests of the reference model.

/// Random operation sequences: the model never panics and every invariant holds after every step.
mod properties {
    use proptest::prelude::*;
    use spoolcheck_model::generate::{pick, plan};
    use spoolcheck_model::invariants::{check_state, check_step};
    use spoolcheck_model::{step, Choices, State};

    fn presets() -> Vec<Choices> {
        Choices::presets().into_iter().map(|(_, c)| c).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 10_000, failure_persistence: None, ..ProptestConfig::default() })]
        #[test]
        fn invariants_hold_after_every_step(preset in 0..presets().len(), plan in plan(30), branch in any::<u8>()) {
            let mut state = State::new(presets()[preset].clone());
            check_state(&state).unwrap();
            for &seed in &plan.seeds {
                let Some(op) = pick(&state, &plan.swarm, seed) else { continue };
                let result = step(&state, &op);
                for outcome in &result.outcomes {
                    if let Err(broken) = check_step(&state, &op, outcome) {
                        panic!("{broken}\nafter {op} in {state:#?}");
                    }
                }
                // Walk every kind of branch, not only the default.
                let chosen = usize::from(branch) % result.outcomes.len();
                state = result.outcomes[chosen].next.clone();
            }
        }
    }
}

/// The judge's fast path agrees with the full comparison: `shows` is `observe(..) == ..`, and an
/// answer that `conforms` has no violations, whatever is changed in it.
mod fast_path {
    use proptest::prelude::*;
    use spoolcheck_model::generate::{pick, plan};
    use spoolcheck_model::observe::shows;
    use spoolcheck_model::verdict::{conforms, violations, Actual};
    use spoolcheck_model::{observe, step, Choices, Folder, MsgId, Observation, State};

    fn presets() -> Vec<Choices> {
        Choices::presets().into_iter().map(|(_, c)| c).collect()
    }

    /// One small change to an answer, chosen by `how`.
    fn perturb(actual: &mut Actual, how: u8) {
        let obs: &mut Observation = &mut actual.observation;
        let first = obs.messages.keys().next().copied();
        match (how % 10, first) {
            (0, _) => {}
            (1, Some(id)) => obs.messages.get_mut(&id).unwrap().message_flags ^= 1 << (how % 32),
            (2, Some(id)) => obs.messages.get_mut(&id).unwrap().submit_flags ^= 1 << (how % 3),
            (3, Some(id)) => {
                obs.messages.remove(&id);
            }
            (4, _) => obs
                .folders
                .entry(Folder::SentItems)
                .or_default()
                .push(MsgId(1)),
            (5, _) => {
                obs.folders.remove(&Folder::Drafts);
            }
            (6, _) => obs.queue.reverse(),
            (7, _) => {
                actual.calls.pop();
            }
            (8, _) => {
                actual.notifications.clear();
            }
            (9, Some(id)) => {
                obs.messages.get_mut(&id).unwrap().recipients.pop();
            }
            _ => obs.queue.push(MsgId(9)),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]
        #[test]
        fn the_fast_path_agrees_with_the_full_comparison(preset in 0..presets().len(), plan in plan(30), how in any::<u8>()) {
            let mut state = State::new(presets()[preset].clone());
            for &seed in &plan.seeds {
                let Some(op) = pick(&state, &plan.swarm, seed) else { continue };
                let result = step(&state, &op);
                for outcome in &result.outcomes {
                    let mut actual = Actual::of(outcome);
                    prop_assert!(conforms(outcome, &actual), "{op}: {}", outcome.label);
                    perturb(&mut actual, how);
                    let expected = observe(&outcome.next);
                    prop_assert_eq!(shows(&outcome.next, &actual.observation), expected == actual.observation);
                    if conforms(outcome, &actual) {
                        prop_assert!(violations(&op, outcome, &actual).is_empty(), "{op}: {}", outcome.label);
                    }
                }
                state = result.next().clone();
            }
        }
    }
}

/// The same seed gives the same operations and the same trace.
mod determinism {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    use spoolcheck_model::generate::{plan, realize};
    use spoolcheck_model::{trace, Choices};

    fn trace_for(seed: u8) -> String {
        let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]);
        let mut runner = TestRunner::new_with_rng(Config::default(), rng);
        let plan = plan(40).new_tree(&mut runner).unwrap().current();
        let ops = realize(&Choices::default(), &plan);
        trace::table(&trace::run(&Choices::default(), &ops).0)
    }

    #[test]
    fn same_seed_same_trace() {
        for seed in 0..20 {
            assert_eq!(trace_for(seed), trace_for(seed), "seed {seed}");
        }
        assert_ne!(trace_for(1), trace_for(2), "different seeds should differ");
    }
}

/// Every rule the model names has a witness that the model itself generates and replays.
mod witnesses {
    use spoolcheck_model::{trace, witness, RuleId};

    #[test]
    fn every_rule_has_a_replayable_witness() {
        let all = witness::all();
        let missing: Vec<&str> = RuleId::ALL
            .iter()
            .filter(|r| !all.contains_key(r))
            .map(|r| r.as_str())
            .collect();
        assert!(missing.is_empty(), "rules without a witness: {missing:?}");
        for (rule, w) in &all {
            let (rows, _) = trace::run(&w.choices, &w.ops);
            let last = rows.last().expect("a witness has at least one step");
            let step = spoolcheck_model::step(
                &trace::run(&w.choices, &w.ops[..w.ops.len() - 1]).1,
                &last.op,
            );
            assert!(
                step.rules().contains(rule),
                "{rule}: the witness's last step does not apply it"
            );
        }
    }
}

/// `witness::of` finds the same length as the exhaustive search (on a sample of rules from every
/// family and profile: checking all of them takes over a minute).
mod witness_of {
    use spoolcheck_model::{witness, RuleId};

    #[test]
    fn single_rule_search_agrees_with_the_full_search() {
        let all = witness::all();
        for rule in [RuleId::Submit09, RuleId::Tc04, RuleId::Abort04] {
            let one = witness::of(rule).map(|w| w.ops.len());
            assert_eq!(one, all.get(&rule).map(|w| w.ops.len()), "{rule}");
        }
    }
}

/// RegisterPreprocessor's three forms (PRE-08, AMB-37): which preprocessors the spooler runs on a
/// message, and when MAPI asks for preprocessing at all.
mod preprocessor_scopes {
    use spoolcheck_model::precondition::{candidates, CLOCK_START};
    use spoolcheck_model::{
        step, AddrType, Choices, Folder, MsgId, NewMessage, Op, PreprocessorScope, Role, State,
        SubmitScript, SupportCall,
    };

    use AddrType::{Fax, Smtp, X400};
    use PreprocessorScope::{AddressType, AllMessages, Mapiuid};

    /// Profile `system` without tight coupling, so every message goes through the spooler.
    fn system_uncoupled() -> Choices {
        let (_, system) = Choices::presets()
            .into_iter()
            .find(|(name, _)| *name == "system")
            .expect("the model has a system preset");
        Choices {
            tight_coupling: None,
            ..system
        }
    }

    fn register(addr: AddrType, scope: PreprocessorScope) -> Op {
        Op::RegisterPreprocessor { addr, scope }
    }

    fn create(recipients: Vec<AddrType>) -> Op {
        Op::CreateMessage(NewMessage {
            folder: Folder::Outbox,
            recipients: recipients
                .into_iter()
                .map(spoolcheck_model::recipient::to)
                .collect(),
            sentmail: None,
            delete_after_submit: false,
            unsent: false,
            resend: false,
            saved: true,
        })
    }

    fn submit() -> Op {
        Op::SubmitMessage {
            caller: Role::Client,
            msg: MsgId(1),
            flags: 0,
            script: SubmitScript::ok(CLOCK_START),
        }
    }

    /// The state after `ops`, following the default outcomes, and the last step's support calls.
    fn run(ops: &[Op]) -> (State, Vec<SupportCall>) {
        let mut state = State::new(system_uncoupled());
        let mut calls = Vec::new();
        for op in ops {
            let result = step(&state, op);
            calls = result
                .default_outcome()
                .calls
                .iter()
                .map(|c| c.what.clone())
                .collect();
            state = result.next().clone();
        }
        (state, calls)
    }

    fn preprocessed(calls: &[SupportCall]) -> Vec<u32> {
        calls
            .iter()
            .filter_map(|c| match c {
                SupportCall::Preprocess { preprocessor, .. } => Some(*preprocessor),
                _ => None,
            })
            .collect()
    }

    fn cleaned(calls: &[SupportCall]) -> Vec<u32> {
        calls
            .iter()
            .filter_map(|c| match c {
                SupportCall::RemovePreprocessInfo { preprocessor, .. } => Some(*preprocessor),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_spooler_runs_what_each_scope_covers_in_registration_order() {
        let (_, calls) = run(&[
            register(Fax, AllMessages),  // 1: every message
            register(Smtp, AddressType), // 2: m1 has an SMTP recipient
            register(Fax, Mapiuid),      // 3: no FAX recipient, so not the FAX transport's
            register(X400, AddressType), // 4: no X400 recipient
            register(Smtp, Mapiuid),     // 5: the SMTP transport handles m1
            create(vec![Smtp]),
            submit(),
            Op::run_spooler(),
        ]);
        assert_eq!(preprocessed(&calls), [1, 2, 5], "{calls:?}");
        assert_eq!(cleaned(&calls), [1, 2, 5], "{calls:?}");
    }

    #[test]
    fn only_registrations_for_the_message_make_it_need_preprocessing() {
        for (scope, needed) in [(AllMessages, true), (Mapiuid, false), (AddressType, false)] {
            let (state, _) = run(&[register(Fax, scope), create(vec![Smtp]), submit()]);
            let m = &state.messages[&MsgId(1)];
            assert_eq!(m.preprocess, needed, "{scope:?}");
            assert!(state.queued(MsgId(1)), "{scope:?}");
        }
        let (state, _) = run(&[register(Fax, Mapiuid), create(vec![Smtp, Fax]), submit()]);
        assert!(state.messages[&MsgId(1)].preprocess, "FAX by MAPIUID");
    }

    #[test]
    fn a_transport_whose_recipients_are_all_handled_has_no_preprocessing_to_do() {
        // In profile system only a spooler outside the implementation would lock the message and
        // mark the FAX row handled; the model answers every call, so the reading shows.
        let (_, calls) = run(&[
            register(Fax, AddressType),
            register(Fax, Mapiuid),
            register(Fax, AllMessages),
            create(vec![Smtp, Fax]),
            submit(),
            Op::SetLockState {
                caller: Role::Spooler,
                msg: MsgId(1),
                lock: true,
            },
            Op::MarkResponsibility {
                caller: Role::Spooler,
                msg: MsgId(1),
                recipient: 1,
            },
            Op::run_spooler(),
        ]);
        assert_eq!(preprocessed(&calls), [3], "{calls:?}");
    }

    #[test]
    fn a_message_queued_without_preprocessing_is_not_preprocessed_later() {
        let (_, calls) = run(&[
            create(vec![Smtp]),
            submit(),
            register(Smtp, AllMessages),
            Op::run_spooler(),
        ]);
        assert!(preprocessed(&calls).is_empty(), "{calls:?}");
        assert!(cleaned(&calls).is_empty(), "{calls:?}");
        assert!(
            calls
                .iter()
                .any(|c| matches!(c, SupportCall::TransportSend { .. })),
            "the message is still sent: {calls:?}"
        );
    }

    /// Generation, the quickcheck sequences and the witness search all draw from the candidates.
    #[test]
    fn every_transport_is_offered_every_scope() {
        let state = State::new(system_uncoupled());
        let offered: Vec<(AddrType, PreprocessorScope)> = candidates(&state, 4)
            .into_iter()
            .filter_map(|(_, op)| match op {
                Op::RegisterPreprocessor { addr, scope } => Some((addr, scope)),
                _ => None,
            })
            .collect();
        let every: Vec<(AddrType, PreprocessorScope)> = AddrType::ALL
            .into_iter()
            .flat_map(|a| PreprocessorScope::ALL.map(|s| (a, s)))
            .collect();
        assert_eq!(offered, every);
    }

    #[test]
    fn the_operation_names_its_scope() {
        assert_eq!(
            register(Smtp, AddressType).to_string(),
            "RegisterPreprocessor(SMTP)"
        );
        assert_eq!(
            register(Smtp, Mapiuid).to_string(),
            "RegisterPreprocessor(SMTP, by MAPIUID)"
        );
        assert_eq!(
            register(Fax, AllMessages).to_string(),
            "RegisterPreprocessor(FAX, all messages)"
        );
        assert_eq!(PreprocessorScope::default(), AddressType);
    }
}
