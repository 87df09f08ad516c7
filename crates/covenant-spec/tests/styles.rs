//! Parameter styles (`covenant_spec::style`), the one description the runner
//! writes with and the mock reads with:
//!
//! - the style-examples table of the OpenAPI Specification (3.0.3, "Style
//!   Examples"), reproduced cell by cell: `color` as empty, `"blue"`,
//!   `["blue","black","brown"]` and `{"R":100,"G":200,"B":150}`;
//! - every style x explode x value kind (primitive, array, object) written and read
//!   back to the same value, with values that need escaping.
//!
//! Texts are compared before percent-encoding: the table writes spaceDelimited's
//! separator as `%20` and everything else raw, so `%20` is read as a space here
//! (the runner then encodes the whole pair; `|` goes on the wire as `%7C`).

use covenant_spec::style::{self, Coerce, Kind, Source, Written};
use serde_json::{Value, json};

const N: &str = "n/a";

/// (style, explode, empty, string, array, object), as the specification prints it.
const TABLE: [(&str, bool, &str, &str, &str, &str); 11] = [
    (
        "matrix",
        false,
        ";color",
        ";color=blue",
        ";color=blue,black,brown",
        ";color=R,100,G,200,B,150",
    ),
    (
        "matrix",
        true,
        ";color",
        ";color=blue",
        ";color=blue;color=black;color=brown",
        ";R=100;G=200;B=150",
    ),
    (
        "label",
        false,
        ".",
        ".blue",
        ".blue.black.brown",
        ".R.100.G.200.B.150",
    ),
    (
        "label",
        true,
        ".",
        ".blue",
        ".blue.black.brown",
        ".R=100.G=200.B=150",
    ),
    (
        "form",
        false,
        "color=",
        "color=blue",
        "color=blue,black,brown",
        "color=R,100,G,200,B,150",
    ),
    (
        "form",
        true,
        "color=",
        "color=blue",
        "color=blue&color=black&color=brown",
        "R=100&G=200&B=150",
    ),
    (
        "simple",
        false,
        N,
        "blue",
        "blue,black,brown",
        "R,100,G,200,B,150",
    ),
    (
        "simple",
        true,
        N,
        "blue",
        "blue,black,brown",
        "R=100,G=200,B=150",
    ),
    (
        "spaceDelimited",
        false,
        N,
        N,
        "blue%20black%20brown",
        "R%20100%20G%20200%20B%20150",
    ),
    (
        "pipeDelimited",
        false,
        N,
        N,
        "blue|black|brown",
        "R|100|G|200|B|150",
    ),
    (
        "deepObject",
        true,
        N,
        N,
        N,
        "color[R]=100&color[G]=200&color[B]=150",
    ),
];

fn identity(s: &str) -> String {
    s.to_string()
}

/// A written parameter as the table prints it: pairs joined by `&` (a
/// delimited style's cell shows the value alone), a text as it is.
fn shown(style: &str, w: &Written) -> String {
    match w {
        Written::Text(t) => t.clone(),
        Written::Pairs(pairs) if style.ends_with("Delimited") => pairs
            .iter()
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
            .join("&"),
        Written::Pairs(pairs) => pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&"),
    }
}

fn values() -> [(Kind, Value); 4] {
    [
        (Kind::Primitive, json!("")),
        (Kind::Primitive, json!("blue")),
        (Kind::Array, json!(["blue", "black", "brown"])),
        (Kind::Object, json!({"R": 100, "G": 200, "B": 150})),
    ]
}

fn read_back(style: &str, explode: bool, kind: Kind, w: &Written) -> Option<Value> {
    let members = ["R".to_string(), "G".to_string(), "B".to_string()];
    let source = match w {
        Written::Text(t) => Source::Text(t),
        Written::Pairs(p) => Source::Pairs {
            pairs: p,
            members: &members,
        },
    };
    let read = style::read(style, explode, "color", kind, source, &identity)?;
    let ints = [Coerce::Integer, Coerce::String];
    Some(style::typed(
        read,
        &[Coerce::String],
        &[Coerce::String],
        &|_| ints.to_vec(),
    ))
}

#[test]
fn the_specifications_style_examples_table_cell_by_cell() {
    let mut cells = 0;
    for (style, explode, empty, string, array, object) in TABLE {
        if style == "deepObject" {
            continue; // bracket notation: covenant_spec::form, tested there
        }
        for ((kind, value), want) in values().into_iter().zip([empty, string, array, object]) {
            if want == N {
                continue;
            }
            let w = style::write(style, explode, "color", &value, &identity);
            assert_eq!(
                shown(style, &w),
                want.replace("%20", " "),
                "{style} explode={explode} {value}"
            );
            assert_eq!(
                read_back(style, explode, kind, &w),
                Some(value.clone()),
                "{style} explode={explode}: {want} does not read back"
            );
            cells += 1;
        }
    }
    assert_eq!(cells, 34, "every printed cell but deepObject's is checked");
}

/// Each style at each place it is allowed, with each explode, for primitives,
/// arrays and objects, including values holding the styles' own delimiters
/// (escaped in a path segment the way the runner escapes them).
#[test]
fn every_style_explode_and_kind_round_trips() {
    let places: [(&str, bool); 6] = [
        ("matrix", true),
        ("label", true),
        ("simple", true),
        ("form", false),
        ("spaceDelimited", false),
        ("pipeDelimited", false),
    ];
    let segment = |s: &str| -> String {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let unsegment = |s: &str| -> String {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let samples = [
        (Kind::Primitive, json!("a.b;c=d,e")),
        (Kind::Primitive, json!(42)),
        (Kind::Array, json!(["x", "y.z", "w"])),
        (Kind::Array, json!([1, 2, 3])),
        (Kind::Object, json!({"a": "1,2", "b": 3})),
    ];
    let mut checked = 0;
    for (style, path) in places {
        for explode in [false, true] {
            for (kind, value) in &samples {
                let text_values = match value {
                    Value::Array(a) => a.iter().any(|v| style::scalar(v).contains([' ', '|', ','])),
                    Value::Object(m) => m
                        .values()
                        .any(|v| style::scalar(v).contains([' ', '|', ','])),
                    _ => false,
                };
                // Query pairs are decoded before they are read: a delimiter inside
                // an unexploded array's item cannot be told from a separator (the
                // same holds for any server).
                if !path && !explode && text_values {
                    continue;
                }
                let escape: &dyn Fn(&str) -> String = if path { &segment } else { &identity };
                let unescape: &dyn Fn(&str) -> String = if path { &unsegment } else { &identity };
                let w = style::write(style, explode, "p", value, escape);
                let members: Vec<String> = value
                    .as_object()
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default();
                let source = match &w {
                    Written::Text(t) => Source::Text(t),
                    Written::Pairs(p) => Source::Pairs {
                        pairs: p,
                        members: &members,
                    },
                };
                let read = style::read(style, explode, "p", *kind, source, unescape)
                    .unwrap_or_else(|| panic!("{style} explode={explode} {value}: not read"));
                let how = [Coerce::Integer, Coerce::String];
                let back = style::typed(read, &how, &how, &|_| how.to_vec());
                assert_eq!(&back, value, "{style} explode={explode}: written as {w:?}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 50, "{checked}");
}

#[test]
fn a_text_without_the_styles_shape_is_read_as_it_is() {
    let read = |style: &str, raw: &str| {
        style::read(
            style,
            false,
            "color",
            Kind::Primitive,
            Source::Text(raw),
            &identity,
        )
    };
    assert_eq!(read("label", "blue"), Some(json!("blue")));
    assert_eq!(read("matrix", ";colour=blue"), Some(json!(";colour=blue")));
    assert_eq!(read("matrix", ";color=blue"), Some(json!("blue")));
    assert_eq!(
        style::read(
            "form",
            true,
            "color",
            Kind::Array,
            Source::Pairs {
                pairs: &[],
                members: &[]
            },
            &identity
        ),
        None
    );
}

/// `content: application/json` instead of a schema: the value travels as JSON
/// text and is read back as JSON, not coerced.
#[test]
fn json_content_parameters_travel_as_json_text() {
    let v = json!({"min": 1, "tags": ["a", "b"]});
    let w = style::write(style::JSON, false, "filter", &v, &identity);
    assert_eq!(
        w,
        Written::Pairs(vec![(
            "filter".into(),
            r#"{"min":1,"tags":["a","b"]}"#.into()
        )])
    );
    let Written::Pairs(pairs) = &w else {
        unreachable!()
    };
    let source = Source::Pairs {
        pairs,
        members: &[],
    };
    assert_eq!(
        style::read(
            style::JSON,
            false,
            "filter",
            Kind::Object,
            source,
            &identity
        ),
        Some(v)
    );
    // A JSON string stays a string; text that is not JSON is kept for the schema.
    let read = |t: &str| {
        style::read(
            style::JSON,
            false,
            "x",
            Kind::Primitive,
            Source::Text(t),
            &identity,
        )
    };
    assert_eq!(read("\"5\""), Some(json!("5")));
    assert_eq!(read("{not json"), Some(json!("{not json")));
}
