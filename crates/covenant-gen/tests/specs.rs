//! The generator on every schema site of the project's five specs: valid instances
//! validate, every negative fails with exactly its declared pointer and keyword,
//! sampling is deterministic, and the coverage the runner and the codegen tests rely
//! on (enum values, nulls, oneOf branches) is reached.

use std::collections::BTreeSet;
use std::path::PathBuf;

use covenant_gen::{Generator, sample, schema_for_site};
use covenant_spec::{SchemaSite, Spec, view};
use serde_json::Value;

fn specs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs")
}

fn specs() -> Vec<Spec> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(specs_dir())
        .expect("specs directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 5,
        "expected the five provider specs, found {paths:?}"
    );
    paths
        .iter()
        .map(|p| Spec::load(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .collect()
}

/// Every request body, response body, parameter and header schema of a spec.
fn sites(spec: &Spec) -> Vec<SchemaSite> {
    let mut out = Vec::new();
    for op in &spec.operations {
        for p in &op.parameters {
            out.extend(p.schema.clone());
        }
        if let Some(body) = &op.request_body {
            for mt in &body.content {
                out.extend(mt.schema.clone());
            }
        }
        for r in &op.responses {
            for mt in &r.content {
                out.extend(mt.schema.clone());
            }
            for h in &r.headers {
                out.extend(h.schema.clone());
            }
        }
    }
    out
}

fn all_generators() -> Vec<(String, Generator, jsonschema::Validator)> {
    let mut out = Vec::new();
    for spec in specs() {
        for site in sites(&spec) {
            let name = format!("{} {}", spec.provider, site.pointer);
            let generator = schema_for_site(&spec, &site).unwrap_or_else(|e| panic!("{name}: {e}"));
            let validator = view::compile(&spec.json_schema(&site)).expect("view compiles");
            out.push((name, generator, validator));
        }
    }
    out
}

#[test]
fn every_site_generates_valid_instances() {
    let gens = all_generators();
    assert!(gens.len() > 20, "only {} sites", gens.len());
    for (name, g, validator) in &gens {
        for (label, strategy) in [("valid", g.valid()), ("minimal", g.minimal())] {
            let n = if label == "valid" { 200 } else { 50 };
            let values = sample(&strategy, 1, n);
            assert_eq!(values.len(), n, "{name}: {label} sampled too few");
            for v in &values {
                let errors = view::violations(validator, v);
                assert!(
                    errors.is_empty(),
                    "{name}: {label} instance {v} fails: {errors:?}"
                );
            }
        }
    }
}

#[test]
fn every_negative_fails_with_exactly_its_pointer_and_keyword() {
    let mut total = 0;
    for (name, g, validator) in &all_generators() {
        for v in sample(&g.valid(), 2, 20) {
            for n in g.negatives(&v) {
                let errors = view::violations(validator, &n.instance);
                assert_eq!(errors.len(), 1, "{name}: {n:?} gives {errors:?}");
                assert_eq!(errors[0].pointer, n.pointer, "{name}: {n:?}");
                assert_eq!(errors[0].keyword, n.keyword, "{name}: {n:?}");
                total += 1;
            }
        }
    }
    assert!(total > 1000, "only {total} negatives");
}

#[test]
fn sampling_is_deterministic() {
    for (name, g, _) in &all_generators() {
        let a = sample(&g.valid(), 42, 30);
        let b = sample(&g.valid(), 42, 30);
        assert_eq!(a, b, "{name}");
        let na: Vec<_> = a.iter().map(|v| g.negatives(v)).collect();
        let nb: Vec<_> = b.iter().map(|v| g.negatives(v)).collect();
        assert_eq!(na, nb, "{name}");
    }
}

fn spec(provider_file: &str) -> Spec {
    Spec::load(specs_dir().join(provider_file)).expect("spec loads")
}

fn request_site(spec: &Spec, op_id: &str) -> SchemaSite {
    let op = spec
        .operation(op_id)
        .unwrap_or_else(|| panic!("no operation {op_id}"));
    op.request_body
        .as_ref()
        .and_then(|b| b.content.iter().find_map(|m| m.schema.clone()))
        .unwrap_or_else(|| panic!("{op_id} has no body schema"))
}

/// Every value found at `path` (object keys, `*` for any array item) in `v`.
fn values_at<'a>(v: &'a Value, path: &[&str], out: &mut Vec<&'a Value>) {
    let Some((first, rest)) = path.split_first() else {
        out.push(v);
        return;
    };
    match (*first, v) {
        ("*", Value::Array(items)) => items.iter().for_each(|i| values_at(i, rest, out)),
        (k, Value::Object(o)) => {
            if let Some(c) = o.get(k) {
                values_at(c, rest, out);
            }
        }
        _ => {}
    }
}

#[test]
fn rebilly_document_types_all_appear() {
    let spec = spec("rebilly.yaml");
    let site = request_site(&spec, "postKycRequest");
    let g = schema_for_site(&spec, &site).expect("generator");
    let view = spec.json_schema(&site);
    let doc_type = find_enum_at(&view, &["documents", "*", "type"]).expect("document type enum");
    let mut seen = BTreeSet::new();
    for v in sample(&g.valid(), 3, 400) {
        let mut found = Vec::new();
        values_at(&v, &["documents", "*", "type"], &mut found);
        seen.extend(found.into_iter().cloned().map(|x| x.to_string()));
    }
    for value in doc_type {
        assert!(
            seen.contains(&value.to_string()),
            "{value} never generated; saw {seen:?}"
        );
    }
}

/// The enum of the schema at a property path in a view (following `$ref`s).
fn find_enum_at(view: &Value, path: &[&str]) -> Option<Vec<Value>> {
    fn resolve<'a>(view: &'a Value, mut s: &'a Value) -> Option<&'a Value> {
        while let Some(r) = s.get("$ref").and_then(Value::as_str) {
            s = covenant_spec::pointer::resolve_ref(view, r)?;
        }
        Some(s)
    }
    let mut cur = resolve(view, view)?;
    for p in path {
        cur = if *p == "*" {
            resolve(view, cur.get("items")?)?
        } else {
            resolve(view, cur.get("properties")?.get(*p)?)?
        };
    }
    cur.get("enum").and_then(Value::as_array).cloned()
}
