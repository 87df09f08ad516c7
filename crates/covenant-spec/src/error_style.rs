//! The provider's error style in both directions: [`render`] turns a failure class's
//! `x-covenant-errors` template (see `specs/CONVENTIONS.md`) plus the violations into
//! the answer the provider would send (the mock writes errors with it), and
//! [`extract`] / [`names_field`] read an error body back through the same template
//! (the runner checks that a rejection names the offending field with it). Keeping
//! both here means the writer and the checker cannot drift apart.
//!
//! A class the spec does not describe gets [`fallback_case`]: a generic
//! `application/problem+json` body `{type, title, status, detail, instance, errors:
//! [{pointer, keyword, message}]}`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::ext::{ErrorCase, ErrorStyle, FieldNotation};
use crate::pointer;
use crate::view::Violation;

/// The failure classes named by `specs/CONVENTIONS.md`, plus `header-too-large`
/// (which no spec describes; it always uses the fallback).
pub const CLASSES: [&str; 11] = [
    "validation",
    "malformed",
    "unsupported-media-type",
    "not-acceptable",
    "unauthorized",
    "forbidden",
    "not-found",
    "rate-limited",
    "payload-too-large",
    "header-too-large",
    "internal",
];

/// The status a class gets when the spec does not describe it.
pub fn default_status(class: &str) -> u16 {
    match class {
        "validation" | "malformed" => 400,
        "unauthorized" => 401,
        "forbidden" => 403,
        "not-found" => 404,
        "not-acceptable" => 406,
        "payload-too-large" => 413,
        "unsupported-media-type" => 415,
        "rate-limited" => 429,
        "header-too-large" => 431,
        _ => 500,
    }
}

/// The HTTP reason phrase of `status` (`{title}` in templates).
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

/// The generic answer for a class the spec does not describe.
pub fn fallback_case(class: &str) -> ErrorCase {
    ErrorCase {
        status: default_status(class),
        content_type: Some("application/problem+json".into()),
        field_notation: FieldNotation::Pointer,
        body: Some(json!({
            "type": "about:blank",
            "title": "{title}",
            "status": "{status:int}",
            "detail": "{message}",
            "instance": "{instance}",
            "errors": {
                "$each": "violation",
                "item": {"pointer": "{pointer}", "keyword": "{keyword}", "message": "{message}"}
            }
        })),
        headers: BTreeMap::new(),
    }
}

/// The case for `class`: the spec's own, else the fallback. The flag says whether
/// the fallback was used (the mock logs it).
pub fn case_for(style: &ErrorStyle, class: &str) -> (ErrorCase, bool) {
    match style.case(class) {
        Some(c) => (c.clone(), false),
        None => (fallback_case(class), true),
    }
}

/// One offending field: a body location (JSON Pointer) or a named parameter.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// JSON Pointer into the body, or the parameter's name when `parameter` is set.
    pub pointer: String,
    pub keyword: String,
    pub message: String,
    /// Whether this names a path/query/header parameter rather than a body field.
    pub parameter: bool,
}

impl FieldError {
    pub fn body(v: &Violation) -> FieldError {
        FieldError {
            pointer: v.pointer.clone(),
            keyword: v.keyword.clone(),
            message: v.message.clone(),
            parameter: false,
        }
    }

    pub fn parameter(name: &str, keyword: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            pointer: name.to_string(),
            keyword: keyword.to_string(),
            message: message.into(),
            parameter: true,
        }
    }

    /// `{pointer}`: the JSON Pointer, or the parameter name.
    pub fn pointer(&self) -> String {
        self.pointer.clone()
    }

    /// `{dotted}`: `documents.0.type`, or the parameter name.
    pub fn dotted(&self) -> String {
        if self.parameter {
            self.pointer.clone()
        } else {
            pointer::dotted(&self.pointer)
        }
    }

    /// `{name}`: the last property name, or the parameter name.
    pub fn name(&self) -> String {
        if self.parameter {
            self.pointer.clone()
        } else {
            FieldNotation::Name.render(&self.pointer)
        }
    }

    /// `{field}`: the field in the case's notation.
    pub fn field(&self, notation: FieldNotation) -> String {
        if self.parameter {
            self.pointer.clone()
        } else {
            notation.render(&self.pointer)
        }
    }
}

/// What an error answer is about.
#[derive(Debug, Clone, Default)]
pub struct ErrorInput {
    /// Overrides the case's status when set (e.g. the fallback for a documented status).
    pub status: Option<u16>,
    /// `{message}` at the top level; when `None`, the violations joined with "; "
    /// (each as `field: message`), else the reason phrase.
    pub message: Option<String>,
    /// `{instance}`, usually `urn:uuid:<uuid>`.
    pub instance: String,
    /// `{retry_after}` (seconds), for `rate-limited` headers.
    pub retry_after: Option<u64>,
    pub violations: Vec<FieldError>,
}

/// A rendered error answer.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedError {
    pub status: u16,
    /// `None` with an empty body.
    pub content_type: Option<String>,
    pub headers: Vec<(String, String)>,
    /// `None` means an empty body.
    pub body: Option<Value>,
}

/// Renders `case` for `input`.
pub fn render(case: &ErrorCase, input: &ErrorInput) -> RenderedError {
    let status = input.status.unwrap_or(case.status);
    let message = input.message.clone().unwrap_or_else(|| {
        if input.violations.is_empty() {
            reason_phrase(status).to_string()
        } else {
            input
                .violations
                .iter()
                .map(|v| {
                    let f = v.field(case.field_notation);
                    if f.is_empty() {
                        v.message.clone()
                    } else {
                        format!("{f}: {}", v.message)
                    }
                })
                .collect::<Vec<_>>()
                .join("; ")
        }
    });
    let mut top = BTreeMap::new();
    top.insert("status", status.to_string());
    top.insert("title", reason_phrase(status).to_string());
    top.insert("message", message);
    top.insert("instance", input.instance.clone());
    top.insert(
        "retry_after",
        input.retry_after.map(|s| s.to_string()).unwrap_or_default(),
    );
    let r = Renderer {
        case,
        input,
        top: &top,
    };
    let body = case.body.as_ref().map(|t| r.value(t, None));
    let mut headers: Vec<(String, String)> = case
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), substitute(v, &|p| r.lookup(p, None))))
        .collect();
    if let Some(s) = input.retry_after
        && !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
    {
        headers.push(("Retry-After".into(), s.to_string()));
    }
    RenderedError {
        status,
        content_type: body.as_ref().map(|_| {
            case.content_type
                .clone()
                .unwrap_or_else(|| "application/json".into())
        }),
        headers,
        body,
    }
}

struct Renderer<'a> {
    case: &'a ErrorCase,
    input: &'a ErrorInput,
    top: &'a BTreeMap<&'static str, String>,
}

impl Renderer<'_> {
    /// The violations a `$each` or `$map` renders: all of them, or inside an item
    /// (`v`) that item's own. Nested lists of all of them would multiply the body
    /// by the number of violations at every level (fuzzing found six levels and
    /// twenty violations, 64 million items, in a 334-byte template).
    fn violations<'v>(&'v self, v: Option<&'v FieldError>) -> &'v [FieldError] {
        match v {
            Some(f) => std::slice::from_ref(f),
            None => &self.input.violations,
        }
    }

    fn lookup(&self, name: &str, v: Option<&FieldError>) -> Option<String> {
        if let Some(v) = v {
            let s = match name {
                "pointer" => v.pointer(),
                "dotted" => v.dotted(),
                "name" => v.name(),
                "field" => v.field(self.case.field_notation),
                "keyword" => v.keyword.clone(),
                "message" => v.message.clone(),
                _ => return self.top.get(name).cloned(),
            };
            return Some(s);
        }
        self.top.get(name).cloned()
    }

    fn value(&self, t: &Value, v: Option<&FieldError>) -> Value {
        match t {
            Value::String(s) => {
                if let Some(name) = s
                    .strip_prefix('{')
                    .and_then(|s| s.strip_suffix(":int}"))
                    .filter(|n| is_ident(n))
                {
                    let text = self.lookup(name, v).unwrap_or_default();
                    return text
                        .parse::<i64>()
                        .map(Value::from)
                        .unwrap_or(Value::String(text));
                }
                Value::String(substitute(s, &|p| self.lookup(p, v)))
            }
            Value::Array(items) => Value::Array(items.iter().map(|i| self.value(i, v)).collect()),
            Value::Object(m) if m.contains_key("$each") => {
                let item = m.get("item").cloned().unwrap_or(Value::Null);
                Value::Array(
                    self.violations(v)
                        .iter()
                        .map(|f| self.value(&item, Some(f)))
                        .collect(),
                )
            }
            Value::Object(m) if m.contains_key("$map") => {
                let key = m.get("key").cloned().unwrap_or(json!("{field}"));
                let val = m.get("value").cloned().unwrap_or(json!(["{message}"]));
                let mut out = Map::new();
                for f in self.violations(v) {
                    let k = match self.value(&key, Some(f)) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    let rendered = self.value(&val, Some(f));
                    match (out.get_mut(&k), rendered) {
                        (Some(Value::Array(existing)), Value::Array(more)) => existing.extend(more),
                        (_, r) => {
                            out.insert(k, r);
                        }
                    }
                }
                Value::Object(out)
            }
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, c)| (k.clone(), self.value(c, v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

fn is_ident(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Replaces `{name}` placeholders that `lookup` knows; others stay verbatim.
fn substitute(s: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if is_ident(&after[..end]) => match lookup(&after[..end]) {
                Some(val) => {
                    out.push_str(&val);
                    rest = &after[end + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            },
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// What an error body says, read through its template.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    /// Values found where the template puts `{pointer}`, `{dotted}`, `{name}` or `{field}`.
    pub fields: Vec<String>,
    /// Values found where the template puts a string containing `{message}`.
    pub messages: Vec<String>,
}

const FIELD_SLOTS: [&str; 4] = ["{pointer}", "{dotted}", "{name}", "{field}"];

/// Reads the field names and messages out of an error `body` written in `case`'s style.
pub fn extract(case: &ErrorCase, body: &Value) -> Extracted {
    let mut out = Extracted::default();
    if let Some(t) = &case.body {
        walk(t, body, &mut out);
    }
    out
}

fn walk(t: &Value, b: &Value, out: &mut Extracted) {
    match t {
        Value::String(s) => {
            if let Value::String(actual) = b {
                if FIELD_SLOTS.contains(&s.as_str()) {
                    out.fields.push(actual.clone());
                } else if s.contains("{message}") {
                    out.messages.push(actual.clone());
                }
            }
        }
        Value::Array(ts) => {
            if let Value::Array(bs) = b {
                for (t, b) in ts.iter().zip(bs) {
                    walk(t, b, out);
                }
            }
        }
        Value::Object(m) if m.contains_key("$each") => {
            let item = m.get("item").unwrap_or(&Value::Null);
            if let Value::Array(bs) = b {
                for b in bs {
                    walk(item, b, out);
                }
            }
        }
        Value::Object(m) if m.contains_key("$map") => {
            let key = m.get("key").and_then(Value::as_str).unwrap_or("{field}");
            let val = m.get("value").cloned().unwrap_or(json!(["{message}"]));
            if let Value::Object(bm) = b {
                for (k, v) in bm {
                    if FIELD_SLOTS.contains(&key) {
                        out.fields.push(k.clone());
                    }
                    match (&val, v) {
                        // A list of messages: every element uses the one item template.
                        (Value::Array(ts), Value::Array(vs)) if ts.len() == 1 => {
                            for v in vs {
                                walk(&ts[0], v, out);
                            }
                        }
                        _ => walk(&val, v, out),
                    }
                }
            }
        }
        Value::Object(m) => {
            if let Value::Object(bm) = b {
                for (k, t) in m {
                    if let Some(bv) = bm.get(k) {
                        walk(t, bv, out);
                    }
                }
            }
        }
        _ => {}
    }
}

/// Whether the template has a structural slot for field names.
pub fn has_field_slots(case: &ErrorCase) -> bool {
    fn any(t: &Value) -> bool {
        match t {
            Value::String(s) => FIELD_SLOTS.contains(&s.as_str()),
            Value::Array(a) => a.iter().any(any),
            Value::Object(m) => {
                (m.contains_key("$map")
                    && FIELD_SLOTS
                        .contains(&m.get("key").and_then(Value::as_str).unwrap_or("{field}")))
                    || m.values().any(any)
            }
            _ => false,
        }
    }
    case.body.as_ref().is_some_and(any)
}

/// Whether an error `body` in `case`'s style names `field`. With field slots in the
/// template the field must appear in one of them (in any notation: pointer, dotted,
/// last name); without, a message must mention it as a whole word. For parameters
/// pass their name as `field` with `parameter` set.
pub fn names_field(case: &ErrorCase, body: &Value, field: &str, parameter: bool) -> bool {
    let f = FieldError {
        pointer: field.to_string(),
        keyword: String::new(),
        message: String::new(),
        parameter,
    };
    let candidates = [
        f.pointer(),
        f.dotted(),
        f.name(),
        f.field(case.field_notation),
    ];
    let got = extract(case, body);
    if has_field_slots(case) {
        return got.fields.iter().any(|g| candidates.iter().any(|c| c == g));
    }
    got.messages.iter().any(|m| {
        candidates
            .iter()
            .filter(|c| !c.is_empty())
            .any(|c| mentions(m, c))
    })
}

/// `text` contains `word` not glued to other identifier characters.
fn mentions(text: &str, word: &str) -> bool {
    let is_id = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(is_id) && !after.is_some_and(is_id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(yaml: Value) -> ErrorCase {
        serde_json::from_value(yaml).expect("valid case")
    }

    fn v(pointer: &str, keyword: &str, message: &str) -> FieldError {
        FieldError {
            pointer: pointer.into(),
            keyword: keyword.into(),
            message: message.into(),
            parameter: false,
        }
    }

    fn input(vs: Vec<FieldError>) -> ErrorInput {
        ErrorInput {
            instance: "urn:uuid:00000000-0000-4000-8000-000000000000".into(),
            violations: vs,
            ..Default::default()
        }
    }

    #[test]
    fn each_renders_one_item_per_violation_and_extracts_back() {
        let c = case(json!({
            "status": 400, "content-type": "application/problem+json", "field-notation": "pointer",
            "body": {"type": "about:blank", "title": "Request validation error", "status": "{status:int}",
                     "instance": "{instance}",
                     "errors": {"$each": "violation", "item": {"detail": "{message}", "pointer": "{pointer}", "field": "{name}", "reason": "{keyword}"}}}
        }));
        let r = render(
            &c,
            &input(vec![
                v(
                    "/parameters/dummyField",
                    "additionalProperties",
                    "not allowed",
                ),
                v("/requestTypeId", "required", "is required"),
            ]),
        );
        assert_eq!(r.status, 400);
        assert_eq!(r.content_type.as_deref(), Some("application/problem+json"));
        let body = r.body.expect("body");
        assert_eq!(body["status"], json!(400));
        assert_eq!(
            body["errors"][0]["pointer"],
            json!("/parameters/dummyField")
        );
        assert_eq!(body["errors"][0]["field"], json!("dummyField"));
        assert_eq!(body["errors"][1]["reason"], json!("required"));
        assert_eq!(
            body["instance"],
            json!("urn:uuid:00000000-0000-4000-8000-000000000000")
        );
        let got = extract(&c, &body);
        assert!(got.fields.contains(&"/requestTypeId".to_string()));
        assert!(names_field(&c, &body, "/requestTypeId", false));
        assert!(names_field(&c, &body, "/parameters/dummyField", false));
        assert!(!names_field(&c, &body, "/referenceId", false));
    }

    #[test]
    fn dotted_notation_and_parameters() {
        let c = case(json!({
            "status": 422, "content-type": "application/json", "field-notation": "dotted",
            "body": {"title": "{title}", "detail": "{message}",
                     "invalidFields": {"$each": "violation", "item": {"field": "{field}", "message": "{message}"}}}
        }));
        let r = render(
            &c,
            &input(vec![
                v("/documents/0/type", "enum", "bad"),
                FieldError::parameter("draft", "type", "not a boolean"),
            ]),
        );
        let body = r.body.expect("body");
        assert_eq!(body["title"], json!("Unprocessable Entity"));
        assert_eq!(body["invalidFields"][0]["field"], json!("documents.0.type"));
        assert_eq!(body["invalidFields"][1]["field"], json!("draft"));
        assert_eq!(
            body["detail"],
            json!("documents.0.type: bad; draft: not a boolean")
        );
        assert!(names_field(&c, &body, "/documents/0/type", false));
        assert!(names_field(&c, &body, "draft", true));
        assert!(!names_field(&c, &body, "/documents/1/type", false));
    }

    #[test]
    fn map_concatenates_messages_per_key() {
        let c = case(json!({
            "status": 422, "content-type": "application/json", "field-notation": "name",
            "body": {"$map": "violation", "key": "{field}", "value": ["{message}"]}
        }));
        let r = render(
            &c,
            &input(vec![
                v("/partner_iban", "required", "is required"),
                v("/partner_iban", "pattern", "must match ^DE"),
                v("/ident_code", "minLength", "too short"),
            ]),
        );
        let body = r.body.expect("body");
        assert_eq!(
            body,
            json!({"partner_iban": ["is required", "must match ^DE"], "ident_code": ["too short"]})
        );
        let got = extract(&c, &body);
        assert_eq!(got.fields, vec!["partner_iban", "ident_code"]);
        assert_eq!(got.messages.len(), 3);
        assert!(names_field(&c, &body, "/ident_code", false));
        assert!(!names_field(&c, &body, "/dsv_terms", false));
    }

    #[test]
    fn message_only_style_names_field_in_the_message() {
        let c = case(json!({
            "status": 400, "content-type": "application/json", "field-notation": "name",
            "body": {"error_message": "{message}", "error_name": "InvalidRequest"}
        }));
        assert!(!has_field_slots(&c));
        let body = render(
            &c,
            &input(vec![v("/id", "type", "\"x\" is not of type \"integer\"")]),
        )
        .body
        .expect("body");
        assert_eq!(
            body["error_message"],
            json!("id: \"x\" is not of type \"integer\"")
        );
        assert_eq!(body["error_name"], json!("InvalidRequest"));
        assert!(names_field(&c, &body, "/id", false));
        assert!(!names_field(&c, &body, "/reference", false));
        // `id` inside another identifier does not count.
        let other = json!({"error_message": "session_id: wrong", "error_name": "InvalidRequest"});
        assert!(!names_field(&c, &other, "/id", false));
    }

    #[test]
    fn empty_body_and_headers() {
        let c = case(json!({"status": 401}));
        let r = render(&c, &input(vec![]));
        assert_eq!(r.status, 401);
        assert_eq!(r.body, None);
        assert_eq!(r.content_type, None);

        let c = case(
            json!({"status": 429, "headers": {"Retry-After": "{retry_after}"}, "body": {"status": "{status:int}"}}),
        );
        let mut i = input(vec![]);
        i.retry_after = Some(7);
        let r = render(&c, &i);
        assert_eq!(
            r.headers,
            vec![("Retry-After".to_string(), "7".to_string())]
        );
        assert_eq!(r.body, Some(json!({"status": 429})));
    }

    #[test]
    fn fallback_is_problem_json_with_errors() {
        let style = ErrorStyle::default();
        let (c, fell_back) = case_for(&style, "payload-too-large");
        assert!(fell_back);
        let mut i = input(vec![v("", "maxLength", "body exceeds 1048576 bytes")]);
        i.retry_after = Some(1);
        let r = render(&c, &i);
        assert_eq!(r.status, 413);
        assert_eq!(r.content_type.as_deref(), Some("application/problem+json"));
        let body = r.body.expect("body");
        assert_eq!(body["status"], json!(413));
        assert_eq!(body["title"], json!("Payload Too Large"));
        assert_eq!(body["errors"][0]["keyword"], json!("maxLength"));
        assert_eq!(r.headers[0].0, "Retry-After");
    }

    /// Regression (fuzz target `error_template`): a `$each` or `$map` nested in an
    /// item renders that item's violation only, so a template cannot multiply the
    /// answer by the number of violations per level (this one never finished).
    #[test]
    fn nested_lists_render_the_item_violation_only() {
        let mut t = json!("{message}");
        for _ in 0..6 {
            t = json!({"$each": "violation", "item": [t]});
        }
        let vs: Vec<FieldError> = (0..20).map(|i| v(&format!("/a{i}"), "k", "m")).collect();
        let r = render(&case(json!({"status": 400, "body": t})), &input(vs));
        let body = r.body.expect("body");
        assert_eq!(body.as_array().map(Vec::len), Some(20));
        let mut inner = &body[3];
        for _ in 0..5 {
            assert_eq!(inner.as_array().map(Vec::len), Some(1), "{inner}");
            inner = &inner[0][0];
        }
        assert_eq!(inner, &json!(["m"]));
        let map = json!({"e": {"$each": "violation", "item": {
            "$map": "violation", "key": "{name}", "value": ["{message}"]}}});
        let r = render(
            &case(json!({"status": 400, "body": map})),
            &input(vec![v("/a", "k", "x"), v("/b", "k", "y")]),
        );
        assert_eq!(r.body, Some(json!({"e": [{"a": ["x"]}, {"b": ["y"]}]})));
    }

    #[test]
    fn unknown_placeholders_and_braces_stay_verbatim() {
        let s = substitute("a {unknown} {b c} {", &|_| None);
        assert_eq!(s, "a {unknown} {b c} {");
        let s = substitute("{status}/{title}", &|p| Some(p.to_uppercase()));
        assert_eq!(s, "STATUS/TITLE");
    }
}
