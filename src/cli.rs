//! The command line, declared with clap's derive API. Each subcommand's arguments are a struct that
//! its own module consumes; `main` only dispatches.

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use spoolcheck_harness::coverage::MinCoverage;
use spoolcheck_harness::shard::Shard;
use spoolcheck_specs::{Level, Profile};
use std::path::PathBuf;

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
    /// Run the suite against an implementation (by default the bundled reference provider).
    Run(RunArgs),
    /// Replay a saved trace against an implementation and judge every step again.
    Replay(ReplayArgs),
    /// Run the suite against every deliberately broken variant of the reference provider.
    Selftest(SelftestArgs),
    /// Print a declared-choices file to start from (the defaults, or a named preset).
    Choices(ChoicesArgs),
    /// Maintain the known-deviation ledger.
    Ledger(LedgerArgs),
    /// Merge the JSON reports of the shards of one run into the report of the whole run.
    Merge(MergeArgs),
    /// Make one self-contained HTML page of JSON reports: one run, or several side by side.
    Report(ReportCommandArgs),
    /// Serve the bundled reference provider (or a mutant) over gRPC, to try the gRPC adapter.
    Serve(ServeArgs),
    /// The MAPI bridge that --mapi-provider loads a MAPI message store provider through.
    #[command(name = "mapi-bridge")]
    MapiBridge(MapiBridgeArgs),
    /// The child process of `--isolate` (started by spoolcheck itself).
    #[command(name = "__cabi-host", hide = true)]
    CabiHost(CabiHostArgs),
}

/// Arguments of `spoolcheck serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The loopback port to listen on.
    #[arg(long)]
    pub port: u16,
    /// Serve this mutant of the reference provider instead.
    #[arg(long, value_name = "NAME")]
    pub mutant: Option<String>,
}

/// Arguments of `spoolcheck mapi-bridge`.
#[derive(Debug, Args)]
pub struct MapiBridgeArgs {
    /// What to do with the bridge.
    #[command(subcommand)]
    pub action: MapiBridgeAction,
}

/// The bridge's subcommands.
#[derive(Debug, Subcommand)]
pub enum MapiBridgeAction {
    /// Build the bridge (make and a C++17 compiler) and print the library's path.
    Build {
        /// The MAPI headers your provider was built with (mapidefs.h, mapispi.h ...); default:
        /// the project's own minimal headers (harness/mapi-bridge/include).
        #[arg(long, value_name = "DIR")]
        mapi_include: Option<PathBuf>,
        /// Where to put the library; default: harness/mapi-bridge/build, where --mapi-provider
        /// looks for it.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

/// Arguments of the hidden `__cabi-host`.
#[derive(Debug, Args)]
pub struct CabiHostArgs {
    /// The shared library.
    pub library: PathBuf,
    /// The harness's loopback port.
    pub port: u16,
}

/// Which implementation the suite runs against: the bundled reference provider (or one of its
/// mutants) in process, a gRPC server, a C shared library, or a MAPI message store provider.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("isolatable").args(["cabi", "mapi_provider"])))]
pub struct TargetArgs {
    /// Run against a deliberately broken variant of the reference provider (see `spoolcheck selftest`).
    #[arg(long, value_name = "NAME", conflicts_with_all = ["grpc", "grpc_spawn", "cabi", "mapi_provider"])]
    pub mutant: Option<String>,
    /// Run against a server of spoolcheck.v2.Provider at this address (harness/proto), e.g.
    /// http://127.0.0.1:50051.
    #[arg(long, value_name = "URL", conflicts_with_all = ["grpc_spawn", "cabi", "mapi_provider"])]
    pub grpc: Option<String>,
    /// Start this gRPC server, with `{port}` replaced by a free port, wait until it answers, run
    /// against it, and stop it. It runs under `sh -c`; its output goes to grpc-server.log in the
    /// output directory.
    #[arg(long, value_name = "COMMAND", conflicts_with_all = ["cabi", "mapi_provider"])]
    pub grpc_spawn: Option<String>,
    /// Run against a shared library exporting spoolcheck_provider_v2 (harness/include/spoolcheck.h).
    #[arg(long, value_name = "PATH", conflicts_with = "mapi_provider")]
    pub cabi: Option<PathBuf>,
    /// Run against a MAPI message store provider as it is: a library exporting MSProviderInit,
    /// loaded and driven through the MAPI bridge (docs/adapters.md).
    #[arg(long, value_name = "PATH")]
    pub mapi_provider: Option<PathBuf>,
    /// The provider's profile section (TOML: `reset` and a [properties] table of tags and values;
    /// docs/adapters.md).
    #[arg(long, value_name = "FILE", requires = "mapi_provider")]
    pub provider_config: Option<PathBuf>,
    /// The MAPI bridge library to load the provider through; default: the one
    /// `spoolcheck mapi-bridge build` makes.
    #[arg(long, value_name = "PATH", requires = "mapi_provider")]
    pub mapi_bridge: Option<PathBuf>,
    /// Run the --cabi library (or the --mapi-provider through its bridge) in a child process, so
    /// that a crash or a hang in it is reported and the run goes on.
    #[arg(long, requires = "isolatable", conflicts_with_all = ["grpc", "grpc_spawn", "mutant"])]
    pub isolate: bool,
    /// Per-call timeout in milliseconds: a call that takes longer is reported as indeterminate.
    #[arg(long, value_name = "MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout_ms: u64,
}

impl TargetArgs {
    /// True when the target is the bundled reference provider or one of its mutants.
    pub fn is_bundled(&self) -> bool {
        self.grpc.is_none()
            && self.grpc_spawn.is_none()
            && self.cabi.is_none()
            && self.mapi_provider.is_none()
    }

    /// The options that name this target again, for a replay hint ("" for the reference).
    pub fn replay_options(&self) -> String {
        let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
        let mut out = String::new();
        if let Some(m) = &self.mutant {
            out.push_str(&format!(" --mutant {m}"));
        }
        if let Some(url) = &self.grpc {
            out.push_str(&format!(" --grpc {}", quote(url)));
        }
        if let Some(cmd) = &self.grpc_spawn {
            out.push_str(&format!(" --grpc-spawn {}", quote(cmd)));
        }
        if let Some(path) = &self.cabi {
            out.push_str(&format!(" --cabi {}", quote(&path.display().to_string())));
        }
        for (flag, path) in [
            ("--mapi-provider", &self.mapi_provider),
            ("--provider-config", &self.provider_config),
            ("--mapi-bridge", &self.mapi_bridge),
        ] {
            if let Some(path) = path {
                out.push_str(&format!(" {flag} {}", quote(&path.display().to_string())));
            }
        }
        if self.isolate {
            out.push_str(" --isolate");
        }
        out
    }
}

/// What the suite runs: the implementation, its declared choices, and how cases are generated and
/// split (shared by `spoolcheck run` and `spoolcheck ledger update`).
#[derive(Debug, Args)]
pub struct SuiteArgs {
    /// The implementation.
    #[command(flatten)]
    pub target: TargetArgs,
    /// The declared choices (TOML; `spoolcheck choices` prints a template). Default: the defaults.
    #[arg(long, value_name = "FILE")]
    pub choices: Option<PathBuf>,
    /// The profile to check, overriding the choices file.
    #[arg(long, value_enum, ignore_case = true, value_name = "PROFILE")]
    pub profile: Option<ProfileArg>,
    /// The seed: the same seed runs the same cases and gives the same report.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Generated cases per search round (of the whole run: a shard runs its share of them).
    #[arg(long, default_value_t = 2048, value_parser = clap::value_parser!(u32).range(1..))]
    pub cases: u32,
    /// The longest generated operation sequence.
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub max_len: u64,
    /// SHOULD violations fail the run too (they are warnings otherwise).
    #[arg(long)]
    pub strict: bool,
    /// Where counterexample traces are written.
    #[arg(long, value_name = "DIR", default_value = "spoolcheck-failures")]
    pub out: PathBuf,
    /// Stop after this many distinct failures.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub max_failures: u64,
    /// Run only shard K of N (counted from 1), e.g. 2/4. Every shard generates the same case
    /// sequence and runs the cases i with i mod N = K-1, so the N shards together run exactly the
    /// unsharded run's cases. Merge their --json reports with `spoolcheck merge`.
    #[arg(long, value_name = "K/N", default_value = "1/1")]
    pub shard: Shard,
    /// Parallel workers, each with its own instance of the implementation. The report does not
    /// depend on the number (apart from timings).
    #[arg(long, value_name = "J", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub jobs: u64,
    /// Stop once this many operations have been sent, shrinking included (the case in progress
    /// finishes): a bound for a slow implementation. The report says what was covered within it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_ops: Option<u64>,
    /// Stop once this many seconds have passed (the case in progress finishes). Unlike the other
    /// settings, where it stops depends on the machine.
    #[arg(long, value_name = "S", value_parser = parse_seconds)]
    pub max_seconds: Option<f64>,
    /// The known-deviation ledger (TOML, `[[deviation]]` entries with rule, reason, optional
    /// signature and link). A failure whose rules are all listed is expected and does not fail the
    /// run; a listed deviation that does not occur is stale and does. `spoolcheck ledger update`
    /// writes one.
    #[arg(long, value_name = "FILE")]
    pub ledger: Option<PathBuf>,
}

/// How a run's results are reported and judged (shared by `spoolcheck run` and `spoolcheck merge`).
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// What goes to standard output: the text report, or the JSON report (see docs/report-schema.md).
    #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Text)]
    pub format: Format,
    /// Also write the JSON report to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Also write a JUnit XML report to FILE: one testcase per applicable rule.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also write the report as one self-contained HTML page to FILE (no scripts, nothing fetched).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Fail the run (exit 1) unless enough applicable rules were reached: `all`, or a percentage
    /// of the applicable rules such as 90 or 90%. The report names the rules never reached.
    #[arg(long, value_name = "all|PERCENT")]
    pub min_coverage: Option<MinCoverage>,
    /// What a stale ledger entry (a listed deviation that did not occur) does: fail the run, or
    /// only warn (for shards whose merged report decides).
    #[arg(long, value_enum, ignore_case = true, default_value_t = StaleArg::Fail, value_name = "POLICY")]
    pub stale: StaleArg,
}

/// Arguments of `spoolcheck run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// What runs.
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// How it is reported.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Arguments of `spoolcheck merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The JSON reports of every shard of one run (`spoolcheck run --shard K/N --json FILE`).
    #[arg(value_name = "REPORT", required = true)]
    pub reports: Vec<PathBuf>,
    /// How the merged run is reported.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Arguments of `spoolcheck report`.
#[derive(Debug, Args)]
pub struct ReportCommandArgs {
    /// JSON reports (`spoolcheck run --json FILE`): of one run, or of several implementations or
    /// versions of one, shown side by side. The shard reports of one run are merged first.
    #[arg(value_name = "REPORT", required = true)]
    pub reports: Vec<PathBuf>,
    /// The HTML file to write.
    #[arg(long, value_name = "FILE", required = true)]
    pub html: PathBuf,
}

/// Arguments of `spoolcheck ledger`.
#[derive(Debug, Args)]
pub struct LedgerArgs {
    /// What to do with the ledger.
    #[command(subcommand)]
    pub action: LedgerAction,
}

/// The ledger's subcommands.
#[derive(Debug, Subcommand)]
pub enum LedgerAction {
    /// Run the suite and write the ledger from its results: entries that still occur are kept as
    /// they are (comments included), stale ones are removed, and each rule of a new failure is
    /// added with a placeholder reason to fill in. Default file: spoolcheck-ledger.toml.
    Update(SuiteArgs),
}

/// What a stale ledger entry does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StaleArg {
    /// Fail the run (exit 1).
    Fail,
    /// Report it only.
    Warn,
}

/// Arguments of `spoolcheck replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// A trace file written by `spoolcheck run`.
    #[arg(value_name = "TRACE")]
    pub trace: PathBuf,
    /// The implementation.
    #[command(flatten)]
    pub target: TargetArgs,
}

/// Arguments of `spoolcheck selftest`.
#[derive(Debug, Args)]
pub struct SelftestArgs {
    /// Only mutants of this profile.
    #[arg(long, value_enum, ignore_case = true, default_value_t = ProfileArg::Provider)]
    pub profile: ProfileArg,
    /// The seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Generated cases per search round on each mutant (as `spoolcheck run --cases`).
    #[arg(long, default_value_t = 2_048, value_parser = clap::value_parser!(u32).range(1..))]
    pub cases: u32,
    /// Output format.
    #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Text)]
    pub format: Format,
}

/// Arguments of `spoolcheck choices`.
#[derive(Debug, Args)]
pub struct ChoicesArgs {
    /// A preset instead of the defaults (default, tight-coupling-complete-msg, tight-coupling-local,
    /// resend-only-dosentmail, system, no-submission, permissive).
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
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

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Text for people.
    Text,
    /// JSON for programs.
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

/// A positive, finite number of seconds.
fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 1e9 => Ok(s),
        Ok(_) => Err("expected a number of seconds greater than 0".into()),
        Err(e) => Err(format!("expected a number of seconds: {e}")),
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
