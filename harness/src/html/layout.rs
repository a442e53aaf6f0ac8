//! The page around the parts: the head with its style sheet (no external fonts, no scripts), the
//! contents, each report's summary, and the side-by-side overview of several reports.

use super::rules::{self, Outcome};
use super::{chart, failures, matrix, verdict_word, Entry};
use crate::choicefile;
use crate::json_report::Document;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use std::path::Path;

/// The style sheet: system fonts, status colours, print-friendly.
const CSS: &str = include_str!("style.css");

fn verdict(doc: &Document) -> Markup {
    let word = verdict_word(doc);
    html! { span class={ "badge verdict verdict-" (word) } { (word.replace('-', " ")) } }
}

/// The declared choices as `key = value` lines, in the order of a choices file, the keys of the
/// `[tight_coupling]` table written `tight_coupling.handles`.
fn choices(doc: &Document) -> Vec<(String, String)> {
    let Ok(table) = toml::Table::try_from(&doc.choices) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for key in choicefile::KEYS {
        let value = match key.name.split_once('.') {
            Some((t, k)) => table.get(t).and_then(|v| v.get(k)),
            None => table.get(key.name),
        };
        match value {
            Some(toml::Value::Table(_)) => {}
            Some(v) => out.push((key.name.to_string(), v.to_string())),
            None if !key.name.contains('.') => out.push((key.name.to_string(), "none".into())),
            None => {}
        }
    }
    out
}

/// Counts for the summary: failures that fail the run, warnings, and the rules per outcome.
fn counts(doc: &Document) -> (usize, usize, Vec<(Outcome, usize)>) {
    let failing = doc.failures.iter().filter(|f| f.fails_run).count();
    let warnings = doc.failures.len() - failing;
    let per: Vec<(Outcome, usize)> = Outcome::ALL
        .iter()
        .map(|&o| {
            (
                o,
                doc.coverage
                    .rules
                    .iter()
                    .filter(|r| Outcome::of(doc, r) == o)
                    .count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    (failing, warnings, per)
}

/// One report's summary: verdict, implementation, choices, seed, counts.
fn summary(doc: &Document) -> Markup {
    let (failing, warnings, per) = counts(doc);
    let shards: Vec<String> = doc.shards.iter().map(ToString::to_string).collect();
    html! {
        dl.summary {
            dt { "verdict" }
            dd {
                (verdict(doc)) " exit status " (doc.exit_code)
                @if !doc.reasons.is_empty() {
                    ul.reasons { @for r in &doc.reasons { li { (r) } } }
                }
            }
            dt { "implementation" } dd { code { (doc.implementation) } }
            dt { "declared choices" }
            dd {
                ul.choices {
                    @for (k, v) in choices(doc) { li { code { (k) " = " (v) } } }
                }
            }
            dt { "run" }
            dd {
                "seed " code { (doc.seed) } ", " (doc.cases_per_round) " cases per round, sequences up to "
                (doc.max_len) " operations, shard " (shards.join("+"))
                @if doc.strict { ", strict (SHOULD violations fail the run)" }
            }
            dt { "counts" }
            dd {
                (doc.cases) " cases, " (doc.steps) " steps, "
                (failing) " failure" @if failing != 1 { "s" } ", "
                (warnings) " warning" @if warnings != 1 { "s" } ", "
                (doc.expected.len()) " known deviation" @if doc.expected.len() != 1 { "s" } ", "
                (doc.stale.len()) " stale ledger entr" @if doc.stale.len() != 1 { "ies" } @else { "y" }
                "; " (format!("{:.1}", doc.timings.elapsed_ms as f64 / 1000.0)) " s"
            }
            dt { "rules" }
            dd {
                (doc.coverage.reached) " of " (doc.coverage.applicable) " applicable rules reached"
                @if let Some(min) = doc.coverage.min {
                    " (minimum " (min.to_string()) @if doc.coverage.met { ", met" } @else { ", NOT met" } ")"
                }
                ": "
                @for (i, (o, n)) in per.iter().enumerate() {
                    @if i > 0 { " " }
                    span class={ "badge " (o.class()) } { (n) " " (o.label()) }
                }
            }
            @if !doc.unsupported.is_empty() {
                dt { "unsupported" }
                dd {
                    ul { @for (kind, why) in &doc.unsupported { li { code { (kind) } ": " (why) } } }
                }
            }
            @if let Some(ledger) = &doc.ledger {
                dt { "ledger" } dd { code { (ledger) } }
            }
            @if let Some(e) = &doc.harness_error {
                dt { "harness error" } dd.error { (e) }
            }
        }
        @if !doc.expected.is_empty() || !doc.stale.is_empty() {
            table.ledger {
                thead { tr { th { "ledger entry" } th { "rule" } th { "reason" } th.num { "cases" } th { "first seen" } } }
                tbody {
                    @for d in &doc.expected {
                        tr { td { "line " (d.line) } td { code { (d.rule) } } td { (d.reason) } td.num { (d.cases) } td { (d.example.as_deref().unwrap_or("")) } }
                    }
                    @for d in &doc.stale {
                        tr.stale { td { "line " (d.line) " (stale)" } td { code { (d.rule) } } td { (d.reason) } td.num { "0" } td { "did not occur" } }
                    }
                }
            }
        }
    }
}

/// The overview of several reports: one row each.
fn overview(entries: &[Entry], anchors: &[String]) -> Markup {
    html! {
        div.scroll {
            table.overview {
                thead {
                    tr {
                        th { "implementation" } th { "verdict" } th { "declared choices" } th { "seed" }
                        th.num { "cases" } th.num { "failures" } th.num { "warnings" } th.num { "reached" }
                    }
                }
                tbody {
                    @for (e, a) in entries.iter().zip(anchors) {
                        @let (failing, warnings, _) = counts(&e.doc);
                        tr {
                            td { a href={ "#" (a) } { (e.label) } }
                            td { (verdict(&e.doc)) }
                            td.small {
                                @for (i, (k, v)) in choices(&e.doc).iter().enumerate() {
                                    @if i > 0 { ", " }
                                    code { (k) "=" (v) }
                                }
                            }
                            td { (e.doc.seed) }
                            td.num { (e.doc.cases) }
                            td.num { (failing) }
                            td.num { (warnings) }
                            td.num { (e.doc.coverage.reached) "/" (e.doc.coverage.applicable) }
                        }
                    }
                }
            }
        }
    }
}

/// One report's section.
fn report(entry: &Entry, anchor: &str, base: &Path, alone: bool) -> Markup {
    let doc = &entry.doc;
    let n = doc.failures.len();
    html! {
        section.report id=(anchor) {
            h2 { (entry.label) " " (verdict(doc)) }
            (summary(doc))
            h3 { "Coverage per family" }
            p.hint { "One block per rule, worst result first; hover a block for the rule." }
            div.scroll { (chart::coverage(doc)) }
            h3 id={ (anchor) "-failures" } { "Failures (" (n) ")" }
            (failures::section(entry, anchor, base))
            @if alone {
                h3 id={ (anchor) "-rules" } { "Rules" }
                p.hint { "Click a rule for its statement, its sources and the ambiguities it settles." }
                (rules::table(doc, anchor))
            } @else {
                details.rules-of-report {
                    summary { h3 { "Rules of " (entry.label) } }
                    (rules::table(doc, anchor))
                }
            }
        }
    }
}

/// The whole page; `base` is the directory the page is written to.
pub fn page(entries: &[Entry], base: &Path) -> Markup {
    let anchors: Vec<String> = (1..=entries.len()).map(|i| format!("r{i}")).collect();
    let alone = entries.len() == 1;
    let title = match entries {
        [one] => format!(
            "spoolcheck: {}: {}",
            one.label,
            verdict_word(&one.doc).replace('-', " ")
        ),
        many => format!("spoolcheck: {} reports side by side", many.len()),
    };
    let differences = matrix::differences(entries);
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content={ "spoolcheck " (env!("CARGO_PKG_VERSION")) };
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header.page {
                    h1 { "spoolcheck" span.sub { " conformance report" } }
                    p.lead {
                        @if alone {
                            "The suite for MAPI message store providers that send mail, against "
                            code { (entries[0].label) } "."
                        } @else {
                            (entries.len()) " reports side by side; "
                            (differences.len()) " rule" @if differences.len() != 1 { "s" }
                            " with different results, listed first."
                        }
                    }
                    nav.contents {
                        @if !alone {
                            a href="#overview" { "Overview" }
                            a href="#matrix" { "Rules × implementations" }
                        }
                        @for (e, a) in entries.iter().zip(&anchors) {
                            a href={ "#" (a) } { (e.label) }
                            @if alone {
                                a href={ "#" (a) "-failures" } { "Failures" }
                                a href={ "#" (a) "-rules" } { "Rules" }
                            }
                        }
                        a href="#legend" { "Legend" }
                    }
                }
                main {
                    @if !alone {
                        section id="overview" {
                            h2 { "Overview" }
                            (overview(entries, &anchors))
                        }
                        section id="matrix" {
                            h2 { "Rules × implementations" }
                            p.hint { "Rules whose results differ come first, the worst first. A failed cell links to its failure." }
                            (matrix::matrix(entries, &anchors))
                        }
                    }
                    @for (e, a) in entries.iter().zip(&anchors) {
                        (report(e, a, base, alone))
                    }
                    section id="legend" {
                        h2 { "Legend" }
                        (rules::legend())
                        p.hint {
                            "Levels: MUST is required; SHOULD is recommended (a violation fails only a strict run); "
                            "MAY is a permitted behaviour the implementation declared; INFO obliges no one. "
                            "Sources S103..S172 are the numbered sentences of the page \u{201c}Sending messages by using message store providers\u{201d}; "
                            "other sources are MAPI reference pages."
                        }
                    }
                }
                footer {
                    "Made by spoolcheck " (env!("CARGO_PKG_VERSION")) " from its JSON report"
                    @if !alone { "s" }
                    " (docs/report-schema.md). The page needs no network and no scripts."
                }
            }
        }
    }
}
