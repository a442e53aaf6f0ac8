//! The machine-readable report of a run (`spoolcheck run --json FILE`, `--format json`), version 2.
//! docs/report-schema.md documents every field.
//!
//! Everything but `timings` is a pure function of the run's inputs (implementation, choices, seed,
//! cases, maximum length, shard, ledger, thresholds, and the directory traces are written to): the
//! same seed gives a byte-identical document once `timings` is removed. The number of parallel jobs
//! does not change it.
//!
//! Shard reports of one run merge ([`merge`]) into the report of the whole run: counts add up, rule
//! coverage is recomputed, and a ledger entry is stale only if no shard saw it.

use crate::coverage::{Coverage, MinCoverage, Status};
use crate::failure::{level_of, Failure};
use crate::ledger::Ledger;
use crate::report::{trace_table, RunVerdict};
use crate::runner::{BudgetEnd, RunConfig, RunReport};
use crate::shard::Shard;
use serde::{Deserialize, Serialize};
use spoolcheck_model::verdict::Violation;
use spoolcheck_model::{Choices, Op, RuleId};
use spoolcheck_specs::Catalog;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// The `format` field of every report.
pub const FORMAT: &str = "spoolcheck-report";
/// The version this build writes and reads.
pub const VERSION: u32 = 2;

/// What a stale ledger entry does to the verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StalePolicy {
    /// A stale entry fails the run (exit 1).
    #[default]
    Fail,
    /// A stale entry is reported only (for shards: the merged report decides).
    Warn,
}

/// The report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`].
    pub version: u32,
    /// The implementation's name.
    pub implementation: String,
    /// The declared choices.
    pub choices: Choices,
    /// The run's seed.
    pub seed: u64,
    /// Generated cases per search round, before sharding (`--cases`).
    pub cases_per_round: u32,
    /// The longest generated sequence (`--max-len`).
    pub max_len: usize,
    /// Whether SHOULD violations fail the run (`--strict`).
    pub strict: bool,
    /// The shards this report covers: one for a run, all of them for a merged report.
    pub shards: Vec<Shard>,
    /// Cases run (not counting shrinking).
    pub cases: u64,
    /// Operations sent, shrinking included.
    pub steps: u64,
    /// The verdict.
    pub verdict: RunVerdict,
    /// The exit status that goes with it: 0, 1 or 2.
    pub exit_code: u8,
    /// Why the verdict is not `conformant`, one line each.
    pub reasons: Vec<String>,
    /// Rule coverage.
    pub coverage: CoverageDoc,
    /// Failures, minimised, in the order found (expected ones are in `expected`).
    pub failures: Vec<FailureDoc>,
    /// The ledger file, if one was given.
    pub ledger: Option<String>,
    /// What stale ledger entries do: `fail` or `warn`.
    pub stale_policy: StalePolicy,
    /// Ledger entries that occurred: expected failures.
    pub expected: Vec<DeviationDoc>,
    /// Ledger entries that did not occur.
    pub stale: Vec<DeviationDoc>,
    /// Operation kinds the implementation does not implement, with its reason.
    pub unsupported: BTreeMap<String, String>,
    /// Why the run could not go on, if it could not.
    pub harness_error: Option<String>,
    /// What the adapter reports besides verdicts (the MAPI bridge: calls it answered
    /// MAPI_E_NO_SUPPORT, memory the provider left allocated), sorted; informational.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adapter_notes: Vec<String>,
    /// The run's budget (`--max-ops`, `--max-seconds`), when it had one: then `cases`, `steps` and
    /// `coverage` are what it covered within the budget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<BudgetDoc>,
    /// The only part that differs between runs with the same inputs.
    pub timings: Timings,
}

/// A run's budget, and whether it ended the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetDoc {
    /// `--max-ops`: the most operations to send, shrinking included.
    pub max_ops: Option<u64>,
    /// `--max-seconds`.
    pub max_seconds: Option<f64>,
    /// The bound that ended the run with more left to run (`max_ops` or `max_seconds`), or `null`
    /// when the run ended on its own within the budget.
    pub ended_by: Option<String>,
}

impl BudgetDoc {
    /// The budget of a run, if it had one.
    pub fn of(report: &RunReport) -> Option<BudgetDoc> {
        let b = report.budget;
        (b.max_ops.is_some() || b.max_time.is_some()).then(|| BudgetDoc {
            max_ops: b.max_ops,
            max_seconds: b.max_time.map(|t| t.as_secs_f64()),
            ended_by: report.budget_ended.map(|e| {
                match e {
                    BudgetEnd::Ops => "max_ops",
                    BudgetEnd::Time => "max_seconds",
                }
                .to_string()
            }),
        })
    }
}

impl BudgetDoc {
    /// The summary line: the budget, whether it ended the run, and what the run covered.
    fn summary(&self, doc: &Document) -> String {
        budget_summary(
            self,
            doc.cases,
            doc.steps,
            doc.coverage.reached,
            doc.coverage.applicable,
        )
    }
}

/// `budget: --max-ops N (ended the run); covered ...`, for the text reports.
pub(crate) fn budget_summary(
    budget: &BudgetDoc,
    cases: u64,
    steps: u64,
    reached: usize,
    applicable: usize,
) -> String {
    let ended = |name: &str| budget.ended_by.as_deref() == Some(name);
    let mut flags = Vec::new();
    if let Some(n) = budget.max_ops {
        let end = if ended("max_ops") {
            " (ended the run)"
        } else {
            ""
        };
        flags.push(format!("--max-ops {n}{end}"));
    }
    if let Some(s) = budget.max_seconds {
        let end = if ended("max_seconds") {
            " (ended the run)"
        } else {
            ""
        };
        flags.push(format!("--max-seconds {s}{end}"));
    }
    let within = if budget.ended_by.is_none() {
        " (not spent: the run ended on its own)"
    } else {
        ""
    };
    format!(
        "budget: {}{within}; covered {cases} cases, {steps} steps, {reached} of {applicable} applicable rules reached",
        flags.join(", ")
    )
}

/// Wall-clock times.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timings {
    /// Milliseconds the run took (for a merged report: the sum over the shards).
    pub elapsed_ms: u64,
}

/// Rule coverage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageDoc {
    /// The threshold (`all` or a percentage), if one was set.
    pub min: Option<MinCoverage>,
    /// Whether the threshold is met (true without one).
    pub met: bool,
    /// Rules that apply to the declared choices.
    pub applicable: usize,
    /// Applicable rules whose check ran (passed or not).
    pub reached: usize,
    /// Applicable rules that were never reached, in catalog order.
    pub never_reached: Vec<String>,
    /// Every rule, in catalog order.
    pub rules: Vec<RuleDoc>,
}

/// One rule's coverage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDoc {
    /// The rule ID.
    pub rule: String,
    /// Its family (the ID without the number), e.g. `SUBMIT`.
    pub family: String,
    /// Its title.
    pub title: String,
    /// MUST, SHOULD, MAY or INFO.
    pub level: String,
    /// violated, expected, exercised, never-reached or not-applicable.
    pub status: Status,
    /// Passing steps at which its check ran.
    pub exercised: u64,
    /// Why it does not apply, if it does not.
    pub not_applicable: Option<String>,
}

/// One failure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailureDoc {
    /// The headline rule: the one governing the first observable difference (none for a panic, a
    /// hang or a nonsense answer).
    pub rule: Option<String>,
    /// Every rule the deviation breaks, the headline rule first.
    pub rules: Vec<String>,
    /// The other rules the same deviation breaks (`rules` without the headline rule).
    pub also_breaks: Vec<String>,
    /// For a derived headline rule, what it is derived from.
    pub derived_from: Vec<String>,
    /// The strictest level among them.
    pub level: Option<String>,
    /// Whether it fails the run (a SHOULD violation without `--strict` is a warning).
    pub fails_run: bool,
    /// The rule's sources (S-numbers and reference pages).
    pub sources: Vec<String>,
    /// The failing step, counted from 1.
    pub step: usize,
    /// One line.
    pub headline: String,
    /// Every violation at the failing step.
    pub violations: Vec<Violation>,
    /// The seed of the run that found it.
    pub seed: u64,
    /// The trace file it was saved to, if it was.
    pub trace_file: Option<String>,
    /// The minimal operation sequence.
    pub ops: Vec<Op>,
    /// The minimal trace with the implementation's answers, as an aligned table.
    pub trace: String,
    /// A shorter trace that failed the same way while shrinking but not when run again, kept
    /// beside the one first found (`ops` and `trace` above).
    pub unconfirmed_minimal: Option<Vec<Op>>,
    /// Run once more, the trace did not fail again: the implementation's answers vary.
    pub unrepeatable: bool,
    /// The bundled reference provider fails this trace too (its headline): the verdict is the
    /// suite's fault, and the run a harness error.
    pub reference_fails: Option<String>,
}

/// One ledger entry and how often it occurred.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviationDoc {
    /// The rule.
    pub rule: String,
    /// Why it is known and accepted.
    pub reason: String,
    /// The text a violation must contain, if the entry has one.
    pub signature: Option<String>,
    /// Where it is tracked.
    pub link: Option<String>,
    /// The line of its entry in the ledger file (0 if not from a file).
    pub line: usize,
    /// Cases in which it occurred.
    pub cases: u64,
    /// The first occurrence, as a headline.
    pub example: Option<String>,
}

/// What a report is built from besides the run itself.
#[derive(Clone, Copy, Debug)]
pub struct Options<'a> {
    /// The run's configuration.
    pub config: &'a RunConfig,
    /// Whether SHOULD violations fail the run.
    pub strict: bool,
    /// The ledger whose entries came first in `config.expected`.
    pub ledger: Option<&'a Ledger>,
    /// The coverage threshold.
    pub min_coverage: Option<MinCoverage>,
    /// What stale entries do.
    pub stale: StalePolicy,
    /// The trace file of each failure, in order.
    pub saved: &'a [Option<PathBuf>],
}

impl FailureDoc {
    /// The document of a failure.
    pub fn of(f: &Failure, strict: bool, saved: Option<&Path>) -> FailureDoc {
        let summary = crate::failure::FailureSummary::from(f);
        let derived_from = f
            .rule()
            .and_then(|r| Catalog::embedded().rule(r.as_str()))
            .map(|r| r.from.clone())
            .unwrap_or_default();
        FailureDoc {
            rule: summary.rule,
            rules: f.rules().iter().map(ToString::to_string).collect(),
            also_breaks: summary.also_breaks,
            derived_from,
            level: summary.level,
            fails_run: f.fails_run(strict),
            sources: summary.sources,
            step: summary.step,
            headline: summary.headline,
            violations: summary.violations,
            seed: f.seed,
            trace_file: saved.map(|p| p.display().to_string()),
            ops: f.ops.clone(),
            trace: trace_table(&f.ops, &f.observed),
            unconfirmed_minimal: f.shrunk.as_ref().map(|s| s.ops.clone()),
            unrepeatable: f.unrepeatable,
            reference_fails: f.reference_fails.clone(),
        }
    }
}

impl Document {
    /// The report of a run.
    pub fn build(report: &RunReport, options: &Options<'_>) -> Document {
        let catalog = Catalog::embedded();
        let coverage = Coverage::of(report);
        let rules = coverage
            .rules
            .iter()
            .map(|r| {
                let entry = catalog.rule(r.rule.as_str());
                RuleDoc {
                    rule: r.rule.to_string(),
                    family: family(r.rule),
                    title: entry.map(|e| e.title.clone()).unwrap_or_default(),
                    level: level_of(r.rule).to_string(),
                    status: r.status(),
                    exercised: r.exercised,
                    not_applicable: r.not_applicable.map(String::from),
                }
            })
            .collect();
        let deviations = options.ledger.map_or(&[][..], |l| &l.deviations[..]);
        let entries = report
            .expected
            .iter()
            .enumerate()
            .map(|(i, hits)| {
                let d = deviations.get(i);
                DeviationDoc {
                    rule: hits.expected.rule.to_string(),
                    reason: d
                        .map_or_else(|| "tolerated by the caller".into(), |d| d.reason.clone()),
                    signature: hits.expected.signature.clone(),
                    link: d.and_then(|d| d.link.clone()),
                    line: d.map_or(0, |d| d.line),
                    cases: hits.cases,
                    example: hits.first.as_ref().map(Failure::headline),
                }
            })
            .collect();
        let mut doc = Document {
            format: FORMAT.into(),
            version: VERSION,
            implementation: report.implementation.clone(),
            choices: report.choices.clone(),
            seed: options.config.seed,
            cases_per_round: options.config.cases,
            max_len: options.config.max_len,
            strict: options.strict,
            shards: vec![report.shard],
            cases: report.cases,
            steps: report.steps,
            verdict: RunVerdict::Conformant,
            exit_code: 0,
            reasons: Vec::new(),
            coverage: CoverageDoc {
                min: options.min_coverage,
                met: true,
                applicable: 0,
                reached: 0,
                never_reached: Vec::new(),
                rules,
            },
            failures: report
                .failures
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    FailureDoc::of(
                        f,
                        options.strict,
                        options.saved.get(i).and_then(|p| p.as_deref()),
                    )
                })
                .collect(),
            ledger: options
                .ledger
                .and_then(|l| l.path.as_ref())
                .map(|p| p.display().to_string()),
            stale_policy: options.stale,
            expected: Vec::new(),
            stale: Vec::new(),
            unsupported: report
                .unsupported
                .iter()
                .map(|(k, why)| (format!("{k:?}"), why.clone()))
                .collect(),
            harness_error: report.harness_error.as_ref().map(ToString::to_string),
            adapter_notes: Vec::new(),
            budget: BudgetDoc::of(report),
            timings: Timings {
                elapsed_ms: u64::try_from(report.elapsed.as_millis()).unwrap_or(u64::MAX),
            },
        };
        doc.finish(entries);
        doc
    }

    /// Fills in what follows from the rest: coverage totals, expected and stale entries, verdict.
    fn finish(&mut self, entries: Vec<DeviationDoc>) {
        let applicable: Vec<&RuleDoc> = self
            .coverage
            .rules
            .iter()
            .filter(|r| r.status != Status::NotApplicable)
            .collect();
        self.coverage.applicable = applicable.len();
        self.coverage.reached = applicable.iter().filter(|r| r.status.reached()).count();
        self.coverage.never_reached = applicable
            .iter()
            .filter(|r| r.status == Status::NeverReached)
            .map(|r| r.rule.clone())
            .collect();
        self.coverage.met = self
            .coverage
            .min
            .is_none_or(|m| m.met(self.coverage.reached, self.coverage.applicable));
        let (expected, stale): (Vec<_>, Vec<_>) = entries.into_iter().partition(|e| e.cases > 0);
        self.expected = expected;
        self.stale = stale;
        let mut reasons = Vec::new();
        if let Some(e) = &self.harness_error {
            reasons.push(format!("harness error: {e}"));
        }
        let suite_faults: Vec<&FailureDoc> = self
            .failures
            .iter()
            .filter(|f| f.reference_fails.is_some())
            .collect();
        for f in &suite_faults {
            reasons.push(format!(
                "harness error: the bundled reference provider fails the trace of {} too ({}): the suite is at fault there, not the implementation",
                f.rule.as_deref().unwrap_or("a failure"),
                f.reference_fails.as_deref().unwrap_or_default()
            ));
        }
        let failing: Vec<&FailureDoc> = self.failures.iter().filter(|f| f.fails_run).collect();
        if !failing.is_empty() {
            reasons.push(format!(
                "{} failure(s): {}",
                failing.len(),
                failing
                    .iter()
                    .map(|f| f.rule.clone().unwrap_or_else(|| "no rule".into()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !self.unsupported.is_empty() {
            // Every call the suite makes is one a store that sends mail must support: declining
            // one is not conformance (as `RunVerdict::of` says).
            reasons.push(format!(
                "{} kind(s) of call declined as unsupported: {}",
                self.unsupported.len(),
                self.unsupported
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !self.stale.is_empty() && self.stale_policy == StalePolicy::Fail {
            reasons.push(format!(
                "{} stale ledger entr{} (listed deviations that did not occur): {}",
                self.stale.len(),
                if self.stale.len() == 1 { "y" } else { "ies" },
                self.stale
                    .iter()
                    .map(|d| format!("{} (line {})", d.rule, d.line))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !self.coverage.met {
            reasons.push(format!(
                "coverage: {} of {} applicable rules reached, below the minimum {}; never reached: {}",
                self.coverage.reached,
                self.coverage.applicable,
                self.coverage.min.map(|m| m.to_string()).unwrap_or_default(),
                self.coverage.never_reached.join(", ")
            ));
        }
        self.verdict = if self.harness_error.is_some() || !suite_faults.is_empty() {
            RunVerdict::HarnessError
        } else if reasons.is_empty() {
            RunVerdict::Conformant
        } else {
            RunVerdict::NotConformant
        };
        self.exit_code = self.verdict.exit_code();
        self.reasons = reasons;
    }

    /// Every ledger entry, expected and stale, in ledger order.
    fn entries(&self) -> Vec<DeviationDoc> {
        let mut all: Vec<DeviationDoc> = self.expected.iter().chain(&self.stale).cloned().collect();
        all.sort_by_key(|d| d.line);
        all
    }

    /// The document as pretty JSON, ending in a newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serialises") + "\n"
    }

    /// Parses a report; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Document, ReportError> {
        #[derive(Deserialize)]
        struct Header {
            format: Option<String>,
            version: Option<u32>,
        }
        let malformed = |e: serde_json::Error| ReportError::Malformed {
            path: path.into(),
            line: e.line(),
            column: e.column(),
            message: without_position(&e),
        };
        let header: Header = serde_json::from_str(text).map_err(malformed)?;
        if header.format.as_deref() != Some(FORMAT) || header.version != Some(VERSION) {
            return Err(ReportError::Version {
                path: path.into(),
                format: header.format.unwrap_or_else(|| "(none)".into()),
                version: header.version.unwrap_or(0),
            });
        }
        serde_json::from_str(text).map_err(malformed)
    }

    /// Reads a report file.
    pub fn load(path: &Path) -> Result<Document, ReportError> {
        let text = std::fs::read_to_string(path).map_err(|source| ReportError::Io {
            path: path.into(),
            source,
        })?;
        Document::parse(&text, path)
    }

    /// The closing summary, as text.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "implementation: {}", self.implementation);
        let shards: Vec<String> = self.shards.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            out,
            "seed {}, {} cases per round, shard {}: {} cases, {} steps",
            self.seed,
            self.cases_per_round,
            shards.join("+"),
            self.cases,
            self.steps
        );
        let _ = writeln!(
            out,
            "time: {:.1} s",
            self.timings.elapsed_ms as f64 / 1000.0
        );
        let not_applicable = self.coverage.rules.len() - self.coverage.applicable;
        let _ = writeln!(
            out,
            "rules: {} of {} applicable rules reached ({not_applicable} not applicable to the declared choices){}",
            self.coverage.reached,
            self.coverage.applicable,
            match self.coverage.min {
                Some(m) if self.coverage.met => format!("; minimum {m} met"),
                Some(m) => format!("; minimum {m} NOT met"),
                None => String::new(),
            }
        );
        if !self.coverage.never_reached.is_empty() {
            let _ = writeln!(
                out,
                "never reached: {}",
                self.coverage.never_reached.join(", ")
            );
        }
        if let Some(b) = &self.budget {
            let _ = writeln!(out, "{}", b.summary(self));
        }
        let ledger = self.ledger.as_deref().unwrap_or("ledger");
        for d in &self.expected {
            let _ = writeln!(
                out,
                "expected: {}{} in {} case(s) ({ledger}:{}: {})",
                d.rule,
                d.signature
                    .as_deref()
                    .map(|s| format!(" [{s}]"))
                    .unwrap_or_default(),
                d.cases,
                d.line,
                d.reason
            );
        }
        for d in &self.stale {
            let _ = writeln!(
                out,
                "{} {}{} ({ledger}:{}): listed as a known deviation but did not occur; remove the entry or run `spoolcheck ledger update`",
                if self.stale_policy == StalePolicy::Fail { "STALE" } else { "stale (warning)" },
                d.rule,
                d.signature
                    .as_deref()
                    .map(|s| format!(" [{s}]"))
                    .unwrap_or_default(),
                d.line
            );
        }
        for (kind, why) in &self.unsupported {
            let _ = writeln!(out, "unsupported: {kind} ({why})");
        }
        if let Some(e) = &self.harness_error {
            let _ = writeln!(out, "harness error: {e}");
        }
        let failing = self.failures.iter().filter(|f| f.fails_run).count();
        let warnings = self.failures.len() - failing;
        let word = match self.verdict {
            RunVerdict::Conformant => "CONFORMANT",
            RunVerdict::NotConformant => "NOT CONFORMANT",
            RunVerdict::HarnessError => "HARNESS ERROR",
        };
        let mut extra = Vec::new();
        if !self.expected.is_empty() {
            extra.push(format!("{} expected deviation(s)", self.expected.len()));
        }
        if !self.stale.is_empty() {
            extra.push(format!("{} stale ledger entr(ies)", self.stale.len()));
        }
        if !self.coverage.met {
            extra.push("coverage below the minimum".into());
        }
        let strictness = if self.strict {
            " (strict: SHOULD violations fail the run)".to_string()
        } else if warnings > 0 {
            format!(
                " ({warnings} SHOULD violation(s): warnings that do not fail the run; --strict fails on them)"
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{word}: {failing} failure(s), {warnings} warning(s){}{strictness}",
            extra.iter().map(|e| format!(", {e}")).collect::<String>(),
        );
        out
    }
}

/// A rule's family: its ID without the number.
pub fn family(rule: RuleId) -> String {
    let id = rule.as_str();
    id.rsplit_once('-').map_or(id, |(f, _)| f).to_string()
}

fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Why reports could not be read or merged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not valid JSON of this format; names the line, column and field.
    #[error("{path}:{line}:{column}: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// Line (1-based).
        line: usize,
        /// Column (1-based).
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// Another format or version.
    #[error("{path}: this is not a {FORMAT} version {VERSION} file (format `{format}`, version {version}); write it with `spoolcheck run --json` of this version")]
    Version {
        /// The file.
        path: PathBuf,
        /// Its format.
        format: String,
        /// Its version.
        version: u32,
    },
    /// Two reports of different runs.
    #[error("{path}: `{field}` differs from {first}; merge only the shards of one run (same implementation, choices, seed, cases, max-len, strictness and ledger)")]
    Mismatch {
        /// The report that differs.
        path: PathBuf,
        /// The field.
        field: &'static str,
        /// The first report.
        first: PathBuf,
    },
    /// The shards do not make up a whole run.
    #[error("{0}")]
    Shards(String),
    /// Nothing to merge.
    #[error("no reports to merge: name the JSON reports of every shard")]
    Empty,
}

/// Merges the reports of the shards of one run into the report of the whole run, with the given
/// threshold and stale-entry policy.
pub fn merge(
    reports: &[(PathBuf, Document)],
    min_coverage: Option<MinCoverage>,
    stale: StalePolicy,
) -> Result<Document, ReportError> {
    let Some((first_path, first)) = reports.first() else {
        return Err(ReportError::Empty);
    };
    let mut merged = first.clone();
    merged.shards.clear();
    merged.cases = 0;
    merged.steps = 0;
    merged.failures.clear();
    merged.unsupported.clear();
    merged.timings = Timings::default();
    let mut entries: Vec<DeviationDoc> = first
        .entries()
        .into_iter()
        .map(|d| DeviationDoc {
            cases: 0,
            example: None,
            ..d
        })
        .collect();
    let mut exercised: BTreeMap<String, (u64, bool, bool)> = BTreeMap::new();
    let mut errors = Vec::new();
    let key = |d: &DeviationDoc| (d.rule.clone(), d.signature.clone(), d.line);
    for (path, doc) in reports {
        let mismatch = |field| ReportError::Mismatch {
            path: path.clone(),
            field,
            first: first_path.clone(),
        };
        if doc.implementation != first.implementation {
            return Err(mismatch("implementation"));
        }
        if doc.choices != first.choices {
            return Err(mismatch("choices"));
        }
        if doc.seed != first.seed {
            return Err(mismatch("seed"));
        }
        if doc.cases_per_round != first.cases_per_round {
            return Err(mismatch("cases_per_round"));
        }
        if doc.max_len != first.max_len {
            return Err(mismatch("max_len"));
        }
        if doc.strict != first.strict {
            return Err(mismatch("strict"));
        }
        let doc_entries = doc.entries();
        if doc_entries.iter().map(key).collect::<Vec<_>>()
            != entries.iter().map(key).collect::<Vec<_>>()
        {
            return Err(mismatch("ledger"));
        }
        for shard in &doc.shards {
            if merged.shards.contains(shard) {
                return Err(ReportError::Shards(format!(
                    "{}: shard {shard} is already in another report; each shard must appear once",
                    path.display()
                )));
            }
            merged.shards.push(*shard);
        }
        merged.cases += doc.cases;
        merged.steps += doc.steps;
        merged.failures.extend(doc.failures.iter().cloned());
        merged
            .unsupported
            .extend(doc.unsupported.iter().map(|(k, v)| (k.clone(), v.clone())));
        merged.timings.elapsed_ms += doc.timings.elapsed_ms;
        merged
            .adapter_notes
            .extend(doc.adapter_notes.iter().cloned());
        // A shard the budget ended ended the merged run short too.
        if let (Some(total), Some(b)) = (&mut merged.budget, &doc.budget) {
            if total.ended_by.is_none() {
                total.ended_by.clone_from(&b.ended_by);
            }
        }
        if let Some(e) = &doc.harness_error {
            errors.push(format!("{}: {e}", path.display()));
        }
        for (total, d) in entries.iter_mut().zip(doc_entries) {
            total.cases += d.cases;
            if total.example.is_none() {
                total.example = d.example;
            }
        }
        for r in &doc.coverage.rules {
            let e = exercised.entry(r.rule.clone()).or_default();
            e.0 += r.exercised;
            e.1 |= r.status == Status::Violated;
            e.2 |= r.status == Status::Expected;
        }
    }
    merged.shards.sort_by_key(|s| (s.count, s.index));
    let count = merged.shards[0].count;
    if merged.shards.iter().any(|s| s.count != count) {
        let listed: Vec<String> = merged.shards.iter().map(ToString::to_string).collect();
        return Err(ReportError::Shards(format!(
            "the reports split the run differently ({}); merge the shards of one --shard K/N split",
            listed.join(", ")
        )));
    }
    let missing: Vec<String> = (1..=count)
        .filter(|&k| !merged.shards.iter().any(|s| s.index == k))
        .map(|k| format!("{k}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(ReportError::Shards(format!(
            "shard {} missing: pass the report of every shard",
            missing.join(", ")
        )));
    }
    for r in &mut merged.coverage.rules {
        if r.status == Status::NotApplicable {
            continue;
        }
        let (n, violated, expected) = exercised.get(&r.rule).copied().unwrap_or_default();
        r.exercised = n;
        r.status = Status::of(n, violated, expected);
    }
    merged.harness_error = (!errors.is_empty()).then(|| errors.join("; "));
    merged.adapter_notes.sort();
    merged.adapter_notes.dedup();
    merged.coverage.min = min_coverage;
    merged.stale_policy = stale;
    merged.finish(entries);
    Ok(merged)
}
