//! `covenant snapshot`: record a provider's fixed, seeded exchange set as a redacted
//! insta snapshot (crates/covenant-snapshot), check it against the stored one, or
//! compare with a stored one and write the behaviour diff as Markdown and HTML.
//! Exit 0 unchanged/written, 1 an exchange changed, 2 could not run.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

use covenant_runner::config::{Config, Credentials, resolve_credentials};
use covenant_snapshot::{Options, SnapshotError};

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["base_url", "mock", "from"])))]
pub struct SnapshotArgs {
    /// The provider's spec.
    #[arg(long)]
    pub spec: PathBuf,
    /// A live provider's base URL (credentials from covenant.toml's provider for this spec).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Record the embedded mock of the spec, started in-process on 127.0.0.1.
    #[arg(long)]
    pub mock: bool,
    /// Record nothing: take `<DIR>/<provider>.snap` as the new snapshot (e.g. one
    /// `covenant proxy --record DIR` wrote from real traffic), to check or compare.
    #[arg(long, value_name = "DIR")]
    pub from: Option<PathBuf>,
    /// Directory of `<provider>.snap` (and, with --compare, the reports).
    #[arg(long)]
    pub out: PathBuf,
    /// Write nothing; exit 1 if the provider no longer matches `<out>/<provider>.snap`.
    #[arg(long, conflicts_with = "compare")]
    pub check: bool,
    /// Compare with `<DIR>/<provider>.snap`: record into --out, write
    /// snapshot-report.md and report.html there, exit 1 when an exchange changed.
    #[arg(long, value_name = "DIR")]
    pub compare: Option<PathBuf>,
    /// A conformance run's report.json to render in report.html (with --compare).
    #[arg(long, value_name = "FILE")]
    pub run_report: Option<PathBuf>,
    /// covenant.toml naming where credentials come from (default: ./covenant.toml if present).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Seed of the generated requests.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

fn could_not_run(message: &str) -> ExitCode {
    eprintln!("covenant snapshot: {message}");
    ExitCode::from(2)
}

/// Credentials configured for this spec in covenant.toml, if any, with the
/// implied variables (`$COVENANT_<PROVIDER>_<SCHEME>`) for schemes it leaves out.
fn configured(
    args: &SnapshotArgs,
    spec: &covenant_spec::Spec,
) -> Result<Option<Credentials>, String> {
    let path = args
        .config
        .clone()
        .or_else(|| Some(PathBuf::from("covenant.toml")).filter(|p| p.exists()));
    let (root, sources) = match path {
        Some(path) => {
            let config = Config::load(&path).map_err(|e| e.to_string())?;
            match config.provider_for_spec(&args.spec) {
                Some((_, p)) => (config.root.clone(), p.credentials.clone()),
                None => (config.root.clone(), Default::default()),
            }
        }
        None => (PathBuf::from("."), Default::default()),
    };
    let sources = covenant_runner::config::sources_for(
        &covenant_runner::config::provider_name(&args.spec),
        spec,
        &sources,
        None,
    );
    let creds = resolve_credentials(&root, &sources).map_err(|e| e.to_string())?;
    Ok((!creds.is_empty()).then_some(creds))
}

pub fn run(args: SnapshotArgs) -> ExitCode {
    let spec = match covenant_spec::Spec::load(&args.spec) {
        Ok(s) => Arc::new(s),
        Err(e) => return could_not_run(&e.to_string()),
    };
    let credentials = match configured(&args, &spec) {
        Ok(Some(c)) => c,
        Ok(None) if args.mock => covenant_snapshot::local_credentials(&spec),
        Ok(None) => Credentials::new(),
        Err(e) => return could_not_run(&e),
    };
    let run_report = match &args.run_report {
        Some(p) => match covenant_runner::Report::read(p) {
            Ok(r) => Some(r),
            Err(e) => return could_not_run(&e.to_string()),
        },
        None => None,
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return could_not_run(&format!("cannot start the async runtime: {e}")),
    };
    let options = Options {
        seed: args.seed,
        ..Options::default()
    };
    if let Some(dir) = &args.from {
        let snapshot = match covenant_snapshot::read_snapshot(dir, &spec.provider) {
            Ok(s) => s,
            Err(e) => return could_not_run(&e.to_string()),
        };
        let mut redactor = covenant_redact::Redactor::new(covenant_redact::Rules::from_spec(&spec));
        return finish(&args, snapshot, run_report.as_ref(), &mut redactor);
    }
    let recorded = rt.block_on(async {
        match &args.base_url {
            Some(url) if !args.mock => {
                covenant_snapshot::record(&spec, url, &credentials, &options).await
            }
            _ => covenant_snapshot::record_mock(spec.clone(), &credentials, &options).await,
        }
    });
    let recording = match recorded {
        Ok(r) => r,
        Err(e) => return could_not_run(&e.to_string()),
    };
    let mut redactor = covenant_snapshot::redactor_for(&spec, &recording);
    let snapshot = covenant_snapshot::normalise::normalise_with(&mut redactor, &recording);
    finish(&args, snapshot, run_report.as_ref(), &mut redactor)
}

/// Checks, or writes and compares, `snapshot` as the arguments say.
fn finish(
    args: &SnapshotArgs,
    snapshot: covenant_snapshot::Snapshot,
    run_report: Option<&covenant_runner::Report>,
    redactor: &mut covenant_redact::Redactor,
) -> ExitCode {
    if args.check {
        return match covenant_snapshot::read_snapshot(&args.out, &snapshot.provider) {
            Ok(stored) => verdict(&covenant_snapshot::compare(&stored, &snapshot)),
            Err(e @ SnapshotError::Missing { .. }) => {
                eprintln!("covenant snapshot: {e}");
                ExitCode::from(1)
            }
            Err(e) => could_not_run(&e.to_string()),
        };
    }
    let stored = match &args.compare {
        Some(dir) => match covenant_snapshot::read_snapshot(dir, &snapshot.provider) {
            Ok(s) => Some(s),
            Err(e) => return could_not_run(&e.to_string()),
        },
        None => None,
    };
    let written = match covenant_snapshot::write_snapshot(&args.out, &snapshot) {
        Ok(p) => p,
        Err(e) => return could_not_run(&e.to_string()),
    };
    eprintln!("snapshot: {}", written.display());
    let Some(stored) = stored else {
        return ExitCode::SUCCESS;
    };
    let diff = covenant_snapshot::compare(&stored, &snapshot);
    match covenant_snapshot::write_reports(
        &args.out,
        std::slice::from_ref(&diff),
        run_report,
        redactor,
    ) {
        Ok((md, html)) => eprintln!("reports: {}, {}", show(&md), show(&html)),
        Err(e) => return could_not_run(&e.to_string()),
    }
    verdict(&diff)
}

fn show(p: &Path) -> String {
    p.display().to_string()
}

fn verdict(diff: &covenant_snapshot::ProviderDiff) -> ExitCode {
    if !diff.changed() {
        eprintln!(
            "{}: {} exchange(s), none changed",
            diff.provider, diff.compared
        );
        return ExitCode::SUCCESS;
    }
    eprintln!(
        "{}: {} of {} exchange(s) changed:",
        diff.provider,
        diff.exchanges.len(),
        diff.compared
    );
    for e in &diff.exchanges {
        eprintln!("  {} ({})", e.id, e.change.label());
    }
    ExitCode::from(1)
}
