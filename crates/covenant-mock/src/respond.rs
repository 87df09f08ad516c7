//! Success bodies. Each operation keeps a small pool of bodies generated once at start
//! by `covenant-gen` from the documented 2xx schema (valid by construction). A request
//! picks one and overlays what a real provider would put there: the request's own
//! fields where the response shares them, a fresh id in the documented style (uuid,
//! integer, or the `kyc_req_`-style prefix of the spec's example), RFC 3339 timestamps
//! and forced initial values. The result is validated; an overlay that breaks the
//! schema is undone, so every answer the mock sends validates against the spec.
//!
//! One way to build a body: overlay a clone of the pooled body, validate the whole,
//! serialise. A second way (splicing pre-serialised members of the pooled body, each
//! overlay checked against its member's schema alone) was removed: it saved server
//! CPU under `wrk` but no client of the mock noticed; the figures are in
//! `bench/README.md`.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use bytes::Bytes;
use serde_json::{Map, Value};

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
    pub pool: std::sync::Arc<Vec<Value>>,
    pub validator: covenant_spec::book::Page,
    pub props: BTreeMap<String, Prop>,
}

/// One overlay member: its name and value.
pub type Field<'a> = (Cow<'a, str>, Cow<'a, Value>);

/// Overlays to apply on a pooled body, in order.
#[derive(Default, Clone)]
pub struct Overlay<'a> {
    pub fields: Vec<Field<'a>>,
    /// Applied only where the pooled body already has the member (optional extras
    /// such as `finalizedAt` are not invented on every answer).
    pub soft: Vec<Field<'a>>,
}

impl<'a> Overlay<'a> {
    /// An empty overlay with room for `n` fields.
    pub fn with_capacity(n: usize) -> Overlay<'a> {
        Overlay {
            fields: Vec::with_capacity(n),
            soft: Vec::new(),
        }
    }

    /// Sets member `name` (replacing an earlier value, which moves it last).
    pub fn set(&mut self, name: impl Into<Cow<'a, str>>, value: Value) {
        self.put(name.into(), Cow::Owned(value));
    }

    /// Like [`Overlay::set`] with a value that outlives the overlay (no copy).
    pub fn set_ref(&mut self, name: impl Into<Cow<'a, str>>, value: &'a Value) {
        self.put(name.into(), Cow::Borrowed(value));
    }

    /// Two objects for one member compose (the later's members win, at every
    /// depth: a request's `data` and a fresh id at `/data/id`); anything else
    /// replaces.
    fn put(&mut self, name: Cow<'a, str>, value: Cow<'a, Value>) {
        let mut value = value;
        if let Some(i) = self.fields.iter().position(|(n, _)| *n == name) {
            let (_, earlier) = self.fields.remove(i);
            if earlier.is_object() && value.is_object() {
                let mut both = earlier.into_owned();
                crate::mend::merge(&mut both, value.into_owned());
                value = Cow::Owned(both);
            }
        }
        self.fields.push((name, value));
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_ref())
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// A built body.
pub struct Built {
    pub value: Value,
    /// `value`, serialised.
    pub body: Bytes,
    /// Overlays undone because they would break the schema.
    pub dropped: Vec<String>,
    /// Overlay fields the schema has no property for (moved out, not copied).
    pub extras: Vec<(String, Value)>,
}

impl BodyPlan {
    /// Builds a body from pool entry `pick` with `overlay` applied on a clone of it,
    /// and validates the whole, undoing overlays that break it: every body it
    /// returns validates. Also returns the overlays that were dropped, and the
    /// overlay fields the schema has no property for.
    ///
    /// When an overlay must be undone, the other pooled bodies are tried in turn
    /// and the one that keeps the most overlays wins: in a union answer (a
    /// resource or its deletion notice) the stored resource fits only its branch.
    pub fn build(&self, pick: usize, overlay: Overlay<'_>) -> Built {
        let mut best = self.overlaid(pick, overlay.clone());
        for k in 1..self.pool.len() {
            if best.1.is_empty() {
                break;
            }
            let next = self.overlaid(pick + k, overlay.clone());
            if next.1.len() < best.1.len() {
                best = next;
            }
        }
        let (value, dropped, extras) = best;
        Built {
            body: crate::message::json_bytes(&value),
            value,
            dropped,
            extras,
        }
    }

    fn overlaid(
        &self,
        pick: usize,
        overlay: Overlay<'_>,
    ) -> (Value, Vec<String>, Vec<(String, Value)>) {
        let fields = overlay
            .fields
            .into_iter()
            .map(|(n, v)| (n.into_owned(), v.into_owned()));
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
        // What each object overlay sent, once it was written over the pooled
        // member: tells the pooled additions apart when they break the schema.
        let mut sent: BTreeMap<String, Value> = BTreeMap::new();
        let mut dropped = Vec::new();
        for _ in 0..8 {
            if self.validator.is_valid(&body) {
                return (body, dropped, extras);
            }
            // Violations by the top-level member they are in, with the rest of
            // their pointer and their keyword.
            let mut bad: BTreeMap<String, Vec<(Vec<String>, String)>> = BTreeMap::new();
            for v in self.validator.violations(&body) {
                let mut tokens = covenant_spec::pointer::tokens(&v.pointer);
                let name = if tokens.is_empty() {
                    String::new()
                } else {
                    tokens.remove(0)
                };
                bad.entry(name).or_default().push((tokens, v.keyword));
            }
            let mut changed = false;
            if let (Value::Object(m), Value::Object(b)) = (&mut body, base) {
                // An object overlay that breaks the schema is first written
                // over the pooled member at every depth (a JSON:API `data`
                // without its `type`, `attributes` without the server's
                // members); one that fits as sent stays as sent.
                for name in bad.keys().filter(|n| applied.contains(*n)) {
                    if let (Some(mine @ Value::Object(_)), Some(orig @ Value::Object(_))) =
                        (m.get_mut(name), b.get(name))
                        && !sent.contains_key(name)
                    {
                        let own = mine.take();
                        *mine = orig.clone();
                        crate::mend::merge(mine, own.clone());
                        sent.insert(name.clone(), own);
                        changed = true;
                    }
                }
                // Then what still breaks it is mended, most faithful first,
                // one kind of step per round: a pooled addition that blends
                // with what was sent (a union's other branch) goes; a member
                // the schema requires comes from the pooled body; what was
                // sent goes back to the pooled value, or goes.
                for step in [Step::Unfill, Step::Fill, Step::Revert] {
                    if changed {
                        break;
                    }
                    for (name, inner) in bad.iter().filter(|(n, _)| applied.contains(*n)) {
                        let (Some(mine @ Value::Object(_)), orig) = (m.get_mut(name), b.get(name))
                        else {
                            continue;
                        };
                        for (rest, keyword) in inner {
                            let mended = match step {
                                Step::Unfill => sent
                                    .get(name)
                                    .is_some_and(|own| crate::mend::unfill(mine, own, rest)),
                                Step::Fill => {
                                    keyword == "required" && crate::mend::fill(mine, orig, rest)
                                }
                                Step::Revert => crate::mend::revert(mine, orig, rest),
                            };
                            // Partly undone: counted, so another pooled body it
                            // fits whole is preferred.
                            if mended && step == Step::Revert && !dropped.contains(name) {
                                dropped.push(name.clone());
                            }
                            changed |= mended;
                        }
                    }
                }
                // A member with nothing smaller to mend (a scalar), or when
                // nothing smaller helped, goes back whole.
                let whole: Vec<String> = bad
                    .keys()
                    .filter(|n| applied.contains(*n))
                    .filter(|n| !changed || !m.get(*n).is_some_and(Value::is_object))
                    .cloned()
                    .collect();
                for name in whole {
                    applied.remove(&name);
                    dropped.retain(|d| *d != name);
                    match b.get(&name) {
                        Some(orig) => m.insert(name.clone(), orig.clone()),
                        // Members keep their order: the answer reads as the
                        // pooled body with the overlays in place.
                        None => m.shift_remove(&name),
                    };
                    dropped.push(name);
                    changed = true;
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

/// One kind of mending step, tried in this order (see [`BodyPlan::build`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Unfill,
    Fill,
    Revert,
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

    /// A plan answering `schema` from `pool`, its top-level members `props`.
    fn plan_of(schema: &Value, pool: Vec<Value>, props: &[&str]) -> BodyPlan {
        BodyPlan {
            pool: std::sync::Arc::new(pool),
            validator: covenant_spec::book::Page::single(
                covenant_spec::view::compile(schema).expect("compiles"),
            ),
            props: props
                .iter()
                .map(|k| (k.to_string(), Prop { timestamp: false }))
                .collect(),
        }
    }

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
            pool: std::sync::Arc::new(vec![json!({"n": 1})]),
            validator: covenant_spec::book::Page::single(
                covenant_spec::view::compile(&schema).expect("compiles"),
            ),
            props: [("n", false), ("s", false)]
                .into_iter()
                .map(|(k, t)| (k.to_string(), Prop { timestamp: t }))
                .collect(),
        };
        let mut o = Overlay::default();
        o.set("n", json!("not a number"));
        o.set("s", json!("kept"));
        o.set("unknown", json!(1));
        let built = plan.build(0, o);
        assert_eq!(built.extras, vec![("unknown".to_string(), json!(1))]);
        assert_eq!(built.value, json!({"n": 1, "s": "kept"}));
        assert_eq!(built.body, crate::message::json_bytes(&built.value));
        assert_eq!(built.dropped, vec!["n"]);
    }

    /// The answer reads as the pooled body with the overlays in place: members keep
    /// the pooled body's order, new ones follow in overlay order, and undoing one
    /// moves no other. Each overlay is judged on its own (soft ones only where the
    /// pooled body has the member and no field sets it).
    #[test]
    fn overlays_keep_the_pooled_order() {
        let view = json!({
            "type": "object",
            "required": ["id", "n"],
            "additionalProperties": false,
            "properties": {
                "id": {"type": "string", "pattern": "^kyc_"},
                "n": {"type": "integer", "minimum": 0},
                "doc": {"$ref": "#/$defs/Doc"},
                "t": {"type": "string"},
                "u": {"type": "string"},
                "w": {"type": "string"}
            },
            "$defs": {"Doc": {"type": "object", "required": ["k"], "properties": {"k": {"enum": ["a", "b"]}}}}
        });
        let plan = plan_of(
            &view,
            vec![json!({"id": "kyc_1", "n": 1, "doc": {"k": "a"}})],
            &["id", "n", "doc", "t", "u", "w"],
        );
        let soft = json!("soft");
        // (overlay members, expected outcome, members expected dropped)
        type Case<'a> = (&'a [(&'a str, Value)], &'a str, &'a [&'a str]);
        let cases: [Case<'_>; 4] = [
            (
                &[
                    ("t", json!("x")),
                    ("n", json!(-1)),
                    ("u", json!("y")),
                    ("id", json!("kyc_9")),
                ],
                r#"{"id":"kyc_9","n":1,"doc":{"k":"a"},"t":"x","u":"y"}"#,
                &["n"],
            ),
            (
                &[
                    ("t", json!(1)),
                    ("u", json!("y")),
                    ("w", json!("z")),
                    ("doc", json!({"k": "z"})),
                ],
                r#"{"id":"kyc_1","n":1,"doc":{"k":"a"},"u":"y","w":"z"}"#,
                &["doc", "n", "t"],
            ),
            (
                &[
                    ("id", json!("nope")),
                    ("n", json!(5)),
                    ("extra", json!(true)),
                ],
                r#"{"id":"kyc_1","n":5,"doc":{"k":"a"}}"#,
                &["id"],
            ),
            (
                &[("n", json!(3))],
                r#"{"id":"kyc_1","n":3,"doc":{"k":"a"}}"#,
                &[],
            ),
        ];
        for (fields, expected, dropped) in cases {
            let mut o = Overlay::default();
            for (name, v) in fields {
                o.set(*name, v.clone());
            }
            o.soft.push((Cow::Borrowed("n"), Cow::Borrowed(&soft)));
            o.soft.push((Cow::Borrowed("t"), Cow::Borrowed(&soft)));
            let built = plan.build(0, o);
            assert_eq!(String::from_utf8_lossy(&built.body), expected);
            assert!(plan.validator.is_valid(&built.value), "{expected}");
            let mut got = built.dropped.clone();
            got.sort();
            assert_eq!(got, dropped, "{expected}");
        }
    }

    /// A union answer (Stripe's read of a reader: the reader, or its deletion
    /// notice): a stored resource is answered from a pooled body of its own branch,
    /// not dropped wholesale onto the other one.
    #[test]
    fn overlays_pick_a_pooled_body_they_fit() {
        let schema = json!({"anyOf": [
            {"type": "object", "required": ["id", "label"], "additionalProperties": false,
             "properties": {
                "id": {"type": "string"}, "label": {"type": "string"}}},
            {"type": "object", "required": ["id", "deleted"], "additionalProperties": false,
             "properties": {"id": {"type": "string"}, "deleted": {"const": true}}}
        ]});
        let plan = plan_of(
            &schema,
            vec![
                json!({"id": "d1", "deleted": true}),
                json!({"id": "r1", "label": "pooled"}),
            ],
            &["id", "label", "deleted"],
        );
        let mut o = Overlay::default();
        o.set("id", json!("stored"));
        o.set("label", json!("mine"));
        let built = plan.build(0, o);
        assert_eq!(built.value, json!({"id": "stored", "label": "mine"}));
        assert!(built.dropped.is_empty());
    }

    /// A JSON:API create: the request's part of `data` and a fresh id compose;
    /// what the answer requires and they lack (`type`, a file's `url`) comes
    /// from the pooled `data`, and only a member the answer cannot hold (the
    /// file's `data`) goes.
    #[test]
    fn object_overlays_merge_and_revert_only_what_breaks() {
        let schema = json!({"type": "object", "required": ["data"], "properties": {
            "data": {"type": "object", "required": ["id", "type"], "properties": {
                "id": {"type": "string", "minLength": 3},
                "type": {"const": "account"},
                "attributes": {"type": "object", "properties": {
                    "name": {"type": "string"},
                    "files": {"type": "array", "items": {"type": "object",
                        "additionalProperties": false,
                        "required": ["url"], "properties": {"url": {"type": "string"}}}}}}}}}});
        let plan = plan_of(
            &schema,
            vec![json!({"data": {"id": "act_pooled", "type": "account",
                "attributes": {"name": "pooled", "files": [{"url": "u"}]}}})],
            &["data"],
        );
        let mut o = Overlay::default();
        o.set(
            "data",
            json!({"attributes": {"name": "Rex", "files": [{"data": "b64"}]}}),
        );
        o.set("data", json!({"id": "act_fresh"}));
        let built = plan.build(0, o);
        assert_eq!(
            built.value,
            json!({"data": {"id": "act_fresh", "type": "account",
                "attributes": {"name": "Rex", "files": [{"url": "u"}]}}})
        );
        assert_eq!(built.dropped, ["data"]);
        // A member the answer does not declare goes alone; the rest of the
        // object stays as sent.
        let mut strict = schema.clone();
        strict["properties"]["data"]["properties"]["attributes"]["additionalProperties"] =
            json!(false);
        let plan = BodyPlan {
            validator: covenant_spec::book::Page::single(
                covenant_spec::view::compile(&strict).expect("compiles"),
            ),
            ..plan
        };
        let mut o = Overlay::default();
        o.set(
            "data",
            json!({"attributes": {"name": "Rex", "value": "secret"}}),
        );
        let built = plan.build(0, o);
        assert_eq!(
            built.value["data"]["attributes"],
            json!({"name": "Rex", "files": [{"url": "u"}]})
        );
        let mut into = json!({"a": {"b": 1, "c": [1]}, "d": 2});
        crate::mend::merge(&mut into, json!({"a": {"c": [], "e": 3}}));
        assert_eq!(into, json!({"a": {"b": 1, "c": [], "e": 3}, "d": 2}));
    }
    /// Persona's `attributes: {unevaluatedProperties: false, $ref: ...}`, and
    /// a stored resource with a member only the create's answer has (an API
    /// key's `value`): that member goes, the others stay as sent.
    #[test]
    fn unevaluated_members_go_alone() {
        let schema = json!({
            "$defs": {"A": {"type": "object", "properties": {
                "name": {"type": "string"}, "n": {"type": "integer"}}}},
            "type": "object", "properties": {"data": {"type": "object", "properties": {
                "attributes": {"unevaluatedProperties": false, "$ref": "#/$defs/A"}}}}});
        let plan = plan_of(
            &schema,
            vec![json!({"data": {"attributes": {"name": "pooled", "n": 1}}})],
            &["data"],
        );
        let mut o = Overlay::default();
        o.set(
            "data",
            json!({"attributes": {"name": "mine", "value": "secret"}}),
        );
        let built = plan.build(0, o);
        assert_eq!(
            built.value,
            json!({"data": {"attributes": {"name": "mine", "n": 1}}})
        );
    }

    /// Persona's webhook read: the stored `attributes` carry a member the
    /// answer lacks, so they are written over the pooled ones, whose union
    /// member is the other branch. The blend goes first (the pooled `events`),
    /// so the client's branch and every other member stay.
    #[test]
    fn pooled_additions_go_before_sent_values() {
        let allow = json!({"unevaluatedProperties": false, "oneOf": [
            {"type": "object", "additionalProperties": false, "required": ["state"],
             "properties": {"state": {"const": "all"}}},
            {"type": "object", "additionalProperties": false, "required": ["state"],
             "properties": {"state": {"const": "none"}}},
            {"type": "object", "additionalProperties": false, "required": ["state", "events"],
             "properties": {"state": {"const": "custom"}, "events": {"type": "array"}}}]});
        let schema = json!({"type": "object", "properties": {"data": {"type": "object",
            "properties": {"attributes": {"type": "object", "additionalProperties": false,
                "properties": {"name": {"type": "string"}, "tags": {"type": "array"},
                               "allow": allow}}}}}});
        let plan = plan_of(
            &schema,
            vec![json!({"data": {"attributes": {"name": "pooled",
                "tags": ["p"], "allow": {"state": "custom", "events": ["e"]}}}})],
            &["data"],
        );
        let mut o = Overlay::default();
        o.set(
            "data",
            json!({"attributes": {"name": "mine", "tags": ["m"], "allow": {"state": "none"}, "extra": 1}}),
        );
        let built = plan.build(0, o);
        assert_eq!(
            built.value,
            json!({"data": {"attributes": {"name": "mine", "tags": ["m"], "allow": {"state": "none"}}}})
        );
    }
}
