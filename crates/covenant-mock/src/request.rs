//! Reading a request against its compiled operation: path matching, the query
//! string, parameters turned from strings into JSON values (coercion) and checked
//! against their schemas, the `Accept` header, and the nesting depth of a JSON body
//! (counted on the parsed value, located in the text only to explain a rejection).

use std::collections::BTreeMap;

use covenant_spec::error_style::FieldError;
use covenant_spec::style::{self, Kind, Source};
use covenant_spec::view::violations;
use covenant_spec::{ParameterLocation, Spec};
use http::HeaderMap;
use serde_json::Value;

/// One segment of an operation's path template.
pub enum Seg {
    Lit(String),
    Param(String),
    /// Literal text around one template (`-;applicantId={applicantId}`,
    /// `{id}.json`): the path parameter is what lies between.
    Mixed {
        prefix: String,
        name: String,
        suffix: String,
    },
    /// A literal query in the path key (`/checks/latest?type=TIN`, not standard
    /// OpenAPI, but published): the request's query must hold these pairs.
    Query(Vec<(String, String)>),
}

impl Seg {
    /// How much of a request this segment fixes: routing takes the template
    /// whose segments fix the most (a literal beats a mixed segment beats a
    /// template; each literal query pair counts too).
    pub fn specificity(&self) -> usize {
        match self {
            Seg::Lit(_) => 2,
            Seg::Mixed { .. } => 1,
            Seg::Param(_) => 0,
            Seg::Query(pairs) => pairs.len(),
        }
    }
}

/// The segments of `/customers/{id}` (and a trailing [`Seg::Query`] for a path key
/// with a literal query).
pub fn segments(path: &str) -> Vec<Seg> {
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let mut out: Vec<Seg> = path
        .trim_start_matches('/')
        .split('/')
        .map(|s| {
            if let Some(name) = s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))
                && !name.contains(['{', '}'])
            {
                return Seg::Param(name.to_string());
            }
            if let Some((prefix, rest)) = s.split_once('{')
                && let Some((name, suffix)) = rest.split_once('}')
                && !suffix.contains('{')
            {
                return Seg::Mixed {
                    prefix: prefix.to_string(),
                    name: name.to_string(),
                    suffix: suffix.to_string(),
                };
            }
            Seg::Lit(s.to_string())
        })
        .collect();
    if let Some(q) = query {
        out.push(Seg::Query(parse_query(Some(q))));
    }
    out
}

fn decode_segment(part: &str) -> String {
    form_urlencoded::parse(format!("x={}", part.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// The path parameters (decoded) if `path` (and `query`, for a path key with a
/// literal query) match `segments`.
pub fn match_path(
    segments: &[Seg],
    path: &str,
    query: &[(String, String)],
) -> Option<Vec<(String, String)>> {
    let path = path.trim_start_matches('/');
    let in_path = segments
        .iter()
        .filter(|s| !matches!(s, Seg::Query(_)))
        .count();
    if path.split('/').count() != in_path {
        return None;
    }
    let mut params = Vec::new();
    let mut parts = path.split('/');
    for seg in segments {
        if let Seg::Query(pairs) = seg {
            if !pairs.iter().all(|p| query.contains(p)) {
                return None;
            }
            continue;
        }
        let part = parts.next()?;
        match seg {
            Seg::Lit(l) => {
                if l != part {
                    return None;
                }
            }
            Seg::Param(name) => {
                if part.is_empty() {
                    return None;
                }
                params.push((name.clone(), decode_segment(part)));
            }
            Seg::Mixed {
                prefix,
                name,
                suffix,
            } => {
                let middle = part
                    .strip_prefix(prefix.as_str())
                    .and_then(|m| m.strip_suffix(suffix.as_str()))
                    .filter(|m| !m.is_empty())?;
                params.push((name.clone(), decode_segment(middle)));
            }
            Seg::Query(_) => {}
        }
    }
    Some(params)
}

pub fn parse_query(q: Option<&str>) -> Vec<(String, String)> {
    q.map(|q| {
        form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    })
    .unwrap_or_default()
}

pub use covenant_spec::style::{Coerce, coerce, coercions};

/// The JSON types schema `s` (of view `root`) allows, as the runner reads them
/// too ([`covenant_spec::style::collect_types`]: through `$ref`s, `allOf`/`anyOf`/
/// `oneOf`, `enum` and `const`); empty means any.
pub fn types_of(root: &Value, s: &Value) -> Vec<String> {
    let mut out = Vec::new();
    style::collect_types(root, s, &mut out, 0);
    out.sort();
    out.dedup();
    out
}

/// A parameter of an operation, compiled: where to find it, how its text is
/// written (`covenant_spec::style`), how to turn its pieces into JSON, and its
/// schema.
pub struct Param {
    pub name: String,
    pub location: ParameterLocation,
    required: bool,
    validator: Option<jsonschema::Validator>,
    style: String,
    explode: bool,
    kind: Kind,
    /// Types to try, in order, when turning a scalar's text into JSON.
    coerce: Vec<Coerce>,
    /// The same for an array's items.
    items: Vec<Coerce>,
    /// An object's members and their coercions (an exploded query object's pairs
    /// are the ones named like its members).
    members: BTreeMap<String, Vec<Coerce>>,
    member_names: Vec<String>,
    /// `deepObject`: the parameter's view; its value is the object of
    /// `name[member]` pairs (`name[a][b]` nesting), each read by its member's types.
    deep: Option<Value>,
}

/// Where a request's parameters come from.
pub struct Sources<'a> {
    pub path: &'a [(String, String)],
    pub query: &'a [(String, String)],
    pub headers: &'a HeaderMap,
}

impl Param {
    pub fn compile(spec: &Spec, p: &covenant_spec::Parameter) -> Result<Param, String> {
        let mut deep = None;
        let mut kind = Kind::Primitive;
        let mut items = vec![Coerce::String];
        let mut members = BTreeMap::new();
        let (validator, coerce) = match &p.schema {
            Some(site) => {
                let js = spec.json_schema(site);
                let root = covenant_spec::pointer::deref(&js, &js);
                if p.style == "deepObject" {
                    deep = Some(js.clone());
                }
                let types = types_of(&js, root);
                kind = Kind::of(&types);
                if kind == Kind::Primitive && types.is_empty() && root.get("properties").is_some() {
                    kind = Kind::Object;
                }
                match kind {
                    Kind::Array => {
                        items = coercions(
                            &root
                                .get("items")
                                .map(|i| types_of(&js, i))
                                .unwrap_or_default(),
                        );
                    }
                    Kind::Object => {
                        if let Some(Value::Object(props)) = root.get("properties") {
                            for (k, s) in props {
                                members.insert(k.clone(), coercions(&types_of(&js, s)));
                            }
                        }
                    }
                    Kind::Primitive => {}
                }
                let v = spec
                    .compile(site)
                    .map_err(|e| format!("parameter {}: {e}", p.name))?;
                (Some(v), coercions(&types))
            }
            None => (None, vec![Coerce::String]),
        };
        Ok(Param {
            name: p.name.clone(),
            location: p.location,
            required: p.required,
            validator,
            style: p.style.clone(),
            explode: p.explode,
            kind,
            coerce,
            items,
            member_names: members.keys().cloned().collect(),
            members,
            deep,
        })
    }

    /// The parameter's value in the request, checked against its schema: `None`
    /// when the request does not carry it. What is wrong is added to `errors`.
    pub fn read(&self, from: &Sources<'_>, errors: &mut Vec<FieldError>) -> Option<Value> {
        if let (Some(view), ParameterLocation::Query) = (&self.deep, self.location)
            && let Some(obj) = covenant_spec::form::read_member(view, view, &self.name, from.query)
        {
            self.check(&obj, errors);
            return Some(obj);
        }
        let same = |s: &str| s.to_string();
        let text = |t: &str| {
            style::read(
                &self.style,
                self.explode,
                &self.name,
                self.kind,
                Source::Text(t),
                &same,
            )
        };
        let read = match self.location {
            ParameterLocation::Path => from
                .path
                .iter()
                .find(|(n, _)| *n == self.name)
                .and_then(|(_, v)| text(v)),
            ParameterLocation::Query => style::read(
                &self.style,
                self.explode,
                &self.name,
                self.kind,
                Source::Pairs {
                    pairs: from.query,
                    members: &self.member_names,
                },
                &same,
            ),
            ParameterLocation::Header => {
                let mut lines = Vec::new();
                for v in from.headers.get_all(self.name.as_str()) {
                    match v.to_str() {
                        Ok(s) => lines.push(s.to_string()),
                        Err(_) => errors.push(FieldError::parameter(
                            &self.name,
                            "type",
                            "the header value is not visible ASCII",
                        )),
                    }
                }
                // Repeated header lines are one comma-separated list (RFC 9110).
                (!lines.is_empty())
                    .then(|| text(&lines.join(",")))
                    .flatten()
            }
            ParameterLocation::Cookie => return None,
        };
        let Some(read) = read else {
            if self.required {
                errors.push(FieldError::parameter(
                    &self.name,
                    "required",
                    format!(
                        "{} parameter {} is required",
                        loc_name(self.location),
                        self.name
                    ),
                ));
            }
            return None;
        };
        let value = if self.style == style::JSON {
            read
        } else {
            style::typed(read, &self.coerce, &self.items, &|m| {
                self.members
                    .get(m)
                    .cloned()
                    .unwrap_or_else(|| vec![Coerce::String])
            })
        };
        self.check(&value, errors);
        Some(value)
    }

    /// What is wrong with `value` against the parameter's schema, into `errors`.
    fn check(&self, value: &Value, errors: &mut Vec<FieldError>) {
        if let Some(v) = &self.validator {
            for viol in violations(v, value) {
                errors.push(FieldError::parameter(
                    &self.name,
                    &viol.keyword,
                    viol.message,
                ));
            }
        }
    }
}

fn loc_name(l: ParameterLocation) -> &'static str {
    l.as_str()
}

/// Whether an Accept header value admits `content_type`.
pub fn accepts(accept: &str, content_type: &str) -> bool {
    let want = covenant_spec::ir::essence(content_type);
    let (want_type, want_sub) = want.split_once('/').unwrap_or((&want, ""));
    accept.split(',').any(|range| {
        let mut parts = range.split(';');
        let r = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let zero_q = parts.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q == 0.0)
        });
        if zero_q {
            return false;
        }
        let (t, s) = r.split_once('/').unwrap_or((&r, ""));
        (t == "*" && s == "*") || (t == want_type && (s == "*" || s == want_sub))
    })
}

/// Nesting depth: 0 for a scalar, 1 for a flat array or object. (serde_json's
/// recursion limit, 128, bounds the recursion.)
pub fn depth(v: &Value) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(members) => 1 + members.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// The byte offset where nesting first exceeds `max`, if it does.
pub fn too_deep(body: &[u8], max: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in body.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Integers past 64 bits are still integers (Schemathesis sends them).
    #[test]
    fn huge_integers_read_as_numbers() {
        let how = coercions(&["integer".to_string()]);
        assert_eq!(coerce("42", &how), Value::from(42));
        assert_eq!(coerce("18446744073709551615", &how), Value::from(u64::MAX));
        assert!(coerce("-564610377427207963279360", &how).is_number());
        assert!(coerce("12x", &how).is_string());
    }

    #[test]
    fn depth_and_accept() {
        let depth_of = |text: &str| depth(&serde_json::from_str(text).expect("JSON"));
        assert_eq!(depth_of("1"), 0);
        assert_eq!(depth_of(r#"{"a": [1, {"b": []}]}"#), 4);
        assert_eq!(depth_of("[[], [[[]]]]"), 4);

        assert_eq!(too_deep(b"[[[]]]", 3), None);
        assert_eq!(too_deep(b"[[[[]]]]", 3), Some(3));
        assert_eq!(too_deep(br#"{"a":"[[[[[["}"#, 2), None);

        assert!(accepts(
            "application/json",
            "application/json; charset=utf-8"
        ));
        assert!(accepts("text/html, */*;q=0.1", "application/json"));
        assert!(accepts("application/*", "application/json"));
        assert!(!accepts("text/html", "application/json"));
        assert!(!accepts("application/json;q=0", "application/json"));
    }

    #[test]
    fn coercion() {
        assert_eq!(coerce("12", &[Coerce::Integer]), Value::from(12));
        assert_eq!(coerce("x", &[Coerce::Integer]), Value::from("x"));
        assert_eq!(coerce("true", &[Coerce::Boolean]), Value::Bool(true));
        assert_eq!(coerce("1.5", &[Coerce::Number]), serde_json::json!(1.5));
    }
}
