//! Real third-party specs nobody here wrote: the loader and lint must handle them,
//! reporting what they do not support, never panicking. Counts come from
//! `../shared/realspecs/SOURCES.md`.

use std::path::PathBuf;

use covenant_spec::Spec;
use covenant_spec::lint::{LintOutcome, lint_file};

fn realspec(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/realspecs")
        .join(name)
}

#[test]
fn onfido_loads_with_expected_counts() {
    let spec = Spec::load(realspec("onfido-v3.6.json")).unwrap();
    assert_eq!(spec.operations.len(), 84);
    assert_eq!(spec.schemas.len(), 330);
    // Every JSON body schema translates to a JSON Schema that compiles.
    for op in &spec.operations {
        for mt in op
            .request_body
            .iter()
            .flat_map(|b| b.content.iter())
            .chain(op.responses.iter().flat_map(|r| r.content.iter()))
        {
            if let (true, Some(site)) = (mt.is_json(), &mt.schema) {
                spec.compile(site)
                    .unwrap_or_else(|e| panic!("{} {}: {e}", op.id, site.pointer));
            }
        }
    }
    let LintOutcome::Checked(diags) = lint_file(&realspec("onfido-v3.6.json")) else {
        panic!()
    };
    assert!(
        diags.iter().any(|d| d.code == "unsupported"),
        "callbacks and binary bodies are reported"
    );
}

#[test]
fn stripe_loads_with_expected_counts() {
    let spec = Spec::load(realspec("stripe-spec3.yaml")).unwrap();
    assert_eq!(spec.operations.len(), 468);
    assert_eq!(spec.schemas.len(), 819);
    let form_bodies = spec
        .operations
        .iter()
        .filter(|o| {
            o.request_body
                .iter()
                .flat_map(|b| b.content.iter())
                .any(|m| m.essence() == "application/x-www-form-urlencoded")
        })
        .count();
    assert!(
        form_bodies > 100,
        "Stripe's bodies are form-encoded: {form_bodies}"
    );
}
