//! The checks `#[derive(Validate)]` expands to. Each takes the field by reference,
//! skips absent values (`None`, [`Nullable::Absent`]/[`Nullable::Null`]), and records a
//! violation with the JSON Schema keyword that failed.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::error::{BoundKind, Detail};
use crate::formats::Format;
pub use crate::shown::{Literal, Shown};
use crate::{Nullable, Path, Quoted, Scalar, ValidationErrors};

/// What a length counts: code points of a string, items of an array, properties of an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthKind {
    Chars,
    Items,
    Properties,
}

/// Values with a JSON Schema length.
pub trait Lengthy {
    fn length(&self) -> Option<(usize, LengthKind)>;
}

impl Lengthy for str {
    fn length(&self) -> Option<(usize, LengthKind)> {
        // JSON Schema counts Unicode code points, not bytes.
        Some((self.chars().count(), LengthKind::Chars))
    }
}
impl Lengthy for String {
    fn length(&self) -> Option<(usize, LengthKind)> {
        self.as_str().length()
    }
}
impl<T> Lengthy for Vec<T> {
    fn length(&self) -> Option<(usize, LengthKind)> {
        Some((self.len(), LengthKind::Items))
    }
}
impl<V> Lengthy for BTreeMap<String, V> {
    fn length(&self) -> Option<(usize, LengthKind)> {
        Some((self.len(), LengthKind::Properties))
    }
}
impl Lengthy for serde_json::Map<String, serde_json::Value> {
    fn length(&self) -> Option<(usize, LengthKind)> {
        Some((self.len(), LengthKind::Properties))
    }
}

/// Values that are numbers.
pub trait Numeric {
    fn number(&self) -> Option<f64>;
}

macro_rules! numeric {
    ($($t:ty),*) => {$(
        impl Numeric for $t {
            #[inline]
            fn number(&self) -> Option<f64> { Some(*self as f64) }
        }
    )*};
}
numeric!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);

/// Values that are strings.
pub trait Textual {
    fn text(&self) -> Option<&str>;
}
impl Textual for str {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}
impl Textual for String {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}

/// Values comparable with enum literals.
pub trait Enumerable {
    /// `None` when absent; else whether the value is one of `allowed`. Renders
    /// nothing: the happy path allocates nothing.
    fn matches_one_of(&self, allowed: &[Literal]) -> Option<bool>;

    /// `None` when absent; else the value as a violation shows it.
    fn shown(&self) -> Option<Scalar>;
}

impl Enumerable for str {
    fn matches_one_of(&self, allowed: &[Literal]) -> Option<bool> {
        Some(
            allowed
                .iter()
                .any(|l| matches!(l, Literal::Str(s) if *s == self)),
        )
    }
    fn shown(&self) -> Option<Scalar> {
        Some(Scalar::Str(Quoted::new(self)))
    }
}
impl Enumerable for String {
    fn matches_one_of(&self, allowed: &[Literal]) -> Option<bool> {
        self.as_str().matches_one_of(allowed)
    }
    fn shown(&self) -> Option<Scalar> {
        self.as_str().shown()
    }
}
impl Enumerable for bool {
    fn matches_one_of(&self, allowed: &[Literal]) -> Option<bool> {
        Some(allowed.contains(&Literal::Bool(*self)))
    }
    fn shown(&self) -> Option<Scalar> {
        Some(Scalar::Bool(*self))
    }
}
macro_rules! enumerable_number {
    ($($t:ty => $scalar:ident as $as:ty),*) => {$(
        impl Enumerable for $t {
            fn matches_one_of(&self, allowed: &[Literal]) -> Option<bool> {
                let x = *self as f64;
                Some(allowed.iter().any(|l| match l {
                    Literal::Int(i) => *i as f64 == x,
                    Literal::Float(f) => *f == x,
                    _ => false,
                }))
            }
            fn shown(&self) -> Option<Scalar> {
                Some(Scalar::$scalar(*self as $as))
            }
        }
    )*};
}
enumerable_number!(
    i8 => Int as i64,
    i16 => Int as i64,
    i32 => Int as i64,
    i64 => Int as i64,
    u8 => UInt as u64,
    u16 => UInt as u64,
    u32 => UInt as u64,
    u64 => UInt as u64,
    f32 => F32 as f32,
    f64 => F64 as f64
);

/// Values whose items can be checked for uniqueness (JSON equality).
pub trait Items {
    fn duplicate(&self) -> Option<Option<(usize, usize)>>;
}
impl<T: serde::Serialize> Items for Vec<T> {
    fn duplicate(&self) -> Option<Option<(usize, usize)>> {
        let values: Vec<serde_json::Value> = self
            .iter()
            .map(|v| serde_json::to_value(v).unwrap_or(serde_json::Value::Null))
            .collect();
        for i in 0..values.len() {
            for j in i + 1..values.len() {
                if json_equal(&values[i], &values[j]) {
                    return Some(Some((i, j)));
                }
            }
        }
        Some(None)
    }
}

/// JSON Schema equality: numbers compare by value (1 == 1.0).
fn json_equal(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value::*;
    match (a, b) {
        (Number(x), Number(y)) => x.as_f64() == y.as_f64(),
        (Array(x), Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_equal(a, b))
        }
        (Object(x), Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// Values that are JSON objects (maps keyed by property name).
pub trait Keyed {
    /// `None` when the value is not an object.
    fn has_key(&self, name: &str) -> Option<bool>;
}
impl<V> Keyed for BTreeMap<String, V> {
    fn has_key(&self, name: &str) -> Option<bool> {
        Some(self.contains_key(name))
    }
}
impl<V, S: std::hash::BuildHasher> Keyed for std::collections::HashMap<String, V, S> {
    fn has_key(&self, name: &str) -> Option<bool> {
        Some(self.contains_key(name))
    }
}
impl Keyed for serde_json::Map<String, serde_json::Value> {
    fn has_key(&self, name: &str) -> Option<bool> {
        Some(self.contains_key(name))
    }
}
impl Keyed for serde_json::Value {
    fn has_key(&self, name: &str) -> Option<bool> {
        self.as_object().map(|m| m.contains_key(name))
    }
}

// Wrappers forward to the present value.
macro_rules! forward {
    ($trait:ident, $method:ident, $ret:ty $(, $arg:ident : $argt:ty)*) => {
        impl<T: $trait + ?Sized> $trait for &T {
            fn $method(&self $(, $arg: $argt)*) -> $ret { (**self).$method($($arg),*) }
        }
        impl<T: $trait + ?Sized> $trait for Box<T> {
            fn $method(&self $(, $arg: $argt)*) -> $ret { (**self).$method($($arg),*) }
        }
        impl<T: $trait> $trait for Option<T> {
            fn $method(&self $(, $arg: $argt)*) -> $ret { self.as_ref().and_then(|v| v.$method($($arg),*)) }
        }
        impl<T: $trait> $trait for Nullable<T> {
            fn $method(&self $(, $arg: $argt)*) -> $ret { self.as_ref().and_then(|v| v.$method($($arg),*)) }
        }
    };
}
forward!(Lengthy, length, Option<(usize, LengthKind)>);
forward!(Numeric, number, Option<f64>);
forward!(Textual, text, Option<&str>);
forward!(Keyed, has_key, Option<bool>, name: &str);
// Written out (not `forward!`) so wrappers forward both methods.
macro_rules! forward_enumerable {
    ($($wrapper:ty),*) => {$(
        impl<T: Enumerable + ?Sized> Enumerable for $wrapper {
            fn matches_one_of(&self, allowed: &[Literal]) -> Option<bool> {
                (**self).matches_one_of(allowed)
            }
            fn shown(&self) -> Option<Scalar> {
                (**self).shown()
            }
        }
    )*};
}
forward_enumerable!(&T, Box<T>);
impl<T: Enumerable> Enumerable for Option<T> {
    fn matches_one_of(&self, allowed: &[Literal]) -> Option<bool> {
        self.as_ref().and_then(|v| v.matches_one_of(allowed))
    }
    fn shown(&self) -> Option<Scalar> {
        self.as_ref().and_then(|v| v.shown())
    }
}
impl<T: Enumerable> Enumerable for Nullable<T> {
    fn matches_one_of(&self, allowed: &[Literal]) -> Option<bool> {
        self.as_ref().and_then(|v| v.matches_one_of(allowed))
    }
    fn shown(&self) -> Option<Scalar> {
        self.as_ref().and_then(|v| v.shown())
    }
}
forward!(Items, duplicate, Option<Option<(usize, usize)>>);

/// `minLength`/`maxLength` (strings, in code points), `minItems`/`maxItems` (arrays),
/// `minProperties`/`maxProperties` (maps).
pub fn length<V: Lengthy + ?Sized>(
    v: &V,
    min: Option<usize>,
    max: Option<usize>,
    at: &Path<'_>,
    errors: &mut ValidationErrors,
) {
    let Some((n, kind)) = v.length() else { return };
    let (lo, hi, unit) = match kind {
        LengthKind::Chars => ("minLength", "maxLength", "characters"),
        LengthKind::Items => ("minItems", "maxItems", "items"),
        LengthKind::Properties => ("minProperties", "maxProperties", "properties"),
    };
    if let Some(min) = min
        && n < min
    {
        errors.record(at, lo, || Detail::TooShort { n, min, unit });
    }
    if let Some(max) = max
        && n > max
    {
        errors.record(at, hi, || Detail::TooLong { n, max, unit });
    }
}

/// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`.
pub fn range<V: Numeric + ?Sized>(
    v: &V,
    min: Option<f64>,
    max: Option<f64>,
    exclusive_min: Option<f64>,
    exclusive_max: Option<f64>,
    at: &Path<'_>,
    errors: &mut ValidationErrors,
) {
    let Some(x) = v.number() else { return };
    if let Some(b) = min
        && x < b
    {
        errors.record(at, "minimum", || Detail::Bound {
            x,
            b,
            kind: BoundKind::Minimum,
        });
    }
    if let Some(b) = max
        && x > b
    {
        errors.record(at, "maximum", || Detail::Bound {
            x,
            b,
            kind: BoundKind::Maximum,
        });
    }
    if let Some(b) = exclusive_min
        && x <= b
    {
        errors.record(at, "exclusiveMinimum", || Detail::Bound {
            x,
            b,
            kind: BoundKind::ExclusiveMinimum,
        });
    }
    if let Some(b) = exclusive_max
        && x >= b
    {
        errors.record(at, "exclusiveMaximum", || Detail::Bound {
            x,
            b,
            kind: BoundKind::ExclusiveMaximum,
        });
    }
}

/// `multipleOf`, with the same tolerance for float division as the `jsonschema` crate.
pub fn multiple_of<V: Numeric + ?Sized>(
    v: &V,
    by: f64,
    at: &Path<'_>,
    errors: &mut ValidationErrors,
) {
    let Some(x) = v.number() else { return };
    let ok = if x.fract() == 0.0 && by.fract() == 0.0 {
        (x % by) == 0.0
    } else {
        let q = x / by;
        q.is_finite() && (q - q.round()).abs() < f64::EPSILON * q.abs().max(1.0) * 4.0
    };
    if !ok {
        errors.record(at, "multipleOf", || Detail::MultipleOf { x, by });
    }
}

/// A pattern compiled once, on first use, with ECMA-262 semantics (`regress`).
/// The derive checks at compile time that the pattern compiles.
///
/// Patterns that are a plain literal, optionally anchored (`^DE`, `_v2$`, `^abc$`,
/// `kyc_`), are answered with `starts_with`/`ends_with`/`==`/`contains`: the same
/// answer ECMA-262 gives (without the `m` flag `^` and `$` match only at the ends of
/// the input), without running the backtracking engine, which allocates per call.
pub struct Pattern {
    source: &'static str,
    compiled: OnceLock<Option<Matcher>>,
}

enum Matcher {
    Literal {
        text: String,
        start: bool,
        end: bool,
    },
    Regex(regress::Regex),
}

impl Matcher {
    fn new(source: &str) -> Option<Matcher> {
        if let Some(m) = Matcher::literal(source) {
            return Some(m);
        }
        regress::Regex::new(source).ok().map(Matcher::Regex)
    }

    /// `Some` when `source` is `^?literal$?` with no metacharacter in the literal.
    fn literal(source: &str) -> Option<Matcher> {
        let (start, rest) = match source.strip_prefix('^') {
            Some(r) => (true, r),
            None => (false, source),
        };
        let (end, text) = match rest.strip_suffix('$') {
            Some(t) => (true, t),
            None => (false, rest),
        };
        let meta = |c: char| "\\^$.|?*+()[]{}".contains(c);
        if text.chars().any(meta) {
            return None;
        }
        Some(Matcher::Literal {
            text: text.to_string(),
            start,
            end,
        })
    }

    #[inline]
    fn is_match(&self, s: &str) -> bool {
        match self {
            Matcher::Literal { text, start, end } => match (start, end) {
                (true, true) => s == text,
                (true, false) => s
                    .as_bytes()
                    .get(..text.len())
                    .is_some_and(|head| same_bytes(head, text.as_bytes())),
                (false, true) => s
                    .len()
                    .checked_sub(text.len())
                    .is_some_and(|at| same_bytes(&s.as_bytes()[at..], text.as_bytes())),
                (false, false) => s.contains(text.as_str()),
            },
            Matcher::Regex(r) => r.find(s).is_some(),
        }
    }
}

/// `a == b` for slices of equal length; a byte loop for the short literals patterns
/// anchor on (`^DE`), where a call to `memcmp` would cost more than the comparison.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if b.len() <= 16 {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
    } else {
        a == b
    }
}

impl Pattern {
    pub const fn new(source: &'static str) -> Self {
        Pattern {
            source,
            compiled: OnceLock::new(),
        }
    }

    pub fn as_str(&self) -> &'static str {
        self.source
    }

    /// JSON Schema patterns are not anchored: a match anywhere counts.
    /// `None` if the pattern does not compile (the derive rules that out).
    #[inline]
    pub fn is_match(&self, s: &str) -> Option<bool> {
        self.compiled
            .get_or_init(|| Matcher::new(self.source))
            .as_ref()
            .map(|m| m.is_match(s))
    }
}

impl std::fmt::Display for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.source)
    }
}

/// `pattern`.
#[inline]
pub fn pattern<V: Textual + ?Sized>(
    v: &V,
    p: &'static Pattern,
    at: &Path<'_>,
    errors: &mut ValidationErrors,
) {
    let Some(s) = v.text() else { return };
    match p.is_match(s) {
        Some(true) => {}
        Some(false) => errors.record(at, "pattern", || Detail::NoMatch {
            value: Quoted::new(s),
            pattern: p.as_str(),
        }),
        None => errors.record(at, "pattern", || Detail::BrokenPattern {
            pattern: p.as_str(),
        }),
    }
}

/// `format`.
pub fn format<V: Textual + ?Sized>(v: &V, f: Format, at: &Path<'_>, errors: &mut ValidationErrors) {
    let Some(s) = v.text() else { return };
    if !f.check(s) {
        errors.record(at, "format", || Detail::Format {
            value: Quoted::new(s),
            format: f,
        });
    }
}

/// `enum` (and single-value enums, the OpenAPI 3.0 spelling of `const`).
pub fn enumeration<V: Enumerable + ?Sized>(
    v: &V,
    allowed: &'static [Literal],
    at: &Path<'_>,
    errors: &mut ValidationErrors,
) {
    // Render the value only on a violation: the happy path allocates nothing.
    if v.matches_one_of(allowed) != Some(false) {
        return;
    }
    // Kept as data (the value and the list), rendered only when the message is read.
    errors.record(at, "enum", || Detail::NotOneOf {
        value: v.shown().unwrap_or(Scalar::Bool(false)),
        allowed,
    });
}

/// `uniqueItems`.
pub fn unique_items<V: Items + ?Sized>(v: &V, at: &Path<'_>, errors: &mut ValidationErrors) {
    if let Some(Some((i, j))) = v.duplicate() {
        errors.record(at, "uniqueItems", || Detail::Duplicate { i, j });
    }
}

/// `not: {anyOf: [{required: [a]}, {required: [b]}, ...]}` (or `not: {required: [a]}`):
/// the object carries none of `names`. One violation per property present, keyword
/// `not`, located at the object (where JSON Schema reports `not`).
pub fn forbidden_properties<V: Keyed + ?Sized>(
    v: &V,
    names: &'static [&'static str],
    at: &Path<'_>,
    errors: &mut ValidationErrors,
) {
    for name in names {
        if v.has_key(name) == Some(true) {
            errors.record(at, "not", || Detail::Forbidden { name });
        }
    }
}

/// A forward-compatible enum holds a value the spec does not list.
pub fn unknown_value(value: &str, at: &Path<'_>, errors: &mut ValidationErrors) {
    errors.record(at, "enum", || Detail::Undocumented {
        value: Quoted::new(value),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: impl FnOnce(&Path, &mut ValidationErrors)) -> Vec<String> {
        let mut e = ValidationErrors::new();
        f(&Path::Root, &mut e);
        e.0.into_iter().map(|e| e.keyword().to_string()).collect()
    }

    #[test]
    fn lengths_count_code_points() {
        assert!(run(|a, e| length("äöü", Some(3), Some(3), a, e)).is_empty());
        assert_eq!(
            run(|a, e| length("abc12", Some(6), None, a, e)),
            ["minLength"]
        );
        assert_eq!(
            run(|a, e| length(&vec![1, 2], None, Some(1), a, e)),
            ["maxItems"]
        );
        assert!(run(|a, e| length(&None::<String>, Some(6), None, a, e)).is_empty());
    }

    #[test]
    fn numbers() {
        assert_eq!(
            run(|a, e| range(&5i64, Some(6.0), None, None, None, a, e)),
            ["minimum"]
        );
        assert_eq!(
            run(|a, e| range(&5.0f64, None, None, None, Some(5.0), a, e)),
            ["exclusiveMaximum"]
        );
        assert!(run(|a, e| multiple_of(&0.3f64, 0.1, a, e)).is_empty());
        assert_eq!(run(|a, e| multiple_of(&7i64, 2.0, a, e)), ["multipleOf"]);
    }

    #[test]
    fn patterns_are_ecma_and_unanchored() {
        static P: Pattern = Pattern::new("^DE");
        static Q: Pattern = Pattern::new(r"\d{2}");
        assert!(run(|a, e| pattern("DE89", &P, a, e)).is_empty());
        assert_eq!(run(|a, e| pattern("XDE", &P, a, e)), ["pattern"]);
        assert!(run(|a, e| pattern("ab12cd", &Q, a, e)).is_empty());
    }

    /// The literal fast path answers exactly as the ECMA-262 engine does.
    #[test]
    fn literal_fast_path_agrees_with_regress() {
        let patterns = [
            "^DE", "DE$", "^DE$", "DE", "^", "$", "^$", "", "^a.c", "a|b", r"^\d", "^ä", "^kyc_",
            "x+", "(ab)", "^[A]",
        ];
        let inputs = [
            "", "DE", "DE89", "XDE", "xde", "DE\n", "\nDE", "abc", "a.c", "b", "1", "ä", "kyc_1",
            "xx", "ab", "A",
        ];
        for p in patterns {
            let regex = regress::Regex::new(p).expect("test pattern compiles");
            let ours = Matcher::new(p).expect("compiles");
            assert_eq!(
                matches!(ours, Matcher::Literal { .. }),
                !p.chars().any(|c| "\\.|?*+()[]{}".contains(c)),
                "{p:?} takes the literal path exactly when it has no metacharacter"
            );
            for s in inputs {
                assert_eq!(
                    ours.is_match(s),
                    regex.find(s).is_some(),
                    "pattern {p:?} on {s:?}"
                );
            }
        }
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        assert_eq!(Shown("ab\"c").to_string(), r#""ab\"c""#);
        let long = "ä".repeat(100);
        let shown = Shown(&long).to_string();
        assert_eq!(shown, format!("{:?}... (100 characters)", "ä".repeat(64)));
        let msgs = {
            let mut e = ValidationErrors::new();
            static P: Pattern = Pattern::new("^DE");
            pattern(long.as_str(), &P, &Path::Root, &mut e);
            e
        };
        assert!(msgs.0[0].message().len() < 200, "{}", msgs.0[0].message());
    }

    #[test]
    fn forbidden_properties_name_each_one_present() {
        let obj: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(r#"{"a": 1, "c": null, "d": 2}"#).unwrap();
        let errs = {
            let mut e = ValidationErrors::new();
            forbidden_properties(&obj, &["a", "b", "c"], &Path::Root.key("x"), &mut e);
            e
        };
        let got: Vec<(&str, &str, String)> = errs
            .iter()
            .map(|e| (e.pointer(), e.keyword(), e.message().into_owned()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "/x",
                    "not",
                    "property \"a\" is not allowed on this object".into()
                ),
                (
                    "/x",
                    "not",
                    "property \"c\" is not allowed on this object".into()
                ),
            ]
        );
        assert!(run(|a, e| forbidden_properties(&obj, &["b"], a, e)).is_empty());
        let none: Option<serde_json::Value> = None;
        assert!(run(|a, e| forbidden_properties(&none, &["a"], a, e)).is_empty());
        let not_object = serde_json::json!([1]);
        assert!(run(|a, e| forbidden_properties(&not_object, &["a"], a, e)).is_empty());
    }

    #[test]
    fn enums_and_uniqueness() {
        const ALLOWED: &[Literal] = &[Literal::Int(1), Literal::Int(2)];
        assert!(run(|a, e| enumeration(&2i64, ALLOWED, a, e)).is_empty());
        assert_eq!(run(|a, e| enumeration(&3i64, ALLOWED, a, e)), ["enum"]);
        assert_eq!(
            run(|a, e| enumeration(&false, &[Literal::Bool(true)], a, e)),
            ["enum"]
        );
        assert_eq!(
            run(|a, e| unique_items(&vec![1.0, 2.0, 1.0], a, e)),
            ["uniqueItems"]
        );
        assert_eq!(run(|a, e| format("x", Format::Uuid, a, e)), ["format"]);
    }
}
