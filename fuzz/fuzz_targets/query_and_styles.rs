//! The parameter readers: the query string (`covenant_mock::request::parse_query`),
//! every OpenAPI style read back by `covenant_spec::style::read` (each style x
//! explode x kind, from query pairs and from one path segment or header text) and
//! typed by `style::typed`, deepObject queries (`covenant_spec::form::read_member`),
//! and the
//! small readers beside them: path templates (`segments`/`match_path`), `Accept`
//! (`accepts`), the JSON depth scan (`too_deep`). Never a panic or a hang.
//!
//! Input: the text is the query string, and also the path, the segment, the header
//! value and the Accept value.
#![no_main]

use covenant_mock::request::{accepts, match_path, parse_query, segments, too_deep};
use covenant_spec::style::{self, Coerce, Kind, Source};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use std::sync::OnceLock;

const STYLES: [&str; 8] = [
    "form",
    "spaceDelimited",
    "pipeDelimited",
    "deepObject",
    "simple",
    "label",
    "matrix",
    "unknown",
];
const KINDS: [Kind; 3] = [Kind::Primitive, Kind::Array, Kind::Object];
const COERCIONS: [&[Coerce]; 4] = [
    &[Coerce::String],
    &[Coerce::Integer, Coerce::Boolean],
    &[Coerce::Number, Coerce::String],
    &[Coerce::Boolean, Coerce::Integer, Coerce::Number],
];

/// A deepObject parameter's view: nested objects, arrays, `$ref`s,
/// `additionalProperties`, `allOf`.
fn view() -> &'static Value {
    static VIEW: OnceLock<Value> = OnceLock::new();
    VIEW.get_or_init(|| {
        json!({
            "$defs": {"Range": {"type": "object", "properties": {
                "min": {"type": "integer"}, "max": {"type": "number"},
                "open": {"type": "boolean"}}}},
            "type": "object",
            "properties": {
                "kind": {"type": "string", "enum": ["a", "b"]},
                "range": {"$ref": "#/$defs/Range"},
                "ids": {"type": "array", "items": {"type": "integer"}},
                "nested": {"type": "object", "properties": {
                    "deeper": {"type": "object", "additionalProperties": {"$ref": "#/$defs/Range"}}}}
            },
            "allOf": [{"properties": {"extra": {"type": ["integer", "null"]}}}],
            "additionalProperties": {"type": "array", "items": {"type": "boolean"}}
        })
    })
}

fuzz_target!(|text: &str| {
    let pairs = parse_query(Some(text));
    // The parameter's name: the first pair's key (so `name[...]` and `;name=` shapes
    // are reachable), and a fixed one.
    let first = pairs.first().map(|(k, _)| k.clone()).unwrap_or_default();
    let base = first.split('[').next().unwrap_or("").to_string();
    let members: Vec<String> = pairs.iter().map(|(k, _)| k.clone()).take(8).collect();
    let unescape = |s: &str| s.to_string();
    // One set of coercions per input (all of them on each read would be four
    // times the work for little more coverage).
    let how = COERCIONS[text.len() % COERCIONS.len()];
    let mut names = vec![first.as_str(), base.as_str(), "id"];
    names.dedup();
    for name in names {
        for style_name in STYLES {
            for explode in [false, true] {
                for kind in KINDS {
                    let sources = [
                        Source::Pairs {
                            pairs: &pairs,
                            members: &members,
                        },
                        Source::Text(text),
                    ];
                    for source in sources {
                        let read = style::read(style_name, explode, name, kind, source, &unescape);
                        if let Some(v) = read {
                            std::hint::black_box(style::typed(v, how, how, &|m| {
                                style::coercions(&[m.to_string()])
                            }));
                        }
                    }
                }
            }
        }
        let view = view();
        std::hint::black_box(covenant_spec::form::read_member(view, view, name, &pairs));
    }
    for (_, v) in pairs.iter().take(4) {
        for how in COERCIONS {
            std::hint::black_box(style::coerce(v, how));
        }
    }
    // Path templates as specs write them (literal, template, mixed segments, a
    // literal query), and the text itself as a template.
    for template in [
        "/things/{id}",
        "/a/{b}/c/{d}.json",
        "/resources/-;applicantId={applicantId}",
        "/checks/latest?type=TIN",
        "/",
        text,
    ] {
        let (path, _) = text.split_once('?').unwrap_or((text, ""));
        std::hint::black_box(match_path(&segments(template), path, &pairs));
    }
    for ct in [
        "application/json",
        "application/problem+json; charset=utf-8",
        "*/*",
        text,
    ] {
        std::hint::black_box(accepts(text, ct));
    }
    std::hint::black_box(too_deep(text.as_bytes(), 4));
});
