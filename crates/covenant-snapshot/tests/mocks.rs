//! Provider behaviour snapshots: the embedded mock of every spec in `specs/`
//! (the provider is the file stem), recorded with the fixed exchange set and kept
//! as insta snapshots in `tests/snapshots/` (`mocks__exchanges_<provider>.snap`). A
//! change in mock behaviour, or a spec change that alters what a provider returns,
//! fails here until reviewed (`cargo insta review`); a new spec fails until its
//! first snapshot is accepted.

use std::path::PathBuf;
use std::sync::Arc;

use covenant_snapshot::{Options, local_credentials, normalise, record_mock};

fn specs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs")
}

/// The file stems of `specs/*.yaml`, sorted.
fn providers() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(specs_dir())
        .expect("specs/")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_owned()))
        .collect();
    out.sort();
    out
}

fn spec(name: &str) -> Arc<covenant_spec::Spec> {
    let path = specs_dir().join(format!("{name}.yaml"));
    Arc::new(covenant_spec::Spec::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

async fn yaml_of(name: &str) -> String {
    let spec = spec(name);
    let creds = local_credentials(&spec);
    let rec = record_mock(spec.clone(), &creds, &Options::default())
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    normalise(&spec, &rec).to_yaml()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mock_matches_its_reviewed_snapshot() {
    let providers = providers();
    assert!(
        !providers.is_empty(),
        "no specs in {}",
        specs_dir().display()
    );
    for name in &providers {
        let first = yaml_of(name).await;
        // Stable across runs: a second recording against a fresh mock is identical.
        let second = yaml_of(name).await;
        assert_eq!(first, second, "{name}: two recordings differ");
        for kind in ["/happy_path", "/auth_missing", "/reject_"] {
            assert!(first.contains(kind), "{name}: no {kind} exchange");
        }
        insta::assert_snapshot!(format!("exchanges_{name}"), first);
    }
}
