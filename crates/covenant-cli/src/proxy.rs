//! `covenant proxy`: a validating, recording reverse proxy in front of a provider
//! (crates/covenant-proxy). Prints the bound address on stdout
//! (`<provider> http://127.0.0.1:<port>`), forwards until SIGINT/SIGTERM, then
//! writes the reports and the recording. Exit 0 no finding, 1 findings, 2 could
//! not run.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

#[derive(Debug, Args)]
pub struct ProxyArgs {
    /// The provider's spec: every exchange is checked against it.
    #[arg(long)]
    pub spec: PathBuf,
    /// The provider's base URL (http:// or https://); each request's path and query
    /// are appended to it.
    #[arg(long)]
    pub upstream: String,
    /// Address to bind; port 0 picks an ephemeral port (printed on stdout).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// covenant.toml naming this provider's credentials: their values are then
    /// shown as their variables (`$COVENANT_...`) in every output. Credentials seen
    /// in traffic are redacted either way.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Directory for findings.jsonl (one line per distinct finding, written as it
    /// is found) and, on SIGINT/SIGTERM, report.json, junit.xml, report.md and
    /// report.html.
    #[arg(long, default_value = "target/covenant-proxy")]
    pub report_dir: PathBuf,
    /// Directory to write the exchanges into on SIGINT/SIGTERM, as a redacted
    /// `<provider>.snap` in `covenant snapshot`'s format (compare two with
    /// `covenant snapshot --from DIR --compare DIR2`).
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
    /// Refuse requests that break the contract (parameters, body, media type, an
    /// undocumented path) with the provider's error answer, without forwarding
    /// them to the upstream.
    #[arg(long)]
    pub enforce: bool,
    /// Exit 1 at the end when the traffic exercised less than PERCENT of the
    /// contract: of all items, or of one category (statuses, parameters, members,
    /// enum_values, branches). Repeatable.
    #[arg(long = "min-coverage", value_name = "[CATEGORY=]PERCENT")]
    pub min_coverage: Vec<String>,
    /// Threshold for the response_time check, in milliseconds: an upstream answer
    /// slower than this (forwarded request to its last byte) is a finding against
    /// the provider (check off when unset).
    #[arg(long, value_name = "MS")]
    pub max_response_time: Option<u64>,
}

fn could_not_run(message: &str) -> ExitCode {
    eprintln!("covenant proxy: {message}");
    ExitCode::from(2)
}

/// The credentials covenant.toml (or the implied variables) give this spec, if
/// they resolve: known values to scrub, nothing the proxy needs to run.
fn known_credentials(
    args: &ProxyArgs,
    spec: &covenant_spec::Spec,
    provider: &str,
) -> Result<covenant_runner::Credentials, String> {
    let (root, sources) = match &args.config {
        Some(path) => {
            let config = covenant_runner::Config::load(path).map_err(|e| e.to_string())?;
            let sources = config
                .provider_for_spec(&args.spec)
                .map(|(_, p)| p.credentials.clone())
                .unwrap_or_default();
            (config.root.clone(), sources)
        }
        None => (PathBuf::from("."), Default::default()),
    };
    let sources = covenant_runner::config::sources_for(provider, spec, &sources, None);
    Ok(covenant_runner::config::resolve_credentials(&root, &sources).unwrap_or_default())
}

pub fn run(args: ProxyArgs) -> ExitCode {
    let spec = match covenant_spec::Spec::load(&args.spec) {
        Ok(s) => Arc::new(s),
        Err(e) => return could_not_run(&e.to_string()),
    };
    let provider = covenant_runner::config::provider_name(&args.spec);
    let credentials = match known_credentials(&args, &spec, &provider) {
        Ok(c) => c,
        Err(e) => return could_not_run(&e),
    };
    let mut options = covenant_proxy::ProxyOptions::new(spec, &provider, &args.upstream);
    options.enforce = args.enforce;
    options.report_dir = Some(args.report_dir.clone());
    options.record_dir = args.record.clone();
    options.credentials = credentials;
    options.max_response_time = args.max_response_time.map(std::time::Duration::from_millis);
    options.min_coverage = match args
        .min_coverage
        .iter()
        .map(|m| covenant_runner::coverage::MinCoverage::parse(m))
        .collect::<Result<_, _>>()
    {
        Ok(m) => m,
        Err(e) => return could_not_run(&e),
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return could_not_run(&format!("cannot start the async runtime: {e}")),
    };
    rt.block_on(async move {
        let server = match covenant_proxy::start(options, args.listen).await {
            Ok(s) => s,
            Err(e) => return could_not_run(&e.to_string()),
        };
        println!("{provider} {}", server.url());
        let _ = std::io::stdout().flush();
        eprintln!(
            "covenant proxy: forwarding to {}{}; findings in {}",
            args.upstream,
            if args.enforce {
                " (enforcing the contract)"
            } else {
                ""
            },
            args.report_dir
                .join(covenant_proxy::sink::FINDINGS_FILE)
                .display()
        );
        covenant_mock::shutdown_signal().await;
        eprintln!("shutting down");
        match server.finish().await {
            Ok(s) => {
                eprintln!(
                    "covenant proxy: {} exchange(s), {} finding(s); reports in {}",
                    s.exchanges,
                    s.findings,
                    args.report_dir.display()
                );
                for p in &s.report.providers {
                    for g in p.coverage_gate.iter().filter(|g| !g.met) {
                        eprintln!(
                            "covenant proxy: --min-coverage {}: the traffic exercised {:.1}%",
                            g.minimum, g.percent
                        );
                    }
                }
                if s.findings > 0 || s.report.summary.coverage_below > 0 {
                    ExitCode::from(1)
                } else {
                    ExitCode::SUCCESS
                }
            }
            Err(e) => could_not_run(&e.to_string()),
        }
    })
}
