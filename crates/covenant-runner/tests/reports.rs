//! Reports: same seed -> byte-identical case lists and reports (timing aside);
//! report.json validates against the published schema; junit.xml has the shape CI
//! systems read (one testcase per operation x check, failures carrying the
//! reproduction); no credential value appears anywhere the runner writes;
//! baselines and partition merges behave.

mod common;

use common::{Fault, configured_providers, fault_layer, mock, opts, provider};
use covenant_runner::report::{CredentialScrubber, Report, Timing, merge};
use covenant_runner::{RunOptions, Target};

fn without_timing(mut r: Report) -> String {
    r.timing = Timing::default();
    r.to_json()
}

#[test]
fn same_seed_same_cases_other_seed_other_cases() {
    for name in configured_providers() {
        let (spec, creds) = provider(&name, &|_| None);
        let a =
            serde_json::to_string(&covenant_runner::case_list(&spec, &creds, &opts(10))).unwrap();
        let b =
            serde_json::to_string(&covenant_runner::case_list(&spec, &creds, &opts(10))).unwrap();
        assert_eq!(a, b, "{name}: same seed, different cases");
        let other = RunOptions {
            seed: 12,
            ..opts(10)
        };
        let c = serde_json::to_string(&covenant_runner::case_list(&spec, &creds, &other)).unwrap();
        assert_ne!(a, c, "{name}: the seed changes nothing");
    }
}

#[test]
fn partitions_split_the_cases_exactly() {
    let (spec, creds) = provider("rebilly", &|_| None);
    let all = covenant_runner::case_list(&spec, &creds, &opts(10));
    let mut ids: Vec<String> = Vec::new();
    for k in 1..=3 {
        let part = RunOptions {
            partition: Some((k, 3)),
            ..opts(10)
        };
        ids.extend(
            covenant_runner::case_list(&spec, &creds, &part)
                .into_iter()
                .map(|c| c.id),
        );
    }
    let mut want: Vec<String> = all.into_iter().map(|c| c.id).collect();
    want.sort();
    ids.sort();
    assert_eq!(ids, want);
}

/// A failing run against rebilly behind a schema-breaking fault layer, reproductions
/// shown against `$COVENANT_MOCK_URL` so ports do not enter the report.
async fn failing_run(
    o: &RunOptions,
    env: &dyn Fn(&str) -> Option<String>,
    fault: Fault,
) -> (Report, CredentialScrubber) {
    let (spec, creds) = provider("rebilly", env);
    let server = mock(&spec, &creds).await;
    let layer = fault_layer(&server.url(), fault).await;
    let mut target = Target::new("rebilly", spec, &layer.url, creds.clone());
    target.shown_base_url = "$COVENANT_MOCK_URL".into();
    let p = covenant_runner::run_target(&target, o, None).await;
    drop(layer);
    server.shutdown().await;
    let mut scrubber = CredentialScrubber::default();
    scrubber.add_credentials(&creds);
    (
        covenant_runner::new_report(o, vec![p], Timing::default()),
        scrubber,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_seed_byte_identical_reports() {
    let mut o = opts(6);
    o.client.concurrency = 4;
    let (a, _) = failing_run(&o, &|_| None, Fault::DropField("documents")).await;
    let (b, _) = failing_run(&o, &|_| None, Fault::DropField("documents")).await;
    assert!(a.summary.violations > 0);
    assert_eq!(without_timing(a.clone()), without_timing(b.clone()));
    assert_eq!(a.junit(), b.junit());
    assert_eq!(a.markdown(), b.markdown());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_validate_and_junit_has_ci_shape() {
    let (report, scrubber) = failing_run(&opts(4), &|_| None, Fault::DropField("documents")).await;
    let dir = std::env::temp_dir().join(format!("covenant-reports-{}", std::process::id()));
    report.write(&dir, &scrubber).unwrap();

    // report.json against the published schema.
    let schema: serde_json::Value =
        serde_json::from_str(covenant_runner::report::REPORT_SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the report schema compiles");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    // ...and it reads back into the same report.
    assert_eq!(Report::read(&dir.join("report.json")).unwrap(), report);
    // The schema is not vacuous: a report without its summary fails it.
    let mut broken = json.clone();
    broken.as_object_mut().unwrap().remove("summary");
    assert!(!validator.is_valid(&broken));

    // junit.xml: testsuites > testsuite > testcase (name, classname), failures
    // carrying the reproduction, counts that add up.
    let xml = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    let parsed = quick_junit::Report::deserialize_from_str(&xml).expect("junit.xml parses");
    assert_eq!(parsed.test_suites.len(), 1);
    let suite = &parsed.test_suites[0];
    let ops = report.providers[0].operations.len();
    assert_eq!(
        suite.test_cases.len(),
        ops * covenant_runner::Check::ALL.len()
    );
    let failures: Vec<_> = suite
        .test_cases
        .iter()
        .filter(|t| matches!(t.status, quick_junit::TestCaseStatus::NonSuccess { .. }))
        .collect();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].name.as_str(), "postKycRequest::response_schema");
    assert!(
        xml.contains("<testsuites")
            && xml.contains("classname=\"covenant.rebilly.postKycRequest\"")
    );
    assert!(
        xml.contains("curl -sS"),
        "the failure carries the reproduction"
    );
    assert!(
        xml.contains("<skipped"),
        "inapplicable checks are skipped, not passed"
    );

    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(
        md.contains("| rebilly | 1 |") && md.contains("```sh\ncurl"),
        "{md}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_credential_value_is_written_anywhere() {
    let secret = "sk_live_TOPSECRET_4242";
    let jwt = "jwt.TOPSECRET.sig";
    let env = |k: &str| match k {
        "COVENANT_REBILLY_API_KEY" => Some(secret.to_string()),
        "COVENANT_REBILLY_JWT" => Some(jwt.to_string()),
        _ => None,
    };
    // The provider echoes the API key it receives into every error body.
    let (report, scrubber) = failing_run(&opts(4), &env, Fault::EchoHeader("reb-apikey")).await;
    assert!(report.summary.violations > 0);
    let raw = format!(
        "{}{}{}",
        report.to_json(),
        report.junit(),
        report.markdown()
    );
    assert!(
        raw.contains(secret),
        "the echo test needs the secret in a raw body"
    );
    let dir = std::env::temp_dir().join(format!("covenant-secrets-{}", std::process::id()));
    report.write(&dir, &scrubber).unwrap();
    for f in ["report.json", "junit.xml", "report.md"] {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        assert!(
            !text.contains(secret) && !text.contains(jwt),
            "{f} leaks a credential"
        );
        assert!(
            text.contains("$COVENANT_REBILLY_API_KEY"),
            "{f} names the variable"
        );
    }
    for v in &report.providers[0].violations {
        assert!(!v.curl.contains(secret), "{}", v.curl);
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn baseline_and_merge() {
    let (report, _) = failing_run(&opts(4), &|_| None, Fault::DropField("documents")).await;
    assert_eq!(report.exit_code(), 1);
    let mut again = report.clone();
    again.apply_baseline(&report);
    assert_eq!(again.summary.new_violations, 0);
    assert_eq!(
        again.exit_code(),
        0,
        "violations already in the baseline do not fail the run"
    );

    let halves: Vec<Report> = {
        let mut out = Vec::new();
        for k in 1..=2 {
            let o = RunOptions {
                partition: Some((k, 2)),
                ..opts(4)
            };
            out.push(
                failing_run(&o, &|_| None, Fault::DropField("documents"))
                    .await
                    .0,
            );
        }
        out
    };
    let merged = merge(&halves).unwrap();
    assert_eq!(merged.summary.cases, report.summary.cases);
    assert_eq!(
        merged.partitions,
        vec!["1/2".to_string(), "2/2".to_string()]
    );
    assert_eq!(merged.exit_code(), 1);
}
