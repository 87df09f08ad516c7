//! A read answers the stored resource, whatever shape the read's schema has. Stripe
//! documents reads as "the resource or its deletion notice" (`anyOf`): the mock
//! once answered those from a random pooled body, so a create then a read
//! disagreed depending on which pooled body came up.

use std::sync::Arc;

use covenant_mock::engine::Incoming;
use covenant_mock::{MockConfig, Provider};
use serde_json::{Value, json};

const SPEC: &str = r##"
openapi: 3.0.3
info: {title: things, version: "1"}
paths:
  /things:
    post:
      operationId: createThing
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [label]
              properties:
                label: {type: string, maxLength: 20}
                meta:
                  type: object
                  properties: {size: {type: integer}, tags: {type: array, items: {type: string}}}
      responses:
        "200":
          description: the thing
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
  /things/{id}:
    get:
      operationId: getThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: the thing, or its deletion notice
          content:
            application/json:
              schema:
                anyOf:
                  - {$ref: "#/components/schemas/Thing"}
                  - {$ref: "#/components/schemas/DeletedThing"}
        "404":
          description: no such thing
components:
  schemas:
    Thing:
      type: object
      additionalProperties: false
      required: [id, label, object]
      properties:
        id: {type: string}
        object: {type: string, enum: [thing]}
        label: {type: string}
        meta:
          type: object
          properties: {size: {type: integer}, tags: {type: array, items: {type: string}}}
    DeletedThing:
      type: object
      additionalProperties: false
      required: [id, deleted, object]
      properties:
        id: {type: string}
        object: {type: string, enum: [thing]}
        deleted: {type: boolean, enum: [true]}
"##;

fn request(method: http::Method, path: &str, body: &str) -> Incoming {
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "content-type",
        "application/x-www-form-urlencoded".parse().expect("header"),
    );
    Incoming {
        method,
        path: path.into(),
        query: None,
        headers,
        body: bytes::Bytes::from(body.to_string()),
    }
}

#[tokio::test]
async fn reads_of_union_answers_return_what_was_created() {
    let spec = Arc::new(covenant_spec::Spec::from_str("things.yaml", SPEC).expect("loads"));
    let p = Provider::new(spec, MockConfig::default()).expect("serves");
    // Enough creates that every pooled body of the read comes up.
    for i in 0..20 {
        let form = format!("label=thing-{i}&meta%5Bsize%5D={i}&meta%5Btags%5D=a&meta%5Btags%5D=b");
        let created = p
            .handle(request(http::Method::POST, "/things", &form))
            .await;
        assert_eq!(
            created.status,
            200,
            "{}",
            String::from_utf8_lossy(&created.body)
        );
        let created: Value = serde_json::from_slice(&created.body).expect("JSON");
        assert_eq!(created["label"], json!(format!("thing-{i}")));
        assert_eq!(created["meta"], json!({"size": i, "tags": ["a", "b"]}));
        let id = created["id"].as_str().expect("id");
        let read = p
            .handle(request(http::Method::GET, &format!("/things/{id}"), ""))
            .await;
        assert_eq!(read.status, 200);
        let read: Value = serde_json::from_slice(&read.body).expect("JSON");
        assert_eq!(read, created, "read {i}");
    }
}
