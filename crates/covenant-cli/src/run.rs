//! `covenant run`: the conformance suite against one provider (a base URL, or
//! `mock` for the embedded mock), plus the options, progress bar, terminal summary
//! and report writing that `covenant check` shares.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use covenant_runner::config::{Config, ProviderConfig};
use covenant_runner::{Check, ClientOptions, CredentialScrubber, Progress, Report, RunOptions};

/// Options shared by `covenant run` and `covenant check`.
#[derive(Debug, Clone, Args)]
pub struct SuiteArgs {
    /// Seed of case generation: the same seed gives the same cases.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Valid cases per operation (also the cap on invalid cases per operation).
    #[arg(long, default_value_t = 50)]
    pub cases: usize,
    /// Comma-separated checks to apply (default: all; see the list below).
    #[arg(long, value_name = "a,b")]
    pub checks: Option<String>,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Requests per second at most (default: unlimited).
    #[arg(long)]
    pub rate: Option<f64>,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
    /// Threshold for the response_time check, in milliseconds (check off when unset).
    #[arg(long, value_name = "MS")]
    pub max_response_time: Option<u64>,
    /// Where report.json, junit.xml and report.md go.
    #[arg(long, default_value = "target/covenant-reports")]
    pub report_dir: PathBuf,
    /// Run only slice K of N of the cases (for spreading a run over N CI machines;
    /// combine the reports with `covenant report merge`).
    #[arg(long, value_name = "K/N")]
    pub partition: Option<String>,
    /// A previous report.json: only violations not in it fail the run.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Report failing cases as found, without shrinking them.
    #[arg(long)]
    pub no_shrink: bool,
    /// What a violation that does not fail again when its minimal case is replayed
    /// alone counts as: `pass` (reported as flaky, the run still passes) or `fail`.
    #[arg(long, value_name = "pass|fail", default_value = "pass", value_parser = ["pass", "fail"])]
    pub flaky: String,
    /// Leave an operation out (its operationId, or "METHOD /path" as in the spec);
    /// repeatable. A selected operation that cannot be tested makes the run exit 2;
    /// excluding it says that is accepted, and the reports list it as excluded.
    #[arg(long = "exclude-operation", value_name = "OPERATION")]
    pub exclude_operations: Vec<String>,
    /// Fail the run (exit 1) when a provider's coverage is below PERCENT: of all
    /// items, or of one category (statuses, parameters, members, enum_values,
    /// branches, constraints: see "coverage of the contract" in report.md).
    /// Repeatable, e.g. `--min-coverage 60 --min-coverage statuses=50`.
    #[arg(long = "min-coverage", value_name = "[CATEGORY=]PERCENT")]
    pub min_coverage: Vec<String>,
    /// Infer no resource for an operation (its operationId, or "METHOD /path"), as if
    /// the spec marked it `x-covenant-resource: false`; repeatable (covenant.toml:
    /// `no-infer = [...]`). Turns off one wrong inference (from links, a Location
    /// header, REST paths or an RPC pair): a create so named takes its whole
    /// resource with it, so no sequence or walk starts there.
    #[arg(long = "no-infer", value_name = "OPERATION")]
    pub no_infer: Vec<String>,
}

impl SuiteArgs {
    pub fn options(&self) -> Result<RunOptions, String> {
        let checks = match &self.checks {
            Some(list) => covenant_runner::checks::parse_list(list).map_err(|e| e.to_string())?,
            None => Check::ALL.to_vec(),
        };
        if checks.is_empty() {
            return Err("--checks names no check".into());
        }
        if !(self.timeout.is_finite() && self.timeout > 0.0) {
            return Err(format!(
                "--timeout must be a positive number of seconds, got {}",
                self.timeout
            ));
        }
        if self.concurrency == 0 {
            return Err("--concurrency must be at least 1".into());
        }
        if let Some(r) = self.rate
            && !(r.is_finite() && r > 0.0)
        {
            return Err(format!(
                "--rate must be a positive number of requests per second, got {r}"
            ));
        }
        let partition = match &self.partition {
            Some(p) => Some(covenant_runner::parse_partition(p).map_err(|e| e.to_string())?),
            None => None,
        };
        Ok(RunOptions {
            seed: self.seed,
            cases: self.cases,
            checks,
            client: ClientOptions {
                timeout: Duration::from_secs_f64(self.timeout),
                concurrency: self.concurrency,
                rate: self.rate,
            },
            partition,
            max_response_time: self.max_response_time.map(Duration::from_millis),
            shrink_runs: if self.no_shrink { 0 } else { 200 },
            exclude: self.exclude_operations.clone(),
            flaky_fails: self.flaky == "fail",
            min_coverage: self
                .min_coverage
                .iter()
                .map(|m| covenant_runner::coverage::MinCoverage::parse(m))
                .collect::<Result<_, _>>()?,
            no_infer: self.no_infer.clone(),
        })
    }
}

#[derive(Debug, Args)]
#[command(after_help = Check::help_table() + "\nExit codes: 0 no violations (none new with --baseline) and every selected operation tested, 1 violations found or coverage below --min-coverage, 2 the run could not happen (unreadable spec, provider unreachable, bad config, missing credentials) or a selected operation could not be tested (see --exclude-operation).")]
pub struct RunArgs {
    /// The provider's spec (OpenAPI 3.0 YAML or JSON).
    #[arg(long)]
    pub spec: PathBuf,
    /// The provider's base URL, or `mock` to start the embedded mock in-process.
    #[arg(long)]
    pub base_url: String,
    /// Where credential sources are configured (the provider whose spec file name
    /// matches --spec). Defaults to ./covenant.toml when it exists. Without one (or
    /// for a scheme it leaves out), each security scheme's secret comes from
    /// $COVENANT_<PROVIDER>_<SCHEME> (HTTP Basic: ..._USERNAME and ..._PASSWORD);
    /// `--base-url mock` falls back to the mock's local values, which
    /// `covenant mock` prints at start.
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub suite: SuiteArgs,
}

pub fn run(args: RunArgs) -> ExitCode {
    let opts = match args.suite.options() {
        Ok(o) => o,
        Err(e) => return could_not_run(&e),
    };
    let config_path = args
        .config
        .clone()
        .or_else(|| Some(PathBuf::from("covenant.toml")).filter(|p| p.exists()));
    let (credentials, (exclude_operations, no_infer), root, path, name) = match &config_path {
        Some(p) => match Config::load(p) {
            Ok(c) => match c.provider_for_spec(&args.spec) {
                Some((name, pc)) => (
                    pc.credentials.clone(),
                    (pc.exclude_operations.clone(), pc.no_infer.clone()),
                    c.root.clone(),
                    c.path.clone(),
                    name.clone(),
                ),
                None => (
                    Default::default(),
                    Default::default(),
                    c.root.clone(),
                    c.path.clone(),
                    covenant_runner::config::provider_name(&args.spec),
                ),
            },
            Err(e) => return could_not_run(&e.to_string()),
        },
        // No config: every security scheme gets its implied variable (and the
        // embedded mock's local values).
        None => (
            Default::default(),
            Default::default(),
            PathBuf::from("."),
            None,
            covenant_runner::config::provider_name(&args.spec),
        ),
    };
    let spec = if args.spec.is_absolute() {
        args.spec.clone()
    } else {
        // Spec paths in the config resolve against its directory; this one is the user's.
        std::env::current_dir()
            .map(|d| d.join(&args.spec))
            .unwrap_or_else(|_| args.spec.clone())
    };
    let mut providers = std::collections::BTreeMap::new();
    providers.insert(
        name,
        ProviderConfig {
            spec,
            base_url: args.base_url.clone(),
            credentials,
            exclude_operations,
            no_infer,
        },
    );
    let config = Config {
        providers,
        root,
        path,
    };
    execute(&config, &opts, &args.suite)
}

pub fn could_not_run(message: &str) -> ExitCode {
    eprintln!("covenant: {message}");
    ExitCode::from(2)
}

/// Runs the suite over `config`'s providers, prints the summary, writes the reports,
/// and returns the exit code.
pub fn execute(config: &Config, opts: &RunOptions, args: &SuiteArgs) -> ExitCode {
    let baseline = match &args.baseline {
        Some(p) => match Report::read(p) {
            Ok(r) => Some(r),
            Err(e) => return could_not_run(&e.to_string()),
        },
        None => None,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return could_not_run(&format!("cannot start the async runtime: {e}")),
    };
    let bar = progress_bar();
    let progress: Option<Progress> = bar.clone().map(|b| {
        let p: Progress = Arc::new(move |provider: &str, done: usize, total: usize| {
            b.set_length(total as u64);
            b.set_position(done as u64);
            b.set_message(provider.to_string());
        });
        p
    });
    let (mut report, scrubber) =
        runtime.block_on(covenant_runner::suite::check(config, opts, progress));
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if let Some(base) = &baseline {
        report.apply_baseline(base);
    }
    print_summary(&report, &scrubber);
    if let Err(e) = report.write(&args.report_dir, &scrubber) {
        return could_not_run(&e.to_string());
    }
    eprintln!(
        "reports: {} (report.json, junit.xml, report.md, report.html)",
        args.report_dir.display()
    );
    ExitCode::from(report.exit_code())
}

fn progress_bar() -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    let style = indicatif::ProgressStyle::with_template(if color() {
        "{msg:>12.cyan} [{bar:30}] {pos}/{len} cases {per_sec}"
    } else {
        "{msg:>12} [{bar:30}] {pos}/{len} cases {per_sec}"
    })
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    Some(bar)
}

/// Colour only on a terminal, and never with NO_COLOR set (https://no-color.org).
fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// `rebilly coverage: statuses 12/20 (60.0%), ...`, and each --min-coverage result.
fn coverage_line(p: &covenant_runner::report::ProviderReport) -> String {
    use covenant_runner::coverage::Category;
    let parts: Vec<String> = Category::ALL
        .iter()
        .map(|c| c.name())
        .chain(["all"])
        .filter_map(|k| {
            let t = p.coverage_totals.get(k)?;
            (t.total > 0).then(|| format!("{k} {}/{} ({:.1}%)", t.covered, t.total, t.percent()))
        })
        .collect();
    let mut out = format!("\n{} coverage: {}\n", p.name, parts.join(", "));
    for g in &p.coverage_gate {
        out.push_str(&format!(
            "{}: --min-coverage {}: {:.1}%, {}\n",
            p.name,
            g.minimum,
            g.percent,
            if g.met {
                "met"
            } else {
                "BELOW THE MINIMUM (exit 1)"
            }
        ));
    }
    out
}

fn print_summary(report: &Report, scrubber: &CredentialScrubber) {
    let paint = |code: &str, text: &str| {
        if color() {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    out.push_str(&format!(
        "{:<12} {:>5} {:>7} {:>8} {:>7} {:>7} {:>8} {:>10}  result\n",
        "provider", "ops", "cases", "requests", "passed", "failed", "skipped", "violations"
    ));
    for p in &report.providers {
        use covenant_runner::report::{Status, Verdict};
        let verdict = p.verdict(report.flaky_fails);
        let result = paint(
            match verdict {
                Verdict::CouldNotRun | Verdict::Incomplete => "33",
                Verdict::Fail | Verdict::BelowCoverage => "31",
                Verdict::Pass => "32",
            },
            verdict.label(),
        );
        out.push_str(&format!(
            "{:<12} {:>5} {:>7} {:>8} {:>7} {:>7} {:>8} {:>10}  {}\n",
            p.name,
            p.operations.len(),
            p.cases,
            p.requests,
            p.count(Status::Passed),
            p.count(Status::Failed),
            p.count(Status::Skipped),
            p.violations.len(),
            result
        ));
    }
    for p in &report.providers {
        if let Some(e) = &p.error {
            out.push_str(&format!("\n{}: could not run: {e}\n", p.name));
        }
        for v in p.violations.iter().filter(|v| v.new) {
            let flaky = if v.flaky {
                "flaky (did not fail when replayed alone): "
            } else {
                ""
            };
            out.push_str(&format!("\n{flaky}{}\n", v.describe()));
        }
        out.push_str(&covenant_runner::report::coverage_notes(p));
        if p.error.is_none() {
            out.push_str(&coverage_line(p));
        }
    }
    let s = &report.summary;
    out.push_str(&format!(
        "\n{} provider(s), {} case(s), {} request(s) in {} ms: {} violation(s){}{}, {} could not run, {} operation(s) not tested\n",
        s.providers,
        s.cases,
        s.requests,
        report.timing.duration_ms,
        s.violations,
        if s.new_violations != s.violations {
            format!(" ({} new)", s.new_violations)
        } else {
            String::new()
        },
        if s.flaky > 0 {
            format!(" ({} flaky)", s.flaky)
        } else {
            String::new()
        },
        s.could_not_run,
        s.untested
    ));
    print!("{}", scrubber.scrub(&out));
}
