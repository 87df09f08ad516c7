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

/// `type: object`, or no type with `properties`/`additionalProperties`.
pub(crate) fn is_object(m: &Map<String, Value>) -> bool {
    m.get("type").and_then(Value::as_str) == Some("object")
        || (m.get("type").is_none()
            && (m.contains_key("properties") || m.contains_key("additionalProperties")))
}

/// The non-null values of a string enum (`type: string` or no type, all values strings).
pub(crate) fn string_enum(m: &Map<String, Value>) -> Option<Vec<String>> {
    let values = m.get("enum")?.as_array()?;
    if !matches!(m.get("type").and_then(Value::as_str), Some("string") | None) {
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
