//! Provider behaviour snapshots: the five embedded mocks, recorded with the fixed
//! exchange set and kept as insta snapshots in `tests/snapshots/`. A change in mock
//! behaviour, or a spec change that alters what a provider returns, fails here
//! until reviewed (`cargo insta review`).

use std::sync::Arc;

use covenant_snapshot::{Options, local_credentials, normalise, record_mock};

const PROVIDERS: [&str; 5] = ["identplus", "iron", "onboarding", "rebilly", "rpcsession"];

fn spec(name: &str) -> Arc<covenant_spec::Spec> {
    let path = format!("{}/../../specs/{name}.yaml", env!("CARGO_MANIFEST_DIR"));
    Arc::new(covenant_spec::Spec::load(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
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
async fn the_five_mocks_match_their_reviewed_snapshots() {
    for name in PROVIDERS {
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
