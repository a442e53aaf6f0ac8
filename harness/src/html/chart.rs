//! Rule coverage per family as a bar chart: one bar per family, one block per rule, coloured by
//! the rule's result, so a family whose rules were never reached or failed stands out. Inline SVG.

use super::rules::{families, Outcome};
use crate::json_report::{Document, RuleDoc};
use maud::{html, Markup};

const UNIT: f64 = 22.0;
const LABEL: f64 = 84.0;
const ROW: f64 = 26.0;

/// One bar: a family, its rules with their outcomes (worst first), and how many of them were
/// reached of how many apply.
type Bar<'a> = (&'a str, Vec<(Outcome, &'a RuleDoc)>, usize, usize);

/// The chart of one report.
pub fn coverage(doc: &Document) -> Markup {
    // Each family's rules, worst first, with how many apply and how many were reached.
    let rows: Vec<Bar<'_>> = families(&doc.coverage.rules)
        .into_iter()
        .map(|(family, members)| {
            let mut rules: Vec<(Outcome, &RuleDoc)> = members
                .into_iter()
                .map(|r| (Outcome::of(doc, r), r))
                .collect();
            rules.sort_by_key(|(o, _)| *o);
            let applicable = rules
                .iter()
                .filter(|(o, _)| *o != Outcome::NotApplicable)
                .count();
            let reached = rules.iter().filter(|(o, _)| o.reached()).count();
            (family, rules, reached, applicable)
        })
        .collect();
    let widest = rows.iter().map(|(_, r, _, _)| r.len()).max().unwrap_or(1);
    let width = LABEL + UNIT * widest as f64 + 150.0;
    let height = ROW * rows.len() as f64 + 8.0;
    html! {
        svg.coverage viewBox={ "0 0 " (width) " " (height) } width=(width) height=(height)
            role="img" aria-label="rule coverage per family" {
            @for (row, (family, rules, reached, applicable)) in rows.iter().enumerate() {
                @let y = 4.0 + ROW * row as f64;
                text.family x=(LABEL - 8.0) y=(y + 15.0) text-anchor="end" { (family) }
                @for (i, (outcome, rule)) in rules.iter().enumerate() {
                    rect class=(outcome.class()) x=(LABEL + UNIT * i as f64) y=(y) width=(UNIT - 2.0)
                        height=(ROW - 6.0) rx="3" {
                        title { (rule.rule) ": " (outcome.label()) " (" (rule.title) ")" }
                    }
                }
                text.count x=(LABEL + UNIT * rules.len() as f64 + 8.0) y=(y + 15.0) {
                    (reached) " of " (applicable) " reached"
                }
            }
        }
    }
}
