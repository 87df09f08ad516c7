//! The engine: one spec compiled once at start (routes, parameter and body
//! validators, response pools, auth, state and idempotency rules) and the request
//! pipeline that every provider shares:
//!
//! route -> header size -> scenario header -> auth -> forced scenario -> Accept ->
//! content type / UTF-8 / JSON depth / JSON syntax -> parameters + body validation ->
//! idempotency -> create / read / answer.
//!
//! It is independent of the HTTP server ([`Incoming`] in, [`Outgoing`] out) so the
//! server layer stays thin.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use covenant_spec::error_style::{self, ErrorInput, FieldError};
use covenant_spec::ext::{Bypass, Idempotency, Lifecycle, LookupLocation, Resource, ResourceRole};
use covenant_spec::view::violations;
use covenant_spec::{Operation, ParameterLocation, Spec};
use http::{HeaderMap, HeaderValue};
use parking_lot::Mutex;
use serde_json::Value;

use crate::config::MockConfig;
use crate::json::{Borrowed, Node};
use crate::respond::{
    BodyPlan, IdStyle, Item, Members, Overlay, Prop, looks_like_timestamp, now_rfc3339,
};
use crate::store::{Bounded, IdemSlot, Stored, StoredAnswer};

/// The request header that forces this request's answer (see the crate docs).
pub const SCENARIO_HEADER: &str = "x-covenant-scenario";

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("{provider}: operation {operation}: {message}")]
    Operation {
        provider: String,
        operation: String,
        message: String,
    },
    #[error("{provider}: {message}")]
    Config { provider: String, message: String },
}

/// A request as the engine sees it (body already read within the limit).
pub struct Incoming {
    pub method: http::Method,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// An answer.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub status: u16,
    /// `None` for an answer without a body, or when the spec's media type is not a
    /// valid header value.
    pub content_type: Option<HeaderValue>,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Outgoing {
    /// An answer whose body is already serialised.
    pub fn bytes(status: u16, content_type: HeaderValue, body: Bytes) -> Outgoing {
        Outgoing {
            status,
            content_type: Some(content_type),
            headers: Vec::new(),
            body,
        }
    }

    pub fn json(status: u16, content_type: &str, body: &Value) -> Outgoing {
        Outgoing {
            status,
            content_type: media_header(content_type),
            headers: Vec::new(),
            body: Bytes::from(serde_json::to_vec(body).unwrap_or_default()),
        }
    }
}

/// `media_type` as a header value. The usual ones are static, so an answer's
/// `Content-Type` costs neither an allocation nor a shared reference count.
pub fn media_header(media_type: &str) -> Option<HeaderValue> {
    const COMMON: [&str; 4] = [
        "application/json",
        "application/problem+json",
        "application/json; charset=utf-8",
        "text/plain",
    ];
    match COMMON.iter().find(|c| **c == media_type) {
        Some(c) => Some(HeaderValue::from_static(c)),
        None => HeaderValue::from_str(media_type).ok(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coerce {
    String,
    Integer,
    Number,
    Boolean,
}

struct CParam {
    name: String,
    location: ParameterLocation,
    required: bool,
    validator: Option<jsonschema::Validator>,
    /// Types to try, in order, when turning the raw string into JSON.
    coerce: Vec<Coerce>,
    /// Array parameters (comma-separated / repeated), with the item coercions.
    array: Option<Vec<Coerce>>,
}

struct CMedia {
    essence: String,
    json: bool,
    /// The body schema over `serde_json::Value`: explains a rejection.
    validator: Option<jsonschema::Validator>,
    /// The same schema over the borrowed body: the accept/reject answer.
    borrowed: Option<jsonschema::Validator<Borrowed>>,
    /// Request members declared exactly as the success body declares them: once the
    /// request validated, echoing them cannot break the answer (see [`same_members`]).
    trusted: Vec<String>,
}

struct CSuccess {
    status: u16,
    content_type: Option<String>,
    /// `content_type` as sent.
    content_header: Option<HeaderValue>,
    plan: Option<BodyPlan>,
}

enum Seg {
    Lit(String),
    Param(String),
}

struct CompiledOp {
    op: Operation,
    method: http::Method,
    segments: Vec<Seg>,
    params: Vec<CParam>,
    body_required: bool,
    media: Vec<CMedia>,
    success: CSuccess,
    idempotency: Option<Idempotency>,
    resource: Option<Resource>,
    id_style: IdStyle,
    /// The top-level status property and its lifecycle.
    status_field: Option<(String, Lifecycle)>,
    /// Response properties filled from path parameters (`customer_id` <- `{id}`).
    path_echo: Vec<(String, String)>,
}

/// A queued forced answer (control endpoint) or the scenario header's.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Applies only to this operationId (any operation when absent).
    #[serde(default)]
    pub operation: Option<String>,
    /// Answer with this failure class (`rate-limited`, `internal`, `forbidden`, ...).
    #[serde(default)]
    pub class: Option<String>,
    /// Seconds for `Retry-After` (rate-limited; default 1).
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// Create the resource with this status (reachable along the lifecycle).
    #[serde(default)]
    pub status: Option<Value>,
    /// How many requests it applies to (default 1).
    #[serde(default)]
    pub times: Option<u32>,
}

/// One provider served by the mock.
pub struct Provider {
    pub spec: Arc<Spec>,
    pub config: MockConfig,
    ops: Vec<CompiledOp>,
    resources: HashMap<String, Bounded<Stored>>,
    idem: Vec<Option<Bounded<IdemSlot>>>,
    scenarios: Mutex<VecDeque<(Scenario, u32)>>,
    /// Length of `scenarios`, read without the lock.
    scenarios_queued: AtomicUsize,
    fallback_logged: Mutex<HashSet<String>>,
    picks: AtomicUsize,
    pub created: AtomicU64,
}

/// The members of the request view's root object whose schema means the same in the
/// response view: equal schema values, and every `$ref` reachable from them resolving
/// to equal definitions in both views (views differ by direction: `readOnly` and
/// `writeOnly` shape their `$defs` differently). A request valid against its view has
/// each such member valid against the root's `properties` entry, hence against the
/// response's.
fn same_members(request: &Value, response: &Value) -> Vec<String> {
    let (Some(rq), Some(rs)) = (
        covenant_spec::pointer::deref(request, request)
            .get("properties")
            .and_then(Value::as_object),
        covenant_spec::pointer::deref(response, response)
            .get("properties")
            .and_then(Value::as_object),
    ) else {
        return Vec::new();
    };
    rq.iter()
        .filter(|(name, a)| {
            rs.get(*name)
                .is_some_and(|b| *a == b && refs_agree(request, response, a))
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// Whether every `$ref` reachable from `schema` resolves, in both views, to equal
/// values (only local refs are followed; any other ref disagrees).
fn refs_agree(request: &Value, response: &Value, schema: &Value) -> bool {
    let mut seen: HashSet<String> = HashSet::new();
    let mut todo: Vec<&Value> = vec![schema];
    while let Some(v) = todo.pop() {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    if k == "$ref" {
                        let Some(r) = x.as_str() else { return false };
                        if !seen.insert(r.to_string()) {
                            continue;
                        }
                        let Some(ptr) = r.strip_prefix('#') else {
                            return false;
                        };
                        match (request.pointer(ptr), response.pointer(ptr)) {
                            (Some(a), Some(b)) if a == b => todo.push(a),
                            _ => return false,
                        }
                    } else {
                        todo.push(x);
                    }
                }
            }
            Value::Array(a) => todo.extend(a),
            _ => {}
        }
    }
    true
}

fn types_of(root: &Value, s: &Value) -> Vec<String> {
    let s = covenant_spec::pointer::deref(root, s);
    match s.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn coercions(types: &[String]) -> Vec<Coerce> {
    let mut out: Vec<Coerce> = types
        .iter()
        .filter_map(|t| match t.as_str() {
            "integer" => Some(Coerce::Integer),
            "number" => Some(Coerce::Number),
            "boolean" => Some(Coerce::Boolean),
            "string" => Some(Coerce::String),
            _ => None,
        })
        .collect();
    if out.is_empty() {
        out.push(Coerce::String);
    }
    out
}

fn coerce(raw: &str, how: &[Coerce]) -> Value {
    for c in how {
        match c {
            Coerce::Integer => {
                if let Ok(i) = raw.parse::<i64>() {
                    return Value::from(i);
                }
            }
            Coerce::Number => {
                if let Some(n) = raw
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                {
                    return Value::Number(n);
                }
            }
            Coerce::Boolean => match raw {
                "true" => return Value::Bool(true),
                "false" => return Value::Bool(false),
                _ => {}
            },
            Coerce::String => return Value::String(raw.to_string()),
        }
    }
    // Not convertible: hand the string to the validator, which names the type error.
    Value::String(raw.to_string())
}

fn singular(word: &str) -> String {
    let w = word.trim_end_matches(".json");
    if let Some(s) = w.strip_suffix("ies") {
        format!("{s}y")
    } else if let Some(s) = w.strip_suffix('s') {
        s.to_string()
    } else {
        w.to_string()
    }
}

impl Provider {
    /// Compiles every validator and response pool once.
    pub fn new(spec: Arc<Spec>, config: MockConfig) -> Result<Provider, EngineError> {
        crate::auth::check_config(&spec, &config.credentials).map_err(|message| {
            EngineError::Config {
                provider: spec.provider.clone(),
                message,
            }
        })?;
        let mut ops = Vec::new();
        for (i, op) in spec.operations.iter().enumerate() {
            ops.push(compile_op(&spec, &config, op, i)?);
        }
        let ttl = Duration::from_secs(config.store_ttl_secs);
        let mut resources = HashMap::new();
        for c in &ops {
            if let Some(r) = &c.resource {
                resources
                    .entry(r.name.clone())
                    .or_insert_with(|| Bounded::new(config.store_capacity, ttl));
            }
        }
        let idem = ops
            .iter()
            .map(|c| {
                c.idempotency.as_ref().map(|i| {
                    let window = i
                        .window
                        .as_deref()
                        .and_then(parse_duration)
                        .unwrap_or(Duration::from_secs(86_400));
                    Bounded::new(config.idempotency_capacity, window)
                })
            })
            .collect();
        Ok(Provider {
            spec,
            config,
            ops,
            resources,
            idem,
            scenarios: Mutex::new(VecDeque::new()),
            scenarios_queued: AtomicUsize::new(0),
            fallback_logged: Mutex::new(HashSet::new()),
            picks: AtomicUsize::new(0),
            created: AtomicU64::new(0),
        })
    }

    pub fn provider(&self) -> &str {
        &self.spec.provider
    }

    /// An error answer of `class` in the provider's style (or the logged fallback).
    pub fn error(&self, class: &str, mut input: ErrorInput) -> Outgoing {
        let (case, fell_back) = error_style::case_for(&self.spec.covenant.errors, class);
        if fell_back && self.fallback_logged.lock().insert(class.to_string()) {
            tracing::info!(
                provider = %self.spec.provider,
                class,
                status = case.status,
                "the spec describes no `{class}` error (x-covenant-errors); answering with the generic application/problem+json fallback"
            );
        }
        if input.instance.is_empty() {
            input.instance = format!("urn:uuid:{}", uuid::Uuid::new_v4());
        }
        let r = error_style::render(&case, &input);
        Outgoing {
            status: r.status,
            content_type: r.content_type.as_deref().and_then(media_header),
            headers: r.headers,
            body: r
                .body
                .map(|b| Bytes::from(serde_json::to_vec(&b).unwrap_or_default()))
                .unwrap_or_default(),
        }
    }

    fn generic(&self, status: u16, message: String) -> Outgoing {
        let case = error_style::fallback_case("internal");
        let r = error_style::render(
            &case,
            &ErrorInput {
                status: Some(status),
                message: Some(message),
                instance: format!("urn:uuid:{}", uuid::Uuid::new_v4()),
                ..Default::default()
            },
        );
        Outgoing {
            status,
            content_type: r.content_type.as_deref().and_then(media_header),
            headers: r.headers,
            body: r
                .body
                .map(|b| Bytes::from(serde_json::to_vec(&b).unwrap_or_default()))
                .unwrap_or_default(),
        }
    }

    /// The route miss answer: not a provider class, so always the generic problem.
    fn route_miss(&self, method: &http::Method, path: &str) -> Outgoing {
        let known_path = self
            .ops
            .iter()
            .any(|c| match_path(&c.segments, path).is_some());
        if known_path {
            self.generic(405, format!("{method} is not declared for this path"))
        } else {
            self.generic(404, "no operation of this spec matches the path".into())
        }
    }

    /// Handles one request.
    pub async fn handle(&self, req: Incoming) -> Outgoing {
        // Route.
        let Some((ci, path_params)) = self.route(&req.method, &req.path) else {
            return self.route_miss(&req.method, &req.path);
        };
        let c = &self.ops[ci];
        // Header size.
        let header_bytes: usize = req
            .headers
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len() + 4)
            .sum();
        if header_bytes > self.config.max_header_bytes {
            return self.error(
                "header-too-large",
                ErrorInput {
                    message: Some(format!(
                        "request headers take {header_bytes} bytes, more than the limit of {}",
                        self.config.max_header_bytes
                    )),
                    ..Default::default()
                },
            );
        }
        let query = parse_query(req.query.as_deref());
        // Scenario header.
        let mut scenario = match req.headers.get(SCENARIO_HEADER) {
            Some(v) => match v.to_str().ok().and_then(|s| parse_scenario(s).ok()) {
                Some(s) => Some(s),
                None => {
                    return self.error(
                        "validation",
                        ErrorInput {
                            violations: vec![FieldError::parameter(
                                "X-Covenant-Scenario",
                                "enum",
                                format!("expected one of {} or status=<value>, optionally `; retry-after=<seconds>`", error_style::CLASSES.join(", ")),
                            )],
                            ..Default::default()
                        },
                    );
                }
            },
            None => None,
        };
        // Auth.
        if let Err(f) = crate::auth::check(
            &self.spec,
            &c.op.security,
            &req.headers,
            &query,
            &self.config.credentials,
        ) {
            return self.error(
                "unauthorized",
                ErrorInput {
                    message: Some(f.message),
                    ..Default::default()
                },
            );
        }
        // Forced answers: the header wins, else the queue.
        if scenario.is_none() {
            scenario = self.take_scenario(&c.op.id);
        }
        if let Some(s) = &scenario
            && let Some(class) = &s.class
        {
            let retry_after = if class == "rate-limited" {
                Some(s.retry_after.unwrap_or(1))
            } else {
                s.retry_after
            };
            return self.error(
                class,
                ErrorInput {
                    retry_after,
                    ..Default::default()
                },
            );
        }
        // Accept.
        if let (Some(accept), Some(ct)) = (
            req.headers.get(http::header::ACCEPT),
            c.success.content_type.as_deref(),
        ) && !accepts(accept.to_str().unwrap_or(""), ct)
        {
            return self.error(
                "not-acceptable",
                ErrorInput {
                    message: Some(format!(
                        "the Accept header does not allow {}",
                        covenant_spec::ir::essence(ct)
                    )),
                    ..Default::default()
                },
            );
        }
        // Body.
        let body = match self.parse_body(c, &req) {
            Ok(b) => b,
            Err(out) => return out,
        };
        // Parameters and body against the spec.
        let mut errors = Vec::new();
        let mut values: BTreeMap<(ParameterLocation, String), Value> = BTreeMap::new();
        for p in &c.params {
            let raw: Vec<String> = match p.location {
                ParameterLocation::Path => path_params
                    .iter()
                    .filter(|(n, _)| *n == p.name)
                    .map(|(_, v)| v.clone())
                    .collect(),
                ParameterLocation::Query => query
                    .iter()
                    .filter(|(n, _)| *n == p.name)
                    .map(|(_, v)| v.clone())
                    .collect(),
                ParameterLocation::Header => {
                    let mut out = Vec::new();
                    for v in req.headers.get_all(p.name.as_str()) {
                        match v.to_str() {
                            Ok(s) => out.push(s.to_string()),
                            Err(_) => errors.push(FieldError::parameter(
                                &p.name,
                                "type",
                                "the header value is not visible ASCII",
                            )),
                        }
                    }
                    out
                }
                ParameterLocation::Cookie => continue,
            };
            if raw.is_empty() {
                if p.required {
                    errors.push(FieldError::parameter(
                        &p.name,
                        "required",
                        format!("{} parameter {} is required", loc_name(p.location), p.name),
                    ));
                }
                continue;
            }
            let value = match &p.array {
                Some(items) => Value::Array(
                    raw.iter()
                        .flat_map(|r| r.split(','))
                        .map(|r| coerce(r, items))
                        .collect(),
                ),
                None => coerce(&raw[0], &p.coerce),
            };
            if let Some(v) = &p.validator {
                for viol in violations(v, &value) {
                    errors.push(FieldError::parameter(&p.name, &viol.keyword, viol.message));
                }
            }
            values.insert((p.location, p.name.clone()), value);
        }
        if let Some((m, b)) = body.as_ref()
            && let (Some(validator), Some(borrowed)) = (&m.validator, &m.borrowed)
            && !borrowed.is_valid(b)
        {
            // Rejected: the `Value` validator says why (messages, pointers).
            let found = violations(validator, &b.to_value());
            if found.is_empty() {
                // The two validators agree (tests/borrowed_json.rs); if they ever
                // did not, the request is still refused rather than let through.
                errors.push(FieldError {
                    pointer: String::new(),
                    keyword: "schema".into(),
                    message: "the request body does not match its schema".into(),
                    parameter: false,
                });
            }
            errors.extend(found.iter().map(FieldError::body));
        }
        if body.is_none() && c.body_required {
            errors.push(FieldError {
                pointer: String::new(),
                keyword: "required".into(),
                message: "a request body is required".into(),
                parameter: false,
            });
        }
        if !errors.is_empty() {
            return self.error(
                "validation",
                ErrorInput {
                    violations: errors,
                    ..Default::default()
                },
            );
        }
        let (trusted, body_value): (&[String], _) = match body {
            Some((m, b)) => (&m.trusted, Some(b)),
            None => (&[], None),
        };
        let ctx = Ctx {
            c,
            body: body_value,
            body_len: req.body.len(),
            trusted,
            values: &values,
            query: &query,
            path_params: &path_params,
            forced_status: scenario.and_then(|s| s.status),
        };
        // Idempotency.
        if let (Some(idem), Some(store)) = (&c.idempotency, &self.idem[ci]) {
            let key = match idem.location {
                ParameterLocation::Query => query
                    .iter()
                    .find(|(n, _)| *n == idem.name)
                    .map(|(_, v)| v.clone()),
                ParameterLocation::Header => req
                    .headers
                    .get(idem.name.as_str())
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
                _ => None,
            };
            let bypass = idem.bypass_when.as_ref().is_some_and(|b| ctx.matches(b));
            if let (Some(key), false) = (key, bypass) {
                return self.idempotent(&ctx, idem, store, &key).await;
            }
        }
        self.produce(&ctx)
    }

    async fn idempotent(
        &self,
        ctx: &Ctx<'_>,
        idem: &Idempotency,
        store: &Bounded<IdemSlot>,
        key: &str,
    ) -> Outgoing {
        let canonical = ctx
            .body
            .as_ref()
            .and_then(|b| serde_json::to_string(b).ok())
            .unwrap_or_default();
        let slot = store.get_or_insert_with(key, || Arc::new(tokio::sync::OnceCell::new()));
        let mut fresh = false;
        let result = slot
            .get_or_try_init(|| {
                fresh = true;
                let out = self.produce(ctx);
                let canonical = canonical.clone();
                async move {
                    if (200..300).contains(&out.status) {
                        Ok(StoredAnswer {
                            status: out.status,
                            content_type: out.content_type,
                            body: out.body,
                            request_body: canonical,
                        })
                    } else {
                        Err(out)
                    }
                }
            })
            .await;
        match result {
            Err(out) => out,
            Ok(stored) => {
                if !fresh
                    && stored.request_body != canonical
                    && idem.on_body_mismatch == covenant_spec::ext::BodyMismatch::Reject
                {
                    return self.error(
                        "validation",
                        ErrorInput {
                            violations: vec![FieldError::parameter(
                                &idem.name,
                                "idempotency",
                                "this idempotency key was already used with a different request body",
                            )],
                            ..Default::default()
                        },
                    );
                }
                Outgoing {
                    status: stored.status,
                    content_type: stored.content_type.clone(),
                    headers: Vec::new(),
                    body: stored.body.clone(),
                }
            }
        }
    }

    /// The success answer (create, read, or plain).
    fn produce(&self, ctx: &Ctx<'_>) -> Outgoing {
        let c = ctx.c;
        let pick = self.picks.fetch_add(1, Ordering::Relaxed);
        let success = &c.success;
        let Some(plan) = &success.plan else {
            return Outgoing {
                status: success.status,
                content_type: None,
                headers: Vec::new(),
                body: Bytes::new(),
            };
        };
        let ct = success
            .content_header
            .clone()
            .unwrap_or(HeaderValue::from_static("application/json"));
        // Declared before the overlay, which borrows it for every timestamp member.
        let now = Value::String(now_rfc3339());
        let mut overlay = Overlay::with_capacity(plan.props.len());
        match &c.resource {
            Some(r) if r.role == ResourceRole::Read => {
                let Some(id) = ctx.lookup_id(r) else {
                    return self.not_found(r, None);
                };
                let Some(stored) = self
                    .resources
                    .get(&r.name)
                    .and_then(|s| s.update(&id_key(&id), |st| st.value().clone()))
                else {
                    return self.not_found(r, Some(&id));
                };
                if let Value::Object(m) = stored {
                    for (k, v) in m {
                        overlay.set(k, v);
                    }
                }
                let built = plan.build_bytes(pick, overlay);
                return Outgoing::bytes(success.status, ct, built.body);
            }
            _ => {}
        }
        // Echo what the request supplied (borrowed from the parsed body), then
        // server-made values.
        if let Some(Node::Object(b)) = &ctx.body {
            overlay.size_hint = ctx.body_len;
            for (k, v) in b {
                let trusted = ctx.trusted.iter().any(|t| t == k);
                overlay.put(Cow::Borrowed(k.as_ref()), Item::Node(v), trusted);
            }
        }
        for (prop, param) in &c.path_echo {
            if let Some((_, v)) = ctx.path_params.iter().find(|(n, _)| n == param) {
                overlay.set(prop.as_str(), Value::String(v.clone()));
            }
        }
        for (name, p) in &plan.props {
            if p.timestamp && !overlay.has(name) {
                if contains_ignore_case(name, "created") || contains_ignore_case(name, "updated") {
                    overlay.set_ref(name.as_str(), &now);
                } else {
                    overlay
                        .soft
                        .push((Cow::Borrowed(name.as_str()), Cow::Borrowed(&now)));
                }
            }
        }
        let id_name = c
            .resource
            .as_ref()
            .map_or(covenant_spec::ext::DEFAULT_ID_POINTER, |r| r.id_pointer());
        let id_name = covenant_spec::pointer::tokens_iter(id_name)
            .next()
            .unwrap_or("id".into());
        if plan.props.contains_key(&*id_name) {
            overlay.set(id_name, c.id_style.fresh());
        }
        // Status: forced initial value (first match), else the lifecycle's initial.
        let mut status_set = false;
        if let Some(r) = &c.resource
            && let Some(init) = r
                .initial
                .iter()
                .find(|i| i.when.as_ref().is_none_or(|w| ctx.matches(w)))
            && let Some(name) = covenant_spec::pointer::tokens_iter(&init.pointer).next()
        {
            overlay.set_ref(name, &init.value);
            status_set = true;
        }
        if let Some((ptr, lc)) = &c.status_field {
            if !status_set && c.resource.is_some() {
                overlay.set_ref(ptr.as_str(), &lc.initial);
            }
            if let Some(target) = &ctx.forced_status {
                let from = overlay
                    .get(ptr)
                    .map(Item::to_value)
                    .unwrap_or_else(|| lc.initial.clone());
                if !reachable(lc, &from, target) {
                    return self.generic(
                        409,
                        format!(
                            "scenario status {target} is not reachable from {from} along the declared x-covenant-lifecycle"
                        ),
                    );
                }
                overlay.set_ref(ptr.as_str(), target);
            }
        }
        let built = plan.build_bytes(pick, overlay);
        if !built.dropped.is_empty() {
            tracing::debug!(provider = %self.spec.provider, operation = %c.op.id, dropped = ?built.dropped, "overlays that would break the response schema were dropped");
        }
        if let Some(r) = &c.resource
            && r.role == ResourceRole::Create
        {
            let id_ptr = r.id_pointer();
            if let (Some(id), Some(store)) = (built.pointer(id_ptr), self.resources.get(&r.name)) {
                let key: Arc<str> = Arc::from(&*id_key(&id));
                drop(id);
                // What a later read returns: the answer, plus forced values and
                // request fields this answer's schema has no room for. Kept as the
                // answer's bytes and parsed on first read.
                let stored = Stored::new(built.body.clone(), built.extras);
                store.insert(key, stored);
                self.created.fetch_add(1, Ordering::Relaxed);
            }
        }
        Outgoing::bytes(success.status, ct, built.body)
    }

    fn not_found(&self, r: &Resource, id: Option<&Value>) -> Outgoing {
        let message = match id {
            Some(id) => format!("No {} found with id: {}", r.name, id_key(id)),
            None => format!("No {} id was given", r.name),
        };
        self.error(
            "not-found",
            ErrorInput {
                message: Some(message),
                ..Default::default()
            },
        )
    }

    fn parse_body<'c, 'r>(
        &self,
        c: &'c CompiledOp,
        req: &'r Incoming,
    ) -> Result<Option<(&'c CMedia, Node<'r>)>, Outgoing> {
        if req.body.is_empty() || c.media.is_empty() {
            return Ok(None);
        }
        let ct = req
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        // `essence` without the lowercase copy (declared essences are lowercase).
        let given = ct.map(|ct| ct.split(';').next().unwrap_or("").trim());
        let Some(m) =
            given.and_then(|g| c.media.iter().find(|m| m.essence.eq_ignore_ascii_case(g)))
        else {
            let ct = ct.map(covenant_spec::ir::essence);
            let declared: Vec<&str> = c.media.iter().map(|m| m.essence.as_str()).collect();
            return Err(self.error(
                "unsupported-media-type",
                ErrorInput {
                    message: Some(format!(
                        "Content-Type {} is not accepted; send {}",
                        ct.as_deref().unwrap_or("(none)"),
                        declared.join(" or ")
                    )),
                    ..Default::default()
                },
            ));
        };
        if !m.json {
            return Ok(None);
        }
        let malformed = |message: String| {
            self.error(
                "malformed",
                ErrorInput {
                    message: Some(message),
                    ..Default::default()
                },
            )
        };
        // Parse first: a body that parses is valid UTF-8 (serde_json checks strings,
        // and any other byte outside ASCII is a syntax error), so the UTF-8 and depth
        // scans below only run to explain a failure, or once a parsed value turns
        // out too deep. serde_json's own recursion limit (128) bounds the stack.
        let max_depth = self.config.max_json_depth;
        let too_deep_message = |at: Option<usize>| {
            let at = at.map(|at| format!(" (at byte {at})")).unwrap_or_default();
            format!("the request body nests arrays/objects deeper than {max_depth} levels{at}")
        };
        match Node::parse(&req.body) {
            Ok(v) if v.depth() > max_depth => {
                Err(malformed(too_deep_message(too_deep(&req.body, max_depth))))
            }
            Ok(v) => Ok(Some((m, v))),
            Err(e) => Err(malformed(if let Err(u) = std::str::from_utf8(&req.body) {
                format!(
                    "the request body is not valid UTF-8 (at byte {})",
                    u.valid_up_to()
                )
            } else if let Some(at) = too_deep(&req.body, max_depth) {
                too_deep_message(Some(at))
            } else {
                format!("the request body is not valid JSON: {e}")
            })),
        }
    }

    fn route(&self, method: &http::Method, path: &str) -> Option<(usize, Vec<(String, String)>)> {
        self.ops.iter().enumerate().find_map(|(i, c)| {
            if c.method != *method {
                return None;
            }
            match_path(&c.segments, path).map(|p| (i, p))
        })
    }

    fn take_scenario(&self, op: &str) -> Option<Scenario> {
        // Most requests find the queue empty; they need not take its lock.
        if self.scenarios_queued.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut q = self.scenarios.lock();
        let i = q
            .iter()
            .position(|(s, _)| s.operation.as_deref().is_none_or(|o| o == op))?;
        let (s, left) = &mut q[i];
        let s = s.clone();
        if *left <= 1 {
            q.remove(i);
            self.scenarios_queued.store(q.len(), Ordering::Release);
        } else {
            *left -= 1;
        }
        Some(s)
    }

    // ----- control plane -----

    /// Queues a forced answer. Errors name what is wrong with it.
    pub fn push_scenario(&self, s: Scenario) -> Result<(), String> {
        if let Some(op) = &s.operation
            && !self.ops.iter().any(|c| &c.op.id == op)
        {
            return Err(format!("unknown operation {op}"));
        }
        if let Some(class) = &s.class
            && !error_style::CLASSES.contains(&class.as_str())
        {
            return Err(format!(
                "unknown class {class}; expected one of {}",
                error_style::CLASSES.join(", ")
            ));
        }
        if s.class.is_none() && s.status.is_none() {
            return Err("a scenario needs `class` or `status`".into());
        }
        let times = s.times.unwrap_or(1).max(1);
        let mut q = self.scenarios.lock();
        q.push_back((s, times));
        self.scenarios_queued.store(q.len(), Ordering::Release);
        Ok(())
    }

    /// A stored resource.
    pub fn resource(&self, kind: &str, id: &str) -> Option<Value> {
        self.resources
            .get(kind)?
            .update(id, |st| st.value().clone())
    }

    /// Ids of the stored resources of `kind` (oldest first).
    pub fn resource_ids(&self, kind: &str) -> Option<Vec<String>> {
        self.resources.get(kind).map(|s| s.keys())
    }

    /// Moves a resource's status along a declared transition.
    pub fn transition(&self, kind: &str, id: &str, to: &Value) -> Result<Value, (u16, String)> {
        let (ptr, lc) = self
            .ops
            .iter()
            .filter(|c| c.resource.as_ref().is_some_and(|r| r.name == kind))
            .find_map(|c| c.status_field.clone())
            .ok_or((404, format!("resource kind {kind} has no lifecycle")))?;
        let store = self
            .resources
            .get(kind)
            .ok_or((404, format!("unknown resource kind {kind}")))?;
        store
            .update(id, |st| {
                let v = st.value();
                let from = v.get(&ptr).cloned().unwrap_or(Value::Null);
                let allowed = from
                    .as_str()
                    .and_then(|f| lc.transitions.get(f))
                    .is_some_and(|t| t.contains(to));
                if !allowed {
                    return Err((
                        409,
                        format!("{kind} {id}: {from} -> {to} is not a declared transition"),
                    ));
                }
                if let Value::Object(m) = v {
                    m.insert(ptr, to.clone());
                }
                Ok(v.clone())
            })
            .ok_or((404, format!("no {kind} with id {id}")))?
    }

    pub fn reset(&self) {
        for s in self.resources.values() {
            s.clear();
        }
        for s in self.idem.iter().flatten() {
            s.clear();
        }
        let mut q = self.scenarios.lock();
        q.clear();
        self.scenarios_queued.store(0, Ordering::Release);
    }
}

struct Ctx<'a> {
    c: &'a CompiledOp,
    /// The parsed request body; [`Provider::produce`] echoes its members.
    body: Option<Node<'a>>,
    /// The request body's length in bytes.
    body_len: usize,
    /// The request body's members that may be echoed unchecked.
    trusted: &'a [String],
    values: &'a BTreeMap<(ParameterLocation, String), Value>,
    query: &'a [(String, String)],
    path_params: &'a [(String, String)],
    forced_status: Option<Value>,
}

impl Ctx<'_> {
    /// Whether the request matches `{in, name, equals}`.
    fn matches(&self, b: &Bypass) -> bool {
        if let Some(v) = self.values.get(&(b.location, b.name.clone())) {
            return *v == b.equals;
        }
        let raw = match b.location {
            ParameterLocation::Query => self
                .query
                .iter()
                .find(|(n, _)| *n == b.name)
                .map(|(_, v)| v.as_str()),
            ParameterLocation::Path => self
                .path_params
                .iter()
                .find(|(n, _)| *n == b.name)
                .map(|(_, v)| v.as_str()),
            _ => None,
        };
        raw.is_some_and(|r| match &b.equals {
            Value::String(s) => s == r,
            other => *other == r,
        })
    }

    fn lookup_id(&self, r: &Resource) -> Option<Value> {
        let l = r.lookup.as_ref()?;
        match l.location {
            LookupLocation::Body => self
                .body
                .as_ref()?
                .pointer(l.id_pointer())
                .map(Node::to_value),
            LookupLocation::Path => {
                let name = l.name.as_deref().unwrap_or("id");
                self.path_params
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| Value::String(v.clone()))
            }
            LookupLocation::Query => {
                let name = l.name.as_deref().unwrap_or("id");
                self.query
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| Value::String(v.clone()))
            }
        }
    }
}

/// The store key of an id value: strings as they are, numbers as written.
pub fn id_key(v: &Value) -> Cow<'_, str> {
    match v {
        Value::String(s) => Cow::Borrowed(s),
        other => Cow::Owned(other.to_string()),
    }
}

fn reachable(lc: &Lifecycle, from: &Value, to: &Value) -> bool {
    if from == to {
        return true;
    }
    let mut seen = vec![from.clone()];
    let mut queue = VecDeque::from([from.clone()]);
    while let Some(cur) = queue.pop_front() {
        let Some(next) = cur.as_str().and_then(|s| lc.transitions.get(s)) else {
            continue;
        };
        for n in next {
            if n == to {
                return true;
            }
            if !seen.contains(n) {
                seen.push(n.clone());
                queue.push_back(n.clone());
            }
        }
    }
    false
}

fn loc_name(l: ParameterLocation) -> &'static str {
    match l {
        ParameterLocation::Path => "path",
        ParameterLocation::Query => "query",
        ParameterLocation::Header => "header",
        ParameterLocation::Cookie => "cookie",
    }
}

fn match_path(segments: &[Seg], path: &str) -> Option<Vec<(String, String)>> {
    let path = path.trim_start_matches('/');
    if path.split('/').count() != segments.len() {
        return None;
    }
    let mut params = Vec::new();
    for (seg, part) in segments.iter().zip(path.split('/')) {
        match seg {
            Seg::Lit(l) => {
                if l != part {
                    return None;
                }
            }
            Seg::Param(name) => {
                if part.is_empty() {
                    return None;
                }
                let decoded: String =
                    form_urlencoded::parse(format!("x={}", part.replace('+', "%2B")).as_bytes())
                        .next()
                        .map(|(_, v)| v.into_owned())
                        .unwrap_or_default();
                params.push((name.clone(), decoded));
            }
        }
    }
    Some(params)
}

fn parse_query(q: Option<&str>) -> Vec<(String, String)> {
    q.map(|q| {
        form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    })
    .unwrap_or_default()
}

/// `rate-limited; retry-after=3`, `internal`, `status=Declined`.
pub fn parse_scenario(s: &str) -> Result<Scenario, String> {
    let mut out = Scenario::default();
    for (i, part) in s.split(';').map(str::trim).enumerate() {
        if let Some(v) = part.strip_prefix("status=") {
            out.status = Some(serde_json::from_str(v).unwrap_or_else(|_| Value::String(v.into())));
        } else if let Some(v) = part.strip_prefix("retry-after=") {
            out.retry_after = Some(v.parse().map_err(|_| format!("bad retry-after {v}"))?);
        } else if i == 0 && error_style::CLASSES.contains(&part) {
            out.class = Some(part.to_string());
        } else {
            return Err(format!("unknown scenario part {part}"));
        }
    }
    if out.class.is_none() && out.status.is_none() {
        return Err("empty scenario".into());
    }
    Ok(out)
}

/// Whether an Accept header value admits `content_type`.
fn accepts(accept: &str, content_type: &str) -> bool {
    let want = covenant_spec::ir::essence(content_type);
    let (want_type, want_sub) = want.split_once('/').unwrap_or((&want, ""));
    accept.split(',').any(|range| {
        let mut parts = range.split(';');
        let r = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let zero_q = parts.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q == 0.0)
        });
        if zero_q {
            return false;
        }
        let (t, s) = r.split_once('/').unwrap_or((&r, ""));
        (t == "*" && s == "*") || (t == want_type && (s == "*" || s == want_sub))
    })
}

/// Whether `haystack` contains `needle` (ASCII, any case), without allocating.
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The byte offset where nesting first exceeds `max`, if it does.
fn too_deep(body: &[u8], max: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in body.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// ISO 8601 durations of the form `PnDTnHnMnS` (weeks too).
pub fn parse_duration(s: &str) -> Option<Duration> {
    let rest = s.strip_prefix('P')?;
    let (date, time) = rest.split_once('T').unwrap_or((rest, ""));
    let mut secs = 0u64;
    for (part, units) in [
        (date, &[('W', 604_800u64), ('D', 86_400)][..]),
        (time, &[('H', 3_600), ('M', 60), ('S', 1)][..]),
    ] {
        let mut num = String::new();
        for ch in part.chars() {
            if ch.is_ascii_digit() {
                num.push(ch);
            } else {
                let unit = units.iter().find(|(u, _)| *u == ch)?.1;
                secs += num.parse::<u64>().ok()? * unit;
                num.clear();
            }
        }
        if !num.is_empty() {
            return None;
        }
    }
    Some(Duration::from_secs(secs))
}

fn compile_op(
    spec: &Spec,
    config: &MockConfig,
    op: &Operation,
    index: usize,
) -> Result<CompiledOp, EngineError> {
    let err = |message: String| EngineError::Operation {
        provider: spec.provider.clone(),
        operation: op.id.clone(),
        message,
    };
    let method = http::Method::from_bytes(op.method.as_str().as_bytes())
        .map_err(|e| err(format!("method: {e}")))?;
    let segments = op
        .path
        .trim_start_matches('/')
        .split('/')
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => Seg::Param(name.to_string()),
                None => Seg::Lit(s.to_string()),
            },
        )
        .collect();
    let mut params = Vec::new();
    for p in &op.parameters {
        if p.location == ParameterLocation::Cookie {
            continue;
        }
        let (validator, coerce_types, array) = match &p.schema {
            Some(site) => {
                let js = spec.json_schema(site);
                let root = covenant_spec::pointer::deref(&js, &js);
                let types = types_of(&js, root);
                let array = types.iter().any(|t| t == "array").then(|| {
                    coercions(
                        &root
                            .get("items")
                            .map(|i| types_of(&js, i))
                            .unwrap_or_default(),
                    )
                });
                let v = spec
                    .compile(site)
                    .map_err(|e| err(format!("parameter {}: {e}", p.name)))?;
                (Some(v), coercions(&types), array)
            }
            None => (None, vec![Coerce::String], None),
        };
        params.push(CParam {
            name: p.name.clone(),
            location: p.location,
            required: p.required,
            validator,
            coerce: coerce_types,
            array,
        });
    }
    let mut media = Vec::new();
    let mut body_required = false;
    if let Some(rb) = &op.request_body {
        body_required = rb.required;
        for m in &rb.content {
            let (validator, borrowed) = match (&m.schema, m.is_json()) {
                (Some(site), true) => {
                    let view = spec.json_schema(site);
                    let bad = |e: String| err(format!("request body {}: {e}", m.media_type));
                    (
                        Some(covenant_spec::view::compile(&view).map_err(bad)?),
                        Some(covenant_spec::view::compile_for::<Borrowed>(&view).map_err(bad)?),
                    )
                }
                _ => (None, None),
            };
            media.push(CMedia {
                essence: m.essence(),
                json: m.is_json(),
                validator,
                borrowed,
                trusted: Vec::new(),
            });
        }
    }
    let resource = spec.covenant.resources.get(&op.pointer).cloned();
    let idempotency = spec.covenant.idempotency.get(&op.pointer).cloned();
    // The documented success answer: the first 2xx code (a 2XX range answers 200).
    let success_resp = op.success_responses().next();
    let status = match success_resp.map(|r| r.status) {
        Some(covenant_spec::StatusCode::Code(c)) => c,
        _ => 200,
    };
    let media_type = success_resp.and_then(|r| r.json());
    let mut id_style = IdStyle::Uuid;
    let mut status_field = None;
    let mut path_echo = Vec::new();
    let plan = match media_type.and_then(|m| m.schema.as_ref().map(|s| (m, s))) {
        None => None,
        Some((m, site)) => {
            let js = spec.json_schema(site);
            let generator = covenant_gen::Generator::new(&js)
                .map_err(|e| err(format!("cannot generate the {status} body: {e}")))?;
            let seed = config.seed ^ (index as u64).wrapping_mul(0x9E37_79B9);
            let mut pool = covenant_gen::sample(&generator.valid(), seed, config.pool_size.max(1));
            if pool.is_empty() {
                pool = covenant_gen::sample(&generator.minimal(), seed, config.pool_size.max(1));
            }
            if pool.is_empty() {
                return Err(err(format!(
                    "the generator produced no valid {status} body"
                )));
            }
            let validator = spec
                .compile(site)
                .map_err(|e| err(format!("{status} body: {e}")))?;
            let root = covenant_spec::pointer::deref(&js, &js);
            let raw_props = site
                .name()
                .and_then(|n| spec.schema(n))
                .and_then(|s| s.get("properties"))
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let mut props = BTreeMap::new();
            for (name, ps) in root
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let target = covenant_spec::pointer::deref(&js, ps);
                let format = target.get("format").and_then(Value::as_str);
                let raw_example = raw_props.get(name).and_then(|raw| {
                    raw.get("example").cloned().or_else(|| {
                        raw.get("$ref")
                            .and_then(Value::as_str)
                            .and_then(|r| r.strip_prefix("#/components/schemas/"))
                            .and_then(|n| spec.schema(n))
                            .and_then(|s| s.get("example").cloned())
                    })
                });
                let timestamp = format == Some("date-time")
                    || raw_example.as_ref().is_some_and(looks_like_timestamp)
                    || m.examples
                        .iter()
                        .any(|e| e.value.get(name).is_some_and(looks_like_timestamp));
                props.insert(name.clone(), Prop { timestamp });
                // Lifecycle on the property's named schema.
                if let Some(r) = raw_props
                    .get(name)
                    .and_then(|raw| raw.get("$ref"))
                    .and_then(Value::as_str)
                    && let Some(lc) = spec.covenant.lifecycles.get(&r[1..])
                {
                    status_field = Some((name.clone(), lc.clone()));
                }
            }
            // Id style: schema type/format, then the documented example.
            let id_ptr = resource
                .as_ref()
                .map_or(covenant_spec::ext::DEFAULT_ID_POINTER, |r| r.id_pointer())
                .to_owned();
            if let Some(name) = covenant_spec::pointer::tokens(&id_ptr).first()
                && let Some(ps) = root.get("properties").and_then(|p| p.get(name))
            {
                let target = covenant_spec::pointer::deref(&js, ps);
                let example = m.examples.iter().find_map(|e| e.value.pointer(&id_ptr));
                id_style = IdStyle::learn(
                    &types_of(&js, target),
                    target.get("format").and_then(Value::as_str),
                    example,
                );
            }
            // customer_id / customerId <- {id} of /customers/{id}/...
            let segs: Vec<&str> = op.path.trim_start_matches('/').split('/').collect();
            for (i, s) in segs.iter().enumerate() {
                let Some(param) = s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
                    continue;
                };
                if i == 0 {
                    continue;
                }
                let owner = singular(segs[i - 1]);
                let mut cap = param.to_string();
                if let Some(f) = cap.get(..1) {
                    cap = f.to_uppercase() + &cap[1..];
                }
                for candidate in [format!("{owner}_{param}"), format!("{owner}{cap}")] {
                    if props.contains_key(&candidate) {
                        path_echo.push((candidate, param.to_string()));
                    }
                }
            }
            // Request members the answer may echo unchecked.
            if let Some(rb) = &op.request_body {
                for (cm, m) in media.iter_mut().zip(&rb.content) {
                    if let (Some(req_site), Some(_)) = (&m.schema, &cm.validator) {
                        cm.trusted = same_members(&spec.json_schema(req_site), &js);
                    }
                }
            }
            Some(BodyPlan {
                members: Members::new(&js, root, &pool),
                pool,
                validator,
                props,
            })
        }
    };
    Ok(CompiledOp {
        op: op.clone(),
        method,
        segments,
        params,
        body_required,
        media,
        success: CSuccess {
            status,
            content_type: media_type.map(|m| m.media_type.clone()),
            content_header: media_type.and_then(|m| media_header(&m.media_type)),
            plan,
        },
        idempotency,
        resource,
        id_style,
        status_field,
        path_echo,
    })
}

/// A list of ids as a JSON array (control endpoint answers).
pub fn as_json_ids(ids: Vec<String>) -> Value {
    Value::Array(ids.into_iter().map(Value::String).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Media types become `Content-Type` values; one that is not a valid header value
    /// is left out rather than sent broken.
    #[test]
    fn media_types_become_header_values() {
        for (media_type, expected) in [
            ("application/json", Some("application/json")),
            ("application/problem+json", Some("application/problem+json")),
            (
                "application/vnd.api+json; charset=utf-8",
                Some("application/vnd.api+json; charset=utf-8"),
            ),
            ("text/plain\r\nx-injected: 1", None),
        ] {
            let got = media_header(media_type);
            assert_eq!(
                got.as_ref().and_then(|v| v.to_str().ok()),
                expected,
                "{media_type:?}"
            );
        }
    }

    /// Only members whose schema, and every definition it reaches, read the same in
    /// both views are echoed unchecked.
    #[test]
    fn trusted_echoes_need_the_same_meaning_in_both_views() {
        use serde_json::json;
        let defs = json!({
            "Doc": {"type": "object", "properties": {"k": {"$ref": "#/$defs/Kind"}}},
            "Kind": {"enum": ["a", "b"]}
        });
        let request = json!({
            "$ref": "#/$defs/Create",
            "$defs": {
                "Create": {"type": "object", "properties": {
                    "doc": {"$ref": "#/$defs/Doc"},
                    "name": {"type": "string"},
                    "n": {"type": "integer"},
                    "only_in_request": {"type": "string"}
                }},
                "Doc": defs["Doc"], "Kind": defs["Kind"]
            }
        });
        let response = json!({
            "type": "object",
            "properties": {
                "doc": {"$ref": "#/$defs/Doc"},
                "name": {"type": "string", "maxLength": 3},
                "n": {"type": "integer"}
            },
            "$defs": {"Doc": defs["Doc"], "Kind": defs["Kind"]}
        });
        assert_eq!(same_members(&request, &response), ["doc", "n"]);
        // A definition reached two refs deep differs (as readOnly/writeOnly make it).
        let mut narrower = response.clone();
        narrower["$defs"]["Kind"] = json!({"enum": ["a"]});
        assert_eq!(same_members(&request, &narrower), ["n"]);
        // A ref that does not resolve, or is not local, is never trusted.
        let mut dangling = response.clone();
        dangling["$defs"].as_object_mut().map(|d| d.remove("Kind"));
        assert_eq!(same_members(&request, &dangling), ["n"]);
        assert!(!refs_agree(
            &request,
            &response,
            &json!({"$ref": "other.json#/X"})
        ));
    }

    #[test]
    fn depth_counts_nesting() {
        let depth = |text: &str| Node::parse(text.as_bytes()).expect("JSON").depth();
        assert_eq!(depth("1"), 0);
        assert_eq!(depth(r#"{"a": [1, {"b": []}]}"#), 4);
        assert_eq!(depth("[[], [[[]]]]"), 4);
    }

    #[test]
    fn durations_depth_accept_and_scenarios() {
        assert_eq!(parse_duration("P7D"), Some(Duration::from_secs(7 * 86_400)));
        assert_eq!(
            parse_duration("P1DT2H"),
            Some(Duration::from_secs(86_400 + 7_200))
        );
        assert_eq!(parse_duration("PT30S"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("7D"), None);
        assert_eq!(parse_duration("P7X"), None);

        assert_eq!(too_deep(b"[[[]]]", 3), None);
        assert_eq!(too_deep(b"[[[[]]]]", 3), Some(3));
        assert_eq!(too_deep(br#"{"a":"[[[[[["}"#, 2), None);

        assert!(accepts(
            "application/json",
            "application/json; charset=utf-8"
        ));
        assert!(accepts("text/html, */*;q=0.1", "application/json"));
        assert!(accepts("application/*", "application/json"));
        assert!(!accepts("text/html", "application/json"));
        assert!(!accepts("application/json;q=0", "application/json"));

        let s = parse_scenario("rate-limited; retry-after=3").expect("parses");
        assert_eq!(s.class.as_deref(), Some("rate-limited"));
        assert_eq!(s.retry_after, Some(3));
        let s = parse_scenario("status=Declined").expect("parses");
        assert_eq!(s.status, Some(Value::String("Declined".into())));
        assert!(parse_scenario("explode").is_err());
        assert!(parse_scenario("").is_err());
    }

    #[test]
    fn coercion_and_lifecycle_reachability() {
        assert_eq!(coerce("12", &[Coerce::Integer]), Value::from(12));
        assert_eq!(coerce("x", &[Coerce::Integer]), Value::from("x"));
        assert_eq!(coerce("true", &[Coerce::Boolean]), Value::Bool(true));
        assert_eq!(coerce("1.5", &[Coerce::Number]), serde_json::json!(1.5));
        let lc: Lifecycle = serde_json::from_value(serde_json::json!({
            "initial": "a", "transitions": {"a": ["b"], "b": ["c"]}
        }))
        .expect("lifecycle");
        assert!(reachable(&lc, &"a".into(), &"c".into()));
        assert!(!reachable(&lc, &"c".into(), &"a".into()));
        assert_eq!(singular("customers"), "customer");
        assert_eq!(singular("identities"), "identity");
    }
}
