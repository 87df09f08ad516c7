//! Changing one enum value in a spec (on a temporary copy) makes both audit
//! snapshots fail until reviewed: the exchange snapshot of its mock differs from the
//! committed `tests/snapshots/mocks__exchanges_onboarding.snap`, and the model code
//! generated from it differs from the committed `crates/models-onboarding/src/lib.rs`.

use std::path::PathBuf;
use std::sync::Arc;

use covenant_snapshot::{
    Change, Options, Snapshot, compare, local_credentials, normalise, record_mock,
};

const OLD: &str = "        - ERROR_OPERATOR_WRONG_FIRSTNAME\n";
const NEW: &str = "        - ERROR_OPERATOR_WRONG_FIRST_NAME\n";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn load(path: &std::path::Path) -> Arc<covenant_spec::Spec> {
    Arc::new(covenant_spec::Spec::load(path).unwrap_or_else(|e| panic!("{e}")))
}

fn modified_copy(dir: &std::path::Path) -> PathBuf {
    let text = std::fs::read_to_string(root().join("specs/onboarding.yaml")).unwrap();
    assert_eq!(
        text.matches(OLD).count(),
        1,
        "the enum value to change is gone from the spec"
    );
    let path = dir.join("onboarding.yaml");
    std::fs::write(&path, text.replace(OLD, NEW)).unwrap();
    path
}

async fn snapshot_of(spec: Arc<covenant_spec::Spec>) -> Snapshot {
    let rec = record_mock(spec.clone(), &local_credentials(&spec), &Options::default())
        .await
        .unwrap();
    normalise(&spec, &rec)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_enum_value_changes_the_exchange_snapshot() {
    let committed_path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots/mocks__exchanges_onboarding.snap");
    let committed = Snapshot::from_snap_file(
        &committed_path,
        &std::fs::read_to_string(&committed_path).unwrap(),
    )
    .unwrap();
    // Control: the spec as committed still matches its reviewed snapshot.
    let same = compare(
        &committed,
        &snapshot_of(load(&root().join("specs/onboarding.yaml"))).await,
    );
    assert!(!same.changed(), "unmodified spec differs: {same:?}");

    let dir = tempfile::tempdir().unwrap();
    let changed = compare(
        &committed,
        &snapshot_of(load(&modified_copy(dir.path()))).await,
    );
    assert!(
        changed.changed(),
        "an enum change must alter the exchange snapshot"
    );
    let diff: String = changed.exchanges.iter().map(|e| e.diff.as_str()).collect();
    assert!(diff.contains("ERROR_OPERATOR_WRONG_FIRST_NAME"), "{diff}");
    assert!(
        changed
            .exchanges
            .iter()
            .all(|e| e.change == Change::Changed)
    );
}

#[test]
fn one_enum_value_changes_the_model_snapshot() {
    let options = covenant_codegen::Options {
        validate_dependency: r#"{ path = "../covenant-validate" }"#.into(),
        spec_label: "specs/onboarding.yaml".into(),
        crate_name: None,
    };
    let committed =
        std::fs::read_to_string(root().join("crates/models-onboarding/src/lib.rs")).unwrap();
    // Control: the committed model code is what the committed spec generates.
    let original =
        covenant_codegen::generate(&load(&root().join("specs/onboarding.yaml")), &options).unwrap();
    assert!(
        original.lib_rs == committed,
        "crates/models-onboarding is stale: run cargo xtask codegen"
    );

    let dir = tempfile::tempdir().unwrap();
    let modified = covenant_codegen::generate(&load(&modified_copy(dir.path())), &options).unwrap();
    assert_ne!(
        modified.lib_rs, committed,
        "an enum change must alter the model code"
    );
    let diff = covenant_snapshot::compare::unified(&committed, &modified.lib_rs, "lib.rs");
    let added: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
        .collect();
    assert!(
        added
            .iter()
            .any(|l| l.contains("ERROR_OPERATOR_WRONG_FIRST_NAME")),
        "{diff}"
    );
}
