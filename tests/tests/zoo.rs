//! The runner against the zoo: small reference servers (`tests/zoo/server.py`, Python
//! standard library, written without covenant's mock) serving plain specs with no
//! `x-covenant-*` extension. A correct server must pass with no violation; each
//! planted bug must be caught by the check that names it.
//!
//! Servers bind 127.0.0.1 on an ephemeral port and exit when their stdin closes,
//! which happens when the test's `Server` handle drops.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use covenant_runner::config::{CredentialSource, ProviderConfig};
use covenant_runner::report::Report;
use covenant_runner::{Config, RunOptions};

fn zoo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("zoo")
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

/// The zoo servers' credentials, as a user would configure them: env variables
/// that are unset, with the servers' local defaults.
fn credentials(app: &str) -> BTreeMap<String, CredentialSource> {
    let source = match app {
        "things" => (
            "bearerAuth",
            CredentialSource {
                env: "COVENANT_ZOO_TOKEN_UNSET".into(),
                default: Some("zoo-token".into()),
                ..Default::default()
            },
        ),
        _ => (
            "basicAuth",
            CredentialSource {
                env: "COVENANT_ZOO_PASSWORD_UNSET".into(),
                default: Some("zoo-password".into()),
                username_env: Some("COVENANT_ZOO_USER_UNSET".into()),
                username_default: Some("zoo-user".into()),
                ..Default::default()
            },
        ),
    };
    BTreeMap::from([(source.0.to_owned(), source.1)])
}

fn run(app: &str, bug: Option<&str>) -> Report {
    let server = start(app, bug);
    let config = Config {
        providers: BTreeMap::from([(
            app.to_owned(),
            ProviderConfig {
                spec: zoo().join(format!("{app}.yaml")),
                base_url: server.url.clone(),
                credentials: credentials(app),
            },
        )]),
        root: zoo(),
        path: zoo().join("zoo.toml"),
    };
    let opts = RunOptions {
        seed: 3,
        cases: 30,
        ..RunOptions::default()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (report, _) = rt.block_on(covenant_runner::suite::check(&config, &opts, None));
    drop(server);
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
    for app in ["things", "rpc"] {
        let report = run(app, None);
        let found = violations(&report);
        assert!(
            found.is_empty(),
            "{app}: a correct server got {} violation(s):\n{}",
            found.len(),
            found.join("\n\n")
        );
        assert_eq!(report.exit_code(), 0, "{app}");
        let requests: usize = report.providers.iter().map(|p| p.operations.len()).sum();
        assert!(requests > 0, "{app}: nothing was tested");
    }
}

/// Each planted bug is caught, and by the check whose name says what is wrong.
#[test]
fn planted_bugs_are_caught_by_their_check() {
    let cases = [
        ("things", "response_schema", "response_schema"),
        ("things", "text_for_json", "content_type"),
        ("things", "accept_invalid", "negative_rejected"),
        ("things", "reject_valid", "positive_accepted"),
        ("things", "server_error", "server_error"),
        ("things", "auth_ignored", "auth_required"),
        ("things", "error_body", "response_schema"),
        ("rpc", "server_error", "server_error"),
        ("rpc", "auth_ignored", "auth_required"),
        ("rpc", "error_body", "response_schema"),
        ("rpc", "reject_valid", "positive_accepted"),
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
