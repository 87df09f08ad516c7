//! covenant's instance generator, shared by the codegen tests, the mock and the runner.
//!
//! It reads a standalone JSON Schema 2020-12 document (the loader's view of a schema,
//! [`covenant_spec::Spec::json_schema`]) and gives:
//! - [`Generator::valid`]: a proptest strategy of instances that validate (required and
//!   optional fields, every enum value, nulls where nullable, every `oneOf`/`anyOf`
//!   branch, realistic formats, regex-driven strings for patterns);
//! - [`Generator::minimal`]: the same with only required properties and the fewest items;
//! - [`Generator::negatives`]: from one valid instance, instances that each break exactly
//!   one constraint, with the JSON Pointer and keyword that break. Every negative is
//!   checked with the compiled validator ([`covenant_spec::view::compile`] +
//!   [`covenant_spec::view::violations`]) to fail with exactly that pointer and keyword.
//! - [`sample`]: deterministic sampling (same strategy, seed and count give the same
//!   values on every machine).
//!
//! Every value `valid()` yields is also checked against the compiled validator (a
//! `prop_filter`), so a construct the generator approximates can never leak an invalid
//! instance; it can only cost a rejection.
//!
//! ```
//! use serde_json::json;
//! let schema = json!({
//!     "type": "object",
//!     "required": ["name"],
//!     "properties": {
//!         "name": { "type": "string", "minLength": 2, "maxLength": 5 },
//!         "kind": { "type": "string", "enum": ["a", "b"] }
//!     },
//!     "additionalProperties": false
//! });
//! let generator = covenant_gen::Generator::new(&schema)?;
//! let values = covenant_gen::sample(&generator.valid(), 7, 20);
//! assert_eq!(values, covenant_gen::sample(&generator.valid(), 7, 20));
//! for v in &values {
//!     assert!(generator.is_valid(v));
//!     for n in generator.negatives(v) {
//!         assert!(!generator.is_valid(&n.instance), "{} {}", n.pointer, n.keyword);
//!     }
//! }
//! let missing = generator.negatives(&values[0]);
//! assert!(missing.iter().any(|n| n.pointer == "/name" && n.keyword == "required"));
//! # Ok::<(), covenant_gen::GenError>(())
//! ```

mod formats;
mod negative;
mod pattern;
mod schema;
mod valid;

use std::sync::Arc;

use proptest::strategy::{BoxedStrategy, SBoxedStrategy, Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value;

/// What the generator cannot handle, with the JSON Pointer (into the JSON Schema
/// document) of the construct.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenError {
    /// The schema itself does not compile with the `jsonschema` crate.
    #[error("the schema does not compile: {0}")]
    Compile(String),
    /// A construct the generator cannot produce instances for.
    #[error("cannot generate instances at {pointer}: {reason}")]
    Unsupported { pointer: String, reason: String },
}

impl GenError {
    pub(crate) fn at(pointer: &str, reason: impl Into<String>) -> GenError {
        GenError::Unsupported {
            pointer: if pointer.is_empty() {
                "#".into()
            } else {
                format!("#{pointer}")
            },
            reason: reason.into(),
        }
    }
}

/// One instance that breaks exactly one constraint of the schema.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Negative {
    pub instance: Value,
    /// JSON Pointer of the broken value; for a missing required property (or an
    /// unexpected one), the pointer of that property.
    pub pointer: String,
    /// The JSON Schema keyword that fails: `required`, `type`, `enum`, `pattern`,
    /// `minLength`, `maxLength`, `minimum`, `maximum`, `exclusiveMinimum`,
    /// `exclusiveMaximum`, `multipleOf`, `minItems`, `maxItems`, `uniqueItems`,
    /// `format`, `additionalProperties` or `const`.
    pub keyword: String,
    /// What was changed, for people reading a report.
    pub description: String,
}

/// Strategies and negatives for one JSON Schema document. `Send + Sync` and cheap to
/// clone, so a server or a concurrent runner can share one.
#[derive(Clone)]
pub struct Generator {
    schema: Arc<Value>,
    validator: Arc<jsonschema::Validator>,
    valid: SBoxedStrategy<Value>,
    minimal: SBoxedStrategy<Value>,
    cache: Arc<negative::StrategyCache>,
}

impl std::fmt::Debug for Generator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generator")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl Generator {
    /// Compiles the schema and builds its strategies once. Fails (naming the pointer)
    /// when a construct cannot be generated: an unsatisfiable schema, a pattern that
    /// `regex-syntax` cannot parse or that needs look-arounds, unbounded required recursion.
    pub fn new(json_schema: &Value) -> Result<Generator, GenError> {
        let validator =
            Arc::new(covenant_spec::view::compile(json_schema).map_err(GenError::Compile)?);
        let schema = Arc::new(json_schema.clone());
        let valid = valid::build(&schema, valid::Mode::Valid)?;
        let minimal = valid::build(&schema, valid::Mode::Minimal)?;
        let check = |s: SBoxedStrategy<Value>| {
            let validator = validator.clone();
            s.prop_filter("instance fails its schema", move |v| validator.is_valid(v))
                .sboxed()
        };
        Ok(Generator {
            cache: Arc::new(negative::StrategyCache::default()),
            valid: check(valid),
            minimal: check(minimal),
            validator,
            schema,
        })
    }

    /// Instances that validate against the schema.
    pub fn valid(&self) -> BoxedStrategy<Value> {
        self.valid.clone().boxed()
    }

    /// [`Generator::valid`] as a `Send + Sync` strategy.
    pub fn valid_send(&self) -> SBoxedStrategy<Value> {
        self.valid.clone()
    }

    /// Valid instances with only required properties and the fewest array items.
    pub fn minimal(&self) -> BoxedStrategy<Value> {
        self.minimal.clone().boxed()
    }

    /// [`Generator::minimal`] as a `Send + Sync` strategy.
    pub fn minimal_send(&self) -> SBoxedStrategy<Value> {
        self.minimal.clone()
    }

    /// Negative cases derived from a valid instance: each breaks exactly ONE
    /// constraint, and says which. Candidates that the validator does not reject with
    /// exactly the declared pointer and keyword (and nothing else) are dropped.
    /// Constraints of optional properties the instance lacks are reached too: the
    /// property is added with a valid value (deterministically, seeded by its pointer),
    /// then broken; the description says so. Deterministic for a given instance.
    pub fn negatives(&self, valid: &Value) -> Vec<Negative> {
        negative::negatives(&self.schema, &self.validator, &self.cache, valid)
    }

    /// Whether `instance` validates against the schema.
    pub fn is_valid(&self, instance: &Value) -> bool {
        self.validator.is_valid(instance)
    }

    /// The JSON Schema document this generator was built from.
    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// The compiled validator (formats checked, as [`covenant_spec::view::compile`] builds it).
    pub fn validator(&self) -> &jsonschema::Validator {
        &self.validator
    }
}

/// A generator for a schema site of a spec (its JSON Schema view).
pub fn schema_for_site(
    spec: &covenant_spec::Spec,
    site: &covenant_spec::SchemaSite,
) -> Result<Generator, GenError> {
    Generator::new(&spec.json_schema(site))
}

/// The runner used by [`sample`]: ChaCha seeded from `seed`, configuration fixed in
/// code (not read from `PROPTEST_*` variables) so values are the same everywhere.
pub fn deterministic_runner(seed: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    // splitmix64 expands the seed into 32 well-mixed bytes.
    let mut state = seed;
    for chunk in bytes.chunks_mut(8) {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        chunk.copy_from_slice(&z.to_le_bytes());
    }
    let config = Config {
        max_local_rejects: 65_536,
        max_global_rejects: 1024,
        max_shrink_iters: 4096,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// Deterministic sampling: the same (strategy, seed, n) gives the same values on every
/// machine. Returns fewer than `n` values only if the strategy rejects too often to
/// produce one (a filter that almost never passes).
pub fn sample<T: std::fmt::Debug>(strategy: &BoxedStrategy<T>, seed: u64, n: usize) -> Vec<T> {
    let mut runner = deterministic_runner(seed);
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        match strategy.new_tree(&mut runner) {
            Ok(tree) => out.push(tree.current()),
            Err(_) => break,
        }
    }
    out
}
