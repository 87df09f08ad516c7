//! For every check, a deliberately broken provider (the embedded mock behind a
//! fault layer that breaks one part of the contract) makes exactly that check
//! fail, with a reproduction that shows the problem. Plus transport failures:
//! non-JSON and truncated bodies are findings, an unreachable provider is exit 2.

mod common;

use std::time::Duration;

use common::{Fault, failing, opts, run_with_fault};
use covenant_runner::report::{ProviderReport, Violation};

fn only(report: &ProviderReport, check: &str) -> Violation {
    assert!(report.error.is_none(), "{:?}", report.error);
    assert_eq!(
        failing(report),
        vec![check.to_string()],
        "violations:\n{}",
        report
            .violations
            .iter()
            .map(Violation::describe)
            .collect::<Vec<_>>()
            .join("\n\n")
    );
    let v = report
        .violations
        .iter()
        .find(|v| v.check == check)
        .expect("a violation")
        .clone();
    assert!(
        v.curl.starts_with("curl ") || v.curl.starts_with('#'),
        "{}",
        v.curl
    );
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_error_is_caught() {
    let r = run_with_fault("identplus", Fault::Scenario("internal"), &opts(4)).await;
    let v = only(&r, "server_error");
    assert_eq!(v.actual, "status 500");
    assert!(v.curl.contains("/api/v1/identchecks.json"), "{}", v.curl);
    assert!(
        v.curl
            .contains("Authorization: Bearer $COVENANT_IDENTPLUS_TOKEN"),
        "{}",
        v.curl
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_documented_is_caught() {
    let r = run_with_fault("rebilly", Fault::Status(201, 200), &opts(4)).await;
    let v = only(&r, "status_documented");
    assert_eq!(v.actual, "status 200");
    assert!(v.expected.contains("201"), "{}", v.expected);
    assert!(
        v.curl.contains("REB-APIKEY: $COVENANT_REBILLY_API_KEY"),
        "{}",
        v.curl
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_type_is_caught() {
    let r = run_with_fault("rebilly", Fault::ContentType("text/plain"), &opts(4)).await;
    let v = only(&r, "content_type");
    assert_eq!(v.actual, "Content-Type text/plain");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn response_headers_are_checked() {
    use std::sync::Arc;
    let spec = Arc::new(
        covenant_spec::Spec::from_str(
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
        content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}
      responses:
        '201':
          description: created
          headers:
            X-Request-Id: {required: true, schema: {type: string, format: uuid}}
          content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}
components:
  schemas:
    Thing:
      type: object
      required: [name]
      properties:
        name: {type: string, minLength: 1}
"#,
        )
        .expect("test spec loads"),
    );
    let creds = Default::default();
    let server = common::mock(&spec, &creds).await;
    let mut reports = Vec::new();
    for value in ["3c90c3cc-0d44-4b50-8888-8dd25736052a", "not-a-uuid"] {
        let layer =
            common::fault_layer(&server.url(), Fault::AddHeader("x-request-id", value)).await;
        let target =
            covenant_runner::Target::new("headers", spec.clone(), &layer.url, Default::default());
        reports.push(covenant_runner::run_target(&target, &opts(4), None).await);
    }
    server.shutdown().await;
    // With a well-formed header the provider conforms; with a malformed one only
    // response_headers fails.
    assert!(
        failing(&reports[0]).is_empty(),
        "{:?}",
        reports[0].violations
    );
    let v = only(&reports[1], "response_headers");
    assert!(v.actual.contains("X-Request-Id"), "{}", v.actual);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn response_schema_is_caught() {
    let r = run_with_fault("rebilly", Fault::DropField("documents"), &opts(4)).await;
    let v = only(&r, "response_schema");
    assert!(v.actual.contains("/documents required"), "{}", v.actual);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_json_bodies_are_findings() {
    let r = run_with_fault("rebilly", Fault::NotJson, &opts(3)).await;
    let v = only(&r, "response_schema");
    assert!(v.actual.starts_with("not JSON"), "{}", v.actual);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn positive_accepted_is_caught_and_shrunk() {
    let r = run_with_fault("rebilly", Fault::RejectIfField("reason"), &opts(8)).await;
    let v = only(&r, "positive_accepted");
    assert!(v.actual.starts_with("status 422"), "{}", v.actual);
    // The minimal reproduction keeps `reason` (the trigger) and is smaller than the case.
    let body = v.request.body.as_ref().expect("a body");
    assert!(body.get("reason").is_some(), "{body}");
    assert!(
        v.size < v.original_size,
        "{} !< {}",
        v.size,
        v.original_size
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn negative_rejected_is_caught() {
    let (spec, creds) = common::provider("rebilly", &|_| None);
    let cases = covenant_runner::case_list(&spec, &creds, &opts(4));
    let valid = cases[0].request.body.clone().expect("positive body");
    let r = run_with_fault("rebilly", Fault::AcceptInvalid(valid), &opts(4)).await;
    let v = only(&r, "negative_rejected");
    assert!(v.expected.starts_with("a 4xx rejection"), "{}", v.expected);
    assert!(v.actual.starts_with("status 201"), "{}", v.actual);
    assert!(v.case.contains("/negative/"), "{}", v.case);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_shape_is_caught() {
    // onboarding declares its error style (x-covenant-errors); where a spec declares
    // none (iron), the plain document decides and a fallback body's keys are free.
    let r = run_with_fault("onboarding", Fault::ErrorDropKey("title"), &opts(4)).await;
    let v = only(&r, "error_shape");
    assert!(v.actual.contains("/title is missing"), "{}", v.actual);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_names_field_is_caught() {
    let r = run_with_fault("rebilly", Fault::RenameErrorFields, &opts(4)).await;
    let v = only(&r, "error_names_field");
    assert!(v.actual.contains("x.wrong"), "{}", v.actual);
    assert!(
        v.expected.starts_with("the error names `"),
        "{}",
        v.expected
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_required_is_caught() {
    let (_, creds) = common::provider("rebilly", &|_| None);
    let key = creds["SecretApiKey"].secret.clone();
    let r = run_with_fault(
        "rebilly",
        Fault::ForceHeader("reb-apikey", key.clone()),
        &opts(3),
    )
    .await;
    let v = only(&r, "auth_required");
    assert!(v.actual.starts_with("status 201"), "{}", v.actual);
    assert!(!v.curl.contains(&key), "{}", v.curl);
    assert!(["missing", "wrong"].contains(&v.request.auth.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_replay_is_caught() {
    let r = run_with_fault("iron", Fault::FreshUuidHeader("idempotency-key"), &opts(4)).await;
    let v = only(&r, "idempotent_replay");
    assert!(v.curl.starts_with("# send twice"), "{}", v.curl);
    assert!(v.actual.contains("/id"), "{}", v.actual);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_then_read_is_caught() {
    let r = run_with_fault("rpcsession", Fault::NotFoundReplay("session.get"), &opts(3)).await;
    let v = only(&r, "create_then_read");
    assert_eq!(v.operation, "getSession");
    assert!(v.expected.contains("not-found"), "{}", v.expected);
    assert!(
        v.curl
            .contains("-u \"$COVENANT_RPCSESSION_PUBLIC_KEY:$COVENANT_RPCSESSION_SECRET\""),
        "{}",
        v.curl
    );
}

/// A read that does not give back what the create returned: the reproduction
/// prints the create, then the read with the id that create really returned (not
/// the read template's placeholder), so it can be replayed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_then_read_reproduces_with_the_created_id() {
    let r = run_with_fault(
        "rpcsession",
        Fault::ChangeOnPath("session.get", "id"),
        &opts(3),
    )
    .await;
    let v = r
        .violations
        .iter()
        .find(|v| v.check == "create_then_read" && v.operation == "getSession")
        .unwrap_or_else(|| panic!("create_then_read not caught: {r:#?}"));
    assert!(v.curl.starts_with("# create, keep the id"), "{}", v.curl);
    assert!(v.curl.contains("ID=$(curl -sS -X POST"), "{}", v.curl);
    // The read takes the id from $ID (a number: no JSON quotes around it).
    assert!(v.curl.contains(r#"'{"id":'"$ID"'}'"#), "{}", v.curl);
    // The report's request is the read as sent, with the real id.
    let body = v.request.body.as_ref().expect("session.get has a body");
    let id = body.get("id").map(|i| i.to_string()).unwrap_or_default();
    assert!(
        id.len() > 3,
        "the read carries the created session id: {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn response_time_is_caught() {
    let mut o = opts(2);
    o.max_response_time = Some(Duration::from_millis(100));
    o.shrink_runs = 2;
    let r = run_with_fault("rebilly", Fault::DelayMs(300), &o).await;
    let v = only(&r, "response_time");
    assert!(v.expected.contains("100 ms"), "{}", v.expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_bodies_are_findings_not_crashes() {
    // A server that promises 100 bytes and sends 5, then closes.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = vec![0u8; 65536];
            let _ = s.read(&mut buf).await;
            let _ = s
                .write_all(b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"id\"")
                .await;
        }
    });
    let (spec, creds) = common::provider("rebilly", &|_| None);
    let target = covenant_runner::Target::new("rebilly", spec, &url, creds);
    let mut o = opts(2);
    o.shrink_runs = 0;
    let r = covenant_runner::run_target(&target, &o, None).await;
    server.abort();
    assert!(r.error.is_none(), "{:?}", r.error);
    let v = r
        .violations
        .iter()
        .find(|v| v.check == "response_schema")
        .expect("a response_schema finding");
    assert!(v.actual.contains("cut short"), "{}", v.actual);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_provider_cannot_run() {
    // Bind then drop: nothing listens on that port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (spec, creds) = common::provider("rebilly", &|_| None);
    let target =
        covenant_runner::Target::new("rebilly", spec, &format!("http://127.0.0.1:{port}"), creds);
    let mut o = opts(2);
    o.client.timeout = Duration::from_secs(2);
    let r = covenant_runner::run_target(&target, &o, None).await;
    let e = r.error.clone().expect("could not run");
    assert!(e.contains("unreachable"), "{e}");
    let report = covenant_runner::new_report(&o, vec![r], Default::default());
    assert_eq!(report.exit_code(), 2);
}
