//! A JSON:API provider (Persona's shape), served from its plain spec: the create
//! answers `{"data": {"id", "type", "attributes"}}`, the resource is inferred with
//! its id at `/data/id`, an update sends part of `data` and a read shows the
//! stored resource with the update merged in, id and untouched members kept.

use std::sync::Arc;

use covenant_mock::engine::Incoming;
use covenant_mock::{MockConfig, Provider};
use serde_json::{Value, json};

const SPEC: &str = r##"
openapi: 3.1.0
info: {title: accounts, version: "1"}
paths:
  /accounts:
    post:
      operationId: createAccount
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [data]
              properties:
                data:
                  type: object
                  properties:
                    attributes: {$ref: "#/components/schemas/Attributes"}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Document"}
  /accounts/{account-id}:
    parameters:
      - {name: account-id, in: path, required: true, schema: {type: string}}
    get:
      operationId: getAccount
      responses:
        "200":
          description: the account
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Document"}
        "404":
          description: none
          content:
            application/json:
              schema: {type: object, properties: {errors: {type: array, items: {type: object, properties: {title: {type: string}}}}}}
    patch:
      operationId: updateAccount
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                data:
                  type: object
                  properties:
                    attributes: {$ref: "#/components/schemas/Attributes"}
      responses:
        "200":
          description: the account
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Document"}
components:
  schemas:
    Attributes:
      type: object
      properties:
        name: {type: string, maxLength: 20}
        country: {type: string, enum: [DE, FR, US]}
    Document:
      type: object
      required: [data]
      additionalProperties: false
      properties:
        data:
          type: object
          required: [id, type, attributes]
          additionalProperties: false
          properties:
            id: {type: string}
            type: {type: string, const: account}
            attributes: {$ref: "#/components/schemas/Attributes"}
"##;

fn json_request(method: http::Method, path: &str, body: Option<Value>) -> Incoming {
    let mut headers = http::HeaderMap::new();
    headers.insert("content-type", "application/json".parse().expect("header"));
    Incoming {
        method,
        path: path.into(),
        query: None,
        headers,
        body: bytes::Bytes::from(body.map(|b| b.to_string()).unwrap_or_default()),
    }
}

fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body).expect("a JSON answer")
}

/// Sends a JSON request and returns its JSON answer, which must have `status`.
async fn send(
    p: &Provider,
    method: http::Method,
    path: &str,
    body: Option<Value>,
    status: u16,
) -> Value {
    let answer = p.handle(json_request(method, path, body)).await;
    assert_eq!(
        answer.status,
        status,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    json_of(&answer.body)
}

#[tokio::test]
async fn updates_merge_into_the_stored_document() {
    let spec = Arc::new(covenant_spec::Spec::from_str("accounts.yaml", SPEC).expect("loads"));
    let p = Provider::new(spec, MockConfig::default()).expect("serves");
    let created = send(
        &p,
        http::Method::POST,
        "/accounts",
        Some(json!({"data": {"attributes": {"name": "Rex", "country": "DE"}}})),
        201,
    )
    .await;
    let id = created["data"]["id"].as_str().expect("an id").to_string();
    assert_eq!(created["data"]["attributes"]["name"], "Rex");

    let path = format!("/accounts/{id}");
    let patch = json!({"data": {"attributes": {"name": "Max"}}});
    send(&p, http::Method::PATCH, &path, Some(patch), 200).await;
    let read = send(&p, http::Method::GET, &path, None, 200).await;
    assert_eq!(read["data"]["id"], json!(id), "{read}");
    assert_eq!(read["data"]["type"], "account", "{read}");
    assert_eq!(read["data"]["attributes"]["name"], "Max", "{read}");
    assert_eq!(read["data"]["attributes"]["country"], "DE", "{read}");

    let unknown = p
        .handle(json_request(http::Method::GET, "/accounts/nobody", None))
        .await;
    assert_eq!(unknown.status, 404);
}

/// Persona's webhooks: nothing in the answer's `data` is required, its
/// `attributes` admit no undeclared member, and the request sends one the
/// answer has no room for (`secret-header`), and the update moves a union
/// member to its other branch (`allow`). Whichever pooled body an answer
/// starts from (the pick moves with every request), a read shows the members
/// the update sent, and never a pooled value in their place.
#[tokio::test]
async fn members_the_answer_lacks_do_not_take_the_others_with_them() {
    let spec = SPEC
        .replace(
            "required: [id, type, attributes]\n          additionalProperties: false",
            "additionalProperties: false",
        )
        .replace(
            "attributes: {$ref: \"#/components/schemas/Attributes\"}\n      responses:",
            "attributes: {$ref: \"#/components/schemas/Sent\"}\n      responses:",
        )
        .replace(
            "    Attributes:\n      type: object\n      properties:\n",
            concat!(
                "    Allow:\n      oneOf:\n",
                "        - {type: object, additionalProperties: false, required: [state], properties: {state: {const: all}}}\n",
                "        - {type: object, additionalProperties: false, required: [state, events], properties: {state: {const: custom}, events: {type: array, items: {type: string}}}}\n",
                "    Sent:\n      type: object\n      properties:\n        name: {type: string, maxLength: 20}\n",
                "        country: {type: string, enum: [DE, FR, US]}\n        secret-header: {type: string}\n",
                "        allow: {$ref: \"#/components/schemas/Allow\"}\n",
                "    Attributes:\n      type: object\n      additionalProperties: false\n      properties:\n",
                "        allow: {$ref: \"#/components/schemas/Allow\"}\n",
            ),
        );
    assert_eq!(spec.matches("Sent\"}").count(), 2, "{spec}");
    let spec = Arc::new(covenant_spec::Spec::from_str("accounts.yaml", &spec).expect("loads"));
    let p = Provider::new(spec, MockConfig::default()).expect("serves");
    for i in 0..40 {
        let create = json!({"data": {"attributes": {"name": "Rex", "country": "DE",
            "secret-header": "s", "allow": {"state": "custom", "events": ["x"]}}}});
        let created = send(&p, http::Method::POST, "/accounts", Some(create), 201).await;
        let id = created["data"]["id"].as_str().expect("an id").to_string();
        let path = format!("/accounts/{id}");
        let name = format!("Max{i}");
        let patch = json!({"data": {"attributes": {"name": name, "secret-header": "t",
            "allow": {"state": "all"}}}});
        send(&p, http::Method::PATCH, &path, Some(patch), 200).await;
        let read = send(&p, http::Method::GET, &path, None, 200).await;
        assert_eq!(read["data"]["id"], json!(id), "{read}");
        assert_eq!(
            read["data"]["attributes"]["name"],
            json!(name),
            "request {i}: {read}"
        );
        assert_eq!(
            read["data"]["attributes"]["country"], "DE",
            "request {i}: {read}"
        );
        assert_eq!(
            read["data"]["attributes"]["allow"],
            json!({"state": "all"}),
            "request {i}: {read}"
        );
        assert!(
            read["data"]["attributes"].get("secret-header").is_none(),
            "{read}"
        );
    }
}
