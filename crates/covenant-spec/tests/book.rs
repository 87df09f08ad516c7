//! One book of every documented answer of a real spec reports exactly what each
//! answer's own validator reports, for instances of every shape: the documented
//! examples, and the values that break them (empty object, wrong types).

use std::collections::BTreeSet;
use std::path::Path;

use covenant_spec::book::{Page, Shelf, response_sites};
use covenant_spec::{Spec, view};
use serde_json::{Value, json};

fn check(path: &str) -> usize {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let spec = Spec::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut shelf = Shelf::new(&spec, response_sites(&spec));
    let mut seen = BTreeSet::new();
    let mut compared = 0;
    for op in &spec.operations {
        for r in &op.responses {
            for m in r.content.iter().filter(|m| m.is_json()) {
                let Some(site) = &m.schema else { continue };
                if !seen.insert(site.schema.to_string()) {
                    continue;
                }
                let page: Page = shelf.get(&spec, site).clone().expect("compiles");
                let alone = view::compile(&spec.json_schema(site)).expect("compiles");
                let mut instances = vec![json!({}), json!([]), json!("x"), json!(1), Value::Null];
                instances.extend(m.examples.iter().map(|e| e.value.clone()));
                for inst in &instances {
                    assert_eq!(
                        page.violations(inst),
                        view::violations(&alone, inst),
                        "{} {}: {inst}",
                        op.id,
                        r.status
                    );
                    assert_eq!(page.is_valid(inst), alone.is_valid(inst));
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 0, "{path:?}: no answer schema compared");
    compared
}

#[test]
fn onfido_answers_read_the_same_through_one_book() {
    assert!(check("../../../shared/realspecs/onfido-v3.6.json") > 100);
}

#[test]
fn seeded_specs_answers_read_the_same_through_one_book() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("specs/ is readable") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            check(path.to_str().expect("UTF-8 path"));
            checked += 1;
        }
    }
    assert!(checked >= 3, "specs/ holds {checked} specs");
}
