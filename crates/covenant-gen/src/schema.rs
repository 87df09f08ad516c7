//! Reading the JSON Schema view: `allOf` merging into one flat schema (following
//! `$ref`s one hop at a time with `covenant_spec::pointer::resolve_ref`, counting
//! them), and the keyword accessors both the valid-instance builder and the negative
//! builder use.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::GenError;

/// How many `$ref`s one path may pass through before generation fails.
pub const HARD_DEPTH: usize = 24;

/// A schema flattened for generation: `$ref`s followed and `allOf` members merged in.
/// `extra_depth` counts the `$ref`s followed on the way.
pub struct Flat<'a> {
    /// Borrowed from the document when nothing was merged (a schema, or a chain of
    /// bare `$ref`s to one, without `allOf`): big specs' schemas are walked many
    /// times, and a deep copy per visit dominated generator construction.
    pub map: Cow<'a, Map<String, Value>>,
    pub extra_depth: usize,
    /// Set when the schema is `false` (or an `allOf` holds one): nothing validates.
    pub never: bool,
}

/// Follows `$ref`s and merges `allOf` members. Constraints that cannot be merged
/// exactly stay approximate; the generator's final validator check catches the rest.
pub fn flatten<'a>(
    root: &'a Value,
    schema: &'a Value,
    pointer: &str,
) -> Result<Flat<'a>, GenError> {
    // Fast path: bare `$ref`s ending at a schema with neither `$ref` nor `allOf`.
    let mut cur = schema;
    let mut hops = 0;
    while let Value::Object(m) = cur {
        if m.contains_key("allOf") {
            break;
        }
        match m.get("$ref") {
            None => {
                return Ok(Flat {
                    map: Cow::Borrowed(m),
                    extra_depth: hops,
                    never: false,
                });
            }
            Some(Value::String(r)) if m.len() == 1 && hops < HARD_DEPTH => {
                match covenant_spec::pointer::resolve_ref(root, r) {
                    Some(target) => {
                        cur = target;
                        hops += 1;
                    }
                    None => break,
                }
            }
            _ => break,
        }
    }
    let mut acc = Map::new();
    let mut extra_depth = 0;
    let mut never = false;
    let mut queue: Vec<Value> = vec![schema.clone()];
    let mut seen = 0usize;
    while let Some(s) = queue.pop() {
        seen += 1;
        if seen > 256 {
            return Err(GenError::at(pointer, "allOf/$ref chain too long"));
        }
        let m = match s {
            Value::Bool(true) => continue,
            Value::Bool(false) => {
                never = true;
                continue;
            }
            Value::Object(m) => m,
            _ => {
                return Err(GenError::at(
                    pointer,
                    "a schema must be an object or a boolean",
                ));
            }
        };
        let mut m = m;
        if let Some(Value::String(r)) = m.remove("$ref") {
            let target = covenant_spec::pointer::resolve_ref(root, &r)
                .ok_or_else(|| GenError::at(pointer, format!("unresolvable $ref {r}")))?;
            extra_depth += 1;
            if extra_depth > HARD_DEPTH {
                return Err(GenError::at(
                    pointer,
                    "$ref chain deeper than the generator's limit",
                ));
            }
            queue.push(target.clone());
        }
        if let Some(Value::Array(members)) = m.remove("allOf") {
            queue.extend(members.into_iter().rev());
        }
        merge_into(&mut acc, m);
    }
    Ok(Flat {
        map: Cow::Owned(acc),
        extra_depth,
        never,
    })
}

fn merge_into(acc: &mut Map<String, Value>, other: Map<String, Value>) {
    for (k, v) in other {
        let Some(existing) = acc.get_mut(&k) else {
            acc.insert(k, v);
            continue;
        };
        match k.as_str() {
            "properties" => {
                if let (Value::Object(a), Value::Object(b)) = (existing, v) {
                    for (name, ps) in b {
                        match a.get_mut(&name) {
                            Some(prev) => {
                                let merged = serde_json::json!({ "allOf": [prev.clone(), ps] });
                                *prev = merged;
                            }
                            None => {
                                a.insert(name, ps);
                            }
                        }
                    }
                }
            }
            "required" => {
                if let (Value::Array(a), Value::Array(b)) = (existing, v) {
                    for name in b {
                        if !a.contains(&name) {
                            a.push(name);
                        }
                    }
                }
            }
            "type" => {
                let a = types_of(existing);
                let b = types_of(&v);
                let mut both: Vec<String> = Vec::new();
                for t in &a {
                    if b.contains(t) {
                        both.push(t.clone());
                    } else if (t == "integer" && b.iter().any(|x| x == "number"))
                        || (t == "number" && b.iter().any(|x| x == "integer"))
                    {
                        both.push("integer".into());
                    }
                }
                both.dedup();
                *existing = Value::Array(both.into_iter().map(Value::String).collect());
            }
            "enum" => {
                if let (Value::Array(a), Value::Array(b)) = (existing, v) {
                    a.retain(|x| b.contains(x));
                }
            }
            "minimum" | "exclusiveMinimum" | "minLength" | "minItems" | "minProperties" => {
                if let (Some(a), Some(b)) = (existing.as_f64(), v.as_f64())
                    && b > a
                {
                    *existing = v;
                }
            }
            "maximum" | "exclusiveMaximum" | "maxLength" | "maxItems" | "maxProperties" => {
                if let (Some(a), Some(b)) = (existing.as_f64(), v.as_f64())
                    && b < a
                {
                    *existing = v;
                }
            }
            "additionalProperties" => {
                if v == Value::Bool(false) {
                    *existing = v;
                } else if *existing != Value::Bool(false) && *existing != v {
                    let merged = serde_json::json!({ "allOf": [existing.clone(), v] });
                    *existing = merged;
                }
            }
            "items" | "not" if *existing != v => {
                let merged = serde_json::json!({ "allOf": [existing.clone(), v] });
                *existing = merged;
            }
            "oneOf" | "anyOf" => {
                // Two unions in one schema: generate from their cross product.
                if let (Value::Array(a), Value::Array(b)) = (existing.clone(), v) {
                    let mut cross = Vec::new();
                    for x in &a {
                        for y in &b {
                            cross.push(serde_json::json!({ "allOf": [x, y] }));
                        }
                    }
                    *existing = Value::Array(cross);
                }
            }
            "pattern" if *existing != v => {
                let list = acc
                    .entry("x-covenant-gen-patterns")
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(list) = list {
                    list.push(v);
                }
            }
            _ => {}
        }
    }
}

/// The `type` keyword as a list (empty when absent).
pub fn types_of(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// The types a flat schema admits: its `type`, else what its keywords suggest, else all.
pub fn admitted_types(m: &Map<String, Value>) -> Vec<String> {
    if let Some(t) = m.get("type") {
        return types_of(t);
    }
    let mut out = Vec::new();
    let has = |keys: &[&str]| keys.iter().any(|k| m.contains_key(*k));
    if has(&[
        "properties",
        "required",
        "additionalProperties",
        "minProperties",
        "maxProperties",
    ]) {
        out.push("object".to_string());
    }
    if has(&["items", "minItems", "maxItems", "uniqueItems"]) {
        out.push("array".to_string());
    }
    if has(&["minLength", "maxLength", "pattern", "format"]) {
        out.push("string".to_string());
    }
    if has(&[
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
    ]) {
        out.push("number".to_string());
    }
    if out.is_empty() {
        out = ["object", "string", "integer", "boolean", "null"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    }
    out
}

/// The JSON type name of a value, as JSON Schema's `type` names it.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) => {
            if n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) {
                "integer"
            } else {
                "number"
            }
        }
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Whether `value` has one of `types` (`integer` counts as a `number`).
pub fn has_type(value: &Value, types: &[String]) -> bool {
    let t = type_name(value);
    types
        .iter()
        .any(|x| x == t || (x == "number" && t == "integer"))
}

pub fn f64_of(m: &Map<String, Value>, key: &str) -> Option<f64> {
    m.get(key).and_then(Value::as_f64)
}

pub fn usize_of(m: &Map<String, Value>, key: &str) -> Option<usize> {
    m.get(key).and_then(Value::as_f64).map(|f| {
        if f <= 0.0 {
            0
        } else if f >= usize::MAX as f64 {
            usize::MAX
        } else {
            f.ceil() as usize
        }
    })
}
