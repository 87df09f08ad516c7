//! What decides a schema node's Rust shape, read off the OpenAPI node itself (no
//! `$ref` followed): whether it is an object, a string enum, or a discriminated union
//! over component schemas; and the doc comment its title and description make.

use covenant_spec::pointer;
use serde_json::{Map, Value};

/// The doc comment of a schema: its title and description.
pub(crate) fn doc_of(schema: &Value) -> Option<String> {
    let title = schema.get("title").and_then(Value::as_str);
    let desc = schema.get("description").and_then(Value::as_str);
    match (title, desc) {
        (Some(t), Some(d)) => Some(format!("{t}\n\n{d}")),
        (Some(t), None) => Some(t.to_string()),
        (None, Some(d)) => Some(d.to_string()),
        (None, None) => None,
    }
    .map(|s| s.trim().to_string())
    .filter(|s| !s.is_empty())
}

/// The one type a node names: `type: T`, or 3.1's `type: [T, "null"]` (whose
/// nullability the view reads). `None` for no type and for a list of several.
pub(crate) fn single_type(m: &Map<String, Value>) -> Option<&str> {
    match m.get("type")? {
        Value::String(t) => Some(t),
        Value::Array(ts) => {
            let mut named = ts.iter().filter(|t| *t != "null");
            match (named.next(), named.next()) {
                (Some(t), None) => t.as_str(),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether `type` is a list naming more than one non-null type (no Rust mapping
/// but `serde_json::Value`).
pub(crate) fn is_type_union(m: &Map<String, Value>) -> bool {
    m.get("type").is_some_and(Value::is_array) && single_type(m).is_none()
}

/// `additionalProperties: false`, or 3.1's `unevaluatedProperties: false` (which on a
/// struct merged from `allOf` parts closes it over all their properties).
pub(crate) fn is_closed(m: &Map<String, Value>) -> bool {
    m.get("additionalProperties") == Some(&Value::Bool(false))
        || m.get("unevaluatedProperties") == Some(&Value::Bool(false))
}

/// `type: object`, or no type with `properties`/`additionalProperties`.
pub(crate) fn is_object(m: &Map<String, Value>) -> bool {
    single_type(m) == Some("object")
        || (m.get("type").is_none()
            && (m.contains_key("properties") || m.contains_key("additionalProperties")))
}

/// The non-null values of a string enum (`type: string` or no type, all values
/// strings); a string `const` is an enum of one.
pub(crate) fn string_enum(m: &Map<String, Value>) -> Option<Vec<String>> {
    let values = match (m.get("enum"), m.get("const")) {
        (Some(Value::Array(values)), _) => values.as_slice(),
        (None, Some(c)) => std::slice::from_ref(c),
        _ => return None,
    };
    if m.get("type").is_some() && single_type(m) != Some("string") {
        return None;
    }
    let strings: Vec<String> = values
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let nulls = values.iter().filter(|v| v.is_null()).count();
    (strings.len() + nulls == values.len() && !strings.is_empty()).then_some(strings)
}

/// A branch of a tagged union: (component name, the discriminator values that select it).
pub(crate) type Branch = (String, Vec<String>);

/// A `oneOf`/`anyOf` with a discriminator whose branches are all component `$ref`s:
/// the property name and, per branch, its component name and selecting values.
pub(crate) fn tagged_union(schema: &Value) -> Option<(String, Vec<Branch>)> {
    let prop = schema
        .get("discriminator")?
        .get("propertyName")?
        .as_str()?
        .to_string();
    let mapping = schema
        .get("discriminator")?
        .get("mapping")
        .and_then(Value::as_object);
    let branches = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))?
        .as_array()?;
    let mut out = Vec::new();
    for b in branches {
        let r = b.get("$ref")?.as_str()?;
        let name = pointer::schema_name(r)?;
        out.push((
            name.to_string(),
            covenant_spec::view::discriminator_values(r, mapping),
        ));
    }
    Some((prop, out))
}

/// JSON Schema keywords that constrain instances but have no Rust mapping here.
const UNCHECKED_KEYWORDS: [&str; 11] = [
    "prefixItems",
    "if",
    "then",
    "else",
    "dependentRequired",
    "dependentSchemas",
    "unevaluatedItems",
    "contains",
    "propertyNames",
    "patternProperties",
    "$dynamicRef",
];

/// Keywords that describe without constraining.
const ANNOTATIONS: [&str; 10] = [
    "description",
    "title",
    "examples",
    "example",
    "deprecated",
    "readOnly",
    "writeOnly",
    "default",
    "$comment",
    "externalDocs",
];

/// The keywords of `m` the models do not check, each with what to report: the
/// assertions in [`UNCHECKED_KEYWORDS`], and in 3.1 (where they apply) the
/// constraints written beside a `$ref`, which the model reads as the bare reference.
pub(crate) fn unchecked(m: &Map<String, Value>, dialect31: bool) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = UNCHECKED_KEYWORDS
        .iter()
        .filter(|k| m.contains_key(**k))
        .map(|k| (k.to_string(), format!("`{k}` is not checked by the models")))
        .collect();
    if dialect31 && m.contains_key("$ref") {
        for k in m.keys() {
            if k != "$ref" && !ANNOTATIONS.contains(&k.as_str()) && !k.starts_with("x-") {
                out.push((
                    k.clone(),
                    format!("`{k}` beside `$ref` is not checked by the models"),
                ));
            }
        }
    }
    out
}
