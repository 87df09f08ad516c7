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
