//! Faithfulness: every enum value, field name, header and status code that a seed
//! document lists must appear in the spec transcribed from it. The seed text is read
//! from `../shared/seeds/` and mined with patterns fitted to each document's layout;
//! each extractor also asserts it found a plausible number of tokens, so a pattern
//! that silently stops matching fails the test instead of passing it.

use std::collections::BTreeSet;
use std::path::PathBuf;

use covenant_spec::Spec;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn seed(name: &str) -> String {
    let dir = root().join("../shared/seeds");
    let entry = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with(name))
        .unwrap_or_else(|| panic!("no seed {name}* in {}", dir.display()));
    std::fs::read_to_string(entry.path()).unwrap()
}

/// Every mapping key and every string/number scalar in the document.
fn vocabulary(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                out.insert(k.clone());
                vocabulary(c, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|c| vocabulary(c, out)),
        Value::String(s) => {
            out.insert(s.clone());
        }
        Value::Number(n) => {
            out.insert(n.to_string());
        }
        _ => {}
    }
}

/// Property names and enum values of every schema, and every response status.
struct SpecTerms {
    properties: BTreeSet<String>,
    enum_values: BTreeSet<String>,
    statuses: BTreeSet<String>,
    headers: BTreeSet<String>,
    all: BTreeSet<String>,
}

fn terms(file: &str) -> SpecTerms {
    let spec = Spec::load(root().join("specs").join(file)).unwrap();
    let doc = spec.document();
    let mut t = SpecTerms {
        properties: BTreeSet::new(),
        enum_values: BTreeSet::new(),
        statuses: BTreeSet::new(),
        headers: BTreeSet::new(),
        all: BTreeSet::new(),
    };
    vocabulary(doc, &mut t.all);
    let mut stack = vec![doc];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                if let Some(Value::Object(p)) = m.get("properties") {
                    t.properties.extend(p.keys().cloned());
                }
                if let Some(Value::Array(e)) = m.get("enum") {
                    for x in e {
                        t.enum_values.insert(match x {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        });
                    }
                }
                stack.extend(m.values());
            }
            Value::Array(a) => stack.extend(a),
            _ => {}
        }
    }
    for op in &spec.operations {
        for r in &op.responses {
            t.statuses.insert(r.status.to_string());
        }
        for p in &op.parameters {
            t.headers.insert(p.name.to_ascii_lowercase());
        }
    }
    for s in spec.security_schemes.values() {
        if let covenant_spec::SecurityScheme::ApiKey { name, .. } = s {
            t.headers.insert(name.to_ascii_lowercase());
        }
    }
    t
}

fn capture_all(re: &str, text: &str) -> Vec<String> {
    let re = regex::Regex::new(re).unwrap();
    re.captures_iter(text)
        .map(|c| c.get(1).unwrap().as_str().to_string())
        .collect()
}

fn assert_all_in(kind: &str, wanted: &BTreeSet<String>, have: &BTreeSet<String>, at_least: usize) {
    assert!(
        wanted.len() >= at_least,
        "extractor for {kind} found only {} tokens (expected at least {at_least}): {wanted:?}",
        wanted.len()
    );
    let missing: Vec<_> = wanted.difference(have).collect();
    assert!(
        missing.is_empty(),
        "{kind} in the seed but not in the spec: {missing:?}"
    );
}

/// The last segment of a backticked dotted field name: `documents.subtypes` -> `subtypes`.
fn backticked_fields(text: &str) -> BTreeSet<String> {
    capture_all(r"- `([A-Za-z_][\w.]*)` \(", text)
        .into_iter()
        .map(|f| f.rsplit('.').next().unwrap().to_string())
        .collect()
}

#[test]
fn seed_000_onboarding() {
    let text = seed("000");
    let t = terms("onboarding.yaml");
    let mut fields = backticked_fields(&text);
    // `additionalProp0` is the doc generator's placeholder for a map entry and
    // `dummySeeComment` a stray artefact; both are recorded in x-assumptions.
    for placeholder in ["additionalProp0", "dummySeeComment"] {
        assert!(fields.remove(placeholder));
        assert!(
            t.all.iter().any(|s| s.contains(placeholder)),
            "{placeholder} not recorded"
        );
    }
    // Query parameters are fields of the request, not properties.
    let mut props = t.properties.clone();
    props.extend(t.headers.iter().cloned());
    props.extend(["idempotencyKey", "language", "draft"].map(String::from));
    for q in ["idempotencyKey", "language", "draft"] {
        assert!(
            t.headers.contains(&q.to_ascii_lowercase()),
            "query parameter {q} missing"
        );
    }
    assert_all_in("fields", &fields, &props, 30);
    let mut enums: BTreeSet<String> = capture_all(r#""([A-Z][A-Z_]+)""#, &text)
        .into_iter()
        .collect();
    enums.extend(capture_all(r"- ([A-Z][A-Z_]+): ", &text));
    assert_all_in("enum values", &enums, &t.enum_values, 60);
    let statuses: BTreeSet<String> = capture_all(r"Response (\d{3})", &text)
        .into_iter()
        .collect();
    assert_all_in("statuses", &statuses, &t.statuses, 2);
    assert!(t.all.contains("application/problem+json"));
}

#[test]
fn seed_001_identplus() {
    let text = seed("001");
    let t = terms("identplus.yaml");
    let fields: BTreeSet<String> = capture_all(r"(?m)^([a-z][a-z_]+) \| (?:String|Boolean)", &text)
        .into_iter()
        .collect();
    assert_all_in("fields", &fields, &t.properties, 20);
    let mut enums = BTreeSet::new();
    for block in capture_all(r"Allowed values: ((?:[A-Z][A-Z_]+ ?)+)", &text) {
        enums.extend(block.split_whitespace().map(String::from));
    }
    assert_all_in("enum values", &enums, &t.enum_values, 17);
    let mut statuses: BTreeSet<String> =
        capture_all(r"(?m)^(\d{3}) \|", &text).into_iter().collect();
    statuses.extend(capture_all(r"HTTP/1\.1 (\d{3})", &text));
    assert_all_in("statuses", &statuses, &t.statuses, 6);
    // Example values of the request must be the spec's example values.
    for v in capture_all(r#"(?m)^"[a-z_]+": "([^"]+)""#, &text) {
        assert!(t.all.contains(&v), "example value {v:?} missing");
    }
}

#[test]
fn seed_002_rebilly() {
    let text = seed("002");
    let t = terms("rebilly.yaml");
    let fields = backticked_fields(&text);
    assert_all_in("fields", &fields, &t.properties, 25);
    let mut enums = BTreeSet::new();
    for line in capture_all(r#"Enum: ((?:(?:"[^"]*"|\d|null)(?:, )?)+)"#, &text) {
        enums.extend(capture_all(r#""([^"]+)""#, &line));
        enums.extend(capture_all(r"\b(\d)\b", &line));
    }
    assert_all_in("enum values", &enums, &t.enum_values, 40);
    assert!(
        t.enum_values.contains("null"),
        "the subtypes enum lists null"
    );
    let statuses: BTreeSet<String> = capture_all(r"Response (\d{3})", &text)
        .into_iter()
        .collect();
    assert_all_in("statuses", &statuses, &t.statuses, 5);
    for ex in [
        "kyc_req_0YV7JMJ3DBCGRBR7K9D4HVGPP5",
        "spend limit",
        "Rate Limit Exceeded",
    ] {
        assert!(
            t.all.iter().any(|s| s.contains(ex)),
            "example {ex:?} missing"
        );
    }
}

#[test]
fn seed_003_iron() {
    let text = seed("003");
    let t = terms("iron.yaml");
    // A property is a lower_snake line followed by its type line.
    let fields: BTreeSet<String> = capture_all(
        r"(?m)^([a-z][a-z_]*)\n(?:string|enum<string>|boolean|integer|\w+ · object)",
        &text,
    )
    .into_iter()
    .collect();
    let mut props = t.properties.clone();
    props.insert("id".into()); // also the path parameter
    assert_all_in("fields", &fields, &props, 8);
    let mut step_fields: BTreeSet<String> = capture_all(r#""([a-z_]+)": \{"#, &text)
        .into_iter()
        .collect();
    step_fields.extend(capture_all(r#""(result|retry)":"#, &text));
    assert_all_in("step_status fields", &step_fields, &t.properties, 6);
    let mut enums: BTreeSet<String> = capture_all(r"(?m)^([A-Z][A-Za-z]+),?$", &text)
        .into_iter()
        .filter(|w| {
            ![
                "POST",
                "Response",
                "Identification",
                "Body",
                "Headers",
                "Authorizations",
            ]
            .contains(&w.as_str())
        })
        .collect();
    enums.insert("Direct".into());
    assert_all_in("enum values", &enums, &t.enum_values, 7);
    let headers: BTreeSet<String> = capture_all(r"--header '([A-Za-z-]+):", &text)
        .into_iter()
        .map(|h| h.to_ascii_lowercase())
        .filter(|h| h != "content-type")
        .collect();
    assert_all_in("headers", &headers, &t.headers, 3);
    for variant in capture_all(r"(?m)^  • (\w+Params)$", &text) {
        assert!(
            t.all.contains(&variant) || t.all.contains(&format!("#/components/schemas/{variant}")),
            "variant {variant} missing"
        );
    }
    for shape in [
        "BusinessIdentificationStepStatus",
        "PersonIdentificationStepStatus",
    ] {
        assert!(
            t.all.contains(&format!("#/components/schemas/{shape}")),
            "{shape} missing"
        );
    }
    assert!(t.all.contains("application/json; charset=utf-8"));
}

#[test]
fn seed_004_rpcsession() {
    let text = seed("004");
    let t = terms("rpcsession.yaml");
    let mut fields: BTreeSet<String> =
        capture_all(r"(?m)^(\w+): (?:string|boolean|integer)", &text)
            .into_iter()
            .collect();
    fields.extend(
        capture_all(r#""(\w+)": "#, &text)
            .into_iter()
            .filter(|f| !["transaction_id"].contains(&f.as_str())),
    );
    // `transaction_id` appears only in the prose about naming conventions.
    assert_all_in("fields", &fields, &t.properties, 25);
    let statuses: BTreeSet<String> = capture_all(r"• (\d{3}) ", &text).into_iter().collect();
    assert_all_in("statuses", &statuses, &t.statuses, 6);
    for word in ["SessionNotFound", "CREATED", "public-key-", "secret-"] {
        assert!(t.all.iter().any(|s| s.contains(word)), "{word} missing");
    }
    let ops: BTreeSet<String> = capture_all(r"localhost:4000(/api/v1/session\.\w+)", &text)
        .into_iter()
        .collect();
    let spec = Spec::load(root().join("specs/rpcsession.yaml")).unwrap();
    let paths: BTreeSet<String> = spec.operations.iter().map(|o| o.path.clone()).collect();
    assert_all_in("endpoints", &ops, &paths, 3);
    assert!(
        spec.operations
            .iter()
            .all(|o| o.method == covenant_spec::Method::Post)
    );
}
