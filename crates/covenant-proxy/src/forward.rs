//! The HTTP side: a hyper HTTP/1.1 server for clients and a pooled hyper client
//! (plain or rustls) for the upstream. Each request's body is read whole (within
//! `max_body`, else 413), inspected by the mock's pipeline, forwarded with its
//! bytes, method, path, query and end-to-end headers as they came (the upstream's
//! authority replaces `Host`), and the upstream's status, headers and body are
//! sent back as they came. Hop-by-hop headers (RFC 9110 7.6.1: `Connection`, the
//! headers it names, `Keep-Alive`, `Proxy-Connection`, `TE`, `Transfer-Encoding`,
//! `Upgrade`) belong to one connection and are not forwarded either way; a body
//! whose length changed framing (chunked in, whole out) gets its `Content-Length`
//! from hyper. The exchange then goes to the observer ([`crate::observe`]).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use covenant_mock::Provider;
use covenant_mock::message::Incoming as Inspected;
use covenant_runner::client::Answer;

use crate::exchange::Observed;
use crate::{ProxyError, ProxyOptions};

type Response = http::Response<Full<Bytes>>;
type Upstream = Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    Full<Bytes>,
>;

/// The headers that belong to one connection (RFC 9110 7.6.1).
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "transfer-encoding",
    "upgrade",
];

/// How long an answer from the upstream may take.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(60);

struct Shared {
    options: ProxyOptions,
    inspector: Arc<Provider>,
    upstream: Upstream,
    base: http::Uri,
    observer: mpsc::Sender<Observed>,
    seq: std::sync::atomic::AtomicU64,
}

/// The running server; dropping it stops accepting.
pub struct Server {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Server {
    pub async fn start(
        options: ProxyOptions,
        inspector: Arc<Provider>,
        observer: mpsc::Sender<Observed>,
        listen: SocketAddr,
    ) -> Result<(Server, SocketAddr), ProxyError> {
        let base: http::Uri = options
            .upstream
            .parse()
            .map_err(|_| ProxyError::Upstream(options.upstream.clone()))?;
        let _ = rustls::crypto::ring::default_provider().install_default();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()
            .map_err(|e| ProxyError::Upstream(format!("{} (no TLS roots: {e})", options.upstream)))?
            .https_or_http()
            .enable_http1()
            .build();
        let upstream = Client::builder(TokioExecutor::new()).build(https);
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|source| ProxyError::Bind {
                addr: listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| ProxyError::Bind {
            addr: listen,
            source,
        })?;
        let shared = Arc::new(Shared {
            options,
            inspector,
            upstream,
            base,
            observer,
            seq: Default::default(),
        });
        let (stop, rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, shared, rx));
        Ok((Server { stop, task }, addr))
    }

    /// Stops accepting and lets open connections finish (10 s at most).
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let builder = hyper::server::conn::http1::Builder::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            r = listener.accept() => {
                let Ok((stream, _)) = r else { continue };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                let service = hyper::service::service_fn(move |req| {
                    let shared = shared.clone();
                    async move { Ok::<_, std::convert::Infallible>(handle(&shared, req).await) }
                });
                let conn = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
        }
    }
    drop(listener);
    // The observer ends once every connection (and so every sender clone) is gone.
    drop(shared);
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
}

/// The names `Connection` lists, plus the fixed hop-by-hop ones.
fn hop_by_hop(headers: &HeaderMap) -> Vec<String> {
    let mut out: Vec<String> = HOP_BY_HOP.iter().map(|s| s.to_string()).collect();
    for v in headers.get_all(header::CONNECTION) {
        if let Ok(v) = v.to_str() {
            out.extend(
                v.split(',')
                    .map(|s| s.trim().to_ascii_lowercase())
                    .filter(|s| !s.is_empty()),
            );
        }
    }
    out
}

/// `headers` without the hop-by-hop ones.
fn end_to_end(headers: &HeaderMap) -> HeaderMap {
    let drop = hop_by_hop(headers);
    let mut out = HeaderMap::with_capacity(headers.len());
    for (k, v) in headers {
        if !drop.iter().any(|d| d == k.as_str()) {
            out.append(k.clone(), v.clone());
        }
    }
    out
}

fn plain(status: u16, text: &str) -> Response {
    let mut r = http::Response::new(Full::new(Bytes::from(text.to_string())));
    *r.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::BAD_GATEWAY);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

async fn handle(shared: &Shared, req: http::Request<Incoming>) -> Response {
    let seq = shared
        .seq
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, shared.options.max_body).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            let too_big = e
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some();
            return if too_big {
                plain(
                    413,
                    &format!(
                        "covenant proxy: the request body is larger than {} bytes",
                        shared.options.max_body
                    ),
                )
            } else {
                plain(400, "covenant proxy: the request body could not be read")
            };
        }
    };
    let headers = end_to_end(&parts.headers);
    let request = Inspected {
        method: parts.method.clone(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers,
        body,
    };
    let inspection = shared.inspector.inspect(&request);
    let started = Instant::now();
    let (response, outcome, enforced) = match (&inspection.refusal, shared.options.enforce) {
        (Some(refusal), true) => {
            let a = &refusal.answer;
            let mut r = http::Response::new(Full::new(a.body.clone()));
            *r.status_mut() =
                http::StatusCode::from_u16(a.status).unwrap_or(http::StatusCode::BAD_REQUEST);
            if let Some(ct) = &a.content_type {
                r.headers_mut().insert(header::CONTENT_TYPE, ct.clone());
            }
            for (k, v) in &a.headers {
                if let (Ok(k), Ok(v)) = (
                    http::HeaderName::try_from(k.as_str()),
                    HeaderValue::from_str(v),
                ) {
                    r.headers_mut().append(k, v);
                }
            }
            let answer = answer_of(&r, a.body.to_vec());
            (r, Ok(answer), true)
        }
        _ => match forward(shared, &parts, &request).await {
            Ok((r, bytes)) => {
                let answer = answer_of(&r, bytes);
                (r, Ok(answer), false)
            }
            Err(e) => (
                plain(
                    502,
                    &format!("covenant proxy: the upstream did not answer: {e}"),
                ),
                Err(e),
                false,
            ),
        },
    };
    let elapsed = started.elapsed();
    // Backpressure rather than loss: a full queue waits for the observer.
    let _ = shared
        .observer
        .send(Observed {
            seq,
            request,
            inspection,
            outcome,
            elapsed,
            enforced,
        })
        .await;
    response
}

fn answer_of(r: &Response, body: Vec<u8>) -> Answer {
    Answer {
        status: r.status().as_u16(),
        headers: r
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
        body_error: None,
    }
}

/// Sends `request` upstream; the answer as the client gets it, and its body.
async fn forward(
    shared: &Shared,
    parts: &http::request::Parts,
    request: &Inspected,
) -> Result<(Response, Vec<u8>), String> {
    let base_path = shared.base.path().trim_end_matches('/');
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let uri: http::Uri = format!(
        "{}://{}{base_path}{path_and_query}",
        shared.base.scheme_str().unwrap_or("http"),
        shared.base.authority().map(|a| a.as_str()).unwrap_or("")
    )
    .parse()
    .map_err(|e| format!("cannot build the upstream URL: {e}"))?;
    let mut out = http::Request::new(Full::new(request.body.clone()));
    *out.method_mut() = parts.method.clone();
    *out.uri_mut() = uri;
    *out.headers_mut() = request.headers.clone();
    // The upstream's authority, from the URI (a virtual-hosted sandbox needs it).
    out.headers_mut().remove(header::HOST);
    let answer = tokio::time::timeout(UPSTREAM_TIMEOUT, shared.upstream.request(out))
        .await
        .map_err(|_| format!("no answer within {} s", UPSTREAM_TIMEOUT.as_secs()))?
        .map_err(|e| format!("{e}"))?;
    let (parts, body) = answer.into_parts();
    let bytes = Limited::new(body, shared.options.max_body)
        .collect()
        .await
        .map_err(|e| format!("the answer's body could not be read: {e}"))?
        .to_bytes();
    let mut r = http::Response::new(Full::new(bytes.clone()));
    *r.status_mut() = parts.status;
    *r.headers_mut() = end_to_end(&parts.headers);
    Ok((r, bytes.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixed hop-by-hop headers and those `Connection` names stay behind;
    /// repeated end-to-end headers keep every value, in order.
    #[test]
    fn only_end_to_end_headers_are_forwarded() {
        let mut h = HeaderMap::new();
        for (k, v) in [
            ("connection", "close, X-Trace"),
            ("x-trace", "1"),
            ("keep-alive", "timeout=5"),
            ("transfer-encoding", "chunked"),
            ("te", "trailers"),
            ("upgrade", "h2c"),
            ("x-keep", "a"),
            ("x-keep", "b"),
            ("authorization", "Bearer t"),
        ] {
            h.append(
                http::HeaderName::from_static(k),
                HeaderValue::from_static(v),
            );
        }
        let out = end_to_end(&h);
        let names: Vec<&str> = out.keys().map(|k| k.as_str()).collect();
        assert_eq!(names, ["x-keep", "authorization"]);
        let keep: Vec<&str> = out
            .get_all("x-keep")
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(keep, ["a", "b"]);
    }
}
