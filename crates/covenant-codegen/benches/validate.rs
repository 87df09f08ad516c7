//! Issue 3's speed target, measured: on the SAME payloads, the generated model's derive
//! validation vs the compiled `jsonschema` validator on the loader's JSON Schema view vs
//! plain `serde_json` deserialisation into the model. Request bodies of Rebilly
//! (`POST /kyc-requests`, `KycRequestCreate`) and IDENTPLUS (`POST
//! /api/v1/identchecks.json`, `IdentcheckCreateRequest`).
//!
//! Payload sets per provider:
//! - `example`: the spec's own request example (1 payload);
//! - `generated`: 16 valid instances from `covenant_gen` (seed 7);
//! - `invalid`: 16 negatives from `Generator::negatives` (of the generated set and the
//!   example, distinct keyword/pointer pairs first) that deserialise into the model
//!   and fail validation (so all three paths do their full work on them).
//!
//! One benchmark iteration processes the whole set; divide by the set size for ns per
//! payload (the fixture check below prints the sizes).
//!
//! Every sample times 64 iterations, so the timer's own cost (about 20 ns) does not
//! dominate the sub-microsecond paths.
//!
//! Run: `cargo bench -p covenant-codegen --bench validate`.

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::LazyLock;

use covenant_spec::{SchemaSite, Spec};
use covenant_validate::Validate;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn main() {
    // Build the fixtures before timing and say what they hold.
    describe("rebilly", &REBILLY);
    describe("identplus", &IDENTPLUS);
    // divan has no warm-up phase: without one the first benchmark (identplus
    // `is_valid`) was timed while the CPU was still ramping up, and ran at half speed
    // in some runs.
    warm_up(&REBILLY);
    warm_up(&IDENTPLUS);
    divan::main();
}

/// Runs every timed path on every set for about a second.
fn warm_up<T: Validate + DeserializeOwned>(f: &Fixture<T>) {
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_millis(500) {
        for set in [&f.example, &f.generated, &f.invalid] {
            black_box(derive(set) + derive_is_valid(set));
            black_box(schema_is_valid(&f.validator, set) + schema_iter_errors(&f.validator, set));
            black_box(from_slice(set) + from_value(set));
        }
    }
}

fn describe<T>(name: &str, f: &Fixture<T>) {
    eprintln!(
        "{name}: example 1, generated {}, invalid {} ({})",
        f.generated.values.len(),
        f.invalid.values.len(),
        f.invalid_kinds.join(", ")
    );
}

/// One payload set in the three forms the three paths need.
struct Set<T> {
    values: Vec<Value>,
    bytes: Vec<Vec<u8>>,
    models: Vec<T>,
}

impl<T: DeserializeOwned> Set<T> {
    fn new(values: Vec<Value>) -> Set<T> {
        let bytes = values
            .iter()
            .map(|v| serde_json::to_vec(v).expect("a JSON value serialises"))
            .collect();
        let models = values
            .iter()
            .map(|v| {
                serde_json::from_value(v.clone()).expect("payload deserialises into the model")
            })
            .collect();
        Set {
            values,
            bytes,
            models,
        }
    }
}

struct Fixture<T> {
    validator: jsonschema::Validator,
    example: Set<T>,
    generated: Set<T>,
    invalid: Set<T>,
    /// `keyword at pointer` of each invalid payload.
    invalid_kinds: Vec<String>,
}

fn fixture<T: DeserializeOwned + Validate>(provider: &str, operation: &str) -> Fixture<T> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../specs")
        .join(format!("{provider}.yaml"));
    let spec = Spec::load(&path).expect("spec loads");
    let media = spec
        .operation(operation)
        .and_then(|op| op.request_body.as_ref())
        .and_then(|b| b.content.iter().find(|m| m.is_json()))
        .expect("operation has a JSON request body");
    let site: &SchemaSite = media.schema.as_ref().expect("request body has a schema");
    let example = media
        .examples
        .first()
        .expect("request body has an example")
        .value
        .clone();
    let validator = spec.compile(site).expect("view compiles");
    let generator =
        covenant_gen::Generator::new(&spec.json_schema(site)).expect("generator builds");
    let generated = covenant_gen::sample(&generator.valid(), 7, 16);
    assert!(validator.is_valid(&example), "{provider}: example is valid");
    assert!(generated.iter().all(|v| validator.is_valid(v)));
    // Negatives the model deserialises (type/required/enum errors stop serde first,
    // which would time only the error path of deserialisation): distinct
    // keyword/pointer pairs first, then repeats, 16 in all.
    let candidates: Vec<covenant_gen::Negative> = generated
        .iter()
        .chain(std::iter::once(&example))
        .flat_map(|v| generator.negatives(v))
        .filter(|n| {
            serde_json::from_value::<T>(n.instance.clone()).is_ok_and(|m| m.validate().is_err())
        })
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    let (mut picked, rest): (Vec<_>, Vec<_>) = candidates
        .into_iter()
        .partition(|n| seen.insert((n.keyword.clone(), n.pointer.clone())));
    picked.extend(rest);
    picked.truncate(16);
    assert!(
        !picked.is_empty(),
        "{provider}: a negative that deserialises and fails validation"
    );
    Fixture {
        validator,
        example: Set::new(vec![example]),
        generated: Set::new(generated),
        invalid_kinds: picked
            .iter()
            .map(|n| format!("{} at {}", n.keyword, n.pointer))
            .collect(),
        invalid: Set::new(picked.into_iter().map(|n| n.instance).collect()),
    }
}

static REBILLY: LazyLock<Fixture<models_rebilly::KycRequestCreate>> =
    LazyLock::new(|| fixture("rebilly", "postKycRequest"));
static IDENTPLUS: LazyLock<Fixture<models_identplus::IdentcheckCreateRequest>> =
    LazyLock::new(|| fixture("identplus", "createIdentcheck"));

/// (a) derive validation on already-deserialised models; every error collected
/// (compare with `jsonschema`'s `iter_errors`).
fn derive<T: Validate>(set: &Set<T>) -> usize {
    set.models
        .iter()
        .map(|m| match black_box(m).validate() {
            Ok(()) => 0,
            Err(e) => e.len(),
        })
        .sum()
}

/// (a) derive `is_valid`: the accept/reject answer, nothing rendered (compare with
/// `jsonschema`'s `is_valid`).
fn derive_is_valid<T: Validate>(set: &Set<T>) -> usize {
    set.models
        .iter()
        .filter(|m| black_box(m).is_valid())
        .count()
}

/// (b) the compiled validator: `is_valid` (the accept/reject answer).
fn schema_is_valid<T>(v: &jsonschema::Validator, set: &Set<T>) -> usize {
    set.values
        .iter()
        .filter(|x| v.is_valid(black_box(x)))
        .count()
}

/// (b) the compiled validator: every error (what derive validation reports).
fn schema_iter_errors<T>(v: &jsonschema::Validator, set: &Set<T>) -> usize {
    set.values
        .iter()
        .map(|x| v.iter_errors(black_box(x)).count())
        .sum()
}

/// (c) plain deserialisation into the model, from a `Value` (clone included: `from_value`
/// consumes it) and from bytes.
fn from_value<T: DeserializeOwned>(set: &Set<T>) -> usize {
    set.values
        .iter()
        .filter(|&x| serde_json::from_value::<T>(black_box(x).clone()).is_ok())
        .count()
}

fn from_slice<T: DeserializeOwned>(set: &Set<T>) -> usize {
    set.bytes
        .iter()
        .filter(|x| serde_json::from_slice::<T>(black_box(x)).is_ok())
        .count()
}

/// Baseline for `from_value`: the `Value` clone alone.
fn clone_only<T>(set: &Set<T>) -> usize {
    set.values
        .iter()
        .map(|x| match black_box(x).clone() {
            Value::Object(m) => m.len(),
            _ => 0,
        })
        .sum()
}

macro_rules! provider {
    ($module:ident, $fixture:ident) => {
        mod $module {
            use super::*;

            const SETS: [&str; 3] = ["example", "generated", "invalid"];

            fn set(name: &str) -> &'static Set<impl DeserializeOwned + Validate + 'static> {
                match name {
                    "example" => &$fixture.example,
                    "generated" => &$fixture.generated,
                    _ => &$fixture.invalid,
                }
            }

            #[divan::bench(args = SETS, sample_count = 200, sample_size = 64)]
            fn a_derive_validate(b: divan::Bencher, s: &str) {
                let set = set(s);
                b.bench(|| derive(set));
            }

            #[divan::bench(args = SETS, sample_count = 200, sample_size = 64)]
            fn a_derive_is_valid(b: divan::Bencher, s: &str) {
                let set = set(s);
                b.bench(|| derive_is_valid(set));
            }

            #[divan::bench(args = SETS, sample_count = 200, sample_size = 64)]
            fn b_jsonschema_is_valid(b: divan::Bencher, s: &str) {
                let set = set(s);
                b.bench(|| schema_is_valid(&$fixture.validator, set));
            }

            #[divan::bench(args = SETS, sample_count = 200, sample_size = 64)]
            fn b_jsonschema_iter_errors(b: divan::Bencher, s: &str) {
                let set = set(s);
                b.bench(|| schema_iter_errors(&$fixture.validator, set));
            }

            #[divan::bench(args = SETS, sample_count = 200, sample_size = 64)]
            fn c_serde_from_slice(b: divan::Bencher, s: &str) {
                let set = set(s);
                b.bench(|| from_slice(set));
            }

            #[divan::bench(args = SETS, sample_count = 200, sample_size = 64)]
            fn c_serde_from_value(b: divan::Bencher, s: &str) {
                let set = set(s);
                b.bench(|| from_value(set));
            }

            #[divan::bench(args = SETS, sample_count = 200, sample_size = 64)]
            fn c_value_clone_baseline(b: divan::Bencher, s: &str) {
                let set = set(s);
                b.bench(|| clone_only(set));
            }
        }
    };
}

provider!(rebilly, REBILLY);
provider!(identplus, IDENTPLUS);
