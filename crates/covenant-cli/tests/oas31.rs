//! OpenAPI 3.1 end to end with no config: Persona's published 3.1 spec passes
//! against its mock, and one of our specs written as 3.1 (Rebilly's, whose
//! provider publishes 3.1) gives the same run as its 3.0 form.

mod common;

use std::path::PathBuf;

use common::{root, scratch, summary};
use covenant_runner::report::{Coverage, Report};
use serde_json::{Value, json};

fn run(
    spec: &std::path::Path,
    dir: &std::path::Path,
    cases: usize,
) -> (std::process::Output, Report) {
    common::run(spec, dir, cases, &["--seed", "0"])
}

#[test]
fn persona_passes_against_its_mock() {
    let spec = root().join("../shared/realspecs/persona-2023-01-05.json");
    let dir = scratch("persona");
    let (out, report) = run(&spec, &dir, 50);
    assert_eq!(out.status.code(), Some(0), "{}", summary(&report));
    let p = &report.providers[0];
    assert!(p.violations.is_empty(), "{}", summary(&report));
    assert!(p.operations.len() > 150, "{}", p.operations.len());
    assert!(
        p.operations.iter().all(|o| o.coverage == Coverage::Tested),
        "{}",
        summary(&report)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// An OpenAPI 3.0 document rewritten as 3.1: `nullable` becomes a `"null"` type
/// (and a `null` enum value), boolean exclusive bounds become numeric ones.
fn to_31(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if m.get("nullable") == Some(&Value::Bool(true)) {
                m.remove("nullable");
                if let Some(Value::Array(e)) = m.get_mut("enum") {
                    e.push(Value::Null);
                }
                match m.remove("type") {
                    Some(Value::String(t)) => {
                        m.insert("type".into(), json!([t, "null"]));
                    }
                    Some(other) => {
                        m.insert("type".into(), other);
                    }
                    None if !m.contains_key("enum") => {
                        let rest = Value::Object(std::mem::take(m));
                        m.insert("anyOf".into(), json!([rest, {"type": "null"}]));
                    }
                    None => {}
                }
            } else if m.get("nullable") == Some(&Value::Bool(false)) {
                m.remove("nullable");
            }
            for (bound, exclusive) in [
                ("minimum", "exclusiveMinimum"),
                ("maximum", "exclusiveMaximum"),
            ] {
                match m.get(exclusive) {
                    Some(Value::Bool(true)) => {
                        let b = m.remove(bound).unwrap_or(Value::Null);
                        m.insert(exclusive.into(), b);
                    }
                    Some(Value::Bool(false)) => {
                        m.remove(exclusive);
                    }
                    _ => {}
                }
            }
            for child in m.values_mut() {
                to_31(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(to_31),
        _ => {}
    }
}

/// Named as its 3.0 form, so both runs have the same provider name.
const FIXTURE: &str = "tests/fixtures/3.1/rebilly.json";

/// The committed 3.1 fixture is `specs/rebilly.yaml` rewritten by [`to_31`]
/// (`COVENANT_BLESS=1` rewrites it).
fn fixture() -> PathBuf {
    let text = std::fs::read_to_string(root().join("specs/rebilly.yaml")).unwrap();
    let mut doc: Value = serde_yaml_ng::from_str(&text).unwrap();
    doc["openapi"] = json!("3.1.0");
    to_31(&mut doc);
    let expected = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    let path = root().join(FIXTURE);
    if std::env::var_os("COVENANT_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &expected).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expected,
        "{FIXTURE} is not specs/rebilly.yaml in 3.1 form; run with COVENANT_BLESS=1"
    );
    assert!(
        committed.contains("\"null\""),
        "the fixture exercises 3.1 nullability"
    );
    path
}

#[test]
fn a_spec_in_31_form_runs_as_its_30_form() {
    let fixture = fixture();
    let (out30, r30) = run(
        &root().join("specs/rebilly.yaml"),
        &scratch("rebilly30"),
        10,
    );
    let (out31, r31) = run(&fixture, &scratch("rebilly31"), 10);
    assert_eq!(out30.status.code(), Some(0), "{}", summary(&r30));
    assert_eq!(out31.status.code(), Some(0), "{}", summary(&r31));
    let shape = |r: &Report| {
        let p = &r.providers[0];
        let ops: Vec<_> = p
            .operations
            .iter()
            .map(|o| {
                (
                    o.id.clone(),
                    o.coverage.label(),
                    o.cases,
                    o.exercised.statuses.clone(),
                    o.checks.clone(),
                )
            })
            .collect();
        (p.name.clone(), ops, p.violations.len(), r.summary.cases)
    };
    assert_eq!(shape(&r30), shape(&r31));
}
