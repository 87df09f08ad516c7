//! The generator on every schema site of the specs in `specs/`: valid instances
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
        !paths.is_empty(),
        "no provider specs in {}",
        specs_dir().display()
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
        seen.extend(found.into_iter().map(|x| x.to_string()));
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
    let resolve = |s| covenant_spec::pointer::deref(view, s);
    let mut cur = resolve(view);
    for p in path {
        cur = if *p == "*" {
            resolve(cur.get("items")?)
        } else {
            resolve(cur.get("properties")?.get(*p)?)
        };
    }
    cur.get("enum").and_then(Value::as_array).cloned()
}

/// Property paths (`*` for array items) whose schema admits null, found through
/// `properties`, `items` and `$ref`s (not through unions), up to a small depth.
fn nullable_paths(
    view: &Value,
    s: &Value,
    path: Vec<String>,
    out: &mut Vec<Vec<String>>,
    depth: usize,
) {
    if depth > 6 {
        return;
    }
    let s = covenant_spec::pointer::deref(view, s);
    let admits_null = match s.get("type") {
        Some(Value::Array(ts)) => ts.contains(&Value::from("null")),
        _ => s.get("anyOf").and_then(Value::as_array).is_some_and(|b| {
            b.iter()
                .any(|x| x.get("type") == Some(&Value::from("null")))
        }),
    };
    if admits_null && !path.is_empty() {
        out.push(path.clone());
    }
    if let Some(Value::Object(props)) = s.get("properties") {
        for (k, ps) in props {
            let mut p = path.clone();
            p.push(k.clone());
            nullable_paths(view, ps, p, out, depth + 1);
        }
    }
    if let Some(items) = s.get("items") {
        let mut p = path.clone();
        p.push("*".into());
        nullable_paths(view, items, p, out, depth + 1);
    }
}

#[test]
fn nullable_fields_are_sometimes_null_and_sometimes_not() {
    let mut checked = 0;
    for spec in specs() {
        for site in sites(&spec) {
            let view = spec.json_schema(&site);
            let mut paths = Vec::new();
            nullable_paths(&view, &view, Vec::new(), &mut paths, 0);
            if paths.is_empty() {
                continue;
            }
            let g = schema_for_site(&spec, &site).expect("generator");
            let values = sample(&g.valid(), 4, 400);
            for path in paths {
                let path_refs: Vec<&str> = path.iter().map(String::as_str).collect();
                let mut found = Vec::new();
                for v in &values {
                    values_at(v, &path_refs, &mut found);
                }
                let name = format!("{} {} {}", spec.provider, site.pointer, path.join("."));
                assert!(found.iter().any(|v| v.is_null()), "{name}: never null");
                assert!(found.iter().any(|v| !v.is_null()), "{name}: never non-null");
                checked += 1;
            }
        }
    }
    assert!(checked >= 4, "only {checked} nullable fields found");
}

#[test]
fn iron_request_body_reaches_every_one_of_branch() {
    let spec = spec("iron.yaml");
    let site = request_site(&spec, "createCustomerIdentification");
    let view = spec.json_schema(&site);
    let root = covenant_spec::pointer::deref(&view, &view);
    let branches = root
        .get("oneOf")
        .and_then(Value::as_array)
        .expect("iron body is a oneOf");
    assert!(branches.len() >= 3);
    let g = schema_for_site(&spec, &site).expect("generator");
    let values = sample(&g.valid(), 5, 300);
    for (i, branch) in branches.iter().enumerate() {
        let mut one = branch.clone();
        if let (Some(o), Some(defs)) = (one.as_object_mut(), view.get("$defs")) {
            o.insert("$defs".into(), defs.clone());
        }
        let validator = view::compile(&one).expect("branch compiles");
        assert!(
            values.iter().any(|v| validator.is_valid(v)),
            "branch {i} ({branch}) never generated"
        );
    }
}

/// Onfido's real spec: every JSON request body either generates valid instances or
/// gives a GenError; never a panic, never an invalid instance.
#[test]
fn onfido_request_bodies_generate_or_fail_cleanly() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/realspecs/onfido-v3.6.json");
    let spec = Spec::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (mut ok, mut failed) = (0, 0);
    for op in &spec.operations {
        let Some(body) = &op.request_body else {
            continue;
        };
        for mt in body.content.iter().filter(|m| m.is_json()) {
            let Some(site) = &mt.schema else { continue };
            match schema_for_site(&spec, site) {
                Ok(g) => {
                    let validator = view::compile(&spec.json_schema(site)).expect("view compiles");
                    let values = sample(&g.valid(), 9, 20);
                    assert!(!values.is_empty(), "{}: no instance", op.id);
                    for v in &values {
                        let errors = view::violations(&validator, v);
                        assert!(errors.is_empty(), "{}: {v} fails {errors:?}", op.id);
                        for n in g.negatives(v) {
                            let errors = view::violations(&validator, &n.instance);
                            assert_eq!(errors.len(), 1, "{}: {n:?}", op.id);
                        }
                    }
                    ok += 1;
                }
                Err(e) => {
                    eprintln!("{}: {e}", op.id);
                    failed += 1;
                }
            }
        }
    }
    eprintln!("onfido: {ok} request bodies generated, {failed} refused");
    assert!(ok > 0, "no Onfido request body could be generated");
}

/// The seed-derived negatives the codegen and runner issues name: each exists.
#[test]
fn seed_negatives_exist() {
    let cases = [
        (
            "identplus.yaml",
            "createIdentcheck",
            "/ident_code",
            "minLength",
        ),
        (
            "identplus.yaml",
            "createIdentcheck",
            "/partner_iban",
            "pattern",
        ),
        (
            "rebilly.yaml",
            "postKycRequest",
            "/documents/0/type",
            "enum",
        ),
        ("rebilly.yaml", "postKycRequest", "/customerId", "required"),
        ("iron.yaml", "createCustomerIdentification", "/type", "enum"),
        (
            "iron.yaml",
            "createCustomerIdentification",
            "/type",
            "required",
        ),
    ];
    for (file, op, pointer, keyword) in cases {
        let spec = spec(file);
        let g = schema_for_site(&spec, &request_site(&spec, op)).expect("generator");
        let found = sample(&g.valid(), 8, 50)
            .iter()
            .flat_map(|v| g.negatives(v))
            .any(|n| n.pointer == pointer && n.keyword == keyword);
        assert!(found, "{file} {op}: no {keyword} negative at {pointer}");
    }
}
