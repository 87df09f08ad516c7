//! What compiling a big spec's response validators costs: time, and resident memory
//! with all of them alive. Usage: cargo run --release -p covenant-mock --example validators -- SPEC
use std::collections::HashMap;
use std::time::Instant;

fn rss_mb() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|k| k.parse::<u64>().ok()).unwrap_or(0) / 1024
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let spec = covenant_spec::Spec::load(&args[1])?;
    println!("loaded: {} MB", rss_mb());
    let t = Instant::now();
    let mut keep = HashMap::new();
    for op in &spec.operations {
        for r in &op.responses {
            for m in &r.content {
                if let (true, Some(site)) = (m.is_json(), &m.schema) {
                    let key = format!("{:?}{}", site.direction, site.schema);
                    if !keep.contains_key(&key) {
                        keep.insert(key, spec.compile(site));
                    }
                }
            }
        }
    }
    println!("{} distinct response validators in {:.1}s: {} MB", keep.len(), t.elapsed().as_secs_f64(), rss_mb());
    Ok(())
}
