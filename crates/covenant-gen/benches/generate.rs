//! Generation speed on the project's specs (a plain timing harness, no framework):
//! `cargo bench -p covenant-gen`. Prints, per spec, the mean time per valid instance
//! (strategy + validator self-check) and per `negatives` call (all candidates checked).

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|x| x == "yaml"));
    paths.sort();
    for path in paths {
        let spec = match covenant_spec::Spec::load(&path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                continue;
            }
        };
        let mut sites = Vec::new();
        for op in &spec.operations {
            sites.extend(
                op.request_body
                    .iter()
                    .flat_map(|b| b.content.iter().filter_map(|m| m.schema.clone())),
            );
            sites.extend(
                op.responses
                    .iter()
                    .flat_map(|r| r.content.iter().filter_map(|m| m.schema.clone())),
            );
        }
        let started = Instant::now();
        let generators: Vec<_> = sites
            .iter()
            .filter_map(|s| covenant_gen::schema_for_site(&spec, s).ok())
            .collect();
        let build = started.elapsed();
        let per_site = 1000;
        let started = Instant::now();
        let mut instances = Vec::new();
        for (i, g) in generators.iter().enumerate() {
            instances.push(covenant_gen::sample(&g.valid(), i as u64, per_site));
        }
        let gen_time = started.elapsed();
        let count: usize = instances.iter().map(Vec::len).sum();
        let started = Instant::now();
        let mut negatives = 0usize;
        let mut calls = 0usize;
        for (g, values) in generators.iter().zip(&instances) {
            for v in values.iter().take(100) {
                negatives += g.negatives(v).len();
                calls += 1;
            }
        }
        let neg_time = started.elapsed();
        println!(
            "{:<12} sites {:>3}  build {:>7.2} ms  valid {:>6.1} us/instance ({count})  negatives {:>7.1} us/call ({calls} calls, {negatives} negatives)",
            spec.provider,
            generators.len(),
            build.as_secs_f64() * 1e3,
            gen_time.as_secs_f64() * 1e6 / count.max(1) as f64,
            neg_time.as_secs_f64() * 1e6 / calls.max(1) as f64,
        );
    }
}
