//! The mock's form readers (`covenant_mock::form`): an
//! `application/x-www-form-urlencoded` or `multipart/form-data` body read into the
//! JSON its schema describes, then judged by the schema's validator, as the mock
//! does. Never a panic or a hang; a body that reads is a JSON object.
//!
//! Input: the first line is the request's Content-Type (a multipart boundary is
//! fuzzed there); the rest is the body. Every input is read both ways.
#![no_main]

use std::sync::OnceLock;

use covenant_mock::form::{FormKind, FormShape};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

struct Shapes {
    urlencoded: FormShape,
    /// Urlencoded with an `encoding` object: joined arrays and objects, indexed
    /// deepObject arrays.
    styled: FormShape,
    multipart: FormShape,
    validator: jsonschema::Validator,
}

/// A view with every kind of member a form can carry: scalars of each type, arrays
/// of scalars and of objects, nested objects (own properties, `allOf`, `$ref`s), a
/// union, a file.
fn view() -> Value {
    json!({
        "$defs": {
            "Meta": {
                "type": "object",
                "properties": {
                    "n": {"type": "integer"},
                    "flag": {"type": "boolean"},
                    "inner": {"type": "object", "properties": {"deep": {"type": "number"}}}
                }
            },
            "Base": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "maxLength": 8}}}
        },
        "allOf": [{"$ref": "#/$defs/Base"}],
        "type": "object",
        "properties": {
            "age": {"type": "integer", "minimum": 0},
            "ratio": {"type": ["number", "null"]},
            "active": {"type": "boolean"},
            "tags": {"type": "array", "items": {"type": "string", "enum": ["red", "blue"]}},
            "counts": {"type": "array", "items": {"type": "integer"}},
            "meta": {"$ref": "#/$defs/Meta"},
            "sides": {"type": "array", "items": {"$ref": "#/$defs/Meta"}},
            "composed": {"allOf": [{"properties": {"a": {"type": "integer"}}}]},
            "choice": {"anyOf": [{"type": "integer"}, {"type": "string", "enum": ["none"]}]},
            "file": {"type": "string", "format": "binary"}
        },
        "additionalProperties": false
    })
}

fn styles() -> covenant_spec::form::Styles {
    [
        ("counts", "form"),
        ("tags", "pipeDelimited"),
        ("meta", "spaceDelimited"),
        ("choice", "form"),
        ("sides", "deepObject"),
    ]
    .into_iter()
    .map(|(k, s)| (k.to_string(), (s.to_string(), s == "deepObject")))
    .collect()
}

fn shapes() -> &'static Shapes {
    static SHAPES: OnceLock<Shapes> = OnceLock::new();
    SHAPES.get_or_init(|| {
        let view = view();
        Shapes {
            urlencoded: FormShape::compile(FormKind::UrlEncoded, &view, Default::default()),
            styled: FormShape::compile(FormKind::UrlEncoded, &view, styles()),
            multipart: FormShape::compile(FormKind::Multipart, &view, Default::default()),
            validator: covenant_spec::view::compile(&view).expect("the view compiles"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let (head, body) = match data.iter().position(|b| *b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let content_type = String::from_utf8_lossy(head.strip_suffix(b"\r").unwrap_or(head));
    let s = shapes();
    for shape in [&s.urlencoded, &s.styled, &s.multipart] {
        if let Ok(value) = shape.read(&content_type, body) {
            assert!(value.is_object(), "{value}");
            std::hint::black_box(covenant_spec::view::violations(&s.validator, &value));
        }
    }
});
