//! One small OpenAPI 3.1 document per JSON Schema 2020-12 keyword, in `tests/oas31/`
//! (adding a file adds a case). Each has a `Subject` schema and instances it must
//! accept (`x-valid`) and refuse (`x-invalid`). For each:
//!
//! - the view: valid instances pass, invalid ones fail;
//! - the generator: its valid instances pass the view, and each negative breaks
//!   exactly the constraint it names (or it says it cannot generate, by pointer);
//! - codegen: the models build in memory, and anything without a Rust mapping is
//!   reported with its location.

use std::path::{Path, PathBuf};

use covenant_spec::{Dialect, Direction, SchemaSite, Spec, view};
use serde_json::Value;

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("oas31");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/oas31 exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    out.sort();
    assert!(out.len() >= 13, "fixtures missing: {out:?}");
    out
}

fn subject(spec: &Spec) -> SchemaSite {
    assert!(
        spec.schema("Subject").is_some(),
        "{}: no Subject",
        spec.provider
    );
    SchemaSite {
        schema: serde_json::json!({"$ref": "#/components/schemas/Subject"}),
        pointer: "/components/schemas/Subject".into(),
        direction: Direction::Request,
    }
}

fn instances(spec: &Spec, key: &str) -> Vec<Value> {
    spec.extensions
        .get(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_else(|| panic!("{}: no {key}", spec.provider))
}

#[test]
fn the_view_reads_every_keyword() {
    for path in fixtures() {
        let spec = Spec::load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(spec.dialect, Dialect::OpenApi31);
        let v = spec.compile(&subject(&spec)).expect("compiles");
        for ok in instances(&spec, "x-valid") {
            let errors = view::violations(&v, &ok);
            assert!(
                errors.is_empty(),
                "{}: {ok} refused: {errors:?}",
                path.display()
            );
        }
        for bad in instances(&spec, "x-invalid") {
            assert!(!v.is_valid(&bad), "{}: {bad} accepted", path.display());
        }
    }
}

#[test]
fn the_generator_makes_valid_and_one_violation_instances() {
    for path in fixtures() {
        let spec = Spec::load(&path).unwrap();
        let js = spec.json_schema(&subject(&spec));
        let g =
            covenant_gen::Generator::new(&js).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let values = covenant_gen::sample(&g.valid(), 3, 20);
        assert_eq!(
            values.len(),
            20,
            "{}: too few valid instances",
            path.display()
        );
        let validator = view::compile(&js).unwrap();
        let mut negatives = 0;
        for v in &values {
            assert!(g.is_valid(v), "{}: {v}", path.display());
            for n in g.negatives(v) {
                let errors = view::violations(&validator, &n.instance);
                assert!(
                    errors
                        .iter()
                        .any(|e| e.pointer == n.pointer && e.keyword == n.keyword),
                    "{}: {n:?} gives {errors:?}",
                    path.display()
                );
                negatives += 1;
            }
        }
        // Every fixture's schema has something to break.
        assert!(negatives > 0, "{}: no negatives", path.display());
    }
}

#[test]
fn codegen_maps_or_reports_every_keyword() {
    for path in fixtures() {
        let spec = Spec::load(&path).unwrap();
        let g = covenant_codegen::generate(
            &spec,
            &covenant_codegen::Options {
                validate_dependency: "{ path = \"../covenant-validate\" }".into(),
                spec_label: path.file_name().unwrap().to_string_lossy().into_owned(),
                crate_name: None,
            },
        )
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            g.lib_rs.contains("pub struct Subject"),
            "{}",
            path.display()
        );
        // Exactly what the fixture expects is reported, each with its location.
        let expected: Vec<String> = spec
            .extensions
            .get("x-unmapped")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            g.unmapped.len(),
            expected.len(),
            "{}: {:?}",
            path.display(),
            g.unmapped
        );
        for needle in &expected {
            assert!(
                g.unmapped
                    .iter()
                    .any(|u| u.construct.contains(needle.as_str())),
                "{}: `{needle}` not reported: {:?}",
                path.display(),
                g.unmapped
            );
        }
        for u in &g.unmapped {
            assert!(
                u.pointer.starts_with("/components/schemas/Subject")
                    && u.location
                        .contains(&*path.file_name().unwrap().to_string_lossy()),
                "{}: {u}",
                path.display()
            );
        }
    }
}
