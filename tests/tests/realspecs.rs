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

/// Persona answers JSON:API documents: its collections are inferred as resources
/// whose id is at `/data/id`, so create, read, update and delete are chained.
#[test]
fn persona_collections_are_json_api_resources() {
    use covenant_spec::ext::ResourceRole;
    let spec = Spec::load(realspec("persona-2023-01-05.json")).unwrap();
    assert_eq!(spec.operations.len(), 209);
    let resource = |path: &str, method: covenant_spec::Method| {
        let op = spec
            .operations
            .iter()
            .find(|o| o.path == path && o.method == method)
            .unwrap_or_else(|| panic!("{method:?} {path}"));
        spec.covenant.resources.get(&op.pointer).cloned()
    };
    let create = resource("/accounts", covenant_spec::Method::Post).expect("a create");
    assert_eq!(create.role, ResourceRole::Create);
    assert_eq!(create.id.as_deref(), Some("/data/id"));
    let read = resource("/accounts/{account-id}", covenant_spec::Method::Get).expect("a read");
    assert_eq!(read.role, ResourceRole::Read);
    let update =
        resource("/accounts/{account-id}", covenant_spec::Method::Patch).expect("an update");
    assert_eq!(update.role, ResourceRole::Update);
}
