//! What became of each rule in a report, in the words of the page, and the rule table grouped by
//! family, each rule's statement and sources one click away.

use crate::coverage::Status;
use crate::json_report::{Document, RuleDoc};
use maud::{html, Markup};
use spoolcheck_specs::Catalog;

/// A rule's result as the page shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// A failure of the run broke it.
    Failed,
    /// Only failures that do not fail the run broke it (a SHOULD rule without `--strict`).
    Warning,
    /// Only known deviations (ledger entries) broke it.
    KnownDeviation,
    /// Never reached, in a run where the implementation declined a kind of call as unsupported.
    Unsupported,
    /// Applicable, but no case reached its check.
    NeverReached,
    /// Its check ran and passed.
    Passed,
    /// It does not apply to the declared choices.
    NotApplicable,
}

impl Outcome {
    /// Every outcome, worst first.
    pub const ALL: [Outcome; 7] = [
        Outcome::Failed,
        Outcome::Warning,
        Outcome::KnownDeviation,
        Outcome::Unsupported,
        Outcome::NeverReached,
        Outcome::Passed,
        Outcome::NotApplicable,
    ];

    /// The rule's outcome in a report.
    pub fn of(doc: &Document, rule: &RuleDoc) -> Outcome {
        match rule.status {
            Status::Violated => {
                let failing = doc
                    .failures
                    .iter()
                    .any(|f| f.fails_run && f.rules.contains(&rule.rule));
                if failing {
                    Outcome::Failed
                } else {
                    Outcome::Warning
                }
            }
            Status::Expected => Outcome::KnownDeviation,
            Status::Exercised => Outcome::Passed,
            Status::NeverReached if !doc.unsupported.is_empty() => Outcome::Unsupported,
            Status::NeverReached => Outcome::NeverReached,
            Status::NotApplicable => Outcome::NotApplicable,
        }
    }

    /// Whether the rule's check ran (passed or not).
    pub fn reached(self) -> bool {
        matches!(
            self,
            Outcome::Failed | Outcome::Warning | Outcome::KnownDeviation | Outcome::Passed
        )
    }

    /// The word on the page.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Failed => "failed",
            Outcome::Warning => "warning",
            Outcome::KnownDeviation => "known deviation",
            Outcome::Unsupported => "unsupported",
            Outcome::NeverReached => "never reached",
            Outcome::Passed => "passed",
            Outcome::NotApplicable => "not applicable",
        }
    }

    /// The CSS class that colours it.
    pub fn class(self) -> &'static str {
        match self {
            Outcome::Failed => "st-failed",
            Outcome::Warning => "st-warning",
            Outcome::KnownDeviation => "st-known",
            Outcome::Unsupported => "st-unsupported",
            Outcome::NeverReached => "st-unreached",
            Outcome::Passed => "st-passed",
            Outcome::NotApplicable => "st-na",
        }
    }

    /// What it means, for the legend.
    pub fn meaning(self) -> &'static str {
        match self {
            Outcome::Failed => "a failure of the run broke the rule",
            Outcome::Warning => {
                "broken, but it does not fail the run (a SHOULD rule without --strict)"
            }
            Outcome::KnownDeviation => "broken only as a deviation listed in the ledger",
            Outcome::Unsupported => {
                "never reached: the implementation declined a kind of call it must support"
            }
            Outcome::NeverReached => "applicable, but no generated case reached its check",
            Outcome::Passed => "its check ran and passed every time",
            Outcome::NotApplicable => "does not apply to the declared choices",
        }
    }
}

/// A status badge.
pub fn badge(outcome: Outcome) -> Markup {
    html! { span class={ "badge " (outcome.class()) } { (outcome.label()) } }
}

/// The legend of the status colours.
pub fn legend() -> Markup {
    html! {
        ul.legend {
            @for o in Outcome::ALL {
                li { (badge(o)) " " (o.meaning()) }
            }
        }
    }
}

/// The families of the catalog's rules, in order of first appearance, each with its rules.
pub fn families(rules: &[RuleDoc]) -> Vec<(&str, Vec<&RuleDoc>)> {
    let mut out: Vec<(&str, Vec<&RuleDoc>)> = Vec::new();
    for r in rules {
        match out.iter_mut().find(|(f, _)| *f == r.family) {
            Some((_, members)) => members.push(r),
            None => out.push((&r.family, vec![r])),
        }
    }
    out
}

/// A rule's ID and title, with its statement, sources and settled ambiguities one click away.
pub fn rule_details(rule: &str, title: &str) -> Markup {
    let catalog = Catalog::embedded();
    let entry = catalog.rule(rule);
    html! {
        details.rule {
            summary { code { (rule) } " " (title) }
            @if let Some(r) = entry {
                p.statement { (r.statement) }
                p.head { "Sources:" }
                ul.sources {
                    @for s in &r.sources {
                        li {
                            code { (s) }
                            @if let Some(reason) = catalog.sentence(s).and_then(|x| x.reason.as_deref()) {
                                " " (reason)
                            } @else if !spoolcheck_specs::is_sentence_ref(s) {
                                " (reference page)"
                            }
                        }
                    }
                }
                @if !r.settles.is_empty() {
                    p.settles {
                        "Settles: "
                        @for (i, id) in r.settles.iter().enumerate() {
                            @if i > 0 { "; " }
                            @match catalog.ambiguity(id) {
                                Some(a) => { b { (id) } " " (a.title) ": " (a.choice) },
                                None => b { (id) },
                            }
                        }
                    }
                }
                @if let Some(note) = &r.note {
                    p.note { (note) }
                }
            }
        }
    }
}

/// The rule table of one report, grouped by family.
pub fn table(doc: &Document, anchor: &str) -> Markup {
    html! {
        table.rules {
            thead {
                tr { th { "rule" } th { "level" } th { "status" } th.num { "checks passed" } }
            }
            @for (family, members) in families(&doc.coverage.rules) {
                tbody {
                    tr.family { th colspan="4" { (family) } }
                    @for r in members {
                        @let outcome = Outcome::of(doc, r);
                        tr id={ (anchor) "-rule-" (r.rule) } {
                            td { (rule_details(&r.rule, &r.title)) }
                            td { span.level { (r.level) } }
                            td {
                                (badge(outcome))
                                @if let Some(why) = &r.not_applicable {
                                    div.why { (why) }
                                }
                            }
                            td.num { (r.exercised) }
                        }
                    }
                }
            }
        }
    }
}
