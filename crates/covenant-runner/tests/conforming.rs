//! A conforming provider (the embedded mock, for every spec in `specs/`) passes
//! every check: no false alarms, and every check applicable to the spec is judged.

mod common;

use common::{repo, spec_providers};
use covenant_runner::report::Status;
use covenant_runner::{Config, RunOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mock_passes_every_check() {
    let config = Config::load(&repo().join("covenant.toml")).expect("covenant.toml loads");
    let opts = RunOptions {
        seed: 7,
        cases: 20,
        ..RunOptions::default()
    };
    let (report, _) = covenant_runner::suite::check(&config, &opts, None).await;
    let mut problems = Vec::new();
    for p in &report.providers {
        if let Some(e) = &p.error {
            problems.push(format!("{}: could not run: {e}", p.name));
        }
        for v in &p.violations {
            problems.push(v.describe());
        }
        for o in &p.operations {
            assert!(o.problems.is_empty(), "{}: {:?}", o.id, o.problems);
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n\n")
    );
    // covenant.toml runs the mock of every spec there is.
    let mut ran: Vec<String> = report.providers.iter().map(|p| p.name.clone()).collect();
    ran.sort();
    assert_eq!(ran, spec_providers());
    assert_eq!(report.exit_code(), 0);
    // The checks every spec exercises were judged (passed), not silently skipped.
    for p in &report.providers {
        for o in &p.operations {
            for name in [
                "server_error",
                "status_documented",
                "response_schema",
                "positive_accepted",
                "negative_rejected",
            ] {
                let c = o
                    .checks
                    .iter()
                    .find(|c| c.check == name)
                    .expect("check listed");
                assert_eq!(
                    c.status,
                    Status::Passed,
                    "{}/{}/{name} was {:?}",
                    p.name,
                    o.id,
                    c.status
                );
            }
        }
    }
    // Spec-specific checks: auth where a scheme is declared, replays where a key is,
    // create-then-read for rpcsession's session.get.
    let status = |prov: &str, op: &str, check: &str| {
        report
            .providers
            .iter()
            .find(|p| p.name == prov)
            .unwrap()
            .operations
            .iter()
            .find(|o| o.id == op)
            .unwrap()
            .checks
            .iter()
            .find(|c| c.check == check)
            .unwrap()
            .status
    };
    assert_eq!(
        status("rebilly", "postKycRequest", "auth_required"),
        Status::Passed
    );
    assert_eq!(
        status("rebilly", "postKycRequest", "error_names_field"),
        Status::Passed
    );
    assert_eq!(
        status("rpcsession", "getSession", "create_then_read"),
        Status::Passed
    );
    assert_eq!(
        status("iron", "createCustomerIdentification", "idempotent_replay"),
        Status::Passed
    );
    assert_eq!(
        status("onboarding", "createRequest", "idempotent_replay"),
        Status::Passed
    );
}
