//! The HTTP/1.1 server around a [`Provider`]: an accept loop bounded by
//! `max_connections` (connections past it are answered 429 in the provider's style
//! and closed), hyper connections with a header read timeout, graceful
//! shutdown, and an axum router with the control endpoints under `/__covenant/`
//! (a prefix no provider path uses) and the provider pipeline as fallback.
//!
//! Control endpoints (JSON in, JSON out, no auth; the mock binds loopback by default):
//! - `GET  /__covenant/health`
//! - `POST /__covenant/scenarios` `{operation?, class?, retry_after?, status?, times?}`
//!   queues a forced answer for the next matching request(s);
//! - `POST /__covenant/reset` forgets resources, idempotency keys and scenarios;
//! - `GET  /__covenant/resources/{kind}` lists stored ids;
//! - `GET  /__covenant/resources/{kind}/{id}` shows one stored resource;
//! - `POST /__covenant/resources/{kind}/{id}/transition` `{"to": "<status>"}` moves
//!   its status along a declared `x-covenant-lifecycle` edge (409 otherwise).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use covenant_spec::error_style::{ErrorInput, FieldError};
use http_body_util::BodyExt;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

use crate::engine::{Incoming, Outgoing, Provider, Scenario, as_json_ids};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A running mock. Dropping it stops the server; [`MockServer::shutdown`] also waits
/// for open connections to finish.
pub struct MockServer {
    provider: Arc<Provider>,
    addr: SocketAddr,
    stop: Option<watch::Sender<bool>>,
    task: Option<JoinHandle<()>>,
}

impl MockServer {
    /// Binds `listen` (use `127.0.0.1:0` for an ephemeral port) and serves.
    pub async fn start(
        provider: Arc<Provider>,
        listen: SocketAddr,
    ) -> Result<MockServer, ServeError> {
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|source| ServeError::Bind {
                addr: listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| ServeError::Bind {
            addr: listen,
            source,
        })?;
        let (tx, rx) = watch::channel(false);
        let router = router(provider.clone());
        let max_conn = provider.config.max_connections.max(1);
        let buf = (provider.config.max_header_bytes * 4).max(8192) + 8192;
        let task = tokio::spawn(accept_loop(
            listener,
            router,
            provider.clone(),
            rx,
            max_conn,
            buf,
        ));
        Ok(MockServer {
            provider,
            addr,
            stop: Some(tx),
            task: Some(task),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn provider(&self) -> &Arc<Provider> {
        &self.provider
    }

    /// Stops accepting, lets open connections finish (10 s at most), and returns.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(true);
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(true);
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    router: Router,
    provider: Arc<Provider>,
    mut stop: watch::Receiver<bool>,
    max_connections: usize,
    max_buf: usize,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let permits = Arc::new(Semaphore::new(max_connections));
    // Connections past the limit are answered (429 in the provider's style, then
    // closed) rather than left hanging; as many again may be in that state at once,
    // beyond that further connections wait in the accept backlog.
    let refusals = Arc::new(Semaphore::new(max_connections));
    // Said once per server: under a connection storm a line per refusal would flood.
    let mut refusal_logged = false;
    // Rendered once: the answer to a request head larger than hyper's read buffer.
    let oversize = crate::oversize::raw_response(&provider.error(
        "header-too-large",
        ErrorInput {
            message: Some(format!(
                "the request head is larger than the {max_buf}-byte read buffer"
            )),
            ..Default::default()
        },
    ));
    loop {
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((s, _)) => s,
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let _ = stream.set_nodelay(true);
        let stream = crate::oversize::OversizeIo::new(stream, oversize.clone());
        let (permit, service) = match permits.clone().try_acquire_owned() {
            Ok(p) => (p, Slot::Serve(router.clone())),
            Err(_) => match refusals.clone().try_acquire_owned() {
                Ok(p) => {
                    if !std::mem::replace(&mut refusal_logged, true) {
                        tracing::warn!(
                            provider = %provider.provider(),
                            limit = max_connections,
                            "connections over the limit are answered with rate-limited (said once)"
                        );
                    }
                    (p, Slot::Refuse(provider.clone()))
                }
                Err(_) => {
                    // Both full: wait for a slot instead of growing without bound.
                    let p = tokio::select! {
                        p = permits.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
                        _ = stop.changed() => break,
                    };
                    (p, Slot::Serve(router.clone()))
                }
            },
        };
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(Duration::from_secs(30))
            .max_buf_size(max_buf);
        match service {
            Slot::Serve(router) => spawn_watched(
                &graceful,
                builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(router)),
                permit,
            ),
            Slot::Refuse(p) => {
                builder.keep_alive(false);
                let refuse = hyper::service::service_fn(move |_req| {
                    let p = p.clone();
                    async move { Ok::<_, std::convert::Infallible>(over_limit(&p)) }
                });
                spawn_watched(
                    &graceful,
                    builder.serve_connection(TokioIo::new(stream), refuse),
                    permit,
                );
            }
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
}

/// What a new connection gets: the provider, or the over-limit refusal.
enum Slot {
    Serve(Router),
    Refuse(Arc<Provider>),
}

/// Runs `conn` under graceful shutdown, releasing its connection slot when it ends.
fn spawn_watched<C>(
    graceful: &hyper_util::server::graceful::GracefulShutdown,
    conn: C,
    permit: tokio::sync::OwnedSemaphorePermit,
) where
    C: hyper_util::server::graceful::GracefulConnection + Send + 'static,
{
    let conn = graceful.watch(conn);
    tokio::spawn(async move {
        let _ = conn.await;
        drop(permit);
    });
}

/// The answer on a connection over `max_connections`: the provider's rate-limited
/// error with `Retry-After: 1` and `Connection: close`.
fn over_limit(p: &Provider) -> Response {
    let limit = p.config.max_connections;
    let mut out = p.error(
        "rate-limited",
        ErrorInput {
            message: Some(format!(
                "more than {limit} concurrent connections; retry on a new connection"
            )),
            retry_after: Some(1),
            ..Default::default()
        },
    );
    out.headers.push(("connection".into(), "close".into()));
    to_response(out)
}

fn router(provider: Arc<Provider>) -> Router {
    Router::new()
        .route("/__covenant/health", get(health))
        .route("/__covenant/scenarios", post(push_scenario))
        .route("/__covenant/reset", post(reset))
        .route("/__covenant/resources/{kind}", get(list_resources))
        .route("/__covenant/resources/{kind}/{id}", get(get_resource))
        .route(
            "/__covenant/resources/{kind}/{id}/transition",
            post(transition),
        )
        .fallback(serve_provider)
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .with_state(provider)
}

fn to_response(o: Outgoing) -> Response {
    let mut b = Response::builder().status(o.status);
    if let Some(ct) = &o.content_type {
        b = b.header(http::header::CONTENT_TYPE, ct);
    }
    for (k, v) in &o.headers {
        b = b.header(k.as_str(), v.as_str());
    }
    b.body(Body::from(o.body)).unwrap_or_else(|_| {
        (
            http::StatusCode::INTERNAL_SERVER_ERROR,
            "response build failed",
        )
            .into_response()
    })
}

fn control(status: u16, body: Value) -> Response {
    to_response(Outgoing::json(status, "application/json", &body))
}

async fn serve_provider(State(p): State<Arc<Provider>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let max = p.config.max_body_bytes;
    let too_large = |p: &Provider| {
        to_response(p.error(
            "payload-too-large",
            ErrorInput {
                message: Some(format!("the request body is larger than {max} bytes")),
                violations: vec![FieldError {
                    pointer: String::new(),
                    keyword: "maxLength".into(),
                    message: format!("the request body is larger than {max} bytes"),
                    parameter: false,
                }],
                ..Default::default()
            },
        ))
    };
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return too_large(&p);
    }
    let bytes: Bytes = match http_body_util::Limited::new(body, max).collect().await {
        Ok(c) => c.to_bytes(),
        Err(e) => {
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                return too_large(&p);
            }
            return to_response(p.error(
                "malformed",
                ErrorInput {
                    message: Some("the request body could not be read".into()),
                    ..Default::default()
                },
            ));
        }
    };
    let incoming = Incoming {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers,
        body: bytes,
    };
    to_response(p.handle(incoming).await)
}

async fn health(State(p): State<Arc<Provider>>) -> Response {
    control(200, json!({"status": "ok", "provider": p.provider()}))
}

async fn reset(State(p): State<Arc<Provider>>) -> Response {
    p.reset();
    control(200, json!({"reset": true}))
}

async fn push_scenario(State(p): State<Arc<Provider>>, body: Bytes) -> Response {
    let s: Scenario = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => return control(400, json!({"error": format!("bad scenario: {e}")})),
    };
    match p.push_scenario(s) {
        Ok(()) => control(200, json!({"queued": true})),
        Err(e) => control(400, json!({"error": e})),
    }
}

async fn list_resources(State(p): State<Arc<Provider>>, Path(kind): Path<String>) -> Response {
    match p.resource_ids(&kind) {
        Some(ids) => control(
            200,
            json!({"kind": kind, "count": ids.len(), "ids": as_json_ids(ids)}),
        ),
        None => control(
            404,
            json!({"error": format!("unknown resource kind {kind}")}),
        ),
    }
}

async fn get_resource(
    State(p): State<Arc<Provider>>,
    Path((kind, id)): Path<(String, String)>,
) -> Response {
    match p.resource(&kind, &id) {
        Some(v) => control(200, v),
        None => control(404, json!({"error": format!("no {kind} with id {id}")})),
    }
}

async fn transition(
    State(p): State<Arc<Provider>>,
    Path((kind, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let to = match serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("to").cloned())
    {
        Some(t) => t,
        None => return control(400, json!({"error": "expected {\"to\": <status>}"})),
    };
    match p.transition(&kind, &id, &to) {
        Ok(v) => control(200, v),
        Err((status, e)) => control(status, json!({"error": e})),
    }
}
