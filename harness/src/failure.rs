//! What a run found: a failure with its minimal trace, and the rule it breaks.

use crate::seam::{Response, SeamError};
use serde::{Deserialize, Serialize};
use spoolcheck_model::invariants::Broken;
use spoolcheck_model::verdict::Violation;
use spoolcheck_model::{Choices, Op, RuleId};
use spoolcheck_specs::{Catalog, Level};

/// Why a case failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureKind {
    /// The answer differs from every outcome the model allows. Violations of the closest one.
    Violated(Vec<Violation>),
    /// The observed store breaks an invariant.
    Invariant(Broken),
    /// The implementation panicked.
    Panicked(String),
    /// The implementation answered something the seam could not read.
    Malformed(String),
    /// The implementation hung or crashed mid-call: whether the call took effect is unknown.
    Indeterminate(SeamError),
}

/// A failing case, minimised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// Why.
    pub kind: FailureKind,
    /// The index of the failing operation in `ops`.
    pub step: usize,
    /// The operations, up to and including the failing one.
    pub ops: Vec<Op>,
    /// What the implementation answered to each operation that it answered.
    pub observed: Vec<Response>,
    /// The declared choices of the run.
    pub choices: Choices,
    /// The run's seed.
    pub seed: u64,
    /// Rules the same deviation broke in other cases of the run, besides those of the failing
    /// step: cases whose first difference was this failure's headline rule again.
    pub also: Vec<RuleId>,
    /// The minimal trace, when it failed the same way while shrinking but not when run once more
    /// (an implementation whose answers vary): the failure as found is reported instead, and both
    /// are kept; the report says so.
    pub shrunk: Option<Box<Failure>>,
    /// Run once more, the trace as found did not fail again either: the implementation's answers
    /// vary from run to run, and the report says so.
    pub unrepeatable: bool,
    /// The bundled reference provider fails the minimal trace too: then the verdict is the
    /// suite's fault, not the implementation's. Its headline.
    pub reference_fails: Option<String>,
}

/// The catalog level of a rule (MUST when the catalog does not know it, which a test prevents).
pub fn level_of(rule: RuleId) -> Level {
    Catalog::embedded()
        .rule(rule.as_str())
        .map_or(Level::Must, |r| r.level)
}

impl Failure {
    /// The headline rule: the one governing the first observable difference, if the failure is a
    /// rule violation.
    pub fn rule(&self) -> Option<RuleId> {
        match &self.kind {
            FailureKind::Violated(v) => v.first().map(|v| v.rule),
            FailureKind::Invariant(b) => Some(b.rule),
            _ => None,
        }
    }

    /// The other rules the same deviation breaks: at the failing step, and in other cases of the
    /// run ([`Failure::also`]). Sorted, without the headline rule.
    pub fn also_breaks(&self) -> Vec<RuleId> {
        let head = self.rule();
        let mut rules: Vec<RuleId> = match &self.kind {
            FailureKind::Violated(v) => v.iter().map(|v| v.rule).collect(),
            _ => Vec::new(),
        };
        rules.extend(self.also.iter().copied());
        rules.retain(|r| Some(*r) != head);
        rules.sort();
        rules.dedup();
        rules
    }

    /// Every rule the deviation breaks: the headline rule first, then [`Failure::also_breaks`].
    pub fn rules(&self) -> Vec<RuleId> {
        self.rule().into_iter().chain(self.also_breaks()).collect()
    }

    /// The strictest level among the broken rules (`None` for panics, hangs and nonsense).
    pub fn level(&self) -> Option<Level> {
        self.rules().into_iter().map(level_of).max()
    }

    /// Whether this failure makes the run non-conformant. MUST and MAY violations always do (a MAY
    /// violation means the implementation broke its own declared choice); SHOULD violations only
    /// under `--strict`; panics, hangs and nonsense always. It depends on this failure alone, so a
    /// SHOULD deviation is labelled the same whatever else the run found.
    pub fn fails_run(&self, strict: bool) -> bool {
        match self.level() {
            Some(Level::Should) => strict,
            Some(Level::Info) => false,
            _ => true,
        }
    }

    /// One line: what broke, where.
    pub fn headline(&self) -> String {
        let at = format!(
            "step {}, {}",
            self.step + 1,
            self.ops
                .get(self.step)
                .map_or("?".into(), ToString::to_string)
        );
        match &self.kind {
            FailureKind::Violated(v) => match v.first() {
                // The violation without its rule, which the headline names already.
                Some(first) => format!(
                    "{} ({}) violated at {at}: {}: expected {}, got {}. {}",
                    first.rule,
                    level_of(first.rule),
                    first.subject,
                    first.expected,
                    first.actual,
                    because(first.rule)
                ),
                None => format!("divergence at {at}"),
            },
            FailureKind::Invariant(b) => {
                format!(
                    "{} ({}) violated at {at}: {b}. {}",
                    b.rule,
                    level_of(b.rule),
                    because(b.rule)
                )
            }
            FailureKind::Panicked(m) => format!("the implementation panicked at {at}: {m}"),
            FailureKind::Malformed(m) => {
                format!("the implementation answered nonsense at {at}: {m}")
            }
            FailureKind::Indeterminate(e) => format!("indeterminate at {at}: {e}"),
        }
    }

    /// A stable key for "the same failure": the kind and the rule.
    pub fn signature(&self) -> String {
        match (&self.kind, self.rule()) {
            (_, Some(rule)) => rule.to_string(),
            (FailureKind::Panicked(_), None) => "panic".into(),
            (FailureKind::Malformed(_), None) => "malformed".into(),
            _ => "indeterminate".into(),
        }
    }
}

/// Why the rule expects what it does, in one sentence group: its statement, for a derived rule
/// what it is derived from, and its sources.
pub fn because(rule: RuleId) -> String {
    let Some(r) = Catalog::embedded().rule(rule.as_str()) else {
        return String::new();
    };
    let derived = if r.is_derived() {
        format!(" (derived from {})", r.from.join(", "))
    } else {
        String::new()
    };
    format!(
        "Why: {}{derived} [{}]",
        r.statement.trim_end_matches('.'),
        r.sources.join(", ")
    )
}

/// A failure as saved in a trace file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailureSummary {
    /// The failing step, counted from 1.
    pub step: usize,
    /// The rule named first, if any.
    pub rule: Option<String>,
    /// Its level.
    pub level: Option<String>,
    /// Its sources (S-numbers and reference pages).
    pub sources: Vec<String>,
    /// One line.
    pub headline: String,
    /// The other rules the same deviation breaks.
    #[serde(default)]
    pub also_breaks: Vec<String>,
    /// Every violation.
    pub violations: Vec<Violation>,
}

impl From<&Failure> for FailureSummary {
    fn from(f: &Failure) -> Self {
        let rule = f.rule();
        let catalog_rule = rule.and_then(|r| Catalog::embedded().rule(r.as_str()));
        FailureSummary {
            step: f.step + 1,
            rule: rule.map(|r| r.to_string()),
            level: f.level().map(|l| l.to_string()),
            sources: catalog_rule.map(|r| r.sources.clone()).unwrap_or_default(),
            headline: f.headline(),
            also_breaks: f.also_breaks().iter().map(ToString::to_string).collect(),
            violations: match &f.kind {
                FailureKind::Violated(v) => v.clone(),
                _ => Vec::new(),
            },
        }
    }
}
