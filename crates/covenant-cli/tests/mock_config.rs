//! `covenant mock --config covenant.toml` accepts the credentials covenant.toml gives
//! the provider (the same ones `covenant run` sends), and rejects others.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One HTTP/1.1 request over a fresh connection; returns the status code.
fn post(addr: &str, path: &str, api_key: &str, body: &str) -> u16 {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nREB-APIKEY: {api_key}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    resp.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn mock_accepts_the_providers_configured_credentials() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_covenant"))
        .current_dir(root())
        .args([
            "mock",
            "--config",
            "covenant.toml",
            "--spec",
            "specs/rebilly.yaml",
        ])
        .env_remove("COVENANT_REBILLY_API_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // "<provider> http://127.0.0.1:<port>"
    let addr = line
        .split_whitespace()
        .nth(1)
        .unwrap()
        .trim_start_matches("http://")
        .to_string();
    let body = r#"{"customerId":"cus_1","documents":[{"type":"identity-proof"}]}"#;
    let good = post(&addr, "/kyc-requests", "local-rebilly-secret-key", body);
    let bad = post(&addr, "/kyc-requests", "some-other-key", body);
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(
        good, 201,
        "the key covenant.toml configures for rebilly is accepted"
    );
    assert_eq!(bad, 401, "any other key is rejected");
}

/// Without any config, `covenant mock` prints on stderr the local credentials it
/// accepts per security scheme (and the variable `covenant run` reads them from);
/// the printed value works. Its log, written to a pipe, carries no colour codes.
#[test]
fn mock_without_config_prints_its_local_credentials_and_logs_plainly() {
    let dir = std::env::temp_dir().join(format!("covenant-mock-noconfig-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_covenant"))
        .current_dir(&dir)
        .arg("mock")
        .arg("--spec")
        .arg(root().join("specs/rebilly.yaml"))
        .env_remove("NO_COLOR")
        .env_remove("COVENANT_MOCK_API_KEY")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split_whitespace()
        .nth(1)
        .unwrap()
        .trim_start_matches("http://")
        .to_string();
    // A body declared larger than the limit on a path no operation serves: the
    // generic fallback answers, and says so in the log.
    let mut s = TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "POST /nowhere HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 99999999\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut resp = String::new();
    let _ = s.read_to_string(&mut resp);
    // The credentials lines come before the address on stdout.
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut key_line = String::new();
    for _ in 0..4 {
        key_line.clear();
        stderr.read_line(&mut key_line).unwrap();
        if key_line.contains("SecretApiKey") {
            break;
        }
    }
    assert!(
        key_line.contains("SecretApiKey accepts header REB-APIKEY: ")
            && key_line.contains("$COVENANT_REBILLY_SECRETAPIKEY"),
        "{key_line}"
    );
    let key = key_line
        .split("REB-APIKEY: ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap()
        .to_string();
    let body = r#"{"customerId":"cus_1","documents":[{"type":"identity-proof"}]}"#;
    assert_eq!(post(&addr, "/kyc-requests", &key, body), 201);
    child.kill().unwrap();
    let _ = child.wait();
    let mut rest = String::new();
    let _ = stderr.read_to_string(&mut rest);
    assert!(resp.starts_with("HTTP/1.1 413"), "{resp}");
    assert!(rest.contains("fallback"), "the fallback is logged: {rest}");
    assert!(
        !rest.contains('\x1b'),
        "no ANSI codes in a piped log: {rest:?}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
