//! The JSON Schema view: an OpenAPI schema (with its local `$ref`s) translated into
//! a standalone JSON Schema 2020-12 document that the `jsonschema` crate compiles.
//!
//! An OpenAPI 3.1 schema already is 2020-12: its keywords pass as they are
//! (`type` arrays, `const`, `prefixItems`, `if`/`then`/`else`, `unevaluated*`,
//! `dependent*`, ...), subschemas under every keyword that holds them are
//! translated in turn, and a `$ref`'s siblings apply beside it. What both dialects
//! share:
//!
//! Translation rules (OpenAPI 3.0.3 -> 2020-12):
//! - `nullable: true` adds `"null"` to `type` (and `null` to `enum`), or wraps a
//!   type-less schema as `anyOf: [schema, {type: null}]`;
//! - boolean `exclusiveMinimum`/`exclusiveMaximum` become the numeric form;
//! - `readOnly` properties are not required in requests, `writeOnly` ones not in responses;
//! - `oneOf`/`anyOf` with a `discriminator` constrain each branch's discriminator
//!   property to the values that select it (mapping keys, else the schema name);
//! - siblings of `$ref` are ignored, as OpenAPI 3.0 says (3.1 keeps them);
//! - `nullable: true` is honoured in 3.1 documents too (it is not a 3.1 keyword,
//!   but a document that writes it means it, and reading it can only admit more);
//! - `format: int32`/`int64` become the integer bounds they mean;
//! - `example`, `xml`, `externalDocs`, `discriminator` and `x-` keys are dropped.
//!
//! Referenced schemas are copied into `$defs` (only those reachable), so each view
//! stands alone. [`node`] gives the same translation of one node's own keywords
//! (for codegen, which asks node by node), and [`admits_null`] reads a node's
//! nullability in JSON Schema terms.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::document::Dialect;
use crate::pointer;
use crate::walk;

/// Whether a schema is read in a request or a response (for `readOnly`/`writeOnly`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Request,
    Response,
}

/// Translates `schema` (found in `doc`) into a standalone JSON Schema.
pub fn to_json_schema(doc: &Value, schema: &Value, direction: Direction) -> Value {
    let mut names = BTreeMap::new();
    collect_refs(doc, schema, &mut names);
    let t = Translator {
        doc,
        direction,
        names: &names,
        dialect: Dialect::of(doc),
    };
    let mut root = match t.schema(schema) {
        Value::Object(m) => m,
        Value::Bool(b) => {
            let mut m = Map::new();
            if !b {
                m.insert("not".into(), json!({}));
            }
            m
        }
        other => {
            let mut m = Map::new();
            m.insert("allOf".into(), json!([other]));
            m
        }
    };
    if !names.is_empty() {
        let mut defs = Map::new();
        for (reference, name) in &names {
            let target = pointer::resolve_ref(doc, reference).unwrap_or(&Value::Bool(true));
            defs.insert(name.clone(), t.schema(target));
        }
        root.insert("$defs".into(), Value::Object(defs));
    }
    let mut out = Map::new();
    out.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    out.extend(root);
    Value::Object(out)
}

/// The `$defs` name for a reference: the schema name for `#/components/schemas/X`,
/// else the pointer with its separators replaced.
fn def_name(reference: &str) -> String {
    if let Some(name) = pointer::schema_name(reference)
        && !name.contains('/')
    {
        return pointer::unescape(name);
    }
    reference
        .trim_start_matches("#/")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn collect_refs(doc: &Value, schema: &Value, names: &mut BTreeMap<String, String>) {
    // Iterative walk over schema positions only (data under `enum`, `const`,
    // `default` or `examples` may hold a `$ref` key that is just a key): specs
    // like Stripe reference thousands of schemas.
    let mut stack = vec![schema];
    while let Some(v) = stack.pop() {
        let Value::Object(m) = v else { continue };
        if let Some(Value::String(r)) = m.get("$ref")
            && !names.contains_key(r)
            && r.starts_with('#')
        {
            let mut name = def_name(r);
            while names.values().any(|n| n == &name) {
                name.push('_');
            }
            names.insert(r.clone(), name);
            if let Some(target) = pointer::resolve_ref(doc, r) {
                stack.push(target);
            }
        }
        stack.extend(walk::children(m).into_iter().map(|(_, c)| c));
    }
}

struct Translator<'a> {
    doc: &'a Value,
    direction: Direction,
    names: &'a BTreeMap<String, String>,
    dialect: Dialect,
}

impl Translator<'_> {
    fn deref<'v>(&'v self, v: &'v Value) -> &'v Value {
        pointer::deref(self.doc, v)
    }

    fn schema(&self, s: &Value) -> Value {
        let Value::Object(m) = s else {
            return s.clone();
        };
        if let Some(Value::String(r)) = m.get("$ref") {
            let target = self
                .names
                .get(r)
                .map(|n| format!("#/$defs/{}", pointer::escape(n)))
                .unwrap_or_else(|| r.clone());
            if self.dialect == Dialect::OpenApi30 || m.len() == 1 {
                return json!({ "$ref": target });
            }
            // 3.1: the reference and its siblings both apply.
            let mut rest = m.clone();
            rest.remove("$ref");
            return match self.schema(&Value::Object(rest)) {
                Value::Object(mut out) => {
                    out.insert("$ref".into(), json!(target));
                    Value::Object(out)
                }
                other => json!({ "allOf": [{ "$ref": target }, other] }),
            };
        }
        let mut out = Map::new();
        for (k, v) in m {
            match k.as_str() {
                k if walk::MAP_KEYWORDS.contains(&k) => {
                    let members = v
                        .as_object()
                        .map(|p| {
                            p.iter()
                                .map(|(name, ps)| (name.clone(), self.schema(ps)))
                                .collect::<Map<_, _>>()
                        })
                        .unwrap_or_default();
                    out.insert(k.into(), Value::Object(members));
                }
                k if walk::SCHEMA_KEYWORDS.contains(&k) && !v.is_array() => {
                    out.insert(k.into(), self.schema(v));
                }
                k if walk::LIST_KEYWORDS.contains(&k) || walk::SCHEMA_KEYWORDS.contains(&k) => {
                    let items = v
                        .as_array()
                        .map(|a| a.iter().map(|x| self.schema(x)).collect())
                        .unwrap_or_default();
                    out.insert(k.into(), Value::Array(items));
                }
                "required" => {
                    let required = v
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter(|name| !self.skip_required(m, name.as_str().unwrap_or("")))
                                .cloned()
                                .collect::<Vec<_>>()
                        })
                        .unwrap_or_default();
                    if !required.is_empty() {
                        out.insert(k.clone(), Value::Array(required));
                    }
                }
                _ => own_keyword(m, k, v, &mut out),
            }
        }
        self.integer_bounds(m, &mut out);
        if let Some(d) = m.get("discriminator") {
            self.discriminate(m, d, &mut out);
        }
        with_nullable(m, out)
    }

    /// Whether `name` is exempt from `required` in this direction.
    fn skip_required(&self, schema: &Map<String, Value>, name: &str) -> bool {
        let Some(prop) = schema.get("properties").and_then(|p| p.get(name)) else {
            return false;
        };
        let prop = self.deref(prop);
        let flag = match self.direction {
            Direction::Request => "readOnly",
            Direction::Response => "writeOnly",
        };
        prop.get(flag) == Some(&Value::Bool(true))
    }

    fn integer_bounds(&self, m: &Map<String, Value>, out: &mut Map<String, Value>) {
        if m.get("type").and_then(Value::as_str) != Some("integer") {
            return;
        }
        let (lo, hi): (i64, i64) = match m.get("format").and_then(Value::as_str) {
            Some("int32") => (i32::MIN.into(), i32::MAX.into()),
            Some("int64") => (i64::MIN, i64::MAX),
            _ => return,
        };
        fn tighter(out: &Map<String, Value>, key: &str, bound: i64, lower: bool) -> bool {
            match out.get(key).and_then(Value::as_f64) {
                Some(existing) if lower => existing >= bound as f64,
                Some(existing) => existing <= bound as f64,
                None => false,
            }
        }
        if !tighter(out, "minimum", lo, true) && !out.contains_key("exclusiveMinimum") {
            out.insert("minimum".into(), json!(lo));
        }
        if !tighter(out, "maximum", hi, false) && !out.contains_key("exclusiveMaximum") {
            out.insert("maximum".into(), json!(hi));
        }
    }

    fn discriminate(&self, m: &Map<String, Value>, d: &Value, out: &mut Map<String, Value>) {
        let Some(prop) = d.get("propertyName").and_then(Value::as_str) else {
            return;
        };
        let mapping = d.get("mapping").and_then(Value::as_object);
        for key in ["oneOf", "anyOf"] {
            let (Some(Value::Array(raw)), Some(Value::Array(translated))) =
                (m.get(key), out.get_mut(key))
            else {
                continue;
            };
            for (branch, t) in raw.iter().zip(translated.iter_mut()) {
                let Some(r) = branch.get("$ref").and_then(Value::as_str) else {
                    continue;
                };
                let values = discriminator_values(r, mapping);
                *t = json!({ "allOf": [
                    t.clone(),
                    { "properties": { prop: { "enum": values } }, "required": [prop] }
                ]});
            }
        }
    }
}

/// One keyword of `m` that is not a subschema, as JSON Schema 2020-12 writes it:
/// boolean `exclusiveMinimum`/`exclusiveMaximum` take the bound's value (and the
/// bound itself goes), OpenAPI-only keywords and `x-` extensions are dropped.
fn own_keyword(m: &Map<String, Value>, k: &str, v: &Value, out: &mut Map<String, Value>) {
    match k {
        "exclusiveMinimum" | "exclusiveMaximum" => {
            let bound = if k == "exclusiveMinimum" {
                "minimum"
            } else {
                "maximum"
            };
            match v {
                Value::Bool(true) => {
                    if let Some(b) = m.get(bound) {
                        out.insert(k.into(), b.clone());
                    }
                }
                Value::Bool(false) => {}
                other => {
                    out.insert(k.into(), other.clone());
                }
            }
        }
        "minimum" | "maximum" => {
            let exclusive = if k == "minimum" {
                "exclusiveMinimum"
            } else {
                "exclusiveMaximum"
            };
            if m.get(exclusive) != Some(&Value::Bool(true)) {
                out.insert(k.into(), v.clone());
            }
        }
        "nullable" | "discriminator" | "example" | "xml" | "externalDocs" => {}
        _ if k.starts_with("x-") => {}
        _ => {
            out.insert(k.into(), v.clone());
        }
    }
}

/// `out` (the translation of `m`) admitting `null` when `m` says `nullable: true`.
fn with_nullable(m: &Map<String, Value>, out: Map<String, Value>) -> Value {
    if m.get("nullable") == Some(&Value::Bool(true)) {
        nullable(out)
    } else {
        Value::Object(out)
    }
}

/// The view of one schema node of `doc` on its own: `schema` dereferenced (siblings of
/// a `$ref` are ignored), then its keywords that constrain the instance itself
/// (`type`, bounds, lengths, `enum`, `format`, ...) translated as [`to_json_schema`]
/// translates them, `nullable` included. Subschemas and `required` are left out, and
/// nothing implied is added (the `int32`/`int64` bounds, discriminator values). For
/// readers that ask one node at a time what it allows (codegen), without building a
/// standalone document per question.
///
/// ```
/// let doc = serde_json::json!({"components": {"schemas": {"Age": {
///     "type": "integer", "minimum": 0, "exclusiveMinimum": true, "nullable": true,
/// }}}});
/// let node = covenant_spec::view::node(&doc, &serde_json::json!({"$ref": "#/components/schemas/Age"}));
/// assert_eq!(node, serde_json::json!({"type": ["integer", "null"], "exclusiveMinimum": 0}));
/// assert!(covenant_spec::view::admits_null(&node));
/// ```
pub fn node(doc: &Value, schema: &Value) -> Value {
    let schema = pointer::deref(doc, schema);
    let Value::Object(m) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (k, v) in m {
        // Subschemas and `required` are the translator's to recurse into.
        if k != "$ref" && k != "required" && !walk::holds_subschemas(k) {
            own_keyword(m, k, v, &mut out);
        }
    }
    with_nullable(m, out)
}

/// Whether a view node (from [`node`]) lets `null` through by its own keywords: a
/// `null` type or enum value, or the `anyOf: [.., {type: null}]` that a nullable
/// schema without `type` or `enum` becomes.
pub fn admits_null(node: &Value) -> bool {
    let is_null_type = |t: &Value| match t {
        Value::String(t) => t == "null",
        Value::Array(ts) => ts.iter().any(|t| t == "null"),
        _ => false,
    };
    node.get("type").is_some_and(is_null_type)
        || node
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|e| e.contains(&Value::Null))
        || node
            .get("anyOf")
            .and_then(Value::as_array)
            .is_some_and(|branches| {
                branches
                    .iter()
                    .any(|b| b.get("type").is_some_and(is_null_type))
            })
}

/// The discriminator values that select the branch `reference`: the mapping keys that
/// point at it (by full ref or by schema name), else the schema name itself.
pub fn discriminator_values(reference: &str, mapping: Option<&Map<String, Value>>) -> Vec<String> {
    let name = reference.rsplit('/').next().unwrap_or(reference);
    let mut values: Vec<String> = mapping
        .map(|m| {
            m.iter()
                .filter(|(_, v)| v.as_str().is_some_and(|v| v == reference || v == name))
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default();
    if values.is_empty() {
        values.push(pointer::unescape(name));
    }
    values
}

fn nullable(mut out: Map<String, Value>) -> Value {
    if let Some(Value::Array(e)) = out.get_mut("enum")
        && !e.contains(&Value::Null)
    {
        e.push(Value::Null);
    }
    let has_enum = out.contains_key("enum");
    match out.get_mut("type") {
        Some(Value::String(t)) => {
            let t = t.clone();
            out.insert("type".into(), json!([t, "null"]));
            Value::Object(out)
        }
        Some(Value::Array(types)) => {
            if !types.contains(&json!("null")) {
                types.push(json!("null"));
            }
            Value::Object(out)
        }
        _ if has_enum => Value::Object(out),
        _ => json!({ "anyOf": [Value::Object(out), { "type": "null" }] }),
    }
}

/// The properties an object schema of a view declares, its own and those of its
/// `allOf` members (references followed), first declaration winning: what a form
/// body's members are, whichever way the schema composes them.
pub fn object_properties<'a>(view: &'a Value, schema: &'a Value) -> Vec<(&'a str, &'a Value)> {
    fn walk<'a>(view: &'a Value, s: &'a Value, out: &mut Vec<(&'a str, &'a Value)>, depth: usize) {
        if depth > 32 {
            return;
        }
        let s = pointer::deref(view, s);
        if let Some(props) = s.get("properties").and_then(Value::as_object) {
            for (k, v) in props {
                if !out.iter().any(|(n, _)| *n == k.as_str()) {
                    out.push((k.as_str(), pointer::deref(view, v)));
                }
            }
        }
        for member in s
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            walk(view, member, out, depth + 1);
        }
    }
    let mut out = Vec::new();
    walk(view, schema, &mut out, 0);
    out
}

/// The schema to *generate* instances from, for a view read in `direction`: the
/// same view without the properties the other direction owns (`writeOnly` ones in
/// responses, `readOnly` ones in requests), which OpenAPI says should not be sent.
/// Validation keeps the full view: a provider that sends them is not wrong.
pub fn for_generation(view: &Value, direction: Direction) -> Value {
    let flag = match direction {
        Direction::Request => "readOnly",
        Direction::Response => "writeOnly",
    };
    let mut out = view.clone();
    strip_flagged(view, &mut out, flag, 0);
    out
}

fn strip_flagged(root: &Value, node: &mut Value, flag: &str, depth: usize) {
    // Views are finite trees ($refs point into `$defs`, not back up), but bound
    // the walk anyway: a hostile spec must not exhaust the stack.
    if depth > 256 {
        return;
    }
    match node {
        Value::Object(m) => {
            if let Some(Value::Object(props)) = m.get_mut("properties") {
                props.retain(|_, p| pointer::deref(root, p).get(flag) != Some(&Value::Bool(true)));
            }
            for v in m.values_mut() {
                strip_flagged(root, v, flag, depth + 1);
            }
        }
        Value::Array(items) => {
            for v in items {
                strip_flagged(root, v, flag, depth + 1);
            }
        }
        _ => {}
    }
}

/// Builds a `jsonschema` validator for a translated view, with formats checked
/// (including covenant's `iban` format: ISO 13616 structure and mod-97 checksum).
pub fn compile(json_schema: &Value) -> Result<jsonschema::Validator, String> {
    compile_for::<jsonschema::json::SerdeJson>(json_schema)
}

/// [`compile`] for instances in another JSON representation `F` (the mock's
/// borrowed request bodies): the same draft, formats and options.
pub fn compile_for<F: jsonschema::json::Json>(
    json_schema: &Value,
) -> Result<jsonschema::Validator<F>, String> {
    jsonschema::options_for::<F>()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .with_format("iban", |s: &str| s.parse::<iban::Iban>().is_ok())
        .build(json_schema)
        .map_err(|e| e.to_string())
}

/// One way an instance fails its schema.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    /// JSON Pointer of the offending value (for `required`, the missing property).
    pub pointer: String,
    /// The JSON Schema keyword that failed (`required`, `enum`, `type`, ...).
    pub keyword: String,
    pub message: String,
}

/// Every violation of `instance`, in a stable order. `oneOf`/`anyOf` failures are
/// reported through the branch that came closest, so a bad discriminator value or a
/// bad field inside a nullable object names the field, not the union.
pub fn violations(validator: &jsonschema::Validator, instance: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    for e in validator.iter_errors(instance) {
        flatten(&e, &mut out);
    }
    out.sort_by(|a, b| (&a.pointer, &a.keyword).cmp(&(&b.pointer, &b.keyword)));
    out.dedup();
    out
}

fn flatten(e: &jsonschema::ValidationError<'_>, out: &mut Vec<Violation>) {
    use jsonschema::error::ValidationErrorKind as K;
    let at = e.instance_path().to_string();
    match e.kind() {
        K::Required { property } => out.push(Violation {
            pointer: pointer::join(&at, property.as_str().unwrap_or_default()),
            keyword: "required".into(),
            message: format!("{property} is required"),
        }),
        // Named at the member, not at its object: a client (and the mock's
        // own mending of an answer) can act on the one member.
        K::AdditionalProperties { unexpected } | K::UnevaluatedProperties { unexpected } => {
            for name in unexpected {
                out.push(Violation {
                    pointer: pointer::join(&at, name),
                    keyword: e.kind().keyword().into(),
                    message: format!("property {name:?} is not allowed"),
                });
            }
        }
        K::OneOfNotValid { context } | K::AnyOf { context } if !context.is_empty() => {
            let best = context
                .iter()
                .min_by_key(|branch| branch.len())
                .expect("non-empty");
            if best.is_empty() {
                out.push(violation_of(e, at));
            } else {
                for inner in best {
                    flatten(inner, out);
                }
            }
        }
        _ => out.push(violation_of(e, at)),
    }
}

fn violation_of(e: &jsonschema::ValidationError<'_>, at: String) -> Violation {
    Violation {
        pointer: at,
        keyword: e.kind().keyword().to_string(),
        message: cut_instance(e.to_string(), e.instance()),
    }
}

/// Characters of the offending value a message keeps.
const SHOWN_CHARS: usize = 64;

/// jsonschema quotes the whole offending value in its message; a long one is cut to
/// its first [`SHOWN_CHARS`] characters and its length, so a 200 KB field does not
/// make a 200 KB message (which the mock would send back and the runner report).
fn cut_instance(message: String, instance: &Value) -> String {
    if message.len() <= SHOWN_CHARS * 2 {
        return message;
    }
    let text = instance.to_string();
    if !message.contains(&text) {
        return message;
    }
    // Strings are cut inside their quotes (`"abc"... (N characters)`, as the derive
    // validators show them); other values as JSON text.
    let (shown, count) = match instance {
        Value::String(s) => match s.char_indices().nth(SHOWN_CHARS) {
            Some((cut, _)) => (
                Value::String(s[..cut].to_string()).to_string(),
                s.chars().count(),
            ),
            None => return message,
        },
        _ => match text.char_indices().nth(SHOWN_CHARS) {
            Some((cut, _)) => (text[..cut].to_string(), text.chars().count()),
            None => return message,
        },
    };
    message.replacen(&text, &format!("{shown}... ({count} characters)"), 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// An undeclared member is named itself, under `additionalProperties` and
    /// `unevaluatedProperties` alike.
    #[test]
    fn undeclared_members_are_named_one_by_one() {
        let schema = json!({
            "$defs": {"A": {"type": "object", "properties": {
                "name": {"type": "string"}, "n": {"type": "integer", "maximum": 10}}}},
            "type": "object", "properties": {
                "closed": {"type": "object", "additionalProperties": false,
                           "properties": {"name": {"type": "string"}}},
                "sealed": {"unevaluatedProperties": false, "$ref": "#/$defs/A"}}});
        let v = compile(&schema).expect("compiles");
        let found = violations(
            &v,
            &json!({"closed": {"name": "a", "x": 1}, "sealed": {"name": "b", "y": 2, "z": 3}}),
        );
        let at: Vec<(&str, &str)> = found
            .iter()
            .map(|v| (v.pointer.as_str(), v.keyword.as_str()))
            .collect();
        assert_eq!(
            at,
            [
                ("/closed/x", "additionalProperties"),
                ("/sealed/y", "unevaluatedProperties"),
                ("/sealed/z", "unevaluatedProperties"),
            ]
        );
        // A member out of range fails the `$ref`, and only it is named (the
        // others still count as evaluated).
        let found = violations(&v, &json!({"sealed": {"name": "b", "n": 99}}));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].pointer, "/sealed/n");
    }
}
