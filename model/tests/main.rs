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
