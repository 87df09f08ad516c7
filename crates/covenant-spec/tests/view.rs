//! The JSON Schema view of each operation of the specs in `specs/`: a valid instance
//! passes; instances that break exactly one constraint fail at the right pointer
//! with the right keyword. Plus the OpenAPI 3.0 -> 2020-12 translation rules.

use std::path::PathBuf;

use covenant_spec::view::{Direction, compile, to_json_schema, violations};
use covenant_spec::{Spec, Violation};
use serde_json::{Value, json};

fn specs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs")
}

fn spec(name: &str) -> Spec {
    Spec::load(specs_dir().join(name)).unwrap()
}

/// The file names of every provider's spec (`specs/*.yaml`), sorted.
fn spec_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(specs_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no specs in {}", specs_dir().display());
    names
}

fn request_validator(spec: &Spec, op: &str) -> jsonschema::Validator {
    let op = spec
        .operation(op)
        .unwrap_or_else(|| panic!("no operation {op}"));
    let site = op.request_body.as_ref().unwrap().content[0]
        .schema
        .as_ref()
        .unwrap();
    spec.compile(site).unwrap()
}

fn request_example(spec: &Spec, op: &str) -> Value {
    let op = spec.operation(op).unwrap();
    op.request_body.as_ref().unwrap().content[0].examples[0]
        .value
        .clone()
}

/// Applies `edit` to a copy of `valid` and returns the violations.
fn broken(
    v: &jsonschema::Validator,
    valid: &Value,
    edit: impl FnOnce(&mut Value),
) -> Vec<Violation> {
    let mut x = valid.clone();
    edit(&mut x);
    violations(v, &x)
}

fn assert_one(found: Vec<Violation>, pointer: &str, keyword: &str) {
    assert!(
        found.len() == 1 && found[0].pointer == pointer && found[0].keyword == keyword,
        "expected exactly {keyword} at {pointer}, got {found:#?}"
    );
}

#[test]
fn every_operation_example_validates() {
    for name in spec_names() {
        let s = spec(&name);
        let mut checked = 0;
        for op in &s.operations {
            let sites = op
                .request_body
                .iter()
                .flat_map(|b| b.content.iter())
                .chain(op.responses.iter().flat_map(|r| r.content.iter()));
            for mt in sites {
                let Some(site) = &mt.schema else { continue };
                let v = s.compile(site).unwrap();
                for ex in &mt.examples {
                    assert!(
                        violations(&v, &ex.value).is_empty(),
                        "{name} {}: {:?}",
                        ex.pointer,
                        violations(&v, &ex.value)
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 0, "{name} has no body examples");
    }
}

#[test]
fn identplus_request_constraints() {
    let s = spec("identplus.yaml");
    let v = request_validator(&s, "createIdentcheck");
    let ok = request_example(&s, "createIdentcheck");
    assert!(violations(&v, &ok).is_empty());
    assert_one(
        broken(&v, &ok, |x| x["ident_code"] = json!("abc12")),
        "/ident_code",
        "minLength",
    );
    assert_one(
        broken(&v, &ok, |x| {
            x.as_object_mut().unwrap().remove("partner_iban");
        }),
        "/partner_iban",
        "required",
    );
    assert_one(
        broken(&v, &ok, |x| {
            x["partner_iban"] = json!("AT611904300234573201")
        }),
        "/partner_iban",
        "pattern",
    );
    assert_one(
        broken(&v, &ok, |x| x["dsv_terms"] = json!(false)),
        "/dsv_terms",
        "enum",
    );
    assert_one(
        broken(&v, &ok, |x| x["agb_terms"] = json!("yes")),
        "/agb_terms",
        "type",
    );
    assert_one(
        broken(&v, &ok, |x| x["partner_city"] = Value::Null),
        "/partner_city",
        "type",
    );
}

#[test]
fn rebilly_request_constraints() {
    let s = spec("rebilly.yaml");
    let v = request_validator(&s, "postKycRequest");
    let ok = request_example(&s, "postKycRequest");
    assert!(violations(&v, &ok).is_empty());
    assert_one(
        broken(&v, &ok, |x| x["documents"][0]["type"] = json!("selfie")),
        "/documents/0/type",
        "enum",
    );
    assert_one(
        broken(&v, &ok, |x| {
            x.as_object_mut().unwrap().remove("customerId");
        }),
        "/customerId",
        "required",
    );
    assert_one(
        broken(&v, &ok, |x| x["matchLevel"] = json!(4)),
        "/matchLevel",
        "enum",
    );
    assert_one(
        broken(&v, &ok, |x| x["customerId"] = json!(42)),
        "/customerId",
        "type",
    );
    // Nullable fields accept null; non-nullable ones do not.
    assert!(broken(&v, &ok, |x| x["reason"] = Value::Null).is_empty());
    assert!(broken(&v, &ok, |x| x["documents"][0]["subtypes"] = Value::Null).is_empty());
    assert_one(
        broken(&v, &ok, |x| x["customerId"] = Value::Null),
        "/customerId",
        "type",
    );
}

#[test]
fn onboarding_request_constraints() {
    let s = spec("onboarding.yaml");
    let v = request_validator(&s, "createRequest");
    let ok = request_example(&s, "createRequest");
    assert!(violations(&v, &ok).is_empty());
    assert_one(
        broken(&v, &ok, |x| {
            x.as_object_mut().unwrap().remove("requestTypeId");
        }),
        "/requestTypeId",
        "required",
    );
    assert_one(
        broken(&v, &ok, |x| x["terminationReason"] = json!("NOPE")),
        "/terminationReason",
        "enum",
    );
    assert_one(
        broken(&v, &ok, |x| x["parameters"] = json!({"k": 1})),
        "/parameters/k",
        "type",
    );
    assert_one(
        broken(&v, &ok, |x| x["operatorPending"] = Value::Null),
        "/operatorPending",
        "type",
    );
}

#[test]
fn iron_discriminated_body() {
    let s = spec("iron.yaml");
    let v = request_validator(&s, "createCustomerIdentification");
    assert!(violations(&v, &json!({"type": "Direct"})).is_empty());
    let bad = violations(&v, &json!({"type": "Telepathy"}));
    assert!(
        bad.iter()
            .any(|x| x.pointer == "/type" && x.keyword == "enum"),
        "{bad:#?}"
    );
    let missing = violations(&v, &json!({}));
    assert!(
        missing
            .iter()
            .any(|x| x.pointer == "/type" && x.keyword == "required"),
        "{missing:#?}"
    );
    // The uuid path parameter and header formats are checked.
    let op = s.operation("createCustomerIdentification").unwrap();
    let id = op.parameters.iter().find(|p| p.name == "id").unwrap();
    let pv = s.compile(id.schema.as_ref().unwrap()).unwrap();
    assert!(pv.is_valid(&json!("3c90c3cc-0d44-4b50-8888-8dd25736052a")));
    assert_one(violations(&pv, &json!("not-a-uuid")), "", "format");
}

#[test]
fn rpcsession_request_constraints() {
    let s = spec("rpcsession.yaml");
    let v = request_validator(&s, "getSession");
    assert!(violations(&v, &json!({"id": 123})).is_empty());
    assert_one(violations(&v, &json!({})), "/id", "required");
    assert_one(violations(&v, &json!({"id": "123"})), "/id", "type");
    assert_one(violations(&v, &json!({"id": 1.5})), "/id", "type");
    // Extraneous properties are accepted ("automatically omitted").
    assert!(violations(&v, &json!({"id": 1, "extra": true})).is_empty());
}

#[test]
fn translation_rules() {
    let doc = json!({"components": {"schemas": {
        "Pet": {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}}},
        "Cat": {"allOf": [{"$ref": "#/components/schemas/Pet"}]},
        "Dog": {"allOf": [{"$ref": "#/components/schemas/Pet"}]}
    }}});
    let schema = json!({
        "type": "object",
        "required": ["id", "secret", "n"],
        "properties": {
            "id": {"type": "string", "readOnly": true},
            "secret": {"type": "string", "writeOnly": true},
            "n": {"type": "integer", "format": "int32", "minimum": 0, "exclusiveMinimum": true, "nullable": true},
            "e": {"type": "string", "enum": ["a"], "nullable": true},
            "pet": {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
                    "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat"}}},
            "any": {"allOf": [{"$ref": "#/components/schemas/Pet"}], "nullable": true}
        }
    });
    let req = compile(&to_json_schema(&doc, &schema, Direction::Request)).unwrap();
    let resp = compile(&to_json_schema(&doc, &schema, Direction::Response)).unwrap();
    // readOnly not required in requests, writeOnly not required in responses.
    assert!(req.is_valid(&json!({"secret": "s", "n": 1})));
    assert!(!req.is_valid(&json!({"id": "i", "n": 1})));
    assert!(resp.is_valid(&json!({"id": "i", "n": 1})));
    // Boolean exclusiveMinimum and nullable.
    assert!(!resp.is_valid(&json!({"id": "i", "n": 0})));
    assert!(resp.is_valid(&json!({"id": "i", "n": null})));
    assert!(
        !resp.is_valid(&json!({"id": "i", "n": 3_000_000_000_i64})),
        "int32 bounds"
    );
    assert!(resp.is_valid(&json!({"id": "i", "n": 1, "e": null})));
    assert!(!resp.is_valid(&json!({"id": "i", "n": 1, "e": "b"})));
    assert!(resp.is_valid(&json!({"id": "i", "n": 1, "any": null})));
    // Discriminator: mapping key for Cat, schema name for Dog; both branches overlap
    // structurally, so without the translation oneOf would match twice.
    assert!(resp.is_valid(&json!({"id": "i", "n": 1, "pet": {"kind": "cat"}})));
    assert!(resp.is_valid(&json!({"id": "i", "n": 1, "pet": {"kind": "Dog"}})));
    let bad = violations(&resp, &json!({"id": "i", "n": 1, "pet": {"kind": "Cat"}}));
    assert_eq!(bad.len(), 1, "{bad:#?}");
    assert_eq!(bad[0].pointer, "/pet/kind");
}

#[test]
fn iban_format_checks_the_checksum() {
    let v = compile(&to_json_schema(
        &json!({}),
        &json!({"type": "string", "format": "iban"}),
        Direction::Request,
    ))
    .unwrap();
    assert!(v.is_valid(&json!("DE89370400440532013000")));
    assert!(
        !v.is_valid(&json!("DE99123456780123456789")),
        "the IDENTPLUS example IBAN fails mod-97"
    );
}

/// A huge offending value is cut in the message (jsonschema quotes the whole
/// instance): the mock answers with these messages and the runner reports them, so
/// a 200 KB field must not make a 200 KB message.
#[test]
fn violation_messages_cut_huge_values() {
    let v = compile(&json!({
        "type": "object",
        "properties": {
            "kind": {"enum": ["identity-proof", "address-proof"]},
            "code": {"type": "string", "pattern": "^DE"},
            "list": {"type": "array", "maxItems": 1}
        }
    }))
    .unwrap();
    let huge = "x".repeat(200_000);
    let found = violations(
        &v,
        &json!({"kind": huge, "code": huge, "list": vec![huge.clone(); 3]}),
    );
    assert_eq!(found.len(), 3, "{found:#?}");
    for f in &found {
        assert!(
            f.message.len() < 400,
            "{}: {} bytes",
            f.pointer,
            f.message.len()
        );
        assert!(f.message.contains("characters)"), "{}", f.message);
    }
    let kind = found.iter().find(|f| f.pointer == "/kind").unwrap();
    assert!(
        kind.message
            .starts_with(&format!(r#""{}"... (200000 characters)"#, "x".repeat(64)))
            && kind
                .message
                .ends_with(r#"is not one of "identity-proof" or "address-proof""#),
        "{}",
        kind.message
    );
    // Short values are quoted whole, as before.
    let short = violations(&v, &json!({"kind": "selfie"}));
    assert_eq!(
        short[0].message,
        r#""selfie" is not one of "identity-proof" or "address-proof""#
    );
}
