//! The reference provider against the model, for every preset of declared choices.

use super::differential::shrunk_failure;
use super::ReferenceStore;
use crate::seam::Implementation;
use spoolcheck_model::Choices;

/// Generated cases per preset.
const CASES: u32 = 2_000;

fn passes(preset: &str) {
    let choices = Choices::presets()
        .into_iter()
        .find(|(name, _)| *name == preset)
        .map(|(_, c)| c)
        .unwrap_or_else(|| panic!("no preset {preset}"));
    let mut store = ReferenceStore::new();
    if let Some((case, failure)) = shrunk_failure(&mut store, &choices, 0x5eed, CASES) {
        panic!(
            "preset {preset}, case {case}: the reference fails {}:\n{failure}",
            failure.rule
        );
    }
}

macro_rules! preset_tests {
    ($($test:ident = $preset:literal,)*) => {
        $(#[test] fn $test() { passes($preset); })*

        #[test]
        fn every_preset_has_a_test() {
            let tested = [$($preset),*];
            for (name, _) in Choices::presets() {
                assert!(tested.contains(&name), "preset {name} has no test here");
            }
        }
    };
}

preset_tests! {
    passes_default = "default",
    passes_tight_coupling_complete_msg = "tight-coupling-complete-msg",
    passes_tight_coupling_local = "tight-coupling-local",
    passes_resend_only_dosentmail = "resend-only-dosentmail",
    passes_system = "system",
    passes_no_submission = "no-submission",
    passes_permissive = "permissive",
}

#[test]
fn names_itself() {
    assert_eq!(ReferenceStore::new().name(), "reference");
    let mutant = ReferenceStore::with_mutant(crate::mutant::Mutant::Nnm02Twice);
    assert_eq!(mutant.name(), "reference (mutant nnm02-twice)");
}
