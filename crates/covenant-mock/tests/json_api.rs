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

#[tokio::test]
async fn updates_merge_into_the_stored_document() {
    let spec = Arc::new(covenant_spec::Spec::from_str("accounts.yaml", SPEC).expect("loads"));
    let p = Provider::new(spec, MockConfig::default()).expect("serves");
    let created = p
        .handle(json_request(
            http::Method::POST,
            "/accounts",
            Some(json!({"data": {"attributes": {"name": "Rex", "country": "DE"}}})),
        ))
        .await;
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let created = json_of(&created.body);
    let id = created["data"]["id"].as_str().expect("an id").to_string();
    assert_eq!(created["data"]["attributes"]["name"], "Rex");

    let path = format!("/accounts/{id}");
    let updated = p
        .handle(json_request(
            http::Method::PATCH,
            &path,
            Some(json!({"data": {"attributes": {"name": "Max"}}})),
        ))
        .await;
    assert_eq!(
        updated.status,
        200,
        "{}",
        String::from_utf8_lossy(&updated.body)
    );
    let read = p.handle(json_request(http::Method::GET, &path, None)).await;
    assert_eq!(read.status, 200, "{}", String::from_utf8_lossy(&read.body));
    let read = json_of(&read.body);
    assert_eq!(read["data"]["id"], json!(id), "{read}");
    assert_eq!(read["data"]["type"], "account", "{read}");
    assert_eq!(read["data"]["attributes"]["name"], "Max", "{read}");
    assert_eq!(read["data"]["attributes"]["country"], "DE", "{read}");

    let unknown = p
        .handle(json_request(http::Method::GET, "/accounts/nobody", None))
        .await;
    assert_eq!(unknown.status, 404);
}
