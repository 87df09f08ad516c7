//! Nothing secret or personal reaches a written snapshot or report: exchanges are
//! fed with known credentials and personal data (in headers, query, path, bodies,
//! error texts), written as snapshots, compared, reported as Markdown and HTML, and
//! every written file is searched for every one of those values.

use covenant_runner::report::{
    OperationReport, ProviderReport, Report, ReproRequest, Summary, Timing, Violation,
};
use covenant_snapshot::record::{RawExchange, RawRequest, RawResponse, Recording, Step};
use covenant_snapshot::{
    compare, normalise, read_snapshot, redactor_for, write_reports, write_snapshot,
};
use serde_json::json;

const TOKEN: &str = "tok-5f0c2d9e-live-bearer-value";
const API_KEY: &str = "sk_live_9QmZr7TbW2";
const PASSWORD: &str = "hunter2-pass-XYZ";
const COOKIE: &str = "sessid=ab12cd34ef56";
const PERSONAL: &[&str] = &[
    "Maximilian",
    "Mustermannsson",
    "DE89370400440532013000",
    "1950-06-01",
    "Hauptstrasse",
    "Wolfsburg",
    "38440",
    "+49 151 23456789",
    "RSSMRA85T10A562S",
    "C01X00T47",
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB",
    "erika@example.org",
];

fn person(first: &str) -> serde_json::Value {
    json!({
        "partner_firstname": first,
        "partner_lastname": "Mustermannsson",
        "partner_iban": "DE89370400440532013000",
        "partner_birthdate": "1950-06-01",
        "partner_street": "Hauptstrasse",
        "partner_city": "Wolfsburg",
        "partner_postcode": "38440",
        "phone_number": "+49 151 23456789",
        "fiscal_code": "RSSMRA85T10A562S",
        "document_number": "C01X00T47",
        "portrait": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB",
        "email": "erika@example.org",
        "contract_type": "privat"
    })
}

fn recording(first: &str, status: u16) -> Recording {
    let request = RawRequest {
        method: "POST".into(),
        path: "/identchecks/{email}".into(),
        path_params: vec![("email".into(), "erika@example.org".into())],
        query: vec![
            ("access_token".into(), TOKEN.into()),
            ("api_key".into(), API_KEY.into()),
            ("phone".into(), "+49 151 23456789".into()),
        ],
        headers: vec![
            ("Authorization".into(), format!("Bearer {TOKEN}")),
            ("X-Debug-Echo".into(), format!("key={API_KEY}")),
            ("Cookie".into(), COOKIE.into()),
            ("Content-Type".into(), "application/json".into()),
        ],
        body: Some(serde_json::to_vec(&person(first)).unwrap()),
        auth: "valid".into(),
    };
    let mut answer = person(first);
    answer["id"] = json!("ic_1234");
    answer["password"] = json!(PASSWORD);
    answer["detail"] = json!(format!("token {TOKEN} accepted for key {API_KEY}"));
    let response = RawResponse::Answer {
        status,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("set-cookie".into(), COOKIE.into()),
            ("x-echo-auth".into(), format!("Bearer {TOKEN}")),
        ],
        body: serde_json::to_vec(&answer).unwrap(),
    };
    Recording {
        provider: "identplus".into(),
        seed: 0,
        exchanges: vec![RawExchange {
            id: "postIdentcheck/happy_path".into(),
            operation: "postIdentcheck".into(),
            kind: "happy_path".into(),
            breaks: None,
            note: None,
            steps: vec![Step { request, response }],
        }],
        secrets: vec![TOKEN.into(), API_KEY.into()],
    }
}

fn run_report() -> Report {
    Report {
        schema_version: 1,
        tool: "covenant test".into(),
        seed: 0,
        cases_per_operation: 1,
        partitions: vec![],
        checks: vec!["auth_required".into()],
        timing: Timing::default(),
        providers: vec![ProviderReport {
            name: "identplus".into(),
            spec: "specs/identplus.yaml".into(),
            base_url: "mock".into(),
            error: None,
            cases: 1,
            requests: 1,
            operations: vec![OperationReport {
                id: "postIdentcheck".into(),
                method: "POST".into(),
                path: "/identchecks".into(),
                cases: 1,
                problems: vec![],
                checks: vec![],
                coverage: Default::default(),
                reason: None,
                resource: None,
                exercised: Default::default(),
            }],
            violations: vec![Violation {
                id: "identplus/postIdentcheck/auth_required/x".into(),
                provider: "identplus".into(),
                operation: "postIdentcheck".into(),
                check: "auth_required".into(),
                expected: "401".into(),
                actual: format!("200 with token {TOKEN}"),
                case: "postIdentcheck/auth_wrong/0".into(),
                seed: 0,
                occurrences: 1,
                original_size: 1,
                size: 1,
                request: ReproRequest {
                    method: "POST".into(),
                    path: "/identchecks".into(),
                    headers: vec![],
                    body: None,
                    auth: "wrong".into(),
                },
                curl: format!("curl -H 'Authorization: Bearer {TOKEN}' -H 'X-Key: {API_KEY}'"),
                new: true,
                flaky: false,
            }],
            coverage_totals: Default::default(),
            coverage_gate: Vec::new(),
        }],
        summary: Summary::default(),
        flaky_fails: false,
        min_coverage: Vec::new(),
    }
}

#[test]
fn no_secret_or_personal_value_is_written() {
    let spec = covenant_spec::Spec::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../specs/identplus.yaml"
    ))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (stored_dir, new_dir) = (dir.path().join("stored"), dir.path().join("new"));
    let old = recording("Maximilian", 201);
    let new = recording("Maximilian", 202);
    let stored = normalise(&spec, &old);
    write_snapshot(&stored_dir, &stored).unwrap();
    let mut redactor = redactor_for(&spec, &new);
    let current = covenant_snapshot::normalise::normalise_with(&mut redactor, &new);
    write_snapshot(&new_dir, &current).unwrap();
    let diff = compare(&read_snapshot(&stored_dir, "identplus").unwrap(), &current);
    assert!(diff.changed(), "the status change must show as a diff");
    let run = run_report();
    write_reports(&new_dir, &[diff], Some(&run), &mut redactor).unwrap();

    let mut files = 0;
    for d in [&stored_dir, &new_dir] {
        for entry in std::fs::read_dir(d).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            files += 1;
            for secret in [TOKEN, API_KEY, PASSWORD, COOKIE, "ab12cd34ef56"] {
                assert!(
                    !text.contains(secret),
                    "secret leaked into {}",
                    path.display()
                );
            }
            for value in PERSONAL {
                assert!(
                    !text.contains(value),
                    "{value} leaked into {}",
                    path.display()
                );
            }
        }
    }
    // stored + new snapshots, the Markdown and the HTML report.
    assert_eq!(files, 4);
    let snap = std::fs::read_to_string(new_dir.join("identplus.snap")).unwrap();
    // Still readable: shape kept, placeholders and masks visible, non-personal data kept.
    for expected in [
        "partner_firstname: <personal>",
        "contract_type: privat",
        "id: <id-1>",
        "password: <secret>",
        "status: 202",
    ] {
        assert!(snap.contains(expected), "missing `{expected}` in\n{snap}");
    }
    assert!(
        !snap.contains("authorization") && !snap.contains("cookie"),
        "{snap}"
    );
}
