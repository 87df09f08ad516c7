//! Serves one spec with the mock engine on the given address (default 127.0.0.1:0)
//! and prints `listening http://<addr>`; used by bench/run.sh without building the CLI.
//! Usage: cargo run --release -p covenant-mock --example serve -- specs/rebilly.yaml [addr] [covenant.toml]

use std::io::Write as _;

// The engine allocates per request (JSON values); glibc malloc costs ~25% of a
// request under load, mimalloc much less.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let spec = args
        .next()
        .ok_or("usage: serve <spec.yaml> [addr] [covenant.toml]")?;
    let addr = args
        .next()
        .unwrap_or_else(|| "127.0.0.1:0".into())
        .parse()?;
    let config = covenant_mock::MockConfig::load(args.next().as_deref().map(std::path::Path::new))?;
    let server = covenant_mock::start(spec, config, addr).await?;
    println!("listening {}", server.url());
    std::io::stdout().flush()?;
    covenant_mock::shutdown_signal().await;
    server.shutdown().await;
    Ok(())
}
