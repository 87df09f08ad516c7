//! One exchange as the proxy saw it ([`Observed`]), and the same request as the
//! runner's [`Request`] (what checks on sequences read ids from, and what a
//! reproduction prints). A leaf: every other module of the crate reads it.

use std::time::Duration;

use serde_json::{Map, Value};

use covenant_mock::inspect::Inspection;
use covenant_mock::message::Incoming;
use covenant_runner::client::{Answer, Exchange};
use covenant_runner::plan::OpPlan;
use covenant_runner::request::{AuthMode, Request};
use covenant_spec::Method;

/// Request headers a reproduction leaves out: the transport's, and those curl
/// writes itself.
const NOT_REPRODUCED: &[&str] = &[
    "host",
    "content-length",
    "content-type",
    "user-agent",
    "accept-encoding",
];

/// One exchange as the proxy saw it.
pub struct Observed {
    /// Arrival number (0, 1, ...).
    pub seq: u64,
    /// The request as the client sent it (hop-by-hop headers left out).
    pub request: Incoming,
    pub inspection: Inspection,
    /// The answer the client got, or why there was none.
    pub outcome: Result<Answer, String>,
    pub elapsed: Duration,
    /// Refused by `--enforce`: the upstream never saw it.
    pub enforced: bool,
}

impl Observed {
    pub fn exchange(&self) -> Exchange {
        Exchange {
            outcome: self.outcome.clone(),
            elapsed: self.elapsed,
        }
    }
}

fn method_of(m: &http::Method) -> Method {
    match m.as_str() {
        "PUT" => Method::Put,
        "POST" => Method::Post,
        "DELETE" => Method::Delete,
        "OPTIONS" => Method::Options,
        "HEAD" => Method::Head,
        "PATCH" => Method::Patch,
        "TRACE" => Method::Trace,
        _ => Method::Get,
    }
}

/// The runner's request for what `o` sent: the operation's path template and
/// parameters when routed (else the literal path), query and headers as sent, the
/// body as JSON (a form read by its schema; other bytes as text).
pub fn request_of(plan: Option<&OpPlan>, o: &Observed) -> Request {
    let req = &o.request;
    let mut query = Map::new();
    for (k, v) in &o.inspection.query {
        match query.get_mut(k) {
            Some(Value::Array(a)) => a.push(Value::String(v.clone())),
            Some(prev) => *prev = Value::Array(vec![prev.clone(), Value::String(v.clone())]),
            None => {
                query.insert(k.clone(), Value::String(v.clone()));
            }
        }
    }
    let mut headers = Map::new();
    for (k, v) in &req.headers {
        if NOT_REPRODUCED.contains(&k.as_str()) {
            continue;
        }
        headers.insert(
            k.as_str().to_string(),
            Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()),
        );
    }
    let body = match &o.inspection.body {
        Some(b) => Some(b.clone()),
        None if req.body.is_empty() => None,
        None => Some(Value::String(
            String::from_utf8_lossy(&req.body).into_owned(),
        )),
    };
    let content_type = req
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (method, path) = match plan {
        Some(p) => (p.op.method, p.op.path.clone()),
        None => (method_of(&req.method), req.path.clone()),
    };
    Request {
        method,
        path,
        path_params: o
            .inspection
            .path_params
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
        query,
        headers,
        body,
        content_type,
        auth: AuthMode::Valid,
        flaw: None,
        files: Default::default(),
        query_styles: Default::default(),
        path_styles: Default::default(),
        header_styles: Default::default(),
        form_styles: Default::default(),
    }
}
