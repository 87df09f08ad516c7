//! One violation, recorded cheaply and rendered on demand.
//!
//! Validating an invalid payload used to cost three or four allocations per violation
//! (pointer, message, the rendered value). A violation now keeps its pointer and the
//! offending value in inline strings (no allocation up to 24 bytes) and the rule's
//! arguments as plain data; [`ValidationError::message`] renders the text when asked,
//! the way `jsonschema` keeps an error kind and formats it on `Display`.

use std::borrow::Cow;
use std::fmt;

use compact_str::CompactString;

use crate::formats::Format;
use crate::shown::{self, Literal, Shown};

/// One way a value fails its constraints.
///
/// ```
/// use covenant_validate::ValidationError;
/// let e = ValidationError::new("/documents/0/type", "enum", "\"x\" is not one of [\"a\"]");
/// assert_eq!(e.pointer(), "/documents/0/type");
/// assert_eq!(e.keyword(), "enum");
/// assert_eq!(e.message(), "\"x\" is not one of [\"a\"]");
/// assert_eq!(e.to_string(), "/documents/0/type: \"x\" is not one of [\"a\"] (enum)");
/// ```
#[derive(Clone)]
pub struct ValidationError {
    pointer: CompactString,
    keyword: Cow<'static, str>,
    detail: Detail,
}

impl ValidationError {
    /// A violation with its text given (custom checks, deserialisation failures).
    pub fn new(
        pointer: impl Into<String>,
        keyword: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> ValidationError {
        ValidationError {
            pointer: CompactString::from(pointer.into()),
            keyword: keyword.into(),
            detail: Detail::Text(message.into()),
        }
    }

    pub(crate) fn recorded(
        pointer: CompactString,
        keyword: &'static str,
        detail: Detail,
    ) -> ValidationError {
        ValidationError {
            pointer,
            keyword: Cow::Borrowed(keyword),
            detail,
        }
    }

    /// JSON Pointer of the offending value, with wire names (`/documents/0/type`);
    /// for `required`, the pointer of the missing property; `""` for the root.
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// The JSON Schema keyword that failed (`minLength`, `pattern`, `enum`, ...).
    pub fn keyword(&self) -> &str {
        &self.keyword
    }

    /// The human message, e.g. `has 5 characters, fewer than the minimum of 6`.
    /// Rendered on each call (only a message given as text is borrowed).
    pub fn message(&self) -> Cow<'_, str> {
        match &self.detail {
            Detail::Text(t) => Cow::Borrowed(t),
            d => Cow::Owned(d.to_string()),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "(root)"
        } else {
            &self.pointer
        };
        write!(f, "{at}: {} ({})", self.detail, self.keyword)
    }
}

impl fmt::Debug for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValidationError")
            .field("pointer", &self.pointer())
            .field("keyword", &self.keyword())
            .field("message", &self.message())
            .finish()
    }
}

/// Two violations are equal when they read the same (however they were recorded).
impl PartialEq for ValidationError {
    fn eq(&self, other: &Self) -> bool {
        self.pointer == other.pointer
            && self.keyword == other.keyword
            && self.message() == other.message()
    }
}

impl Eq for ValidationError {}

/// The wire form, `{"pointer", "keyword", "message"}`.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename = "ValidationError")]
struct Wire<'a> {
    pointer: Cow<'a, str>,
    keyword: Cow<'a, str>,
    message: Cow<'a, str>,
}

impl serde::Serialize for ValidationError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Wire {
            pointer: Cow::Borrowed(self.pointer()),
            keyword: Cow::Borrowed(self.keyword()),
            message: self.message(),
        }
        .serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for ValidationError {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = Wire::deserialize(d)?;
        Ok(ValidationError::new(
            w.pointer.into_owned(),
            w.keyword.into_owned(),
            w.message.into_owned(),
        ))
    }
}

/// What failed, as the rule's arguments; [`fmt::Display`] writes the message.
#[derive(Debug, Clone)]
pub(crate) enum Detail {
    Text(String),
    TooShort {
        n: usize,
        min: usize,
        unit: &'static str,
    },
    TooLong {
        n: usize,
        max: usize,
        unit: &'static str,
    },
    Bound {
        x: f64,
        b: f64,
        kind: BoundKind,
    },
    MultipleOf {
        x: f64,
        by: f64,
    },
    NoMatch {
        value: Quoted,
        pattern: &'static str,
    },
    BrokenPattern {
        pattern: &'static str,
    },
    Format {
        value: Quoted,
        format: Format,
    },
    NotOneOf {
        value: Scalar,
        allowed: &'static [Literal],
    },
    Undocumented {
        value: Quoted,
    },
    Duplicate {
        i: usize,
        j: usize,
    },
    Forbidden {
        name: &'static str,
    },
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum BoundKind {
    Minimum,
    Maximum,
    ExclusiveMinimum,
    ExclusiveMaximum,
}

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Detail::Text(t) => f.write_str(t),
            Detail::TooShort { n, min, unit } => {
                write!(f, "has {n} {unit}, fewer than the minimum of {min}")
            }
            Detail::TooLong { n, max, unit } => {
                write!(f, "has {n} {unit}, more than the maximum of {max}")
            }
            Detail::Bound { x, b, kind } => match kind {
                BoundKind::Minimum => write!(f, "{x} is less than the minimum of {b}"),
                BoundKind::Maximum => write!(f, "{x} is greater than the maximum of {b}"),
                BoundKind::ExclusiveMinimum => write!(f, "{x} is not greater than {b}"),
                BoundKind::ExclusiveMaximum => write!(f, "{x} is not less than {b}"),
            },
            Detail::MultipleOf { x, by } => write!(f, "{x} is not a multiple of {by}"),
            Detail::NoMatch { value, pattern } => write!(f, "{value} does not match {pattern:?}"),
            Detail::BrokenPattern { pattern } => {
                write!(f, "the pattern {pattern:?} does not compile")
            }
            Detail::Format { value, format } => {
                write!(f, "{value} is not a valid {}", format.name())
            }
            Detail::NotOneOf { value, allowed } => {
                write!(f, "{value} is not one of [")?;
                for (i, l) in allowed.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}{l}")?;
                }
                f.write_str("]")
            }
            Detail::Undocumented { value } => {
                write!(f, "{value} is not one of the documented values")
            }
            Detail::Duplicate { i, j } => write!(f, "items {i} and {j} are equal"),
            Detail::Forbidden { name } => {
                write!(f, "property {name:?} is not allowed on this object")
            }
        }
    }
}

/// An offending string kept for its message: cut after [`Shown::MAX_CHARS`]
/// characters (a huge value does not make a huge message), inline when short.
#[derive(Debug, Clone, PartialEq)]
pub struct Quoted {
    head: CompactString,
    /// The whole value's length in characters when it was cut.
    cut_from: Option<usize>,
}

impl Quoted {
    pub fn new(s: &str) -> Quoted {
        match shown::cut(s, Shown::MAX_CHARS) {
            None => Quoted {
                head: CompactString::new(s),
                cut_from: None,
            },
            Some((head, n)) => Quoted {
                head: CompactString::new(head),
                cut_from: Some(n),
            },
        }
    }
}

/// Quoted and escaped as [`Shown`] writes it.
impl fmt::Display for Quoted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.cut_from {
            None => write!(f, "{:?}", self.head.as_str()),
            Some(n) => write!(f, "{:?}... ({n} characters)", self.head.as_str()),
        }
    }
}

/// A value outside an `enum`, as its violation shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Str(Quoted),
    Int(i64),
    UInt(u64),
    F32(f32),
    F64(f64),
    Bool(bool),
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Str(q) => q.fmt(f),
            Scalar::Int(i) => i.fmt(f),
            Scalar::UInt(u) => u.fmt(f),
            Scalar::F32(x) => x.fmt(f),
            Scalar::F64(x) => x.fmt(f),
            Scalar::Bool(b) => b.fmt(f),
        }
    }
}
