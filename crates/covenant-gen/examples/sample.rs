//! Prints generated instances and negatives for every schema site of a spec, to read
//! what the generator produces: `cargo run -p covenant-gen --example sample -- specs/rebilly.yaml [n] [seed]`.

use std::collections::BTreeMap;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: sample <spec> [n] [seed]")?;
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(3);
    let seed: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1);
    let spec = covenant_spec::Spec::load(&path)?;
    for op in &spec.operations {
        let sites = op
            .request_body
            .iter()
            .flat_map(|b| b.content.iter().filter_map(|m| m.schema.clone()))
            .chain(op.parameters.iter().filter_map(|p| p.schema.clone()))
            .chain(
                op.responses
                    .iter()
                    .flat_map(|r| r.content.iter().filter_map(|m| m.schema.clone())),
            );
        for site in sites {
            println!("== {} {}", op.id, site.pointer);
            let g = match covenant_gen::schema_for_site(&spec, &site) {
                Ok(g) => g,
                Err(e) => {
                    println!("   error: {e}");
                    continue;
                }
            };
            for v in covenant_gen::sample(&g.valid(), seed, n) {
                println!("   valid: {v}");
                let mut by_keyword: BTreeMap<String, usize> = BTreeMap::new();
                for neg in g.negatives(&v) {
                    *by_keyword.entry(neg.keyword).or_default() += 1;
                }
                println!("   negatives: {by_keyword:?}");
            }
        }
    }
    Ok(())
}
