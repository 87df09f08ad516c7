//! What a big spec's answer validators cost: all of them as one book
//! (`covenant_spec::book`, what the runner and the mock use), then each site
//! compiled alone (the old way), with the resident memory after each.
//! Usage: cargo run --release -p covenant-mock --example validators -- SPEC
use std::collections::HashMap;
use std::time::Instant;

fn rss_mb() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|k| k.parse::<u64>().ok())
        .unwrap_or(0)
        / 1024
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: validators SPEC")?;
    let spec = covenant_spec::Spec::load(&path)?;
    println!("loaded: {} MB", rss_mb());
    let sites: Vec<_> = covenant_spec::book::response_sites(&spec).collect();
    let t = Instant::now();
    let schemas: Vec<serde_json::Value> = sites.iter().map(|s| s.schema.clone()).collect();
    if let Err(e) =
        covenant_spec::book::Book::new(&spec, covenant_spec::Direction::Response, &schemas)
    {
        println!("the book does not compile: {e}");
    }
    let shelf = covenant_spec::book::Shelf::new(&spec, sites.iter().copied());
    println!(
        "one book for {} answer sites: {:.2}s, {} MB",
        sites.len(),
        t.elapsed().as_secs_f64(),
        rss_mb()
    );
    drop(shelf);
    let t = Instant::now();
    let mut alone = HashMap::new();
    for site in &sites {
        let key = format!("{:?}{}", site.direction, site.schema);
        alone.entry(key).or_insert_with(|| spec.compile(site));
    }
    println!(
        "{} distinct sites compiled alone: {:.2}s, {} MB",
        alone.len(),
        t.elapsed().as_secs_f64(),
        rss_mb()
    );
    Ok(())
}
