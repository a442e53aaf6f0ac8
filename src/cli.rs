//! The command line, declared with clap's derive API. Each subcommand's arguments are a struct that
//! its own module consumes; `main` only dispatches.

use clap::{Args, Parser, Subcommand, ValueEnum};
use spoolcheck_specs::{Level, Profile};

/// Conformance suite and executable reference model for MAPI message store providers that send mail.
#[derive(Debug, Parser)]
#[command(name = "spoolcheck", version, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the rules of the catalog, in catalog order.
    Rules(RulesArgs),
    /// Print the traceability matrix: each source sentence S103..S172, its class and its rules.
    Sources(SourcesArgs),
    /// Explain one rule: its statement, sources, settled ambiguities, check and a minimal witness trace.
    Explain(ExplainArgs),
}

/// Arguments of `spoolcheck rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Only rules of this level.
    #[arg(long, value_enum, ignore_case = true, value_name = "LEVEL")]
    pub level: Option<LevelArg>,
    /// Only rules that apply in this profile.
    #[arg(long, value_enum, ignore_case = true, value_name = "PROFILE")]
    pub profile: Option<ProfileArg>,
    /// Output format.
    #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Text)]
    pub format: Format,
}

/// Arguments of `spoolcheck sources`.
#[derive(Debug, Args)]
pub struct SourcesArgs {
    /// Output format.
    #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Text)]
    pub format: Format,
}

/// Arguments of `spoolcheck explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule ID, e.g. SUBMIT-09 (case-insensitive).
    #[arg(value_name = "RULE")]
    pub rule: String,
}

/// How a listing is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// An aligned text table.
    Text,
    /// A JSON array of objects.
    Json,
}

/// A rule level as given on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    /// Required.
    Must,
    /// Recommended.
    Should,
    /// Permitted.
    May,
    /// Informative.
    Info,
}

impl From<LevelArg> for Level {
    fn from(level: LevelArg) -> Level {
        match level {
            LevelArg::Must => Level::Must,
            LevelArg::Should => Level::Should,
            LevelArg::May => Level::May,
            LevelArg::Info => Level::Info,
        }
    }
}

/// A profile as given on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProfileArg {
    /// Only the message store provider is under test.
    Provider,
    /// A whole MAPI implementation (store, support object and spooler) is under test.
    System,
}

impl From<ProfileArg> for Profile {
    fn from(profile: ProfileArg) -> Profile {
        match profile {
            ProfileArg::Provider => Profile::Provider,
            ProfileArg::System => Profile::System,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
