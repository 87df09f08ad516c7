//! `covenant proxy` as a process: findings reported before a SIGKILL survive it;
//! SIGTERM writes the runner's reports and the recording; two recordings of the
//! same traffic against a changed upstream differ in `covenant snapshot --from
//! --compare`; and no credential or personal value sent through the proxy appears
//! in anything it writes (findings, reports, recordings, the comparison, its
//! output).

#[path = "../../covenant-runner/tests/common/mod.rs"]
mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use covenant_runner::report::Report;
use serde_json::{Value, json};

use common::Fault;

/// The bearer token the mock accepts and the client sends.
const TOKEN: &str = "3f2c1d9e-5a4b-4c3d-9e8f-7a6b5c4d3e2f";
const PERSONAL: &[&str] = &[
    "Maximiliane",
    "Mustermannsson",
    "DE89370400440532013000",
    "GB29NWBK60161331926819",
    "1950-06-01",
    "Hauptstrasse",
    "Wolfsburg",
    "38440",
];

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("covenant-cli-proxy-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// A running `covenant proxy`; killed when dropped.
struct Proxy {
    child: Child,
    url: String,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proxy {
    fn start(spec: &str, upstream: &str, dir: &Path, extra: &[&str]) -> Proxy {
        let mut child = Command::new(env!("CARGO_BIN_EXE_covenant"))
            .current_dir(dir)
            .args(["proxy", "--spec"])
            .arg(common::repo().join(spec))
            .args(["--upstream", upstream, "--report-dir", "reports"])
            .args(extra)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("covenant proxy starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the address line");
        let url = line
            .split_whitespace()
            .nth(1)
            .expect("`<provider> <url>`")
            .to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{line}");
        Proxy { child, url }
    }

    /// SIGTERM, then the exit code and what it wrote on stderr.
    fn terminate(mut self) -> (Option<i32>, String) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        let code = loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                break s.code();
            }
            assert!(
                Instant::now() < deadline,
                "the proxy did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut e, &mut err);
        }
        (code, err)
    }
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("a whole JSON line ({e}): {l}")))
        .collect()
}

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// Findings written before a SIGKILL are all in findings.jsonl afterwards, each a
/// whole line: nothing waited for a clean shutdown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn findings_survive_sigkill() {
    let dir = scratch("sigkill");
    let spec = std::sync::Arc::new(
        covenant_spec::Spec::load(common::repo().join("tests/zoo/things.yaml")).expect("spec"),
    );
    let creds = covenant_snapshot::local_credentials(&spec);
    let token = creds.values().next().expect("bearer").secret.clone();
    let server = common::mock(&spec, &creds).await;
    let proxy = Proxy::start("tests/zoo/things.yaml", &server.url(), &dir, &[]);
    let c = client();
    let bodies = [
        json!({"name": "Rex", "kind": "cow"}),
        json!({"kind": "dog"}),
        json!({"name": "Rex", "kind": "dog", "age": -1}),
    ];
    for body in &bodies {
        let r = c
            .post(format!("{}/things", proxy.url))
            .bearer_auth(&token)
            .json(body)
            .send()
            .await
            .expect("answer");
        assert_eq!(
            r.status().as_u16(),
            422,
            "forwarded to the mock, which refuses"
        );
    }
    let findings = dir.join("reports/findings.jsonl");
    let deadline = Instant::now() + Duration::from_secs(20);
    while lines(&findings).len() < bodies.len() {
        assert!(
            Instant::now() < deadline,
            "findings not written: {:?}",
            lines(&findings)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let before = lines(&findings);
    drop(proxy); // SIGKILL
    server.shutdown().await;
    let after = lines(&findings);
    assert_eq!(before, after);
    assert_eq!(after.len(), bodies.len(), "{after:#?}");
    for (f, pointer) in after.iter().zip(["/kind", "/name", "/age"]) {
        assert_eq!(f["check"], "request_valid", "{f}");
        assert_eq!(f["against"], "client", "{f}");
        assert!(f["actual"].as_str().unwrap_or("").contains(pointer), "{f}");
        assert!(f["curl"].as_str().unwrap_or("").starts_with("curl "), "{f}");
    }
    assert!(
        !dir.join("reports/report.json").exists(),
        "a killed proxy writes no report: findings.jsonl is what survives"
    );
}

fn person(first: &str, iban: &str) -> Value {
    json!({
        "ident_code": "test123",
        "partner_type": "LESSOR",
        "partner_iban": iban,
        "partner_gender": "M",
        "partner_firstname": first,
        "partner_lastname": "Mustermannsson",
        "partner_birthdate": "1950-06-01",
        "partner_street": "Hauptstrasse",
        "partner_housenumber": "10a",
        "partner_postcode": "38440",
        "partner_city": "Wolfsburg",
        "partner_country": "DEU",
        "contract_type": "privat",
        "contract_number": "051823-X1",
        "contract_subject": "Wohnungsmietvertrag",
        "agb_terms": true,
        "dsv_terms": true
    })
}

/// One session: the mock behind `fault`, the proxy in front recording; the same
/// traffic each time (a valid create, an invalid create quoting an
/// IBAN, a request without credentials). Returns the session directory.
async fn session(name: &str, fault: Fault) -> PathBuf {
    let dir = scratch(name);
    let (spec, creds) = common::provider("identplus", &|_| Some(TOKEN.to_string()));
    let server = common::mock(&spec, &creds).await;
    let layer = common::fault_layer(&server.url(), fault).await;
    let proxy = Proxy::start(
        "specs/identplus.yaml",
        &layer.url,
        &dir,
        &["--record", "recording"],
    );
    let c = client();
    let url = format!("{}/api/v1/identchecks.json", proxy.url);
    c.post(&url)
        .bearer_auth(TOKEN)
        .json(&person("Maximiliane", "DE89370400440532013000"))
        .send()
        .await
        .expect("answer");
    c.post(&url)
        .bearer_auth(TOKEN)
        .json(&person("Maximiliane", "GB29NWBK60161331926819"))
        .send()
        .await
        .expect("answer");
    c.post(&url)
        .json(&person("Maximiliane", "DE89370400440532013000"))
        .send()
        .await
        .expect("answer");
    let (code, stderr) = proxy.terminate();
    drop(layer);
    server.shutdown().await;
    std::fs::write(dir.join("proxy-stderr.txt"), &stderr).expect("keep stderr");
    assert_eq!(code, Some(1), "findings exit 1:\n{stderr}");
    let report = Report::read(&dir.join("reports/report.json")).expect("report.json on SIGTERM");
    assert_eq!(report.providers[0].name, "identplus");
    assert!(
        report.providers[0].requests >= 3,
        "{:?}",
        report.providers[0]
    );
    for f in ["junit.xml", "report.md", "findings.jsonl"] {
        assert!(dir.join("reports").join(f).exists(), "{f} written");
    }
    assert!(
        dir.join("recording/identplus.snap").exists(),
        "recording written"
    );
    dir
}

/// Every file under `dir`, with its text.
fn files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push((
                p.clone(),
                String::from_utf8_lossy(&std::fs::read(&p).expect("file")).into_owned(),
            ));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recordings_diff_and_nothing_secret_or_personal_is_written() {
    let before = session("before", Fault::None).await;
    // The changed upstream echoes the Authorization header in its answers: a
    // provider leaking the secret, which must not leak further.
    let after = session("after", Fault::EchoHeader("authorization")).await;
    let out = scratch("compare");
    let compare = Command::new(env!("CARGO_BIN_EXE_covenant"))
        .args(["snapshot", "--spec"])
        .arg(common::repo().join("specs/identplus.yaml"))
        .arg("--from")
        .arg(after.join("recording"))
        .arg("--compare")
        .arg(before.join("recording"))
        .arg("--out")
        .arg(&out)
        .output()
        .expect("covenant snapshot runs");
    let stderr = String::from_utf8_lossy(&compare.stderr).into_owned();
    assert_eq!(
        compare.status.code(),
        Some(1),
        "a changed exchange:\n{stderr}"
    );
    assert!(stderr.contains("createIdentcheck/observed/"), "{stderr}");
    let md = std::fs::read_to_string(out.join("snapshot-report.md")).expect("snapshot-report.md");
    assert!(md.contains("createIdentcheck/observed/"), "{md}");
    // The same recording against itself: no change.
    let same = Command::new(env!("CARGO_BIN_EXE_covenant"))
        .args(["snapshot", "--spec"])
        .arg(common::repo().join("specs/identplus.yaml"))
        .arg("--from")
        .arg(before.join("recording"))
        .arg("--check")
        .arg("--out")
        .arg(before.join("recording"))
        .output()
        .expect("covenant snapshot runs");
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stderr)
    );

    let findings = lines(&after.join("reports/findings.jsonl"));
    assert!(
        findings.iter().any(|f| f["check"] == "request_valid"
            && f["actual"].as_str().unwrap_or("").contains("/partner_iban")),
        "the invalid IBAN is named by its field: {findings:#?}"
    );
    assert!(
        findings.iter().any(|f| f["against"] == "provider"),
        "the echoing upstream breaks its contract: {findings:#?}"
    );
    let mut written = files(&before);
    written.extend(files(&after));
    written.extend(files(&out));
    assert!(
        written.len() >= 12,
        "{:?}",
        written.iter().map(|w| &w.0).collect::<Vec<_>>()
    );
    for (path, text) in &written {
        for value in std::iter::once(&TOKEN).chain(PERSONAL) {
            assert!(
                !text.contains(value),
                "{} shows {value}:\n{text}",
                path.display()
            );
        }
    }
}
