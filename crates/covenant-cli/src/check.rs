//! `covenant check`: the main job. Reads `covenant.toml`, starts the embedded mock
//! for every provider marked `mock`, runs the conformance suite against each
//! provider, prints one summary and writes the three reports.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use covenant_runner::{Check, Config};

use crate::run::{SuiteArgs, could_not_run, execute};

#[derive(Debug, Args)]
#[command(after_help = Check::help_table() + "\nExit codes: 0 no violations (none new with --baseline) and every selected operation tested, 1 violations found or coverage below --min-coverage, 2 some provider could not be run (unreadable spec, provider unreachable, bad config) or a selected operation could not be tested.")]
pub struct CheckArgs {
    /// The configuration listing the providers.
    #[arg(long, default_value = "covenant.toml")]
    pub config: PathBuf,
    /// Run only these providers (repeatable; default: all in the config).
    #[arg(long = "provider", value_name = "NAME")]
    pub providers: Vec<String>,
    #[command(flatten)]
    pub suite: SuiteArgs,
}

pub fn run(args: CheckArgs) -> ExitCode {
    let opts = match args.suite.options() {
        Ok(o) => o,
        Err(e) => return could_not_run(&e),
    };
    let mut config = match Config::load(&args.config) {
        Ok(c) => c,
        Err(e) => return could_not_run(&e.to_string()),
    };
    if !args.providers.is_empty() {
        for name in &args.providers {
            if !config.providers.contains_key(name) {
                return could_not_run(&format!(
                    "{}: no provider `{name}` (known: {})",
                    args.config.display(),
                    config
                        .providers
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        config.providers.retain(|k, _| args.providers.contains(k));
    }
    execute(&config, &opts, &args.suite)
}
