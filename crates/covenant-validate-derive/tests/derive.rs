//! The derive end to end: every rule, wire-name pointers, enums, and that schemars 1.x
//! reads the same attributes into the exported JSON Schema.

use std::collections::BTreeMap;

use covenant_validate::{Nullable, Validate};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema, Validate)]
#[serde(rename_all = "camelCase")]
struct Request {
    #[validate(length(min = 6))]
    ident_code: String,
    #[schemars(regex(pattern = "^DE"))]
    partner_iban: Option<String>,
    #[validate(range(min = 1, max = 3))]
    match_level: Option<i64>,
    #[validate(range(exclusive_min = 0.0, exclusive_max = 10))]
    #[schemars(extend("exclusiveMinimum" = 0.0, "exclusiveMaximum" = 10))]
    ratio: f64,
    #[validate(multiple_of = 5)]
    #[schemars(extend("multipleOf" = 5))]
    step: i64,
    #[validate(length(min = 1, max = 2), unique_items)]
    #[schemars(extend("uniqueItems" = true))]
    tags: Vec<String>,
    #[validate(enumeration(true))]
    #[schemars(extend("enum" = [true]))]
    terms: bool,
    #[validate(email)]
    email: Option<String>,
    #[validate(url)]
    #[serde(rename = "redirect_url")]
    redirect: Nullable<String>,
    #[validate(format = "iban")]
    #[schemars(extend("format" = "iban"))]
    iban: Option<String>,
    #[validate(nested)]
    documents: Vec<Document>,
    #[validate(nested)]
    by_name: BTreeMap<String, Document>,
    #[serde(flatten)]
    #[validate(nested)]
    extra: Extra,
}

#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema, Validate)]
struct Document {
    #[serde(rename = "type")]
    #[validate(enumeration("identity-proof", "address-proof"))]
    kind: String,
}

#[derive(Debug, Default, Serialize, Deserialize, schemars::JsonSchema, Validate)]
struct Extra {
    #[validate(length(max = 2))]
    note: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema, Validate)]
#[serde(tag = "type")]
enum Tagged {
    A(#[validate(nested)] Document),
    B {
        #[validate(length(min = 2))]
        name: String,
    },
}

#[derive(Debug, Validate)]
enum Status {
    #[allow(dead_code)]
    Known,
    #[validate(unknown_value)]
    Unknown(String),
}

fn valid() -> Request {
    Request {
        ident_code: "abc123".into(),
        partner_iban: Some("DE89".into()),
        match_level: Some(2),
        ratio: 0.5,
        step: 10,
        tags: vec!["a".into()],
        terms: true,
        email: Some("a@example.com".into()),
        redirect: Nullable::Null,
        iban: Some("DE89370400440532013000".into()),
        documents: vec![Document {
            kind: "identity-proof".into(),
        }],
        by_name: BTreeMap::new(),
        extra: Extra::default(),
    }
}

fn found(e: &covenant_validate::ValidationErrors) -> Vec<(String, String)> {
    e.iter()
        .map(|e| (e.pointer().to_string(), e.keyword().to_string()))
        .collect()
}

#[test]
fn valid_value_passes() {
    assert_eq!(valid().validate(), Ok(()));
    assert!(valid().is_valid());
}

/// One way to make a valid `Request` invalid.
type Break = Box<dyn Fn(&mut Request)>;

/// `is_valid` (counting, nothing rendered) rejects each single violation that
/// `validate` reports.
#[test]
fn is_valid_agrees_with_validate() {
    let breaks: Vec<Break> = vec![
        Box::new(|r| r.ident_code = "abc12".into()),
        Box::new(|r| r.partner_iban = Some("XDE".into())),
        Box::new(|r| r.match_level = Some(4)),
        Box::new(|r| r.step = 7),
        Box::new(|r| r.terms = false),
        Box::new(|r| r.tags = vec!["a".into(), "a".into()]),
        Box::new(|r| r.iban = Some("DE00".into())),
    ];
    for (i, b) in breaks.iter().enumerate() {
        let mut r = valid();
        b(&mut r);
        assert!(r.validate().is_err(), "break {i} is a violation");
        assert!(!r.is_valid(), "break {i}: is_valid accepted it");
    }
}

#[test]
fn every_violation_is_reported_with_wire_pointers() {
    let mut r = valid();
    r.ident_code = "abc12".into();
    r.partner_iban = Some("XDE".into());
    r.match_level = Some(4);
    r.ratio = 10.0;
    r.step = 7;
    r.tags = vec!["a".into(), "a".into(), "b".into()];
    r.terms = false;
    r.email = Some("nope".into());
    r.redirect = Nullable::Present("relative".into());
    r.iban = Some("DE00370400440532013000".into());
    r.documents.push(Document { kind: "x".into() });
    r.by_name
        .insert("k/1".into(), Document { kind: "y".into() });
    r.extra.note = Some("long".into());
    let e = r.validate().unwrap_err();
    let want: Vec<(String, String)> = [
        ("/identCode", "minLength"),
        ("/partnerIban", "pattern"),
        ("/matchLevel", "maximum"),
        ("/ratio", "exclusiveMaximum"),
        ("/step", "multipleOf"),
        ("/tags", "maxItems"),
        ("/tags", "uniqueItems"),
        ("/terms", "enum"),
        ("/email", "format"),
        ("/redirect_url", "format"),
        ("/iban", "format"),
        ("/documents/1/type", "enum"),
        ("/byName/k~11/type", "enum"),
        ("/note", "maxLength"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(found(&e), want, "{e}");
    // Errors render as text and JSON.
    assert!(e.to_string().contains("/identCode: has 5 characters"));
    let j = serde_json::to_value(&e).unwrap();
    assert_eq!(
        j[0],
        json!({"pointer": "/identCode", "keyword": "minLength", "message": "has 5 characters, fewer than the minimum of 6"})
    );
}

#[test]
fn enums_validate_variants() {
    let e = Tagged::A(Document { kind: "z".into() })
        .validate()
        .unwrap_err();
    assert_eq!(found(&e), [("/type".to_string(), "enum".to_string())]);
    let e = Tagged::B { name: "x".into() }.validate().unwrap_err();
    assert_eq!(found(&e), [("/name".to_string(), "minLength".to_string())]);
    assert!(Status::Known.validate().is_ok());
    let e = Status::Unknown("NEW".into()).validate().unwrap_err();
    assert_eq!(found(&e), [(String::new(), "enum".to_string())]);
}

#[test]
fn schemars_reads_the_same_constraints() {
    let schema = serde_json::to_value(schemars::schema_for!(Request)).unwrap();
    let p = &schema["properties"];
    assert_eq!(p["identCode"]["minLength"], json!(6));
    assert_eq!(p["partnerIban"]["pattern"], json!("^DE"));
    assert_eq!(p["matchLevel"]["minimum"], json!(1));
    assert_eq!(p["matchLevel"]["maximum"], json!(3));
    assert_eq!(p["ratio"]["exclusiveMaximum"], json!(10));
    assert_eq!(p["step"]["multipleOf"], json!(5));
    assert_eq!(p["tags"]["minItems"], json!(1));
    assert_eq!(p["tags"]["maxItems"], json!(2));
    assert_eq!(p["tags"]["uniqueItems"], json!(true));
    assert_eq!(p["terms"]["enum"], json!([true]));
    assert_eq!(p["email"]["format"], json!("email"));
    assert_eq!(p["redirect_url"]["format"], json!("uri"));
    assert_eq!(p["iban"]["format"], json!("iban"));
}

/// An object that must carry none of the company steps (OpenAPI's `not: {anyOf:
/// [{required: [..]}, ..]}`), as the generator emits it.
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema, Validate)]
#[serde(transparent)]
struct PersonSteps(
    #[validate(forbidden_properties("company_data", "company_documents"))]
    #[schemars(extend("not" = {"anyOf": [{"required": ["company_data"]}, {"required": ["company_documents"]}]}))]
    serde_json::Map<String, serde_json::Value>,
);

#[test]
fn forbidden_properties_in_validator_and_schema() {
    let ok: PersonSteps = serde_json::from_value(json!({"liveness": {}})).unwrap();
    assert!(ok.validate().is_ok());
    let bad: PersonSteps =
        serde_json::from_value(json!({"company_documents": {}, "company_data": 1})).unwrap();
    let e = bad.validate().unwrap_err();
    assert_eq!(
        found(&e),
        [
            (String::new(), "not".to_string()),
            (String::new(), "not".to_string())
        ]
    );
    assert!(e[0].message().contains("company_data"), "{e}");
    let schema = serde_json::to_value(schemars::schema_for!(PersonSteps)).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    assert!(v.is_valid(&json!({"liveness": {}})));
    assert!(!v.is_valid(&json!({"company_data": 1})));
}

#[test]
fn deserialise_then_validate() {
    let v = json!({"type": "B", "name": "x"});
    let e = covenant_validate::from_value::<Tagged>(&v).unwrap_err();
    assert_eq!(found(&e), [("/name".to_string(), "minLength".to_string())]);
    let e = covenant_validate::from_value::<Tagged>(&json!({"type": "C"})).unwrap_err();
    assert_eq!(e[0].keyword(), "enum");
}

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
