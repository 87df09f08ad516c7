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
            body: Bytes::from(serde_json::to_vec(body).unwrap_or_default()),
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
