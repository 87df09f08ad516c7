//! In-process timing of the engine on the benchmark request (no network): where a
//! request's time goes. Usage: cargo run --release -p covenant-mock --example profile
use std::sync::Arc;

// The same allocator as the served mock (examples/serve.rs, the covenant binary).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::time::Instant;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let spec = Arc::new(covenant_spec::Spec::load("specs/rebilly.yaml")?);
    let p = covenant_mock::Provider::new(spec.clone(), covenant_mock::MockConfig::default())?;
    let body = bytes::Bytes::from_static(br#"{"customerId":"cus_01HXKQ3V7ZP8Y2M4N6R8T0W2B4","documents":[{"type":"identity-proof","subtypes":["passport","id-card"],"maxAttempts":3,"faceProofRequired":true,"faceLivenessRequired":false},{"type":"address-proof","subtypes":null}],"redirectUrl":"https://example.com?info=success","reason":"spend limit","matchLevel":2,"expirationTime":"2024-05-01T13:00:00Z"}"#);
    let mut headers = http::HeaderMap::new();
    headers.insert("content-type", "application/json".parse()?);
    headers.insert("reb-apikey", "test-api-key".parse()?);
    let n: u32 = std::env::var("N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let t = Instant::now();
    let mut status = 0;
    for _ in 0..n {
        let out = p
            .handle(covenant_mock::engine::Incoming {
                method: http::Method::POST,
                path: "/kyc-requests".into(),
                query: None,
                headers: headers.clone(),
                body: body.clone(),
            })
            .await;
        status = out.status;
    }
    println!(
        "handle: {:.1} us/request (status {status})",
        t.elapsed().as_secs_f64() * 1e6 / n as f64
    );
    let op = spec.operation("postKycRequest").ok_or("op")?;
    let site = op.request_body.as_ref().ok_or("rb")?.content[0]
        .schema
        .clone()
        .ok_or("s")?;
    let v = spec.compile(&site)?;
    let value: serde_json::Value = serde_json::from_slice(&body)?;
    let t = Instant::now();
    for _ in 0..n {
        assert!(v.is_valid(&value));
    }
    println!(
        "request is_valid: {:.1} us",
        t.elapsed().as_secs_f64() * 1e6 / n as f64
    );
    let t = Instant::now();
    for _ in 0..n {
        let _ = covenant_spec::view::violations(&v, &value);
    }
    println!(
        "request violations(): {:.1} us",
        t.elapsed().as_secs_f64() * 1e6 / n as f64
    );
    Ok(())
}
