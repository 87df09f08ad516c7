//! The HTTP side: reqwest over rustls with a per-request timeout, a global rate
//! limit and bounded concurrency. Every failure to get an answer (refused
//! connection, timeout, a body cut short) comes back as data for the checks to
//! judge, never as a panic or an aborted run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, Semaphore};

use crate::auth::AuthPart;
use crate::error::RunnerError;
use crate::request::Request;

/// Bodies larger than this are cut (and the cut is reported).
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// What came back for one request.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub outcome: Result<Answer, String>,
    pub elapsed: Duration,
}

/// A received answer. Header names are lower-cased.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Set when the body could not be read completely.
    pub body_error: Option<String>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON, if it is complete JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        if self.body_error.is_some() {
            return None;
        }
        serde_json::from_slice(&self.body).ok()
    }
}

#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub timeout: Duration,
    pub concurrency: usize,
    /// Requests per second across the run; `None` is unlimited.
    pub rate: Option<f64>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: Duration::from_secs(10),
            concurrency: 32,
            rate: None,
        }
    }
}

/// A shareable client; clones share the pool, the limiter and the concurrency bound.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    permits: Arc<Semaphore>,
    limiter: Option<Arc<RateLimiter>>,
}

impl Client {
    pub fn new(options: &ClientOptions) -> Result<Client, RunnerError> {
        // rustls needs one process-wide crypto provider; a second install is a no-op error.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.timeout)
            .pool_max_idle_per_host(options.concurrency.max(1))
            .tcp_nodelay(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| RunnerError::Client(e.to_string()))?;
        let limiter = match options.rate {
            Some(r) if r > 0.0 && r.is_finite() => Some(Arc::new(RateLimiter {
                interval: Duration::from_secs_f64(1.0 / r),
                next: Mutex::new(Instant::now()),
            })),
            Some(r) if r <= 0.0 || !r.is_finite() => {
                return Err(RunnerError::Options(format!(
                    "--rate must be a positive number of requests per second, got {r}"
                )));
            }
            _ => None,
        };
        Ok(Client {
            http,
            permits: Arc::new(Semaphore::new(options.concurrency.max(1))),
            limiter,
        })
    }

    /// Sends `req` to `base_url` with the given credential parts.
    pub async fn send(&self, base_url: &str, req: &Request, auth: &[AuthPart]) -> Exchange {
        let _permit = self.permits.acquire().await;
        if let Some(l) = &self.limiter {
            l.wait().await;
        }
        let started = Instant::now();
        let outcome = self.send_inner(base_url, req, auth).await;
        Exchange {
            outcome,
            elapsed: started.elapsed(),
        }
    }

    async fn send_inner(
        &self,
        base_url: &str,
        req: &Request,
        auth: &[AuthPart],
    ) -> Result<Answer, String> {
        let mut url = format!("{}{}", base_url.trim_end_matches('/'), req.path_and_query());
        let mut headers = reqwest::header::HeaderMap::new();
        let mut basic = None;
        for part in auth {
            match part {
                AuthPart::Header { name, value, .. } => insert(&mut headers, name, value)?,
                AuthPart::Query { name, value, .. } => {
                    url.push(if url.contains('?') { '&' } else { '?' });
                    url.push_str(&format!(
                        "{}={}",
                        percent_encoding::utf8_percent_encode(
                            name,
                            percent_encoding::NON_ALPHANUMERIC
                        ),
                        percent_encoding::utf8_percent_encode(
                            value,
                            percent_encoding::NON_ALPHANUMERIC
                        )
                    ));
                }
                AuthPart::Basic { user, password, .. } => basic = Some((user, password)),
            }
        }
        for (k, v) in req.header_pairs() {
            insert(&mut headers, &k, &v)?;
        }
        let method = reqwest::Method::from_bytes(req.method.as_str().as_bytes())
            .map_err(|e| e.to_string())?;
        let mut rb = self.http.request(method, &url).headers(headers);
        if let Some((u, p)) = basic {
            rb = rb.basic_auth(u, Some(p));
        }
        if let Some(bytes) = req.body_bytes() {
            if let Some(ct) = req.content_type_header() {
                rb = rb.header(reqwest::header::CONTENT_TYPE, ct);
            }
            rb = rb.body(bytes);
        }
        let mut resp = rb.send().await.map_err(describe)?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        let mut body_error = None;
        loop {
            match resp.chunk().await {
                Ok(Some(c)) => {
                    if body.len() + c.len() > MAX_BODY {
                        body_error = Some(format!("body larger than {MAX_BODY} bytes"));
                        break;
                    }
                    body.extend_from_slice(&c);
                }
                Ok(None) => break,
                Err(e) => {
                    body_error = Some(format!("body cut short: {}", describe(e)));
                    break;
                }
            }
        }
        Ok(Answer {
            status,
            headers,
            body,
            body_error,
        })
    }
}

fn insert(h: &mut reqwest::header::HeaderMap, name: &str, value: &str) -> Result<(), String> {
    let n = reqwest::header::HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("`{name}` is not a valid header name"))?;
    let v = reqwest::header::HeaderValue::from_str(value)
        .map_err(|_| format!("the value of header `{name}` cannot be sent in HTTP"))?;
    h.append(n, v);
    Ok(())
}

/// A transport error in words, with its cause chain (reqwest hides the useful part there).
fn describe(e: reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "bad body"
    } else {
        "request failed"
    };
    let mut msg = kind.to_string();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(&e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}

/// Spaces requests `interval` apart across all tasks.
struct RateLimiter {
    interval: Duration,
    next: Mutex<Instant>,
}

impl RateLimiter {
    async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = (*next).max(now);
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot.into()).await;
    }
}
