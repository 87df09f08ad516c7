//! Success bodies. Each operation keeps a small pool of bodies generated once at start
//! by `covenant-gen` from the documented 2xx schema (valid by construction). A request
//! picks one and overlays what a real provider would put there: the request's own
//! fields where the response shares them, a fresh id in the documented style (uuid,
//! integer, or the `kyc_req_`-style prefix of the spec's example), RFC 3339 timestamps
//! and forced initial values. The result is validated; an overlay that breaks the
//! schema is undone, so every answer the mock sends validates against the spec.

use std::collections::{BTreeMap, BTreeSet};

use covenant_spec::view::violations;
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
    pub pool: Vec<Value>,
    pub validator: jsonschema::Validator,
    pub props: BTreeMap<String, Prop>,
}

/// Overlays to apply on a pooled body, in order.
#[derive(Default)]
pub struct Overlay {
    pub fields: Vec<(String, Value)>,
    /// Applied only where the pooled body already has the member (optional extras
    /// such as `finalizedAt` are not invented on every answer).
    pub soft: Vec<(String, Value)>,
}

impl Overlay {
    pub fn set(&mut self, name: &str, value: Value) {
        self.fields.retain(|(n, _)| n != name);
        self.fields.push((name.to_string(), value));
    }

    pub fn has(&self, name: &str) -> bool {
        self.fields.iter().any(|(n, _)| n == name)
    }
}

impl BodyPlan {
    /// Builds a body from pool entry `pick` with `overlay` applied, repairing overlays
    /// that break the schema. Returns the body, the overlays that were dropped, and the
    /// overlay fields the schema has no property for (moved out, not copied).
    pub fn build(
        &self,
        pick: usize,
        overlay: Overlay,
    ) -> (Value, Vec<String>, Vec<(String, Value)>) {
        let Some(base) = self.pool.get(pick % self.pool.len().max(1)) else {
            return (Value::Object(Map::new()), Vec::new(), overlay.fields);
        };
        let mut body = base.clone();
        let mut applied: BTreeSet<String> = BTreeSet::new();
        let mut extras = Vec::new();
        if let Value::Object(m) = &mut body {
            for (name, v) in overlay.soft {
                if m.contains_key(&name) && !overlay.fields.iter().any(|(n, _)| *n == name) {
                    applied.insert(name.clone());
                    m.insert(name, v);
                }
            }
            for (name, v) in overlay.fields {
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
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
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
}
