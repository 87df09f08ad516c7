//! The spec loader on arbitrary text: `Spec::from_str` must answer Ok or Err, never
//! panic or hang, for YAML and JSON alike. The first byte picks the reader: a text
//! that starts with `{` or `[` is read as `fuzz.json` and also as `fuzz.yaml` (YAML
//! reads JSON too, so both readers see JSON-shaped documents); anything else is read
//! as `fuzz.yaml`. A spec that loads has every schema translated to JSON Schema, as
//! the mock and the runner do first.
#![no_main]

use covenant_spec::{SchemaSite, Spec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let json = matches!(text.as_bytes().first(), Some(b'{' | b'['));
    if json {
        load("fuzz.json", text);
    }
    load("fuzz.yaml", text);
});

fn load(path: &str, text: &str) {
    let Ok(spec) = Spec::from_str(path, text) else {
        return;
    };
    let mut sites: Vec<&SchemaSite> = Vec::new();
    for op in &spec.operations {
        sites.extend(op.parameters.iter().filter_map(|p| p.schema.as_ref()));
        if let Some(body) = &op.request_body {
            sites.extend(body.content.iter().filter_map(|m| m.schema.as_ref()));
        }
        for r in &op.responses {
            sites.extend(r.content.iter().filter_map(|m| m.schema.as_ref()));
            sites.extend(r.headers.iter().filter_map(|h| h.schema.as_ref()));
        }
    }
    for site in sites {
        std::hint::black_box(spec.json_schema(site));
    }
}
