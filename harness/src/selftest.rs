//! Self-test: the suite against each mutant of the reference provider. Every mutant must be caught,
//! and the report must name one of the rules the mutant breaks: the proof that each rule is checked.

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
    /// The rule the report named first.
    pub named_rule: Option<String>,
    /// Whether that rule is one of `rules`.
    pub named_own_rule: bool,
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
            cases: 2_000,
            profile: Profile::Provider,
        }
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
    let run_config = RunConfig {
        choices: mutant.choices(),
        seed: config.seed,
        cases: config.cases,
        timeout: Duration::from_secs(10),
        max_failures: 1,
        stop_at_first: Some(true),
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
        caught: first.is_some(),
        named_rule: named.map(|r| r.to_string()),
        named_own_rule: named.is_some_and(|r| rules.contains(&r)),
        shrunk_len: first.map(|f| f.ops.len()),
        millis: u64::try_from(report.elapsed.as_millis()).unwrap_or(u64::MAX),
    }
}

/// The kill matrix as an aligned table.
pub fn table(kills: &[Kill]) -> String {
    let mut rows = vec![["mutant", "breaks", "caught", "named", "steps", "ms"].map(String::from)];
    for k in kills {
        rows.push([
            k.mutant.clone(),
            k.rules.join(","),
            if k.caught && k.named_own_rule {
                "yes"
            } else if k.caught {
                "MISNAMED"
            } else {
                "NO"
            }
            .into(),
            k.named_rule.clone().unwrap_or_else(|| "-".into()),
            k.shrunk_len.map_or("-".into(), |n| n.to_string()),
            k.millis.to_string(),
        ]);
    }
    let killed = kills
        .iter()
        .filter(|k| k.caught && k.named_own_rule)
        .count();
    format!(
        "{}{killed}/{} mutants caught, each naming its own rule\n",
        spoolcheck_model::trace::align(&rows),
        kills.len()
    )
}
