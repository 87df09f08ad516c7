//! `covenant lint`.

use std::path::PathBuf;
use std::process::ExitCode;

use covenant_spec::lint::{LintOutcome, lint_file};
use covenant_spec::{Diagnostic, Severity};

/// How `covenant lint` prints its diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `file:line:col: severity[code]: message (#/pointer)`
    Text,
    /// One JSON document with every diagnostic.
    Json,
}

pub fn run(specs: &[PathBuf], format: Format, quiet: bool) -> ExitCode {
    let mut unreadable = false;
    let mut errors = 0usize;
    let mut warnings = 0usize;
    let mut json_files = Vec::new();
    for path in specs {
        match lint_file(path) {
            LintOutcome::Unreadable(e) => {
                unreadable = true;
                match format {
                    Format::Text => eprintln!("{e}"),
                    Format::Json => json_files.push(serde_json::json!({
                        "file": path, "readable": false, "error": e.to_string(), "location": e.location(),
                    })),
                }
            }
            LintOutcome::Checked(diags) => {
                let shown: Vec<&Diagnostic> = diags
                    .iter()
                    .filter(|d| !quiet || d.severity == Severity::Error)
                    .collect();
                errors += diags
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .count();
                warnings += diags
                    .iter()
                    .filter(|d| d.severity == Severity::Warning)
                    .count();
                match format {
                    Format::Text => {
                        for d in shown {
                            println!("{d}");
                        }
                    }
                    Format::Json => json_files.push(serde_json::json!({
                        "file": path, "readable": true, "diagnostics": shown,
                    })),
                }
            }
        }
    }
    match format {
        Format::Text => eprintln!(
            "{} file(s): {errors} error(s), {warnings} warning(s){}",
            specs.len(),
            if unreadable {
                ", some files could not be read"
            } else {
                ""
            }
        ),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "files": json_files, "errors": errors, "warnings": warnings })
            )
            .expect("diagnostics serialise")
        ),
    }
    if unreadable {
        ExitCode::from(2)
    } else if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
