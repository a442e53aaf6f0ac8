//! `spoolcheck run`, `replay`, `selftest` and `choices`: the suite against an implementation.

use crate::cli::{ChoicesArgs, Format, ReplayArgs, RunArgs, SelftestArgs, TargetArgs};
use crate::output::Streams;
use crate::status;
use spoolcheck_harness::choicefile;
use spoolcheck_harness::driver::Factory;
use spoolcheck_harness::mutant::Mutant;
use spoolcheck_harness::reference::ReferenceStore;
use spoolcheck_harness::report::{self, RunVerdict};
use spoolcheck_harness::runner::{self, RunConfig};
use spoolcheck_harness::selftest::{self, SelftestConfig};
use spoolcheck_harness::tracefile::TraceFile;
use spoolcheck_model::{Choices, Profile};
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The implementation a target names, or a usage message.
fn factory(target: &TargetArgs) -> Result<Arc<Factory>, String> {
    match &target.mutant {
        None => Ok(Arc::new(|| Ok(Box::new(ReferenceStore::new()) as _))),
        Some(name) => {
            let mutant = Mutant::parse(name).ok_or_else(|| {
                let names: Vec<&str> = Mutant::ALL.iter().map(|m| m.name()).collect();
                format!(
                    "unknown mutant `{name}`; the mutants are: {}",
                    names.join(", ")
                )
            })?;
            Ok(Arc::new(move || {
                Ok(Box::new(ReferenceStore::with_mutant(mutant)) as _)
            }))
        }
    }
}

fn usage(io: &mut Streams<'_>, message: &str) -> io::Result<u8> {
    writeln!(io.err, "spoolcheck: {message}")?;
    Ok(status::USAGE)
}

/// The declared choices of a run: the file's, the mutant's, or the defaults; then the profile flag.
fn choices_for(args: &RunArgs) -> Result<Choices, String> {
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

/// `spoolcheck run`.
pub fn run(args: &RunArgs, io: &mut Streams<'_>) -> io::Result<u8> {
    let factory = match factory(&args.target) {
        Ok(f) => f,
        Err(m) => return usage(io, &m),
    };
    let choices = match choices_for(args) {
        Ok(c) => c,
        Err(m) => return usage(io, &m),
    };
    let config = RunConfig {
        choices,
        seed: args.seed,
        cases: args.cases,
        max_len: usize::try_from(args.max_len).unwrap_or(40),
        timeout: Duration::from_millis(args.target.timeout_ms),
        max_failures: usize::try_from(args.max_failures).unwrap_or(8),
        ..RunConfig::default()
    };
    let report = runner::run(factory, &config);
    // Every counterexample is on disk before anything is printed.
    let mut saved = Vec::with_capacity(report.failures.len());
    for failure in &report.failures {
        let trace = TraceFile::of_failure(&report.implementation, failure);
        match trace.save(&args.out) {
            Ok(path) => saved.push(Some(path)),
            Err(e) => {
                writeln!(io.err, "spoolcheck: could not save a counterexample: {e}")?;
                writeln!(io.err, "{}", trace.to_json())?;
                saved.push(None);
            }
        }
    }
    let paths: Vec<Option<&Path>> = saved.iter().map(|p| p.as_deref()).collect();
    io.out
        .write_all(report::render(&report, args.strict, &paths).as_bytes())?;
    Ok(RunVerdict::of(&report, args.strict).exit_code())
}

/// `spoolcheck replay TRACE`.
pub fn replay(args: &ReplayArgs, io: &mut Streams<'_>) -> io::Result<u8> {
    let factory = match factory(&args.target) {
        Ok(f) => f,
        Err(m) => return usage(io, &m),
    };
    let trace = match TraceFile::load(&args.trace) {
        Ok(t) => t,
        Err(e) => return usage(io, &e.to_string()),
    };
    let timeout = Duration::from_millis(args.target.timeout_ms);
    match runner::replay(factory, &trace.choices, &trace.ops, timeout) {
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
    let all_caught = kills.iter().all(|k| k.caught && k.named_own_rule);
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
