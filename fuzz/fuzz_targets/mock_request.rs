//! The mock's whole request pipeline (`Provider::handle`, and `Provider::inspect`
//! as `covenant proxy` uses it) on arbitrary requests against real specs: Rebilly,
//! Onfido (`../shared/realspecs/onfido-v3.6.json`, skipped when absent), the
//! parameter-styles fixture and `fuzz/specs/forms.yaml` (urlencoded, multipart and
//! JSON bodies, deepObject and delimited queries, header objects, idempotency,
//! stored resources, a `$map` error style). Never a panic or a hang, and every
//! answer that says it is JSON parses as JSON.
//!
//! Input: up to four requests separated by a line `=====`, each written like
//! HTTP/1.1 with the spec's name in front of the request line:
//!
//! ```text
//! forms POST /forms?filter[kind]=a&ids=1,2
//! content-type: application/x-www-form-urlencoded
//!
//! name=x&meta[n]=3&tags=red
//! ```
//!
//! An unknown spec name picks a spec by its first byte. Requests whose method,
//! target or header lines HTTP could not carry are dropped (or the line is), as
//! the server would never see them. Providers keep their state between the
//! requests of one input and are reset after it. `COVENANT_FUZZ_DEBUG=1` prints
//! each answer (to check what a seed reaches: `cargo fuzz run mock_request FILE`).
#![no_main]

use std::path::Path;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use covenant_mock::engine::Incoming;
use covenant_mock::{MockConfig, Provider};
use covenant_spec::Spec;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use libfuzzer_sys::fuzz_target;

/// Name and path (from this crate's directory) of each spec served.
const SPECS: [(&str, &str); 4] = [
    ("rebilly", "../specs/rebilly.yaml"),
    ("onfido", "../../shared/realspecs/onfido-v3.6.json"),
    ("styles", "../tests/fixtures/styles.yaml"),
    ("forms", "specs/forms.yaml"),
];

struct World {
    rt: tokio::runtime::Runtime,
    providers: Vec<(&'static str, Provider)>,
    debug: bool,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut providers = Vec::new();
        for (name, rel) in SPECS {
            let path = root.join(rel);
            if !path.exists() {
                eprintln!("mock_request: {} is missing; not served", path.display());
                continue;
            }
            let spec = Spec::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let p = Provider::new(Arc::new(spec), MockConfig::default())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            // Compile operations now, not during the first input that reaches them
            // (an operation the mock cannot serve stays lazy and answers 500).
            let _ = p.warm();
            providers.push((name, p));
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime");
        let debug = std::env::var_os("COVENANT_FUZZ_DEBUG").is_some();
        World {
            rt,
            providers,
            debug,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let w = world();
    let mut used = Vec::new();
    for chunk in split(data, b"\n=====\n").take(4) {
        let Some((i, req)) = request(w, chunk) else {
            continue;
        };
        let (name, p) = &w.providers[i];
        used.push(i);
        let line = w.debug.then(|| {
            format!(
                "{name} {} {}?{}",
                req.method,
                req.path,
                req.query.as_deref().unwrap_or("")
            )
        });
        std::hint::black_box(p.inspect(&req));
        let out = w.rt.block_on(p.handle(req));
        if let Some(line) = line {
            eprintln!(
                "{line} -> {} {}",
                out.status,
                String::from_utf8_lossy(&out.body)
            );
        }
        assert!((100..600).contains(&out.status), "status {}", out.status);
        let json = out
            .content_type
            .as_ref()
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.contains("json"));
        if json && !out.body.is_empty() {
            if let Err(e) = serde_json::from_slice::<serde_json::Value>(&out.body) {
                panic!(
                    "a {} answer says JSON but is not ({e}): {}",
                    out.status,
                    String::from_utf8_lossy(&out.body)
                );
            }
        }
    }
    used.sort_unstable();
    used.dedup();
    for i in used {
        w.providers[i].1.reset();
    }
});

/// One request: the provider's index and the engine's request.
fn request(w: &World, chunk: &[u8]) -> Option<(usize, Incoming)> {
    let (head, body) = match find(chunk, b"\n\n") {
        Some(at) => (&chunk[..at], &chunk[at + 2..]),
        None => (chunk, &[][..]),
    };
    let mut lines = head
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let mut first = lines.next()?.splitn(3, |b| *b == b' ');
    let name = first.next()?;
    let method = Method::from_bytes(first.next()?).ok()?;
    let uri = Uri::try_from(first.next()?).ok()?;
    let i = w
        .providers
        .iter()
        .position(|(n, _)| n.as_bytes() == name)
        .unwrap_or_else(|| usize::from(name.first().copied().unwrap_or(0)) % w.providers.len());
    let mut headers = HeaderMap::new();
    for line in lines {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let value = line[colon + 1..].trim_ascii();
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(&line[..colon]),
            HeaderValue::from_bytes(value),
        ) {
            headers.append(n, v);
        }
    }
    Some((
        i,
        Incoming {
            method,
            path: uri.path().to_string(),
            query: uri.query().map(str::to_string),
            headers,
            body: Bytes::copy_from_slice(body),
        },
    ))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn split<'a>(data: &'a [u8], sep: &'a [u8]) -> impl Iterator<Item = &'a [u8]> {
    let mut rest = Some(data);
    std::iter::from_fn(move || {
        let r = rest?;
        match find(r, sep) {
            Some(at) => {
                rest = Some(&r[at + sep.len()..]);
                Some(&r[..at])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}
