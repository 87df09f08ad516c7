//! The self-contained `report.html` (a real conformance run against the embedded
//! mock, plus snapshot diffs) loads in headless Chromium and shows its sections.
//! Chromium is Debian's package: when it is missing, the test installs it with
//! `.ci/setup-chromium` (so `cargo test --workspace` alone works on a fresh
//! machine); if that fails, the test fails and says so.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use covenant_runner::{RunOptions, Target};
use covenant_snapshot::{
    Options, compare, local_credentials, normalise, record_mock, write_reports,
};

const CHROMIUM: &str = "/usr/bin/chromium";

fn ensure_chromium() {
    if Path::new(CHROMIUM).exists() {
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.ci/setup-chromium");
    let status = Command::new("bash").arg(&script).status();
    assert!(
        matches!(status, Ok(s) if s.success()) && Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing and {} could not install it ({status:?})",
        script.display()
    );
}

fn dump_dom(file: &Path, profile: &Path) -> String {
    ensure_chromium();
    let out = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_html_renders_run_and_diffs_in_headless_chromium() {
    let spec_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../specs/rebilly.yaml");
    let spec = Arc::new(covenant_spec::Spec::load(spec_path).unwrap());
    let creds = local_credentials(&spec);

    // A real (small) conformance run against the embedded mock.
    let mut mock_config = covenant_mock::MockConfig::default();
    covenant_runner::suite::give_credentials(&spec, &creds, &mut mock_config);
    let server =
        covenant_mock::start_spec(spec.clone(), mock_config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
    let target = Target::new("rebilly", spec.clone(), &server.url(), creds.clone());
    let opts = RunOptions {
        cases: 2,
        shrink_runs: 0,
        ..RunOptions::default()
    };
    let provider = covenant_runner::run_target(&target, &opts, None).await;
    server.shutdown().await;
    let run = covenant_runner::new_report(&opts, vec![provider], Default::default());

    // Snapshot diffs: a recording compared with one where a response was altered.
    let rec = record_mock(spec.clone(), &creds, &Options::default())
        .await
        .unwrap();
    let stored = normalise(&spec, &rec);
    let mut altered = rec.clone();
    if let covenant_snapshot::record::RawResponse::Answer { status, .. } =
        &mut altered.exchanges[0].steps[0].response
    {
        *status = 299;
    }
    let mut redactor = covenant_snapshot::redactor_for(&spec, &altered);
    let new = covenant_snapshot::normalise::normalise_with(&mut redactor, &altered);
    let diff = compare(&stored, &new);
    assert!(diff.changed());
    let changed_id = diff.exchanges[0].id.clone();

    let dir = tempfile::tempdir().unwrap();
    let (_, html_path) = write_reports(dir.path(), &[diff], Some(&run), &mut redactor).unwrap();
    let html = std::fs::read_to_string(&html_path).unwrap();
    // Self-contained: no external resource can be fetched.
    for forbidden in ["<script", "<link", "src=", "href=", "url(", "@import"] {
        assert!(
            !html.contains(forbidden),
            "report.html contains `{forbidden}`"
        );
    }
    assert!(html.contains("default-src 'none'"));

    // The run's own report.html (what `covenant run`/`check` write beside
    // report.md): the same conformance section, with coverage.
    let run_dir = dir.path().join("run");
    run.write(&run_dir, &covenant_runner::CredentialScrubber::default())
        .unwrap();
    let run_dom = dump_dom(
        &run_dir.join("report.html"),
        &dir.path().join("chromium-run"),
    );
    for expected in [
        "id=\"run-summary\"",
        "data-provider=\"rebilly\"",
        "postKycRequest",
        "Coverage of the contract",
        "data-category=\"statuses\"",
        "data-category=\"all\"",
        "Documented statuses per operation",
        "each check",
    ] {
        assert!(
            run_dom.contains(expected),
            "the run's report.html lacks `{expected}`:\n{run_dom}"
        );
    }

    let dom = dump_dom(&html_path, &dir.path().join("chromium-profile"));
    for expected in [
        "id=\"conformance\"",
        "Conformance run",
        "id=\"run-summary\"",
        "data-provider=\"rebilly\"",
        "postKycRequest",
        "id=\"snapshot-diffs\"",
        "Snapshot changes",
        "Coverage of the contract",
        "class=\"exchange-diff\"",
        changed_id.as_str(),
        "<span class=\"add\">+",
        "status: 299",
    ] {
        assert!(
            dom.contains(expected),
            "the rendered page lacks `{expected}`:\n{dom}"
        );
    }
}
