//! The HTML report (`spoolcheck report REPORT.json... --html FILE`, `spoolcheck run --html FILE`):
//! one self-contained page, without scripts, fonts or anything else from the network, readable
//! with JavaScript off.
//!
//! The page is built from JSON reports ([`crate::json_report::Document`]), as `spoolcheck merge`
//! reads them, so a page can be made later, elsewhere, from the files CI kept. One report gives a
//! summary, rule coverage per family as a chart, each failure (headline, the other rules it breaks,
//! the minimal trace as a table and as a sequence of the parties' calls, the replay command, the
//! saved trace) and the rule table grouped by family. Several reports (implementations, or
//! versions of one) also give a rule × implementation matrix, the rules whose results differ first.
//!
//! - [`layout`]: the page, its style sheet and the summary;
//! - [`rules`]: each rule's result, and the rule table;
//! - [`chart`]: coverage per family;
//! - [`failures`]: the failures, with [`trace`] (the trace table read back) and [`diagram`] (the
//!   sequence of calls);
//! - [`matrix`]: the reports side by side.

pub mod chart;
pub mod diagram;
pub mod failures;
pub mod layout;
pub mod matrix;
pub mod rules;
pub mod trace;

use crate::json_report::{merge, Document, ReportError};
use std::path::{Path, PathBuf};

/// One report on the page.
#[derive(Clone, Debug)]
pub struct Entry {
    /// What the page calls it: the implementation's name, and the file's name where two reports
    /// name the same implementation.
    pub label: String,
    /// The report.
    pub doc: Document,
    /// Options that name the implementation again in a replay command (`--grpc-spawn '...'`), when
    /// known; `None` when the report does not say (a page made from JSON files).
    pub replay_options: Option<String>,
}

impl Entry {
    /// An entry named after its implementation.
    pub fn new(doc: Document, replay_options: Option<String>) -> Entry {
        Entry {
            label: doc.implementation.clone(),
            doc,
            replay_options,
        }
    }
}

/// The reports read from files, one entry each; the shard reports of one run are merged into the
/// report of that run first (as `spoolcheck merge` does, keeping their threshold and stale policy).
pub fn entries(reports: Vec<(PathBuf, Document)>) -> Result<Vec<Entry>, ReportError> {
    let mut runs: Vec<Vec<(PathBuf, Document)>> = Vec::new();
    for (path, doc) in reports {
        let partial = doc.shards.iter().all(|s| s.count > 1);
        let same_run = runs.iter_mut().find(|run| {
            let first = &run[0].1;
            partial
                && first.shards.iter().all(|s| s.count > 1)
                && first.implementation == doc.implementation
                && first.choices == doc.choices
                && first.seed == doc.seed
                && first.cases_per_round == doc.cases_per_round
                && first.shards[0].count == doc.shards[0].count
                && !run
                    .iter()
                    .any(|(_, d)| d.shards.iter().any(|s| doc.shards.contains(s)))
        });
        match same_run {
            Some(run) => run.push((path, doc)),
            None => runs.push(vec![(path, doc)]),
        }
    }
    let mut entries = Vec::with_capacity(runs.len());
    let mut files = Vec::with_capacity(runs.len());
    for run in runs {
        // (A shard alone is shown as it is, as far as it goes.)
        let doc = if run.len() == 1 {
            run[0].1.clone()
        } else {
            let first = &run[0].1;
            merge(&run, first.coverage.min, first.stale_policy)?
        };
        files.push(run[0].0.clone());
        entries.push(Entry::new(doc, None));
    }
    // Versions of one implementation carry the same name: tell them apart by file.
    for i in 0..entries.len() {
        let twins = entries
            .iter()
            .filter(|e| e.doc.implementation == entries[i].doc.implementation)
            .count();
        if twins > 1 {
            let file = files[i]
                .file_name()
                .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
            entries[i].label = format!("{} ({file})", entries[i].doc.implementation);
        }
    }
    Ok(entries)
}

/// The page, to be written to `file` (links to saved traces are made relative to its directory).
pub fn render(entries: &[Entry], file: &Path) -> String {
    let base = absolute(file.parent().unwrap_or(Path::new("")));
    layout::page(entries, &base).into_string()
}

/// The verdict as the reports write it: `conformant`, `not-conformant` or `harness-error`.
pub fn verdict_word(doc: &Document) -> String {
    serde_json::to_value(doc.verdict)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// A path made absolute against the current directory (without resolving links).
fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    }
}

/// A link from a page in `base` to the file `target` (a path as a report gives it, relative to
/// the directory the run was started in): a relative path (with `..` where needed), or a `file:`
/// URL where the two have nothing in common.
pub fn link(target: &str, base: &Path) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
    use std::path::Component;
    /// What a path segment may not carry unescaped in a URL.
    const SEGMENT: &AsciiSet = &CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'<')
        .add(b'>')
        .add(b'?')
        .add(b'`')
        .add(b'{')
        .add(b'}')
        .add(b'\\');
    let names = |p: &Path| -> Vec<String> {
        p.components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect()
    };
    let target = names(&absolute(Path::new(target)));
    let base = names(base);
    let common = target.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let encoded = |segments: &[String]| {
        segments
            .iter()
            .map(|s| utf8_percent_encode(s, SEGMENT).to_string())
            .collect::<Vec<_>>()
    };
    if common == 0 {
        return format!("file:///{}", encoded(&target).join("/"));
    }
    let mut parts: Vec<String> = vec!["..".into(); base.len() - common];
    parts.extend(encoded(&target[common..]));
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json_report::{FailureDoc, Options, StalePolicy};
    use crate::runner::{RunConfig, RunReport};

    fn document(implementation: &str) -> Document {
        let mut doc = Document::build(
            &RunReport::default(),
            &Options {
                config: &RunConfig::default(),
                strict: false,
                ledger: None,
                min_coverage: None,
                stale: StalePolicy::Fail,
                saved: &[],
            },
        );
        doc.implementation = implementation.into();
        doc
    }

    #[test]
    fn text_from_a_report_is_escaped_and_nothing_is_fetched() {
        let nasty = "<script>alert('x')</script> & \"quotes\"";
        let mut doc = document(nasty);
        doc.failures.push(FailureDoc {
            rule: Some("SPL-06".into()),
            rules: vec!["SPL-06".into(), "SPL-07".into()],
            also_breaks: vec!["SPL-07".into()],
            derived_from: Vec::new(),
            level: Some("MUST".into()),
            fails_run: true,
            sources: vec!["S120".into()],
            step: 1,
            headline: nasty.into(),
            violations: Vec::new(),
            seed: 0,
            trace_file: Some("traces/<x>.json".into()),
            ops: Vec::new(),
            trace: "not a table <b>".into(),
            unconfirmed_minimal: None,
            unrepeatable: false,
            reference_fails: None,
        });
        let page = render(&[Entry::new(doc, None)], Path::new("/tmp/page.html"));
        assert!(!page.contains("<script"), "markup from a report is escaped");
        assert!(page.contains("&lt;script&gt;"));
        assert!(page.contains("Also breaks"));
        for fetched in ["src=", "<link", "href=\"http", "url(http", "@import"] {
            assert!(!page.contains(fetched), "{fetched}");
        }
    }

    #[test]
    fn versions_of_one_implementation_are_told_apart_by_file() {
        let reports = vec![
            (PathBuf::from("v1.json"), document("store")),
            (PathBuf::from("v2.json"), document("store")),
            (PathBuf::from("other.json"), document("other")),
        ];
        let labels: Vec<String> = entries(reports)
            .unwrap()
            .into_iter()
            .map(|e| e.label)
            .collect();
        assert_eq!(labels, ["store (v1.json)", "store (v2.json)", "other"]);
    }

    #[test]
    fn links_are_relative_under_the_page_and_escaped() {
        let base = Path::new("/tmp/site");
        assert_eq!(
            link("/tmp/site/traces/a b#1.json", base),
            "traces/a%20b%231.json"
        );
        assert_eq!(link("/tmp/t.json", base), "../t.json");
        assert_eq!(link("/elsewhere/t.json", base), "file:///elsewhere/t.json");
    }
}
