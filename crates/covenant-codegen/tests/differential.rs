//! Differential and round-trip properties over every request/response body of every
//! spec in `specs/`, with instances from the shared generator (`covenant-gen`):
//! - the model (deserialise + derive validation) accepts exactly what the `jsonschema`
//!   crate accepts on the loader's JSON Schema view, on valid instances and on
//!   negatives that each break one constraint (a disagreement prints the instance);
//! - every valid instance round-trips through the model to an equal JSON value
//!   (date-times and uuids compared by value);
//! - the schema schemars exports for the model accepts and rejects the same instances
//!   as the spec's own view.

mod common;

use serde_json::Value;

/// Valid instances sampled per (schema, direction); each also yields its negatives.
const VALID_PER_SITE: usize = 600;

struct Site {
    provider: String,
    ty: String,
    label: String,
    generator: covenant_gen::Generator,
    exported: Option<jsonschema::Validator>,
}

fn sites() -> Vec<Site> {
    let mut out = Vec::new();
    for spec in common::specs() {
        let provider = spec.provider.as_str();
        let exported: std::collections::BTreeMap<String, Value> = common::json_schemas(provider)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        for site in common::body_sites(&spec) {
            let name = site.name().unwrap_or_default().to_string();
            let ty = covenant_codegen::type_name(&name);
            let view = spec.json_schema(&site);
            let generator = covenant_gen::Generator::new(&view)
                .unwrap_or_else(|e| panic!("{provider} {name}: generator: {e}"));
            let exported = exported
                .get(&ty)
                .map(|s| covenant_spec::view::compile(s).expect("exported schema compiles"));
            out.push(Site {
                provider: provider.to_string(),
                label: format!("{provider} {name} ({:?})", site.direction),
                ty,
                generator,
                exported,
            });
        }
    }
    out
}

#[test]
fn derive_validator_agrees_with_jsonschema() {
    let mut total = 0usize;
    let (mut accepted, mut rejected) = (0usize, 0usize);
    let mut disagreements = Vec::new();
    let mut export_disagreements = Vec::new();
    for (i, site) in sites().iter().enumerate() {
        let valid =
            covenant_gen::sample(&site.generator.valid(), 0xC0DE + i as u64, VALID_PER_SITE);
        let mut instances: Vec<Value> = Vec::new();
        for v in &valid {
            instances.extend(site.generator.negatives(v).into_iter().map(|n| n.instance));
            instances.push(v.clone());
        }
        for v in &instances {
            total += 1;
            let spec_ok = site.generator.is_valid(v);
            if spec_ok {
                accepted += 1;
            } else {
                rejected += 1;
            }
            let model = common::check(&site.provider, &site.ty, v)
                .unwrap_or_else(|| panic!("{}: no model type {}", site.label, site.ty));
            if model.is_ok() != spec_ok {
                disagreements.push(format!(
                    "{}: jsonschema {} model {:?}: {v}",
                    site.label,
                    spec_ok,
                    model.err().map(|e| e.to_string())
                ));
            }
            if let Some(exp) = &site.exported
                && exp.is_valid(v) != spec_ok
            {
                export_disagreements.push(format!(
                    "{}: spec {} exported {}: {v}",
                    site.label, spec_ok, !spec_ok
                ));
            }
        }
    }
    let mut by_site = std::collections::BTreeMap::new();
    for d in disagreements.iter().chain(&export_disagreements) {
        *by_site
            .entry(d.split(": ").next().unwrap_or_default().to_string())
            .or_insert(0usize) += 1;
    }
    eprintln!("disagreements by site: {by_site:?}");
    eprintln!(
        "differential: {total} instances ({accepted} valid, {rejected} invalid), {} disagreements, {} exported-schema disagreements",
        disagreements.len(),
        export_disagreements.len()
    );
    assert!(
        accepted >= 10_000 && rejected >= 10_000,
        "only {accepted} valid and {rejected} invalid instances"
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements, first ones:\n{}",
        disagreements.len(),
        disagreements
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        export_disagreements.is_empty(),
        "{} exported-schema disagreements, first ones:\n{}",
        export_disagreements.len(),
        export_disagreements
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn valid_instances_round_trip() {
    for (i, site) in sites().iter().enumerate() {
        let mut values = covenant_gen::sample(&site.generator.valid(), 0xF00D + i as u64, 200);
        values.extend(covenant_gen::sample(
            &site.generator.minimal(),
            0xBEEF + i as u64,
            20,
        ));
        for v in values {
            let back = common::round_trip(&site.provider, &site.ty, &v)
                .unwrap()
                .unwrap_or_else(|e| panic!("{}: does not deserialise: {e}: {v}", site.label));
            assert!(
                common::same_json(&v, &back),
                "{}: round trip changed\n  in:  {v}\n  out: {back}",
                site.label
            );
        }
    }
}
