//! Where a big spec's answer pools cost: per operation, the time to build the
//! success body generator and sample its pool, and the pool's size.
//! Usage: cargo run --release -p covenant-mock --example pools -- SPEC [N]
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).ok_or("usage: pools SPEC [POOL_SIZE]")?;
    let spec = covenant_spec::Spec::load(path)?;
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(16);
    let mut rows = Vec::new();
    let mut distinct = std::collections::HashSet::new();
    let all = Instant::now();
    for op in &spec.operations {
        let Some(m) = op.success_responses().next().and_then(|r| r.json()) else {
            continue;
        };
        let Some(site) = &m.schema else { continue };
        distinct.insert(format!("{:?}{}", site.direction, site.schema));
        let t = Instant::now();
        let js = covenant_spec::view::for_generation(
            &spec.json_schema(site),
            covenant_spec::Direction::Response,
        );
        let g = match covenant_gen::Generator::new(&js) {
            Ok(g) => g,
            Err(e) => {
                println!("{}: {e}", op.id);
                continue;
            }
        };
        let built = t.elapsed();
        let pool = covenant_gen::sample(&g.valid(), 1, n);
        let bytes: usize = pool.iter().map(|v| v.to_string().len()).sum();
        rows.push((
            t.elapsed(),
            built,
            pool.len(),
            bytes,
            js.to_string().len(),
            op.id.clone(),
        ));
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    for r in rows.iter().take(25) {
        println!(
            "{:>8.3}s build {:>6.3}s pool {:>2} bodies {:>9} B view {:>8} B  {}",
            r.0.as_secs_f64(),
            r.1.as_secs_f64(),
            r.2,
            r.3,
            r.4,
            r.5
        );
    }
    let total: f64 = rows.iter().map(|r| r.0.as_secs_f64()).sum();
    let bytes: usize = rows.iter().map(|r| r.3).sum();
    println!("{} distinct success schemas", distinct.len());
    println!(
        "{} ops, {:.1}s total, {} MB of pooled bodies (wall {:.1}s)",
        rows.len(),
        total,
        bytes / 1_000_000,
        all.elapsed().as_secs_f64()
    );
    Ok(())
}
