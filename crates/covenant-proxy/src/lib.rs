//! A validating, recording reverse proxy (`covenant proxy`): put it between a
//! team's code and a provider's sandbox, and every real exchange is checked
//! against the contract while it passes through unchanged.
//!
//! Data flow, per request:
//!
//! ```text
//! client --HTTP--> forward (read body within the bound, drop hop-by-hop headers)
//!                    |  covenant_mock::Provider::inspect: route + parameters + body
//!                    |  (--enforce and a broken request: the provider-style refusal,
//!                    |   the upstream never sees it)
//!                    +--> upstream (bytes, status, headers unchanged) --> client
//!                    +--> observe (one task, in arrival order): verdict -> sink
//!                                                          \-> record
//! ```
//!
//! - [`forward`]: the hyper server and the upstream client; forwards bytes as they
//!   are (hop-by-hop headers per RFC 9110 7.6.1 excepted) and hands each exchange to
//!   the observer through a bounded channel, so judging never delays an answer until
//!   the channel is full.
//! - [`verdict`]: the checks, all the runner's own (`covenant_runner::judge`): the
//!   request (`request_valid`, a finding against the client, from the mock's
//!   validation), the answer (server_error, status_documented, content_type,
//!   response_headers, response_schema), a broken request's refusal
//!   (negative_rejected, error_shape, error_names_field), and what the traffic
//!   shows across exchanges ([`sequence`]: idempotent replays, create then read).
//! - [`exchange`]: an exchange as observed, and its request as the runner's;
//!   [`repro`]: the curl line and the redaction of what a finding shows; [`sink`]: `findings.jsonl` (one flushed line per distinct finding,
//!   as it happens) and the runner's reports at the end; [`record`]: the
//!   exchanges as a `covenant snapshot` recording.
//!
//! Invariants: the answer a client gets is the upstream's, byte for byte, or (with
//! `--enforce`, for a request that breaks the contract) the mock's refusal in the
//! provider's style; nothing is written before it passed one
//! `covenant_redact::Redactor` (credentials seen in traffic are registered as
//! secrets, personal values as they are masked); a finding is on disk before the
//! next exchange is judged.

pub mod exchange;
pub mod forward;
pub mod observe;
pub mod record;
pub mod repro;
pub mod sequence;
pub mod sink;
pub mod verdict;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use covenant_runner::Credentials;
use covenant_spec::Spec;

/// Bodies (request or answer) are buffered up to this many bytes by default.
pub const DEFAULT_MAX_BODY: usize = 16 << 20;

/// How a proxy runs.
#[derive(Clone)]
pub struct ProxyOptions {
    pub spec: Arc<Spec>,
    /// The provider's name (the spec file's stem): in reports and variable names.
    pub provider: String,
    /// The upstream's base URL (`http://` or `https://`), requests' paths appended.
    pub upstream: String,
    /// Refuse requests that break the contract instead of forwarding them.
    pub enforce: bool,
    /// Where `findings.jsonl` and, at the end, the reports go.
    pub report_dir: Option<PathBuf>,
    /// Where the recording (`<provider>.snap`) goes at the end.
    pub record_dir: Option<PathBuf>,
    /// Credentials known in advance (covenant.toml): scrubbed as `$VARIABLE`.
    pub credentials: Credentials,
    pub max_body: usize,
    /// `--min-coverage`: what the traffic must exercise (the report says whether it did).
    pub min_coverage: Vec<covenant_runner::coverage::MinCoverage>,
    /// `--max-response-time`: an upstream answer slower than this (from the
    /// forwarded request to its last byte) is a response_time finding.
    pub max_response_time: Option<std::time::Duration>,
}

impl std::fmt::Debug for ProxyOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyOptions")
            .field("provider", &self.provider)
            .field("upstream", &self.upstream)
            .field("enforce", &self.enforce)
            .field("report_dir", &self.report_dir)
            .field("record_dir", &self.record_dir)
            .finish_non_exhaustive()
    }
}

impl ProxyOptions {
    pub fn new(spec: Arc<Spec>, provider: &str, upstream: &str) -> ProxyOptions {
        ProxyOptions {
            spec,
            provider: provider.to_string(),
            upstream: upstream.trim_end_matches('/').to_string(),
            enforce: false,
            report_dir: None,
            record_dir: None,
            credentials: Credentials::new(),
            max_body: DEFAULT_MAX_BODY,
            min_coverage: Vec::new(),
            max_response_time: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error("the upstream URL {0:?} is not an http:// or https:// URL")]
    Upstream(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Engine(#[from] covenant_mock::EngineError),
    #[error("writing the reports: {0}")]
    Report(String),
}

/// What a finished proxy saw.
#[derive(Debug, Clone)]
pub struct Summary {
    pub exchanges: usize,
    /// Distinct findings (against the client and the provider).
    pub findings: usize,
    /// The runner's report of the session.
    pub report: covenant_runner::Report,
}

/// A running proxy. [`ProxyServer::finish`] stops it and writes the reports.
pub struct ProxyServer {
    addr: SocketAddr,
    server: forward::Server,
    stop_observer: tokio::sync::oneshot::Sender<()>,
    observer: tokio::task::JoinHandle<Result<Summary, ProxyError>>,
}

impl ProxyServer {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets open exchanges finish, judges what is left, and writes
    /// the reports and the recording.
    pub async fn finish(self) -> Result<Summary, ProxyError> {
        self.server.shutdown().await;
        let _ = self.stop_observer.send(());
        match self.observer.await {
            Ok(r) => r,
            Err(e) => Err(ProxyError::Report(format!("the observer stopped: {e}"))),
        }
    }
}

/// Starts a proxy on `listen` (port 0: an ephemeral port).
pub async fn start(options: ProxyOptions, listen: SocketAddr) -> Result<ProxyServer, ProxyError> {
    if !(options.upstream.starts_with("http://") || options.upstream.starts_with("https://"))
        || options.upstream.parse::<http::Uri>().is_err()
    {
        return Err(ProxyError::Upstream(options.upstream.clone()));
    }
    let inspector = Arc::new(covenant_mock::Provider::new(
        options.spec.clone(),
        covenant_mock::MockConfig::default(),
    )?);
    let sink = sink::Sink::open(&options)?;
    let (tx, rx) = tokio::sync::mpsc::channel(observe::QUEUE);
    let (stop_observer, stop) = tokio::sync::oneshot::channel();
    let observer = tokio::spawn(observe::run(options.clone(), rx, stop, sink));
    let (server, addr) = forward::Server::start(options, inspector, tx, listen).await?;
    Ok(ProxyServer {
        addr,
        server,
        stop_observer,
        observer,
    })
}
