//! Visiting every subschema of an OpenAPI schema (without following `$ref`s).

use serde_json::Value;

use crate::pointer;

/// Calls `f(pointer, schema)` for `schema` and each of its subschemas, depth first.
/// Iterative, so deeply nested input cannot overflow the stack.
pub fn subschemas<'a>(at: &str, schema: &'a Value, mut f: impl FnMut(&str, &'a Value)) {
    let mut stack = vec![(at.to_string(), schema)];
    while let Some((at, s)) = stack.pop() {
        let Value::Object(m) = s else { continue };
        f(&at, s);
        if m.contains_key("$ref") {
            continue;
        }
        for key in ["items", "not", "additionalProperties"] {
            if let Some(c @ Value::Object(_)) = m.get(key) {
                stack.push((pointer::join(&at, key), c));
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            for (i, c) in m
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                stack.push((format!("{}/{i}", pointer::join(&at, key)), c));
            }
        }
        if let Some(props) = m.get("properties").and_then(Value::as_object) {
            let base = pointer::join(&at, "properties");
            for (name, c) in props.iter().rev() {
                stack.push((pointer::join(&base, name), c));
            }
        }
    }
}
