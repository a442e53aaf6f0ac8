//! The failures of one report: each with its headline, the other rules the same deviation breaks,
//! the violations, the minimal trace as a sequence diagram and as a table, the replay command and
//! a link to the saved trace.

use super::rules::rule_details;
use super::{diagram, link, trace, Entry};
use crate::json_report::FailureDoc;
use maud::{html, Markup};
use std::path::Path;

/// The anchor of failure `index` (counted from 0) of the report whose anchor is `anchor`.
pub fn anchor(anchor: &str, index: usize) -> String {
    format!("{anchor}-f{}", index + 1)
}

/// The command that replays a failure's saved trace.
pub fn replay_command(entry: &Entry, trace_file: &str) -> String {
    let quoted = if trace_file
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./+=:@".contains(c))
    {
        trace_file.to_string()
    } else {
        format!("'{}'", trace_file.replace('\'', "'\\''"))
    };
    let options = match &entry.replay_options {
        Some(options) => options.clone(),
        None => entry
            .doc
            .implementation
            .strip_prefix("reference (mutant ")
            .and_then(|m| m.strip_suffix(')'))
            .map(|m| format!(" --mutant {m}"))
            .unwrap_or_default(),
    };
    format!("spoolcheck replay {quoted}{options}")
}

/// Whether the page knows how the implementation was reached (the bundled reference always is).
fn adapter_known(entry: &Entry) -> bool {
    entry.replay_options.is_some() || entry.doc.implementation.starts_with("reference")
}

/// Every failure of a report.
pub fn section(entry: &Entry, anchor_of: &str, base: &Path) -> Markup {
    let failures = &entry.doc.failures;
    html! {
        @if failures.is_empty() {
            p.none { "No failures." }
        }
        @for (i, f) in failures.iter().enumerate() {
            (failure(entry, f, &anchor(anchor_of, i), anchor_of, base))
        }
    }
}

fn failure(entry: &Entry, f: &FailureDoc, id: &str, report: &str, base: &Path) -> Markup {
    let also = &f.also_breaks;
    let steps = trace::parse(&f.trace);
    let failing = f.step.saturating_sub(1);
    html! {
        article.failure id=(id) {
            h4 {
                @if f.fails_run {
                    span.badge.st-failed { "FAIL" }
                } @else {
                    span.badge.st-warning { "WARN" }
                }
                " " span.headline { (f.headline) }
            }
            @if !also.is_empty() {
                p.also {
                    "Also breaks: "
                    @for (i, r) in also.iter().enumerate() {
                        @if i > 0 { ", " }
                        a href={ "#" (report) "-rule-" (r) } { code { (r) } }
                    }
                }
            }
            @if let Some(rule) = &f.rule {
                @let title = entry.doc.coverage.rules.iter().find(|r| &r.rule == rule).map_or("", |r| r.title.as_str());
                (rule_details(rule, title))
            }
            @if !f.violations.is_empty() {
                table.violations {
                    thead { tr { th { "rule" } th { "what" } th { "expected" } th { "got" } } }
                    tbody {
                        @for v in &f.violations {
                            tr {
                                td { code { (v.rule.as_str()) } }
                                td { (v.subject) }
                                td.expected { code { (v.expected) } }
                                td.actual { code { (v.actual) } }
                            }
                        }
                    }
                }
            }
            h5 { "The minimal trace, " (f.ops.len()) " step" @if f.ops.len() != 1 { "s" } }
            @match &steps {
                Some(steps) => {
                    div.scroll { (diagram::sequence(steps, failing, id)) }
                    div.scroll {
                        table.trace {
                            thead {
                                tr {
                                    th.num { "#" } th { "party" } th { "call" } th { "result" }
                                    th { "support calls" } th { "notifications" } th { "afterwards" }
                                }
                            }
                            tbody {
                                @for (i, s) in steps.iter().enumerate() {
                                    tr class=[(i == failing).then_some("failing")] {
                                        td.num { (s.number) }
                                        td { (s.role) }
                                        td { code { (s.call) } }
                                        td { code { (s.result) } }
                                        td { @for c in &s.calls { code { (c) } br; } }
                                        td { @for n in &s.notifications { code { (n) } br; } }
                                        td { (s.after) }
                                    }
                                }
                            }
                        }
                    }
                }
                None => pre { (f.trace) }
            }
            @if let Some(file) = &f.trace_file {
                p.replay {
                    "Replay: " code.command { (replay_command(entry, file)) }
                    @if !adapter_known(entry) {
                        " (with the options that named the implementation: "
                        code { "--grpc" } ", " code { "--grpc-spawn" } ", " code { "--cabi" } " or "
                        code { "--mapi-provider" } ")"
                    }
                }
                p.saved { "Saved trace: " a href=(link(file, base)) { (file) } }
            } @else {
                p.saved { "The trace was not saved." }
            }
        }
    }
}
