//! `application/x-www-form-urlencoded` bodies: a JSON object written as name/value
//! pairs, and pairs read back into the object their schema describes. The runner
//! writes with [`write`] and judges what it sent by [`read`]; the mock reads with
//! [`read`]: one description of the rules on both sides.
//!
//! OpenAPI's `encoding` object defines one level (`style: deepObject` for an
//! object member, `form` with `explode` for an array); real form APIs nest deeper.
//! The choice made here (recorded in ARCHITECTURE.md) is the bracket notation that
//! Stripe documents and qs, Rack and PHP read:
//!
//! - a scalar member: `name=text` (strings as they are, other scalars as JSON);
//! - an object: `name[member]=...`, recursively (`a[b][c]=1`);
//! - an array of scalars: the name repeated (`tags=a&tags=b`, form exploded);
//! - an array holding objects or arrays: indexed (`items[0][price]=5`);
//! - an empty object or array, and `null`: nothing is sent (the form cannot say it).
//!
//! Reading, a segment of digits (or `[]`) is an array position where the schema
//! there admits an array; a name given more than once is an array; each text is
//! turned into the type its schema admits ([`crate::style::coerce`]), following
//! `$ref`, `allOf`, `anyOf` and `oneOf`.
//!
//! ```
//! use serde_json::json;
//! let body = json!({"amount": 5, "meta": {"k": "v"}, "tags": ["a", "b"]});
//! let pairs = covenant_spec::form::write(&body);
//! assert_eq!(pairs[1], ("meta[k]".to_string(), "v".to_string()));
//! let view = json!({"properties": {
//!     "amount": {"type": "integer"},
//!     "tags": {"type": "array", "items": {"type": "string"}}}});
//! assert_eq!(covenant_spec::form::read(&view, &pairs), body);
//! ```

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use crate::pointer;
use crate::style::{Written, coerce, coercions, collect_types, scalar};

/// The styles a form body's `encoding` object sets, by top-level property:
/// `(style, explode)` as [`crate::ir::Encoding::style`] resolves them.
pub type Styles = BTreeMap<String, (String, bool)>;

/// The [`Styles`] of a media type's `encoding` object (entries that set no style
/// are left to the default rules).
pub fn styles_of(encoding: &BTreeMap<String, crate::ir::Encoding>) -> Styles {
    encoding
        .iter()
        .filter_map(|(k, e)| e.style().map(|s| (k.clone(), s)))
        .collect()
}

/// [`write`], with each member `styles` names written in its style:
///
/// - `form` unexploded, `spaceDelimited`, `pipeDelimited`: an array's items (an
///   object's names and values) joined in one pair (`tags=a,b`), when they are
///   scalars;
/// - `deepObject`: an array's items indexed (`expand[0]=a`), as Stripe's clients
///   send its `deepObject` arrays;
/// - anything else, and values those cannot hold, as [`write`] does.
pub fn write_styled(body: &Value, styles: &Styles) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Value::Object(m) = body else {
        return out;
    };
    for (k, v) in m {
        match styles.get(k).map(|(s, e)| (s.as_str(), *e)) {
            Some((style, false)) if delimited(style) && joinable(v) => {
                if let Written::Pairs(p) = crate::style::write(style, false, k, v, &|s| s.into()) {
                    out.extend(p);
                }
            }
            Some(("deepObject", _)) if v.is_array() => {
                for (i, item) in v.as_array().into_iter().flatten().enumerate() {
                    write_member(&format!("{k}[{i}]"), item, &mut out);
                }
            }
            _ => write_member(k, v, &mut out),
        }
    }
    out
}

/// A style that joins a member's pieces in one pair when unexploded.
fn delimited(style: &str) -> bool {
    matches!(style, "form" | "spaceDelimited" | "pipeDelimited")
}

/// A value a delimited style can hold: a non-empty array of scalars or object of
/// scalar members (`null` is left out: it would read back as an empty string).
fn joinable(v: &Value) -> bool {
    let scalar = |v: &Value| !v.is_object() && !v.is_array() && !v.is_null();
    match v {
        Value::Array(a) => !a.is_empty() && a.iter().all(scalar),
        Value::Object(m) => !m.is_empty() && m.values().all(scalar),
        _ => false,
    }
}

/// [`read`], with each member `styles` sets delimited (see [`write_styled`]) read
/// from its one pair by [`crate::style::read`]. Indexed arrays need no style: the
/// bracket reader takes them wherever the schema admits an array.
pub fn read_styled(view: &Value, pairs: &[(String, String)], styles: &Styles) -> Value {
    let joined = |k: &str| {
        styles
            .get(k)
            .is_some_and(|(s, explode)| !explode && delimited(s))
    };
    if !pairs.iter().any(|(k, _)| joined(k)) {
        return read(view, pairs);
    }
    let (mine, rest): (Vec<_>, Vec<_>) = pairs.iter().cloned().partition(|(k, _)| joined(k));
    let mut out = read(view, &rest);
    let root = [view];
    for (name, (style, _)) in styles {
        let members = members_of(view, &root, name);
        let mut types = Vec::new();
        for c in &members {
            collect_types(view, c, &mut types, 0);
        }
        let kind = crate::style::Kind::of(&types);
        let source = crate::style::Source::Pairs {
            pairs: &mine,
            members: &[],
        };
        let Some(read) = crate::style::read(style, false, name, kind, source, &|s| s.into()) else {
            continue;
        };
        let typed = match read {
            Value::Array(items) => {
                let each = items_of(view, &members);
                Value::Array(
                    items
                        .iter()
                        .map(|i| leaf(view, &each, &scalar(i)))
                        .collect(),
                )
            }
            Value::Object(m) => Value::Object(
                m.into_iter()
                    .map(|(k, v)| {
                        let at = members_of(view, &members, &k);
                        let v = leaf(view, &at, &scalar(&v));
                        (k, v)
                    })
                    .collect(),
            ),
            other => leaf(view, &members, &scalar(&other)),
        };
        if let Value::Object(o) = &mut out {
            o.insert(name.clone(), typed);
        }
    }
    out
}

/// The pairs a JSON object is sent as (anything else sends nothing).
pub fn write(body: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Value::Object(m) = body {
        for (k, v) in m {
            write_member(k, v, &mut out);
        }
    }
    out
}

/// The pairs one member `name` is sent as: a `deepObject` query parameter is this
/// (`name[a][b]=v`), as is each member of a form body.
pub fn write_member(name: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Null => {}
        Value::Object(m) => {
            for (k, child) in m {
                write_member(&format!("{name}[{k}]"), child, out);
            }
        }
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            for i in items.iter().filter(|i| !i.is_null()) {
                out.push((name.to_string(), scalar(i)));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                write_member(&format!("{name}[{i}]"), item, out);
            }
        }
        other => out.push((name.to_string(), scalar(other))),
    }
}

/// The object `pairs` describe, read by `view` (a JSON Schema view whose root is
/// the body's schema). A key that does not parse as `name[a][b]` is a plain name.
pub fn read(view: &Value, pairs: &[(String, String)]) -> Value {
    let mut out = Value::Object(Map::new());
    let root = [view];
    let mut last = HashMap::new();
    for (key, text) in pairs {
        let segs = segments(key);
        let mut at = Place {
            path: String::new(),
            last: &mut last,
        };
        put(view, &root, &mut out, &segs, text, &mut at);
    }
    out
}

/// The member `name` (schema `schema` of `view`) read from the `name[...]` keys of
/// `pairs`: a `deepObject` query parameter. `None` when no pair names a member.
pub fn read_member(
    view: &Value,
    schema: &Value,
    name: &str,
    pairs: &[(String, String)],
) -> Option<Value> {
    let mut out = Value::Null;
    let cands = [schema];
    let mut last = HashMap::new();
    for (key, text) in pairs {
        let segs = segments(key);
        if segs.len() < 2 || segs[0] != name {
            continue;
        }
        let mut at = Place {
            path: String::new(),
            last: &mut last,
        };
        put(view, &cands, &mut out, &segs[1..], text, &mut at);
    }
    match &out {
        Value::Object(m) if !m.is_empty() => Some(out),
        _ => None,
    }
}

/// `a[b][0]` -> `["a", "b", "0"]`; `a[]` -> `["a", ""]`. A key whose brackets do not
/// close is one plain name.
fn segments(key: &str) -> Vec<&str> {
    let Some((head, rest)) = key.split_once('[') else {
        return vec![key];
    };
    let Some(inner) = rest.strip_suffix(']') else {
        return vec![key];
    };
    if head.is_empty() {
        return vec![key];
    }
    let mut out = vec![head];
    out.extend(inner.split("]["));
    out
}

/// Nesting bound: keys are outside input.
const MAX_DEPTH: usize = 32;

/// Where [`put`] is: the key so far, and the index each array last took, so
/// `a[5][x]=1&a[5][y]=2` fills one item whatever its position.
struct Place<'a> {
    path: String,
    last: &'a mut HashMap<String, String>,
}

fn put(
    view: &Value,
    cands: &[&Value],
    node: &mut Value,
    segs: &[&str],
    text: &str,
    place: &mut Place<'_>,
) {
    let Some((&seg, rest)) = segs.split_first() else {
        return;
    };
    if segs.len() > MAX_DEPTH {
        return;
    }
    let here = place.path.len();
    place.path.push('[');
    place.path.push_str(seg);
    place.path.push(']');
    let index = seg.is_empty() || seg.bytes().all(|b| b.is_ascii_digit());
    if index && admits(view, cands, "array") && !node.is_object() {
        if !node.is_array() {
            *node = Value::Array(Vec::new());
        }
        let Value::Array(list) = node else { return };
        let items = items_of(view, cands);
        // Indices keep their order and gaps close up (`a[0]`, `a[5]` -> two
        // items); the pairs of one index fill one item.
        let array_key = place.path[..here].to_string();
        let same = !seg.is_empty()
            && !rest.is_empty()
            && !list.is_empty()
            && place.last.get(&array_key).map(String::as_str) == Some(seg);
        if !same {
            list.push(Value::Null);
            place.last.insert(array_key, seg.to_string());
        }
        let at = list.len() - 1;
        // Positions, not written indices, name the items below this one.
        place.path.truncate(here);
        place.path.push_str(&format!("[#{at}]"));
        if rest.is_empty() {
            list[at] = leaf(view, &items, text);
        } else {
            put(view, &items, &mut list[at], rest, text, place);
        }
        place.path.truncate(here);
        return;
    }
    if !node.is_object() {
        *node = Value::Object(Map::new());
    }
    let Value::Object(map) = node else { return };
    let members = members_of(view, cands, seg);
    if !rest.is_empty() {
        let child = map.entry(seg.to_string()).or_insert(Value::Null);
        put(view, &members, child, rest, text, place);
        place.path.truncate(here);
        return;
    }
    place.path.truncate(here);
    let array = admits(view, &members, "array");
    let scalar_too = ["string", "integer", "number", "boolean"]
        .iter()
        .any(|t| admits(view, &members, t));
    match map.get_mut(seg) {
        // A repeated name: an array of its texts.
        Some(Value::Array(list)) if array => {
            list.push(leaf(view, &items_of(view, &members), text));
        }
        Some(prev) => {
            let first = prev.take();
            let each = if array {
                items_of(view, &members)
            } else {
                members.clone()
            };
            let first = match (&first, array) {
                (Value::String(s), true) => leaf(view, &each, s),
                _ => first,
            };
            *prev = Value::Array(vec![first, leaf(view, &each, text)]);
        }
        // Once: an array of one where only an array fits, else the scalar.
        None if array && !scalar_too => {
            let item = leaf(view, &items_of(view, &members), text);
            map.insert(seg.to_string(), Value::Array(vec![item]));
        }
        None => {
            map.insert(seg.to_string(), leaf(view, &members, text));
        }
    }
}

/// The value of one text where `cands` apply. An empty text where only an
/// object fits is an empty object: what clients that write every member send
/// for one (`filter[identifier]=`), and what an empty object means (it sends no
/// pair of its own).
fn leaf(view: &Value, cands: &[&Value], text: &str) -> Value {
    let mut types = Vec::new();
    for c in cands {
        collect_types(view, c, &mut types, 0);
    }
    types.dedup();
    if text.is_empty() && !types.is_empty() && types.iter().all(|t| t == "object") {
        return Value::Object(Map::new());
    }
    coerce(text, &coercions(&types))
}

/// Whether any candidate schema (through `$ref`, `allOf`, `anyOf`, `oneOf`) admits
/// JSON type `t`; a schema that names no type admits every type.
fn admits(view: &Value, cands: &[&Value], t: &str) -> bool {
    cands.iter().any(|c| {
        let mut types = Vec::new();
        collect_types(view, c, &mut types, 0);
        types.is_empty() || types.iter().any(|x| x == t)
    })
}

/// The schemas a union or composition is made of, `$ref`s followed, itself included.
fn flat<'v>(view: &'v Value, s: &'v Value, out: &mut Vec<&'v Value>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let s = pointer::deref(view, s);
    out.push(s);
    for k in ["allOf", "anyOf", "oneOf"] {
        for b in s.get(k).and_then(Value::as_array).into_iter().flatten() {
            flat(view, b, out, depth + 1);
        }
    }
}

fn members_of<'v>(view: &'v Value, cands: &[&'v Value], name: &str) -> Vec<&'v Value> {
    children(view, cands, |p| {
        p.get("properties")
            .and_then(|props| props.get(name))
            .or_else(|| p.get("additionalProperties").filter(|a| a.is_object()))
    })
}

fn items_of<'v>(view: &'v Value, cands: &[&'v Value]) -> Vec<&'v Value> {
    children(view, cands, |p| p.get("items").filter(|i| i.is_object()))
}

/// The child schemas `pick` finds in each part of each candidate (`$ref`s
/// followed, compositions and unions walked).
fn children<'v>(
    view: &'v Value,
    cands: &[&'v Value],
    pick: impl Fn(&'v Value) -> Option<&'v Value>,
) -> Vec<&'v Value> {
    let mut out = Vec::new();
    for c in cands {
        let mut parts = Vec::new();
        flat(view, c, &mut parts, 0);
        out.extend(
            parts
                .into_iter()
                .filter_map(&pick)
                .map(|d| pointer::deref(view, d)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Stripe's shapes: nested objects, an "emptyable" union (object or `""`),
    /// arrays of objects, a union of object and integer (`created`).
    fn stripe_like() -> Value {
        json!({
            "type": "object",
            "properties": {
                "amount": {"type": "integer"},
                "business_profile": {"type": "object", "properties": {
                    "mcc": {"type": "string"},
                    "monthly_estimated_revenue": {"type": "object", "properties": {
                        "amount": {"type": "integer"}, "currency": {"type": "string"}}}}},
                "metadata": {"anyOf": [
                    {"type": "object", "additionalProperties": {"type": "string"}},
                    {"type": "string", "enum": [""]}]},
                "items": {"type": "array", "items": {"type": "object", "properties": {
                    "price": {"type": "string"}, "quantity": {"type": "integer"}}}},
                "expand": {"type": "array", "items": {"type": "string"}},
                "created": {"anyOf": [
                    {"type": "object", "properties": {"gt": {"type": "integer"}}},
                    {"type": "integer"}]},
                "flags": {"type": "array", "items": {"type": "boolean"}},
                "nested": {"type": "object", "properties": {
                    "list": {"type": "array", "items": {"type": "integer"}}}}
            }
        })
    }

    #[test]
    fn values_round_trip_through_their_pairs() {
        let view = stripe_like();
        for body in [
            json!({"amount": 7}),
            json!({"business_profile": {"mcc": "5734", "monthly_estimated_revenue": {"amount": 0, "currency": ""}}}),
            json!({"metadata": {"k": "v", "n": "2"}}),
            json!({"metadata": ""}),
            json!({"items": [{"price": "p_1", "quantity": 2}, {"price": "p_2"}]}),
            json!({"expand": ["a", "b"]}),
            json!({"expand": ["only"]}),
            json!({"created": 1700000000}),
            json!({"created": {"gt": 5}}),
            json!({"flags": [true, false]}),
            json!({"nested": {"list": [1, 2, 3]}}),
        ] {
            let pairs = write(&body);
            assert_eq!(read(&view, &pairs), body, "{pairs:?}");
        }
    }

    /// What the form cannot say is not sent: the reader sees it absent.
    #[test]
    fn empty_containers_and_null_send_nothing() {
        let view = stripe_like();
        let body = json!({"business_profile": {}, "expand": [], "amount": null, "items": [{}]});
        assert_eq!(write(&body), Vec::<(String, String)>::new());
        assert_eq!(read(&view, &write(&body)), json!({}));
    }

    #[test]
    fn keys_read_as_clients_write_them() {
        let view = stripe_like();
        let pairs = |s: &str| -> Vec<(String, String)> {
            s.split('&')
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    (k.to_string(), v.to_string())
                })
                .collect()
        };
        // `[]` appends, indices keep order, a text that is not of its type stays text.
        assert_eq!(
            read(
                &view,
                &pairs("expand[]=a&expand[]=b&items[0][price]=x&items[1][quantity]=q&amount=ten")
            ),
            json!({"expand": ["a", "b"], "items": [{"price": "x"}, {"quantity": "q"}], "amount": "ten"})
        );
        // Undeclared members stay text; an unclosed bracket is a plain name.
        assert_eq!(
            read(&view, &pairs("other[x]=1&odd[=2")),
            json!({"other": {"x": "1"}, "odd[": "2"})
        );
        // A scalar given twice is an array (for the validator to refuse).
        assert_eq!(
            read(&view, &pairs("amount=1&amount=2")),
            json!({"amount": [1, 2]})
        );
        // The pairs of one index fill one item, wherever it lands.
        assert_eq!(
            read(
                &view,
                &pairs("items[3][price]=a&items[3][quantity]=1&items[7][price]=b")
            ),
            json!({"items": [{"price": "a", "quantity": 1}, {"price": "b"}]})
        );
        // One member of a query: a deepObject parameter.
        let created = &view["properties"]["created"];
        assert_eq!(
            read_member(
                &view,
                created,
                "created",
                &pairs("created[gt]=5&other=1&created[lte]=9")
            ),
            Some(json!({"gt": 5, "lte": "9"}))
        );
        assert_eq!(
            read_member(&view, created, "created", &pairs("created=5")),
            None
        );
        // An empty text where only an object fits is an empty object.
        assert_eq!(
            read_member(&view, created, "created", &pairs("created[gt]=1")),
            Some(json!({"gt": 1}))
        );
        assert_eq!(
            read(
                &view,
                &pairs("business_profile[monthly_estimated_revenue]=&metadata=")
            ),
            json!({"business_profile": {"monthly_estimated_revenue": {}}, "metadata": ""})
        );
        // Deep keys are bounded.
        let deep = format!("a{}=1", "[b]".repeat(100));
        assert_eq!(read(&view, &pairs(&deep)), json!({}));
    }

    /// An `encoding` object's styles: written as declared and read back.
    #[test]
    fn encoding_styles_write_and_read_back() {
        let mut view = stripe_like();
        view["properties"]["box"] = json!({"type": "object", "properties": {
            "w": {"type": "integer"}, "tag": {"type": "string"}}});
        let styles: Styles = [
            ("expand", ("deepObject", true)),
            ("flags", ("form", false)),
            ("nested", ("deepObject", true)),
            ("box", ("pipeDelimited", false)),
            ("amount", ("spaceDelimited", false)),
        ]
        .into_iter()
        .map(|(k, (s, e))| (k.to_string(), (s.to_string(), e)))
        .collect();
        let body = json!({
            "expand": ["a", "b"],
            "flags": [true, false],
            "nested": {"list": [1, 2]},
            "box": {"w": 3, "tag": "x y"},
            "amount": 7
        });
        let pairs = write_styled(&body, &styles);
        let text: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            text,
            [
                "expand[0]=a",
                "expand[1]=b",
                "flags=true,false",
                "nested[list]=1",
                "nested[list]=2",
                "box=w|3|tag|x y",
                "amount=7"
            ]
        );
        assert_eq!(read_styled(&view, &pairs, &styles), body);
        // Values a delimited style cannot hold fall back to brackets and still
        // read back; an unstyled body reads as `read` does.
        let odd = json!({"flags": [], "box": {}, "items": [{"price": "p"}]});
        let pairs = write_styled(&odd, &styles);
        assert_eq!(
            read_styled(&view, &pairs, &styles),
            json!({"items": [{"price": "p"}]})
        );
        assert_eq!(
            read_styled(&view, &pairs, &Styles::new()),
            read(&view, &pairs)
        );
        // A joined text that is not of its items' type stays text for the
        // validator to refuse.
        let bad = vec![("flags".to_string(), "true,maybe".to_string())];
        assert_eq!(
            read_styled(&view, &bad, &styles),
            json!({"flags": [true, "maybe"]})
        );
    }
}
