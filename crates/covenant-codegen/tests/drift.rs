//! `cargo test` fails when committed generated files drift from the specs (the same
//! check as `cargo xtask codegen --check`: the model crates, the lists of them in
//! covenant-codegen's manifest and test dispatch, and the exported JSON Schemas), and
//! generation is deterministic.

mod common;

use std::path::PathBuf;

use covenant_codegen::workspace;

#[test]
fn committed_model_crates_match_the_specs() {
    let root = common::root();
    let plans = workspace::plan(&root).expect("specs generate");
    assert!(!plans.is_empty(), "no specs in specs/");
    let lists = workspace::model_lists(&root, &plans).expect("model lists");
    let stale: Vec<PathBuf> = plans
        .iter()
        .flat_map(|p| workspace::stale(&root, &p.files))
        .chain(workspace::stale(&root, &lists))
        .collect();
    assert!(
        stale.is_empty(),
        "stale generated files (run `cargo xtask codegen`): {stale:?}"
    );
}

#[test]
fn committed_json_schemas_match_the_models() {
    let root = common::root();
    for spec in common::specs() {
        let provider = spec.provider.as_str();
        let map: serde_json::Map<String, serde_json::Value> = common::json_schemas(provider)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        assert!(!map.is_empty(), "{provider} exports no schema");
        let files = workspace::schema_files(provider, &map);
        let stale = workspace::stale(&root, &files);
        let extra = workspace::extra_schema_files(&root, provider, &files);
        assert!(
            stale.is_empty() && extra.is_empty(),
            "{provider}: stale {stale:?}, extra {extra:?}"
        );
    }
}

#[test]
fn generation_is_deterministic() {
    let root = common::root();
    let a = workspace::plan(&root).unwrap();
    let b = workspace::plan(&root).unwrap();
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.files, y.files);
    }
}

#[test]
fn a_one_character_spec_edit_makes_the_output_stale() {
    let root = common::root();
    let path = root.join("specs/identplus.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replacen("minLength: 6", "minLength: 7", 1);
    assert_ne!(text, edited);
    let spec = covenant_spec::Spec::from_str(&path, &edited).unwrap();
    let generated = covenant_codegen::generate(
        &spec,
        &covenant_codegen::Options {
            validate_dependency: r#"{ path = "../covenant-validate" }"#.into(),
            spec_label: "specs/identplus.yaml".into(),
            crate_name: None,
        },
    )
    .unwrap();
    let mut files = std::collections::BTreeMap::new();
    files.insert(
        PathBuf::from("crates/models-identplus/src/lib.rs"),
        generated.lib_rs,
    );
    assert_eq!(
        workspace::stale(&root, &files),
        [PathBuf::from("crates/models-identplus/src/lib.rs")]
    );
}

#[test]
fn generated_code_is_snapshotted() {
    let root = common::root();
    for plan in workspace::plan(&root).unwrap() {
        insta::assert_snapshot!(format!("models_{}", plan.provider), plan.generated.lib_rs);
    }
}
