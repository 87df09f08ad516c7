//! The proxy between clients and providers, in-process: the runner's traffic and
//! the snapshot recorder's fixed exchanges through it to the embedded mocks give no
//! finding against the provider (and arrive unchanged: the runner still passes,
//! the recording is the one taken directly); each fault of the runner tests' fault
//! layer behind it is found as the runner finds it; invalid requests are findings
//! against the client naming the field, and with `--enforce` never reach the
//! upstream.

#[path = "../../covenant-runner/tests/common/mod.rs"]
mod common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use covenant_proxy::{ProxyOptions, Summary};
use covenant_runner::report::Violation;
use covenant_spec::Spec;
use serde_json::{Value, json};

use common::Fault;

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("covenant-proxy-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

async fn proxy(
    spec: &Arc<Spec>,
    name: &str,
    upstream: &str,
    enforce: bool,
) -> covenant_proxy::ProxyServer {
    let mut o = ProxyOptions::new(spec.clone(), name, upstream);
    o.enforce = enforce;
    o.report_dir = Some(scratch(&format!(
        "{name}-{}",
        upstream.rsplit(':').next().unwrap_or("")
    )));
    covenant_proxy::start(o, loopback())
        .await
        .expect("proxy starts")
}

fn against_provider(s: &Summary) -> Vec<&Violation> {
    s.report.providers[0]
        .violations
        .iter()
        .filter(|v| v.check != "request_valid")
        .collect()
}

fn described(vs: &[&Violation]) -> String {
    vs.iter()
        .map(|v| v.describe())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The runner's traffic through the proxy: the runner still passes (forwarding
/// changes nothing it checks), the proxy finds nothing against the mocks, and the
/// runner's deliberately invalid requests are flagged as the client's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runner_traffic_to_the_mocks_gives_no_finding() {
    for name in common::configured_providers() {
        let (spec, creds) = common::provider(&name, &|_| None);
        let server = common::mock(&spec, &creds).await;
        let p = proxy(&spec, &name, &server.url(), false).await;
        let report_dir = std::env::temp_dir().join(format!(
            "covenant-proxy-{}-{name}-{}",
            std::process::id(),
            server.url().rsplit(':').next().unwrap_or("")
        ));
        let target = covenant_runner::Target::new(&name, spec.clone(), &p.url(), creds);
        let run = covenant_runner::run_target(&target, &common::opts(3), None).await;
        let summary = p.finish().await.expect("proxy finishes");
        server.shutdown().await;
        assert!(
            common::failing(&run).is_empty() && run.error.is_none(),
            "{name}: the runner through the proxy failed: {:?} {:?}",
            run.error,
            run.violations
                .iter()
                .map(|v| v.describe())
                .collect::<Vec<_>>()
        );
        let provider = against_provider(&summary);
        assert!(provider.is_empty(), "{name}:\n{}", described(&provider));
        assert_eq!(
            summary.exchanges, run.requests,
            "{name}: every request went through"
        );
        let client = &summary.report.providers[0].violations;
        assert!(
            client.iter().any(|v| v.check == "request_valid"),
            "{name}: the runner's negative cases are invalid requests"
        );
        // Coverage from the traffic is the runner's own, read off the other side
        // of the wire: same statuses provoked, same parameters, members, enum
        // values and branches sent (constraints are the runner's alone).
        use covenant_runner::coverage::Category;
        let seen = &summary.report.providers[0].operations;
        assert_eq!(seen.len(), run.operations.len());
        for (ours, theirs) in seen.iter().zip(&run.operations) {
            for c in &Category::ALL[..5] {
                let covered = |o: &covenant_runner::report::OperationReport| {
                    o.exercised
                        .items(*c)
                        .iter()
                        .map(|i| (i.name.clone(), i.covered))
                        .collect::<Vec<_>>()
                };
                assert_eq!(
                    covered(ours),
                    covered(theirs),
                    "{name} {}: {} differ between proxy and runner",
                    ours.id,
                    c.name()
                );
            }
            assert!(ours.exercised.constraints.is_empty());
        }
        assert!(
            report_dir.join("report.html").exists(),
            "{name}: no report.html"
        );
    }
}

/// The snapshot recorder's fixed exchange set through the proxy: no finding
/// against the provider, and the recording is the one taken without the proxy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixed_exchanges_replayed_through_the_proxy_give_no_finding() {
    for name in common::configured_providers() {
        let (spec, creds) = common::provider(&name, &|_| None);
        let options = covenant_snapshot::Options::default();
        let direct = common::mock(&spec, &creds).await;
        let plain = covenant_snapshot::record(&spec, &direct.url(), &creds, &options)
            .await
            .expect("direct recording");
        direct.shutdown().await;
        let server = common::mock(&spec, &creds).await;
        let p = proxy(&spec, &name, &server.url(), false).await;
        let proxied = covenant_snapshot::record(&spec, &p.url(), &creds, &options)
            .await
            .expect("recording through the proxy");
        let summary = p.finish().await.expect("proxy finishes");
        server.shutdown().await;
        let provider = against_provider(&summary);
        assert!(provider.is_empty(), "{name}:\n{}", described(&provider));
        assert!(summary.exchanges > 0);
        assert_eq!(
            covenant_snapshot::normalise(&spec, &plain).to_yaml(),
            covenant_snapshot::normalise(&spec, &proxied).to_yaml(),
            "{name}: the proxy changed an exchange"
        );
    }
}

/// Runs the runner against `name`'s mock behind `fault`, with the proxy in front:
/// what the runner found and what the proxy found against the provider.
async fn with_fault(name: &str, fault: Fault, cases: usize) -> (Vec<String>, Summary) {
    let (spec, creds) = common::provider(name, &|_| None);
    let server = common::mock(&spec, &creds).await;
    let layer = common::fault_layer(&server.url(), fault).await;
    let p = proxy(&spec, name, &layer.url, false).await;
    let target = covenant_runner::Target::new(name, spec.clone(), &p.url(), creds);
    let run = covenant_runner::run_target(&target, &common::opts(cases), None).await;
    let summary = p.finish().await.expect("proxy finishes");
    drop(layer);
    server.shutdown().await;
    (common::failing(&run), summary)
}

/// Runs the runner against `name`'s mock behind `fault` with the proxy in front:
/// the runner finds `check`, and so does the proxy, against the provider, with
/// reproductions of what it observed.
async fn found_as_the_runner_finds_it(name: &str, fault: Fault, check: &str) {
    let (runner, summary) = with_fault(name, fault, 4).await;
    assert!(
        runner.contains(&check.to_string()),
        "{name}: the runner misses {check}: {runner:?}"
    );
    let provider = against_provider(&summary);
    let found: Vec<&str> = provider.iter().map(|v| v.check.as_str()).collect();
    assert!(
        found.contains(&check),
        "{name} {check}: the proxy found {found:?}"
    );
    for v in &provider {
        assert!(
            v.case.contains("/observed/") && v.curl.starts_with("curl "),
            "{}",
            v.describe()
        );
    }
}

/// A 5xx answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_error_is_found() {
    found_as_the_runner_finds_it("identplus", Fault::Scenario("internal"), "server_error").await;
}

/// A status the operation does not document.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_documented_is_found() {
    found_as_the_runner_finds_it("rebilly", Fault::Status(201, 200), "status_documented").await;
}

/// A success answer in an undocumented media type.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_type_is_found() {
    found_as_the_runner_finds_it("rebilly", Fault::ContentType("text/plain"), "content_type").await;
}

/// A success body without a required member, and one that is not JSON.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn response_schema_is_found() {
    found_as_the_runner_finds_it("rebilly", Fault::DropField("documents"), "response_schema").await;
    found_as_the_runner_finds_it("rebilly", Fault::NotJson, "response_schema").await;
}

/// An invalid request accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn negative_rejected_is_found() {
    let (spec, creds) = common::provider("rebilly", &|_| None);
    let valid = covenant_runner::case_list(&spec, &creds, &common::opts(4))[0]
        .request
        .body
        .clone()
        .expect("positive body");
    found_as_the_runner_finds_it("rebilly", Fault::AcceptInvalid(valid), "negative_rejected").await;
}

/// A refusal that names the wrong field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_names_field_is_found() {
    found_as_the_runner_finds_it("rebilly", Fault::RenameErrorFields, "error_names_field").await;
}

/// A request without credentials accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_required_is_found() {
    let (_, creds) = common::provider("rebilly", &|_| None);
    let key = creds["SecretApiKey"].secret.clone();
    found_as_the_runner_finds_it(
        "rebilly",
        Fault::ForceHeader("reb-apikey", key),
        "auth_required",
    )
    .await;
}

/// A refusal out of the declared error style.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_shape_is_found() {
    found_as_the_runner_finds_it("onboarding", Fault::ErrorDropKey("title"), "error_shape").await;
}

/// A replay under the same idempotency key that creates anew.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_replay_is_found() {
    found_as_the_runner_finds_it(
        "iron",
        Fault::FreshUuidHeader("idempotency-key"),
        "idempotent_replay",
    )
    .await;
}

/// A read that does not give back what the create returned.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_then_read_is_found() {
    found_as_the_runner_finds_it(
        "rpcsession",
        Fault::ChangeOnPath("session.get", "id"),
        "create_then_read",
    )
    .await;
}

/// A required response header that breaks its schema (test spec as in the
/// runner's faults.rs).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn response_headers_are_checked_in_traffic() {
    let spec = Arc::new(
        Spec::from_str(
            "headers.yaml",
            r#"
openapi: 3.0.3
info: {title: Header test, version: '1', x-provider: headers}
paths:
  /things:
    post:
      operationId: createThing
      requestBody:
        required: true
        content: {application/json: {schema: {type: object, required: [name], properties: {name: {type: string}}}}}
      responses:
        '201':
          description: created
          headers:
            X-Request-Id: {required: true, schema: {type: string, format: uuid}}
          content: {application/json: {schema: {type: object}}}
"#,
        )
        .expect("test spec loads"),
    );
    let server = common::mock(&spec, &Default::default()).await;
    let mut found = Vec::new();
    for value in ["3c90c3cc-0d44-4b50-8888-8dd25736052a", "not-a-uuid"] {
        let layer =
            common::fault_layer(&server.url(), Fault::AddHeader("x-request-id", value)).await;
        let p = proxy(&spec, "headers", &layer.url, false).await;
        let answer = reqwest::Client::new()
            .post(format!("{}/things", p.url()))
            .json(&json!({"name": "a"}))
            .send()
            .await
            .expect("answer");
        assert_eq!(answer.status().as_u16(), 201);
        assert_eq!(
            answer.headers()["x-request-id"],
            value,
            "headers pass unchanged"
        );
        let summary = p.finish().await.expect("proxy finishes");
        found.push(
            against_provider(&summary)
                .iter()
                .map(|v| v.check.clone())
                .collect::<Vec<_>>(),
        );
    }
    server.shutdown().await;
    assert_eq!(found, vec![vec![], vec!["response_headers".to_string()]]);
}

/// An upstream that counts the requests it is sent, in front of `to`.
struct Counting {
    url: String,
    seen: Arc<AtomicUsize>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn counting(to: String) -> Counting {
    let seen = Arc::new(AtomicUsize::new(0));
    let count = seen.clone();
    let client = reqwest::Client::new();
    let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let (client, to, count) = (client.clone(), to.clone(), count.clone());
        async move {
            count.fetch_add(1, Ordering::SeqCst);
            let (parts, body) = req.into_parts();
            let body = axum::body::to_bytes(body, 1 << 20)
                .await
                .unwrap_or_default();
            let mut headers = parts.headers.clone();
            headers.remove("host");
            let path = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default();
            let r = client
                .request(parts.method, format!("{to}{path}"))
                .headers(headers)
                .body(body)
                .send()
                .await
                .expect("mock answers");
            let status = r.status();
            let ct = r.headers().get("content-type").cloned();
            let bytes = r.bytes().await.unwrap_or_default();
            let mut out = axum::response::Response::new(axum::body::Body::from(bytes));
            *out.status_mut() = status;
            if let Some(ct) = ct {
                out.headers_mut().insert("content-type", ct);
            }
            out
        }
    });
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
    Counting {
        url,
        seen,
        _stop: tx,
    }
}

/// Invalid requests by a client, each with what the finding must name.
fn invalid_requests(base: &str, token: &str) -> Vec<(reqwest::RequestBuilder, &'static str)> {
    let c = reqwest::Client::new();
    let auth = format!("Bearer {token}");
    vec![
        (
            c.post(format!("{base}/things"))
                .header("authorization", &auth)
                .json(&json!({"name": "Rex", "kind": "cow"})),
            "body /kind breaks `enum`",
        ),
        (
            c.post(format!("{base}/things"))
                .header("authorization", &auth)
                .json(&json!({"kind": "dog"})),
            "breaks `required`",
        ),
        (
            c.get(format!("{base}/things?limit=500"))
                .header("authorization", &auth),
            "parameter limit breaks `maximum`",
        ),
        (
            c.get(format!("{base}/things/abc"))
                .header("authorization", &auth),
            "parameter thing_id",
        ),
        (
            c.post(format!("{base}/things"))
                .header("authorization", &auth)
                .header("content-type", "application/json")
                .body("{\"name\": "),
            "request malformed",
        ),
        (
            c.post(format!("{base}/things"))
                .header("authorization", &auth)
                .header("content-type", "text/plain")
                .body("name=Rex"),
            "request unsupported-media-type",
        ),
        (
            c.get(format!("{base}/nowhere"))
                .header("authorization", &auth),
            "request not-found",
        ),
    ]
}

/// Invalid requests are findings against the client naming the field; with
/// `--enforce` they are refused in the provider's style and never reach the
/// upstream, while valid ones still do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_requests_name_their_field_and_enforce_keeps_them_from_the_upstream() {
    let path = common::repo().join("tests/zoo/things.yaml");
    let spec = Arc::new(Spec::load(&path).expect("things.yaml"));
    let creds = covenant_snapshot::local_credentials(&spec);
    let token = creds
        .values()
        .next()
        .expect("a bearer credential")
        .secret
        .clone();
    let server = common::mock(&spec, &creds).await;
    for enforce in [false, true] {
        let upstream = counting(server.url()).await;
        let p = proxy(&spec, "things", &upstream.url, enforce).await;
        let requests = invalid_requests(&p.url(), &token);
        let wanted: Vec<&str> = requests.iter().map(|r| r.1).collect();
        for (r, what) in requests {
            let answer = r.send().await.expect("answer");
            let status = answer.status().as_u16();
            assert!((400..500).contains(&status), "{what}: status {status}");
            if enforce && what.contains("breaks") {
                assert_eq!(
                    status, 422,
                    "{what}: refused in the API's own validation status"
                );
                let body: Value = answer.json().await.expect("JSON refusal");
                assert!(
                    body["detail"].is_array(),
                    "{what}: FastAPI-style body: {body}"
                );
            }
        }
        let before = upstream.seen.load(Ordering::SeqCst);
        let valid = reqwest::Client::new()
            .post(format!("{}/things", p.url()))
            .header("authorization", format!("Bearer {token}"))
            .json(&json!({"name": "Rex", "kind": "dog"}))
            .send()
            .await
            .expect("answer");
        assert_eq!(valid.status().as_u16(), 201);
        let summary = p.finish().await.expect("proxy finishes");
        assert_eq!(
            upstream.seen.load(Ordering::SeqCst),
            before + 1,
            "the valid request reaches the upstream"
        );
        if enforce {
            assert_eq!(
                before, 0,
                "with --enforce no invalid request reaches the upstream"
            );
        } else {
            assert_eq!(
                before,
                wanted.len(),
                "without --enforce every request is forwarded"
            );
        }
        let client: Vec<&Violation> = summary.report.providers[0]
            .violations
            .iter()
            .filter(|v| v.check == "request_valid")
            .collect();
        for what in &wanted {
            assert!(
                client
                    .iter()
                    .any(|v| v.actual.contains(what) || v.id.contains(what)),
                "enforce={enforce}: no finding with {what:?} in:\n{}",
                described(&client)
            );
        }
        assert_eq!(client.len(), wanted.len(), "{}", described(&client));
        let provider = against_provider(&summary);
        assert!(
            provider.is_empty(),
            "enforce={enforce}:\n{}",
            described(&provider)
        );
    }
    server.shutdown().await;
}

/// Bad input is an error, not a panic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_upstream_url_is_a_clear_error() {
    let spec = Arc::new(Spec::load(common::repo().join("tests/zoo/things.yaml")).expect("spec"));
    for url in ["ftp://example.invalid", "not a url", ""] {
        let err = covenant_proxy::start(ProxyOptions::new(spec.clone(), "things", url), loopback())
            .await
            .err()
            .expect("refused");
        assert!(
            err.to_string().contains("not an http:// or https:// URL"),
            "{err}"
        );
    }
}

/// What an upstream received.
#[derive(Debug, Default, Clone)]
struct Received {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Bytes, status and end-to-end headers pass unchanged both ways; a chunked body
/// arrives whole; hop-by-hop headers (and those `Connection` names) stay behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exchanges_pass_unchanged() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    const ANSWER: &[u8] = &[0, 159, 146, 150, 255, b'\r', b'\n'];
    let seen = Arc::new(tokio::sync::Mutex::new(Received::default()));
    let keep = seen.clone();
    let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let keep = keep.clone();
        async move {
            let (parts, body) = req.into_parts();
            *keep.lock().await = Received {
                method: parts.method.to_string(),
                target: parts.uri.to_string(),
                headers: parts
                    .headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                    .collect(),
                body: axum::body::to_bytes(body, 1 << 20)
                    .await
                    .unwrap_or_default()
                    .to_vec(),
            };
            axum::response::Response::builder()
                .status(207)
                .header("x-multi", "a")
                .header("x-multi", "b")
                .header("set-cookie", "s=1; HttpOnly")
                .header("content-type", "application/octet-stream")
                .body(axum::body::Body::from(ANSWER))
                .unwrap()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = format!("http://{}", listener.local_addr().unwrap());
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    let spec = Arc::new(Spec::load(common::repo().join("tests/zoo/things.yaml")).expect("spec"));
    let p = proxy(&spec, "things", &upstream, false).await;
    let mut conn = tokio::net::TcpStream::connect(p.addr())
        .await
        .expect("connect");
    conn.write_all(
        b"POST /anything?q=%20x&q=y HTTP/1.1\r\nHost: client.example\r\nTransfer-Encoding: chunked\r\n\
          Connection: close, x-hop\r\nX-Hop: drop-me\r\nKeep-Alive: timeout=5\r\nX-Keep: yes\r\nX-Keep: too\r\n\
          Content-Type: text/plain\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
    )
    .await
    .expect("send");
    let mut raw = Vec::new();
    conn.read_to_end(&mut raw).await.expect("answer");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head")
        + 4;
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 207"), "{head}");
    assert!(head.contains("x-multi: a\r\nx-multi: b\r\n"), "{head}");
    assert!(head.contains("set-cookie: s=1; httponly\r\n"), "{head}");
    assert_eq!(&raw[split..], ANSWER, "the body's bytes");
    let got = seen.lock().await.clone();
    assert_eq!(got.method, "POST");
    assert!(
        got.target.ends_with("/anything?q=%20x&q=y"),
        "{}",
        got.target
    );
    assert_eq!(got.body, b"hello world");
    let names: Vec<&str> = got.headers.iter().map(|(k, _)| k.as_str()).collect();
    for gone in ["x-hop", "keep-alive", "connection", "transfer-encoding"] {
        assert!(!names.contains(&gone), "{gone} forwarded: {names:?}");
    }
    let keep: Vec<&str> = got
        .headers
        .iter()
        .filter(|(k, _)| k == "x-keep")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(keep, ["yes", "too"]);
    let host = got
        .headers
        .iter()
        .find(|(k, _)| k == "host")
        .map(|(_, v)| v.as_str());
    assert_eq!(
        host,
        upstream.strip_prefix("http://"),
        "Host names the upstream"
    );
    let summary = p.finish().await.expect("proxy finishes");
    assert_eq!(summary.exchanges, 1);
    let _ = stop.send(());
}

/// `--max-response-time`: answers slower than the threshold are response_time
/// findings against the provider; the same traffic within it gives none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_answers_are_found_against_the_threshold() {
    let name = "identplus";
    let (spec, creds) = common::provider(name, &|_| None);
    let server = common::mock(&spec, &creds).await;
    let layer = common::fault_layer(&server.url(), Fault::DelayMs(150)).await;
    let mut slow = 0;
    for (threshold, expect_slow) in [(50, true), (30_000, false)] {
        let mut o = ProxyOptions::new(spec.clone(), name, &layer.url);
        o.report_dir = Some(scratch(&format!("slow-{threshold}")));
        o.max_response_time = Some(std::time::Duration::from_millis(threshold));
        let p = covenant_proxy::start(o, loopback())
            .await
            .expect("proxy starts");
        let target = covenant_runner::Target::new(name, spec.clone(), &p.url(), creds.clone());
        covenant_runner::run_target(&target, &common::opts(1), None).await;
        let summary = p.finish().await.expect("proxy finishes");
        let found: Vec<&Violation> = against_provider(&summary)
            .into_iter()
            .filter(|v| v.check == "response_time")
            .collect();
        assert_eq!(!found.is_empty(), expect_slow, "{}", described(&found));
        if expect_slow {
            slow = found.len();
            assert!(found[0].actual.ends_with(" ms"), "{}", described(&found));
        }
    }
    assert!(slow > 0);
    drop(layer);
    server.shutdown().await;
}
