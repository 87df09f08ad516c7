//! Form request bodies (`application/x-www-form-urlencoded`, `multipart/form-data`)
//! read into the JSON object their schema describes, so the same validator judges
//! them as a JSON body. Urlencoded bodies are read by `covenant_spec::form` (the
//! runner's own rules: nested brackets, repeated names, indexed arrays). Multipart
//! parts: text turned into the property's type the way parameters are
//! ([`crate::request::coerce`]); a repeated name is an array; `a[b]=v` is a nested
//! member; a part sent as JSON is parsed as JSON; a file part's content is read as
//! text (lossily).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::request::{Coerce, coerce, coercions, types_of};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    UrlEncoded,
    Multipart,
}

impl FormKind {
    /// The form kind of a media type's essence, if it is one.
    pub fn of(essence: &str) -> Option<FormKind> {
        match essence {
            "application/x-www-form-urlencoded" => Some(FormKind::UrlEncoded),
            "multipart/form-data" => Some(FormKind::Multipart),
            _ => None,
        }
    }
}

/// How to read one top-level property's text.
#[derive(Debug, Clone, Default)]
struct Prop {
    coerce: Vec<Coerce>,
    /// Item coercions, when the property is an array.
    items: Option<Vec<Coerce>>,
    /// Member coercions, when the property is an object.
    members: BTreeMap<String, Vec<Coerce>>,
    /// An object (or array of objects): a multipart part of it is JSON even
    /// without a Content-Type, OpenAPI's default for such parts.
    structured: bool,
}

/// A form body's shape, compiled from its schema view.
#[derive(Debug, Clone)]
pub struct FormShape {
    pub kind: FormKind,
    props: BTreeMap<String, Prop>,
    /// The body's view: urlencoded bodies are read by `covenant_spec::form`.
    view: std::sync::Arc<Value>,
    /// Urlencoded members' styles, from the media type's `encoding` object.
    styles: covenant_spec::form::Styles,
}

impl FormShape {
    pub fn compile(kind: FormKind, view: &Value, styles: covenant_spec::form::Styles) -> FormShape {
        let mut props = BTreeMap::new();
        for (name, ps) in covenant_spec::view::object_properties(view, view) {
            let types = types_of(view, ps);
            let items = types.iter().any(|t| t == "array").then(|| {
                coercions(
                    &ps.get("items")
                        .map(|i| types_of(view, i))
                        .unwrap_or_default(),
                )
            });
            let members = ps
                .get("properties")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, s)| (k.clone(), coercions(&types_of(view, s))))
                        .collect()
                })
                .unwrap_or_default();
            let items_object = ps
                .get("items")
                .map(|i| types_of(view, i).iter().any(|t| t == "object"))
                .unwrap_or(false);
            // An object by its type, or by the properties it composes (`allOf`).
            let structured = types.iter().any(|t| t == "object")
                || items_object
                || !covenant_spec::view::object_properties(view, ps).is_empty();
            props.insert(
                name.to_string(),
                Prop {
                    coerce: coercions(&types),
                    items,
                    members,
                    structured,
                },
            );
        }
        FormShape {
            kind,
            props,
            view: std::sync::Arc::new(view.clone()),
            styles,
        }
    }

    /// The body as a JSON object. `content_type` is the request's header (multipart
    /// needs its boundary). Errors say what is malformed.
    pub fn read(&self, content_type: &str, body: &[u8]) -> Result<Value, String> {
        let fields = match self.kind {
            FormKind::UrlEncoded => {
                let pairs: Vec<(String, String)> = form_urlencoded::parse(body)
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                return Ok(covenant_spec::form::read_styled(
                    &self.view,
                    &pairs,
                    &self.styles,
                ));
            }
            FormKind::Multipart => multipart(content_type, body)?,
        };
        let mut out = Map::new();
        for f in fields {
            let (name, member) = split_deep(&f.name);
            let prop = self.props.get(name).cloned().unwrap_or_default();
            let json_part = f.json || (self.kind == FormKind::Multipart && prop.structured);
            let value = if json_part {
                serde_json::from_str(&f.value)
                    .map_err(|e| format!("part `{name}` is not valid JSON: {e}"))?
            } else if let Some(m) = member {
                let how = prop
                    .members
                    .get(m)
                    .cloned()
                    .unwrap_or_else(|| vec![Coerce::String]);
                let entry = out
                    .entry(name.to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(obj) = entry {
                    obj.insert(m.to_string(), coerce(&f.value, &how));
                }
                continue;
            } else {
                coerce(&f.value, prop.items.as_deref().unwrap_or(&prop.coerce))
            };
            match (out.get_mut(name), prop.items.is_some()) {
                (Some(Value::Array(a)), _) => a.push(value),
                (Some(prev), _) => {
                    let first = prev.take();
                    *prev = Value::Array(vec![first, value]);
                }
                (None, true) => {
                    out.insert(name.to_string(), Value::Array(vec![value]));
                }
                (None, false) => {
                    out.insert(name.to_string(), value);
                }
            }
        }
        Ok(Value::Object(out))
    }
}

/// `a[b]` -> (`a`, Some(`b`)); `a[]` and `a` -> (`a`, None).
fn split_deep(name: &str) -> (&str, Option<&str>) {
    match name.split_once('[') {
        Some((head, rest)) => {
            let inner = rest.strip_suffix(']').unwrap_or(rest);
            (head, (!inner.is_empty()).then_some(inner))
        }
        None => (name, None),
    }
}

struct Field {
    name: String,
    value: String,
    /// Sent as a JSON part (`Content-Type: application/json`).
    json: bool,
}

/// The parts of a multipart/form-data body (RFC 7578).
fn multipart(content_type: &str, body: &[u8]) -> Result<Vec<Field>, String> {
    let boundary = content_type
        .split(';')
        .skip(1)
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
        .filter(|b| !b.is_empty())
        .ok_or("the multipart Content-Type has no boundary")?;
    let delimiter = format!("--{boundary}");
    let text = body;
    let mut fields = Vec::new();
    let mut pieces = split_bytes(text, delimiter.as_bytes()).into_iter();
    // Before the first delimiter: the preamble, ignored.
    if pieces.next().is_none() {
        return Err("the multipart body has no parts".into());
    }
    let mut closed = false;
    for piece in pieces {
        if piece.starts_with(b"--") {
            closed = true;
            break;
        }
        let piece = piece.strip_prefix(b"\r\n").unwrap_or(piece);
        let piece = piece.strip_suffix(b"\r\n").unwrap_or(piece);
        let split = find(piece, b"\r\n\r\n")
            .ok_or("a multipart part has no blank line after its headers")?;
        let head = String::from_utf8_lossy(&piece[..split]);
        let content = &piece[split + 4..];
        let mut name = None;
        let mut json = false;
        for line in head.split("\r\n") {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                name = v
                    .split(';')
                    .filter_map(|p| p.trim().split_once('='))
                    .find(|(k, _)| k.trim() == "name")
                    .map(|(_, v)| v.trim().trim_matches('"').to_string());
            } else if k.trim().eq_ignore_ascii_case("content-type") {
                json = covenant_spec::ir::essence(v.trim()).ends_with("json");
            }
        }
        let name = name.ok_or("a multipart part has no name in its Content-Disposition")?;
        fields.push(Field {
            name,
            value: String::from_utf8_lossy(content).into_owned(),
            json,
        });
    }
    if !closed {
        return Err("the multipart body does not end with its closing delimiter".into());
    }
    Ok(fields)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn split_bytes<'a>(hay: &'a [u8], sep: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = hay;
    while let Some(i) = find(rest, sep) {
        out.push(&rest[..i]);
        rest = &rest[i + sep.len()..];
    }
    out.push(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn shape(kind: FormKind) -> FormShape {
        FormShape::compile(
            kind,
            &json!({"type": "object", "properties": {
                "age": {"type": "integer"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "meta": {"type": "object", "properties": {"n": {"type": "integer"}}},
                "file": {"type": "string", "format": "binary"},
                "name": {"type": "string"}
            }}),
            Default::default(),
        )
    }

    #[test]
    fn urlencoded_bodies_read_as_their_schema_says() {
        let v = shape(FormKind::UrlEncoded)
            .read(
                "application/x-www-form-urlencoded",
                b"age=7&tags=a&tags=b&meta%5Bn%5D=3&name=x+y&other=z",
            )
            .unwrap();
        assert_eq!(
            v,
            json!({"age": 7, "tags": ["a", "b"], "meta": {"n": 3}, "name": "x y", "other": "z"})
        );
        // A value that is not of its type stays text, for the validator to name.
        let v = shape(FormKind::UrlEncoded)
            .read("application/x-www-form-urlencoded", b"age=old")
            .unwrap();
        assert_eq!(v, json!({"age": "old"}));
    }

    #[test]
    fn multipart_bodies_read_with_files_and_json_parts() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"age\"\r\n\r\n41\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nPNGDATA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"n\":2}\r\n--XyZ--\r\n";
        let v = shape(FormKind::Multipart)
            .read("multipart/form-data; boundary=XyZ", body)
            .unwrap();
        assert_eq!(v, json!({"age": 41, "file": "PNGDATA", "meta": {"n": 2}}));
        // An object part is JSON even without its Content-Type.
        let bare = b"--XyZ\r\nContent-Disposition: form-data; name=\"meta\"\r\n\r\n{\"n\":5}\r\n--XyZ--\r\n";
        let v = shape(FormKind::Multipart)
            .read("multipart/form-data; boundary=XyZ", bare)
            .unwrap();
        assert_eq!(v, json!({"meta": {"n": 5}}));
        for (ct, body) in [
            ("multipart/form-data", &body[..]),
            (
                "multipart/form-data; boundary=XyZ",
                b"--XyZ\r\nno blank line",
            ),
            (
                "multipart/form-data; boundary=XyZ",
                b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n",
            ),
        ] {
            assert!(shape(FormKind::Multipart).read(ct, body).is_err(), "{ct}");
        }
    }
}
