//! Loads each spec given on the command line and prints the load time and the
//! counts of operations and schemas. Used for the loader's performance figures:
//! `cargo run --release -p covenant-spec --example load -- ../shared/realspecs/*`.

use std::time::Instant;

fn main() {
    let mut failed = false;
    for path in std::env::args().skip(1) {
        let start = Instant::now();
        match covenant_spec::Spec::load(&path) {
            Ok(spec) => println!(
                "{path}: loaded in {:.1} ms: {} operations, {} schemas, {} warnings",
                start.elapsed().as_secs_f64() * 1e3,
                spec.operations.len(),
                spec.schemas.len(),
                spec.warnings.len()
            ),
            Err(e) => {
                failed = true;
                eprintln!("{e}");
            }
        }
    }
    std::process::exit(i32::from(failed));
}
