//! `covenant run` against the zoo: small reference servers (`tests/zoo/server.py`, Python
//! standard library, written without covenant's mock) serving plain specs with no
//! `x-covenant-*` extension, run from a directory without covenant.toml with only the
//! credential variables covenant implies. A correct server must pass with no
//! violation; each planted bug must be caught by the check that names it.
//!
//! Servers bind 127.0.0.1 on an ephemeral port and exit when their stdin closes,
//! which happens when the test's `Server` handle drops.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

use covenant_runner::report::Report;

fn zoo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/zoo")
}

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(app: &str, bug: Option<&str>) -> Server {
    let mut cmd = Command::new("python3");
    cmd.arg(zoo().join("server.py")).arg(app);
    if let Some(b) = bug {
        cmd.args(["--bug", b]);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 runs tests/zoo/server.py");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout piped"))
        .read_line(&mut line)
        .expect("the server prints its address");
    let url = line
        .trim()
        .strip_prefix("listening ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    Server { child, url }
}

/// The zoo servers' credentials, given as a user without any config gives them:
/// the variables covenant implies for each security scheme.
fn credentials(app: &str) -> Vec<(&'static str, &'static str)> {
    match app {
        "things" => vec![("COVENANT_THINGS_BEARERAUTH", "zoo-token")],
        "pets" | "notes" => Vec::new(),
        _ => vec![
            ("COVENANT_RPC_BASICAUTH_USERNAME", "zoo-user"),
            ("COVENANT_RPC_BASICAUTH_PASSWORD", "zoo-password"),
        ],
    }
}

/// A scratch directory without covenant.toml: the run has no config at all.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("covenant-zoo-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// `covenant run` against the zoo server, from a directory without config.
fn covenant_run(app: &str, url: &str, dir: &std::path::Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_covenant"));
    cmd.current_dir(dir)
        .arg("run")
        .arg("--spec")
        .arg(zoo().join(format!("{app}.yaml")))
        .args([
            "--base-url",
            url,
            "--seed",
            "3",
            "--cases",
            "30",
            "--report-dir",
            "reports",
        ])
        .env("NO_COLOR", "1");
    for (k, _) in credentials(app) {
        cmd.env_remove(k);
    }
    cmd.envs(env.iter().copied());
    cmd.output().expect("covenant runs")
}

fn run(app: &str, bug: Option<&str>) -> Report {
    let server = start(app, bug);
    let dir = scratch(&format!("{app}-{}", bug.unwrap_or("correct")));
    let out = covenant_run(app, &server.url, &dir, &credentials(app));
    drop(server);
    let report = Report::read(&dir.join("reports/report.json")).unwrap_or_else(|e| {
        panic!(
            "{app}: no report ({e}); stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(
        out.status.code(),
        Some(report.exit_code() as i32),
        "{app}: the exit code is the report's"
    );
    let _ = std::fs::remove_dir_all(&dir);
    report
}

fn violations(report: &Report) -> Vec<String> {
    report
        .providers
        .iter()
        .flat_map(|p| {
            p.error
                .iter()
                .map(|e| format!("could not run: {e}"))
                .chain(p.violations.iter().map(|v| v.describe()))
        })
        .collect()
}

fn checks_failed(report: &Report) -> Vec<String> {
    let mut names: Vec<String> = report
        .providers
        .iter()
        .flat_map(|p| p.violations.iter().map(|v| v.check.clone()))
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn correct_servers_pass_without_config_extensions() {
    for app in ["things", "rpc", "pets", "notes"] {
        let report = run(app, None);
        let found = violations(&report);
        assert!(
            found.is_empty(),
            "{app}: a correct server got {} violation(s):\n{}",
            found.len(),
            found.join("\n\n")
        );
        assert_eq!(report.exit_code(), 0, "{app}");
        // What was inferred, and from what, is in the report.
        let resources: Vec<&str> = report.providers[0]
            .operations
            .iter()
            .filter_map(|o| o.resource.as_deref())
            .collect();
        let expected = match app {
            "things" => {
                "read of things (inferred from REST paths: POST /things beside GET /things/{thing_id})"
            }
            "pets" => "read of pets (inferred from OpenAPI link from addPet to showPet)",
            "notes" => {
                "read of notes (inferred from Location header: POST /notes answers 201 with Location, beside GET /notes/{note_id})"
            }
            _ => {
                "read of session (inferred from RPC pair: /rpc/session.create beside /rpc/session.get)"
            }
        };
        assert!(resources.contains(&expected), "{app}: {resources:?}");
        // Every sequence ran on the correct stateful servers, walks included.
        if app == "pets" || app == "notes" {
            let judged = |check: &str| -> usize {
                report.providers[0]
                    .operations
                    .iter()
                    .flat_map(|o| &o.checks)
                    .filter(|c| c.check == check)
                    .map(|c| c.judged)
                    .sum()
            };
            for check in [
                "create_then_read",
                "update_then_read",
                "delete_then_read",
                "link_walk",
            ] {
                assert!(judged(check) > 0, "{app}: no {check} was judged");
            }
        }
        // Coverage: the statuses seen, and the documented ones never provoked.
        if app == "things" {
            let get = report.providers[0]
                .operations
                .iter()
                .find(|o| o.id == "getThing")
                .expect("getThing");
            let statuses = &get.exercised.statuses;
            for status in ["200", "401", "404"] {
                assert!(
                    statuses.iter().any(|i| i.name == status && i.covered),
                    "{status} not provoked: {statuses:?}"
                );
            }
            // Whatever was not provoked says why.
            assert!(
                statuses
                    .iter()
                    .all(|i| i.covered || i.reason.as_deref().is_some_and(|r| !r.is_empty())),
                "{statuses:?}"
            );
        }
        let requests: usize = report.providers.iter().map(|p| p.operations.len()).sum();
        assert!(requests > 0, "{app}: nothing was tested");
    }
}

/// Each planted bug is caught, and by the check whose name says what is wrong.
#[test]
fn planted_bugs_are_caught_by_their_check() {
    let cases = [
        ("things", "status_400_malformed", "status_documented"),
        ("things", "status_400_types", "status_documented"),
        ("things", "response_schema", "response_schema"),
        ("things", "text_for_json", "content_type"),
        ("things", "accept_invalid", "negative_rejected"),
        ("things", "reject_valid", "positive_accepted"),
        ("things", "server_error", "server_error"),
        ("things", "auth_ignored", "auth_required"),
        ("things", "error_body", "response_schema"),
        ("things", "created_not_readable", "create_then_read"),
        ("things", "update_invisible", "update_then_read"),
        ("things", "delete_ignored", "delete_then_read"),
        ("things", "chain_500", "server_error"),
        ("things", "shared_ids", "create_then_read"),
        ("rpc", "server_error", "server_error"),
        ("rpc", "auth_ignored", "auth_required"),
        ("rpc", "error_body", "response_schema"),
        ("rpc", "reject_valid", "positive_accepted"),
        ("rpc", "forgets_sessions", "create_then_read"),
        ("pets", "created_not_readable", "create_then_read"),
        ("pets", "update_invisible", "update_then_read"),
        ("pets", "delete_ignored", "delete_then_read"),
        ("pets", "renamed_twice_500", "link_walk"),
        ("notes", "created_not_readable", "create_then_read"),
        ("notes", "update_invisible", "update_then_read"),
        ("notes", "delete_ignored", "delete_then_read"),
        ("notes", "renamed_twice_500", "link_walk"),
    ];
    let mut missed = Vec::new();
    for (app, bug, check) in cases {
        let report = run(app, Some(bug));
        let failed = checks_failed(&report);
        if !failed.iter().any(|c| c == check) {
            missed.push(format!(
                "{app} --bug {bug}: expected {check}, got {failed:?}"
            ));
        }
        assert_eq!(report.exit_code(), 1, "{app} --bug {bug}: {failed:?}");
    }
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}

/// Without credentials, a live URL is not run: the error names, per security scheme,
/// the variables to set.
#[test]
fn missing_credentials_name_their_variables() {
    for app in ["things", "rpc"] {
        let server = start(app, None);
        let dir = scratch(&format!("{app}-nocreds"));
        let out = covenant_run(app, &server.url, &dir, &[]);
        drop(server);
        assert_eq!(out.status.code(), Some(2), "{app}");
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        for (var, _) in credentials(app) {
            assert!(
                text.contains(&format!("${var}")),
                "{app}: {var} not named in:\n{text}"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A failure that needs concurrent traffic (the list answers 500 only while
/// another request is served) does not fail again when its minimal case is
/// replayed alone: it is reported as flaky, and the run passes unless the user
/// asks for `--flaky fail`.
#[test]
fn findings_that_do_not_reproduce_alone_are_flaky() {
    let server = start("things", Some("flaky_under_load"));
    let dir = scratch("things-flaky");
    let out = covenant_run("things", &server.url, &dir, &credentials("things"));
    let report = Report::read(&dir.join("reports/report.json")).expect("report");
    let flaky: Vec<_> = report.providers[0]
        .violations
        .iter()
        .filter(|v| v.flaky)
        .collect();
    assert!(
        flaky.iter().any(|v| v.check == "server_error"),
        "the 500 under load is reported flaky: {:#?}",
        report.providers[0].violations
    );
    assert!(
        report.providers[0].violations.iter().all(|v| v.flaky),
        "nothing else fails: {:#?}",
        report.providers[0].violations
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "flaky alone does not fail the run"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("flaky"));
    let mut strict = Command::new(env!("CARGO_BIN_EXE_covenant"));
    strict
        .current_dir(&dir)
        .arg("run")
        .arg("--spec")
        .arg(zoo().join("things.yaml"))
        .args(["--base-url", &server.url, "--seed", "3", "--cases", "30"])
        .args(["--report-dir", "strict", "--flaky", "fail"])
        .envs(credentials("things"));
    let out = strict.output().expect("covenant runs");
    drop(server);
    assert_eq!(out.status.code(), Some(1), "--flaky fail fails on it");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The printed reproduction of a sequence finding, run as printed (only the
/// server's address changes: each replay starts a fresh server), shows the failure
/// against the buggy server and not against the correct one.
#[test]
fn sequence_reproductions_run_as_printed() {
    // The status line and body of the last answer a script printed.
    fn last_answer(out: &str) -> (u16, String) {
        let start = out.rfind("HTTP/1.").expect("an answer");
        let answer = &out[start..];
        let status = answer
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = answer
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, body)
    }
    fn replay(app: &str, script: &str, old_url: &str, bug: Option<&str>) -> (u16, String) {
        let server = start(app, bug);
        let script = script.replace(old_url, &server.url);
        let out = Command::new("bash")
            .args(["-c", &script])
            .envs(credentials(app))
            .output()
            .expect("bash runs");
        drop(server);
        last_answer(&String::from_utf8_lossy(&out.stdout))
    }
    for (app, bug, check) in [
        ("things", "created_not_readable", "create_then_read"),
        ("things", "update_invisible", "update_then_read"),
        ("things", "delete_ignored", "delete_then_read"),
        ("notes", "created_not_readable", "create_then_read"),
        ("notes", "delete_ignored", "delete_then_read"),
        ("pets", "delete_ignored", "delete_then_read"),
        ("pets", "renamed_twice_500", "link_walk"),
        ("notes", "renamed_twice_500", "link_walk"),
    ] {
        let server = start(app, Some(bug));
        let url = server.url.clone();
        let dir = scratch(&format!("{app}-replay-{bug}"));
        covenant_run(app, &url, &dir, &credentials(app));
        drop(server);
        let report = Report::read(&dir.join("reports/report.json")).expect("report");
        let v = report.providers[0]
            .violations
            .iter()
            .find(|v| v.check == check)
            .unwrap_or_else(|| panic!("{bug}: no {check} finding"));
        let capture = if check == "link_walk" {
            "A1=$(curl"
        } else {
            "ID=$(curl"
        };
        assert!(v.curl.contains(capture), "{app} {bug}: {}", v.curl);
        let (buggy, buggy_body) = replay(app, &v.curl, &url, Some(bug));
        let (correct, correct_body) = replay(app, &v.curl, &url, None);
        match bug {
            "created_not_readable" => assert_eq!((buggy, correct), (404, 200), "{}", v.curl),
            "delete_ignored" => assert_eq!((buggy, correct), (200, 404), "{}", v.curl),
            "renamed_twice_500" => {
                assert_eq!((buggy, correct), (500, 200), "{}", v.curl);
                // Shrunk: the create, the two updates and the read, or one
                // read the second update's link needs besides.
                let steps = v.curl.lines().filter(|l| l.starts_with('A')).count();
                assert!((4..=5).contains(&steps), "{steps} steps:\n{}", v.curl);
            }
            _ => {
                // The update's own body, as the script sends it.
                let sent: serde_json::Value = v
                    .curl
                    .lines()
                    .find(|l| l.contains("-X PATCH"))
                    .and_then(|l| l.split("--data-raw '").nth(1))
                    .and_then(|b| b.split("' ").next())
                    .and_then(|b| serde_json::from_str(&b.replace(r"'\''", "'")).ok())
                    .unwrap_or_else(|| panic!("a PATCH body in {}", v.curl));
                let shows = |body: &str| {
                    let read: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
                    sent.as_object()
                        .unwrap()
                        .iter()
                        .all(|(k, val)| read.get(k) == Some(val))
                };
                assert_eq!((buggy, correct), (200, 200), "{}", v.curl);
                assert!(!shows(&buggy_body), "{buggy_body}\n{}", v.curl);
                assert!(shows(&correct_body), "{correct_body}\n{}", v.curl);
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// `--no-infer OPERATION` turns one inference off: with the Location create
/// named, notes has no resource, so no sequence or walk starts there, and the
/// correct server still passes.
#[test]
fn no_infer_turns_one_inference_off() {
    let server = start("notes", None);
    let dir = scratch("notes-no-infer");
    let out = Command::new(env!("CARGO_BIN_EXE_covenant"))
        .current_dir(&dir)
        .arg("run")
        .arg("--spec")
        .arg(zoo().join("notes.yaml"))
        .args(["--base-url", &server.url, "--seed", "3", "--cases", "10"])
        .args(["--report-dir", "reports", "--no-infer", "createNote"])
        .output()
        .expect("covenant runs");
    drop(server);
    let report = Report::read(&dir.join("reports/report.json")).expect("report");
    assert_eq!(out.status.code(), Some(0), "{:?}", violations(&report));
    let p = &report.providers[0];
    assert!(
        p.operations.iter().all(|o| o.resource.is_none()),
        "{:?}",
        p.operations.iter().map(|o| &o.resource).collect::<Vec<_>>()
    );
    for o in &p.operations {
        for c in &o.checks {
            if ["create_then_read", "delete_then_read", "link_walk"].contains(&c.check.as_str()) {
                assert_eq!(c.judged, 0, "{} {}", o.id, c.check);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The mock serves the stateful plain specs as their correct servers do: the
/// Location create answers a Location its reads find, links carry the body's id,
/// and every sequence and walk passes.
#[test]
fn stateful_zoo_specs_pass_against_the_mock() {
    for app in ["pets", "notes"] {
        let dir = scratch(&format!("{app}-mock"));
        let out = covenant_run(app, "mock", &dir, &[]);
        let report = Report::read(&dir.join("reports/report.json")).expect("report");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{app}: {:?}",
            violations(&report)
        );
        let judged = |check: &str| -> usize {
            report.providers[0]
                .operations
                .iter()
                .flat_map(|o| &o.checks)
                .filter(|c| c.check == check)
                .map(|c| c.judged)
                .sum()
        };
        for check in ["create_then_read", "delete_then_read", "link_walk"] {
            assert!(judged(check) > 0, "{app}: no {check} was judged");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
