//! Per-provider behaviour of the mock, one spec at a time, on 127.0.0.1:0: valid
//! minimal and maximal requests accepted (answers validate against the spec), every
//! negative the generator derives rejected in the provider's style naming the field,
//! missing and wrong credentials rejected, idempotent replays, create-then-read,
//! lifecycle transitions and forced scenarios.

mod common;

use common::{Auth, Harness, maximal, minimal};
use covenant_spec::ParameterLocation;
use serde_json::{Value, json};

/// The checks every provider gets on its creating operation.
async fn conformance(provider: &str) {
    let h = Harness::start(provider).await;
    let op = &h.create_op();
    let g = h.body_generator(op);
    // Valid requests: minimal, maximal, and the spec's own examples.
    let mut valid = vec![minimal(&g), maximal(&g)];
    valid.extend(
        h.op(op)
            .request_body
            .iter()
            .flat_map(|b| b.content.iter())
            .flat_map(|m| m.examples.iter().map(|e| e.value.clone())),
    );
    for body in &valid {
        let resp = h.send(&h.req(op).body(body.clone())).await;
        h.assert_success(op, &resp);
    }
    // Each negative the generator derives: rejected in the provider's style, naming the field.
    let mut checked = 0;
    for base in [minimal(&g), maximal(&g)] {
        for n in g.negatives(&base).into_iter().take(40) {
            let resp = h.send(&h.req(op).body(n.instance.clone())).await;
            assert!(
                resp.status < 500,
                "{provider}: negative {} {} got {}",
                n.pointer,
                n.keyword,
                resp.status
            );
            h.assert_names(&resp, &n.pointer, false);
            h.assert_documented_error_schema(op, &resp);
            checked += 1;
        }
    }
    assert!(checked > 0, "{provider}: no negatives were derived");
    // Parameters: a required one missing, and each formatted/typed one with a bad value.
    for p in h.op(op).parameters.clone() {
        if p.location == ParameterLocation::Cookie {
            continue;
        }
        if p.required && p.location != ParameterLocation::Path {
            let resp = h.send(&h.req(op).without(&p.name)).await;
            h.assert_names(&resp, &p.name, true);
        }
        let js = p.schema.as_ref().map(|s| h.spec.json_schema(s));
        let bad = match js.as_ref().and_then(|j| j.get("format").or(j.get("type"))) {
            Some(Value::String(f)) if f == "uuid" => Some("not-a-uuid"),
            Some(Value::String(t)) if t == "boolean" || t == "integer" => Some("not-a-value"),
            _ => None,
        };
        if let Some(bad) = bad {
            let mut r = h.req(op);
            match p.location {
                ParameterLocation::Path => {
                    r.path_params.retain(|(n, _)| *n != p.name);
                    r.path_params.push((p.name.clone(), bad.into()));
                }
                ParameterLocation::Query => r = r.set_query(&p.name, bad),
                _ => r = r.set_header(&p.name, bad),
            }
            let resp = h.send(&r).await;
            h.assert_names(&resp, &p.name, true);
        }
    }
    // Credentials: missing and wrong are both rejected with the documented answer.
    if !h.op(op).security.is_empty() {
        for a in [Auth::Missing, Auth::Wrong] {
            let resp = h.send(&h.req(op).auth(a)).await;
            h.assert_error("unauthorized", &resp);
            h.assert_documented_error_schema(op, &resp);
        }
    }
}

/// Every provider in `specs/`, on the operation that creates its resources.
#[tokio::test]
async fn every_provider_conforms() {
    for provider in common::providers() {
        conformance(&provider).await;
    }
}

/// rpcsession's reads: their valid path needs an existing id (see
/// `rpcsession_create_then_read_and_not_found`), so they get validation and auth.
#[tokio::test]
async fn rpcsession_reads_validate_and_authenticate() {
    let h = Harness::start("rpcsession").await;
    for op in ["getSession", "getSessionState"] {
        let resp = h.send(&h.req(op).body(json!({"id": "seven"}))).await;
        h.assert_names(&resp, "/id", false);
        let resp = h.send(&h.req(op).body(json!({}))).await;
        h.assert_names(&resp, "/id", false);
        for a in [Auth::Missing, Auth::Wrong] {
            let resp = h.send(&h.req(op).body(json!({"id": 1})).auth(a)).await;
            h.assert_error("unauthorized", &resp);
        }
    }
}

#[tokio::test]
async fn iron_idempotency_lifecycle_and_scenarios() {
    let h = Harness::start("iron").await;
    let op = "createCustomerIdentification";
    let customer = "3c90c3cc-0d44-4b50-8888-8dd25736052a";
    let key = "0b9a3f4e-8f5d-4c1a-9d2e-1f2a3b4c5d6e";
    let mut r = h
        .req(op)
        .body(json!({"type": "Direct"}))
        .set_header("IDEMPOTENCY-KEY", key);
    r.path_params = vec![("id".into(), customer.into())];
    let first = h.send(&r).await;
    let created = h.assert_success(op, &first);
    assert_eq!(first.status, 201);
    assert_eq!(created["status"], json!("Pending"));
    assert_eq!(
        created["customer_id"],
        json!(customer),
        "echoes the path id"
    );
    assert!(uuid::Uuid::parse_str(created["id"].as_str().expect("id")).is_ok());
    let replay = h.send(&r).await;
    assert_eq!((replay.status, &replay.bytes), (first.status, &first.bytes));
    // Lifecycle: Pending -> Processed allowed, Processed -> Pending refused.
    let id = created["id"].as_str().expect("id");
    let url = format!(
        "{}/__covenant/resources/identification/{id}/transition",
        h.server.url()
    );
    let ok = h
        .client
        .post(&url)
        .json(&json!({"to": "Processed"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(ok.status().as_u16(), 200);
    let back = h
        .client
        .post(&url)
        .json(&json!({"to": "Pending"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(back.status().as_u16(), 409);
    let stored = h
        .server
        .provider()
        .resource("identification", id)
        .expect("stored");
    assert_eq!(stored["status"], json!("Processed"));
    // Scenario: a decline at creation (Pending -> Declined is a declared edge).
    let declined = h
        .send(
            &h.req(op)
                .body(json!({"type": "Direct"}))
                .set_header("X-Covenant-Scenario", "status=Declined"),
        )
        .await;
    assert_eq!(h.assert_success(op, &declined)["status"], json!("Declined"));
    // No error classes documented: 429 and 500 fall back to problem+json.
    let limited = h
        .send(
            &h.req(op)
                .body(json!({"type": "Direct"}))
                .set_header("X-Covenant-Scenario", "rate-limited; retry-after=9"),
        )
        .await;
    h.assert_error("rate-limited", &limited);
    assert_eq!(
        limited
            .headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("9")
    );
    assert_eq!(
        covenant_spec::ir::essence(
            limited
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
        ),
        "application/problem+json"
    );
}

#[tokio::test]
async fn rebilly_ids_scenarios_and_lifecycle() {
    let h = Harness::start("rebilly").await;
    let op = "postKycRequest";
    let body = json!({"customerId": "cus_1", "documents": [{"type": "identity-proof", "subtypes": ["passport"]}],
                      "reason": "spend limit", "expirationTime": "2030-01-01T00:00:00Z"});
    let resp = h.send(&h.req(op).body(body.clone())).await;
    assert_eq!(resp.status, 201);
    let created = h.assert_success(op, &resp);
    let id = created["id"].as_str().expect("id");
    assert!(
        id.starts_with("kyc_req_") && id.len() == "kyc_req_0YV7JMJ3DBCGRBR7K9D4HVGPP5".len(),
        "{id}"
    );
    assert_eq!(created["customerId"], json!("cus_1"));
    assert_eq!(created["documents"], body["documents"]);
    assert_eq!(created["expirationTime"], json!("2030-01-01T00:00:00Z"));
    assert_eq!(created["status"], json!("gathering"));
    assert!(
        chrono::DateTime::parse_from_rfc3339(created["createdTime"].as_str().expect("createdTime"))
            .is_ok()
    );
    // The JWT alternative authenticates too.
    let jwt = h
        .client
        .post(format!("{}/kyc-requests", h.server.url()))
        .header("authorization", "Bearer test-bearer-token")
        .json(&body)
        .send()
        .await
        .expect("sent");
    assert_eq!(jwt.status().as_u16(), 201);
    // A validation error names the nested field in dot notation.
    let bad = h
        .send(
            &h.req(op)
                .body(json!({"customerId": "c", "documents": [{"type": "nope"}]})),
        )
        .await;
    let err = h.assert_error("validation", &bad).expect("body");
    assert_eq!(bad.status, 422);
    assert_eq!(err["invalidFields"][0]["field"], json!("documents.0.type"));
    h.assert_documented_error_schema(op, &bad);
    // Forced scenarios through the control endpoint: 429, then 500 (fallback), then normal.
    let ctl = format!("{}/__covenant/scenarios", h.server.url());
    for s in [
        json!({"class": "rate-limited", "retry_after": 3}),
        json!({"class": "internal"}),
    ] {
        let r = h.client.post(&ctl).json(&s).send().await.expect("sent");
        assert_eq!(r.status().as_u16(), 200);
    }
    let limited = h.send(&h.req(op).body(body.clone())).await;
    let b = h.assert_error("rate-limited", &limited).expect("body");
    assert_eq!(b["title"], json!("Rate Limit Exceeded"));
    assert_eq!(
        limited
            .headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("3")
    );
    h.assert_documented_error_schema(op, &limited);
    let internal = h.send(&h.req(op).body(body.clone())).await;
    assert_eq!(internal.status, 500);
    let again = h.send(&h.req(op).body(body.clone())).await;
    assert_eq!(again.status, 201);
    // Forbidden by header, and an unknown scenario is a clear 4xx.
    let forbidden = h
        .send(
            &h.req(op)
                .body(body.clone())
                .set_header("X-Covenant-Scenario", "forbidden"),
        )
        .await;
    h.assert_error("forbidden", &forbidden);
    let unknown = h
        .send(
            &h.req(op)
                .body(body.clone())
                .set_header("X-Covenant-Scenario", "explode"),
        )
        .await;
    h.assert_names(&unknown, "X-Covenant-Scenario", true);
    // Status scenario off the lifecycle (gathering -> failed is not reachable directly? it is via attempted).
    let failed = h
        .send(
            &h.req(op)
                .body(body.clone())
                .set_header("X-Covenant-Scenario", "status=expired"),
        )
        .await;
    assert_eq!(h.assert_success(op, &failed)["status"], json!("expired"));
    let url = format!(
        "{}/__covenant/resources/kyc-request/{}/transition",
        h.server.url(),
        h.assert_success(op, &failed)["id"].as_str().expect("id")
    );
    let r = h
        .client
        .post(&url)
        .json(&json!({"to": "gathering"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status().as_u16(), 409, "expired is terminal");
}

#[tokio::test]
async fn rpcsession_create_then_read_and_not_found() {
    let h = Harness::start("rpcsession").await;
    // The body may be omitted entirely.
    let created = h.send(&h.req("createSession")).await;
    let created = h.assert_success("createSession", &created);
    let id = created["id"].clone();
    assert!(id.as_i64().is_some_and(|i| i > 0), "int64 id: {id}");
    let with_ref = h
        .send(
            &h.req("createSession")
                .body(json!({"reference": "ref-42", "face_verification": true, "extra": 1})),
        )
        .await;
    let with_ref = h.assert_success("createSession", &with_ref);
    for (created, reference) in [(&created, None), (&with_ref, Some("ref-42"))] {
        let got = h
            .send(&h.req("getSession").body(json!({"id": created["id"]})))
            .await;
        let got = h.assert_success("getSession", &got);
        assert_eq!(got["id"], created["id"]);
        assert_eq!(got["state"], json!("CREATED"));
        if let Some(r) = reference {
            assert_eq!(
                got["reference"],
                json!(r),
                "the read returns what was created"
            );
        }
        let state = h
            .send(&h.req("getSessionState").body(json!({"id": created["id"]})))
            .await;
        assert_eq!(
            h.assert_success("getSessionState", &state),
            json!({"state": "CREATED"})
        );
    }
    // Unknown id: the documented 404 SessionNotFound.
    let missing = h
        .send(&h.req("getSession").body(json!({"id": 987654321})))
        .await;
    let body = h.assert_error("not-found", &missing).expect("body");
    assert_eq!(body["error_name"], json!("SessionNotFound"));
    assert!(
        body["error_message"]
            .as_str()
            .is_some_and(|m| m.contains("987654321"))
    );
    h.assert_documented_error_schema("getSession", &missing);
    // Basic credentials without the documented prefixes are refused.
    let r = h
        .client
        .post(format!("{}/api/v1/session.create", h.server.url()))
        .basic_auth("test", Some("secret-test"))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status().as_u16(), 401);
    let b: Value = r.json().await.expect("json");
    assert_eq!(b["error_name"], json!("Unauthorized"));
    // A forced internal error in the provider's style.
    let r = h
        .send(
            &h.req("createSession")
                .set_header("X-Covenant-Scenario", "internal"),
        )
        .await;
    assert_eq!(
        h.assert_error("internal", &r).expect("body")["error_name"],
        json!("InternalServerError")
    );
}

#[tokio::test]
async fn identplus_styles_and_scenarios() {
    let h = Harness::start("identplus").await;
    let op = "createIdentcheck";
    let ok = h
        .send(
            &h.req(op)
                .body(json!({"partner_iban": "DE001", "ident_code": "abcdef"})),
        )
        .await;
    let created = h.assert_success(op, &ok);
    assert_eq!(
        created["process_status"],
        json!("SCT_TRIGGERED"),
        "lifecycle initial"
    );
    // 422 field -> messages map, messages concatenated per field.
    let bad = h
        .send(
            &h.req(op)
                .body(json!({"partner_iban": "XX", "ident_code": "abc", "dsv_terms": false})),
        )
        .await;
    let body = h.assert_error("validation", &bad).expect("body");
    for f in ["partner_iban", "ident_code", "dsv_terms"] {
        assert!(
            body[f].as_array().is_some_and(|a| !a.is_empty()),
            "{f} in {body}"
        );
    }
    h.assert_documented_error_schema(op, &bad);
    // Empty-bodied 401, 406 (Accept), 500 (scenario).
    let r = h.send(&h.req(op).auth(Auth::Missing)).await;
    assert_eq!((r.status, r.bytes.len()), (401, 0));
    let r = h.send(&h.req(op).set_header("accept", "text/html")).await;
    assert_eq!((r.status, r.bytes.len()), (406, 0));
    let r = h
        .send(&h.req(op).set_header("X-Covenant-Scenario", "internal"))
        .await;
    assert_eq!((r.status, r.bytes.len()), (500, 0));
    // Forced status on create, reachable from SCT_TRIGGERED; SCT_DISCARDED is not.
    let r = h
        .send(
            &h.req(op)
                .set_header("X-Covenant-Scenario", "status=SCT_FAILED"),
        )
        .await;
    assert_eq!(
        h.assert_success(op, &r)["process_status"],
        json!("SCT_FAILED")
    );
    let r = h
        .send(
            &h.req(op)
                .set_header("X-Covenant-Scenario", "status=SCT_DISCARDED"),
        )
        .await;
    assert_eq!(r.status, 409);
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let h = Harness::start("rebilly").await;
    let r = h
        .client
        .get(format!("{}/kyc-requests", h.server.url()))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status().as_u16(), 405);
    // RFC 9110: a 405 names the methods the path serves.
    assert_eq!(r.headers()["allow"], "POST");
    let r = h
        .client
        .post(format!("{}/nothing/here", h.server.url()))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status().as_u16(), 404);
    let health = h
        .client
        .get(format!("{}/__covenant/health", h.server.url()))
        .send()
        .await
        .expect("sent");
    assert_eq!(health.status().as_u16(), 200);
    let body: serde_json::Value = health.json().await.expect("JSON");
    assert_eq!(body["provider"], "rebilly");
    // A control endpoint with the wrong method names the right one.
    let r = h
        .client
        .get(format!("{}/__covenant/reset", h.server.url()))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status().as_u16(), 405);
    assert_eq!(r.headers()["allow"], "POST");
    // Unknown paths under the control prefix are the provider's own 404.
    let r = h
        .client
        .get(format!("{}/__covenant/nothing", h.server.url()))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status().as_u16(), 404);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .is_ok_and(|ct| ct.contains("json")),
        "{:?}",
        r.headers()
    );
    // Percent-encoded segments are decoded: the kind exists, the id does not.
    let r = h
        .client
        .get(format!(
            "{}/__covenant/resources/kyc%2Drequest/no%20such",
            h.server.url()
        ))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status().as_u16(), 404);
    let body: serde_json::Value = r.json().await.expect("JSON");
    assert_eq!(body["error"], "no kyc-request with id no such");
}
