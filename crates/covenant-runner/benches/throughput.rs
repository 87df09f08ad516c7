//! Throughput of a full conformance run against the embedded Rebilly mock, next to
//! the raw request rate a plain load generator (32 concurrent keep-alive clients
//! posting one valid request in a loop) reaches against the same mock in the same
//! process. Run: `cargo bench -p covenant-runner --bench throughput`
//! (`COVENANT_BENCH_CASES` sets the valid cases per operation, default 5000).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use covenant_runner::config::{Config, resolve_credentials};
use covenant_runner::{ClientOptions, RunOptions, Target};

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(bench());
}

async fn bench() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let config = Config::load(&root.join("covenant.toml")).expect("covenant.toml");
    let p = &config.providers["rebilly"];
    let spec = Arc::new(covenant_spec::Spec::load(config.spec_path(p)).expect("spec"));
    let creds = resolve_credentials(&config.root, &p.credentials).expect("credentials");
    let mut mock_config = covenant_mock::MockConfig::default();
    covenant_runner::suite::give_credentials(&spec, &creds, &mut mock_config);
    let server =
        covenant_mock::start_spec(spec.clone(), mock_config, "127.0.0.1:0".parse().unwrap())
            .await
            .expect("mock");
    let cases: usize = std::env::var("COVENANT_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let opts = RunOptions {
        seed: 1,
        cases,
        client: ClientOptions {
            concurrency: 32,
            ..Default::default()
        },
        ..RunOptions::default()
    };

    // Generation alone (part of a run, reported separately for insight).
    let t = Instant::now();
    let n_cases = covenant_runner::case_list(&spec, &creds, &opts).len();
    let gen_s = t.elapsed().as_secs_f64();

    // Plain load generator: one valid request, 32 workers, fixed duration.
    let first = covenant_runner::case_list(
        &spec,
        &creds,
        &RunOptions {
            cases: 1,
            ..opts.clone()
        },
    )
    .into_iter()
    .next()
    .expect("a case");
    let body = first.request.body_bytes().unwrap_or_default();
    let key = creds["SecretApiKey"].secret.clone();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(32)
        .tcp_nodelay(true)
        .build()
        .expect("client");
    let url = format!("{}{}", server.url(), first.request.path_and_query());
    let count = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut workers = Vec::new();
    for _ in 0..32 {
        let (client, url, body, key, count) = (
            client.clone(),
            url.clone(),
            body.clone(),
            key.clone(),
            count.clone(),
        );
        workers.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let r = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("REB-APIKEY", &key)
                    .body(body.clone())
                    .send()
                    .await;
                if let Ok(r) = r {
                    let _ = r.bytes().await;
                    count.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for w in workers {
        let _ = w.await;
    }
    let raw_rate = count.load(Ordering::Relaxed) as f64 / 5.0;

    // A full run: generation, requests, checks, aggregation.
    let target = Target::new("rebilly", spec.clone(), &server.url(), creds.clone());
    let t = Instant::now();
    let report = covenant_runner::run_target(&target, &opts, None).await;
    let run_s = t.elapsed().as_secs_f64();
    server.shutdown().await;

    let cases_per_s = report.cases as f64 / run_s;
    let requests_per_s = report.requests as f64 / run_s;
    println!("rebilly mock, concurrency 32, {cases} valid cases per operation");
    println!(
        "  case generation: {n_cases} cases in {gen_s:.2} s ({:.0} cases/s)",
        n_cases as f64 / gen_s
    );
    println!(
        "  full run:        {} cases, {} requests in {run_s:.2} s = {cases_per_s:.0} cases/s, {requests_per_s:.0} requests/s, {} violation(s)",
        report.cases,
        report.requests,
        report.violations.len()
    );
    println!(
        "  plain load generator (same mock, one valid POST, 32 workers, 5 s): {raw_rate:.0} requests/s"
    );
    println!(
        "  runner requests/s vs raw: {:.0}%; cases/s vs raw requests/s: {:.0}%",
        100.0 * requests_per_s / raw_rate,
        100.0 * cases_per_s / raw_rate
    );
}
