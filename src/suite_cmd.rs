//! `spoolcheck run`, `replay`, `selftest` and `choices`: the suite against an implementation.
//! `spoolcheck ledger update` and `spoolcheck merge` (in their own modules) reuse the set-up and
//! the report writing here.

use crate::cli::{
    ChoicesArgs, Format, ReplayArgs, ReportArgs, RunArgs, SelftestArgs, StaleArg, SuiteArgs,
};
use crate::output::Streams;
use crate::progress::Bar;
use crate::status;
use crate::target::{self, Target};
use spoolcheck_harness::choicefile;
use spoolcheck_harness::html;
use spoolcheck_harness::json_report::{Document, Options, StalePolicy};
use spoolcheck_harness::junit;
use spoolcheck_harness::ledger::Ledger;
use spoolcheck_harness::mutant::Mutant;
use spoolcheck_harness::report;
use spoolcheck_harness::runner::{self, Budget, RunConfig, RunReport};
use spoolcheck_harness::selftest::{self, SelftestConfig};
use spoolcheck_harness::tracefile::TraceFile;
use spoolcheck_model::{Choices, Profile};
use std::io;
use std::path::Path;
use std::time::Duration;

pub(crate) fn usage(io: &mut Streams<'_>, message: &str) -> io::Result<u8> {
    writeln!(io.err, "spoolcheck: {message}")?;
    Ok(status::USAGE)
}

/// The declared choices of a run: the file's, the mutant's, or the defaults; then the profile flag.
fn choices_for(args: &SuiteArgs) -> Result<Choices, String> {
    let mut choices = match (&args.choices, &args.target.mutant) {
        (Some(path), _) => choicefile::load(path).map_err(|e| e.to_string())?,
        (None, Some(name)) => Mutant::parse(name).map(Mutant::choices).unwrap_or_default(),
        (None, None) => Choices::default(),
    };
    if let Some(profile) = args.profile {
        choices.profile = match spoolcheck_specs::Profile::from(profile) {
            spoolcheck_specs::Profile::Provider => Profile::Provider,
            spoolcheck_specs::Profile::System => Profile::System,
        };
    }
    Ok(choices)
}

/// Everything a run needs, read from the arguments: bad input is a usage error.
pub(crate) struct Prepared {
    pub target: Target,
    pub config: RunConfig,
    pub ledger: Option<Ledger>,
}

/// Reads the implementation, the choices and the ledger, and sets the run up.
pub(crate) fn prepare(args: &SuiteArgs, ledger_default: Option<&Path>) -> Result<Prepared, String> {
    let choices = choices_for(args)?;
    let ledger = match (&args.ledger, ledger_default) {
        (Some(path), _) => Some(Ledger::load(path).map_err(|e| e.to_string())?),
        // `ledger update` starts a ledger that does not exist yet.
        (None, Some(path)) if !path.exists() => Some(Ledger::new()),
        (None, Some(path)) => Some(Ledger::load(path).map_err(|e| e.to_string())?),
        (None, None) => None,
    };
    let config = RunConfig {
        choices,
        seed: args.seed,
        cases: args.cases,
        max_len: usize::try_from(args.max_len).unwrap_or(40),
        timeout: Duration::from_millis(args.target.timeout_ms),
        max_failures: usize::try_from(args.max_failures).unwrap_or(8),
        expected: ledger
            .as_ref()
            .map(Ledger::expectations)
            .unwrap_or_default(),
        shard: args.shard,
        jobs: usize::try_from(args.jobs).unwrap_or(1),
        budget: Budget {
            max_ops: args.max_ops,
            max_time: args.max_seconds.map(Duration::from_secs_f64),
        },
        ..RunConfig::default()
    };
    // Last: it may start a server, which bad arguments above should not.
    let target = target::resolve(&args.target, &args.out)?;
    Ok(Prepared {
        target,
        config,
        ledger,
    })
}

/// Runs the suite, with a progress bar on a terminal when `bar` is set.
pub(crate) fn run_suite(prepared: &Prepared, bar: bool) -> RunReport {
    let bar = Bar::new(bar);
    let report =
        runner::run_with_progress(prepared.target.factory.clone(), &prepared.config, &|p| {
            bar.update(p)
        });
    bar.finish();
    report
}

/// Says which ledger entries still carry the placeholder reason.
fn warn_placeholders(ledger: Option<&Ledger>, io: &mut Streams<'_>) -> io::Result<()> {
    let Some(ledger) = ledger else { return Ok(()) };
    let path = ledger
        .path
        .as_deref()
        .map_or("the ledger".into(), |p| p.display().to_string());
    for d in ledger.placeholders() {
        writeln!(
            io.err,
            "spoolcheck: {path}:{}: the deviation of {} still has the placeholder reason; say why it is known and accepted",
            d.line, d.rule
        )?;
    }
    Ok(())
}

/// Writes a file, creating its directory; a failure is reported as a tool error.
pub(crate) fn write_file(
    path: &Path,
    text: &str,
    what: &str,
    io: &mut Streams<'_>,
) -> io::Result<bool> {
    let written = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(path, text));
    match written {
        Ok(()) => Ok(true),
        Err(e) => {
            writeln!(
                io.err,
                "spoolcheck: cannot write the {what} to {}: {e}",
                path.display()
            )?;
            Ok(false)
        }
    }
}

/// Writes the JSON, JUnit and HTML files and prints the report; returns the exit status.
/// `replay_options` name the implementation again in the HTML page's replay commands, when known.
pub(crate) fn publish(
    doc: &Document,
    failures_text: &str,
    args: &ReportArgs,
    replay_options: Option<String>,
    io: &mut Streams<'_>,
) -> io::Result<u8> {
    let mut ok = true;
    if let Some(path) = &args.json {
        ok &= write_file(path, &doc.to_json(), "JSON report", io)?;
    }
    if let Some(path) = &args.junit {
        ok &= write_file(path, &junit::render(doc), "JUnit report", io)?;
    }
    if let Some(path) = &args.html {
        let entry = html::Entry::new(doc.clone(), replay_options);
        let page = html::render(&[entry], path);
        ok &= write_file(path, &page, "HTML report", io)?;
    }
    match args.format {
        Format::Json => io.out.write_all(doc.to_json().as_bytes())?,
        Format::Text => {
            io.out.write_all(failures_text.as_bytes())?;
            io.out.write_all(doc.summary().as_bytes())?;
            if !doc.adapter_notes.is_empty() {
                writeln!(io.out, "MAPI bridge notes:")?;
                for note in &doc.adapter_notes {
                    writeln!(io.out, "  - {note}")?;
                }
            }
        }
    }
    Ok(if ok { doc.exit_code } else { status::USAGE })
}

/// `spoolcheck run`.
pub fn run(args: &RunArgs, io: &mut Streams<'_>) -> io::Result<u8> {
    let prepared = match prepare(&args.suite, None) {
        Ok(p) => p,
        Err(m) => return usage(io, &m),
    };
    warn_placeholders(prepared.ledger.as_ref(), io)?;
    let report = run_suite(&prepared, args.report.format == Format::Text);
    // Every counterexample is on disk before anything is printed.
    let mut saved = Vec::with_capacity(report.failures.len());
    for failure in &report.failures {
        let trace = TraceFile::of_failure(&report.implementation, failure);
        match trace.save(&args.suite.out) {
            Ok(path) => saved.push(Some(path)),
            Err(e) => {
                writeln!(io.err, "spoolcheck: could not save a counterexample: {e}")?;
                writeln!(io.err, "{}", trace.to_json())?;
                saved.push(None);
            }
        }
    }
    let strict = args.suite.strict;
    let mut doc = Document::build(
        &report,
        &Options {
            config: &prepared.config,
            strict,
            ledger: prepared.ledger.as_ref(),
            min_coverage: args.report.min_coverage,
            stale: stale_policy(args.report.stale),
            saved: &saved,
        },
    );
    let mut failures_text = String::new();
    // (For the bundled reference, `replay` already says which mutant a trace came from.)
    let again = if args.suite.target.is_bundled() {
        String::new()
    } else {
        args.suite.target.replay_options()
    };
    if let Some(notes) = &prepared.target.notes {
        doc.adapter_notes = spoolcheck_harness::adapters::mapi::read_notes(notes);
    }
    for (i, f) in report.failures.iter().enumerate() {
        let path = saved.get(i).and_then(|p| p.as_deref());
        let mut text = report::render_failure(f, strict, path);
        if let (Some(path), false) = (path, again.is_empty()) {
            // The hint replays through the same adapter, not against the bundled reference.
            let plain = format!("(replay: spoolcheck replay {})", path.display());
            let with = format!("(replay: spoolcheck replay {}{again})", path.display());
            text = text.replace(&plain, &with);
        }
        failures_text.push_str(&text);
        failures_text.push('\n');
    }
    let options = args.suite.target.replay_options();
    publish(&doc, &failures_text, &args.report, Some(options), io)
}

/// The policy a flag names.
pub(crate) fn stale_policy(arg: StaleArg) -> StalePolicy {
    match arg {
        StaleArg::Fail => StalePolicy::Fail,
        StaleArg::Warn => StalePolicy::Warn,
    }
}

/// `spoolcheck replay TRACE`.
pub fn replay(args: &ReplayArgs, io: &mut Streams<'_>) -> io::Result<u8> {
    let trace = match TraceFile::load(&args.trace) {
        Ok(t) => t,
        Err(e) => return usage(io, &e.to_string()),
    };
    let logs = match target::private_log_dir() {
        Ok(dir) => dir,
        Err(m) => return usage(io, &m),
    };
    let target = match target::resolve(&args.target, &logs) {
        Ok(t) => t,
        Err(m) => return usage(io, &m),
    };
    let recorded = recorded_mutant(&trace.implementation);
    if let (true, None, Some(name)) = (args.target.is_bundled(), &args.target.mutant, recorded) {
        writeln!(
            io.err,
            "note: {} was recorded against `{}`; this replays it against the reference provider \
             (add `--mutant {name}` to replay it against that mutant)",
            args.trace.display(),
            trace.implementation
        )?;
    }
    let timeout = Duration::from_millis(args.target.timeout_ms);
    match runner::replay(target.factory.clone(), &trace.choices, &trace.ops, timeout) {
        Ok((None, _)) => {
            writeln!(
                io.out,
                "{}: all {} steps conform",
                args.trace.display(),
                trace.ops.len()
            )?;
            Ok(status::SUCCESS)
        }
        Ok((Some(failure), _)) => {
            io.out
                .write_all(report::render_failure(&failure, true, Some(&args.trace)).as_bytes())?;
            Ok(status::NONCONFORMANT)
        }
        Err(e) => {
            writeln!(
                io.err,
                "spoolcheck: {}: the trace could not be replayed: {e}",
                args.trace.display()
            )?;
            Ok(status::USAGE)
        }
    }
}

/// The bundled mutant a trace was recorded against, if it was.
fn recorded_mutant(implementation: &str) -> Option<&str> {
    implementation
        .strip_prefix("reference (mutant ")?
        .strip_suffix(')')
}

/// `spoolcheck selftest`.
pub fn selftest(args: &SelftestArgs, io: &mut Streams<'_>) -> io::Result<u8> {
    let profile = match spoolcheck_specs::Profile::from(args.profile) {
        spoolcheck_specs::Profile::Provider => Profile::Provider,
        spoolcheck_specs::Profile::System => Profile::System,
    };
    let config = SelftestConfig {
        seed: args.seed,
        cases: args.cases,
        profile,
    };
    let kills = selftest::run_all(&config);
    match args.format {
        Format::Json => writeln!(
            io.out,
            "{}",
            serde_json::to_string_pretty(&kills).unwrap_or_default()
        )?,
        Format::Text => io.out.write_all(selftest::table(&kills).as_bytes())?,
    }
    let all_caught = kills.iter().all(selftest::Kill::passed);
    Ok(if all_caught {
        status::SUCCESS
    } else {
        status::NONCONFORMANT
    })
}

/// `spoolcheck choices`.
pub fn choices(args: &ChoicesArgs, io: &mut Streams<'_>) -> io::Result<u8> {
    let presets = Choices::presets();
    let choices = match &args.preset {
        None => Choices::default(),
        Some(name) => match presets.iter().find(|(n, _)| n == name) {
            Some((_, c)) => c.clone(),
            None => {
                let names: Vec<&str> = presets.iter().map(|(n, _)| *n).collect();
                return usage(
                    io,
                    &format!(
                        "unknown preset `{name}`; the presets are: {}",
                        names.join(", ")
                    ),
                );
            }
        },
    };
    io.out
        .write_all(choicefile::template(&choices).as_bytes())?;
    Ok(status::SUCCESS)
}
