//! The HTTP vocabulary of an OpenAPI document: the path-item keys that are
//! operations ([`METHODS`], [`Method`]), where a parameter is sent
//! ([`ParameterLocation`]), response keys ([`StatusCode`]) and media types
//! ([`essence`], [`is_json_media_type`]). A leaf: it imports nothing from the crate,
//! so the loader, the extension parser and the IR can all use it.

use std::fmt;

/// The operation keys of a path item, in the order OpenAPI lists them.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    pub(crate) fn parse(s: &str) -> Option<Method> {
        Some(match s {
            "get" => Method::Get,
            "put" => Method::Put,
            "post" => Method::Post,
            "delete" => Method::Delete,
            "options" => Method::Options,
            "head" => Method::Head,
            "patch" => Method::Patch,
            "trace" => Method::Trace,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ParameterLocation {
    Path,
    Query,
    Header,
    Cookie,
}

impl ParameterLocation {
    /// The name OpenAPI gives it (`in: query`).
    pub fn as_str(self) -> &'static str {
        match self {
            ParameterLocation::Path => "path",
            ParameterLocation::Query => "query",
            ParameterLocation::Header => "header",
            ParameterLocation::Cookie => "cookie",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<ParameterLocation> {
        Some(match s {
            "path" => ParameterLocation::Path,
            "query" => ParameterLocation::Query,
            "header" => ParameterLocation::Header,
            "cookie" => ParameterLocation::Cookie,
            _ => return None,
        })
    }
}

/// `application/json; charset=utf-8` -> `application/json`.
pub fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

pub fn is_json_media_type(media_type: &str) -> bool {
    let e = essence(media_type);
    e == "application/json" || e.ends_with("+json")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StatusCode {
    Code(u16),
    /// `2XX` is `Range(2)`.
    Range(u16),
    Default,
}

impl StatusCode {
    pub(crate) fn parse(s: &str) -> Option<StatusCode> {
        if s == "default" {
            return Some(StatusCode::Default);
        }
        if s.len() == 3 && s[1..].eq_ignore_ascii_case("XX") {
            return s[..1]
                .parse()
                .ok()
                .filter(|c| (1..=5).contains(c))
                .map(StatusCode::Range);
        }
        s.parse()
            .ok()
            .filter(|c| (100..=599).contains(c))
            .map(StatusCode::Code)
    }

    pub fn is_success(self) -> bool {
        match self {
            StatusCode::Code(c) => (200..300).contains(&c),
            StatusCode::Range(c) => c == 2,
            StatusCode::Default => false,
        }
    }

    /// Whether an actual status `code` is covered by this entry.
    pub fn matches(self, code: u16) -> bool {
        match self {
            StatusCode::Code(c) => c == code,
            StatusCode::Range(c) => code / 100 == c,
            StatusCode::Default => true,
        }
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusCode::Code(c) => write!(f, "{c}"),
            StatusCode::Range(c) => write!(f, "{c}XX"),
            StatusCode::Default => f.write_str("default"),
        }
    }
}
