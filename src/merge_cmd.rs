//! `spoolcheck merge`: the JSON reports of the shards of one run, merged into the report of the
//! whole run, judged again (stale ledger entries, minimum coverage) over all shards together.

use crate::cli::MergeArgs;
use crate::output::Streams;
use crate::suite_cmd::{publish, stale_policy, usage};
use spoolcheck_harness::json_report::{merge, Document};
use std::io;

/// `spoolcheck merge REPORT...`.
pub fn run(args: &MergeArgs, io: &mut Streams<'_>) -> io::Result<u8> {
    let mut docs = Vec::with_capacity(args.reports.len());
    for path in &args.reports {
        match Document::load(path) {
            Ok(doc) => docs.push((path.clone(), doc)),
            Err(e) => return usage(io, &e.to_string()),
        }
    }
    let merged = match merge(
        &docs,
        args.report.min_coverage,
        stale_policy(args.report.stale),
    ) {
        Ok(m) => m,
        Err(e) => return usage(io, &e.to_string()),
    };
    let mut failures = String::new();
    for f in &merged.failures {
        failures.push_str(&format!(
            "{} {}\n",
            if f.fails_run { "FAIL" } else { "WARN" },
            f.headline
        ));
        for line in f.trace.lines() {
            failures.push_str(&format!("    {line}\n"));
        }
        if let Some(path) = &f.trace_file {
            failures.push_str(&format!(
                "  saved: {path}  (replay: spoolcheck replay {path})\n"
            ));
        }
        failures.push('\n');
    }
    publish(&merged, &failures, &args.report, None, io)
}
