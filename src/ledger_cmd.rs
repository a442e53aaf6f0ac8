//! `spoolcheck ledger update`: writes the known-deviation ledger from a run's results.

use crate::cli::{LedgerAction, LedgerArgs, SuiteArgs};
use crate::output::Streams;
use crate::status;
use crate::suite_cmd::{prepare, run_suite, usage};
use spoolcheck_harness::ledger::Ledger;
use std::io;
use std::path::{Path, PathBuf};

/// The ledger file when `--ledger` is not given.
pub const DEFAULT_LEDGER: &str = "spoolcheck-ledger.toml";

/// `spoolcheck ledger ...`.
pub fn run(args: &LedgerArgs, io: &mut Streams<'_>) -> io::Result<u8> {
    match &args.action {
        LedgerAction::Update(suite) => update(suite, io),
    }
}

/// `spoolcheck ledger update`.
fn update(args: &SuiteArgs, io: &mut Streams<'_>) -> io::Result<u8> {
    let path: PathBuf = args
        .ledger
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_LEDGER));
    if !args.shard.is_whole() {
        // A deviation missing from one shard may occur in another: only a whole run can tell.
        return usage(
            io,
            &format!(
                "ledger update needs the whole run to tell stale entries from ones another shard sees; drop --shard {}",
                args.shard
            ),
        );
    }
    let prepared = match prepare(args, Some(&path)) {
        Ok(p) => p,
        Err(m) => return usage(io, &m),
    };
    let ledger = prepared.ledger.clone().unwrap_or_default();
    let report = run_suite(&prepared, true);
    if let Some(e) = &report.harness_error {
        writeln!(
            io.err,
            "spoolcheck: the run could not finish, so {} is left as it is: {e}",
            path.display()
        )?;
        return Ok(status::USAGE);
    }
    let update = ledger.update(&report);
    if let Err(e) = write(&path, &update.text) {
        writeln!(
            io.err,
            "spoolcheck: cannot write the ledger {}: {e}",
            path.display()
        )?;
        return Ok(status::USAGE);
    }
    let name = path.display();
    for d in &update.kept {
        writeln!(
            io.out,
            "kept     {} ({name}:{}): still occurs",
            d.rule, d.line
        )?;
    }
    for d in &update.removed {
        writeln!(
            io.out,
            "removed  {} ({name}:{}): stale, it no longer occurs (reason was: {})",
            d.rule, d.line, d.reason
        )?;
    }
    for (d, seen) in &update.added {
        writeln!(io.out, "added    {}: {seen}", d.rule)?;
    }
    for headline in &update.unlistable {
        writeln!(
            io.out,
            "not listable (breaks no particular rule, so a ledger cannot expect it): {headline}"
        )?;
    }
    writeln!(
        io.out,
        "{name}: {} kept, {} added, {} removed",
        update.kept.len(),
        update.added.len(),
        update.removed.len()
    )?;
    if !update.added.is_empty() {
        writeln!(
            io.out,
            "fill in the reason of each added deviation in {name}: the run warns while a placeholder is left"
        )?;
    }
    // The written ledger must load back: anything else is a bug worth stopping for.
    if let Err(e) = Ledger::load(&path) {
        writeln!(
            io.err,
            "spoolcheck: the updated ledger does not load back: {e}"
        )?;
        return Ok(status::USAGE);
    }
    Ok(status::SUCCESS)
}

fn write(path: &Path, text: &str) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)
}
