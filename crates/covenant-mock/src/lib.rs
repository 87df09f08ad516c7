//! Mock providers: one engine that serves any covenant spec and behaves like the
//! provider. It reads specs only through `covenant-spec`, validates with the same
//! JSON Schema view the runner uses, answers failures in the provider's own error
//! style (`x-covenant-errors`, rendered by `covenant_spec::error_style`), enforces the
//! security schemes against configured credentials, generates success bodies with
//! `covenant-gen` (every answer validates against the spec), keeps created resources
//! for later reads, moves statuses only along `x-covenant-lifecycle`, replays
//! idempotent requests, and lets tests force scenarios.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let server = covenant_mock::start(
//!     "specs/rebilly.yaml",
//!     covenant_mock::MockConfig::default(),
//!     "127.0.0.1:0".parse()?,
//! ).await?;
//! println!("rebilly mock on {}", server.url());
//! server.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Forcing answers: send `X-Covenant-Scenario: rate-limited; retry-after=5` (or
//! `internal`, `forbidden`, any class of [`covenant_spec::error_style::CLASSES`], or
//! `status=<value>` to create a resource already in a status reachable along its
//! lifecycle), or queue them through `POST /__covenant/scenarios` (see [`server`]).
//! Limits and credentials: see [`config`].
//!
//! Modules, in the order a request meets them: [`server`] (HTTP, control endpoints;
//! `deadline.rs` and `oversize.rs` wrap each connection), [`engine`]
//! (the pipeline: each step passes the request on or answers), [`request`] (path,
//! query, parameters, Accept, JSON depth), [`auth`], [`errors`] (error answers in the
//! provider's style), [`success`] (create / read / plain answers), [`respond`]
//! (building a body from the pool), [`state`] (stored resources, idempotency slots,
//! scenarios; the control plane) over [`store`] (bounded maps). Built once at start:
//! [`compile`] (each operation) and [`plan`] (its success answer). [`message`] holds
//! the engine's request and answer types. [`inspect`] judges a request without
//! answering it (for `covenant proxy`).

pub mod auth;
pub mod compile;
pub mod config;
mod deadline;
pub mod engine;
pub mod errors;
pub mod form;
pub mod inspect;
pub mod mend;
pub mod message;
mod oversize;
pub mod plan;
pub mod request;
pub mod respond;
pub mod server;
pub mod shared;
pub mod state;
pub mod store;
pub mod success;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

pub use config::{ConfigError, MockConfig, MockCredentials};
pub use engine::{EngineError, Provider, SCENARIO_HEADER, Scenario};
pub use server::{MockServer, ServeError};

#[derive(Debug, thiserror::Error)]
pub enum MockError {
    #[error(transparent)]
    Load(#[from] covenant_spec::LoadError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Serve(#[from] ServeError),
}

/// Loads the spec at `path`, compiles it and serves it on `listen`.
pub async fn start(
    path: impl AsRef<Path>,
    config: MockConfig,
    listen: SocketAddr,
) -> Result<MockServer, MockError> {
    let spec = Arc::new(covenant_spec::Spec::load(path)?);
    start_spec(spec, config, listen).await
}

/// Serves an already loaded spec on `listen`.
pub async fn start_spec(
    spec: Arc<covenant_spec::Spec>,
    config: MockConfig,
    listen: SocketAddr,
) -> Result<MockServer, MockError> {
    let provider = Arc::new(Provider::new(spec, config)?);
    Ok(MockServer::start(provider, listen).await?)
}

/// Resolves on SIGINT (Ctrl-C) or, on Unix, SIGTERM: for graceful shutdown.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term => {},
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}
