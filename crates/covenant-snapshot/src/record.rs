//! Recording: the fixed, seeded set of exchanges per operation, sent one after the
//! other (so a provider's state, and the mock's generated answers, are the same on
//! every run). Cases come from the conformance runner's own plan and case
//! generation (`covenant_runner::{plan, cases}`), requests go through its HTTP client,
//! so "what the snapshot sent" and "what the runner sends" cannot disagree.
//!
//! A [`Recording`] holds raw values, credentials included: it never leaves this
//! crate unredacted (see [`crate::normalise`]), and its `Debug` shows no values.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine as _;
use serde_json::Value;

use covenant_runner::auth::AuthPart;
use covenant_runner::cases::{self, Budget, Case, CaseKind};
use covenant_runner::client::{Client, ClientOptions};
use covenant_runner::config::{Credential, Credentials};
use covenant_runner::exec::with_id;
use covenant_runner::plan::{self, OpPlan, Part};
use covenant_runner::request::{AuthMode, Request};
use covenant_spec::ext::ResourceRole;
use covenant_spec::{SecurityScheme, Spec};

use crate::error::SnapshotError;

/// Cases generated per operation before the fixed selection is taken from them
/// (enough for the generator to reach every rejection keyword).
const GENERATED_CASES: usize = 24;

/// How a recording is shaped.
#[derive(Debug, Clone)]
pub struct Options {
    /// Seed of the generated values (the same seed gives the same requests).
    pub seed: u64,
    pub client: ClientOptions,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 0,
            client: ClientOptions {
                concurrency: 1,
                ..ClientOptions::default()
            },
        }
    }
}

/// One HTTP request as sent (credentials included).
#[derive(Clone)]
pub struct RawRequest {
    pub method: String,
    /// Path template, e.g. `/sessions/{id}`.
    pub path: String,
    pub path_params: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    /// `valid`, `missing`, `wrong`, or `none` (the operation needs no credentials).
    pub auth: String,
}

/// What came back: an answer, or why there was none.
#[derive(Clone)]
pub enum RawResponse {
    Answer {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    Failed(String),
}

#[derive(Clone)]
pub struct Step {
    pub request: RawRequest,
    pub response: RawResponse,
}

/// The constraint a rejection exchange breaks.
#[derive(Debug, Clone, PartialEq)]
pub struct Breaks {
    pub part: String,
    pub pointer: String,
    pub keyword: String,
}

/// One named exchange: one request, or a sequence (replay, create-then-read).
#[derive(Clone)]
pub struct RawExchange {
    /// `<operationId>/<kind>`, unique in a recording.
    pub id: String,
    pub operation: String,
    /// `happy_path`, `reject_<keyword>`, `auth_missing`, `auth_wrong`,
    /// `idempotent_replay`, `create_then_read`, `unknown_id`, `not_generated`.
    pub kind: String,
    pub breaks: Option<Breaks>,
    /// Free text for readers (where the happy path came from, why nothing was sent).
    pub note: Option<String>,
    pub steps: Vec<Step>,
}

/// Every exchange of one provider, in a fixed order.
#[derive(Clone)]
pub struct Recording {
    pub provider: String,
    pub seed: u64,
    pub exchanges: Vec<RawExchange>,
    /// Credential values used (registered as secrets when redacting).
    pub secrets: Vec<String>,
}

impl std::fmt::Debug for Recording {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recording")
            .field("provider", &self.provider)
            .field("seed", &self.seed)
            .field(
                "exchanges",
                &self.exchanges.iter().map(|e| &e.id).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// Fixed local credentials for every security scheme of `spec`, for recording an
/// embedded mock (which is then given the same values, see [`record_mock`]). Not
/// secrets, but still redacted like real ones.
pub fn local_credentials(spec: &Spec) -> Credentials {
    let mut out = Credentials::new();
    for (name, scheme) in &spec.security_schemes {
        let slug: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        let prefix = |k: &str| {
            scheme
                .extensions()
                .get("x-covenant-basic-prefixes")
                .and_then(|p| p.get(k))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let username = matches!(scheme, SecurityScheme::Http { scheme, .. } if scheme == "basic")
            .then(|| {
                (
                    format!("{}snapshot-user", prefix("username")),
                    format!("COVENANT_SNAPSHOT_{slug}_USER"),
                )
            });
        out.insert(
            name.clone(),
            Credential {
                secret: format!(
                    "{}snapshot-credential-{}",
                    prefix("password"),
                    slug.to_lowercase()
                ),
                env: format!("COVENANT_SNAPSHOT_{slug}"),
                username,
            },
        );
    }
    out
}

/// Starts the embedded mock of `spec` on 127.0.0.1:0 (accepting `credentials`),
/// records it, and stops it.
pub async fn record_mock(
    spec: Arc<Spec>,
    credentials: &Credentials,
    options: &Options,
) -> Result<Recording, SnapshotError> {
    let mut config = covenant_mock::MockConfig::default();
    covenant_runner::suite::give_credentials(&spec, credentials, &mut config);
    let listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let server = covenant_mock::start_spec(spec.clone(), config, listen)
        .await
        .map_err(|e| SnapshotError::Mock(e.to_string()))?;
    let result = record(&spec, &server.url(), credentials, options).await;
    server.shutdown().await;
    result
}

/// Records the fixed exchange set of every operation of `spec` against `base_url`.
pub async fn record(
    spec: &Spec,
    base_url: &str,
    credentials: &Credentials,
    options: &Options,
) -> Result<Recording, SnapshotError> {
    let (plans, gens) = plan::build(spec, credentials);
    if let Some(p) = plans.iter().find(|p| !p.auth.unsatisfied.is_empty()) {
        return Err(SnapshotError::Credentials {
            provider: spec.provider.clone(),
            schemes: p
                .auth
                .unsatisfied
                .iter()
                .map(|s| {
                    format!(
                        "`{s}` (set ${})",
                        covenant_runner::config::implied_env(
                            &covenant_runner::config::provider_name(spec.path()),
                            s
                        )
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let all = cases::generate(
        &plans,
        &gens,
        Budget {
            seed: options.seed,
            cases: GENERATED_CASES,
        },
    );
    drop(gens);
    let client = Client::new(&options.client).map_err(|e| SnapshotError::Client(e.to_string()))?;
    let mut secrets = Vec::new();
    for c in credentials.values() {
        secrets.push(c.secret.clone());
        if let Some((u, _)) = &c.username {
            secrets.push(u.clone());
        }
    }
    let mut rec = Recording {
        provider: spec.provider.clone(),
        seed: options.seed,
        exchanges: Vec::new(),
        secrets,
    };
    let sender = Sender {
        client: &client,
        base_url,
    };
    for plan in &plans {
        let of_op: Vec<&Case> = all.iter().filter(|c| c.operation == plan.index).collect();
        record_operation(&sender, plan, &plans, &of_op, &mut rec.exchanges).await;
    }
    Ok(rec)
}

struct Sender<'a> {
    client: &'a Client,
    base_url: &'a str,
}

impl Sender<'_> {
    async fn send(&self, plan: &OpPlan, req: &Request) -> Step {
        let auth = plan.auth.parts(req.auth);
        let ex = self.client.send(self.base_url, req, auth).await;
        let response = match ex.outcome {
            Ok(a) => RawResponse::Answer {
                status: a.status,
                headers: a.headers,
                body: a.body,
            },
            Err(e) => RawResponse::Failed(e),
        };
        Step {
            request: raw_request(plan, req, auth),
            response,
        }
    }
}

/// The request as the client puts it on the wire (credentials as headers/query).
fn raw_request(plan: &OpPlan, req: &Request, auth: &[AuthPart]) -> RawRequest {
    let mut headers = Vec::new();
    let mut query = req.query_pairs();
    for part in auth {
        match part {
            AuthPart::Header { name, value, .. } => headers.push((name.clone(), value.clone())),
            AuthPart::Query { name, value, .. } => query.push((name.clone(), value.clone())),
            AuthPart::Basic { user, password, .. } => {
                let token =
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
                headers.push(("Authorization".into(), format!("Basic {token}")));
            }
        }
    }
    headers.extend(req.header_pairs());
    if req.body.is_some() {
        headers.push((
            "Content-Type".into(),
            req.content_type
                .clone()
                .unwrap_or_else(|| "application/json".into()),
        ));
    }
    RawRequest {
        method: req.method.as_str().to_string(),
        path: req.path.clone(),
        path_params: req
            .path_params
            .iter()
            .map(|(k, v)| (k.clone(), covenant_runner::request::scalar(v)))
            .collect(),
        query,
        headers,
        body: req.body_bytes(),
        auth: if !plan.auth.required {
            "none"
        } else {
            match req.auth {
                AuthMode::Valid => "valid",
                AuthMode::Missing => "missing",
                AuthMode::Wrong => "wrong",
            }
        }
        .into(),
    }
}

/// The documented happy path: the runner's first (minimal) valid request, with the
/// spec's request example as body when there is one that validates.
fn happy_path(plan: &OpPlan, first: &Request) -> (Request, &'static str) {
    let mut r = first.clone();
    let example = plan.op.request_body.as_ref().and_then(|b| {
        let media = b
            .content
            .iter()
            .find(|m| Some(&m.media_type) == plan.content_type.as_ref())
            .or_else(|| b.content.first())?;
        media.examples.first().map(|e| e.value.clone())
    });
    if let (Some(ex), Some(pp)) = (example, plan.parts.get(&Part::Body))
        && pp.validator.is_valid(&ex)
    {
        r.body = Some(ex);
        r.content_type = plan.content_type.clone();
        return (r, "request body: the spec's example");
    }
    (r, "request: generated minimal valid instance")
}

async fn record_operation(
    sender: &Sender<'_>,
    plan: &OpPlan,
    plans: &[OpPlan],
    cases: &[&Case],
    out: &mut Vec<RawExchange>,
) {
    let op = &plan.op.id;
    let exchange = |kind: &str, steps: Vec<Step>| RawExchange {
        id: format!("{op}/{kind}"),
        operation: op.clone(),
        kind: kind.to_string(),
        breaks: None,
        note: None,
        steps,
    };
    // The first valid request of the operation (for reads: the read of a create-then-read).
    let first = cases.iter().find_map(|c| match &c.kind {
        CaseKind::Positive | CaseKind::CreateThenRead { .. } => Some(&c.request),
        _ => None,
    });
    let Some(first) = first else {
        let mut e = exchange("not_generated", Vec::new());
        e.note = Some(if plan.problems.is_empty() {
            "no valid request could be generated".into()
        } else {
            plan.problems.join("; ")
        });
        out.push(e);
        return;
    };
    let (happy, source) = happy_path(plan, first);
    let read_of = cases.iter().find_map(|c| match &c.kind {
        CaseKind::CreateThenRead {
            create,
            create_request,
        } => Some((*create, create_request.clone())),
        _ => None,
    });
    if read_of.is_none() {
        let mut e = exchange("happy_path", vec![sender.send(plan, &happy).await]);
        e.note = Some(source.into());
        out.push(e);
    }

    // One rejection per keyword (body first, then parameters), ordered by keyword.
    let mut by_keyword: BTreeMap<String, &Case> = BTreeMap::new();
    for c in cases {
        if let CaseKind::Negative { part, keyword, .. } = &c.kind {
            let better = match by_keyword.get(keyword) {
                None => true,
                Some(prev) => {
                    matches!(part, Part::Body)
                        && !matches!(
                            &prev.kind,
                            CaseKind::Negative {
                                part: Part::Body,
                                ..
                            }
                        )
                }
            };
            if better {
                by_keyword.insert(keyword.clone(), c);
            }
        }
    }
    for (keyword, c) in by_keyword {
        let CaseKind::Negative { part, pointer, .. } = &c.kind else {
            continue;
        };
        let mut e = exchange(
            &format!("reject_{keyword}"),
            vec![sender.send(plan, &c.request).await],
        );
        e.breaks = Some(Breaks {
            part: serde_json::to_value(part)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            pointer: pointer.clone(),
            keyword: keyword.clone(),
        });
        out.push(e);
    }

    if plan.auth.required {
        for (mode, kind) in [
            (AuthMode::Missing, "auth_missing"),
            (AuthMode::Wrong, "auth_wrong"),
        ] {
            let mut r = happy.clone();
            r.auth = mode;
            out.push(exchange(kind, vec![sender.send(plan, &r).await]));
        }
    }

    if let Some(c) = cases
        .iter()
        .find(|c| matches!(c.kind, CaseKind::IdempotentReplay))
    {
        let a = sender.send(plan, &c.request).await;
        let b = sender.send(plan, &c.request).await;
        out.push(exchange("idempotent_replay", vec![a, b]));
    }

    if let Some((create, create_request)) = read_of
        && let Some(cplan) = plans.get(create)
    {
        let (create_request, _) = happy_path(cplan, &create_request);
        let created = sender.send(cplan, &create_request).await;
        let mut steps = vec![created.clone()];
        let mut e = exchange("create_then_read", Vec::new());
        match created_id(cplan, &created) {
            Some(id) => {
                let read = with_id(plan, first, id);
                steps.push(sender.send(plan, &read).await);
                e.note = Some(format!(
                    "creates with {}, then reads the new id",
                    cplan.op.id
                ));
            }
            None => e.note = Some(format!("{} did not return an id to read", cplan.op.id)),
        }
        e.steps = steps;
        out.push(e);
    }

    if let Some(c) = cases.iter().find(|c| matches!(c.kind, CaseKind::UnknownId)) {
        out.push(exchange(
            "unknown_id",
            vec![sender.send(plan, &c.request).await],
        ));
    }
}

/// The id a create answered with (at its resource's `id` pointer), if 2xx JSON.
fn created_id(cplan: &OpPlan, step: &Step) -> Option<Value> {
    let RawResponse::Answer { status, body, .. } = &step.response else {
        return None;
    };
    if !(200..300).contains(status) {
        return None;
    }
    let body: Value = serde_json::from_slice(body).ok()?;
    let ptr = cplan
        .resource
        .as_ref()
        .filter(|r| r.role == ResourceRole::Create)
        .map_or(covenant_spec::ext::DEFAULT_ID_POINTER, |r| r.id_pointer())
        .to_owned();
    body.pointer(&ptr).cloned()
}
