//! Hostile and heavy input against every provider's mock: malformed JSON, invalid
//! UTF-8, bodies over the limit, 10,000-deep nesting, wrong content types and
//! oversized headers all get their documented 4xx (never a 5xx, never a hang); 100
//! concurrent creates with one idempotency key create exactly one resource, and a
//! replay answers the first answer's bytes; and
//! hundreds of generated valid requests all get answers that validate against the spec.

mod common;

use common::Harness;
use covenant_mock::MockConfig;
use serde_json::{Value, json};

#[tokio::test]
async fn bad_input_gets_documented_4xx() {
    let mut rejected_huge = 0;
    for provider in common::providers() {
        let config = MockConfig {
            max_body_bytes: 64 * 1024,
            ..MockConfig::default()
        };
        let h = Harness::with_config(&provider, config).await;
        let op = h.create_op();
        let op = op.as_str();
        let ct = h
            .op(op)
            .request_body
            .as_ref()
            .and_then(|b| b.content.first())
            .map(|m| m.media_type.clone())
            .expect("json body");
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let deep_obj = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("malformed", b"{\"a\": ".to_vec(), "malformed JSON"),
            ("malformed", b"\xff\xfe{}".to_vec(), "invalid UTF-8"),
            ("malformed", deep.into_bytes(), "10,000-deep arrays"),
            ("malformed", deep_obj.into_bytes(), "10,000-deep objects"),
            (
                "payload-too-large",
                vec![b' '; 65 * 1024],
                "body over the limit",
            ),
        ];
        for (class, bytes, what) in cases {
            let resp = h.send(&h.req(op).raw(bytes, &ct)).await;
            assert!(
                (400..500).contains(&resp.status),
                "{provider}: {what}: {}",
                resp.status
            );
            h.assert_error(class, &resp);
        }
        // Over the limit without Content-Length (chunked) is cut off while reading.
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
            (0..80).map(|_| Ok(vec![b'x'; 1024])).collect();
        let stream = futures_util::stream::iter(chunks);
        let op_path = h
            .op(op)
            .path
            .replace("{id}", "3c90c3cc-0d44-4b50-8888-8dd25736052a");
        let mut b = h
            .client
            .post(format!("{}{}", h.server.url(), op_path))
            .header("content-type", ct.as_str())
            .body(reqwest::Body::wrap_stream(stream));
        for (k, v) in &h.req(op).headers {
            b = b.header(k.as_str(), v.as_str());
        }
        // Credentials as the harness would send them.
        let r = h.req(op);
        let resp = h.send(&r.clone().raw(vec![b'x'; 65 * 1024], &ct)).await;
        h.assert_error("payload-too-large", &resp);
        let chunked = b.send().await;
        if let Ok(c) = chunked {
            let s = c.status().as_u16();
            assert!(
                (400..500).contains(&s),
                "{provider}: chunked over limit: {s}"
            );
        }
        // Wrong content type.
        let resp = h
            .send(
                &h.req(op)
                    .raw(b"a=1".to_vec(), "application/x-www-form-urlencoded"),
            )
            .await;
        h.assert_error("unsupported-media-type", &resp);
        let resp = h.send(&h.req(op).raw(b"{}".to_vec(), "text/plain")).await;
        h.assert_error("unsupported-media-type", &resp);
        // Oversized header (20 KiB > the 16 KiB default).
        let resp = h
            .send(&h.req(op).set_header("x-padding", &"p".repeat(20 * 1024)))
            .await;
        assert_eq!(resp.status, 431, "{provider}: {}", resp.text());
        h.assert_error("header-too-large", &resp);
        // Far beyond hyper's read buffer: the same provider-style 431 (hyper's own bare
        // answer is replaced), and the connection is closed cleanly.
        let huge = h
            .send(&h.req(op).set_header("x-padding", &"p".repeat(200 * 1024)))
            .await;
        h.assert_error("header-too-large", &huge);
        // Every body member replaced by a 20 KB string: the answer names each
        // violation but cuts the offending values (it used to quote each in full,
        // twice in some styles: hundreds of KB back for one request).
        if let Some(Value::Object(valid)) = h.req(op).body {
            let huge = Value::String("x".repeat(20 * 1024));
            let bad: serde_json::Map<String, Value> =
                valid.keys().map(|k| (k.clone(), huge.clone())).collect();
            let resp = h.send(&h.req(op).body(Value::Object(bad))).await;
            // Some schemas take any string everywhere; a success echoes what was sent.
            if resp.status != 201 && resp.status != 200 {
                assert!(
                    (400..500).contains(&resp.status),
                    "{provider}: huge values: {}",
                    resp.status
                );
                assert!(
                    resp.bytes.len() < 16 * 1024,
                    "{provider}: huge values made a {}-byte answer",
                    resp.bytes.len()
                );
                rejected_huge += 1;
            }
        }
        // And the server is still healthy.
        let ok = h.send(&h.req(op)).await;
        h.assert_success(op, &ok);
    }
    assert!(
        rejected_huge >= 3,
        "only {rejected_huge} providers rejected the huge values"
    );
}

/// A body that arrives in many pieces (chunked, no Content-Length) is read whole:
/// the same request sent in one piece and in 7-byte pieces gets the same verdict,
/// and an invalid body is still refused naming its field.
#[tokio::test]
async fn bodies_sent_in_pieces_are_read_whole() {
    for provider in common::providers() {
        let h = Harness::start(&provider).await;
        let op = h.create_op();
        let op = op.as_str();
        let g = h.body_generator(op);
        let body = common::maximal(&g);
        let whole = h.send(&h.req(op).body(body.clone())).await;
        let pieces = h.send(&h.req(op).body(body.clone()).chunked(7)).await;
        assert_eq!(pieces.status, whole.status, "{provider}: {}", pieces.text());
        h.assert_success(op, &pieces);
    }
    // Rebilly echoes what it was sent: the pieces were put back together in order.
    let h = Harness::start("rebilly").await;
    let body = common::maximal(&h.body_generator("postKycRequest"));
    let resp = h
        .send(&h.req("postKycRequest").body(body.clone()).chunked(5))
        .await;
    let answer = h.assert_success("postKycRequest", &resp);
    for member in ["customerId", "documents"] {
        assert_eq!(answer.get(member), body.get(member), "{member}");
    }
    let h = Harness::start("rebilly").await;
    let resp = h
        .send(
            &h.req("postKycRequest")
                .body(json!({"customerId": 7, "documents": []}))
                .chunked(3),
        )
        .await;
    h.assert_error("validation", &resp);
    h.assert_names(&resp, "customerId", false);
}

#[tokio::test]
async fn hundred_concurrent_creates_with_one_key_make_one_resource() {
    for (provider, op, kind) in [
        ("iron", "createCustomerIdentification", "identification"),
        ("onboarding", "createRequest", "request"),
    ] {
        let h = Harness::start(provider).await;
        let base = h.req(op).body(match provider {
            "iron" => json!({"type": "Direct"}),
            _ => json!({"requestTypeId": "kyc"}),
        });
        let key = "5a0e8f3c-1b2d-4e6f-8a9b-0c1d2e3f4a5b";
        let req = match provider {
            "iron" => base.set_header("IDEMPOTENCY-KEY", key),
            _ => base.set_query("idempotencyKey", key),
        };
        let h = std::sync::Arc::new(h);
        let mut tasks = Vec::new();
        for _ in 0..100 {
            let h = h.clone();
            let req = req.clone();
            tasks.push(tokio::spawn(async move { h.send(&req).await }));
        }
        let mut bodies = Vec::new();
        for t in tasks {
            let resp = t.await.expect("task");
            h.assert_success(op, &resp);
            bodies.push((resp.status, resp.bytes));
        }
        assert!(
            bodies.windows(2).all(|w| w[0] == w[1]),
            "{provider}: answers differ"
        );
        let ids = h.server.provider().resource_ids(kind).expect("kind");
        assert_eq!(ids.len(), 1, "{provider}: {ids:?}");
    }
}

#[tokio::test]
async fn onboarding_idempotency_and_drafts() {
    let h = Harness::start("onboarding").await;
    let op = "createRequest";
    let body = json!({"requestTypeId": "identification-basic", "referenceId": "order-1"});
    let first = h
        .send(
            &h.req(op)
                .body(body.clone())
                .set_query("idempotencyKey", "k-1"),
        )
        .await;
    let created = h.assert_success(op, &first);
    assert_eq!(created["status"], json!("CREATED"));
    assert_eq!(
        created["referenceId"],
        json!("order-1"),
        "echoes the request"
    );
    assert_eq!(created["requestTypeId"], json!("identification-basic"));
    // Replay: identical status and bytes; a different body with the same key replays too (ON-9).
    let again = h
        .send(
            &h.req(op)
                .body(body.clone())
                .set_query("idempotencyKey", "k-1"),
        )
        .await;
    assert_eq!((again.status, &again.bytes), (first.status, &first.bytes));
    let other = h
        .send(
            &h.req(op)
                .body(json!({"requestTypeId": "something-else"}))
                .set_query("idempotencyKey", "k-1"),
        )
        .await;
    assert_eq!(other.bytes, first.bytes);
    let ids = h.server.provider().resource_ids("request").expect("kind");
    assert_eq!(ids.len(), 1, "a replay creates nothing");
    // draft=true: DRAFT status, and the key is ignored (two drafts, two ids).
    let d1 = h
        .send(
            &h.req(op)
                .body(body.clone())
                .set_query("idempotencyKey", "k-1")
                .set_query("draft", "true"),
        )
        .await;
    let d2 = h
        .send(
            &h.req(op)
                .body(body.clone())
                .set_query("idempotencyKey", "k-1")
                .set_query("draft", "true"),
        )
        .await;
    let (d1, d2) = (h.assert_success(op, &d1), h.assert_success(op, &d2));
    assert_eq!(d1["status"], json!("DRAFT"));
    assert_ne!(d1["id"], d2["id"]);
    assert_ne!(d1["id"], created["id"]);
    // Invalid query parameter type.
    let resp = h
        .send(&h.req(op).body(body).set_query("draft", "maybe"))
        .await;
    h.assert_names(&resp, "draft", true);
}

#[tokio::test]
async fn every_answer_to_generated_valid_requests_validates() {
    for provider in common::providers() {
        let h = Harness::start(&provider).await;
        let op = h.create_op();
        let op = op.as_str();
        let g = h.body_generator(op);
        let bodies = covenant_gen::sample(&g.valid(), 42, 150);
        assert_eq!(bodies.len(), 150);
        for b in bodies {
            let resp = h.send(&h.req(op).body(b)).await;
            h.assert_success(op, &resp);
        }
    }
    // Reads too: create sessions and read them back.
    let h = Harness::start("rpcsession").await;
    let g = h.body_generator("createSession");
    for b in covenant_gen::sample(&g.valid(), 9, 50) {
        let created = h.send(&h.req("createSession").body(b)).await;
        let created = h.assert_success("createSession", &created);
        for read in ["getSession", "getSessionState"] {
            let r = h
                .send(&h.req(read).body(json!({"id": created["id"]})))
                .await;
            h.assert_success(read, &r);
        }
    }
}

#[tokio::test]
async fn bounded_stores_stay_bounded() {
    let config = MockConfig {
        store_capacity: 20,
        ..MockConfig::default()
    };
    let h = Harness::with_config("rpcsession", config).await;
    for _ in 0..60 {
        let r = h.send(&h.req("createSession")).await;
        h.assert_success("createSession", &r);
    }
    let ids = h.server.provider().resource_ids("session").expect("kind");
    assert_eq!(ids.len(), 20);
}

#[tokio::test]
async fn connections_over_the_limit_get_rate_limited_then_recover() {
    for provider in common::providers() {
        let config = MockConfig {
            max_connections: 2,
            ..MockConfig::default()
        };
        let h = Harness::with_config(&provider, config).await;
        let op = h.create_op();
        let op = op.as_str();
        // Two idle connections hold both slots (hyper waits for their request head).
        let mut idle = Vec::new();
        for _ in 0..2 {
            idle.push(
                tokio::net::TcpStream::connect(h.server.addr())
                    .await
                    .expect("connect"),
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let refused = h.send(&h.req(op)).await;
        h.assert_error("rate-limited", &refused);
        assert_eq!(
            refused
                .headers
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            Some("1"),
            "{provider}"
        );
        assert_eq!(
            refused
                .headers
                .get("connection")
                .and_then(|v| v.to_str().ok()),
            Some("close"),
            "{provider}"
        );
        // Once the idle connections go, requests are served again.
        drop(idle);
        let mut ok = None;
        for _ in 0..100 {
            let resp = h.send(&h.req(op)).await;
            if resp.status != 429 {
                ok = Some(resp);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let ok = ok.unwrap_or_else(|| {
            panic!("{provider}: still refused after the idle connections closed")
        });
        h.assert_success(op, &ok);
    }
}

/// A request must arrive in full within `request_timeout_secs` of its connection
/// falling idle: a client trickling a head (slowloris) and an idle keep-alive
/// connection are closed once it passes, while a connection that keeps getting
/// answers stays open however long it lives.
#[tokio::test]
async fn slow_and_idle_connections_close_at_the_request_deadline() {
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

    let config = MockConfig {
        request_timeout_secs: 1,
        ..MockConfig::default()
    };
    let h = Harness::with_config("rebilly", config).await;
    let addr = h.server.addr();

    // Waits for the server to close `conn` (EOF or reset); how long that took.
    async fn closed_after(mut conn: impl AsyncRead + Unpin, started: Instant) -> Duration {
        let mut buf = [0u8; 1024];
        loop {
            match tokio::time::timeout(Duration::from_secs(10), conn.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => return started.elapsed(),
                Ok(Ok(_)) => continue,
                Err(_) => panic!("the connection was still open after 10 s"),
            }
        }
    }
    let about_the_deadline =
        |took: Duration| took >= Duration::from_millis(900) && took < Duration::from_secs(3);

    // Idle: no byte ever sent.
    let started = Instant::now();
    let idle = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let took = closed_after(idle, started).await;
    assert!(
        about_the_deadline(took),
        "idle connection closed after {took:?}"
    );

    // Slowloris: a header line every 200 ms, never the end of the head.
    let started = Instant::now();
    let slow = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (read_half, mut write_half) = slow.into_split();
    let trickle = tokio::spawn(async move {
        let _ = write_half
            .write_all(b"POST /kyc-requests HTTP/1.1\r\n")
            .await;
        for i in 0..50 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let line = format!("x-slow-{i}: y\r\n");
            if write_half.write_all(line.as_bytes()).await.is_err() {
                break;
            }
        }
    });
    let took = closed_after(read_half, started).await;
    trickle.abort();
    assert!(
        about_the_deadline(took),
        "slowloris connection closed after {took:?}"
    );

    // Busy: a request every 300 ms on one connection for 2.4 s, each answered.
    let body = r#"{"customerId":"cus_1","documents":[{"type":"identity-proof"}]}"#;
    let request = format!(
        "POST /kyc-requests HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nreb-apikey: test-api-key\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut conn = tokio::net::TcpStream::connect(addr).await.expect("connect");
    for i in 0..8 {
        conn.write_all(request.as_bytes()).await.expect("write");
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        // Read one whole answer: the head, then content-length bytes of body.
        let complete = loop {
            let n = tokio::time::timeout(Duration::from_secs(5), conn.read(&mut buf))
                .await
                .expect("answered in time")
                .expect("read");
            assert!(n > 0, "request {i}: the connection closed while in use");
            got.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&got).to_string();
            if let Some(end) = text.find("\r\n\r\n") {
                let length: usize = text[..end]
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length: "))
                    .and_then(|v| v.trim().parse().ok())
                    .expect("content-length");
                if got.len() >= end + 4 + length {
                    break text;
                }
            }
        };
        assert!(
            complete.starts_with("HTTP/1.1 201"),
            "request {i}: {complete}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}
