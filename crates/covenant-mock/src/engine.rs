//! The request pipeline every provider shares. A [`Provider`] is one spec whose
//! routes are known at start and whose operations are compiled on first use
//! ([`crate::compile`], once each): a big spec (Stripe's 468 operations) is ready
//! as soon as it is parsed, and holds only what its traffic needs. [`Provider::warm`]
//! compiles everything up front. [`Provider::handle`] takes a request through
//! these steps, each of which either passes it on or returns the answer, usually the
//! provider's error answer ([`crate::errors`]):
//!
//! route -> header size -> scenario header -> auth -> forced scenario -> Accept ->
//! content type / UTF-8 / JSON depth / JSON syntax -> parameters + body validation ->
//! idempotency -> create / read / answer ([`crate::success`]).
//!
//! It is independent of the HTTP server ([`Incoming`] in, [`Outgoing`] out) so the
//! server layer stays thin.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use covenant_spec::error_style::{self, ErrorInput, FieldError};
use covenant_spec::ext::Idempotency;
use covenant_spec::view::violations;
use covenant_spec::{ParameterLocation, Spec};
use serde_json::Value;

pub use crate::compile::EngineError;
use crate::compile::{CMedia, CompiledOp, compile_op};
use crate::config::MockConfig;
use crate::errors::ErrorAnswers;
pub use crate::message::{Incoming, Outgoing, media_header};
use crate::request::segments;
use crate::request::{Seg, Sources, accepts, depth, match_path, parse_query, too_deep};
pub use crate::state::Scenario;

/// A routed request: the operation's index and the path parameters' values.
type Routed = (usize, Vec<(String, String)>);
use crate::state::{State, parse_scenario};
use crate::store::{Bounded, IdemSlot, StoredAnswer};
use crate::success::{Ctx, produce};

/// The request header that forces this request's answer (see the crate docs).
pub const SCENARIO_HEADER: &str = "x-covenant-scenario";

/// One operation: its route, known at start, and the rest, compiled on first use.
struct Slot {
    method: http::Method,
    segments: Vec<Seg>,
    compiled: OnceLock<Result<CompiledOp, EngineError>>,
}

/// One provider served by the mock.
pub struct Provider {
    pub spec: Arc<Spec>,
    pub config: MockConfig,
    ops: Vec<Slot>,
    errors: ErrorAnswers,
    state: State,
    /// Success bodies and answer validators, shared by operations with one schema.
    answers: crate::plan::Answers,
}

/// A step's verdict: go on with `T`, or answer with this.
type Step<T> = Result<T, Outgoing>;

impl Provider {
    /// Checks the configuration and reads every operation's route; validators and
    /// response pools are compiled when an operation is first asked for.
    pub fn new(spec: Arc<Spec>, config: MockConfig) -> Result<Provider, EngineError> {
        crate::auth::check_config(&spec, &config.credentials).map_err(|message| {
            EngineError::Config {
                provider: spec.provider.clone(),
                message,
            }
        })?;
        let ops = spec
            .operations
            .iter()
            .map(|op| {
                let method =
                    http::Method::from_bytes(op.method.as_str().as_bytes()).map_err(|e| {
                        EngineError::Operation {
                            provider: spec.provider.clone(),
                            operation: op.id.clone(),
                            message: format!("method: {e}"),
                        }
                    })?;
                Ok(Slot {
                    method,
                    segments: segments(&op.path),
                    compiled: OnceLock::new(),
                })
            })
            .collect::<Result<Vec<_>, EngineError>>()?;
        let validators = Arc::new(crate::shared::AnswerValidators::new());
        Ok(Provider {
            errors: ErrorAnswers::new(spec.clone(), config.seed, validators.clone()),
            answers: crate::plan::Answers::new(&spec, validators),
            state: State::new(&config, &spec),
            spec,
            config,
            ops,
        })
    }

    /// Compiles every operation now rather than on first use: the first error, if any.
    pub fn warm(&self) -> Result<(), EngineError> {
        for i in 0..self.ops.len() {
            if let Err(e) = self.compiled(i) {
                return Err(e.clone());
            }
        }
        Ok(())
    }

    /// Operation `i`, compiled (once; concurrent first requests wait for it).
    pub(crate) fn compiled(&self, i: usize) -> Result<&CompiledOp, &EngineError> {
        self.ops[i]
            .compiled
            .get_or_init(|| {
                compile_op(
                    &self.spec,
                    &self.config,
                    &self.spec.operations[i],
                    i,
                    &self.answers,
                )
            })
            .as_ref()
    }

    /// [`Provider::compiled`] as a pipeline step: an operation the mock cannot
    /// serve (a schema the generator cannot satisfy) answers 500, saying why.
    pub(crate) fn serve(&self, i: usize) -> Step<&CompiledOp> {
        self.compiled(i).map_err(|e| {
            tracing::error!(provider = %self.spec.provider, "{e}");
            self.errors.generic(
                500,
                format!("the covenant mock cannot serve this operation: {e}"),
            )
        })
    }

    pub fn provider(&self) -> &str {
        &self.spec.provider
    }

    /// An error answer of `class` in the provider's style (or the logged fallback).
    /// `op` is the operation's index when the request was routed (see
    /// [`Provider::operation_at`]): its documented error responses then decide.
    pub fn error(&self, op: Option<usize>, class: &str, input: ErrorInput) -> Outgoing {
        self.errors.error(op, class, input)
    }

    /// Handles one request.
    pub async fn handle(&self, req: Incoming) -> Outgoing {
        match self.pipeline(&req).await {
            Ok(answer) | Err(answer) => answer,
        }
    }

    async fn pipeline(&self, req: &Incoming) -> Step<Outgoing> {
        let (ci, path_params) = self.route(req)?;
        let c = self.serve(ci)?;
        self.header_size(c, req)?;
        let query = parse_query(req.query.as_deref());
        let header_scenario = self.scenario_header(c, req)?;
        self.authenticate(c, req, &query)?;
        // Forced answers: the header wins, else the queue.
        let scenario = header_scenario.or_else(|| self.state.take_scenario(&c.op.id));
        self.forced_failure(c, scenario.as_ref())?;
        self.acceptable(c, req)?;
        let body = self.parse_body(c, req)?;
        let sources = Sources {
            path: &path_params,
            query: &query,
            headers: &req.headers,
        };
        let values = self.validate(c, &sources, body.as_ref())?;
        let ctx = Ctx {
            c,
            body: body.map(|(_, b)| b),
            values: &values,
            query: &query,
            path_params: &path_params,
            forced_status: scenario.and_then(|s| s.status),
        };
        if let (Some(idem), Some(store)) = (&c.idempotency, self.state.idempotency(ci))
            && let Some(key) = idempotency_key(idem, req, &query)
            && !idem.bypass_when.as_ref().is_some_and(|b| ctx.matches(b))
        {
            return Ok(self.idempotent(&ctx, idem, store, &key).await);
        }
        Ok(self.produce(&ctx))
    }

    fn produce(&self, ctx: &Ctx<'_>) -> Outgoing {
        produce(ctx, &self.state, &self.errors, &self.spec.provider)
    }

    /// The index of the operation that serves `method` on `path`, if any (the
    /// most specific template, as routing picks it).
    pub fn operation_at(&self, method: &http::Method, path: &str) -> Option<usize> {
        self.resolve(method, path, &[]).ok().map(|(i, _)| i)
    }

    /// Route: the operation and its path parameters; a miss is a generic 405 when
    /// another method serves the path, else 404 (not provider classes).
    pub(crate) fn route(&self, req: &Incoming) -> Step<Routed> {
        let query = parse_query(req.query.as_deref());
        self.resolve(&req.method, &req.path, &query)
            .map_err(|allowed| {
                if allowed.is_empty() {
                    return self
                        .errors
                        .generic(404, "no operation of this spec matches the path".into());
                }
                // 405 names the methods the path does serve (RFC 9110 requires `Allow`).
                let allow = allowed.join(", ");
                let mut out = self.errors.generic(
                    405,
                    format!(
                        "{} is not declared for this path; it serves {allow}",
                        req.method
                    ),
                );
                out.headers.push(("allow".into(), allow));
                out
            })
    }

    /// The operation for `method` on `path` and its path parameters. The most
    /// specific template that matches the path decides, whatever the method and the
    /// spec's order (`/webhooks/resend` over `/webhooks/{id}`); when it does not
    /// serve `method`, the error holds the methods it does serve (empty: no
    /// template matches at all).
    fn resolve(
        &self,
        method: &http::Method,
        path: &str,
        query: &[(String, String)],
    ) -> Result<Routed, Vec<&str>> {
        // One pass: every template that matches, with its literal segments.
        let matches: Vec<_> = self
            .ops
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let params = match_path(&c.segments, path, query)?;
                let literals: usize = c.segments.iter().map(Seg::specificity).sum();
                Some((i, literals, params))
            })
            .collect();
        let Some(most) = matches.iter().map(|m| m.1).max() else {
            return Err(Vec::new());
        };
        let mut allowed = Vec::new();
        for (i, literals, params) in matches {
            if literals != most {
                continue;
            }
            if self.ops[i].method == *method {
                return Ok((i, params));
            }
            allowed.push(self.ops[i].method.as_str());
        }
        allowed.sort_unstable();
        allowed.dedup();
        Err(allowed)
    }

    /// Header size: names and values within `max_header_bytes`.
    fn header_size(&self, c: &CompiledOp, req: &Incoming) -> Step<()> {
        let header_bytes: usize = req
            .headers
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len() + 4)
            .sum();
        if header_bytes <= self.config.max_header_bytes {
            return Ok(());
        }
        Err(self.error(
            Some(c.index),
            "header-too-large",
            ErrorInput {
                message: Some(format!(
                    "request headers take {header_bytes} bytes, more than the limit of {}",
                    self.config.max_header_bytes
                )),
                ..Default::default()
            },
        ))
    }

    /// Scenario header: absent, or a scenario that parses.
    fn scenario_header(&self, c: &CompiledOp, req: &Incoming) -> Step<Option<Scenario>> {
        let Some(v) = req.headers.get(SCENARIO_HEADER) else {
            return Ok(None);
        };
        match v.to_str().ok().and_then(|s| parse_scenario(s).ok()) {
            Some(s) => Ok(Some(s)),
            None => Err(self.error(
                Some(c.index),
                "validation",
                ErrorInput {
                    violations: vec![FieldError::parameter(
                        "X-Covenant-Scenario",
                        "enum",
                        format!(
                            "expected one of {} or status=<value>, optionally `; retry-after=<seconds>`",
                            error_style::CLASSES.join(", ")
                        ),
                    )],
                    ..Default::default()
                },
            )),
        }
    }

    /// Auth: the operation's security requirements against the configured credentials.
    fn authenticate(&self, c: &CompiledOp, req: &Incoming, query: &[(String, String)]) -> Step<()> {
        crate::auth::check(
            &self.spec,
            &c.op.security,
            &req.headers,
            query,
            &self.config.credentials,
        )
        .map_err(|f| {
            self.error(
                Some(c.index),
                "unauthorized",
                ErrorInput {
                    message: Some(f.message),
                    ..Default::default()
                },
            )
        })
    }

    /// Forced scenario: a failure class answers now (a forced status is applied by
    /// the success answer).
    fn forced_failure(&self, c: &CompiledOp, scenario: Option<&Scenario>) -> Step<()> {
        let Some((s, class)) = scenario.and_then(|s| s.class.as_ref().map(|c| (s, c))) else {
            return Ok(());
        };
        let retry_after = if class == "rate-limited" {
            Some(s.retry_after.unwrap_or(1))
        } else {
            s.retry_after
        };
        Err(self.error(
            Some(c.index),
            class,
            ErrorInput {
                retry_after,
                ..Default::default()
            },
        ))
    }

    /// Accept: when given, it must admit the success answer's media type.
    fn acceptable(&self, c: &CompiledOp, req: &Incoming) -> Step<()> {
        let (Some(accept), Some(ct)) = (
            req.headers.get(http::header::ACCEPT),
            c.success.content_type.as_deref(),
        ) else {
            return Ok(());
        };
        if accepts(accept.to_str().unwrap_or(""), ct) {
            return Ok(());
        }
        Err(self.error(
            Some(c.index),
            "not-acceptable",
            ErrorInput {
                message: Some(format!(
                    "the Accept header does not allow {}",
                    covenant_spec::ir::essence(ct)
                )),
                ..Default::default()
            },
        ))
    }

    /// Content type, UTF-8, JSON depth and syntax: the body parsed, with the media
    /// type it was sent as (`None` without a body, or with a non-JSON one).
    fn parse_body<'c>(
        &self,
        c: &'c CompiledOp,
        req: &Incoming,
    ) -> Step<Option<(&'c CMedia, Value)>> {
        self.read_body(c, req).map_err(|(class, message)| {
            self.error(
                Some(c.index),
                class,
                ErrorInput {
                    message: Some(message),
                    ..Default::default()
                },
            )
        })
    }

    /// [`Provider::parse_body`] before the error answer: the failure class and
    /// its message.
    pub(crate) fn read_body<'c>(
        &self,
        c: &'c CompiledOp,
        req: &Incoming,
    ) -> Result<Option<(&'c CMedia, Value)>, (&'static str, String)> {
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
            return Err((
                "unsupported-media-type",
                format!(
                    "Content-Type {} is not accepted; send {}",
                    ct.as_deref().unwrap_or("(none)"),
                    declared.join(" or ")
                ),
            ));
        };
        if let Some(form) = &m.form {
            return match form.read(ct.unwrap_or(""), &req.body) {
                Ok(v) => Ok(Some((m, v))),
                Err(message) => Err(("malformed", message)),
            };
        }
        if !m.json {
            return Ok(None);
        }
        let malformed = |message: String| ("malformed", message);
        // Parse first: a body that parses is valid UTF-8 (serde_json checks strings,
        // and any other byte outside ASCII is a syntax error), so the UTF-8 and depth
        // scans below only run to explain a failure, or once a parsed value turns
        // out too deep. serde_json's own recursion limit (128) bounds the stack.
        let max_depth = self.config.max_json_depth;
        let too_deep_message = |at: Option<usize>| {
            let at = at.map(|at| format!(" (at byte {at})")).unwrap_or_default();
            format!("the request body nests arrays/objects deeper than {max_depth} levels{at}")
        };
        match serde_json::from_slice::<Value>(&req.body) {
            Ok(v) if depth(&v) > max_depth => {
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

    /// Parameters and body against the spec: every violation named in one
    /// `validation` answer; otherwise the parameters' values.
    fn validate(
        &self,
        c: &CompiledOp,
        sources: &Sources<'_>,
        body: Option<&(&CMedia, Value)>,
    ) -> Step<BTreeMap<(ParameterLocation, String), Value>> {
        self.violations(c, sources, body).map_err(|violations| {
            self.error(
                Some(c.index),
                "validation",
                ErrorInput {
                    violations,
                    ..Default::default()
                },
            )
        })
    }

    /// [`Provider::validate`] before the error answer: every violation.
    pub(crate) fn violations(
        &self,
        c: &CompiledOp,
        sources: &Sources<'_>,
        body: Option<&(&CMedia, Value)>,
    ) -> Result<BTreeMap<(ParameterLocation, String), Value>, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut values = BTreeMap::new();
        for p in &c.params {
            if let Some(value) = p.read(sources, &mut errors) {
                values.insert((p.location, p.name.clone()), value);
            }
        }
        if let Some((m, b)) = body
            && let Some(validator) = &m.validator
            && !validator.is_valid(b)
        {
            errors.extend(violations(validator, b).iter().map(FieldError::body));
        }
        if body.is_none() && c.body_required {
            errors.push(FieldError {
                pointer: String::new(),
                keyword: "required".into(),
                message: "a request body is required".into(),
                parameter: false,
            });
        }
        if errors.is_empty() {
            return Ok(values);
        }
        Err(errors)
    }

    /// Idempotency: the first answer under a key is stored and replayed; a replay
    /// with a different body is refused when the spec says so.
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
                Some(ctx.c.index),
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

    // ----- control plane (see `crate::state`) -----

    /// Queues a forced answer. Errors name what is wrong with it.
    pub fn push_scenario(&self, s: Scenario) -> Result<(), String> {
        self.state.push_scenario(s)
    }

    /// A stored resource.
    pub fn resource(&self, kind: &str, id: &str) -> Option<Value> {
        self.state.resource(kind, id)
    }

    /// Ids of the stored resources of `kind` (oldest first).
    pub fn resource_ids(&self, kind: &str) -> Option<Vec<String>> {
        self.state.resource_ids(kind)
    }

    /// Moves a resource's status along a declared transition.
    pub fn transition(&self, kind: &str, id: &str, to: &Value) -> Result<Value, (u16, String)> {
        self.state.transition(kind, id, to)
    }

    /// Forgets resources, idempotency keys and queued scenarios.
    pub fn reset(&self) {
        self.state.reset()
    }
}

/// The request's idempotency key, where the spec says it goes.
fn idempotency_key(
    idem: &Idempotency,
    req: &Incoming,
    query: &[(String, String)],
) -> Option<String> {
    match idem.location {
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Operations compile on first use: one the mock cannot serve (its answer's
    /// pattern needs a look-around) does not keep the others from starting, is
    /// answered 500 saying why, and `warm` names it.
    #[tokio::test]
    async fn operations_compile_on_first_use() {
        let spec = Spec::from_str(
            "t.yaml",
            "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /ok:
    get:
      operationId: fine
      responses: {'200': {description: ok}}
  /bad:
    get:
      operationId: broken
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: string, pattern: '^(?=a)b$'}
",
        )
        .expect("spec");
        let p = Provider::new(Arc::new(spec), MockConfig::default()).expect("starts");
        let get = |path: &str| Incoming {
            method: http::Method::GET,
            path: path.into(),
            query: None,
            headers: Default::default(),
            body: Default::default(),
        };
        assert_eq!(p.handle(get("/ok")).await.status, 200);
        let bad = p.handle(get("/bad")).await;
        assert_eq!(bad.status, 500);
        assert!(String::from_utf8_lossy(&bad.body).contains("cannot serve"));
        let err = p.warm().expect_err("broken cannot compile");
        assert!(err.to_string().contains("broken"), "{err}");
    }

    /// A literal path segment beats a template, whichever the spec declares first.
    #[test]
    fn the_most_specific_template_serves_a_path() {
        let spec = Spec::from_str(
            "t.yaml",
            "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {'200': {description: ok}}
    put:
      operationId: putThing
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {'200': {description: ok}}
  /things/latest:
    get:
      operationId: latestThing
      responses: {'200': {description: ok}}
",
        )
        .expect("spec");
        let p = Provider::new(Arc::new(spec), MockConfig::default()).expect("provider");
        let id = |path: &str| {
            p.operation_at(&http::Method::GET, path)
                .map(|i| p.spec.operations[i].id.as_str())
        };
        assert_eq!(id("/things/latest"), Some("latestThing"));
        assert_eq!(id("/things/42"), Some("getThing"));
        let req = Incoming {
            method: http::Method::GET,
            path: "/things/latest".into(),
            query: None,
            headers: Default::default(),
            body: Default::default(),
        };
        let (i, _) = p.route(&req).expect("routed");
        assert_eq!(p.spec.operations[i].id, "latestThing");
        // The literal path serves only GET: a PUT there is 405, not putThing.
        let put = Incoming {
            method: http::Method::PUT,
            ..req
        };
        let refused = p.route(&put).expect_err("not routed");
        assert_eq!(refused.status, 405);
        assert!(refused.headers.contains(&("allow".into(), "GET".into())));
        assert_eq!(id("/things/42"), Some("getThing"));
    }
}
