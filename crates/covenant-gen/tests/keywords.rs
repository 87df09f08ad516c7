//! One small hand-written schema per keyword: valid instances validate and respect the
//! keyword, and `negatives` breaks it with the right pointer (nested inside objects and
//! arrays too), each negative failing with exactly its declared pointer and keyword.

use std::collections::BTreeSet;

use covenant_gen::{GenError, Generator, Negative, sample};
use covenant_spec::view;
use serde_json::{Value, json};

fn generator(schema: &Value) -> Generator {
    Generator::new(schema).unwrap_or_else(|e| panic!("{schema}: {e}"))
}

/// Samples valid instances (checking each), collects all negatives (checking each
/// fails with exactly its pointer and keyword), and returns them.
fn checked(schema: &Value, n: usize) -> (Vec<Value>, Vec<Negative>) {
    let g = generator(schema);
    let validator = view::compile(schema).expect("compiles");
    let values = sample(&g.valid(), 11, n);
    assert_eq!(values.len(), n, "{schema}: too few samples");
    let mut negatives = Vec::new();
    for v in &values {
        let errors = view::violations(&validator, v);
        assert!(errors.is_empty(), "{schema}: {v} invalid: {errors:?}");
        for neg in g.negatives(v) {
            let errors = view::violations(&validator, &neg.instance);
            assert_eq!(errors.len(), 1, "{neg:?}: {errors:?}");
            assert_eq!(
                (&errors[0].pointer, &errors[0].keyword),
                (&neg.pointer, &neg.keyword)
            );
            negatives.push(neg);
        }
    }
    (values, negatives)
}

fn has(negatives: &[Negative], pointer: &str, keyword: &str) -> bool {
    negatives
        .iter()
        .any(|n| n.pointer == pointer && n.keyword == keyword)
}

fn assert_negative(schema: Value, pointer: &str, keyword: &str) -> Vec<Value> {
    let (values, negatives) = checked(&schema, 30);
    let found: BTreeSet<_> = negatives
        .iter()
        .map(|n| (n.pointer.clone(), n.keyword.clone()))
        .collect();
    assert!(
        has(&negatives, pointer, keyword),
        "{schema}: no {keyword} negative at {pointer}; found {found:?}"
    );
    values
}

fn obj(prop: Value) -> Value {
    json!({ "type": "object", "required": ["f"], "properties": { "f": prop } })
}

#[test]
fn required() {
    let values = assert_negative(obj(json!({"type": "string"})), "/f", "required");
    assert!(values.iter().all(|v| v.get("f").is_some()));
}

#[test]
fn type_and_null_where_not_nullable() {
    let (_, negatives) = checked(&obj(json!({"type": "integer"})), 10);
    assert!(
        negatives
            .iter()
            .any(|n| n.keyword == "type" && n.instance["f"].is_null())
    );
    assert!(
        negatives
            .iter()
            .any(|n| n.keyword == "type" && n.instance["f"].is_string())
    );
}

#[test]
fn enum_values_all_reachable_and_broken() {
    let values = assert_negative(
        obj(json!({"type": "string", "enum": ["a", "b", "c", "d"]})),
        "/f",
        "enum",
    );
    let seen: BTreeSet<_> = values.iter().map(|v| v["f"].to_string()).collect();
    assert_eq!(seen.len(), 4, "{seen:?}");
}

#[test]
fn const_keyword() {
    let values = assert_negative(obj(json!({"const": "fixed"})), "/f", "const");
    assert!(values.iter().all(|v| v["f"] == "fixed"));
}

#[test]
fn string_lengths_count_code_points() {
    let values = assert_negative(
        obj(json!({"type": "string", "minLength": 3, "maxLength": 5})),
        "/f",
        "minLength",
    );
    assert_negative(
        obj(json!({"type": "string", "minLength": 3, "maxLength": 5})),
        "/f",
        "maxLength",
    );
    for v in values {
        let n = v["f"].as_str().unwrap_or_default().chars().count();
        assert!((3..=5).contains(&n), "{v}");
    }
}

#[test]
fn ecma_patterns() {
    let values = assert_negative(
        obj(json!({"type": "string", "pattern": "^DE"})),
        "/f",
        "pattern",
    );
    assert!(
        values
            .iter()
            .all(|v| v["f"].as_str().is_some_and(|s| s.starts_with("DE")))
    );
    let values = assert_negative(
        obj(json!({"type": "string", "pattern": "^\\d{5}$"})),
        "/f",
        "pattern",
    );
    assert!(values.iter().all(|v| {
        v["f"]
            .as_str()
            .is_some_and(|s| s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit()))
    }));
    // Unanchored, with a length constraint the regex alone cannot reach.
    checked(
        &obj(json!({"type": "string", "pattern": "[A-Z]{2}", "minLength": 10, "maxLength": 12})),
        20,
    );
}

#[test]
fn unsupported_pattern_is_a_named_error() {
    let schema = obj(json!({"type": "string", "pattern": "^(?=a)ab"}));
    match Generator::new(&schema) {
        Err(GenError::Unsupported { pointer, .. }) => assert_eq!(pointer, "#/properties/f/pattern"),
        other => panic!("expected an error naming the pattern, got {other:?}"),
    }
    // The same pattern on an optional property: left out, not an error.
    let schema =
        json!({"type": "object", "properties": {"f": {"type": "string", "pattern": "^(?=a)ab"}}});
    let (values, _) = checked(&schema, 10);
    assert!(values.iter().all(|v| v.get("f").is_none()));
}

#[test]
fn numeric_bounds() {
    let s = obj(json!({"type": "integer", "minimum": 5, "maximum": 9}));
    let values = assert_negative(s.clone(), "/f", "minimum");
    assert_negative(s, "/f", "maximum");
    assert!(
        values
            .iter()
            .all(|v| (5..=9).contains(&v["f"].as_i64().unwrap_or(-1)))
    );
    let s = obj(json!({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}));
    let values = assert_negative(s.clone(), "/f", "exclusiveMinimum");
    assert_negative(s, "/f", "exclusiveMaximum");
    assert!(
        values
            .iter()
            .all(|v| v["f"].as_f64().is_some_and(|f| f > 0.0 && f < 1.0))
    );
    let values = assert_negative(
        obj(json!({"type": "integer", "multipleOf": 5})),
        "/f",
        "multipleOf",
    );
    assert!(
        values
            .iter()
            .all(|v| v["f"].as_i64().is_some_and(|i| i % 5 == 0))
    );
    assert_negative(
        obj(json!({"type": "number", "multipleOf": 0.25})),
        "/f",
        "multipleOf",
    );
}

#[test]
fn int64_and_int32_bounds() {
    let s = obj(json!({"type": "integer", "minimum": -2147483648i64, "maximum": 2147483647}));
    assert_negative(s, "/f", "maximum");
}

#[test]
fn formats_are_realistic_and_broken() {
    for format in ["date-time", "date", "uuid", "email", "uri", "iban"] {
        let values = assert_negative(
            obj(json!({"type": "string", "format": format})),
            "/f",
            "format",
        );
        for v in values {
            let s = v["f"].as_str().unwrap_or_default().to_string();
            match format {
                "uuid" => assert_eq!(s.len(), 36, "{s}"),
                "iban" => assert!(s.parse::<iban::Iban>().is_ok(), "{s}"),
                "date" => assert_eq!(s.len(), 10, "{s}"),
                "email" => assert!(s.contains('@'), "{s}"),
                "uri" => assert!(s.starts_with("https://"), "{s}"),
                _ => assert!(s.contains('T'), "{s}"),
            }
        }
    }
}

#[test]
fn arrays_items_and_indices() {
    let s = json!({
        "type": "object",
        "required": ["list"],
        "properties": {
            "list": {
                "type": "array", "minItems": 1, "maxItems": 3, "uniqueItems": true,
                "items": {
                    "type": "object", "required": ["a"], "additionalProperties": false,
                    "properties": { "a": { "type": "string", "maxLength": 3 }, "b": { "type": "integer" } }
                }
            }
        }
    });
    assert_negative(s.clone(), "/list", "minItems");
    assert_negative(s.clone(), "/list", "maxItems");
    assert_negative(s.clone(), "/list", "uniqueItems");
    assert_negative(s.clone(), "/list/0/a", "required");
    assert_negative(s.clone(), "/list/0/a", "maxLength");
    assert_negative(s, "/list/0/unexpectedProperty", "additionalProperties");
}

#[test]
fn unique_items_with_few_distinct_values() {
    let s = json!({"type": "array", "uniqueItems": true, "minItems": 2, "items": {"enum": ["x", "y", "z"]}});
    let (values, _) = checked(&s, 30);
    assert!(
        values
            .iter()
            .all(|v| v.as_array().is_some_and(|a| a.len() >= 2))
    );
}

#[test]
fn nullable_types_and_any_of_null() {
    let s = json!({
        "type": "object", "required": ["a", "b"],
        "properties": {
            "a": { "type": ["string", "null"] },
            "b": { "anyOf": [ { "type": "object", "required": ["x"], "properties": { "x": {"type": "integer"} } }, { "type": "null" } ] }
        }
    });
    let (values, negatives) = checked(&s, 60);
    for key in ["a", "b"] {
        assert!(values.iter().any(|v| v[key].is_null()), "{key} never null");
        assert!(
            values.iter().any(|v| !v[key].is_null()),
            "{key} always null"
        );
    }
    assert!(has(&negatives, "/b/x", "required"));
}

#[test]
fn optional_fields_present_and_absent_minimal_has_only_required() {
    let s = json!({
        "type": "object", "required": ["r"],
        "properties": { "r": {"type": "boolean"}, "o": {"type": "string"}, "n": {"type": "object", "properties": {"deep": {"type": "string"}}} }
    });
    let (values, _) = checked(&s, 60);
    assert!(values.iter().any(|v| v.get("o").is_some()));
    assert!(values.iter().any(|v| v.get("o").is_none()));
    let g = generator(&s);
    for v in sample(&g.minimal(), 3, 20) {
        assert_eq!(v.as_object().map(|o| o.len()), Some(1), "{v}");
    }
}

#[test]
fn discriminated_one_of_reaches_every_branch() {
    let s = json!({
        "$defs": {
            "Cat": { "type": "object", "required": ["kind", "lives"], "properties": { "kind": {"type": "string"}, "lives": {"type": "integer", "minimum": 1, "maximum": 9} } },
            "Dog": { "type": "object", "required": ["kind"], "properties": { "kind": {"type": "string"}, "bark": {"type": "string", "maxLength": 4} } }
        },
        "oneOf": [
            { "allOf": [ {"$ref": "#/$defs/Cat"}, { "properties": { "kind": { "enum": ["cat"] } }, "required": ["kind"] } ] },
            { "allOf": [ {"$ref": "#/$defs/Dog"}, { "properties": { "kind": { "enum": ["dog"] } }, "required": ["kind"] } ] }
        ]
    });
    let (values, negatives) = checked(&s, 60);
    let kinds: BTreeSet<_> = values.iter().map(|v| v["kind"].to_string()).collect();
    assert_eq!(
        kinds,
        ["\"cat\"".to_string(), "\"dog\"".to_string()]
            .into_iter()
            .collect()
    );
    assert!(has(&negatives, "/lives", "maximum"));
    assert!(has(&negatives, "/kind", "enum"));
}

#[test]
fn additional_properties_schema_makes_maps() {
    let s = json!({"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}});
    let (values, negatives) = checked(&s, 60);
    assert!(
        values
            .iter()
            .any(|v| v.as_object().is_some_and(|o| !o.is_empty()))
    );
    assert!(negatives.iter().any(|n| n.keyword == "minimum"));
}

#[test]
fn recursive_schemas_stay_finite() {
    let s = json!({
        "$defs": { "Node": { "type": "object", "required": ["name"], "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}
        } } },
        "$ref": "#/$defs/Node"
    });
    checked(&s, 50);
    // Required recursion has no finite instance: an error naming where, not a hang.
    let s = json!({
        "$defs": { "Loop": { "type": "object", "required": ["next"], "properties": { "next": {"$ref": "#/$defs/Loop"} } } },
        "$ref": "#/$defs/Loop"
    });
    assert!(matches!(
        Generator::new(&s),
        Err(GenError::Unsupported { .. })
    ));
}

#[test]
fn unsatisfiable_schema_is_an_error() {
    assert!(
        Generator::new(&obj(
            json!({"type": "string", "minLength": 5, "maxLength": 2})
        ))
        .is_err()
    );
    assert!(Generator::new(&json!(false)).is_err());
    assert!(matches!(
        Generator::new(&json!({"type": 5})),
        Err(GenError::Compile(_))
    ));
}

#[test]
fn sample_is_deterministic_and_seed_sensitive() {
    let s = obj(json!({"type": "string"}));
    let g = generator(&s);
    assert_eq!(sample(&g.valid(), 5, 50), sample(&g.valid(), 5, 50));
    assert_ne!(sample(&g.valid(), 5, 50), sample(&g.valid(), 6, 50));
}

#[test]
fn generator_is_send_and_sync() {
    fn shared<T: Send + Sync + Clone + 'static>(_: &T) {}
    let g = generator(&obj(json!({"type": "string"})));
    shared(&g);
    let handle = std::thread::spawn(move || sample(&g.valid(), 1, 3).len());
    assert_eq!(handle.join().ok(), Some(3));
}

#[test]
fn absent_optional_properties_are_added_then_broken() {
    let s = json!({
        "type": "object",
        "properties": { "o": { "type": "object", "required": ["code"], "properties": { "code": { "type": "string", "minLength": 6 } } } }
    });
    let g = generator(&s);
    let validator = view::compile(&s).expect("compiles");
    let negatives = g.negatives(&json!({}));
    assert!(has(&negatives, "/o/code", "minLength"), "{negatives:?}");
    assert!(has(&negatives, "/o/code", "required"), "{negatives:?}");
    for n in &negatives {
        let errors = view::violations(&validator, &n.instance);
        assert_eq!(errors.len(), 1, "{n:?}");
        assert_eq!(
            (&errors[0].pointer, &errors[0].keyword),
            (&n.pointer, &n.keyword)
        );
    }
    assert_eq!(
        negatives,
        g.negatives(&json!({})),
        "negatives are deterministic"
    );
}

/// Stripe's expandable fields: a required member that is either an id or the object
/// it names, which has such members again. Past the soft depth only the id branch
/// is built, so values stay shallow; before, every object was expanded down to the
/// hard depth (seconds and hundreds of MB per schema on Stripe).
#[test]
fn deep_expandable_unions_end_in_their_scalar_branch() {
    let schema = json!({
        "$ref": "#/$defs/Node",
        "$defs": {"Node": {
            "type": "object",
            "required": ["id", "parent"],
            "properties": {
                "id": {"type": "string"},
                "parent": {"anyOf": [
                    {"type": "string", "maxLength": 8},
                    {"$ref": "#/$defs/Node"}
                ]}
            }
        }}
    });
    let (values, _) = checked(&schema, 24);
    let depth = |mut v: &Value| {
        let mut n = 0;
        while let Some(p) = v.get("parent") {
            n += 1;
            v = p;
        }
        n
    };
    let deepest = values.iter().map(depth).max().unwrap_or(0);
    assert!(deepest <= 7, "nested {deepest} levels deep");
    // Shallow levels still take both branches.
    assert!(values.iter().any(|v| v["parent"].is_object()), "{values:?}");
    assert!(values.iter().any(|v| v["parent"].is_string()), "{values:?}");
}
