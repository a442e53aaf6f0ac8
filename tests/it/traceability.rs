//! The model and the catalog agree in both directions: the rule IDs the model encodes are exactly
//! the catalog's rules, the model has a witness for each, and every invariant the catalog names is
//! implemented by the model.

use spoolcheck_model::{witness, RuleId};
use spoolcheck_specs::{Catalog, Check};
use std::collections::BTreeSet;

/// The model's invariant checks, where each invariant ID appears as a string literal.
const INVARIANTS_SOURCE: &str = include_str!("../../model/src/invariants.rs");

/// Compares two ID lists. `Err` names what only the first has and what only the second has.
fn compare<'a>(
    left_name: &str,
    left: impl IntoIterator<Item = &'a str>,
    right_name: &str,
    right: impl IntoIterator<Item = &'a str>,
) -> Result<(), String> {
    let left: BTreeSet<&str> = left.into_iter().collect();
    let right: BTreeSet<&str> = right.into_iter().collect();
    let only_left: Vec<&str> = left.difference(&right).copied().collect();
    let only_right: Vec<&str> = right.difference(&left).copied().collect();
    if only_left.is_empty() && only_right.is_empty() {
        return Ok(());
    }
    Err(format!(
        "only in {left_name}: {only_left:?}; only in {right_name}: {only_right:?}"
    ))
}

fn catalog_rule_ids() -> Vec<&'static str> {
    Catalog::embedded()
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .collect()
}

#[test]
fn model_rules_are_exactly_the_catalog_rules() {
    let model = RuleId::ALL.iter().map(|r| r.as_str());
    if let Err(difference) = compare("the model", model, "the catalog", catalog_rule_ids()) {
        panic!("the model's RuleId::ALL and the catalog differ: {difference}");
    }
}

#[test]
fn the_comparison_reports_an_extra_and_a_missing_id() {
    let catalog = catalog_rule_ids();
    let mut model: Vec<&str> = catalog
        .iter()
        .copied()
        .filter(|id| *id != "SUBMIT-09")
        .collect();
    model.push("SUBMIT-99");
    let difference = compare("the model", model, "the catalog", catalog.iter().copied())
        .expect_err("an extra and a missing ID must be reported");
    assert_eq!(
        difference,
        r#"only in the model: ["SUBMIT-99"]; only in the catalog: ["SUBMIT-09"]"#
    );
    assert_eq!(compare("a", ["X", "Y"], "b", ["Y", "X"]), Ok(()));
}

#[test]
fn every_catalog_rule_has_a_witness() {
    let witnesses = witness::all();
    let missing: Vec<&str> = catalog_rule_ids()
        .into_iter()
        .filter(|id| RuleId::parse(id).is_none_or(|rule| !witnesses.contains_key(&rule)))
        .collect();
    assert!(
        missing.is_empty(),
        "catalog rules without a witness in the model: {missing:?}"
    );
}

#[test]
fn invariant_checks_name_catalog_invariants() {
    let catalog = Catalog::embedded();
    let dangling: Vec<String> = catalog
        .rules
        .iter()
        .filter_map(|rule| match rule.check_kind() {
            Some(Check::Invariant(id)) if catalog.invariant(id).is_none() => {
                Some(format!("{} -> {id}", rule.id))
            }
            Some(_) => None,
            None => Some(format!("{} -> unparsable check `{}`", rule.id, rule.check)),
        })
        .collect();
    assert!(
        dangling.is_empty(),
        "checks naming no catalog invariant: {dangling:?}"
    );
}

#[test]
fn the_catalog_invariants_are_inv_01_to_inv_15_and_the_model_implements_each() {
    let catalog = Catalog::embedded();
    let expected: Vec<String> = (1..=15).map(|n| format!("INV-{n:02}")).collect();
    let listed = catalog.invariants.iter().map(|i| i.id.as_str());
    if let Err(difference) = compare(
        "the catalog",
        listed,
        "INV-01..INV-15",
        expected.iter().map(String::as_str),
    ) {
        panic!("the catalog's invariants are not INV-01..INV-15: {difference}");
    }
    let unimplemented: Vec<&str> = catalog
        .invariants
        .iter()
        .map(|i| i.id.as_str())
        .filter(|id| !INVARIANTS_SOURCE.contains(&format!("\"{id}\"")))
        .collect();
    assert!(
        unimplemented.is_empty(),
        "invariants with no check in model/src/invariants.rs: {unimplemented:?}"
    );
}
