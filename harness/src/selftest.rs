//! Self-test: the suite against each mutant of the reference provider, run exactly as
//! `spoolcheck run --mutant NAME` runs it. Every mutant must be caught with exactly one failure,
//! headlined by the mutant's own rule: the proof that each rule is checked, and that one deviation
//! is reported once, under the rule that states what went wrong.

use crate::mutant::Mutant;
use crate::reference::ReferenceStore;
use crate::runner::{run, RunConfig};
use serde::{Deserialize, Serialize};
use spoolcheck_model::{Profile, RuleId};
use std::sync::Arc;
use std::time::Duration;

/// One row of the kill matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kill {
    /// The mutant's name.
    pub mutant: String,
    /// The rules it breaks, targeted rule first.
    pub rules: Vec<String>,
    /// Whether the suite failed it.
    pub caught: bool,
    /// How many failures the run reported (one deviation should be one failure).
    pub failures: usize,
    /// The headline rule of the first failure.
    pub named_rule: Option<String>,
    /// Whether that is the mutant's targeted rule.
    pub named_own_rule: bool,
    /// The headline rules of the other failures, if there are any.
    pub other_failures: Vec<String>,
    /// The length of the minimal trace.
    pub shrunk_len: Option<usize>,
    /// Time to catch it (search and shrinking), in milliseconds.
    pub millis: u64,
}

/// The settings of a self-test run.
#[derive(Clone, Debug)]
pub struct SelftestConfig {
    /// The seed.
    pub seed: u64,
    /// The most cases to try per mutant.
    pub cases: u32,
    /// Only mutants of this profile.
    pub profile: Profile,
}

impl Default for SelftestConfig {
    fn default() -> Self {
        SelftestConfig {
            seed: 0,
            // What `spoolcheck run` generates per search round.
            cases: 2_048,
            profile: Profile::Provider,
        }
    }
}

impl Kill {
    /// Caught, with exactly one failure, headlined by the mutant's own rule.
    pub fn passed(&self) -> bool {
        self.caught && self.failures == 1 && self.named_own_rule
    }
}

/// Runs the suite against every mutant of the profile.
pub fn run_all(config: &SelftestConfig) -> Vec<Kill> {
    Mutant::ALL
        .iter()
        .filter(|m| m.choices().profile == config.profile)
        .map(|&m| kill(m, config))
        .collect()
}

/// Runs the suite against one mutant.
pub fn kill(mutant: Mutant, config: &SelftestConfig) -> Kill {
    // As `spoolcheck run --mutant` runs: every distinct failure the run can find is reported.
    let run_config = RunConfig {
        choices: mutant.choices(),
        seed: config.seed,
        cases: config.cases,
        timeout: Duration::from_secs(10),
        ..RunConfig::default()
    };
    let report = run(
        Arc::new(move || Ok(Box::new(ReferenceStore::with_mutant(mutant)) as _)),
        &run_config,
    );
    let first = report.failures.first();
    let named = first.and_then(|f| f.rule());
    let rules: Vec<RuleId> = mutant.rules().to_vec();
    Kill {
        mutant: mutant.name().into(),
        rules: rules.iter().map(|r| r.to_string()).collect(),
        caught: first.is_some_and(|f| f.fails_run(true)),
        failures: report.failures.len(),
        named_rule: named.map(|r| r.to_string()),
        named_own_rule: named == rules.first().copied(),
        other_failures: report
            .failures
            .iter()
            .skip(1)
            .map(|f| f.signature())
            .collect(),
        shrunk_len: first.map(|f| f.ops.len()),
        millis: u64::try_from(report.elapsed.as_millis()).unwrap_or(u64::MAX),
    }
}

/// The kill matrix as an aligned table.
pub fn table(kills: &[Kill]) -> String {
    let mut rows = vec![[
        "mutant", "breaks", "caught", "failures", "named", "steps", "ms",
    ]
    .map(String::from)];
    for k in kills {
        let named = match (&k.named_rule, k.other_failures.is_empty()) {
            (Some(rule), true) => rule.clone(),
            (Some(rule), false) => format!("{rule} (then {})", k.other_failures.join(", ")),
            (None, _) => "-".into(),
        };
        rows.push([
            k.mutant.clone(),
            k.rules.join(","),
            if k.passed() {
                "yes"
            } else if !k.caught {
                "NO"
            } else if !k.named_own_rule {
                "MISNAMED"
            } else {
                "SPLIT"
            }
            .into(),
            k.failures.to_string(),
            named,
            k.shrunk_len.map_or("-".into(), |n| n.to_string()),
            k.millis.to_string(),
        ]);
    }
    let passed = kills.iter().filter(|k| k.passed()).count();
    format!(
        "{}{passed}/{} mutants caught, each with exactly one failure, headlined by its own rule\n",
        spoolcheck_model::trace::align(&rows),
        kills.len()
    )
}
