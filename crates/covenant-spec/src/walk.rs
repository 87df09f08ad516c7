//! Visiting every subschema of an OpenAPI schema (without following `$ref`s).

use serde_json::{Map, Value};

use crate::pointer;

/// Keywords whose value is one subschema (OpenAPI 3.0 and JSON Schema 2020-12).
pub const SCHEMA_KEYWORDS: [&str; 12] = [
    "items",
    "not",
    "additionalProperties",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
    "contentSchema",
];

/// Keywords whose value is a list of subschemas.
pub const LIST_KEYWORDS: [&str; 4] = ["allOf", "anyOf", "oneOf", "prefixItems"];

/// Keywords whose value maps names to subschemas.
pub const MAP_KEYWORDS: [&str; 5] = [
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];

/// Whether `keyword` holds subschemas (one, a list, or a map of them).
pub fn holds_subschemas(keyword: &str) -> bool {
    SCHEMA_KEYWORDS.contains(&keyword)
        || LIST_KEYWORDS.contains(&keyword)
        || MAP_KEYWORDS.contains(&keyword)
}

/// The subschemas `schema` holds directly, each with its pointer relative to
/// `schema` (`/items`, `/allOf/0`, `/properties/name`), in document order.
/// Data keywords (`enum`, `const`, `default`, `examples`) are never entered.
pub fn children(schema: &Map<String, Value>) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for (k, v) in schema {
        let at = pointer::join("", k);
        if SCHEMA_KEYWORDS.contains(&k.as_str()) {
            match v {
                // Draft 4's tuple `items` is a list of subschemas.
                Value::Array(items) => out.extend(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, c)| (format!("{at}/{i}"), c)),
                ),
                _ => out.push((at, v)),
            }
        } else if LIST_KEYWORDS.contains(&k.as_str()) {
            for (i, c) in v.as_array().into_iter().flatten().enumerate() {
                out.push((format!("{at}/{i}"), c));
            }
        } else if MAP_KEYWORDS.contains(&k.as_str()) {
            for (name, c) in v.as_object().into_iter().flatten() {
                out.push((pointer::join(&at, name), c));
            }
        }
    }
    out
}

/// Calls `f(pointer, schema)` for `schema` and each of its subschemas, depth first,
/// in document order. Iterative, so deeply nested input cannot overflow the stack.
pub fn subschemas<'a>(at: &str, schema: &'a Value, mut f: impl FnMut(&str, &'a Value)) {
    let mut stack = vec![(at.to_string(), schema)];
    while let Some((at, s)) = stack.pop() {
        let Value::Object(m) = s else { continue };
        f(&at, s);
        if m.contains_key("$ref") && m.len() == 1 {
            continue;
        }
        for (rel, c) in children(m).into_iter().rev() {
            stack.push((format!("{at}{rel}"), c));
        }
    }
}
