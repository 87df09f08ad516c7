//! Negative instances: walks a valid instance together with its schema, proposes one
//! edit per constraint that applies at each value (remove a required property, wrong
//! type, value outside the enum, too short, ...), and keeps a candidate only if the
//! compiled validator rejects it with exactly the declared pointer and keyword and
//! nothing else. Candidates that break two things (a type change that also breaks an
//! enum or a `oneOf`) are dropped rather than mislabelled.

use std::collections::HashMap;
use std::sync::Mutex;

use proptest::strategy::{SBoxedStrategy, Strategy};
use serde_json::{Map, Number, Value, json};

use crate::schema::{self, types_of};
use crate::{Negative, formats, pattern, valid};

/// At most this many array items are descended into per array.
const MAX_INDICES: usize = 4;
/// At most this many union branches are considered per value.
const MAX_BRANCHES: usize = 32;

enum Edit {
    Set(Value),
    Remove,
}

struct Candidate {
    pointer: String,
    keyword: &'static str,
    description: String,
    /// Where the edit applies (the same as `pointer` for every keyword here).
    at: String,
    edit: Edit,
    /// Optional properties absent from the valid instance, added (with valid values)
    /// before the edit so their constraints can be broken too.
    pre: Vec<(String, Value)>,
}

/// Strategies for subschemas (fresh array items, values for absent optional
/// properties), built once per schema and shared across `negatives` calls.
#[derive(Default)]
pub struct StrategyCache {
    map: Mutex<HashMap<String, Option<SBoxedStrategy<Value>>>>,
}

impl StrategyCache {
    fn get(&self, root: &Value, schema: &Value) -> Option<SBoxedStrategy<Value>> {
        let key = schema.to_string();
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(key)
            .or_insert_with(|| valid::build_sub(root, schema, valid::Mode::Minimal).ok())
            .clone()
    }
}

/// A deterministic seed for a pointer (FNV-1a), so negatives are reproducible.
fn seed_of(ptr: &str) -> u64 {
    ptr.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// How many absent optional properties may be added on one path.
const MAX_ADDED: usize = 2;

pub fn negatives(
    root: &Value,
    validator: &jsonschema::Validator,
    cache: &StrategyCache,
    valid: &Value,
) -> Vec<Negative> {
    let mut w = Walker {
        root,
        cache,
        out: Vec::new(),
    };
    w.walk(root, valid, "", 0, &[]);
    let mut out: Vec<Negative> = Vec::new();
    for c in w.out {
        if out.iter().any(|n| {
            n.pointer == c.pointer && n.keyword == c.keyword && n.description == c.description
        }) {
            continue;
        }
        let mut base = valid.clone();
        for (at, v) in &c.pre {
            match apply(&base, at, Edit::Set(v.clone())) {
                Some(b) => base = b,
                None => break,
            }
        }
        let Some(instance) = apply(&base, &c.at, c.edit) else {
            continue;
        };
        let v = covenant_spec::view::violations(validator, &instance);
        if v.len() == 1 && v[0].pointer == c.pointer && v[0].keyword == c.keyword {
            let description = match c.pre.last() {
                Some((at, _)) => format!("{} (optional {at} added)", c.description),
                None => c.description,
            };
            out.push(Negative {
                instance,
                pointer: c.pointer,
                keyword: c.keyword.to_string(),
                description,
            });
        }
    }
    out
}

/// The flat schemas that may apply to `value`: `$ref`/`allOf` merged, unions expanded
/// into their branches (those whose type and discriminator-like enums fit the value).
fn applicable(
    root: &Value,
    s: &Value,
    value: &Value,
    out: &mut Vec<Map<String, Value>>,
    depth: usize,
) {
    if depth > schema::HARD_DEPTH || out.len() >= MAX_BRANCHES {
        return;
    }
    let Ok(flat) = schema::flatten(root, s, "") else {
        return;
    };
    if flat.never {
        return;
    }
    let mut base = flat.map.into_owned();
    base.remove("$defs");
    base.remove("$schema");
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(branches)) = base.remove(key) {
            for b in branches {
                let combined = if base.is_empty() {
                    b
                } else {
                    json!({ "allOf": [Value::Object(base.clone()), b] })
                };
                applicable(root, &combined, value, out, depth + 1);
            }
            return;
        }
    }
    if fits(root, &base, value) {
        out.push(base);
    }
}

/// A cheap guess whether a branch is the one `value` took: its type admits the value,
/// and any property constrained by an enum or const holds one of those values.
fn fits(root: &Value, m: &Map<String, Value>, value: &Value) -> bool {
    if let Some(t) = m.get("type")
        && !schema::has_type(value, &types_of(t))
    {
        return false;
    }
    let (Some(Value::Object(props)), Value::Object(obj)) = (m.get("properties"), value) else {
        return true;
    };
    for (name, ps) in props {
        let Some(v) = obj.get(name) else { continue };
        let Ok(flat) = schema::flatten(root, ps, "") else {
            continue;
        };
        if let Some(Value::Array(allowed)) = flat.map.get("enum")
            && !allowed.contains(v)
        {
            return false;
        }
        if let Some(c) = flat.map.get("const")
            && c != v
        {
            return false;
        }
    }
    true
}

struct Walker<'a> {
    root: &'a Value,
    cache: &'a StrategyCache,
    out: Vec<Candidate>,
}

impl Walker<'_> {
    fn walk(&mut self, s: &Value, value: &Value, ptr: &str, depth: usize, pre: &[(String, Value)]) {
        if depth > 64 {
            return;
        }
        let root = self.root;
        let mut flats = Vec::new();
        applicable(root, s, value, &mut flats, 0);
        for m in &flats {
            let start = self.out.len();
            local(root, self.cache, m, value, ptr, &mut self.out);
            for c in &mut self.out[start..] {
                c.pre = pre.to_vec();
            }
            match value {
                Value::Object(obj) => {
                    let props = m.get("properties").and_then(Value::as_object);
                    for (k, child) in obj {
                        let cptr = covenant_spec::pointer::join(ptr, k);
                        let cs = props
                            .and_then(|p| p.get(k))
                            .or_else(|| m.get("additionalProperties").filter(|a| a.is_object()));
                        if let Some(cs) = cs {
                            self.walk(cs, child, &cptr, depth + 1, pre);
                        }
                    }
                    if pre.len() >= MAX_ADDED {
                        continue;
                    }
                    // Absent optional properties: add a valid value, then break it.
                    for (k, ps) in props.into_iter().flatten() {
                        if obj.contains_key(k) {
                            continue;
                        }
                        let cptr = covenant_spec::pointer::join(ptr, k);
                        let Some(strategy) = self.cache.get(root, ps) else {
                            continue;
                        };
                        let Some(added) =
                            crate::sample(&Strategy::boxed(strategy), seed_of(&cptr), 1).pop()
                        else {
                            continue;
                        };
                        let mut chain = pre.to_vec();
                        chain.push((cptr.clone(), added.clone()));
                        self.walk(ps, &added, &cptr, depth + 1, &chain);
                    }
                }
                Value::Array(items) => {
                    if let Some(is) = m.get("items") {
                        for (i, child) in items.iter().enumerate().take(MAX_INDICES) {
                            self.walk(is, child, &format!("{ptr}/{i}"), depth + 1, pre);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

fn push(
    out: &mut Vec<Candidate>,
    ptr: &str,
    keyword: &'static str,
    description: String,
    edit: Edit,
) {
    out.push(Candidate {
        pointer: ptr.to_string(),
        keyword,
        description,
        at: ptr.to_string(),
        edit,
        pre: Vec::new(),
    });
}

/// Candidates for the constraints of one flat schema at one value.
fn local(
    root: &Value,
    cache: &StrategyCache,
    m: &Map<String, Value>,
    value: &Value,
    ptr: &str,
    out: &mut Vec<Candidate>,
) {
    if let Some(t) = m.get("type") {
        let types = types_of(t);
        if !types.iter().any(|t| t == "null") {
            push(
                out,
                ptr,
                "type",
                "null where the value is not nullable".into(),
                Edit::Set(Value::Null),
            );
        }
        let allows = |x: &str| {
            types
                .iter()
                .any(|t| t == x || (x == "integer" && t == "number"))
        };
        let wrong = if !allows("string") {
            Some(json!("not-a-string-value"))
        } else if !allows("integer") {
            Some(json!(12345))
        } else if !allows("boolean") {
            Some(json!(true))
        } else if !allows("object") {
            Some(json!({}))
        } else if !allows("array") {
            Some(json!([]))
        } else {
            None
        };
        if let Some(w) = wrong {
            push(
                out,
                ptr,
                "type",
                format!(
                    "a {} where {} is expected",
                    schema::type_name(&w),
                    types.join(" or ")
                ),
                Edit::Set(w),
            );
        }
    }
    if let Some(Value::Array(allowed)) = m.get("enum")
        && let Some(bad) = outside_enum(allowed, value)
    {
        push(
            out,
            ptr,
            "enum",
            format!("{bad} is not one of the enum values"),
            Edit::Set(bad),
        );
    }
    if let Some(c) = m.get("const") {
        let bad = match c {
            Value::String(s) => json!(format!("{s}_other")),
            Value::Number(n) => json!(n.as_f64().unwrap_or(0.0) + 1.0),
            Value::Bool(b) => json!(!b),
            _ => json!("other"),
        };
        push(
            out,
            ptr,
            "const",
            format!("{bad} instead of the constant {c}"),
            Edit::Set(bad),
        );
    }
    match value {
        Value::String(s) => string(m, s, ptr, out),
        Value::Number(n) => number(m, n, ptr, out),
        Value::Array(items) => array(root, cache, m, items, ptr, out),
        Value::Object(obj) => object(m, obj, ptr, out),
        _ => {}
    }
}

fn outside_enum(allowed: &[Value], value: &Value) -> Option<Value> {
    let mut tries: Vec<Value> = Vec::new();
    match value {
        Value::String(s) => {
            tries.push(json!(format!("NOT_{s}")));
            tries.push(json!("__not_in_enum__"));
        }
        Value::Number(_) => {
            let max = allowed.iter().filter_map(Value::as_i64).max().unwrap_or(0);
            tries.push(json!(max.saturating_add(1)));
            tries.push(json!(-424242));
        }
        Value::Bool(b) => tries.push(json!(!b)),
        _ => {
            let first_string = allowed.iter().find_map(Value::as_str).unwrap_or("value");
            tries.push(json!(format!("NOT_{first_string}")));
        }
    }
    tries.into_iter().find(|t| !allowed.contains(t))
}

fn string(m: &Map<String, Value>, s: &str, ptr: &str, out: &mut Vec<Candidate>) {
    let n = s.chars().count();
    let min = schema::usize_of(m, "minLength").unwrap_or(0);
    let max = schema::usize_of(m, "maxLength");
    let regexes: Vec<regress::Regex> = m
        .get("pattern")
        .and_then(Value::as_str)
        .and_then(|p| pattern::ecma(p).ok())
        .into_iter()
        .collect();
    let matches = |x: &str| regexes.iter().all(|r| r.find(x).is_some());
    let in_bounds = |x: &str| {
        let k = x.chars().count();
        k >= min && max.is_none_or(|mx| k <= mx)
    };
    if min > 0 {
        // Padded to length with a count kept, not recounted: Stripe's strings
        // are `maxLength: 5000`, and recounting made this quadratic.
        let mut short: String = s.chars().take(min - 1).collect();
        let have = n.min(min - 1);
        if have < min - 1 {
            short.push('a');
            short.extend(std::iter::repeat_n('b', min - 2 - have));
        }
        push(
            out,
            ptr,
            "minLength",
            format!("{} characters, fewer than minLength {min}", min - 1),
            Edit::Set(json!(short)),
        );
    }
    if let Some(mx) = max.filter(|mx| *mx < 100_000) {
        let mut long: String = s.chars().take(mx + 1).collect();
        let fill = s.chars().last().unwrap_or('a');
        long.extend(std::iter::repeat_n(fill, (mx + 1).saturating_sub(n)));
        push(
            out,
            ptr,
            "maxLength",
            format!("{} characters, more than maxLength {mx}", mx + 1),
            Edit::Set(json!(long)),
        );
    }
    if !regexes.is_empty() {
        let mut tries: Vec<String> = vec![
            format!("!{s}"),
            "!".repeat(min.max(1)),
            "~".repeat(min.max(1)),
            " ".repeat(min.max(1)),
            "0".repeat(min.max(1)),
            "a".repeat(min.max(1)),
            String::new(),
        ];
        tries.push(s.chars().rev().collect());
        if let Some(t) = tries.into_iter().find(|t| !matches(t) && in_bounds(t)) {
            push(
                out,
                ptr,
                "pattern",
                format!("{t:?} does not match the pattern"),
                Edit::Set(json!(t)),
            );
        }
    }
    if let Some(f) = m.get("format").and_then(Value::as_str)
        && let Some(bad) = formats::bad_values(f)
            .into_iter()
            .find(|b| in_bounds(b) && matches(b))
    {
        push(
            out,
            ptr,
            "format",
            format!("{bad:?} is not a valid {f}"),
            Edit::Set(json!(bad)),
        );
    }
}

fn num(f: f64, integral: bool) -> Option<Value> {
    if integral && f.fract() == 0.0 && f.abs() < 9.0e15 {
        Some(Value::Number(Number::from(f as i64)))
    } else {
        Number::from_f64(f).map(Value::Number)
    }
}

fn number(m: &Map<String, Value>, n: &Number, ptr: &str, out: &mut Vec<Candidate>) {
    let integral = m
        .get("type")
        .map(types_of)
        .is_some_and(|t| t.iter().any(|x| x == "integer"));
    let delta = if integral { 1.0 } else { 0.5 };
    let v = n.as_f64().unwrap_or(0.0);
    let raw = |k: &str| m.get(k).filter(|x| x.is_number()).cloned();
    if let Some(min) = schema::f64_of(m, "minimum")
        && let Some(bad) = num(min - delta, integral)
    {
        push(
            out,
            ptr,
            "minimum",
            format!("{bad}, below the minimum {min}"),
            Edit::Set(bad),
        );
    }
    if let Some(max) = schema::f64_of(m, "maximum")
        && let Some(bad) = num(max + delta, integral)
    {
        push(
            out,
            ptr,
            "maximum",
            format!("{bad}, above the maximum {max}"),
            Edit::Set(bad),
        );
    }
    if let Some(bad) = raw("exclusiveMinimum") {
        push(
            out,
            ptr,
            "exclusiveMinimum",
            format!("{bad}, equal to the exclusive minimum"),
            Edit::Set(bad),
        );
    }
    if let Some(bad) = raw("exclusiveMaximum") {
        push(
            out,
            ptr,
            "exclusiveMaximum",
            format!("{bad}, equal to the exclusive maximum"),
            Edit::Set(bad),
        );
    }
    if let Some(step) = schema::f64_of(m, "multipleOf").filter(|s| *s > 0.0) {
        let tries: Vec<f64> = if integral && step >= 2.0 {
            vec![v + 1.0, v - 1.0]
        } else {
            vec![v + step / 2.0, v - step / 2.0]
        };
        for t in tries {
            if let Some(bad) = num(t, integral && t.fract() == 0.0) {
                push(
                    out,
                    ptr,
                    "multipleOf",
                    format!("{bad}, not a multiple of {step}"),
                    Edit::Set(bad),
                );
            }
        }
    }
}

/// `count` distinct fresh items for `m`'s `items` schema that differ from `existing`,
/// drawn deterministically (seeded by the pointer) so negatives are reproducible.
fn fresh_items(
    root: &Value,
    cache: &StrategyCache,
    m: &Map<String, Value>,
    existing: &[Value],
    count: usize,
    ptr: &str,
) -> Vec<Value> {
    let items_schema = m.get("items").cloned().unwrap_or(Value::Bool(true));
    let Some(strategy) = cache.get(root, &items_schema) else {
        return Vec::new();
    };
    let mut out: Vec<Value> = Vec::new();
    for v in crate::sample(
        &Strategy::boxed(strategy),
        seed_of(ptr),
        count.saturating_mul(4).max(8),
    ) {
        if out.len() == count {
            break;
        }
        if !existing
            .iter()
            .chain(out.iter())
            .any(|x| valid::json_eq(x, &v))
        {
            out.push(v);
        }
    }
    out
}

fn array(
    root: &Value,
    cache: &StrategyCache,
    m: &Map<String, Value>,
    items: &[Value],
    ptr: &str,
    out: &mut Vec<Candidate>,
) {
    if let Some(min) = schema::usize_of(m, "minItems").filter(|n| *n > 0)
        && items.len() >= min - 1
    {
        let short: Vec<Value> = items[..min - 1].to_vec();
        push(
            out,
            ptr,
            "minItems",
            format!("{} items, fewer than minItems {min}", min - 1),
            Edit::Set(Value::Array(short)),
        );
    }
    if let Some(max) = schema::usize_of(m, "maxItems").filter(|n| *n < 1000) {
        let missing = (max + 1).saturating_sub(items.len());
        let mut long: Vec<Value> = items.to_vec();
        if m.get("uniqueItems") == Some(&Value::Bool(true)) || items.is_empty() {
            long.extend(fresh_items(root, cache, m, items, missing, ptr));
        } else {
            long.extend(items.iter().cycle().take(missing).cloned());
        }
        if long.len() == max + 1 {
            push(
                out,
                ptr,
                "maxItems",
                format!("{} items, more than maxItems {max}", max + 1),
                Edit::Set(Value::Array(long)),
            );
        }
    }
    if m.get("uniqueItems") == Some(&Value::Bool(true)) {
        let mut dup = items.to_vec();
        if dup.is_empty() {
            dup.extend(fresh_items(root, cache, m, items, 1, ptr));
        }
        let Some(first) = dup.first().cloned() else {
            return;
        };
        if dup.len() >= 2 {
            dup[1] = first;
        } else {
            dup.push(first);
        }
        push(
            out,
            ptr,
            "uniqueItems",
            "a duplicated item".into(),
            Edit::Set(Value::Array(dup)),
        );
    }
}

fn object(m: &Map<String, Value>, obj: &Map<String, Value>, ptr: &str, out: &mut Vec<Candidate>) {
    if let Some(Value::Array(required)) = m.get("required") {
        for name in required.iter().filter_map(Value::as_str) {
            if obj.contains_key(name) {
                let at = covenant_spec::pointer::join(ptr, name);
                out.push(Candidate {
                    pointer: at.clone(),
                    keyword: "required",
                    description: format!("required property {name:?} removed"),
                    at,
                    edit: Edit::Remove,
                    pre: Vec::new(),
                });
            }
        }
    }
    if m.get("additionalProperties") == Some(&Value::Bool(false)) {
        let props = m.get("properties").and_then(Value::as_object);
        let mut name = "unexpectedProperty".to_string();
        while props.is_some_and(|p| p.contains_key(&name)) || obj.contains_key(&name) {
            name.push('_');
        }
        let at = covenant_spec::pointer::join(ptr, &name);
        out.push(Candidate {
            pointer: at.clone(),
            keyword: "additionalProperties",
            description: format!("unknown property {name:?} added"),
            at,
            edit: Edit::Set(json!("unexpected")),
            pre: Vec::new(),
        });
    }
}

/// Applies `edit` at `at` (a JSON Pointer; setting a missing object member adds it).
fn apply(instance: &Value, at: &str, edit: Edit) -> Option<Value> {
    let mut out = instance.clone();
    let tokens = covenant_spec::pointer::tokens(at);
    let Some((last, parents)) = tokens.split_last() else {
        return match edit {
            Edit::Set(v) => Some(v),
            Edit::Remove => None,
        };
    };
    let mut cur = &mut out;
    for t in parents {
        cur = match cur {
            Value::Object(o) => o.get_mut(t)?,
            Value::Array(a) => a.get_mut(t.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    match (cur, edit) {
        (Value::Object(o), Edit::Set(v)) => {
            o.insert(last.clone(), v);
        }
        (Value::Object(o), Edit::Remove) => {
            o.shift_remove(last)?;
        }
        (Value::Array(a), Edit::Set(v)) => {
            let i = last.parse::<usize>().ok()?;
            *a.get_mut(i)? = v;
        }
        _ => return None,
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lengths of the string negatives made from `s` under `schema`.
    fn lengths(schema: Value, s: &str) -> Vec<(&'static str, usize)> {
        let Value::Object(m) = schema else {
            unreachable!("an object schema")
        };
        let mut out = Vec::new();
        string(&m, s, "/name", &mut out);
        out.iter()
            .filter_map(|c| match &c.edit {
                Edit::Set(Value::String(x)) => Some((c.keyword, x.chars().count())),
                _ => None,
            })
            .collect()
    }

    /// Length negatives sit one character past each bound, counted in
    /// characters, whatever the valid string's length; Stripe's
    /// `maxLength: 5000` made the padding loop quadratic once.
    #[test]
    fn length_negatives_are_one_past_the_bounds() {
        for s in ["", "ab", "abcdefghij", "日本語"] {
            let l = lengths(json!({"minLength": 5, "maxLength": 8}), s);
            assert!(l.contains(&("minLength", 4)), "{s:?}: {l:?}");
            assert!(l.contains(&("maxLength", 9)), "{s:?}: {l:?}");
        }
        assert_eq!(
            lengths(json!({"maxLength": 5000}), "x"),
            [("maxLength", 5001)]
        );
        assert_eq!(lengths(json!({"minLength": 1}), "x"), [("minLength", 0)]);
    }
}
