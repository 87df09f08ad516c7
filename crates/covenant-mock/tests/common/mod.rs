//! Test harness: starts a provider's mock on 127.0.0.1:0, builds requests that are
//! valid for an operation (parameters and bodies from `covenant-gen`, credentials
//! from the default config), and checks answers against the spec: success bodies
//! against their documented schema, errors against the provider's error style.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine as _;
use covenant_mock::{MockConfig, MockServer};
use covenant_spec::error_style;
use covenant_spec::ext::{ErrorCase, ResourceRole};
use covenant_spec::{Operation, ParameterLocation, SecurityScheme, Spec};
use serde_json::Value;

fn specs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs")
}

pub fn spec_path(provider: &str) -> PathBuf {
    specs_dir().join(format!("{provider}.yaml"))
}

/// Every provider: the file stems of `specs/*.yaml`, sorted.
pub fn providers() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(specs_dir())
        .expect("specs/ is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_string()))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no specs/*.yaml");
    out
}

pub struct Harness {
    pub spec: Arc<Spec>,
    pub server: MockServer,
    pub client: reqwest::Client,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    Valid,
    Missing,
    Wrong,
}

#[derive(Debug, Clone)]
pub struct Req {
    pub op: String,
    pub path_params: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
    /// Raw body and content type (overrides `body`).
    pub raw: Option<(Vec<u8>, String)>,
    pub auth: Auth,
    /// Send the body chunked (no Content-Length), in pieces of this many bytes.
    pub chunked: Option<usize>,
}

impl Req {
    pub fn set_query(mut self, k: &str, v: &str) -> Req {
        self.query.retain(|(n, _)| n != k);
        self.query.push((k.into(), v.into()));
        self
    }
    pub fn set_header(mut self, k: &str, v: &str) -> Req {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(k));
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn without(mut self, name: &str) -> Req {
        self.query.retain(|(n, _)| n != name);
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }
    pub fn body(mut self, b: Value) -> Req {
        self.body = Some(b);
        self
    }
    pub fn raw(mut self, bytes: Vec<u8>, ct: &str) -> Req {
        self.raw = Some((bytes, ct.into()));
        self
    }
    pub fn auth(mut self, a: Auth) -> Req {
        self.auth = a;
        self
    }
    pub fn chunked(mut self, piece: usize) -> Req {
        self.chunked = Some(piece);
        self
    }
}

#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|e| {
            panic!(
                "status {} body is not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.bytes)
            )
        })
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

impl Harness {
    pub async fn start(provider: &str) -> Harness {
        Harness::with_config(provider, MockConfig::default()).await
    }

    pub async fn with_config(provider: &str, config: MockConfig) -> Harness {
        let spec = Arc::new(Spec::load(spec_path(provider)).expect("spec loads"));
        let server =
            covenant_mock::start_spec(spec.clone(), config, "127.0.0.1:0".parse().expect("addr"))
                .await
                .expect("mock starts");
        // Under `cargo test --workspace`, the runner's `rustls-no-provider` feature is
        // unified into this reqwest too, and building any Client then needs a crypto
        // provider installed first (the same one the runner installs).
        let _ = rustls::crypto::ring::default_provider().install_default();
        Harness {
            spec,
            server,
            client: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("client"),
        }
    }

    pub fn op(&self, id: &str) -> &Operation {
        self.spec
            .operation(id)
            .unwrap_or_else(|| panic!("no operation {id}"))
    }

    /// The operation that creates the provider's resources (`x-covenant-resource`
    /// role `create`), else its first operation with a JSON request body.
    pub fn create_op(&self) -> String {
        let ops = &self.spec.operations;
        let creates = |o: &&Operation| {
            self.spec
                .covenant
                .resources
                .get(&o.pointer)
                .is_some_and(|r| r.role == ResourceRole::Create)
        };
        let takes_json = |o: &&Operation| {
            o.request_body
                .as_ref()
                .is_some_and(|b| b.content.iter().any(|m| m.is_json()))
        };
        ops.iter()
            .find(creates)
            .or_else(|| ops.iter().find(takes_json))
            .map(|o| o.id.clone())
            .unwrap_or_else(|| {
                panic!(
                    "{}: no operation takes a JSON request body",
                    self.spec.provider
                )
            })
    }

    pub fn body_generator(&self, op: &str) -> covenant_gen::Generator {
        let site = self
            .op(op)
            .request_body
            .as_ref()
            .and_then(|b| b.content.first())
            .and_then(|m| m.schema.clone())
            .expect("request body schema");
        covenant_gen::schema_for_site(&self.spec, &site).expect("generator")
    }

    /// A valid request for `op`: required parameters generated, minimal body, valid auth.
    pub fn req(&self, op_id: &str) -> Req {
        let op = self.op(op_id).clone();
        let mut r = Req {
            op: op_id.into(),
            path_params: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            raw: None,
            auth: Auth::Valid,
            chunked: None,
        };
        for p in &op.parameters {
            if !p.required {
                continue;
            }
            let v = match &p.schema {
                Some(site) => {
                    let g = covenant_gen::schema_for_site(&self.spec, site).expect("param gen");
                    covenant_gen::sample(&g.valid(), 3, 1)
                        .pop()
                        .expect("a parameter value")
                }
                None => Value::String("x".into()),
            };
            let mut s = match v {
                Value::String(s) => s,
                other => other.to_string(),
            };
            // Idempotency keys must differ between unrelated requests.
            if self
                .spec
                .covenant
                .idempotency
                .get(&op.pointer)
                .is_some_and(|i| i.name == p.name)
            {
                s = uuid::Uuid::new_v4().to_string();
            }
            match p.location {
                ParameterLocation::Path => r.path_params.push((p.name.clone(), s)),
                ParameterLocation::Query => r.query.push((p.name.clone(), s)),
                ParameterLocation::Header => r.headers.push((p.name.clone(), s)),
                ParameterLocation::Cookie => {}
            }
        }
        if op.request_body.as_ref().is_some_and(|b| b.required) {
            let g = self.body_generator(op_id);
            r.body = covenant_gen::sample(&g.minimal(), 1, 1).pop();
        }
        r
    }

    pub async fn send(&self, r: &Req) -> Resp {
        let op = self.op(&r.op).clone();
        let mut path = op.path.clone();
        for (k, v) in &r.path_params {
            path = path.replace(&format!("{{{k}}}"), v);
        }
        let method = reqwest::Method::from_bytes(op.method.as_str().as_bytes()).expect("method");
        let mut b = self
            .client
            .request(method, format!("{}{}", self.server.url(), path))
            .query(&r.query);
        for (k, v) in &r.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        b = self.with_auth(b, &op, r.auth);
        let payload = if let Some((bytes, ct)) = &r.raw {
            Some((bytes.clone(), ct.clone()))
        } else {
            r.body.as_ref().map(|body| {
                let ct = op
                    .request_body
                    .as_ref()
                    .and_then(|rb| rb.content.first())
                    .map(|m| m.media_type.clone())
                    .unwrap_or_else(|| "application/json".into());
                (serde_json::to_vec(body).expect("json"), ct)
            })
        };
        if let Some((bytes, ct)) = payload {
            b = b.header("content-type", ct);
            b = match r.chunked {
                Some(piece) => {
                    let pieces: Vec<Result<Vec<u8>, std::io::Error>> =
                        bytes.chunks(piece.max(1)).map(|c| Ok(c.to_vec())).collect();
                    b.body(reqwest::Body::wrap_stream(futures_util::stream::iter(
                        pieces,
                    )))
                }
                None => b.body(bytes),
            };
        }
        let resp = b.send().await.expect("request reaches the mock");
        Resp {
            status: resp.status().as_u16(),
            headers: resp.headers().clone(),
            bytes: resp.bytes().await.expect("body").to_vec(),
        }
    }

    fn with_auth(
        &self,
        mut b: reqwest::RequestBuilder,
        op: &Operation,
        auth: Auth,
    ) -> reqwest::RequestBuilder {
        if auth == Auth::Missing {
            return b;
        }
        let Some(req) = op.security.first() else {
            return b;
        };
        let wrong = auth == Auth::Wrong;
        for (name, _) in &req.schemes {
            match self.spec.security_schemes.get(name) {
                Some(SecurityScheme::ApiKey {
                    name: key,
                    location,
                    ..
                }) => {
                    let v = if wrong {
                        "wrong-api-key"
                    } else {
                        "test-api-key"
                    };
                    b = match location {
                        ParameterLocation::Query => b.query(&[(key.as_str(), v)]),
                        _ => b.header(key.as_str(), v),
                    };
                }
                Some(SecurityScheme::Http { scheme, .. }) if scheme == "basic" => {
                    let creds = if wrong {
                        "public-key-test:secret-wrong"
                    } else {
                        "public-key-test:secret-test"
                    };
                    b = b.header(
                        "authorization",
                        format!(
                            "Basic {}",
                            base64::engine::general_purpose::STANDARD.encode(creds)
                        ),
                    );
                }
                Some(_) => {
                    let t = if wrong {
                        "wrong-token"
                    } else {
                        "test-bearer-token"
                    };
                    b = b.header("authorization", format!("Bearer {t}"));
                }
                None => {}
            }
        }
        b
    }

    /// Asserts a 2xx answer whose body validates against the documented response.
    pub fn assert_success(&self, op_id: &str, resp: &Resp) -> Value {
        let op = self.op(op_id);
        assert!(
            (200..300).contains(&resp.status),
            "{op_id}: expected success, got {} {}",
            resp.status,
            resp.text()
        );
        let r = op
            .response_for(resp.status)
            .unwrap_or_else(|| panic!("{op_id}: status {} is not documented", resp.status));
        let media = r.json().expect("documented JSON success body");
        let ct = resp
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert_eq!(
            covenant_spec::ir::essence(ct),
            media.essence(),
            "{op_id}: content type"
        );
        let body = resp.json();
        let v = self
            .spec
            .compile(media.schema.as_ref().expect("schema"))
            .expect("compiles");
        let errs = covenant_spec::view::violations(&v, &body);
        assert!(
            errs.is_empty(),
            "{op_id}: response fails its schema: {errs:?}\n{body}"
        );
        body
    }

    /// A class the spec's extensions do not declare: the plain document decides. The
    /// status is one an operation documents (code, range or `default`) when any
    /// does, else the generic fallback's; a documented JSON schema holds the body.
    fn assert_plain_error(&self, class: &str, resp: &Resp, fallback: &ErrorCase) -> Option<Value> {
        let kind = fallback.status / 100;
        assert_eq!(resp.status / 100, kind, "{class}: got {}", resp.status);
        let documented: Vec<&covenant_spec::Response> = self
            .spec
            .operations
            .iter()
            .filter_map(|op| op.response_for(resp.status))
            .filter(|r| !r.status.is_success())
            .collect();
        // Before routing (a connection over the limit, a head too large to read)
        // no operation is known: the generic fallback answers.
        if documented.is_empty() {
            assert_eq!(
                resp.status,
                fallback.status,
                "{}: {class} answered {}, which no operation documents: {}",
                self.spec.provider,
                resp.status,
                resp.text()
            );
        }
        let schema_doc = documented
            .iter()
            .find_map(|r| r.json().and_then(|m| m.schema.as_ref().map(|s| (m, s))));
        let Some((media, site)) = schema_doc else {
            return (!resp.bytes.is_empty()).then(|| resp.json());
        };
        let ct = resp
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert_eq!(
            covenant_spec::ir::essence(ct),
            media.essence(),
            "{class}: content type"
        );
        let body = resp.json();
        let v = self.spec.compile(site).expect("compiles");
        let errs = covenant_spec::view::violations(&v, &body);
        assert!(
            errs.is_empty(),
            "{class}: error body fails its documented schema: {errs:?}\n{body}"
        );
        Some(body)
    }

    /// The error case of `class` (the spec's, else the fallback).
    pub fn case(&self, class: &str) -> ErrorCase {
        error_style::case_for(&self.spec.covenant.errors, class).0
    }

    /// Asserts an answer of `class` in the provider's style; returns the JSON body if any.
    pub fn assert_error(&self, class: &str, resp: &Resp) -> Option<Value> {
        let case = self.case(class);
        if self.spec.covenant.errors.case(class).is_none() {
            return self.assert_plain_error(class, resp, &case);
        }
        assert_eq!(
            resp.status,
            case.status,
            "{}: expected {class} ({}), got {}: {}",
            self.spec.provider,
            case.status,
            resp.status,
            resp.text()
        );
        match &case.body {
            None => {
                assert!(
                    resp.bytes.is_empty(),
                    "{class}: expected an empty body, got {}",
                    resp.text()
                );
                None
            }
            Some(template) => {
                let ct = resp
                    .headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                let want = case
                    .content_type
                    .clone()
                    .unwrap_or_else(|| "application/json".into());
                assert_eq!(
                    covenant_spec::ir::essence(ct),
                    covenant_spec::ir::essence(&want)
                );
                let body = resp.json();
                // Every literal member of the template is there with its value.
                let structural = template.get("$map").is_some() || template.get("$each").is_some();
                if let (Value::Object(t), Value::Object(b), false) = (template, &body, structural) {
                    for (k, tv) in t {
                        if let Value::String(s) = tv
                            && !s.contains('{')
                        {
                            assert_eq!(b.get(k), Some(tv), "{class}: member {k}");
                        }
                        if tv.get("$each").is_none() {
                            assert!(b.contains_key(k), "{class}: member {k} missing in {body}");
                        }
                    }
                }
                // And the documented error schema, if the spec has one for that status.
                Some(body)
            }
        }
    }

    /// Asserts a `validation` answer that names `field` (a body pointer or a parameter).
    pub fn assert_names(&self, resp: &Resp, field: &str, parameter: bool) {
        let case = self.case("validation");
        let body = self.assert_error("validation", resp).unwrap_or(Value::Null);
        if field.is_empty() {
            // The whole body is wrong (e.g. not an object): there is no field to name.
            return;
        }
        assert!(
            error_style::names_field(&case, &body, field, parameter),
            "{}: the validation answer does not name {field}: {body}",
            self.spec.provider
        );
    }

    /// The documented error schema for `status` of `op`, checked if present.
    pub fn assert_documented_error_schema(&self, op_id: &str, resp: &Resp) {
        let op = self.op(op_id);
        if let Some(site) = op
            .responses
            .iter()
            .find(|r| r.status == covenant_spec::StatusCode::Code(resp.status))
            .and_then(|r| r.json())
            .and_then(|m| m.schema.clone())
        {
            let v = self.spec.compile(&site).expect("compiles");
            let errs = covenant_spec::view::violations(&v, &resp.json());
            assert!(errs.is_empty(), "{op_id} {}: {errs:?}", resp.status);
        }
    }
}

/// The valid sample with the most top-level members (a "maximal" request).
pub fn maximal(g: &covenant_gen::Generator) -> Value {
    covenant_gen::sample(&g.valid(), 11, 64)
        .into_iter()
        .max_by_key(|v| v.as_object().map(|m| m.len()).unwrap_or(0))
        .expect("samples")
}

pub fn minimal(g: &covenant_gen::Generator) -> Value {
    covenant_gen::sample(&g.minimal(), 5, 1)
        .pop()
        .expect("a minimal sample")
}
