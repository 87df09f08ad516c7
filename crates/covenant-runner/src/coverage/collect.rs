//! What was sent, read off the requests: parameters present, body members,
//! enum values and the branches a value matched (walking the value beside its
//! part's view), constraints the negatives broke, statuses answered. The runner
//! feeds it every request it sent; the proxy every request it saw.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use super::schema::{self, MAX_DEPTH, admitted, json_type, resolve};
use super::{Exercised, Item};
use crate::cases::{get_part, round_trip};
use crate::plan::{OpPlan, Part};
use crate::request::Request;

/// Branch validators compiled per run at most: a value matching several branches
/// by type is told apart by validation, which costs a compile per branch.
const MAX_COMPILED: usize = 2000;

/// What one operation was sent and answered.
#[derive(Debug, Default)]
pub struct OpSeen {
    pub statuses: BTreeSet<u16>,
    /// The case kinds sent to it (`positive`, `negative`, ...).
    pub kinds: BTreeSet<&'static str>,
    params: BTreeSet<(Part, String)>,
    members: BTreeSet<String>,
    enum_values: BTreeSet<String>,
    branches: BTreeSet<String>,
    broken: BTreeSet<String>,
}

/// Gathers [`OpSeen`] per operation index.
#[derive(Default)]
pub struct Collector {
    ops: BTreeMap<usize, OpSeen>,
    /// Branch validators by (operation, part, the branch's pointer in the view).
    validators: HashMap<(usize, Part, String), Option<jsonschema::Validator>>,
}

impl Collector {
    pub fn new() -> Collector {
        Collector::default()
    }

    pub fn op(&mut self, index: usize) -> &mut OpSeen {
        self.ops.entry(index).or_default()
    }

    /// Records what `r`, a request to `plan`'s operation, carried.
    pub fn request(&mut self, plan: &OpPlan, r: &Request) {
        for (part, pp) in &plan.parts {
            // A body sent with a flaw (left out, malformed, mislabelled) exercised
            // none of its members.
            if *part == Part::Body && r.flaw.is_some() {
                continue;
            }
            let Some(value) = get_part(r, *part) else {
                continue;
            };
            // Parameters as the server reads their text (typed, arrays, deepObject
            // members): the proxy sees only text, the runner sent typed values.
            let value = if *part == Part::Body {
                value
            } else {
                round_trip(plan, *part, &value)
            };
            if *part != Part::Body
                && let Some(m) = value.as_object()
            {
                let seen = self.op(plan.index);
                for name in m.keys() {
                    seen.params.insert((*part, name.clone()));
                }
            }
            let mut w = ValueWalk {
                root: &pp.view,
                part: *part,
                op: plan.index,
                found: Found::default(),
                validators: &mut self.validators,
                stack: Vec::new(),
            };
            w.visit(&value, &pp.view, "", "", 0);
            let found = w.found;
            let seen = self.op(plan.index);
            seen.members.extend(found.members);
            seen.enum_values.extend(found.enum_values);
            seen.branches.extend(found.branches);
        }
    }

    /// Records a negative that broke `keyword` at `pointer` of `part`.
    pub fn negative(&mut self, op: usize, part: Part, pointer: &str, keyword: &str) {
        let mut tokens = covenant_spec::pointer::tokens(pointer);
        // An unknown member added breaks the object's `additionalProperties`.
        if keyword == "additionalProperties" {
            tokens.pop();
        }
        let template: String = tokens
            .iter()
            .map(|t| {
                if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                    "/*".to_string()
                } else {
                    format!("/{}", covenant_spec::pointer::escape(t))
                }
            })
            .collect();
        self.op(op)
            .broken
            .insert(schema::constraint_item(part, &template, keyword));
    }

    /// The items of `plan`'s operation and which were covered. `observed` is set
    /// for traffic seen by the proxy (no case kinds, no negatives of its own).
    pub fn exercised(&self, plan: &OpPlan, observed: bool) -> Exercised {
        let empty = OpSeen::default();
        let seen = self.ops.get(&plan.index).unwrap_or(&empty);
        let kinds = (!observed).then_some(&seen.kinds);
        let mut out = Exercised {
            statuses: super::statuses(&plan.op, kinds, &seen.statuses),
            ..Exercised::default()
        };
        out.parameters = plan
            .op
            .parameters
            .iter()
            .map(|p| {
                let part = match p.location {
                    covenant_spec::ParameterLocation::Path => Some(Part::Path),
                    covenant_spec::ParameterLocation::Query => Some(Part::Query),
                    covenant_spec::ParameterLocation::Header => Some(Part::Header),
                    _ => None,
                };
                let covered = part.is_some_and(|part| {
                    seen.params
                        .iter()
                        .any(|(sp, n)| *sp == part && n.eq_ignore_ascii_case(&p.name))
                });
                Item {
                    name: format!("{} {}", p.location.as_str(), p.name),
                    covered,
                    reason: None,
                }
            })
            .collect();
        let items = |all: BTreeSet<String>, got: &BTreeSet<String>| -> Vec<Item> {
            all.into_iter()
                .map(|name| Item {
                    covered: got.contains(&name),
                    name,
                    reason: None,
                })
                .collect()
        };
        for (part, pp) in &plan.parts {
            let t = schema::targets(*part, &pp.view);
            out.members.extend(items(t.members, &seen.members));
            out.enum_values
                .extend(items(t.enum_values, &seen.enum_values));
            out.branches.extend(items(t.branches, &seen.branches));
            if !observed {
                out.constraints.extend(items(t.constraints, &seen.broken));
            }
        }
        out
    }
}

#[derive(Default)]
struct Found {
    members: BTreeSet<String>,
    enum_values: BTreeSet<String>,
    branches: BTreeSet<String>,
}

struct ValueWalk<'a, 'v> {
    root: &'v Value,
    part: Part,
    op: usize,
    found: Found,
    validators: &'a mut HashMap<(usize, Part, String), Option<jsonschema::Validator>>,
    stack: Vec<&'v str>,
}

impl<'v> ValueWalk<'_, 'v> {
    /// `value` at `template` against `schema` (found at `at` in the view).
    fn visit(&mut self, value: &Value, schema: &'v Value, template: &str, at: &str, depth: usize) {
        let (s, via) = resolve(self.root, schema);
        let at = via.and_then(|r| r.strip_prefix('#')).unwrap_or(at);
        if let Some(r) = via {
            if self.stack.contains(&r) {
                return;
            }
            self.stack.push(r);
        }
        if let Some(m) = s.as_object() {
            if let Some(Value::Array(values)) = m.get("enum")
                && values.contains(value)
            {
                self.found
                    .enum_values
                    .insert(schema::enum_item(self.part, template, value));
            }
            if depth < MAX_DEPTH {
                if let (Some(Value::Object(props)), Value::Object(obj)) =
                    (m.get("properties"), value)
                {
                    for (name, v) in obj {
                        if let Some(sub) = props.get(name) {
                            let t = covenant_spec::pointer::join(template, name);
                            if self.part == Part::Body {
                                self.found.members.insert(t.clone());
                            }
                            let sub_at =
                                format!("{at}/properties/{}", covenant_spec::pointer::escape(name));
                            self.visit(v, sub, &t, &sub_at, depth + 1);
                        }
                    }
                }
                if let (Some(items), Value::Array(list)) = (m.get("items"), value)
                    && items.is_object()
                {
                    let t = format!("{template}/*");
                    for v in list {
                        self.visit(v, items, &t, &format!("{at}/items"), depth + 1);
                    }
                }
            }
            if let Some(Value::Array(all)) = m.get("allOf") {
                for (i, sub) in all.iter().enumerate() {
                    self.visit(value, sub, template, &format!("{at}/allOf/{i}"), depth);
                }
            }
            for keyword in ["oneOf", "anyOf"] {
                if let Some(Value::Array(branches)) = m.get(keyword) {
                    for i in self.matching(value, branches, &format!("{at}/{keyword}")) {
                        self.found.branches.insert(schema::branch_item(
                            self.part,
                            template,
                            keyword,
                            i,
                            &branches[i],
                        ));
                        let b_at = format!("{at}/{keyword}/{i}");
                        self.visit(value, &branches[i], template, &b_at, depth);
                    }
                }
            }
        }
        if via.is_some() {
            self.stack.pop();
        }
    }

    /// The branches `value` matches: by type when only one admits it, else by
    /// validating against each candidate (compiled once per run, within a budget;
    /// past it, no branch is claimed).
    fn matching(&mut self, value: &Value, branches: &'v [Value], at: &str) -> Vec<usize> {
        let ty = json_type(value);
        let candidates: Vec<usize> = (0..branches.len())
            .filter(|i| {
                admitted(self.root, &branches[*i]).is_none_or(|types| {
                    types
                        .iter()
                        .any(|t| t == ty || (t == "number" && ty == "integer"))
                })
            })
            .collect();
        if candidates.len() <= 1 {
            return candidates;
        }
        let mut out = Vec::new();
        for i in candidates {
            let key = (self.op, self.part, format!("{at}/{i}"));
            if !self.validators.contains_key(&key) && self.validators.len() >= MAX_COMPILED {
                return Vec::new();
            }
            let root = self.root;
            let compiled = self.validators.entry(key).or_insert_with(|| {
                let mut s = match &branches[i] {
                    Value::Object(m) => m.clone(),
                    Value::Bool(true) => serde_json::Map::new(),
                    _ => return None,
                };
                if let Some(defs) = root.get("$defs") {
                    s.insert("$defs".into(), defs.clone());
                }
                covenant_spec::view::compile(&Value::Object(s)).ok()
            });
            if compiled.as_ref().is_some_and(|v| v.is_valid(value)) {
                out.push(i);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn walk(view: &Value, value: &Value) -> Found {
        let mut validators = HashMap::new();
        let mut w = ValueWalk {
            root: view,
            part: Part::Body,
            op: 0,
            found: Found::default(),
            validators: &mut validators,
            stack: Vec::new(),
        };
        w.visit(value, view, "", "", 0);
        w.found
    }

    #[test]
    fn a_value_marks_its_members_enum_values_and_the_branch_it_matches() {
        let view = json!({
            "type": "object",
            "properties": {
                "kind": {"enum": ["a", "b"]},
                "doc": {"oneOf": [
                    {"$ref": "#/$defs/Passport"},
                    {"$ref": "#/$defs/Licence"},
                    {"type": "string"}
                ]},
                "list": {"type": "array", "items": {"type": "object", "properties": {"n": {}}}}
            },
            "$defs": {
                "Passport": {"type": "object", "required": ["number"], "properties": {"number": {"type": "string"}}},
                "Licence": {"type": "object", "required": ["class"], "properties": {"class": {"type": "string"}}}
            }
        });
        let f = walk(
            &view,
            &json!({"kind": "b", "doc": {"class": "B"}, "list": [{"n": 1}], "other": 1}),
        );
        let members: Vec<&str> = f.members.iter().map(String::as_str).collect();
        assert_eq!(
            members,
            ["/doc", "/doc/class", "/kind", "/list", "/list/*/n"]
        );
        assert_eq!(
            f.enum_values.iter().collect::<Vec<_>>(),
            ["body /kind = \"b\""]
        );
        // Two object branches: told apart by validation, not by type.
        assert_eq!(
            f.branches.iter().collect::<Vec<_>>(),
            ["body /doc oneOf[1] (Licence)"]
        );
        let f = walk(&view, &json!({"doc": "free text", "kind": "z"}));
        assert_eq!(
            f.branches.iter().collect::<Vec<_>>(),
            ["body /doc oneOf[2]"]
        );
        assert!(
            f.enum_values.is_empty(),
            "a value outside the enum is no enum value"
        );
    }

    #[test]
    fn negatives_name_the_constraint_at_its_template() {
        let mut c = Collector::new();
        c.negative(3, Part::Body, "/list/2/n", "minimum");
        c.negative(3, Part::Body, "/unexpectedProperty", "additionalProperties");
        c.negative(3, Part::Query, "/limit", "maximum");
        let broken: Vec<&str> = c.ops[&3].broken.iter().map(String::as_str).collect();
        assert_eq!(
            broken,
            [
                "body (root) additionalProperties",
                "body /list/*/n minimum",
                "query limit maximum"
            ]
        );
    }
}
