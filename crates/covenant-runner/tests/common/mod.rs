//! Test support: the embedded mock for a spec, and a fault layer in front of it (a
//! tiny axum proxy on 127.0.0.1:0) that breaks exactly one part of the contract.
//! Both stop when dropped.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, Response, StatusCode};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use covenant_runner::config::{Config, Credentials, resolve_credentials_with};
use covenant_runner::report::ProviderReport;
use covenant_runner::{RunOptions, Target};
use covenant_spec::Spec;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The providers `covenant check` runs: those covenant.toml configures.
pub fn configured_providers() -> Vec<String> {
    let config = Config::load(&repo().join("covenant.toml")).expect("covenant.toml");
    config.providers.keys().cloned().collect()
}

/// The providers there are specs for: the file stems of `specs/*.yaml`, sorted.
pub fn spec_providers() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(repo().join("specs"))
        .expect("specs/")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_owned()))
        .collect();
    out.sort();
    out
}

/// A provider's spec and the credentials covenant.toml gives it (defaults, or `env`).
pub fn provider(name: &str, env: &dyn Fn(&str) -> Option<String>) -> (Arc<Spec>, Credentials) {
    let config = Config::load(&repo().join("covenant.toml")).expect("covenant.toml");
    let p = &config.providers[name];
    let spec = Arc::new(Spec::load(config.spec_path(p)).expect("spec loads"));
    let creds = resolve_credentials_with(&config.root, &p.credentials, env).expect("credentials");
    (spec, creds)
}

pub async fn mock(spec: &Arc<Spec>, creds: &Credentials) -> covenant_mock::MockServer {
    let mut config = covenant_mock::MockConfig::default();
    covenant_runner::suite::give_credentials(spec, creds, &mut config);
    covenant_mock::start_spec(spec.clone(), config, "127.0.0.1:0".parse().unwrap())
        .await
        .expect("mock starts")
}

/// One way the fault layer breaks the contract.
#[derive(Clone)]
pub enum Fault {
    /// Pass everything through unchanged.
    None,
    /// Add `X-Covenant-Scenario: <value>` to every request (the mock then forces that answer).
    Scenario(&'static str),
    /// Answers with status `from` get status `to`.
    Status(u16, u16),
    /// 2xx answers get this Content-Type.
    ContentType(&'static str),
    /// Every answer gets this header.
    AddHeader(&'static str, &'static str),
    /// 2xx JSON answers lose this top-level property.
    DropField(&'static str),
    /// Requests whose JSON body has this property get it replaced by an invalid
    /// value (the provider is stricter than the spec).
    RejectIfField(&'static str),
    /// A 4xx answer is replaced by the answer to this valid body (invalid input accepted).
    AcceptInvalid(Value),
    /// 4xx JSON answers lose this top-level property.
    ErrorDropKey(&'static str),
    /// 4xx answers name every field `x.wrong` (rebilly's `invalidFields[].field`).
    RenameErrorFields,
    /// Every request carries this header value (missing/wrong credentials ignored).
    ForceHeader(&'static str, String),
    /// Every request that carries a uuid in this header gets a fresh one: keys are ignored.
    FreshUuidHeader(&'static str),
    /// A 404 on a path ending like this is answered with the last 200 body seen there.
    NotFoundReplay(&'static str),
    /// 2xx JSON answers on a path ending like this get this top-level string or
    /// number member changed (a read that does not give back what was created).
    ChangeOnPath(&'static str, &'static str),
    /// Every answer waits this long.
    DelayMs(u64),
    /// 2xx answers get a body that is not JSON (still labelled JSON).
    NotJson,
    /// Every answer's body echoes this request header (a provider leaking secrets).
    EchoHeader(&'static str),
}

struct Proxy {
    upstream: String,
    fault: Fault,
    client: reqwest::Client,
    memory: Mutex<Option<Vec<u8>>>,
    counter: AtomicU64,
}

pub struct FaultServer {
    pub url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

pub async fn fault_layer(upstream: &str, fault: Fault) -> FaultServer {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let proxy = Arc::new(Proxy {
        upstream: upstream.to_string(),
        fault,
        client: reqwest::Client::new(),
        memory: Mutex::new(None),
        counter: AtomicU64::new(0),
    });
    let app = axum::Router::new().fallback(handle).with_state(proxy);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    FaultServer {
        url,
        stop: Some(tx),
    }
}

async fn handle(State(p): State<Arc<Proxy>>, req: axum::extract::Request) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let mut body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default()
        .to_vec();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let mut headers = parts.headers.clone();
    headers.remove("host");
    headers.remove("content-length");
    match &p.fault {
        Fault::Scenario(s) => {
            headers.insert("x-covenant-scenario", HeaderValue::from_static(s));
        }
        Fault::RejectIfField(f) => {
            if let Ok(Value::Object(mut m)) = serde_json::from_slice::<Value>(&body)
                && m.contains_key(*f)
            {
                m.insert(f.to_string(), json!({"not": "valid here"}));
                body = serde_json::to_vec(&m).unwrap();
            }
        }
        Fault::ForceHeader(name, value) => {
            headers.insert(
                HeaderName::from_static(name),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        Fault::FreshUuidHeader(name) if headers.get(*name).is_some_and(|v| v.len() == 36) => {
            let n = p.counter.fetch_add(1, Ordering::SeqCst);
            let v = format!("00000000-0000-4000-8000-{n:012x}");
            headers.insert(
                HeaderName::from_static(name),
                HeaderValue::from_str(&v).unwrap(),
            );
        }
        _ => {}
    }
    let echoed = match &p.fault {
        Fault::EchoHeader(h) => headers
            .get(*h)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        _ => None,
    };
    let send = |body: Vec<u8>| {
        p.client
            .request(parts.method.clone(), format!("{}{}", p.upstream, path))
            .headers(headers.clone())
            .body(body)
            .send()
    };
    let Ok(resp) = send(body.clone()).await else {
        return Response::builder().status(502).body(Body::empty()).unwrap();
    };
    let mut status = resp.status().as_u16();
    let mut out_headers = resp.headers().clone();
    let mut bytes = resp.bytes().await.unwrap_or_default().to_vec();
    let ok = (200..300).contains(&status);
    match &p.fault {
        Fault::Status(from, to) if status == *from => status = *to,
        Fault::ContentType(ct) if ok => {
            out_headers.insert("content-type", HeaderValue::from_static(ct));
        }
        Fault::AddHeader(name, value) => {
            out_headers.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        Fault::DropField(f) if ok => bytes = drop_key(&bytes, f),
        Fault::ErrorDropKey(f) if (400..500).contains(&status) => bytes = drop_key(&bytes, f),
        Fault::RenameErrorFields if (400..500).contains(&status) => {
            if let Ok(mut v) = serde_json::from_slice::<Value>(&bytes) {
                if let Some(Value::Array(items)) = v.get_mut("invalidFields") {
                    for i in items {
                        i["field"] = json!("x.wrong");
                    }
                }
                bytes = serde_json::to_vec(&v).unwrap();
            }
        }
        Fault::AcceptInvalid(valid) if (400..500).contains(&status) && status != 401 => {
            if let Ok(r) = send(serde_json::to_vec(valid).unwrap()).await {
                status = r.status().as_u16();
                out_headers = r.headers().clone();
                bytes = r.bytes().await.unwrap_or_default().to_vec();
            }
        }
        Fault::NotFoundReplay(suffix) if parts.uri.path().ends_with(suffix) => {
            let mut memory = p.memory.lock().await;
            if status == 200 {
                *memory = Some(bytes.clone());
            } else if status == 404
                && let Some(m) = memory.clone()
            {
                status = 200;
                bytes = m;
            }
        }
        Fault::ChangeOnPath(suffix, field) if ok && parts.uri.path().ends_with(suffix) => {
            if let Ok(mut v) = serde_json::from_slice::<Value>(&bytes) {
                match v.get_mut(*field) {
                    Some(Value::String(s)) => s.push_str("-changed"),
                    Some(n @ Value::Number(_)) => *n = json!(n.as_i64().unwrap_or(0) + 1),
                    _ => {}
                }
                bytes = serde_json::to_vec(&v).unwrap();
            }
        }
        Fault::DelayMs(ms) => tokio::time::sleep(std::time::Duration::from_millis(*ms)).await,
        Fault::NotJson if ok => bytes = b"<html>oops</html>".to_vec(),
        Fault::EchoHeader(_) => {
            bytes = serde_json::to_vec(&json!({"detail": format!("your key {} is wrong", echoed.clone().unwrap_or_default())})).unwrap();
            status = 422;
        }
        _ => {}
    }
    out_headers.remove("content-length");
    out_headers.remove("transfer-encoding");
    let mut b = Response::builder().status(StatusCode::from_u16(status).unwrap());
    for (k, v) in &out_headers {
        b = b.header(k, v);
    }
    b.body(Body::from(bytes)).unwrap()
}

fn drop_key(bytes: &[u8], key: &str) -> Vec<u8> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(mut m)) => {
            m.remove(key);
            serde_json::to_vec(&m).unwrap()
        }
        _ => bytes.to_vec(),
    }
}

pub fn opts(cases: usize) -> RunOptions {
    RunOptions {
        seed: 11,
        cases,
        client: covenant_runner::ClientOptions {
            concurrency: 1,
            ..Default::default()
        },
        ..RunOptions::default()
    }
}

/// Runs `provider` behind `fault` and returns its report.
pub async fn run_with_fault(name: &str, fault: Fault, opts: &RunOptions) -> ProviderReport {
    let (spec, creds) = provider(name, &|_| None);
    let server = mock(&spec, &creds).await;
    let layer = fault_layer(&server.url(), fault).await;
    let target = Target::new(name, spec, &layer.url, creds);
    let report = covenant_runner::run_target(&target, opts, None).await;
    drop(layer);
    server.shutdown().await;
    report
}

/// The names of the checks that failed anywhere in `report`.
pub fn failing(report: &ProviderReport) -> Vec<String> {
    let mut out: Vec<String> = report
        .operations
        .iter()
        .flat_map(|o| o.checks.iter())
        .filter(|c| c.status == covenant_runner::report::Status::Failed)
        .map(|c| c.check.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}
