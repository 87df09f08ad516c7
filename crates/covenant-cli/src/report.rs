//! `covenant report merge`: combines the report.json files of a partitioned run
//! (`--partition K/N` on N machines) into one set of reports.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use covenant_runner::report::{CredentialScrubber, Report, merge};

use crate::run::could_not_run;

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub command: ReportCommand,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Merge report.json files (partitions of one run, or runs of different
    /// providers) into report.json, junit.xml and report.md. Exit code as for a
    /// run: 0 no violations, 1 violations, 2 a provider could not run or a file is
    /// not a covenant report.
    Merge {
        /// report.json files.
        #[arg(required = true)]
        reports: Vec<PathBuf>,
        /// Where the merged reports go.
        #[arg(long, default_value = "target/covenant-reports/merged")]
        report_dir: PathBuf,
    },
}

pub fn run(args: ReportArgs) -> ExitCode {
    match args.command {
        ReportCommand::Merge {
            reports,
            report_dir,
        } => {
            let mut read = Vec::new();
            for p in &reports {
                match Report::read(p) {
                    Ok(r) => read.push(r),
                    Err(e) => return could_not_run(&e.to_string()),
                }
            }
            let merged = match merge(&read) {
                Ok(m) => m,
                Err(e) => return could_not_run(&e),
            };
            if let Err(e) = merged.write(&report_dir, &CredentialScrubber::default()) {
                return could_not_run(&e.to_string());
            }
            let s = &merged.summary;
            println!(
                "merged {} report(s): {} case(s), {} violation(s), {} could not run -> {}",
                reports.len(),
                s.cases,
                s.violations,
                s.could_not_run,
                report_dir.display()
            );
            ExitCode::from(merged.exit_code())
        }
    }
}
