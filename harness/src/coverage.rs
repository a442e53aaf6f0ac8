//! Rule coverage: for each rule, how often its check ran at a step the implementation passed,
//! whether it was violated (or broken as a known deviation), and which applicable rules the run
//! never reached. `--min-coverage` turns "never reached" into a failing run.

use crate::applicability::not_applicable;
use crate::runner::RunReport;
use serde::{Deserialize, Serialize};
use spoolcheck_model::{Choices, RuleId};
use std::fmt;
use std::str::FromStr;

/// What became of one rule in a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// A failure of the run broke it.
    Violated,
    /// Only known deviations (ledger entries) broke it.
    Expected,
    /// Its check ran and passed.
    Exercised,
    /// It applies, but no generated case reached its check.
    NeverReached,
    /// It does not apply to the declared choices.
    NotApplicable,
}

impl Status {
    /// The status of an applicable rule from its counts.
    pub fn of(exercised: u64, violated: bool, expected: bool) -> Status {
        if violated {
            Status::Violated
        } else if expected {
            Status::Expected
        } else if exercised > 0 {
            Status::Exercised
        } else {
            Status::NeverReached
        }
    }

    /// Whether the rule's check ran at all (passed or not).
    pub fn reached(self) -> bool {
        matches!(
            self,
            Status::Violated | Status::Expected | Status::Exercised
        )
    }

    /// The kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Violated => "violated",
            Status::Expected => "expected",
            Status::Exercised => "exercised",
            Status::NeverReached => "never-reached",
            Status::NotApplicable => "not-applicable",
        }
    }
}

/// One rule's coverage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleCoverage {
    /// The rule.
    pub rule: RuleId,
    /// Why it does not apply, if it does not.
    pub not_applicable: Option<&'static str>,
    /// Passing steps at which its check ran.
    pub exercised: u64,
    /// A failure of the run broke it.
    pub violated: bool,
    /// A known deviation broke it.
    pub expected: bool,
}

impl RuleCoverage {
    /// Its status.
    pub fn status(&self) -> Status {
        if self.not_applicable.is_some() {
            Status::NotApplicable
        } else {
            Status::of(self.exercised, self.violated, self.expected)
        }
    }
}

/// The coverage of every rule, in catalog order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coverage {
    /// Every rule the model checks.
    pub rules: Vec<RuleCoverage>,
}

impl Coverage {
    /// The coverage of a run.
    pub fn of(report: &RunReport) -> Coverage {
        Coverage::of_parts(
            &report.choices,
            |r| report.exercised.get(&r).copied().unwrap_or(0),
            |r| report.failures.iter().any(|f| f.rules().contains(&r)),
            |r| {
                report
                    .expected
                    .iter()
                    .any(|h| h.cases > 0 && h.expected.rule == r)
            },
        )
    }

    /// The coverage from counts.
    pub fn of_parts(
        choices: &Choices,
        exercised: impl Fn(RuleId) -> u64,
        violated: impl Fn(RuleId) -> bool,
        expected: impl Fn(RuleId) -> bool,
    ) -> Coverage {
        Coverage {
            rules: RuleId::ALL
                .iter()
                .map(|&rule| RuleCoverage {
                    rule,
                    not_applicable: not_applicable(rule, choices),
                    exercised: exercised(rule),
                    violated: violated(rule),
                    expected: expected(rule),
                })
                .collect(),
        }
    }

    /// The applicable rules.
    pub fn applicable(&self) -> impl Iterator<Item = &RuleCoverage> {
        self.rules.iter().filter(|r| r.not_applicable.is_none())
    }

    /// The applicable rules whose check never ran.
    pub fn never_reached(&self) -> Vec<RuleId> {
        self.applicable()
            .filter(|r| r.status() == Status::NeverReached)
            .map(|r| r.rule)
            .collect()
    }

    /// How many applicable rules were reached, and how many apply.
    pub fn reached(&self) -> (usize, usize) {
        let applicable = self.applicable().count();
        let reached = self.applicable().filter(|r| r.status().reached()).count();
        (reached, applicable)
    }
}

/// A coverage threshold (`--min-coverage`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum MinCoverage {
    /// Every applicable rule must be reached.
    All,
    /// At least this percentage of the applicable rules must be reached (0..=100).
    Percent(u8),
}

/// Why a coverage threshold could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MinCoverageError {
    /// Neither `all` nor a percentage.
    #[error("`{0}` is not a coverage threshold: write `all` (every applicable rule reached) or a percentage of the applicable rules from 0 to 100, e.g. 90 or 90%")]
    Invalid(String),
}

impl MinCoverage {
    /// Whether `reached` of `applicable` rules meets the threshold.
    pub fn met(self, reached: usize, applicable: usize) -> bool {
        match self {
            MinCoverage::All => reached >= applicable,
            MinCoverage::Percent(p) => reached * 100 >= usize::from(p) * applicable,
        }
    }
}

impl FromStr for MinCoverage {
    type Err = MinCoverageError;

    fn from_str(text: &str) -> Result<MinCoverage, MinCoverageError> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("all") {
            return Ok(MinCoverage::All);
        }
        match t.trim_end_matches('%').trim().parse::<u8>() {
            Ok(100) => Ok(MinCoverage::All),
            Ok(p) if p < 100 => Ok(MinCoverage::Percent(p)),
            _ => Err(MinCoverageError::Invalid(text.into())),
        }
    }
}

impl fmt::Display for MinCoverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MinCoverage::All => f.write_str("all"),
            MinCoverage::Percent(p) => write!(f, "{p}%"),
        }
    }
}

impl From<MinCoverage> for String {
    fn from(m: MinCoverage) -> String {
        m.to_string()
    }
}

impl TryFrom<String> for MinCoverage {
    type Error = MinCoverageError;

    fn try_from(s: String) -> Result<MinCoverage, MinCoverageError> {
        s.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_parse_and_apply() {
        assert_eq!("all".parse(), Ok(MinCoverage::All));
        assert_eq!("100%".parse(), Ok(MinCoverage::All));
        assert_eq!("90".parse(), Ok(MinCoverage::Percent(90)));
        assert_eq!(" 90% ".parse(), Ok(MinCoverage::Percent(90)));
        assert!("101".parse::<MinCoverage>().is_err());
        assert!("most".parse::<MinCoverage>().is_err());
        assert!(MinCoverage::All.met(5, 5) && !MinCoverage::All.met(4, 5));
        assert!(MinCoverage::Percent(80).met(4, 5) && !MinCoverage::Percent(81).met(4, 5));
        assert!(MinCoverage::Percent(0).met(0, 5));
    }

    #[test]
    fn an_empty_run_reaches_nothing_applicable() {
        let report = RunReport::default();
        let coverage = Coverage::of(&report);
        let (reached, applicable) = coverage.reached();
        assert_eq!(reached, 0);
        assert_eq!(coverage.never_reached().len(), applicable);
        assert!(coverage
            .rules
            .iter()
            .any(|r| r.status() == Status::NotApplicable));
    }
}
