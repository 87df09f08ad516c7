//! Shared by the model tests: the workspace root, the five specs, and dispatch to the
//! generated crates' `check`/`round_trip` by provider.

#![allow(dead_code)]

use std::path::PathBuf;

use covenant_spec::{SchemaSite, Spec};
use serde_json::Value;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn spec(provider: &str) -> Spec {
    Spec::load(root().join("specs").join(format!("{provider}.yaml"))).expect("spec loads")
}

pub const PROVIDERS: [&str; 5] = ["identplus", "iron", "onboarding", "rebilly", "rpcsession"];

/// Deserialise + validate `value` as the model type named after the component.
pub fn check(
    provider: &str,
    ty: &str,
    value: &Value,
) -> Option<Result<(), covenant_validate::ValidationErrors>> {
    match provider {
        "identplus" => models_identplus::check(ty, value),
        "iron" => models_iron::check(ty, value),
        "onboarding" => models_onboarding::check(ty, value),
        "rebilly" => models_rebilly::check(ty, value),
        "rpcsession" => models_rpcsession::check(ty, value),
        _ => None,
    }
}

pub fn round_trip(provider: &str, ty: &str, value: &Value) -> Option<Result<Value, String>> {
    match provider {
        "identplus" => models_identplus::round_trip(ty, value),
        "iron" => models_iron::round_trip(ty, value),
        "onboarding" => models_onboarding::round_trip(ty, value),
        "rebilly" => models_rebilly::round_trip(ty, value),
        "rpcsession" => models_rpcsession::round_trip(ty, value),
        _ => None,
    }
}

pub fn json_schemas(provider: &str) -> Vec<(&'static str, Value)> {
    match provider {
        "identplus" => models_identplus::json_schemas(),
        "iron" => models_iron::json_schemas(),
        "onboarding" => models_onboarding::json_schemas(),
        "rebilly" => models_rebilly::json_schemas(),
        "rpcsession" => models_rpcsession::json_schemas(),
        _ => Vec::new(),
    }
}

/// Every request and response body site of a spec that names a component, deduplicated
/// by (component, direction).
pub fn body_sites(spec: &Spec) -> Vec<SchemaSite> {
    let mut out: Vec<SchemaSite> = Vec::new();
    for op in &spec.operations {
        let mut sites: Vec<&SchemaSite> = Vec::new();
        if let Some(b) = &op.request_body {
            sites.extend(b.content.iter().filter_map(|m| m.schema.as_ref()));
        }
        for r in &op.responses {
            sites.extend(
                r.content
                    .iter()
                    .filter(|m| m.is_json())
                    .filter_map(|m| m.schema.as_ref()),
            );
        }
        for s in sites {
            if s.name().is_some()
                && !out
                    .iter()
                    .any(|o| o.name() == s.name() && o.direction == s.direction)
            {
                out.push(s.clone());
            }
        }
    }
    out
}

/// Equal JSON, except that date-time and uuid strings compare by value (chrono writes
/// `+00:00` as given and may pad fractions; uuid writes lower case).
pub fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same_json(v, w))
        }
        (Value::String(x), Value::String(y)) if x != y => {
            if let (Ok(p), Ok(q)) = (
                chrono::DateTime::parse_from_rfc3339(x),
                chrono::DateTime::parse_from_rfc3339(y),
            ) {
                return p == q;
            }
            matches!((uuid::Uuid::parse_str(x), uuid::Uuid::parse_str(y)), (Ok(p), Ok(q)) if p == q)
        }
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}
