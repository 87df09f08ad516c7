//! A urlencoded body's `encoding` object, from the runner's serialisation to the
//! mock's reading: members written in their declared style (`counts=1,2`,
//! `box=w|3`, `expand[0]=a`), every generated positive accepted, and a value
//! that breaks an item inside a joined member refused. A multipart file part is
//! sent as the type its `encoding` entry (or `contentMediaType`) names, as a small
//! valid file of that type.

use std::sync::Arc;

use covenant_mock::engine::Incoming;
use covenant_mock::{MockConfig, Provider};
use covenant_runner::cases::{Budget, positives};
use covenant_runner::config::Credentials;
use covenant_spec::Spec;

const SPEC: &str = r##"
openapi: 3.0.3
info: {title: charges, version: "1"}
paths:
  /charges:
    post:
      operationId: createCharge
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            encoding:
              counts: {style: form, explode: false}
              box: {style: pipeDelimited}
              expand: {style: deepObject, explode: true}
            schema:
              type: object
              required: [counts, box]
              additionalProperties: false
              properties:
                counts: {type: array, minItems: 1, items: {type: integer, minimum: 0, maximum: 10}}
                box:
                  type: object
                  required: [w]
                  additionalProperties: false
                  properties:
                    w: {type: integer, minimum: 0, maximum: 10}
                    tag: {type: string, pattern: "^[a-z]{1,5}$"}
                expand: {type: array, items: {type: string, enum: [customer, invoice]}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {id: {type: string}}}
        "400":
          description: bad
          content:
            application/json:
              schema: {type: object, required: [message], properties: {message: {type: string}}}
  /documents:
    post:
      operationId: uploadDocument
      requestBody:
        required: true
        content:
          multipart/form-data:
            encoding:
              photo: {contentType: "image/jpeg, image/png"}
            schema:
              type: object
              required: [photo, scan, kind]
              properties:
                photo: {type: string, format: binary}
                scan: {type: string, contentMediaType: application/pdf}
                raw: {type: string, format: binary}
                kind: {type: string, enum: [passport, id_card]}
      responses:
        "201":
          description: stored
          content:
            application/json:
              schema: {type: object, properties: {id: {type: string}}}
        "400":
          description: bad
          content:
            application/json:
              schema: {type: object, required: [message], properties: {message: {type: string}}}
"##;

fn post(body: Vec<u8>) -> Incoming {
    send("/charges", "application/x-www-form-urlencoded", body)
}

fn send(path: &str, content_type: &str, body: Vec<u8>) -> Incoming {
    let mut headers = http::HeaderMap::new();
    headers.insert("content-type", content_type.parse().expect("header"));
    Incoming {
        method: http::Method::POST,
        path: path.into(),
        query: None,
        headers,
        body: bytes::Bytes::from(body),
    }
}

#[tokio::test]
async fn encoded_members_are_written_in_their_style_and_read_back() {
    let spec = Arc::new(Spec::from_str("charges.yaml", SPEC).expect("loads"));
    let (plans, gens) = covenant_runner::plan::build(&spec, &Credentials::new());
    let at = plans
        .iter()
        .position(|p| p.op.id == "createCharge")
        .expect("planned");
    let requests = positives(&plans[at], &gens[at], Budget { seed: 7, cases: 25 });
    assert_eq!(requests.len(), 25);
    let mock = Provider::new(spec.clone(), MockConfig::default()).expect("serves");
    let (mut joined, mut indexed) = (0, 0);
    for r in &requests {
        let bytes = r.body_bytes().expect("a body");
        let pairs: Vec<(String, String)> = form_urlencoded::parse(&bytes)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        // Joined members are one pair each; deepObject arrays are indexed.
        assert_eq!(
            pairs.iter().filter(|(k, _)| k == "counts").count(),
            1,
            "{text}"
        );
        assert_eq!(
            pairs.iter().filter(|(k, _)| k == "box").count(),
            1,
            "{text}"
        );
        assert!(pairs.iter().all(|(k, _)| k != "expand"), "{text}");
        let body = r.body.as_ref().expect("a body");
        if body["counts"].as_array().is_some_and(|a| a.len() > 1) {
            joined += 1;
            assert!(
                pairs.iter().any(|(k, v)| k == "counts" && v.contains(',')),
                "{text}"
            );
        }
        if body
            .get("expand")
            .is_some_and(|e| e.as_array().is_some_and(|a| !a.is_empty()))
        {
            indexed += 1;
            assert!(pairs.iter().any(|(k, _)| k == "expand[0]"), "{text}");
        }
        let answer = mock.handle(post(bytes)).await;
        assert_eq!(
            answer.status,
            200,
            "{text} -> {}",
            String::from_utf8_lossy(&answer.body)
        );
    }
    assert!(
        joined > 0 && indexed > 0,
        "joined {joined}, indexed {indexed}"
    );
    // An item over its maximum inside the joined text is refused, and named.
    let answer = mock.handle(post(b"counts=1,11&box=w|3".to_vec())).await;
    assert_eq!(answer.status, 400);
    assert!(
        String::from_utf8_lossy(&answer.body).contains("counts"),
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    // Without the style, the same text is one item that is not an integer; with
    // it, the joined values are accepted.
    let answer = mock
        .handle(post(
            b"counts=1,2&box=w|3|tag|ab&expand[0]=invoice".to_vec(),
        ))
        .await;
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
}

#[tokio::test]
async fn file_parts_are_sent_as_their_declared_type() {
    let spec = Arc::new(Spec::from_str("charges.yaml", SPEC).expect("loads"));
    let (plans, gens) = covenant_runner::plan::build(&spec, &Credentials::new());
    let at = plans
        .iter()
        .position(|p| p.op.id == "uploadDocument")
        .expect("planned");
    let requests = positives(&plans[at], &gens[at], Budget { seed: 3, cases: 10 });
    assert_eq!(requests.len(), 10);
    let mock = Provider::new(spec.clone(), MockConfig::default()).expect("serves");
    let has = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    for r in &requests {
        let bytes = r.body_bytes().expect("a body");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        // The first listed type, with a JPEG's markers; the schema's
        // contentMediaType, with a PDF; OpenAPI's default for the rest.
        assert!(
            has(
                &bytes,
                b"filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff\xd9\r\n"
            ),
            "{text}"
        );
        assert!(
            has(
                &bytes,
                b"filename=\"scan.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-"
            ),
            "{text}"
        );
        if r.body.as_ref().is_some_and(|b| b.get("raw").is_some()) {
            assert!(
                text.contains("filename=\"raw.bin\"\r\nContent-Type: application/octet-stream"),
                "{text}"
            );
        }
        let content_type = r.content_type_header().expect("a content type");
        let answer = mock.handle(send("/documents", &content_type, bytes)).await;
        assert_eq!(
            answer.status,
            201,
            "{text} -> {}",
            String::from_utf8_lossy(&answer.body)
        );
    }
}
