//! `spoolcheck`: the command line of the conformance suite for MAPI message store providers that
//! send mail. `main` parses the arguments and hands each subcommand to its own module.

mod cli;
mod explain_cmd;
mod ledger_cmd;
mod merge_cmd;
mod output;
mod progress;
mod report_cmd;
mod rules_cmd;
mod sources_cmd;
mod status;
mod suite_cmd;
mod target;

use clap::Parser;
use cli::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version requests are not errors; everything else is a usage error.
            let _ = e.print();
            return status::code(if e.use_stderr() {
                status::USAGE
            } else {
                status::SUCCESS
            });
        }
    };
    let code = output::run_with_stdio(|io| match &cli.command {
        Command::Rules(args) => rules_cmd::run(args, io),
        Command::Sources(args) => sources_cmd::run(args, io),
        Command::Explain(args) => explain_cmd::run(args, io),
        Command::Run(args) => suite_cmd::run(args, io),
        Command::Replay(args) => suite_cmd::replay(args, io),
        Command::Selftest(args) => suite_cmd::selftest(args, io),
        Command::Choices(args) => suite_cmd::choices(args, io),
        Command::Ledger(args) => ledger_cmd::run(args, io),
        Command::Merge(args) => merge_cmd::run(args, io),
        Command::Report(args) => report_cmd::run(args, io),
        Command::Serve(args) => target::serve(args, io),
        Command::MapiBridge(args) => target::mapi_bridge(args, io),
        Command::CabiHost(args) => target::cabi_host(args, io),
    });
    // An interrupted run (Ctrl-C, SIGTERM) says so, even if it managed to write a partial report.
    status::code(if target::interrupted() {
        status::INTERRUPTED
    } else {
        code
    })
}
