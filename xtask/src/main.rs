//! Development chores, run as `cargo xtask <task>` (alias in .cargo/config.toml).
//!
//! Tasks:
//!   provenance [--check]   write specs/PROVENANCE.md from the specs' x-assumptions
//!   codegen [--check]      regenerate crates/models-* and specs/json-schema/ from specs/

use std::path::PathBuf;
use std::process::ExitCode;

mod codegen;
mod provenance;

const USAGE: &str = "usage: cargo xtask <task> [--check]

tasks:
  provenance [--check]   write specs/PROVENANCE.md from the specs' x-assumptions
                         (--check: fail if it is stale, write nothing)
  codegen [--check]      regenerate crates/models-* and specs/json-schema/ from specs/
                         (--check: fail naming the stale files, write nothing)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = root.canonicalize().unwrap_or(root);
    let check = args.iter().any(|a| a == "--check");
    if let Some(bad) = args.iter().skip(1).find(|a| *a != "--check") {
        eprintln!("unknown argument `{bad}`\n\n{USAGE}");
        return ExitCode::from(2);
    }
    let result = match args.first().map(String::as_str) {
        Some("provenance") => provenance::run(&root, check),
        Some("codegen") => codegen::run(&root, check),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => {
            eprintln!("unknown task `{other}`\n\n{USAGE}");
            return ExitCode::from(2);
        }
        None => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
