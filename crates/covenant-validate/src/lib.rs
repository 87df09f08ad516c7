//! Runtime of covenant's derive validators.
//!
//! Generated model crates (and hand-written types) derive [`Validate`] with
//! `#[derive(covenant_validate::Validate)]`; the derive turns `#[validate(...)]`
//! attributes (the schemars-compatible subset, see `covenant-validate-derive`) into
//! calls to the checks in [`rules`]. Validation never stops at the first problem: every
//! violation is collected with the JSON Pointer of the offending value written with the
//! *wire* names (serde renames, array indices, map keys), the JSON Schema keyword that
//! failed, and a human message.
//!
//! [`from_value`]/[`from_slice`] combine deserialisation (which catches type, required,
//! enum and unknown-tag errors, one at a time as serde stops at the first) with
//! validation (which catches all remaining constraint violations).
//!
//! [`Nullable`] keeps absent, `null` and present apart for optional nullable fields.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

pub use covenant_validate_derive::Validate;

// Lets the derive's `::covenant_validate` paths resolve inside this crate's own tests.
extern crate self as covenant_validate;

mod error;
mod export;
pub mod formats;
mod nullable;
mod path;
pub mod rules;
pub mod serde_helpers;
mod shown;

pub use error::{Quoted, Scalar, ValidationError};
pub use export::export_schema;
pub use nullable::Nullable;
pub use path::Path;

/// Re-exported so generated code compiles patterns with the same engine (ECMA-262).
pub use regress;

/// Every violation found in one value, in the order they were found; reads as a
/// slice (`errors[0]`, `errors.len()`, `errors.iter()`).
///
/// The list is the only allocation a typical violation needs: pointers and
/// offending values up to 24 bytes are held inline (see [`ValidationError`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors(
    Vec<ValidationError>,
    /// `Some(n)` while [`Validate::is_valid`] runs: violations are only counted,
    /// without rendering their pointer or message.
    Option<usize>,
);

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Wraps violations found elsewhere.
    pub fn from_vec(errors: Vec<ValidationError>) -> Self {
        ValidationErrors(errors, None)
    }

    /// The violations, as a `Vec`.
    pub fn into_vec(self) -> Vec<ValidationError> {
        self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty() && self.1.unwrap_or(0) == 0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, ValidationError> {
        self.0.iter()
    }

    /// Records a violation at `at` with its message given as text.
    pub fn add(&mut self, at: &Path<'_>, keyword: &'static str, message: impl Into<String>) {
        self.0.push(ValidationError::recorded(
            at.compact_pointer(),
            keyword,
            error::Detail::Text(message.into()),
        ));
    }

    /// Records a rule's violation as data, its message rendered only when read
    /// (nothing at all while [`Validate::is_valid`] merely counts).
    #[inline]
    pub(crate) fn record(
        &mut self,
        at: &Path<'_>,
        keyword: &'static str,
        detail: impl FnOnce() -> error::Detail,
    ) {
        match &mut self.1 {
            Some(n) => *n += 1,
            None => self.0.push(ValidationError::recorded(
                at.compact_pointer(),
                keyword,
                detail(),
            )),
        }
    }

    /// `true` once a violation was counted while [`Validate::is_valid`] runs: the
    /// walk may stop, the answer is known. Always `false` when collecting.
    #[inline]
    pub fn settled(&self) -> bool {
        self.1.is_some_and(|n| n > 0) || (self.1.is_some() && !self.0.is_empty())
    }

    /// Records a violation at `at` whose message is built only if it is kept (not
    /// while [`Validate::is_valid`] merely counts).
    #[inline]
    pub fn add_with(
        &mut self,
        at: &Path<'_>,
        keyword: &'static str,
        message: impl FnOnce() -> String,
    ) {
        match &mut self.1 {
            Some(n) => *n += 1,
            None => self.add(at, keyword, message()),
        }
    }

    /// `Ok(())` when nothing was recorded.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

impl IntoIterator for ValidationErrors {
    type Item = ValidationError;
    type IntoIter = std::vec::IntoIter<ValidationError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a ValidationErrors {
    type Item = &'a ValidationError;
    type IntoIter = std::slice::Iter<'a, ValidationError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl std::ops::Deref for ValidationErrors {
    type Target = [ValidationError];
    fn deref(&self) -> &[ValidationError] {
        &self.0
    }
}

/// A JSON array of `{"pointer", "keyword", "message"}`.
impl serde::Serialize for ValidationErrors {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter())
    }
}

impl<'de> serde::Deserialize<'de> for ValidationErrors {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<ValidationError>::deserialize(d).map(ValidationErrors::from_vec)
    }
}

/// A value that can check its own constraints.
pub trait Validate {
    /// Records every violation of `self` (located at `at`) into `errors`.
    fn validate_into(&self, at: &Path<'_>, errors: &mut ValidationErrors);

    /// Whether `self` satisfies every constraint: the same walk as [`Validate::validate`]
    /// without rendering pointers or messages (the accept/reject answer only).
    fn is_valid(&self) -> bool {
        let mut errors = ValidationErrors(Vec::new(), Some(0));
        self.validate_into(&Path::Root, &mut errors);
        errors.is_empty()
    }

    /// Every violation, or `Ok(())`.
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        self.validate_into(&Path::Root, &mut errors);
        errors.into_result()
    }
}

macro_rules! no_constraints {
    ($($t:ty),* $(,)?) => {
        $(impl Validate for $t {
            #[inline]
            fn validate_into(&self, _: &Path<'_>, _: &mut ValidationErrors) {}
        })*
    };
}

no_constraints!(
    (),
    bool,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    f32,
    f64,
    String,
    str,
    serde_json::Value,
    serde_json::Map<String, serde_json::Value>,
    uuid::Uuid,
    chrono::NaiveDate,
    chrono::DateTime<chrono::FixedOffset>,
    chrono::DateTime<chrono::Utc>,
);

impl<T: Validate + ?Sized> Validate for &T {
    fn validate_into(&self, at: &Path<'_>, errors: &mut ValidationErrors) {
        (**self).validate_into(at, errors)
    }
}

impl<T: Validate + ?Sized> Validate for Box<T> {
    fn validate_into(&self, at: &Path<'_>, errors: &mut ValidationErrors) {
        (**self).validate_into(at, errors)
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate_into(&self, at: &Path<'_>, errors: &mut ValidationErrors) {
        if let Some(v) = self {
            v.validate_into(at, errors)
        }
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate_into(&self, at: &Path<'_>, errors: &mut ValidationErrors) {
        for (i, v) in self.iter().enumerate() {
            v.validate_into(&at.index(i), errors);
            if errors.settled() {
                return;
            }
        }
    }
}

impl<T: Validate> Validate for [T] {
    fn validate_into(&self, at: &Path<'_>, errors: &mut ValidationErrors) {
        for (i, v) in self.iter().enumerate() {
            v.validate_into(&at.index(i), errors);
            if errors.settled() {
                return;
            }
        }
    }
}

impl<T: Validate> Validate for BTreeMap<String, T> {
    fn validate_into(&self, at: &Path<'_>, errors: &mut ValidationErrors) {
        for (k, v) in self {
            v.validate_into(&at.key(k), errors);
            if errors.settled() {
                return;
            }
        }
    }
}

impl<T: Validate, S> Validate for HashMap<String, T, S> {
    fn validate_into(&self, at: &Path<'_>, errors: &mut ValidationErrors) {
        // Sorted so the order of violations is stable.
        let mut entries: Vec<(&String, &T)> = self.iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        for (k, v) in entries {
            v.validate_into(&at.key(k), errors);
            if errors.settled() {
                return;
            }
        }
    }
}

/// Deserialises `value` into `T` and validates it. A deserialisation failure gives one
/// violation (serde stops at the first), located by `serde_path_to_error` and
/// classified as `required`, `enum`, `type`, `additionalProperties` or `format`;
/// a successful deserialisation gives every constraint violation.
pub fn from_value<T>(value: &serde_json::Value) -> Result<T, ValidationErrors>
where
    T: serde::de::DeserializeOwned + Validate,
{
    let t: T = serde_path_to_error::deserialize(value).map_err(de_error)?;
    t.validate()?;
    Ok(t)
}

/// Deserialises `value` as `T` and serialises it back (no validation): the
/// round-trip that generated model crates expose per exported type.
pub fn round_trip<T>(value: &serde_json::Value) -> Result<serde_json::Value, String>
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    <T as serde::Deserialize>::deserialize(value)
        .and_then(serde_json::to_value)
        .map_err(|e| e.to_string())
}

/// Like [`from_value`], from JSON text.
pub fn from_slice<T>(json: &[u8]) -> Result<T, ValidationErrors>
where
    T: serde::de::DeserializeOwned + Validate,
{
    let mut de = serde_json::Deserializer::from_slice(json);
    let t: T = serde_path_to_error::deserialize(&mut de).map_err(de_error)?;
    de.end().map_err(|e| {
        ValidationErrors::from_vec(vec![ValidationError::new("", "type", e.to_string())])
    })?;
    t.validate()?;
    Ok(t)
}

fn de_error<E: fmt::Display>(e: serde_path_to_error::Error<E>) -> ValidationErrors {
    let mut at = String::new();
    for seg in e.path().iter() {
        match seg {
            serde_path_to_error::Segment::Seq { index } => {
                at.push_str(&Path::Root.index(*index).to_string());
            }
            serde_path_to_error::Segment::Map { key } => {
                at.push_str(&Path::Root.key(key).to_string());
            }
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {}
        }
    }
    let message = e.inner().to_string();
    let keyword = classify(&message);
    if keyword == "required" || keyword == "additionalProperties" {
        // serde names the field in the message; point at it.
        if let Some(name) = message.split('`').nth(1) {
            at.push_str(&Path::Root.key(name).to_string());
        }
    }
    ValidationErrors::from_vec(vec![ValidationError::new(at, keyword, bounded(message))])
}

/// serde quotes the offending value in its message (`unknown variant `...``); a huge
/// value is cut so the message stays small, as the rules' messages do.
fn bounded(message: String) -> String {
    match shown::cut(&message, 300) {
        None => message,
        Some((head, n)) => format!("{head}... ({n} characters)"),
    }
}

/// Maps serde_json's error texts to the JSON Schema keyword they correspond to.
fn classify(message: &str) -> &'static str {
    if message.starts_with("missing field") {
        "required"
    } else if message.starts_with("unknown field") {
        "additionalProperties"
    } else if message.starts_with("unknown variant")
        || message.contains("did not match any variant")
    {
        "enum"
    } else if message.contains("premature end of input")
        || message.contains("input contains invalid characters")
        || message.contains("invalid character")
        || message.contains("UUID")
    {
        "format"
    } else {
        "type"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_render_and_serialize() {
        let mut errors = ValidationErrors::new();
        let ab = Path::Root.key("a/b");
        errors.add(&ab.index(3), "minLength", "too short");
        errors.add(&Path::Root, "required", "x is required");
        assert_eq!(
            errors.to_string(),
            "/a~1b/3: too short (minLength); (root): x is required (required)"
        );
        let json = serde_json::to_value(&errors).unwrap();
        assert_eq!(
            json,
            serde_json::json!([
                {"pointer": "/a~1b/3", "keyword": "minLength", "message": "too short"},
                {"pointer": "", "keyword": "required", "message": "x is required"}
            ])
        );
    }

    #[test]
    fn collections_locate_items() {
        #[derive(Debug)]
        struct Short(&'static str);
        impl Validate for Short {
            fn validate_into(&self, at: &Path<'_>, errors: &mut ValidationErrors) {
                rules::length(self.0, Some(2), None, at, errors);
            }
        }
        let mut m = BTreeMap::new();
        m.insert("k~".to_string(), vec![Short("ok"), Short("x")]);
        let errors = m.validate().unwrap_err();
        assert_eq!(errors.0.len(), 1);
        assert_eq!(errors.0[0].pointer(), "/k~0/1");
        assert_eq!(errors.0[0].keyword(), "minLength");
    }

    #[test]
    fn sibling_paths_do_not_leak_into_each_other() {
        struct Short(&'static str);
        impl Validate for Short {
            fn validate_into(&self, at: &Path<'_>, errors: &mut ValidationErrors) {
                rules::length(self.0, Some(2), None, at, errors);
            }
        }
        let items: Vec<Short> = (0..12)
            .map(|i| Short(if i == 11 { "x" } else { "ok" }))
            .collect();
        for _ in 0..3 {
            let e = items.validate().unwrap_err();
            assert_eq!(e.0.len(), 1);
            assert_eq!(
                e.0[0].pointer(),
                "/11",
                "two-digit index, no leftover from earlier calls"
            );
            assert!(vec![Short("ok")].validate().is_ok());
            let e = vec![Short("x")].validate().unwrap_err();
            assert_eq!(e.0[0].pointer(), "/0");
        }
    }

    #[test]
    fn enum_violation_still_names_value_and_choices() {
        let mut errors = ValidationErrors::new();
        const ALLOWED: &[rules::Literal] = &[rules::Literal::Int(1), rules::Literal::Int(2)];
        rules::enumeration(&Some(7i64), ALLOWED, &Path::Root, &mut errors);
        rules::enumeration(&Some(2i64), ALLOWED, &Path::Root, &mut errors);
        rules::enumeration(&None::<i64>, ALLOWED, &Path::Root, &mut errors);
        rules::enumeration(
            &Nullable::Present(false),
            &[rules::Literal::Bool(true)],
            &Path::Root,
            &mut errors,
        );
        let messages: Vec<String> = errors.iter().map(|e| e.message().into_owned()).collect();
        assert_eq!(
            messages,
            ["7 is not one of [1, 2]", "false is not one of [true]"]
        );
    }

    /// A huge value outside an enum makes a message of bounded size, as for the
    /// other rules (the value is cut after `Shown::MAX_CHARS` characters).
    #[test]
    fn enum_violation_messages_cut_long_values() {
        let mut errors = ValidationErrors::new();
        let huge = "x".repeat(10_000);
        rules::enumeration(
            huge.as_str(),
            &[rules::Literal::Str("a")],
            &Path::Root,
            &mut errors,
        );
        let message = errors.0[0].message();
        assert!(message.len() < 200, "{} bytes", message.len());
        assert!(message.contains("(10000 characters)"), "{message}");
        assert!(message.ends_with("is not one of [\"a\"]"), "{message}");
    }

    #[test]
    fn deserialisation_messages_cut_long_values() {
        #[derive(Debug, serde::Deserialize)]
        enum Kind {
            #[allow(dead_code)]
            A,
        }
        impl Validate for Kind {
            fn validate_into(&self, _: &Path<'_>, _: &mut ValidationErrors) {}
        }
        let huge = "x".repeat(10_000);
        let e = from_value::<Vec<Kind>>(&serde_json::json!([huge])).unwrap_err();
        assert_eq!(e.0[0].keyword(), "enum");
        assert_eq!(e.0[0].pointer(), "/0");
        assert!(
            e.0[0].message().len() < 400,
            "{} bytes",
            e.0[0].message().len()
        );
        assert!(
            e.0[0].message().starts_with("unknown variant `xxx"),
            "{}",
            e.0[0].message()
        );
    }

    #[test]
    fn deserialisation_errors_are_located() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Inner {
            name: String,
        }
        impl Validate for Inner {
            fn validate_into(&self, _: &Path<'_>, _: &mut ValidationErrors) {}
        }
        let e = from_value::<Vec<Inner>>(&serde_json::json!([{"name": "a"}, {}])).unwrap_err();
        assert_eq!(e.0[0].pointer(), "/1/name");
        assert_eq!(e.0[0].keyword(), "required");
        let e = from_value::<Vec<Inner>>(&serde_json::json!([{"name": 1}])).unwrap_err();
        assert_eq!(e.0[0].pointer(), "/0/name");
        assert_eq!(e.0[0].keyword(), "type");
        let e = from_slice::<Vec<Inner>>(b"[] x").unwrap_err();
        assert_eq!(e.0[0].keyword(), "type");
    }
}
