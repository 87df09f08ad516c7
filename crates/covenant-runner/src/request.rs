//! A request as the runner generates, shrinks, sends and reproduces it: parameters
//! and body kept as JSON values (so the shrinker can cut them and negative pointers
//! refer into them), rendered to URL, headers and bytes only when sent.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use covenant_spec::Method;
use covenant_spec::style::Written;

/// Which credentials a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMode {
    /// The configured credentials of the first satisfiable security requirement.
    Valid,
    /// No credentials at all.
    Missing,
    /// Well-formed but wrong credentials.
    Wrong,
}

/// One request, before rendering.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Request {
    pub method: Method,
    /// The path template, e.g. `/customers/{id}/identifications`.
    pub path: String,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub path_params: Map<String, Value>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub query: Map<String, Value>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub headers: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    pub auth: AuthMode,
    /// A flaw the body is sent with (bad-body cases); applied only when rendered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flaw: Option<BodyFlaw>,
    /// Members of a multipart body sent as file parts, with each part's media
    /// type (a PNG, a PDF, ... is sent as a small valid file of that type).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, String>,
    /// Query parameters not written in OpenAPI's default style (`form`,
    /// exploded): their `(style, explode)`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub query_styles: BTreeMap<String, (String, bool)>,
    /// Path parameters not written in the default style (`simple`): their
    /// `(style, explode)` (`label`, `matrix`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub path_styles: BTreeMap<String, (String, bool)>,
    /// Header parameters not written in the default style (`simple`,
    /// unexploded): their `(style, explode)` (an exploded object, or JSON
    /// content).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub header_styles: BTreeMap<String, (String, bool)>,
    /// A urlencoded body's members not written by the default rules: their
    /// `(style, explode)` from the `encoding` object ([`covenant_spec::form`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub form_styles: covenant_spec::form::Styles,
}

/// The boundary of the multipart bodies the runner sends (fixed: reproductions are
/// byte for byte what was sent).
pub const BOUNDARY: &str = "covenant-7MA4YWxkTrZu0gW";

/// How a body is written, by its media type.
fn encoding(content_type: Option<&str>) -> &'static str {
    let essence = content_type.map(covenant_spec::ir::essence);
    match essence.as_deref() {
        Some("application/x-www-form-urlencoded") => "urlencoded",
        Some("multipart/form-data") => "multipart",
        _ => "json",
    }
}

/// How a bad-body case breaks the request body's framing (its content stays valid).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyFlaw {
    /// The body is sent without a Content-Type header.
    NoContentType,
    /// The body is sent under a media type the operation does not document.
    MediaType(String),
    /// The body is not JSON: `{` followed by the valid body's text, which no JSON
    /// text can parse as.
    Malformed,
    /// A required body is not sent at all.
    Missing,
}

impl Request {
    /// A bare request: no parameters, body or credentials issue, default styles.
    pub fn new(method: Method, path: &str) -> Request {
        Request {
            method,
            path: path.to_string(),
            path_params: Map::new(),
            query: Map::new(),
            headers: Map::new(),
            body: None,
            content_type: None,
            auth: AuthMode::Valid,
            flaw: None,
            files: BTreeMap::new(),
            query_styles: BTreeMap::new(),
            path_styles: BTreeMap::new(),
            header_styles: BTreeMap::new(),
            form_styles: BTreeMap::new(),
        }
    }

    /// Size used to compare reproductions: bytes of the rendered parameters and body.
    pub fn size(&self) -> usize {
        let params: usize = [&self.path_params, &self.query, &self.headers]
            .iter()
            .flat_map(|m| m.iter())
            .map(|(k, v)| k.len() + scalar(v).len())
            .sum();
        params + self.body.as_ref().map(|b| b.to_string().len()).unwrap_or(0)
    }

    /// The path with parameters substituted (percent-encoded as a path segment);
    /// a literal query in the path key (`/checks/latest?type=TIN`) is left to
    /// [`Request::path_and_query`].
    pub fn rendered_path(&self) -> String {
        let mut out = self
            .path
            .split_once('?')
            .map_or(self.path.as_str(), |(p, _)| p)
            .to_string();
        for (name, v) in &self.path_params {
            let (style, explode) = self
                .path_styles
                .get(name)
                .map(|(s, e)| (s.as_str(), *e))
                .unwrap_or(("simple", false));
            // A label's items are separated by `.`: a `.` inside one is escaped.
            let set = if style == "label" { LABEL } else { SEGMENT };
            let escape = |s: &str| percent_encoding::utf8_percent_encode(s, set).to_string();
            let text = match covenant_spec::style::write(style, explode, name, v, &escape) {
                Written::Text(t) => t,
                Written::Pairs(p) => p.into_iter().map(|(_, v)| escape(&v)).collect(),
            };
            out = out.replace(&format!("{{{name}}}"), &text);
        }
        out
    }

    /// Query pairs, each parameter in its style (`covenant_spec::style`): `form`
    /// exploded by default (arrays as repeated names, objects as their members),
    /// `form` unexploded (`a,b`; objects `k,v,k2,v2`), `spaceDelimited` and
    /// `pipeDelimited`, and `deepObject` (`name[k]=v`, `covenant_spec::form::write_member`).
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (k, v) in &self.query {
            let (style, explode) = self
                .query_styles
                .get(k)
                .map(|(s, e)| (s.as_str(), *e))
                .unwrap_or(("form", true));
            if style == "deepObject" && v.is_object() {
                covenant_spec::form::write_member(k, v, &mut out);
                continue;
            }
            match covenant_spec::style::write(style, explode, k, v, &|s| s.to_string()) {
                Written::Pairs(pairs) => out.extend(pairs),
                Written::Text(t) => out.push((k.clone(), t)),
            }
        }
        out
    }

    /// `path?query` with the query form-encoded.
    pub fn path_and_query(&self) -> String {
        let path = self.rendered_path();
        // The path key's literal query first, as the spec wrote it.
        let mut pairs: Vec<(String, String)> = self
            .path
            .split_once('?')
            .map(|(_, q)| {
                form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        pairs.extend(self.query_pairs());
        if pairs.is_empty() {
            return path;
        }
        let q: Vec<String> = pairs
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    percent_encoding::utf8_percent_encode(k, QUERY),
                    percent_encoding::utf8_percent_encode(v, QUERY)
                )
            })
            .collect();
        format!("{path}?{}", q.join("&"))
    }

    /// Header pairs, in the `simple` style (arrays and objects joined with `,`,
    /// an exploded object's members as `name=value`) or as JSON text.
    pub fn header_pairs(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .map(|(k, v)| {
                let (style, explode) = self
                    .header_styles
                    .get(k)
                    .map(|(s, e)| (s.as_str(), *e))
                    .unwrap_or(("simple", false));
                let s = match covenant_spec::style::write(style, explode, k, v, &|s| s.to_string())
                {
                    Written::Text(t) => t,
                    Written::Pairs(p) => p.into_iter().map(|(_, v)| v).collect(),
                };
                (k.clone(), s)
            })
            .collect()
    }

    /// The body bytes (compact JSON; see [`BodyFlaw::Malformed`]).
    pub fn body_bytes(&self) -> Option<Vec<u8>> {
        if self.flaw == Some(BodyFlaw::Missing) {
            return None;
        }
        let body = self.body.as_ref()?;
        match encoding(self.content_type.as_deref()) {
            "urlencoded" => return Some(urlencoded(body, &self.form_styles).into_bytes()),
            "multipart" => return Some(multipart(body, &self.files)),
            _ => {}
        }
        let text = Some(body.to_string());
        match (&self.flaw, text) {
            (Some(BodyFlaw::Malformed), text) => {
                Some(format!("{{{}", text.unwrap_or_default()).into_bytes())
            }
            (_, text) => text.map(String::into_bytes),
        }
    }

    /// The Content-Type header a body is sent with (`None`: no header).
    pub fn content_type_header(&self) -> Option<String> {
        match &self.flaw {
            Some(BodyFlaw::NoContentType) => None,
            Some(BodyFlaw::MediaType(m)) => Some(m.clone()),
            _ => {
                let ct = self
                    .content_type
                    .clone()
                    .unwrap_or_else(|| "application/json".into());
                Some(if encoding(Some(&ct)) == "multipart" {
                    format!("multipart/form-data; boundary={BOUNDARY}")
                } else {
                    ct
                })
            }
        }
    }
}

/// What a file part of `media` holding `value` carries: a small valid file of that
/// type where one is known ([`covenant_spec::files::sample`]), so a server that
/// checks magic bytes sees what the spec promised; else the generated text.
pub fn file_content(media: &str, value: &Value) -> Vec<u8> {
    match covenant_spec::files::sample(media) {
        Some(bytes) if value.is_string() => bytes.to_vec(),
        _ => scalar(value).into_bytes(),
    }
}

/// A form body as `application/x-www-form-urlencoded`, by the shared rules of
/// [`covenant_spec::form`] (nested objects in brackets, arrays of scalars as
/// repeated names, arrays of objects indexed; `styles` from the `encoding` object).
fn urlencoded(body: &Value, styles: &covenant_spec::form::Styles) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in covenant_spec::form::write_styled(body, styles) {
        out.append_pair(&k, &v);
    }
    out.finish()
}

/// A form body as `multipart/form-data` ([`BOUNDARY`]): one part per member (an
/// array's items as repeated parts), objects as JSON parts, `files` as file parts
/// of their media type (see [`file_content`]).
fn multipart(body: &Value, files: &BTreeMap<String, String>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut part = |name: &str, value: &Value| {
        out.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let head = if let Some(media) = files.get(name) {
            let ext = covenant_spec::files::extension(media);
            format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{name}.{ext}\"\r\nContent-Type: {media}\r\n"
            )
        } else if value.is_object() || value.is_array() {
            format!(
                "Content-Disposition: form-data; name=\"{name}\"\r\nContent-Type: application/json\r\n"
            )
        } else {
            format!("Content-Disposition: form-data; name=\"{name}\"\r\n")
        };
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(b"\r\n");
        match (files.get(name), value) {
            (Some(media), Value::String(_)) => {
                out.extend_from_slice(&file_content(media, value));
            }
            (_, Value::Object(_) | Value::Array(_)) => {
                out.extend_from_slice(value.to_string().as_bytes())
            }
            (_, other) => out.extend_from_slice(scalar(other).as_bytes()),
        }
        out.extend_from_slice(b"\r\n");
    };
    if let Value::Object(m) = body {
        for (k, v) in m {
            match v {
                Value::Array(items) if !items.iter().any(|i| i.is_object() || i.is_array()) => {
                    for i in items {
                        part(k, i);
                    }
                }
                other => part(k, other),
            }
        }
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

pub use covenant_spec::style::scalar;

const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
const QUERY: &percent_encoding::AsciiSet = SEGMENT;
/// [`SEGMENT`] with `.` escaped too: a label path parameter's separator.
const LABEL: &percent_encoding::AsciiSet = &SEGMENT.add(b'.');

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_path_query_and_headers() {
        let r = Request {
            method: Method::Post,
            path: "/customers/{id}/x".into(),
            path_params: json!({"id": "a b/c"}).as_object().unwrap().clone(),
            query: json!({"draft": true, "tags": ["x", "y&z"]})
                .as_object()
                .unwrap()
                .clone(),
            headers: json!({"X-N": 5}).as_object().unwrap().clone(),
            body: Some(json!({"a": 1})),
            content_type: Some("application/json".into()),
            auth: AuthMode::Valid,
            flaw: None,
            files: BTreeMap::new(),
            query_styles: BTreeMap::new(),
            path_styles: BTreeMap::new(),
            header_styles: BTreeMap::new(),
            form_styles: BTreeMap::new(),
        };
        assert_eq!(
            r.path_and_query(),
            "/customers/a%20b%2Fc/x?draft=true&tags=x&tags=y%26z"
        );
        assert_eq!(r.header_pairs(), vec![("X-N".to_string(), "5".to_string())]);
        let styled = Request {
            query: json!({"ids": [1, 2], "f": {"type": "a b"}, "p": ["x", "y"]})
                .as_object()
                .unwrap()
                .clone(),
            query_styles: BTreeMap::from([
                ("ids".to_string(), ("form".to_string(), false)),
                ("f".to_string(), ("deepObject".to_string(), true)),
                ("p".to_string(), ("pipeDelimited".to_string(), false)),
            ]),
            path_styles: BTreeMap::new(),
            ..r.clone()
        };
        assert_eq!(
            styled.path_and_query(),
            "/customers/a%20b%2Fc/x?ids=1%2C2&f%5Btype%5D=a%20b&p=x%7Cy"
        );
        assert_eq!(r.body_bytes().unwrap(), b"{\"a\":1}");
        assert!(r.size() > 0);
        let bare = Request {
            flaw: Some(BodyFlaw::NoContentType),
            ..r.clone()
        };
        assert_eq!(bare.content_type_header(), None);
        let broken = Request {
            flaw: Some(BodyFlaw::Malformed),
            ..r.clone()
        };
        let bytes = broken.body_bytes().unwrap();
        assert!(serde_json::from_slice::<Value>(&bytes).is_err());
        let form = Request {
            content_type: Some("application/x-www-form-urlencoded".into()),
            body: Some(json!({"a": 1, "t": ["x", "y z"], "m": {"k": true}})),
            ..r.clone()
        };
        assert_eq!(form.body_bytes().unwrap(), b"a=1&t=x&t=y+z&m%5Bk%5D=true");
        let upload = Request {
            content_type: Some("multipart/form-data".into()),
            body: Some(json!({"file": "PNG", "type": "passport"})),
            files: [("file".to_string(), "image/png".to_string())].into(),
            ..r.clone()
        };
        let text = String::from_utf8_lossy(&upload.body_bytes().unwrap()).into_owned();
        assert!(
            text.contains(
                "name=\"file\"; filename=\"file.png\"\r\nContent-Type: image/png\r\n\r\n\u{fffd}PNG"
            ),
            "{text}"
        );
        assert!(text.ends_with(&format!("--{BOUNDARY}--\r\n")), "{text}");
        assert_eq!(
            upload.content_type_header().unwrap(),
            format!("multipart/form-data; boundary={BOUNDARY}")
        );
    }
}
