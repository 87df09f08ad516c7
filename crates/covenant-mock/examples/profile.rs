//! In-process timing of the engine on the benchmark request (no network): where a
//! request's time goes. Usage: cargo run --release -p covenant-mock --example profile
use std::sync::Arc;

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// The same allocator as the served mock (examples/serve.rs, the covenant binary),
/// counting allocations: fewer per request is the steadiest sign of less work.
struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every method forwards its caller's arguments unchanged to mimalloc, which
// upholds `GlobalAlloc`'s contract; counting touches no memory it hands out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

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
    // Five rounds, the fastest reported: the slower ones measure the machine.
    let mut best = f64::MAX;
    let mut status = 0;
    let mut allocs = 0;
    for _ in 0..5 {
        let a = ALLOCS.load(Ordering::Relaxed);
        let t = Instant::now();
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
        best = best.min(t.elapsed().as_secs_f64() * 1e6 / n as f64);
        allocs = (ALLOCS.load(Ordering::Relaxed) - a) / u64::from(n);
    }
    println!("handle: {best:.2} us/request, {allocs} allocations/request (status {status})");
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..n {
            let value: serde_json::Value = serde_json::from_slice(&body)?;
            std::hint::black_box(&value);
        }
        best = best.min(t.elapsed().as_secs_f64() * 1e6 / n as f64);
    }
    println!("request body parse: {best:.2} us");
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
