//! OpenAPI parameter styles: the one description of how a parameter's value is
//! written as text ([`write`]) and read back ([`read`], [`coerce`]), shared by the
//! runner (which writes requests and predicts how a server reads them) and the
//! mock (which reads them). `deepObject` is bracket notation, shared with form
//! bodies in [`crate::form`] (`write_member`, `read_member`); everything else is here.
//!
//! Texts are before percent-encoding: a query pair or a header value as the server
//! sees it once decoded, a path segment as it is sent (the items inside it are
//! percent-encoded by the caller's `escape`, so a delimiter in a value cannot split
//! it). Recorded choices, where the OpenAPI specification's style-examples table
//! and RFC 6570 disagree or say nothing:
//!
//! - `label` with `explode: false` separates items with `.` (the table's
//!   `.blue.black.brown`), so an item or member holding a `.` (`1.5`) cannot be
//!   told from two: such values are escaped by the caller (`%2E`).
//! - `spaceDelimited`/`pipeDelimited` of an object (`R 100 G 200`) and with
//!   `explode: true` (then as `form`) are written as the table's neighbours are.
//! - An empty array writes nothing (no parameter), since `name=` reads back as one
//!   empty item.

use serde_json::{Map, Value};

/// The style of a parameter declared with `content: {application/json: ...}`
/// instead of a `schema`: its value travels as compact JSON text.
pub const JSON: &str = "json";

/// What a parameter becomes: name/value pairs (query, cookie) or one text (the
/// path segment that replaces `{name}`, or a header's value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    Pairs(Vec<(String, String)>),
    Text(String),
}

/// The text of a scalar: strings as they are, other JSON as JSON (`true`, `5`).
pub fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn esc_all(items: impl Iterator<Item = String>, escape: &dyn Fn(&str) -> String) -> Vec<String> {
    items.map(|s| escape(&s)).collect()
}

/// Writes `value` of parameter `name` in `style` (`form`, `spaceDelimited`,
/// `pipeDelimited` for query and cookie; `simple`, `label`, `matrix` for path;
/// `simple` for headers). `escape` is applied to each name and scalar placed in a
/// path segment (identity for pairs and headers, which are encoded whole).
pub fn write(
    style: &str,
    explode: bool,
    name: &str,
    value: &Value,
    escape: &dyn Fn(&str) -> String,
) -> Written {
    if style == JSON {
        // One pair; a path segment takes its value.
        return Written::Pairs(vec![(name.to_string(), value.to_string())]);
    }
    let items = |a: &[Value]| esc_all(a.iter().map(scalar), escape);
    let members = |m: &Map<String, Value>, kv: &str, sep: &str| -> String {
        m.iter()
            .map(|(k, v)| format!("{}{kv}{}", escape(k), escape(&scalar(v))))
            .collect::<Vec<_>>()
            .join(sep)
    };
    match style {
        "matrix" | "label" => {
            let (lead, sep) = if style == "matrix" {
                (";", ";")
            } else {
                (".", ".")
            };
            let n = escape(name);
            let text = match (value, style, explode) {
                (Value::Array(a), "matrix", false) => format!(";{n}={}", items(a).join(",")),
                (Value::Array(a), "matrix", true) => a
                    .iter()
                    .map(|i| format!(";{n}={}", escape(&scalar(i))))
                    .collect(),
                (Value::Array(a), _, _) => format!(".{}", items(a).join(".")),
                (Value::Object(m), "matrix", false) => format!(";{n}={}", members(m, ",", ",")),
                (Value::Object(m), _, false) => format!(".{}", members(m, ".", ".")),
                (Value::Object(m), _, true) => format!("{lead}{}", members(m, "=", sep)),
                (v, "matrix", _) if scalar(v).is_empty() => format!(";{n}"),
                (v, "matrix", _) => format!(";{n}={}", escape(&scalar(v))),
                (v, _, _) => format!(".{}", escape(&scalar(v))),
            };
            Written::Text(text)
        }
        "simple" => Written::Text(match (value, explode) {
            (Value::Array(a), _) => items(a).join(","),
            (Value::Object(m), false) => members(m, ",", ","),
            (Value::Object(m), true) => members(m, "=", ","),
            (v, _) => escape(&scalar(v)),
        }),
        _ => {
            let delimiter = match style {
                "spaceDelimited" => " ",
                "pipeDelimited" => "|",
                _ => ",",
            };
            let n = name.to_string();
            Written::Pairs(match (value, explode) {
                (Value::Array(a), _) if a.is_empty() => Vec::new(),
                (Value::Array(a), true) => a.iter().map(|i| (n.clone(), scalar(i))).collect(),
                (Value::Array(a), false) => {
                    vec![(n, a.iter().map(scalar).collect::<Vec<_>>().join(delimiter))]
                }
                (Value::Object(m), true) => m.iter().map(|(k, v)| (k.clone(), scalar(v))).collect(),
                (Value::Object(m), false) => vec![(
                    n,
                    m.iter()
                        .flat_map(|(k, v)| [k.clone(), scalar(v)])
                        .collect::<Vec<_>>()
                        .join(delimiter),
                )],
                (v, _) => vec![(n, scalar(v))],
            })
        }
    }
}

/// The shape a parameter's schema gives its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Primitive,
    Array,
    Object,
}

impl Kind {
    /// The kind of a parameter whose schema allows `types` ([`types_at`]): an
    /// array or an object only when nothing but that (or null) is allowed; a
    /// mix (`anyOf` of an object and an integer) is read as a scalar.
    pub fn of(types: &[String]) -> Kind {
        let only = |kind: &str| {
            types.iter().any(|t| t == kind) && types.iter().all(|t| t == kind || t == "null")
        };
        if only("array") {
            Kind::Array
        } else if only("object") {
            Kind::Object
        } else {
            Kind::Primitive
        }
    }
}

/// Where [`read`] finds a parameter.
pub enum Source<'a> {
    /// Query (or cookie) pairs, decoded; for an exploded object, `members` names
    /// the keys that belong to it.
    Pairs {
        pairs: &'a [(String, String)],
        members: &'a [String],
    },
    /// A path segment as sent (its pieces are unescaped by `unescape`), or a
    /// header's value.
    Text(&'a str),
}

/// Reads parameter `name` written in `style` back into text pieces: `None` when
/// the request does not carry it. Scalars come back as [`Value::String`]; the
/// caller coerces them by the schema's types ([`coerce`]). A text that does not
/// have the style's shape (a label segment without its `.`) comes back as it is,
/// for the schema to refuse.
pub fn read(
    style: &str,
    explode: bool,
    name: &str,
    kind: Kind,
    source: Source<'_>,
    unescape: &dyn Fn(&str) -> String,
) -> Option<Value> {
    if style == JSON {
        // The JSON text as a value; text that is not JSON stays a string for the
        // schema to refuse. Not to be coerced further ([`typed`] is for the others).
        let raw = match source {
            Source::Text(t) => unescape(t),
            Source::Pairs { pairs, .. } => pairs.iter().find(|(k, _)| k == name)?.1.clone(),
        };
        return Some(serde_json::from_str(&raw).unwrap_or(Value::String(raw)));
    }
    let text = |s: &str| Value::String(unescape(s));
    let list = |s: &str, sep: char| Value::Array(s.split(sep).map(text).collect());
    let pairs_to_object = |parts: Vec<&str>| -> Value {
        let mut m = Map::new();
        for kv in parts.chunks(2) {
            m.insert(unescape(kv[0]), text(kv.get(1).copied().unwrap_or("")));
        }
        Value::Object(m)
    };
    let kv_object = |parts: Vec<&str>| -> Value {
        let mut m = Map::new();
        for p in parts {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            m.insert(unescape(k), text(v));
        }
        Value::Object(m)
    };
    match source {
        Source::Text(raw) => {
            let shaped: Option<Value> = match style {
                "matrix" => match (kind, explode) {
                    (Kind::Object, true) => raw
                        .strip_prefix(';')
                        .map(|rest| kv_object(rest.split(';').collect())),
                    (Kind::Array, true) => {
                        let each = format!("{name}=");
                        let parts: Vec<&str> = raw.split(';').skip(1).collect();
                        (raw.starts_with(';') && parts.iter().all(|p| p.starts_with(&each))).then(
                            || Value::Array(parts.iter().map(|p| text(&p[each.len()..])).collect()),
                        )
                    }
                    _ => raw
                        .strip_prefix(&format!(";{name}"))
                        .filter(|rest| rest.is_empty() || rest.starts_with('='))
                        .map(|rest| {
                            let rest = rest.strip_prefix('=').unwrap_or(rest);
                            match kind {
                                Kind::Array => list(rest, ','),
                                Kind::Object => pairs_to_object(rest.split(',').collect()),
                                Kind::Primitive => text(rest),
                            }
                        }),
                },
                "label" => raw.strip_prefix('.').map(|rest| match (kind, explode) {
                    (Kind::Array, _) => list(rest, '.'),
                    (Kind::Object, false) => pairs_to_object(rest.split('.').collect()),
                    (Kind::Object, true) => kv_object(rest.split('.').collect()),
                    (Kind::Primitive, _) => text(rest),
                }),
                _ => Some(match (kind, explode) {
                    (Kind::Array, _) => list(raw, ','),
                    (Kind::Object, false) => pairs_to_object(raw.split(',').collect()),
                    (Kind::Object, true) => kv_object(raw.split(',').collect()),
                    (Kind::Primitive, _) => text(raw),
                }),
            };
            Some(shaped.unwrap_or_else(|| text(raw)))
        }
        Source::Pairs { pairs, members } => {
            let named: Vec<&str> = pairs
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .collect();
            let delimiter = match style {
                "spaceDelimited" => ' ',
                "pipeDelimited" => '|',
                _ => ',',
            };
            match (kind, explode) {
                (Kind::Object, true) => {
                    let mut m = Map::new();
                    for (k, v) in pairs.iter().filter(|(k, _)| members.contains(k)) {
                        m.insert(k.clone(), text(v));
                    }
                    (!m.is_empty()).then_some(Value::Object(m))
                }
                _ if named.is_empty() => None,
                (Kind::Array, true) => Some(Value::Array(named.into_iter().map(text).collect())),
                (Kind::Array, false) => Some(Value::Array(
                    named
                        .into_iter()
                        .flat_map(|v| v.split(delimiter))
                        .map(text)
                        .collect(),
                )),
                (Kind::Object, false) => Some(pairs_to_object(named[0].split(delimiter).collect())),
                (Kind::Primitive, _) => Some(text(named[0])),
            }
        }
    }
}

/// The JSON types the (view) schema at `at` allows, following `$ref`s into `$defs`
/// and looking through `allOf`/`anyOf`/`oneOf`. Empty means any.
pub fn types_at(view: &Value, at: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(s) = view.pointer(at) {
        collect_types(view, s, &mut out, 0);
    }
    out.sort();
    out.dedup();
    out
}

pub fn collect_types(root: &Value, s: &Value, out: &mut Vec<String>, depth: usize) {
    if depth > 32 {
        return;
    }
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        if let Some(t) = r.strip_prefix('#').and_then(|p| root.pointer(p)) {
            collect_types(root, t, out, depth + 1);
        }
        return;
    }
    match s.get("type") {
        Some(Value::String(t)) => out.push(t.clone()),
        Some(Value::Array(ts)) => {
            out.extend(ts.iter().filter_map(Value::as_str).map(str::to_string))
        }
        _ => {}
    }
    let values = match (s.get("enum"), s.get("const")) {
        (Some(Value::Array(e)), _) => e.as_slice(),
        (None, Some(c)) => std::slice::from_ref(c),
        _ => &[],
    };
    {
        for v in values {
            out.push(
                match v {
                    Value::String(_) => "string",
                    Value::Bool(_) => "boolean",
                    Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
                    Value::Number(_) => "number",
                    Value::Null => "null",
                    Value::Array(_) => "array",
                    Value::Object(_) => "object",
                }
                .to_string(),
            );
        }
    }
    for k in ["allOf", "anyOf", "oneOf"] {
        for b in s.get(k).and_then(Value::as_array).into_iter().flatten() {
            collect_types(root, b, out, depth + 1);
        }
    }
}

/// How a text is turned into JSON for a schema's `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coerce {
    String,
    Integer,
    Number,
    Boolean,
}

/// The coercions to try, in the schema's order, for types `types` (a string when
/// none applies).
pub fn coercions(types: &[String]) -> Vec<Coerce> {
    let mut out: Vec<Coerce> = types
        .iter()
        .filter_map(|t| match t.as_str() {
            "integer" => Some(Coerce::Integer),
            "number" => Some(Coerce::Number),
            "boolean" => Some(Coerce::Boolean),
            "string" => Some(Coerce::String),
            _ => None,
        })
        .collect();
    if out.is_empty() {
        out.push(Coerce::String);
    }
    out
}

/// `raw` as JSON by the first of `how` that reads it; else the string itself, for
/// the validator to name the type error.
pub fn coerce(raw: &str, how: &[Coerce]) -> Value {
    for c in how {
        match c {
            Coerce::Integer => {
                if let Ok(i) = raw.parse::<i64>() {
                    return Value::from(i);
                }
                if let Ok(u) = raw.parse::<u64>() {
                    return Value::from(u);
                }
                // Beyond 64 bits JSON still has integers (the schema may bound
                // them): a whole number, kept as the closest double.
                let digits = raw.strip_prefix('-').unwrap_or(raw);
                if !digits.is_empty()
                    && digits.bytes().all(|b| b.is_ascii_digit())
                    && let Some(n) = raw
                        .parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                {
                    return Value::Number(n);
                }
            }
            Coerce::Number => {
                if let Some(n) = raw
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                {
                    return Value::Number(n);
                }
            }
            Coerce::Boolean => match raw {
                "true" => return Value::Bool(true),
                "false" => return Value::Bool(false),
                _ => {}
            },
            Coerce::String => return Value::String(raw.to_string()),
        }
    }
    Value::String(raw.to_string())
}

/// [`read`]'s strings coerced: scalars by `types`, array items by `items`, object
/// members by `member(name)`.
pub fn typed(
    v: Value,
    types: &[Coerce],
    items: &[Coerce],
    member: &dyn Fn(&str) -> Vec<Coerce>,
) -> Value {
    match v {
        Value::String(s) => coerce(&s, types),
        Value::Array(a) => Value::Array(
            a.into_iter()
                .map(|i| match i {
                    Value::String(s) => coerce(&s, items),
                    other => other,
                })
                .collect(),
        ),
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => coerce(&s, &member(&k)),
                        other => other,
                    };
                    (k, v)
                })
                .collect(),
        ),
        other => other,
    }
}
