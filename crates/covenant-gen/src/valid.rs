//! Builds the proptest strategy of valid instances from a JSON Schema document.
//!
//! The schema is walked once; `$ref`s are memoised per (reference, depth) so a large
//! spec builds each definition a bounded number of times. Past `SOFT_DEPTH` `$ref`s on
//! one path, optional properties are left out and arrays take their fewest items, so
//! recursive schemas stay finite and generation stays fast. Optional properties and
//! union branches that cannot be generated are dropped (the rest is still valid);
//! required ones make `Generator::new` fail with the pointer.

use std::cell::RefCell;
use std::collections::HashMap;

use proptest::prelude::*;
use proptest::strategy::Union;
use serde_json::{Map, Number, Value};

use crate::schema::{self, Flat};
use crate::{GenError, formats, pattern};

/// `$ref` depth after which only required content is generated.
const SOFT_DEPTH: usize = 6;
/// Upper bound on items beyond `minItems` (and on string length beyond `minLength`).
const EXTRA_ITEMS: usize = 3;
const EXTRA_CHARS: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Required and optional properties, varied sizes.
    Valid,
    /// Only required properties, fewest items.
    Minimal,
}

pub fn build(root: &Value, mode: Mode) -> Result<SBoxedStrategy<Value>, GenError> {
    let b = Builder {
        root,
        mode,
        memo: RefCell::new(HashMap::new()),
    };
    b.build(root, "", 0)
}

/// A strategy for a subschema of `root` (its `$ref`s resolved in `root`), without the
/// final validator check; the negative builder uses it for fresh array items.
pub fn build_sub(
    root: &Value,
    schema: &Value,
    mode: Mode,
) -> Result<SBoxedStrategy<Value>, GenError> {
    let b = Builder {
        root,
        mode,
        memo: RefCell::new(HashMap::new()),
    };
    b.build(schema, "", 0)
}

type Built = Result<SBoxedStrategy<Value>, GenError>;

struct Builder<'a> {
    root: &'a Value,
    mode: Mode,
    memo: RefCell<HashMap<(String, usize), Built>>,
}

impl Builder<'_> {
    fn lean(&self, depth: usize) -> bool {
        self.mode == Mode::Minimal || depth >= SOFT_DEPTH
    }

    fn build(&self, s: &Value, ptr: &str, depth: usize) -> Result<SBoxedStrategy<Value>, GenError> {
        // A bare `$ref` is memoised: the same definition at the same depth is one strategy.
        if let Some(Value::String(r)) = s.get("$ref")
            && s.as_object().is_some_and(|m| m.len() == 1)
        {
            let key = (r.clone(), depth);
            if let Some(hit) = self.memo.borrow().get(&key) {
                return hit.clone();
            }
            if depth >= schema::HARD_DEPTH {
                return Err(GenError::at(
                    ptr,
                    "recursion deeper than the generator's limit",
                ));
            }
            let target = covenant_spec::pointer::resolve_ref(self.root, r)
                .ok_or_else(|| GenError::at(ptr, format!("unresolvable $ref {r}")))?;
            let target_ptr = r.trim_start_matches('#').to_string();
            let out = self.build(target, &target_ptr, depth + 1);
            self.memo.borrow_mut().insert(key, out.clone());
            return out;
        }
        let Flat {
            map,
            extra_depth,
            never,
        } = schema::flatten(self.root, s, ptr)?;
        if never {
            return Err(GenError::at(ptr, "the schema admits no value (false)"));
        }
        let depth = depth + extra_depth;
        if depth > schema::HARD_DEPTH {
            return Err(GenError::at(
                ptr,
                "recursion deeper than the generator's limit",
            ));
        }
        self.build_flat(&map, ptr, depth)
    }

    /// Whether a union branch admits only scalars (no object, no array): cheap to
    /// build, and a finite end to recursion.
    fn is_scalar(&self, branch: &Value, ptr: &str) -> bool {
        let Ok(flat) = schema::flatten(self.root, branch, ptr) else {
            return false;
        };
        if flat.never || flat.map.contains_key("oneOf") || flat.map.contains_key("anyOf") {
            return false;
        }
        if flat.map.contains_key("const") || flat.map.contains_key("enum") {
            return true;
        }
        let types = schema::admitted_types(&flat.map);
        !types.is_empty() && types.iter().all(|t| t != "object" && t != "array")
    }

    fn build_flat(
        &self,
        m: &Map<String, Value>,
        ptr: &str,
        depth: usize,
    ) -> Result<SBoxedStrategy<Value>, GenError> {
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(branches)) = m.get(key) {
                // What the union's siblings add to every branch (annotations add nothing).
                let base: Map<String, Value> = m
                    .iter()
                    .filter(|(k, _)| k.as_str() != key && constrains(k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                let mut options = Vec::new();
                let mut first_err = None;
                // Past the soft depth, when some branches are scalars (an id
                // instead of an expanded object, a null), only those are built. Stripe's
                // expandable fields otherwise build every object they can expand
                // to, down to the hard depth.
                let scalar: Vec<bool> = branches
                    .iter()
                    .map(|b| depth >= SOFT_DEPTH && self.is_scalar(b, ptr))
                    .collect();
                let only_scalars = scalar.iter().any(|s| *s);
                for (i, branch) in branches.iter().enumerate() {
                    if only_scalars && !scalar[i] {
                        continue;
                    }
                    let bptr = format!("{ptr}/{key}/{i}");
                    let built = if base.is_empty() {
                        self.build(branch, &bptr, depth)
                    } else {
                        let combined =
                            serde_json::json!({ "allOf": [Value::Object(base.clone()), branch] });
                        self.build(&combined, &bptr, depth)
                    };
                    match built {
                        Ok(s) => options.push(s),
                        Err(e) => {
                            first_err.get_or_insert(e);
                        }
                    }
                }
                return match (options.is_empty(), first_err) {
                    (true, Some(e)) => Err(e),
                    (true, None) => Err(GenError::at(ptr, format!("empty {key}"))),
                    _ => Ok(Union::new(options).sboxed()),
                };
            }
        }
        if let Some(c) = m.get("const") {
            return Ok(Just(c.clone()).sboxed());
        }
        let types = schema::admitted_types(m);
        if let Some(Value::Array(values)) = m.get("enum") {
            let values: Vec<Value> = values
                .iter()
                .filter(|v| m.get("type").is_none() || schema::has_type(v, &types))
                .cloned()
                .collect();
            if values.is_empty() {
                return Err(GenError::at(
                    &format!("{ptr}/enum"),
                    "no enum value has an admitted type",
                ));
            }
            return Ok(prop::sample::select(values).sboxed());
        }
        let mut options: Vec<(u32, SBoxedStrategy<Value>)> = Vec::new();
        let mut first_err = None;
        for t in &types {
            let s = match t.as_str() {
                "null" => Ok(Just(Value::Null).sboxed()),
                "boolean" => Ok(any::<bool>().prop_map(Value::Bool).sboxed()),
                "integer" => self.integer(m, ptr),
                "number" => self.number(m, ptr),
                "string" => self.string(m, ptr),
                "array" => self.array(m, ptr, depth),
                "object" => self.object(m, ptr, depth),
                other => Err(GenError::at(
                    &format!("{ptr}/type"),
                    format!("unknown type {other:?}"),
                )),
            };
            match s {
                Ok(s) => options.push((if t == "null" { 1 } else { 3 }, s)),
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        match (options.len(), first_err) {
            (0, Some(e)) => Err(e),
            (0, None) => Err(GenError::at(&format!("{ptr}/type"), "no type admitted")),
            (1, _) => Ok(options.remove(0).1),
            _ => Ok(Union::new_weighted(options).sboxed()),
        }
    }

    fn integer(
        &self,
        m: &Map<String, Value>,
        ptr: &str,
    ) -> Result<SBoxedStrategy<Value>, GenError> {
        let mut lo = schema::f64_of(m, "minimum").map_or(i64::MIN as f64, f64::ceil);
        let mut hi = schema::f64_of(m, "maximum").map_or(i64::MAX as f64, f64::floor);
        if let Some(x) = schema::f64_of(m, "exclusiveMinimum") {
            lo = lo.max((x + 1.0).floor());
        }
        if let Some(x) = schema::f64_of(m, "exclusiveMaximum") {
            hi = hi.min((x - 1.0).ceil());
        }
        let lo = clamp_i64(lo);
        let hi = clamp_i64(hi);
        if lo > hi {
            return Err(GenError::at(ptr, "integer bounds admit no value"));
        }
        let step = match schema::f64_of(m, "multipleOf") {
            None => 1i128,
            Some(s) if s >= 1.0 && s.fract() == 0.0 && s < 1e18 => s as i128,
            Some(s) if s > 0.0 && (1.0 / s).fract() == 0.0 => 1,
            Some(_) => {
                return Err(GenError::at(
                    &format!("{ptr}/multipleOf"),
                    "fractional multipleOf on an integer",
                ));
            }
        };
        let kmin = div_ceil(lo as i128, step);
        let kmax = div_floor(hi as i128, step);
        if kmin > kmax {
            return Err(GenError::at(
                &format!("{ptr}/multipleOf"),
                "no multiple within the bounds",
            ));
        }
        // Mostly everyday numbers, sometimes the edges.
        let (rlo, rhi) = realistic(kmin, kmax, -1000, 100_000);
        let to_value = move |k: i128| Value::Number(Number::from((k * step) as i64));
        Ok(prop_oneof![
            1 => Just(kmin).prop_map(to_value),
            1 => Just(kmax).prop_map(to_value),
            8 => (rlo..=rhi).prop_map(to_value),
        ]
        .sboxed())
    }

    fn number(&self, m: &Map<String, Value>, ptr: &str) -> Result<SBoxedStrategy<Value>, GenError> {
        let min = schema::f64_of(m, "minimum");
        let max = schema::f64_of(m, "maximum");
        let xmin = schema::f64_of(m, "exclusiveMinimum");
        let xmax = schema::f64_of(m, "exclusiveMaximum");
        let step = schema::f64_of(m, "multipleOf")
            .filter(|s| *s > 0.0)
            .unwrap_or(0.01);
        let lo = min.into_iter().chain(xmin).fold(f64::MIN, f64::max);
        let hi = max.into_iter().chain(xmax).fold(f64::MAX, f64::min);
        let kmin = clamp_i64((lo / step).ceil()) as i128;
        let kmax = clamp_i64((hi / step).floor()) as i128;
        if kmin > kmax {
            return Err(GenError::at(ptr, "number bounds admit no value"));
        }
        let (rlo, rhi) = realistic(kmin, kmax, -100_000, 10_000_000);
        let ok = move |f: &f64| {
            min.is_none_or(|x| *f >= x)
                && max.is_none_or(|x| *f <= x)
                && xmin.is_none_or(|x| *f > x)
                && xmax.is_none_or(|x| *f < x)
                && f.is_finite()
        };
        Ok((rlo..=rhi)
            .prop_map(move |k| k as f64 * step)
            // Round to the step's decimals so 0.1 * 3 prints as 0.3.
            .prop_map(|f| (f * 1e9).round() / 1e9)
            .prop_filter("number outside its bounds", ok)
            .prop_filter_map("not a JSON number", |f| {
                Number::from_f64(f).map(Value::Number)
            })
            .sboxed())
    }

    fn string(&self, m: &Map<String, Value>, ptr: &str) -> Result<SBoxedStrategy<Value>, GenError> {
        let min = schema::usize_of(m, "minLength").unwrap_or(0);
        let max = schema::usize_of(m, "maxLength").unwrap_or(usize::MAX);
        if min > max {
            return Err(GenError::at(ptr, "minLength is above maxLength"));
        }
        let mut checks = Vec::new();
        if let Some(Value::Array(extra)) = m.get("x-covenant-gen-patterns") {
            for p in extra.iter().filter_map(Value::as_str) {
                checks.push(
                    pattern::ecma(p).map_err(|e| GenError::at(&format!("{ptr}/pattern"), e))?,
                );
            }
        }
        let format = m.get("format").and_then(Value::as_str);
        let base: SBoxedStrategy<String> =
            match (format.and_then(formats::strategy), m.get("pattern")) {
                (Some(f), pat) => {
                    if let Some(p) = pat.and_then(Value::as_str) {
                        checks.push(
                            pattern::ecma(p)
                                .map_err(|e| GenError::at(&format!("{ptr}/pattern"), e))?,
                        );
                    }
                    f
                }
                (None, Some(Value::String(p))) => pattern::strategy(p, min, max)
                    .map_err(|e| GenError::at(&format!("{ptr}/pattern"), e))?,
                _ => {
                    let hi = max.min(min.saturating_add(EXTRA_CHARS));
                    prop::collection::vec(text_char(), min..=hi)
                        .prop_map(|cs| cs.into_iter().collect::<String>())
                        .sboxed()
                }
            };
        Ok(base
            .prop_filter("string outside its length or pattern", move |s| {
                let n = s.chars().count();
                n >= min && n <= max && checks.iter().all(|r| r.find(s).is_some())
            })
            .prop_map(Value::String)
            .sboxed())
    }

    fn array(
        &self,
        m: &Map<String, Value>,
        ptr: &str,
        depth: usize,
    ) -> Result<SBoxedStrategy<Value>, GenError> {
        let min = schema::usize_of(m, "minItems").unwrap_or(0);
        let max = schema::usize_of(m, "maxItems").unwrap_or(usize::MAX);
        if min > max {
            return Err(GenError::at(ptr, "minItems is above maxItems"));
        }
        let hi = if self.lean(depth) {
            min
        } else {
            max.min(min.saturating_add(EXTRA_ITEMS))
        };
        if min > 64 {
            return Err(GenError::at(
                &format!("{ptr}/minItems"),
                "minItems above the generator's limit of 64",
            ));
        }
        let unique = m.get("uniqueItems") == Some(&Value::Bool(true));
        let items = match m.get("items") {
            Some(items) => {
                let iptr = format!("{ptr}/items");
                match self.build(items, &iptr, depth) {
                    Ok(s) => s,
                    // Items that cannot be generated: only an empty array is possible.
                    Err(_) if min == 0 => return Ok(Just(Value::Array(Vec::new())).sboxed()),
                    Err(e) => return Err(e),
                }
            }
            None => prop_oneof![
                any::<i32>().prop_map(|i| Value::Number(i.into())),
                "[a-z]{1,8}".prop_map(Value::String),
            ]
            .sboxed(),
        };
        if unique {
            // Draw a few spares, then drop duplicates; too few distinct values is rejected.
            let spare_hi = hi
                .saturating_add(min.min(4) + 2)
                .min(hi.saturating_mul(2).max(min + 2));
            Ok(prop::collection::vec(items, min..=spare_hi.max(min))
                .prop_map(move |v| {
                    let mut out: Vec<Value> = Vec::with_capacity(v.len());
                    for x in v {
                        if !out.iter().any(|y| json_eq(y, &x)) && out.len() < hi {
                            out.push(x);
                        }
                    }
                    out
                })
                .prop_filter("too few distinct items", move |v| v.len() >= min)
                .prop_map(Value::Array)
                .sboxed())
        } else {
            Ok(prop::collection::vec(items, min..=hi)
                .prop_map(Value::Array)
                .sboxed())
        }
    }

    fn object(
        &self,
        m: &Map<String, Value>,
        ptr: &str,
        depth: usize,
    ) -> Result<SBoxedStrategy<Value>, GenError> {
        let empty = Map::new();
        let props = m
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let required: Vec<&str> = m
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let additional = m.get("additionalProperties");
        let mut parts: Vec<SBoxedStrategy<Option<(String, Value)>>> = Vec::new();
        for (name, ps) in props {
            let pptr = format!("{ptr}/properties/{}", covenant_spec::pointer::escape(name));
            let is_required = required.contains(&name.as_str());
            if !is_required && self.lean(depth) {
                continue;
            }
            let s = match self.build(ps, &pptr, depth) {
                Ok(s) => s,
                Err(e) if is_required => return Err(e),
                // An optional property that cannot be generated is left out.
                Err(_) => continue,
            };
            let name = name.clone();
            let present = s.prop_map(move |v| Some((name.clone(), v)));
            parts.push(if is_required {
                present.sboxed()
            } else {
                prop_oneof![1 => Just(None), 2 => present].sboxed()
            });
        }
        for name in required.iter().filter(|n| !props.contains_key(**n)) {
            let s = match additional {
                Some(Value::Bool(false)) => {
                    return Err(GenError::at(
                        &format!("{ptr}/required"),
                        format!("{name:?} is required but additionalProperties is false"),
                    ));
                }
                Some(a @ Value::Object(_)) => {
                    self.build(a, &format!("{ptr}/additionalProperties"), depth)?
                }
                _ => "[a-z]{1,8}".prop_map(Value::String).sboxed(),
            };
            let name = name.to_string();
            parts.push(s.prop_map(move |v| Some((name.clone(), v))).sboxed());
        }
        // Maps (additionalProperties with a schema) get a few generated entries.
        if let (Some(a @ Value::Object(_)), false) = (additional, self.lean(depth))
            && let Ok(s) = self.build(a, &format!("{ptr}/additionalProperties"), depth)
        {
            let taken: Vec<String> = props.keys().cloned().collect();
            let entries =
                prop::collection::vec(("[a-z][a-z0-9_]{0,7}", s), 0..=2).prop_map(move |kvs| {
                    kvs.into_iter()
                        .filter(|(k, _)| !taken.contains(k))
                        .map(Some)
                        .collect::<Vec<_>>()
                });
            let min_p = schema::usize_of(m, "minProperties").unwrap_or(0);
            let max_p = schema::usize_of(m, "maxProperties").unwrap_or(usize::MAX);
            return Ok((parts, entries)
                .prop_map(|(fixed, extra)| {
                    let mut obj = Map::new();
                    for (k, v) in fixed.into_iter().chain(extra).flatten() {
                        obj.entry(k).or_insert(v);
                    }
                    obj
                })
                .prop_filter("property count outside its bounds", move |o| {
                    o.len() >= min_p && o.len() <= max_p
                })
                .prop_map(Value::Object)
                .sboxed());
        }
        let min_p = schema::usize_of(m, "minProperties").unwrap_or(0);
        let max_p = schema::usize_of(m, "maxProperties").unwrap_or(usize::MAX);
        Ok(parts
            .prop_map(|fixed| fixed.into_iter().flatten().collect::<Map<String, Value>>())
            .prop_filter("property count outside its bounds", move |o| {
                o.len() >= min_p && o.len() <= max_p
            })
            .prop_map(Value::Object)
            .sboxed())
    }
}

/// Whether a keyword beside a union constrains its value (annotations, `$defs` and
/// vendor extensions do not; covenant's merged patterns do).
fn constrains(key: &str) -> bool {
    !matches!(
        key,
        "$defs"
            | "$schema"
            | "$comment"
            | "$id"
            | "title"
            | "description"
            | "default"
            | "examples"
            | "example"
            | "deprecated"
            | "readOnly"
            | "writeOnly"
            | "externalDocs"
            | "discriminator"
            | "xml"
    ) && (!key.starts_with("x-") || key.starts_with("x-covenant-gen"))
}

/// Mostly ASCII letters, digits and spaces; now and then a multi-byte character, so
/// code-point length counting gets exercised.
fn text_char() -> impl Strategy<Value = char> {
    prop_oneof![
        12 => prop::sample::select(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_."
                .chars()
                .collect::<Vec<_>>()
        ),
        1 => prop::sample::select(vec!['é', 'ß', 'ü', 'ñ', 'Ø', '日', '本', 'Ω', '😀']),
    ]
}

fn clamp_i64(f: f64) -> i64 {
    if f.is_nan() {
        0
    } else if f <= i64::MIN as f64 {
        i64::MIN
    } else if f >= i64::MAX as f64 {
        i64::MAX
    } else {
        f as i64
    }
}

fn div_floor(a: i128, b: i128) -> i128 {
    let q = a / b;
    if (a % b != 0) && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    }
}

fn div_ceil(a: i128, b: i128) -> i128 {
    -div_floor(-a, b)
}

/// The everyday part of `[lo, hi]`: its intersection with `[a, b]`, else a window at
/// the nearer edge.
fn realistic(lo: i128, hi: i128, a: i128, b: i128) -> (i128, i128) {
    let (x, y) = (lo.max(a), hi.min(b));
    if x <= y {
        (x, y)
    } else if lo > b {
        (lo, hi.min(lo + 1000))
    } else {
        (lo.max(hi - 1000), hi)
    }
}

/// JSON equality as `uniqueItems` sees it (1 and 1.0 are equal).
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}
