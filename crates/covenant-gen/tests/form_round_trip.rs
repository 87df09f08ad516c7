//! Generated form bodies survive the trip through `covenant_spec::form`: written as
//! pairs and read back by the schema, every value comes back as it was, except
//! what a form cannot say (empty objects and arrays, nulls), which comes back absent.

use covenant_gen::{Generator, sample};
use serde_json::{Map, Value, json};

/// Stripe's form shapes: nested objects, maps, arrays of objects, arrays of
/// scalars inside objects, a union of object and integer, booleans and numbers.
fn view() -> Value {
    json!({
        "type": "object",
        "properties": {
            "amount": {"type": "integer"},
            "rate": {"type": "number"},
            "capture": {"type": "boolean"},
            "currency": {"type": "string", "maxLength": 5},
            "metadata": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 6}},
            "business_profile": {"type": "object", "properties": {
                "mcc": {"type": "string", "maxLength": 4},
                "revenue": {"type": "object", "properties": {
                    "amount": {"type": "integer"}, "currency": {"type": "string", "maxLength": 3}}},
                "codes": {"type": "array", "items": {"type": "integer"}, "maxItems": 3}}},
            "items": {"type": "array", "maxItems": 3, "items": {"type": "object", "properties": {
                "price": {"type": "string", "maxLength": 6},
                "quantity": {"type": "integer"},
                "tax_rates": {"type": "array", "items": {"type": "string", "maxLength": 4}, "maxItems": 2}}}},
            "expand": {"type": "array", "items": {"type": "string", "maxLength": 6}, "maxItems": 3},
            "created": {"anyOf": [
                {"type": "object", "properties": {"gt": {"type": "integer"}, "lte": {"type": "integer"}}},
                {"type": "integer"}]}
        }
    })
}

/// What the form can say of `v`: empty containers and nulls left out, recursively.
fn sayable(v: &Value) -> Option<Value> {
    match v {
        Value::Null => None,
        Value::Object(m) => {
            let out: Map<String, Value> = m
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), sayable(v)?)))
                .collect();
            (!out.is_empty()).then_some(Value::Object(out))
        }
        Value::Array(items) => {
            let out: Vec<Value> = items.iter().filter_map(sayable).collect();
            (!out.is_empty()).then_some(Value::Array(out))
        }
        other => Some(other.clone()),
    }
}

#[test]
fn generated_bodies_read_back_as_sent() {
    let view = view();
    let g = Generator::new(&view).expect("generates");
    let values = sample(&g.valid(), 7, 400);
    assert_eq!(values.len(), 400);
    let mut nested = 0;
    for v in &values {
        let pairs = covenant_spec::form::write(v);
        let back = covenant_spec::form::read(&view, &pairs);
        let expected = sayable(v).unwrap_or_else(|| json!({}));
        assert_eq!(back, expected, "{v}\n{pairs:?}");
        nested += pairs
            .iter()
            .filter(|(k, _)| k.matches('[').count() >= 2)
            .count();
    }
    // The sample reaches two-level keys (`items[0][price]`, `business_profile[revenue][amount]`).
    assert!(nested > 100, "{nested}");
}
