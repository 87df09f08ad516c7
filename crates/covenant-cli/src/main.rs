//! `covenant`: turn provider specs into contracts and hold implementations to them.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

// The mock and the runner allocate per request (JSON values); mimalloc keeps that
// cheap under load (see crates/covenant-mock/bench).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod check;
mod codegen;
mod lint;
mod mock;
mod proxy;
mod report;
mod run;
mod snapshot;

/// covenant: OpenAPI contracts for KYC providers: lint specs, serve mocks, run
/// conformance checks.
///
/// Exit codes are shared by every subcommand: 0 success, 1 problems found
/// (lint errors, contract violations), 2 the command could not run (unreadable
/// input, bad configuration).
#[derive(Debug, Parser)]
#[command(name = "covenant", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check OpenAPI specs for problems: dangling or cyclic $refs, path parameters
    /// missing from the template, enum values or examples that fail their own
    /// schema, operations without a 2xx response, malformed covenant extensions.
    ///
    /// Each diagnostic names the file, line, column and JSON Pointer. Warnings name
    /// constructs covenant does not support yet. Exit 0 when no errors, 1 when any
    /// spec has errors, 2 when a file cannot be read or parsed as OpenAPI 3.0 or 3.1.
    Lint {
        /// Spec files (YAML or JSON).
        #[arg(required = true)]
        specs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = lint::Format::Text)]
        format: lint::Format,
        /// Do not print warnings (they never affect the exit code).
        #[arg(long)]
        quiet: bool,
    },
    /// Run the conformance suite against one provider: valid and invalid cases
    /// generated from the spec, auth, idempotent replays and create-then-read,
    /// every failure shrunk to a minimal curl reproduction.
    Run(run::RunArgs),
    /// The main job: run the conformance suite against every provider in
    /// covenant.toml (embedded mocks for those marked `mock`), print one summary,
    /// write report.json, junit.xml and report.md.
    Check(check::CheckArgs),
    /// Work with reports (merge the reports of a partitioned run).
    Report(report::ReportArgs),
    /// Serve specs as mock providers (validation, the provider's error style, auth,
    /// state, idempotency, scenarios) until SIGINT/SIGTERM; prints each bound address.
    Mock(mock::MockArgs),
    /// Write a standalone Rust model crate for any spec: serde types with
    /// `#[derive(Validate)]` validators and JSON Schemas, one per schema, body,
    /// parameter set and webhook payload.
    Codegen(codegen::CodegenArgs),
    /// Record a provider's behaviour as a redacted audit snapshot (one insta .snap per
    /// provider), check it, or compare with a stored one (Markdown + HTML diff report).
    Snapshot(snapshot::SnapshotArgs),
    /// A validating, recording reverse proxy: forwards every exchange to the
    /// upstream unchanged and checks it against the spec (the request: a finding
    /// against the client; the answer: against the provider). Findings are appended
    /// to findings.jsonl as they happen; the reports are written on SIGINT/SIGTERM.
    Proxy(proxy::ProxyArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Lint {
            specs,
            format,
            quiet,
        } => lint::run(&specs, format, quiet),
        Command::Run(args) => run::run(args),
        Command::Check(args) => check::run(args),
        Command::Report(args) => report::run(args),
        Command::Mock(args) => mock::run(args),
        Command::Snapshot(args) => snapshot::run(args),
        Command::Codegen(args) => codegen::run(args),
        Command::Proxy(args) => proxy::run(args),
    }
}
