//! The HTTP/1.1 server around a [`Provider`]: an accept loop bounded by
//! `max_connections` (connections past it are answered 429 in the provider's style
//! and closed), hyper connections whose socket is wrapped for the request deadline
//! (`deadline.rs`: a request must arrive within `request_timeout_secs`), the
//! provider-style answer to heads too large for hyper's buffer (`oversize.rs`),
//! graceful shutdown, and a hyper service
//! that reads each body within `max_body_bytes` and sends paths under `/__covenant/`
//! (a prefix no provider path uses) to the control endpoints and everything else to
//! the provider.
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

use bytes::Bytes;
use covenant_spec::error_style::{ErrorInput, FieldError};
use futures_util::FutureExt as _;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::body::{Body as _, Incoming};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

use crate::engine::Provider;
use crate::message::{Incoming as EngineRequest, Outgoing};
use crate::state::{Scenario, as_json_ids};

/// Every answer: a complete body, written with its `content-length`.
type Response = http::Response<Full<Bytes>>;

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
        let max_conn = provider.config.max_connections.max(1);
        let buf = (provider.config.max_header_bytes * 4).max(8192) + 8192;
        let task = tokio::spawn(accept_loop(listener, provider.clone(), rx, max_conn, buf));
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
    provider: Arc<Provider>,
    mut stop: watch::Receiver<bool>,
    max_connections: usize,
    max_buf: usize,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let request_timeout = Duration::from_secs(provider.config.request_timeout_secs.max(1));
    let permits = Arc::new(Semaphore::new(max_connections));
    // Connections past the limit are answered (429 in the provider's style, then
    // closed) rather than left hanging; as many again may be in that state at once,
    // beyond that further connections wait in the accept backlog.
    let refusals = Arc::new(Semaphore::new(max_connections));
    // Said once per server: under a connection storm a line per refusal would flood.
    let mut refusal_logged = false;
    // Rendered once: the answer to a request head larger than hyper's read buffer.
    let oversize = crate::oversize::raw_response(&provider.error(
        None,
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
        let stream = crate::deadline::Deadline::new(stream, request_timeout);
        let stream = crate::oversize::OversizeIo::new(stream, oversize.clone());
        let (permit, service) = match permits.clone().try_acquire_owned() {
            Ok(p) => (p, Slot::Serve),
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
                    (p, Slot::Serve)
                }
            },
        };
        // No hyper timer: `Deadline` bounds how long a request may take to arrive
        // with one timer per connection (hyper's `header_read_timeout` made one per
        // request).
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder.max_buf_size(max_buf);
        // Head and body in one buffer and one write(2), not a writev(2) of two: the
        // mock's answers are small, and on loopback this served 4-5% more requests/s
        // (measured for the bare baseline too, which uses the same setting).
        builder.writev(false);
        match service {
            Slot::Serve => {
                let p = provider.clone();
                let serve = hyper::service::service_fn(move |req| {
                    answer(p.clone(), req).map(Ok::<_, std::convert::Infallible>)
                });
                spawn_watched(
                    &graceful,
                    builder.serve_connection(TokioIo::new(stream), serve),
                    permit,
                );
            }
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
    Serve,
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
        None,
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

/// The answer to one request: control endpoints under `/__covenant/`, everything
/// else through the provider. Routing is a prefix test and a `match` on segments:
/// the provider path, which carries the load, pays for nothing else. A panic
/// while answering becomes the provider's `internal` error instead of a dropped
/// connection.
async fn answer(p: Arc<Provider>, req: Request<Incoming>) -> Response {
    let fut = async {
        match req.uri().path().strip_prefix(CONTROL_PREFIX) {
            Some(rest) => {
                let rest = rest.to_string();
                control(&p, req, &rest).await
            }
            None => serve_provider(&p, req).await,
        }
    };
    match std::panic::AssertUnwindSafe(fut).catch_unwind().await {
        Ok(r) => r,
        Err(_) => {
            tracing::error!(provider = %p.provider(), "answering a request panicked");
            to_response(p.error(
                None,
                "internal",
                ErrorInput {
                    message: Some("the mock failed while answering this request".into()),
                    ..Default::default()
                },
            ))
        }
    }
}

/// Where the control endpoints live: a prefix no provider path uses.
const CONTROL_PREFIX: &str = "/__covenant/";

/// One control endpoint, with its path segments decoded.
enum Control {
    Health,
    Reset,
    Scenarios,
    List(String),
    Show(String, String),
    Transition(String, String),
}

impl Control {
    /// The endpoint at `rest` (the path after [`CONTROL_PREFIX`]), if any.
    fn parse(rest: &str) -> Option<Control> {
        let segs: Vec<String> = rest
            .split('/')
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .collect();
        let mut it = segs.into_iter();
        let parts: [Option<String>; 5] = std::array::from_fn(|_| it.next());
        Some(match parts {
            [Some(a), None, ..] if a == "health" => Control::Health,
            [Some(a), None, ..] if a == "reset" => Control::Reset,
            [Some(a), None, ..] if a == "scenarios" => Control::Scenarios,
            [Some(a), Some(k), None, ..] if a == "resources" => Control::List(k),
            [Some(a), Some(k), Some(id), None, ..] if a == "resources" => Control::Show(k, id),
            [Some(a), Some(k), Some(id), Some(t), None]
                if a == "resources" && t == "transition" =>
            {
                Control::Transition(k, id)
            }
            _ => return None,
        })
    }

    fn method(&self) -> http::Method {
        match self {
            Control::Health | Control::List(_) | Control::Show(..) => http::Method::GET,
            Control::Reset | Control::Scenarios | Control::Transition(..) => http::Method::POST,
        }
    }
}

/// The control endpoints (see the module docs). An unknown path under the prefix
/// goes to the provider like any other (its route-miss answer); a known path with
/// the wrong method is a 405 naming the allowed one.
async fn control(p: &Provider, req: Request<Incoming>, rest: &str) -> Response {
    let Some(endpoint) = Control::parse(rest) else {
        return serve_provider(p, req).await;
    };
    let allowed = endpoint.method();
    if req.method() != allowed {
        let mut r = control_json(
            405,
            json!({"error": format!("{} {CONTROL_PREFIX}{rest} is not a control endpoint; use {allowed}", req.method())}),
        );
        if let Ok(v) = http::HeaderValue::from_str(allowed.as_str()) {
            r.headers_mut().insert(http::header::ALLOW, v);
        }
        return r;
    }
    let body = match read_body(p, None, req.into_body(), None).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    match endpoint {
        Control::Health => control_json(200, json!({"status": "ok", "provider": p.provider()})),
        Control::Reset => {
            p.reset();
            control_json(200, json!({"reset": true}))
        }
        Control::Scenarios => push_scenario(p, &body),
        Control::List(kind) => list_resources(p, &kind),
        Control::Show(kind, id) => get_resource(p, &kind, &id),
        Control::Transition(kind, id) => transition(p, &kind, &id, &body),
    }
}

fn to_response(o: Outgoing) -> Response {
    let mut r = Response::new(Full::new(o.body));
    *r.status_mut() =
        http::StatusCode::from_u16(o.status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = r.headers_mut();
    if let Some(ct) = o.content_type {
        headers.insert(http::header::CONTENT_TYPE, ct);
    }
    for (k, v) in &o.headers {
        if let (Ok(k), Ok(v)) = (
            http::HeaderName::from_bytes(k.as_bytes()),
            http::HeaderValue::from_str(v),
        ) {
            headers.append(k, v);
        }
    }
    r
}

fn control_json(status: u16, body: Value) -> Response {
    to_response(Outgoing::json(status, "application/json", &body))
}

/// The request body, up to `max_body_bytes` (a longer one, declared or sent, is the
/// provider's `payload-too-large`).
/// `op` is the operation the request is for (its documented errors answer).
async fn read_body(
    p: &Provider,
    op: Option<usize>,
    body: Incoming,
    declared: Option<u64>,
) -> Result<Bytes, Response> {
    let max = p.config.max_body_bytes;
    let too_large = || {
        to_response(p.error(
            op,
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
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    // Frames by hand rather than `collect()`: a body that arrived with its head is
    // one frame, returned as it is, and the read stops once the declared length is
    // in (`is_end_stream`) instead of polling hyper's body channel again for its end.
    let mut body = body;
    let mut first: Option<Bytes> = None;
    let mut more: Vec<u8> = Vec::new();
    let mut total = 0usize;
    while !body.is_end_stream() {
        let frame = match body.frame().await {
            None => break,
            Some(Ok(frame)) => frame,
            Some(Err(_)) => {
                return Err(to_response(p.error(
                    op,
                    "malformed",
                    ErrorInput {
                        message: Some("the request body could not be read".into()),
                        ..Default::default()
                    },
                )));
            }
        };
        // Trailers carry nothing the mock reads.
        let Ok(data) = frame.into_data() else {
            continue;
        };
        total += data.len();
        if total > max {
            return Err(too_large());
        }
        match &first {
            None => first = Some(data),
            Some(f) => {
                if more.is_empty() {
                    more.extend_from_slice(f);
                }
                more.extend_from_slice(&data);
            }
        }
    }
    Ok(if more.is_empty() {
        first.unwrap_or_default()
    } else {
        Bytes::from(more)
    })
}

async fn serve_provider(p: &Provider, req: Request<Incoming>) -> Response {
    let (parts, body) = req.into_parts();
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let op = p.operation_at(&parts.method, parts.uri.path());
    let bytes = match read_body(p, op, body, declared).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let incoming = EngineRequest {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers,
        body: bytes,
    };
    to_response(p.handle(incoming).await)
}

fn push_scenario(p: &Provider, body: &[u8]) -> Response {
    let s: Scenario = match serde_json::from_slice(body) {
        Ok(s) => s,
        Err(e) => return control_json(400, json!({"error": format!("bad scenario: {e}")})),
    };
    match p.push_scenario(s) {
        Ok(()) => control_json(200, json!({"queued": true})),
        Err(e) => control_json(400, json!({"error": e})),
    }
}

fn list_resources(p: &Provider, kind: &str) -> Response {
    match p.resource_ids(kind) {
        Some(ids) => control_json(
            200,
            json!({"kind": kind, "count": ids.len(), "ids": as_json_ids(ids)}),
        ),
        None => control_json(
            404,
            json!({"error": format!("unknown resource kind {kind}")}),
        ),
    }
}

fn get_resource(p: &Provider, kind: &str, id: &str) -> Response {
    match p.resource(kind, id) {
        Some(v) => control_json(200, v),
        None => control_json(404, json!({"error": format!("no {kind} with id {id}")})),
    }
}

fn transition(p: &Provider, kind: &str, id: &str, body: &[u8]) -> Response {
    let to = match serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("to").cloned())
    {
        Some(t) => t,
        None => return control_json(400, json!({"error": "expected {\"to\": <status>}"})),
    };
    match p.transition(kind, id, &to) {
        Ok(v) => control_json(200, v),
        Err((status, e)) => control_json(status, json!({"error": e})),
    }
}
