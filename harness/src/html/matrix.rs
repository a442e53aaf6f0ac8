//! Several reports side by side: a rule × implementation matrix, as wpt.fyi shows browsers. The
//! rules whose results differ between the reports come first; each failed cell links to the
//! failure that broke the rule.

use super::failures;
use super::rules::{rule_details, Outcome};
use super::Entry;
use maud::{html, Markup};

/// One row: a rule and its result in each report (`None` where a report does not know the rule).
struct Row<'a> {
    rule: &'a str,
    title: &'a str,
    level: &'a str,
    cells: Vec<Option<(Outcome, u64)>>,
}

impl Row<'_> {
    fn differs(&self) -> bool {
        let first = self.cells[0].map(|(o, _)| o);
        self.cells.iter().any(|c| c.map(|(o, _)| o) != first)
    }

    /// Its worst result in any report (see [`Outcome::ALL`]).
    fn worst(&self) -> Outcome {
        self.cells
            .iter()
            .flatten()
            .map(|(o, _)| *o)
            .min()
            .unwrap_or(Outcome::NotApplicable)
    }
}

/// The rows whose results differ, the worst first (failures, then warnings, known deviations,
/// unsupported, never reached), in catalog order among equals.
fn differing<'r, 'a>(rows: &'r [Row<'a>]) -> Vec<&'r Row<'a>> {
    let mut differ: Vec<&Row<'_>> = rows.iter().filter(|r| r.differs()).collect();
    differ.sort_by_key(|r| r.worst());
    differ
}

fn rows(entries: &[Entry]) -> Vec<Row<'_>> {
    let mut rows: Vec<Row<'_>> = Vec::new();
    for e in entries {
        for r in &e.doc.coverage.rules {
            if !rows.iter().any(|row| row.rule == r.rule) {
                rows.push(Row {
                    rule: &r.rule,
                    title: &r.title,
                    level: &r.level,
                    cells: Vec::new(),
                });
            }
        }
    }
    for row in &mut rows {
        row.cells = entries
            .iter()
            .map(|e| {
                e.doc
                    .coverage
                    .rules
                    .iter()
                    .find(|r| r.rule == row.rule)
                    .map(|r| (Outcome::of(&e.doc, r), r.exercised))
            })
            .collect();
    }
    rows
}

/// The rules whose results differ between the reports, the worst first.
pub fn differences(entries: &[Entry]) -> Vec<String> {
    differing(&rows(entries))
        .into_iter()
        .map(|r| r.rule.to_string())
        .collect()
}

/// The matrix; `anchors` are the reports' anchors on the page, in order.
pub fn matrix(entries: &[Entry], anchors: &[String]) -> Markup {
    let all = rows(entries);
    let differ = differing(&all);
    let same: Vec<&Row<'_>> = all.iter().filter(|r| !r.differs()).collect();
    let columns = entries.len() + 2;
    html! {
        div.scroll {
            table.matrix {
                thead {
                    tr {
                        th { "rule" }
                        th { "level" }
                        @for (e, a) in entries.iter().zip(anchors) {
                            th.impl { a href={ "#" (a) } { (e.label) } }
                        }
                    }
                    tr.verdicts {
                        th colspan="2" { "verdict" }
                        @for e in entries {
                            @let word = super::verdict_word(&e.doc);
                            th { span class={ "badge verdict-" (word) } { (word.replace('-', " ")) } }
                        }
                    }
                }
                tbody.differ {
                    tr.group {
                        th colspan=(columns) {
                            @if differ.is_empty() {
                                "No rule has a different result in another report."
                            } @else {
                                (differ.len()) " rule" @if differ.len() != 1 { "s" } " with different results"
                            }
                        }
                    }
                    @for row in &differ { (line(row, entries, anchors)) }
                }
                tbody.same {
                    tr.group {
                        th colspan=(columns) {
                            (same.len()) " rule" @if same.len() != 1 { "s" } " with the same result in every report"
                        }
                    }
                    @for row in &same { (line(row, entries, anchors)) }
                }
            }
        }
    }
}

fn line(row: &Row<'_>, entries: &[Entry], anchors: &[String]) -> Markup {
    html! {
        tr {
            td { (rule_details(row.rule, row.title)) }
            td { span.level { (row.level) } }
            @for ((cell, e), a) in row.cells.iter().zip(entries).zip(anchors) {
                @match cell {
                    Some((outcome, exercised)) => {
                        @let failure = e.doc.failures.iter().position(|f| f.rules.iter().any(|r| r == row.rule));
                        td class={ "cell " (outcome.class()) } {
                            @match failure {
                                Some(i) if matches!(outcome, Outcome::Failed | Outcome::Warning) => {
                                    a href={ "#" (failures::anchor(a, i)) } { (outcome.label()) }
                                }
                                _ => { (outcome.label()) }
                            }
                            @if *exercised > 0 { span.count { (exercised) } }
                        }
                    }
                    None => td.cell { "—" }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::html::rules::badge;

    #[test]
    fn a_cell_shows_its_outcome() {
        assert_eq!(
            badge(Outcome::Passed).into_string(),
            "<span class=\"badge st-passed\">passed</span>"
        );
    }
}
