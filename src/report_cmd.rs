//! `spoolcheck report REPORT.json... --html FILE`: JSON reports as one self-contained HTML page,
//! several side by side. The page shows results; it judges nothing, so the command succeeds
//! whatever the verdicts (`spoolcheck merge` judges the shards of a run).

use crate::cli::ReportCommandArgs;
use crate::output::Streams;
use crate::status;
use crate::suite_cmd::{usage, write_file};
use spoolcheck_harness::html;
use spoolcheck_harness::json_report::Document;
use std::io;

/// `spoolcheck report REPORT... --html FILE`.
pub fn run(args: &ReportCommandArgs, io: &mut Streams<'_>) -> io::Result<u8> {
    let mut docs = Vec::with_capacity(args.reports.len());
    for path in &args.reports {
        match Document::load(path) {
            Ok(doc) => docs.push((path.clone(), doc)),
            Err(e) => return usage(io, &e.to_string()),
        }
    }
    let entries = match html::entries(docs) {
        Ok(entries) => entries,
        Err(e) => return usage(io, &e.to_string()),
    };
    if !write_file(
        &args.html,
        &html::render(&entries, &args.html),
        "HTML report",
        io,
    )? {
        return Ok(status::USAGE);
    }
    for e in &entries {
        let failing = e.doc.failures.iter().filter(|f| f.fails_run).count();
        writeln!(
            io.out,
            "{}: {}, {failing} failure(s), {} warning(s), {} of {} applicable rules reached",
            e.label,
            html::verdict_word(&e.doc),
            e.doc.failures.len() - failing,
            e.doc.coverage.reached,
            e.doc.coverage.applicable
        )?;
    }
    if entries.len() > 1 {
        let differ = html::matrix::differences(&entries);
        writeln!(
            io.out,
            "{} rule(s) with different results{}{}",
            differ.len(),
            if differ.is_empty() { "" } else { ": " },
            differ.join(", ")
        )?;
    }
    writeln!(io.out, "wrote {}", args.html.display())?;
    Ok(status::SUCCESS)
}
