//! Success bodies. Each operation keeps a small pool of bodies generated once at start
//! by `covenant-gen` from the documented 2xx schema (valid by construction). A request
//! picks one and overlays what a real provider would put there: the request's own
//! fields where the response shares them, a fresh id in the documented style (uuid,
//! integer, or the `kyc_req_`-style prefix of the spec's example), RFC 3339 timestamps
//! and forced initial values. The result is validated; an overlay that breaks the
//! schema is undone, so every answer the mock sends validates against the spec.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use bytes::Bytes;
use covenant_spec::view::violations;
use serde_json::{Map, Value};
use smallvec::{SmallVec, smallvec};

use crate::json::{Borrowed, Node};

/// How a resource id looks, learned from the schema and the spec's example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdStyle {
    Uuid,
    Integer,
    /// `kyc_req_` + `len` Crockford base-32 characters.
    Prefixed {
        prefix: String,
        len: usize,
    },
}

impl IdStyle {
    pub fn learn(types: &[String], format: Option<&str>, example: Option<&Value>) -> IdStyle {
        if types.iter().any(|t| t == "integer" || t == "number") {
            return IdStyle::Integer;
        }
        if format == Some("uuid") {
            return IdStyle::Uuid;
        }
        if let Some(Value::String(s)) = example {
            if uuid::Uuid::parse_str(s).is_ok() {
                return IdStyle::Uuid;
            }
            if let Some(cut) = s.rfind('_') {
                let (prefix, rest) = s.split_at(cut + 1);
                if !rest.is_empty()
                    && rest.chars().all(|c| c.is_ascii_alphanumeric())
                    && prefix
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
                {
                    return IdStyle::Prefixed {
                        prefix: prefix.to_string(),
                        len: rest.len(),
                    };
                }
            }
        }
        IdStyle::Uuid
    }

    pub fn fresh(&self) -> Value {
        match self {
            IdStyle::Uuid => Value::String(uuid::Uuid::new_v4().to_string()),
            // Positive and within 2^53 so JavaScript clients read it exactly.
            IdStyle::Integer => Value::from(fastrand::i64(1..=9_007_199_254_740_991)),
            IdStyle::Prefixed { prefix, len } => {
                const CROCKFORD: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
                let mut s = String::with_capacity(prefix.len() + len);
                s.push_str(prefix);
                for _ in 0..*len {
                    s.push(CROCKFORD[fastrand::usize(..CROCKFORD.len())] as char);
                }
                Value::String(s)
            }
        }
    }
}

/// What the mock knows about one top-level property of a response schema.
#[derive(Debug, Clone)]
pub struct Prop {
    /// RFC 3339 timestamps: `format: date-time`, or an example that is one.
    pub timestamp: bool,
}

/// A body template for one operation's success response.
pub struct BodyPlan {
    pub pool: Vec<Value>,
    pub validator: jsonschema::Validator,
    pub props: BTreeMap<String, Prop>,
    /// Set when the response schema is a plain object schema (see [`Members::new`]).
    pub members: Option<Members>,
}

/// The fast path for plain object schemas: when a schema constrains its top-level
/// members only through `properties` (no combinators, no `if`, no dependencies, no
/// property-count bounds), a body stays valid when one declared member is replaced
/// by a value valid against that member's own schema. So each overlay is checked
/// against its member's schema alone, and the body is written from fragments of the
/// pooled body serialised once at start; the whole body is neither cloned, validated
/// nor re-serialised per request.
pub struct Members {
    /// Per pool entry: each member as its serialised `"name":value` fragment.
    /// The third field is the length of the fragment's `"name":` prefix.
    fragments: Vec<Vec<(String, Bytes, usize)>>,
    /// Per pool entry, per declared member: the index of its fragment, if the pooled
    /// body has the member.
    slots: Vec<Vec<Option<usize>>>,
    /// The declared members (the root's `properties`), in schema order.
    declared: Vec<Declared>,
    /// Declared member name -> index in `declared`.
    index: HashMap<String, usize, foldhash::fast::RandomState>,
    /// The view's `$defs`, which member schemas refer to.
    defs: Option<Value>,
}

/// One declared member: its schema, compiled (with the view's `$defs`) on first use.
struct Declared {
    name: String,
    schema: Value,
    compiled: OnceLock<Option<jsonschema::Validator>>,
    /// The same, over echoed request members in their borrowed form.
    compiled_borrowed: OnceLock<Option<jsonschema::Validator<Borrowed>>>,
}

/// Root keywords under which replacing one member can change the verdict of others.
const NON_LOCAL: [&str; 16] = [
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "dependentRequired",
    "dependentSchemas",
    "dependencies",
    "minProperties",
    "maxProperties",
    "propertyNames",
    "unevaluatedProperties",
    "patternProperties",
    "$ref",
];

impl Members {
    /// `root` is the response schema with `$ref`s at the root followed, `view` the
    /// whole JSON Schema view (for its `$defs`). `None` when the fast path does not apply.
    pub fn new(view: &Value, root: &Value, pool: &[Value]) -> Option<Members> {
        let r = root.as_object()?;
        if NON_LOCAL.iter().any(|k| r.contains_key(*k)) {
            return None;
        }
        let declared: Vec<Declared> = r
            .get("properties")?
            .as_object()?
            .iter()
            .map(|(name, schema)| Declared {
                name: name.clone(),
                schema: schema.clone(),
                compiled: OnceLock::new(),
                compiled_borrowed: OnceLock::new(),
            })
            .collect();
        let mut fragments = Vec::with_capacity(pool.len());
        for body in pool {
            let mut members = Vec::new();
            for (k, v) in body.as_object()? {
                let (frag, key_len) = fragment(k, v)?;
                members.push((k.clone(), frag, key_len));
            }
            fragments.push(members);
        }
        let slots = fragments
            .iter()
            .map(|frags| {
                declared
                    .iter()
                    .map(|d| frags.iter().position(|(n, _, _)| *n == d.name))
                    .collect()
            })
            .collect();
        let index = declared
            .iter()
            .enumerate()
            .map(|(i, d)| (d.name.clone(), i))
            .collect();
        Some(Members {
            fragments,
            slots,
            declared,
            index,
            defs: view.get("$defs").cloned(),
        })
    }

    /// The index of declared member `name`.
    fn find(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// Member `member`'s schema, standalone (with the view's `$defs`).
    fn member_schema(&self, d: &Declared) -> Value {
        match (&d.schema, &self.defs) {
            (Value::Object(m), Some(defs)) => {
                let mut m = m.clone();
                m.insert("$defs".into(), defs.clone());
                Value::Object(m)
            }
            (other, _) => other.clone(),
        }
    }

    fn accepts(&self, member: usize, value: &Item<'_>) -> bool {
        let Some(d) = self.declared.get(member) else {
            return false;
        };
        match value {
            Item::Value(v) => self.accepts_value(member, v),
            Item::Node(n) => d
                .compiled_borrowed
                .get_or_init(|| {
                    covenant_spec::view::compile_for::<Borrowed>(&self.member_schema(d)).ok()
                })
                .as_ref()
                .is_some_and(|c| c.is_valid(n)),
        }
    }

    fn accepts_value(&self, member: usize, value: &Value) -> bool {
        let Some(d) = self.declared.get(member) else {
            return false;
        };
        d.compiled
            .get_or_init(|| covenant_spec::view::compile(&self.member_schema(d)).ok())
            .as_ref()
            .is_some_and(|c| c.is_valid(value))
    }
}

/// An overlay value: a `Value` (made for this answer, or borrowed from the plan, as
/// a lifecycle's initial status is), or a member of the parsed request body, echoed
/// without first copying it into a `Value`.
#[derive(Debug, Clone, PartialEq)]
pub enum Item<'a> {
    Value(Cow<'a, Value>),
    Node(&'a Node<'a>),
}

impl Item<'_> {
    pub fn to_value(&self) -> Value {
        match self {
            Item::Value(v) => v.clone().into_owned(),
            Item::Node(n) => n.to_value(),
        }
    }

    pub fn into_value(self) -> Value {
        match self {
            Item::Value(v) => v.into_owned(),
            Item::Node(n) => n.to_value(),
        }
    }

    /// Appends the value's JSON text.
    fn write_json(&self, out: &mut Vec<u8>) -> bool {
        match self {
            Item::Value(v) => serde_json::to_writer(&mut *out, v).is_ok(),
            Item::Node(n) => {
                n.write_json(out);
                true
            }
        }
    }
}

/// `"name":value`, and the length of its `"name":` prefix.
fn fragment(name: &str, value: &Value) -> Option<(Bytes, usize)> {
    let mut out = Vec::new();
    let mut key_len = 0;
    write_fragment(&mut out, name, |o| {
        key_len = o.len();
        serde_json::to_writer(o, value).is_ok()
    })
    .then(|| (Bytes::from(out), key_len))
}

/// Appends `"name":value` to `out`; `false` (and `out` unchanged) if it cannot be
/// serialised.
fn write_fragment(
    out: &mut Vec<u8>,
    name: &str,
    write_value: impl FnOnce(&mut Vec<u8>) -> bool,
) -> bool {
    let len = out.len();
    let ok = serde_json::to_writer(&mut *out, name).is_ok() && {
        out.push(b':');
        write_value(out)
    };
    if !ok {
        out.truncate(len);
    }
    ok
}

/// A built body: its bytes, and enough to read members back without parsing them.
pub struct Built<'a> {
    pub body: Bytes,
    /// Overlays undone because they would break the schema.
    pub dropped: Vec<String>,
    /// Overlay fields the schema has no property for (moved out, not copied).
    pub extras: Vec<(String, Value)>,
    base: &'a Value,
    /// Members that replaced the pooled body's (the overlay's fields, the flag
    /// unused), or none with `whole` set.
    applied: Vec<Field<'a>>,
    whole: Option<Value>,
}

impl Built<'_> {
    /// The value at JSON Pointer `ptr` in the body (borrowed where the body holds it
    /// as a `Value`).
    pub fn pointer(&self, ptr: &str) -> Option<Cow<'_, Value>> {
        if let Some(w) = &self.whole {
            return w.pointer(ptr).map(Cow::Borrowed);
        }
        let mut tokens = covenant_spec::pointer::tokens_iter(ptr);
        let first = tokens.next()?;
        let top: &Value = match self.applied.iter().rev().find(|(n, _, _)| *n == first) {
            Some((_, Item::Node(n), _)) => {
                return tokens
                    .try_fold(*n, |at, t| at.child(&t))
                    .map(|n| Cow::Owned(n.to_value()));
            }
            Some((_, Item::Value(v), _)) => v,
            None => self.base.get(&*first)?,
        };
        let mut cur = top;
        for t in tokens {
            cur = match cur {
                Value::Object(m) => m.get(&*t)?,
                Value::Array(a) => a.get(t.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(Cow::Borrowed(cur))
    }
}

/// One overlay member: name, value, and whether the value is known to be valid.
pub type Field<'a> = (Cow<'a, str>, Item<'a>, bool);

/// Overlays to apply on a pooled body, in order.
#[derive(Default)]
pub struct Overlay<'a> {
    /// Each member's name, value, and whether the value is already known to satisfy
    /// the member's schema (see [`Overlay::put`]); the fast path skips checking those.
    pub fields: Vec<Field<'a>>,
    /// Applied only where the pooled body already has the member (optional extras
    /// such as `finalizedAt` are not invented on every answer).
    pub soft: Vec<(Cow<'a, str>, Cow<'a, Value>)>,
    /// Bytes the overlay's values may take once written (the request body's length
    /// when it echoes the body): the answer is written into one allocation.
    pub size_hint: usize,
}

impl<'a> Overlay<'a> {
    /// An empty overlay with room for `n` fields.
    pub fn with_capacity(n: usize) -> Overlay<'a> {
        Overlay {
            fields: Vec::with_capacity(n),
            soft: Vec::new(),
            size_hint: 0,
        }
    }

    /// Sets member `name` (replacing an earlier value, which moves it last).
    pub fn set(&mut self, name: impl Into<Cow<'a, str>>, value: Value) {
        self.put(name.into(), Item::Value(Cow::Owned(value)), false);
    }

    /// Like [`Overlay::set`] with a value that outlives the overlay (no copy).
    pub fn set_ref(&mut self, name: impl Into<Cow<'a, str>>, value: &'a Value) {
        self.put(name.into(), Item::Value(Cow::Borrowed(value)), false);
    }

    /// Like [`Overlay::set`] for any item. `trusted`: the caller has already
    /// validated `value` against a schema with the same meaning as this member's (a
    /// request field the request schema declares exactly as the response schema).
    pub fn put(&mut self, name: Cow<'a, str>, value: Item<'a>, trusted: bool) {
        if let Some(i) = self.fields.iter().position(|(n, _, _)| *n == name) {
            self.fields.remove(i);
        }
        self.fields.push((name, value, trusted));
    }

    pub fn get(&self, name: &str) -> Option<&Item<'a>> {
        self.fields
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, v, _)| v)
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

impl BodyPlan {
    /// Builds a body from pool entry `pick` with `overlay` applied, dropping overlays
    /// that would break the schema; every body it returns validates.
    pub fn build_bytes<'b>(&'b self, pick: usize, overlay: Overlay<'b>) -> Built<'b> {
        let index = pick % self.pool.len().max(1);
        let (Some(members), Some(base)) = (&self.members, self.pool.get(index)) else {
            let (value, dropped, extras) = self.build(pick, overlay);
            return Built {
                body: Bytes::from(serde_json::to_vec(&value).unwrap_or_default()),
                dropped,
                extras,
                base: &Value::Null,
                applied: Vec::new(),
                whole: Some(value),
            };
        };
        let frags = &members.fragments[index];
        let slots = &members.slots[index];
        // For each fragment of the pooled body, the index in `applied` of the value
        // that replaces it; and applied values for members the pooled body lacks, in
        // order. Inline: a body has a few dozen members at most in practice.
        let mut replaced: SmallVec<[Option<usize>; 32]> = smallvec![None; frags.len()];
        let mut appended: SmallVec<[usize; 8]> = SmallVec::new();
        let mut dropped = Vec::new();
        let mut extras = Vec::new();
        let Overlay {
            fields,
            soft,
            size_hint,
        } = overlay;
        // Soft values apply where the pooled body has the member and no field sets it.
        let mut soft_applied: SmallVec<[(Field<'b>, usize); 4]> = SmallVec::new();
        for (name, v) in soft {
            let member = members.find(&name);
            let Some(at) = (match member {
                Some(m) => slots[m],
                None => frags.iter().position(|(n, _, _)| *n == name),
            }) else {
                continue;
            };
            if fields.iter().any(|(n, _, _)| *n == name) {
                continue;
            }
            match member {
                Some(m) if members.accepts_value(m, &v) => {
                    soft_applied.push(((name, Item::Value(v), true), at));
                }
                _ => dropped.push(name.into_owned()),
            }
        }
        // The fields' own vector becomes `applied`: accepted fields move to its front.
        let mut applied = fields;
        let mut kept = 0;
        for i in 0..applied.len() {
            let (name, v, trusted) = &applied[i];
            match members.find(name) {
                None => {
                    let name = std::mem::take(&mut applied[i].0);
                    let v =
                        std::mem::replace(&mut applied[i].1, Item::Value(Cow::Owned(Value::Null)));
                    extras.push((name.into_owned(), v.into_value()));
                }
                Some(m) if *trusted || members.accepts(m, v) => {
                    match slots[m] {
                        Some(at) => replaced[at] = Some(kept),
                        None => appended.push(kept),
                    }
                    applied.swap(kept, i);
                    kept += 1;
                }
                Some(_) => dropped.push(name.to_string()),
            }
        }
        applied.truncate(kept);
        for (field, at) in soft_applied {
            replaced[at] = Some(applied.len());
            applied.push(field);
        }
        let mut out = Vec::with_capacity(
            frags.iter().map(|(_, b, _)| b.len() + 1).sum::<usize>() + size_hint + 64,
        );
        out.push(b'{');
        for ((_, frag, key_len), with) in frags.iter().zip(&replaced) {
            if out.len() > 1 {
                out.push(b',');
            }
            match with {
                Some(i) => {
                    // The pooled fragment's `"name":`, then the new value.
                    let mark = out.len();
                    out.extend_from_slice(&frag[..*key_len]);
                    if !applied[*i].1.write_json(&mut out) {
                        out.truncate(mark);
                        out.extend_from_slice(frag);
                    }
                }
                None => out.extend_from_slice(frag),
            }
        }
        for &i in &appended {
            let (name, v, _) = &applied[i];
            let mark = out.len();
            if out.len() > 1 {
                out.push(b',');
            }
            if !write_fragment(&mut out, name, |o| v.write_json(o)) {
                out.truncate(mark);
            }
        }
        out.push(b'}');
        Built {
            body: Bytes::from(out),
            dropped,
            extras,
            base,
            applied,
            whole: None,
        }
    }

    /// The slow path of [`BodyPlan::build_bytes`] (any schema): applies `overlay` on a
    /// clone of the pooled body and validates the whole, undoing overlays that break
    /// it. Returns the body, the overlays that were dropped, and the overlay fields the
    /// schema has no property for (moved out, not copied).
    pub fn build(
        &self,
        pick: usize,
        overlay: Overlay<'_>,
    ) -> (Value, Vec<String>, Vec<(String, Value)>) {
        let fields = overlay
            .fields
            .into_iter()
            .map(|(n, v, _)| (n.into_owned(), v.into_value()));
        let Some(base) = self.pool.get(pick % self.pool.len().max(1)) else {
            return (Value::Object(Map::new()), Vec::new(), fields.collect());
        };
        let mut body = base.clone();
        let mut applied: BTreeSet<String> = BTreeSet::new();
        let mut extras = Vec::new();
        if let Value::Object(m) = &mut body {
            let fields: Vec<(String, Value)> = fields.collect();
            for (name, v) in overlay.soft {
                if m.contains_key(&*name) && !fields.iter().any(|(n, _)| *n == name) {
                    applied.insert(name.to_string());
                    m.insert(name.into_owned(), v.into_owned());
                }
            }
            for (name, v) in fields {
                if self.props.contains_key(&name) {
                    applied.insert(name.clone());
                    m.insert(name, v);
                } else {
                    extras.push((name, v));
                }
            }
        }
        let mut dropped = Vec::new();
        for _ in 0..4 {
            if self.validator.is_valid(&body) {
                return (body, dropped, extras);
            }
            let bad: BTreeSet<String> = violations(&self.validator, &body)
                .into_iter()
                .map(|v| {
                    covenant_spec::pointer::tokens(&v.pointer)
                        .into_iter()
                        .next()
                        .unwrap_or_default()
                })
                .collect();
            let mut changed = false;
            if let (Value::Object(m), Value::Object(b)) = (&mut body, base) {
                for name in &bad {
                    if applied.remove(name) {
                        match b.get(name) {
                            Some(orig) => m.insert(name.clone(), orig.clone()),
                            None => m.remove(name),
                        };
                        dropped.push(name.clone());
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        if self.validator.is_valid(&body) {
            (body, dropped, extras)
        } else {
            // The pooled body is valid by construction; fall back to it untouched.
            dropped.extend(applied);
            (base.clone(), dropped, extras)
        }
    }
}

/// Now, as RFC 3339 with second precision in UTC (`2024-05-01T12:00:00Z`).
pub fn now_rfc3339() -> String {
    // Formatted once per second per thread: answers stamp every request.
    thread_local! {
        static LAST: std::cell::RefCell<(i64, String)> = const { std::cell::RefCell::new((i64::MIN, String::new())) };
    }
    let now = chrono::Utc::now();
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if last.0 != now.timestamp() {
            *last = (
                now.timestamp(),
                now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            );
        }
        last.1.clone()
    })
}

pub fn looks_like_timestamp(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn id_styles_follow_the_spec() {
        let s = IdStyle::learn(
            &[],
            None,
            Some(&json!("kyc_req_0YV7JMJ3DBCGRBR7K9D4HVGPP5")),
        );
        assert_eq!(
            s,
            IdStyle::Prefixed {
                prefix: "kyc_req_".into(),
                len: 26
            }
        );
        let v = s.fresh();
        let v = v.as_str().expect("string");
        assert!(v.starts_with("kyc_req_") && v.len() == 34, "{v}");
        assert_eq!(
            IdStyle::learn(&["integer".into()], Some("int64"), None),
            IdStyle::Integer
        );
        assert!(IdStyle::Integer.fresh().as_i64().is_some_and(|i| i > 0));
        assert_eq!(
            IdStyle::learn(
                &[],
                None,
                Some(&json!("9b1f3c2e-8d4a-4f7e-9c1b-2a3d4e5f6a7b"))
            ),
            IdStyle::Uuid
        );
        assert!(looks_like_timestamp(&json!(now_rfc3339())));
        assert!(!looks_like_timestamp(&json!("yesterday")));
    }

    #[test]
    fn overlays_that_break_the_schema_are_undone() {
        let schema = json!({"type": "object", "required": ["n"], "properties": {
            "n": {"type": "integer"}, "s": {"type": "string"}}});
        let plan = BodyPlan {
            pool: vec![json!({"n": 1})],
            validator: covenant_spec::view::compile(&schema).expect("compiles"),
            props: [("n", false), ("s", false)]
                .into_iter()
                .map(|(k, t)| (k.to_string(), Prop { timestamp: t }))
                .collect(),
            members: None,
        };
        let mut o = Overlay::default();
        o.set("n", json!("not a number"));
        o.set("s", json!("kept"));
        o.set("unknown", json!(1));
        let (body, dropped, extras) = plan.build(0, o);
        assert_eq!(extras, vec![("unknown".to_string(), json!(1))]);
        assert_eq!(body, json!({"n": 1, "s": "kept"}));
        assert_eq!(dropped, vec!["n"]);
    }

    /// The fast path gives the same answers as the slow one, and refuses schemas
    /// where one member's value can change another's verdict.
    #[test]
    fn member_fast_path_matches_whole_body_validation() {
        let view = json!({
            "type": "object",
            "required": ["id", "n"],
            "additionalProperties": false,
            "properties": {
                "id": {"type": "string", "pattern": "^kyc_"},
                "n": {"type": "integer", "minimum": 0},
                "doc": {"$ref": "#/$defs/Doc"},
                "t": {"type": "string"}
            },
            "$defs": {"Doc": {"type": "object", "required": ["k"], "properties": {"k": {"enum": ["a", "b"]}}}}
        });
        let pool = vec![json!({"id": "kyc_1", "n": 1, "doc": {"k": "a"}})];
        let plan = BodyPlan {
            members: Members::new(&view, &view, &pool),
            pool,
            validator: covenant_spec::view::compile(&view).expect("compiles"),
            props: ["id", "n", "doc", "t"]
                .into_iter()
                .map(|k| (k.to_string(), Prop { timestamp: false }))
                .collect(),
        };
        assert!(plan.members.is_some());
        let overlays = [
            ("id", json!("kyc_2")),
            ("id", json!("nope")),
            ("n", json!(-1)),
            ("n", json!(7)),
            ("doc", json!({"k": "b"})),
            ("doc", json!({"k": "z"})),
            ("t", json!("x")),
            ("t", json!(1)),
            ("extra", json!(true)),
        ];
        for (name, v) in overlays {
            let mut o = Overlay::default();
            o.set(name, v.clone());
            let fast = plan.build_bytes(0, o);
            let mut o = Overlay::default();
            o.set(name, v.clone());
            let (slow, slow_dropped, slow_extras) = plan.build(0, o);
            let fast_body: Value = serde_json::from_slice(&fast.body).expect("JSON");
            assert_eq!(fast_body, slow, "{name} = {v}");
            assert!(plan.validator.is_valid(&fast_body), "{name} = {v}");
            assert_eq!(fast.dropped, slow_dropped, "{name} = {v}");
            assert_eq!(fast.extras, slow_extras, "{name} = {v}");
            assert_eq!(
                fast.pointer(&format!("/{name}")).map(Cow::into_owned),
                slow.get(name).cloned()
            );
        }
        // Several at once, in any mix (kept, dropped, extra, soft, soft shadowed by a
        // field): the fast path keeps the accepted ones in order and moves the rest out.
        let t = json!("soft");
        let n = json!(3);
        let mixes: [&[(&str, Value)]; 3] = [
            &[
                ("n", json!(-1)),
                ("extra", json!(1)),
                ("id", json!("kyc_9")),
                ("t", json!("x")),
            ],
            &[
                ("extra", json!(1)),
                ("more", json!([2])),
                ("doc", json!({"k": "z"})),
            ],
            &[
                ("id", json!("nope")),
                ("n", json!(5)),
                ("id", json!("kyc_last")),
            ],
        ];
        for (i, mix) in mixes.iter().enumerate() {
            let overlay = || {
                let mut o = Overlay::default();
                for (name, v) in mix.iter() {
                    o.set(*name, v.clone());
                }
                o.soft.push((Cow::Borrowed("n"), Cow::Borrowed(&n)));
                o.soft.push((Cow::Borrowed("t"), Cow::Borrowed(&t)));
                o
            };
            let fast = plan.build_bytes(0, overlay());
            let (slow, mut slow_dropped, slow_extras) = plan.build(0, overlay());
            let fast_body: Value = serde_json::from_slice(&fast.body).expect("JSON");
            assert_eq!(fast_body, slow, "mix {i}");
            assert!(plan.validator.is_valid(&fast_body), "mix {i}");
            let mut fast_dropped = fast.dropped.clone();
            fast_dropped.sort();
            slow_dropped.sort();
            assert_eq!(fast_dropped, slow_dropped, "mix {i}");
            assert_eq!(fast.extras, slow_extras, "mix {i}");
            for name in ["id", "n", "doc", "t"] {
                assert_eq!(
                    fast.pointer(&format!("/{name}")).map(Cow::into_owned),
                    slow.get(name).cloned(),
                    "mix {i}: {name}"
                );
            }
        }
        let mut o = Overlay::default();
        o.set("doc", json!({"k": "b"}));
        assert_eq!(
            plan.build_bytes(0, o).pointer("/doc/k").as_deref(),
            Some(&json!("b"))
        );
        for key in ["oneOf", "if", "maxProperties", "dependentRequired"] {
            let mut v = view.clone();
            v[key] = json!([]);
            assert!(Members::new(&v, &v, &plan.pool).is_none(), "{key}");
        }
    }
}
