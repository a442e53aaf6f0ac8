//! Runs are a pure function of the seed: the same seed against the same implementation gives the
//! same cases, the same minimal failures (operations and answers) and the same report text, apart
//! from the wall-clock time; and the same coverage of the reference.

use crate::common::{mutants, reference, without_timing};
use spoolcheck_harness::mutant::Mutant;
use spoolcheck_harness::report;
use spoolcheck_harness::runner::{run, RunConfig};

#[test]
fn the_same_seed_gives_the_same_report_against_a_mutant() {
    // A store with two distinct deviations: the run goes through several search rounds, each
    // finding a failure.
    const TWO: &[Mutant] = &[Mutant::Spl06NoLockedFlag, Mutant::Access02ModifyQueued];
    let config = RunConfig {
        seed: 42,
        cases: 256,
        ..RunConfig::default()
    };
    let first = run(mutants(TWO), &config);
    let second = run(mutants(TWO), &config);
    let text = report::render(&first, false, &[]);
    assert!(
        first.failures.len() >= 2,
        "expected several failures:\n{text}"
    );
    assert_eq!(
        without_timing(&text),
        without_timing(&report::render(&second, false, &[]))
    );
    assert_eq!(first.failures.len(), second.failures.len());
    for (a, b) in first.failures.iter().zip(&second.failures) {
        assert_eq!(a.ops, b.ops, "{}", a.headline());
        assert_eq!(a.observed, b.observed, "{}", a.headline());
        assert_eq!(a, b);
    }
    assert_eq!(
        (first.cases, first.steps, &first.exercised),
        (second.cases, second.steps, &second.exercised)
    );

    // And the seed matters: another one finds its failures through other cases.
    let other = run(
        mutants(TWO),
        &RunConfig {
            seed: 43,
            ..config.clone()
        },
    );
    assert_ne!(
        (other.steps, &other.failures),
        (first.steps, &first.failures)
    );
}

#[test]
fn the_same_seed_gives_the_same_coverage_of_the_reference() {
    let config = RunConfig {
        seed: 9,
        cases: 200,
        ..RunConfig::default()
    };
    let first = run(reference(), &config);
    let second = run(reference(), &config);
    assert!(first.failures.is_empty() && second.failures.is_empty());
    assert_eq!(first.cases, 200);
    assert!(!first.exercised.is_empty());
    assert_eq!(first.exercised, second.exercised);
    assert_eq!((first.cases, first.steps), (second.cases, second.steps));
    assert_eq!(
        without_timing(&report::render(&first, false, &[])),
        without_timing(&report::render(&second, false, &[]))
    );

    let other = run(
        reference(),
        &RunConfig {
            seed: 10,
            ..config.clone()
        },
    );
    assert_ne!(
        (other.steps, &other.exercised),
        (first.steps, &first.exercised)
    );
}
