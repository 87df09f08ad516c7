//! The mock validates request bodies in their borrowed form (`covenant_mock::json`),
//! not as `serde_json::Value`. That is only sound if the two agree: for every JSON
//! request body schema of the five specs, on generated valid instances and every
//! negative derived from them, the borrowed validator accepts exactly what the
//! `Value` validator accepts; and the borrowed tree converts and serialises to what
//! `serde_json` makes of the same text.

use covenant_mock::json::{Borrowed, Node};
use covenant_spec::Spec;
use serde_json::{Value, json};

const PROVIDERS: [&str; 5] = ["onboarding", "identplus", "rebilly", "iron", "rpcsession"];

fn spec_path(provider: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../specs")
        .join(format!("{provider}.yaml"))
}

#[test]
fn borrowed_validation_agrees_with_value_validation() {
    let mut checked = 0usize;
    let mut rejected = 0usize;
    for provider in PROVIDERS {
        let spec = Spec::load(spec_path(provider)).expect("spec loads");
        for op in &spec.operations {
            let Some(body) = &op.request_body else {
                continue;
            };
            for media in body.content.iter().filter(|m| m.is_json()) {
                let Some(site) = &media.schema else { continue };
                let view = spec.json_schema(site);
                let by_value = covenant_spec::view::compile(&view).expect("compiles");
                let borrowed =
                    covenant_spec::view::compile_for::<Borrowed>(&view).expect("compiles");
                let generator = covenant_gen::Generator::new(&view).expect("generator");
                let valid = covenant_gen::sample(&generator.valid(), 11, 24);
                let mut instances: Vec<Value> = valid.clone();
                for v in &valid {
                    instances.extend(generator.negatives(v).into_iter().map(|n| n.instance));
                }
                for instance in instances {
                    let text = serde_json::to_vec(&instance).expect("serialises");
                    let node = Node::parse(&text).expect("parses");
                    let expected = by_value.is_valid(&instance);
                    assert_eq!(
                        borrowed.is_valid(&node),
                        expected,
                        "{provider} {}: {instance}",
                        op.id
                    );
                    assert_eq!(node.to_value(), instance, "{provider} {}", op.id);
                    assert_eq!(
                        serde_json::to_vec(&node).expect("serialises"),
                        text,
                        "{provider} {}",
                        op.id
                    );
                    let mut written = Vec::new();
                    node.write_json(&mut written);
                    assert_eq!(written, text, "{provider} {}", op.id);
                    checked += 1;
                    rejected += usize::from(!expected);
                }
            }
        }
    }
    eprintln!("borrowed json: {checked} instances, {rejected} invalid, all agree");
    assert!(checked > 1000 && rejected > 500, "{checked} / {rejected}");
}

#[test]
fn parsing_matches_serde_json() {
    // Escapes (owned strings), numbers of every kind, nesting, whitespace.
    let text = br#" {"a\"b": "x\u00e9\n", "n": [0, -1, 18446744073709551615, 1.5e3, -0.0],
        "o": {"t": true, "f": false, "z": null, "e": {}, "l": []}} "#;
    let node = Node::parse(text).expect("parses");
    let value: Value = serde_json::from_slice(text).expect("parses");
    assert_eq!(node.to_value(), value);
    assert_eq!(
        serde_json::to_string(&node).unwrap(),
        serde_json::to_string(&value).unwrap()
    );
    // The raw writer: borrowed strings copied, escaped ones re-escaped, `/` and
    // DEL left alone as serde_json leaves them.
    for text in [
        &text[..],
        br#"["a/b", "\u007f", "\t\"\\", "\/", "\u0001", "\ud83d\ude00", "plain"]"#,
    ] {
        let node = Node::parse(text).expect("parses");
        let mut written = Vec::new();
        node.write_json(&mut written);
        let value: Value = serde_json::from_slice(text).expect("parses");
        assert_eq!(
            String::from_utf8(written).unwrap(),
            serde_json::to_string(&value).unwrap()
        );
    }
    assert_eq!(node.depth(), 3);
    assert_eq!(node.pointer("/o/t"), Some(&Node::Bool(true)));
    assert_eq!(node.pointer("/n/1").map(Node::to_value), Some(json!(-1)));
    assert_eq!(
        node.pointer("/a\"b").map(Node::to_value),
        Some(json!("xé\n"))
    );
    assert_eq!(node.pointer("/n/9"), None);
    assert_eq!(node.pointer("o"), None);
    assert_eq!(node.pointer(""), Some(&node));

    // The same errors as serde_json, trailing characters included.
    for bad in [&b"{"[..], b"[1,]", b"{} x", b"\"\\q\"", b"01", b"\xff"] {
        let ours = Node::parse(bad).expect_err("rejected").to_string();
        let theirs = serde_json::from_slice::<Value>(bad)
            .expect_err("rejected")
            .to_string();
        assert_eq!(ours, theirs, "{:?}", String::from_utf8_lossy(bad));
    }
    // serde_json's recursion limit holds: no stack overflow on deep nesting.
    let deep = "[".repeat(100_000);
    assert!(Node::parse(deep.as_bytes()).is_err());
}

/// Duplicate keys: the last value wins at the first one's place, as in a
/// `serde_json::Map`, for small objects (scanned) and large ones (hashed).
#[test]
fn duplicate_keys_resolve_like_serde_json() {
    for width in [3usize, 40, 5000] {
        let mut text = String::from("{");
        for i in 0..width {
            text.push_str(&format!("\"k{i}\":{i},"));
        }
        text.push_str("\"k1\":\"again\",\"k0\":null}");
        let node = Node::parse(text.as_bytes()).expect("parses");
        let value: Value = serde_json::from_str(&text).expect("parses");
        assert_eq!(node.to_value(), value, "{width}");
        assert_eq!(
            serde_json::to_string(&node).unwrap(),
            serde_json::to_string(&value).unwrap(),
            "{width}"
        );
    }
}
