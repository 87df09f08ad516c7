//! `covenant mock`: serve one or more specs with the mock engine (crates/covenant-mock)
//! until SIGINT/SIGTERM. Each spec gets its own address: with port 0 each binds an
//! ephemeral port, with port P the n-th spec binds P+n. The bound addresses are
//! printed on stdout, one line per spec (`<provider> http://127.0.0.1:<port>`), so
//! scripts can read them.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

#[derive(Debug, Args)]
pub struct MockArgs {
    /// Spec files to serve (repeat for several providers).
    #[arg(long = "spec", required = true)]
    pub specs: Vec<PathBuf>,
    /// Address to bind; port 0 picks an ephemeral port per spec.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// covenant.toml whose [mock] table sets limits, store bounds and credentials
    /// (COVENANT_MOCK_* environment variables override it). A spec that the file
    /// also lists under [providers.<name>] accepts that provider's credentials
    /// (resolved from the same variables and defaults `covenant run` uses), so a
    /// standalone mock and the runner agree on them.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

pub fn run(args: MockArgs) -> ExitCode {
    // Colour only on a terminal and never with NO_COLOR (logs often go to files).
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .try_init();
    let config = match covenant_mock::MockConfig::load(args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    rt.block_on(async move {
        let mut servers = Vec::new();
        for (i, path) in args.specs.iter().enumerate() {
            let spec = match covenant_spec::Spec::load(path) {
                Ok(s) => Arc::new(s),
                Err(e) => {
                    eprintln!("error: {}: {e}", path.display());
                    return ExitCode::from(2);
                }
            };
            let mut mock_config = config.clone();
            let mut configured = covenant_runner::Credentials::new();
            if let Some(path) = &args.config {
                match provider_credentials(path, &spec) {
                    Ok(Some(creds)) => {
                        covenant_runner::suite::give_credentials(&spec, &creds, &mut mock_config);
                        configured = creds;
                    }
                    Ok(None) => {}
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(2);
                    }
                }
            }
            eprint!(
                "{}",
                accepted_credentials(path, &spec, &mock_config, &configured)
            );
            let mut listen = args.listen;
            if listen.port() != 0 {
                listen.set_port(listen.port().saturating_add(i as u16));
            }
            match covenant_mock::start_spec(spec, mock_config, listen).await {
                Ok(s) => {
                    println!("{} {}", s.provider().provider(), s.url());
                    servers.push(s);
                }
                Err(e) => {
                    eprintln!("error: {}: {e}", path.display());
                    return ExitCode::from(2);
                }
            }
        }
        let _ = std::io::stdout().flush();
        covenant_mock::shutdown_signal().await;
        eprintln!("shutting down");
        for s in servers {
            s.shutdown().await;
        }
        ExitCode::SUCCESS
    })
}

/// What a client must send to this mock, per security scheme: the local values
/// (printed: they are not secrets) and the variables `covenant run` reads them from;
/// for schemes covenant.toml configures, only the variable names.
fn accepted_credentials(
    path: &std::path::Path,
    spec: &covenant_spec::Spec,
    mock: &covenant_mock::MockConfig,
    configured: &covenant_runner::Credentials,
) -> String {
    use covenant_spec::SecurityScheme;
    let provider = covenant_runner::config::provider_name(path);
    let mut out = String::new();
    for (name, scheme) in &spec.security_schemes {
        if let Some(c) = configured.get(name) {
            let vars = match &c.username {
                Some((_, u)) => format!("${u} and ${}", c.env),
                None => format!("${}", c.env),
            };
            out.push_str(&format!(
                "{provider}: {name} accepts the credentials covenant.toml configures ({vars})\n"
            ));
            continue;
        }
        let source = covenant_runner::config::implied_source(
            &provider,
            name,
            scheme,
            Some(&mock.credentials),
        );
        let local = source.default.clone().unwrap_or_default();
        let what = match scheme {
            SecurityScheme::ApiKey {
                name: key,
                location,
                ..
            } => {
                let place = match location {
                    covenant_spec::ParameterLocation::Query => "query parameter",
                    covenant_spec::ParameterLocation::Cookie => "cookie",
                    _ => "header",
                };
                format!("{place} {key}: {local}")
            }
            SecurityScheme::Http { scheme, .. } if scheme.eq_ignore_ascii_case("basic") => format!(
                "Basic user {} password {local}",
                source.username_default.as_deref().unwrap_or_default()
            ),
            _ => format!("Bearer {local}"),
        };
        out.push_str(&format!(
            "{provider}: {name} accepts {what} (local value, not a secret; `covenant run` reads {})\n",
            source.env_names()
        ));
    }
    out
}

/// The credentials covenant.toml gives the provider whose spec is `spec` (matched by
/// file name), or None when the file lists no such provider.
fn provider_credentials(
    path: &std::path::Path,
    spec: &covenant_spec::Spec,
) -> Result<Option<covenant_runner::Credentials>, covenant_runner::RunnerError> {
    // A config with only a [mock] table is fine: it simply names no provider.
    let has_providers = std::fs::read_to_string(path).is_ok_and(|t| t.contains("[providers"));
    if !has_providers {
        return Ok(None);
    }
    let config = covenant_runner::Config::load(path)?;
    let Some((_, provider)) = config.provider_for_spec(spec.path()) else {
        return Ok(None);
    };
    covenant_runner::config::resolve_credentials(&config.root, &provider.credentials).map(Some)
}
