//! The engine's request and answer: [`Incoming`] in, [`Outgoing`] out. The engine
//! knows nothing of the HTTP server; the server turns hyper's types into these and
//! back.

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};
use serde_json::Value;

/// A request as the engine sees it (body already read within the limit).
pub struct Incoming {
    pub method: http::Method,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// An answer.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub status: u16,
    /// `None` for an answer without a body, or when the spec's media type is not a
    /// valid header value.
    pub content_type: Option<HeaderValue>,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Outgoing {
    /// An answer whose body is already serialised.
    pub fn bytes(status: u16, content_type: HeaderValue, body: Bytes) -> Outgoing {
        Outgoing {
            status,
            content_type: Some(content_type),
            headers: Vec::new(),
            body,
        }
    }

    pub fn json(status: u16, content_type: &str, body: &Value) -> Outgoing {
        Outgoing {
            status,
            content_type: media_header(content_type),
            headers: Vec::new(),
            body: json_bytes(body),
        }
    }

    /// An answer without a body.
    pub fn empty(status: u16) -> Outgoing {
        Outgoing {
            status,
            content_type: None,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }
}

/// A JSON answer body. Numbers that hold a whole value are written as integers
/// (`406642790835455997031363903488`, not `4.06642790835456e+29`; `3`, not
/// `3.0`): a client that reads `integer` strictly would otherwise see a float
/// where the schema says integer (JSON itself makes no such difference).
pub fn json_bytes(value: &Value) -> Bytes {
    let mut out = Vec::with_capacity(128);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, WholeNumbers);
    match serde::Serialize::serialize(value, &mut ser) {
        Ok(()) => Bytes::from(out),
        Err(_) => Bytes::new(),
    }
}

struct WholeNumbers;

impl serde_json::ser::Formatter for WholeNumbers {
    fn write_f64<W: ?Sized + std::io::Write>(&mut self, w: &mut W, v: f64) -> std::io::Result<()> {
        if v.is_finite() && v.fract() == 0.0 {
            write!(w, "{v:.0}")
        } else {
            serde_json::ser::CompactFormatter.write_f64(w, v)
        }
    }
}

/// `media_type` as a header value. The usual ones are static, so an answer's
/// `Content-Type` costs neither an allocation nor a shared reference count.
pub fn media_header(media_type: &str) -> Option<HeaderValue> {
    const COMMON: [&str; 4] = [
        "application/json",
        "application/problem+json",
        "application/json; charset=utf-8",
        "text/plain",
    ];
    match COMMON.iter().find(|c| **c == media_type) {
        Some(c) => Some(HeaderValue::from_static(c)),
        None => HeaderValue::from_str(media_type).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_written_as_integers() {
        let v: Value =
            serde_json::from_str(r#"{"a":406642790835455997031363903488,"b":3.0,"c":0.5,"d":-2}"#)
                .unwrap();
        let text = String::from_utf8(json_bytes(&v).to_vec()).unwrap();
        assert!(!text.contains('e') && !text.contains("3.0"), "{text}");
        assert!(
            text.contains(r#""c":0.5"#) && text.contains(r#""d":-2"#),
            "{text}"
        );
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["a"].as_f64(), v["a"].as_f64());
    }

    /// Media types become `Content-Type` values; one that is not a valid header value
    /// is left out rather than sent broken.
    #[test]
    fn media_types_become_header_values() {
        for (media_type, expected) in [
            ("application/json", Some("application/json")),
            ("application/problem+json", Some("application/problem+json")),
            (
                "application/vnd.api+json; charset=utf-8",
                Some("application/vnd.api+json; charset=utf-8"),
            ),
            ("text/plain\r\nx-injected: 1", None),
        ] {
            let got = media_header(media_type);
            assert_eq!(
                got.as_ref().and_then(|v| v.to_str().ok()),
                expected,
                "{media_type:?}"
            );
        }
    }
}
