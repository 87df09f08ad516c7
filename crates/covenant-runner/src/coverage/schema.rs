//! The items a request part's view offers: body members, enum values, branch sites
//! and constraints, each at a member template (`/documents/*/type`: `*` for any
//! array item). Views are finite trees, but recursive and deeply expanded schemas
//! (Stripe's `expand`) would list without end, so the walk stops at
//! [`MAX_DEPTH`] template segments, at a `$ref` already being walked, and after
//! [`MAX_NODES`] schemas per part. Items beyond those bounds are not listed, so they
//! count neither as covered nor as missed.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::plan::Part;

/// Template segments walked below a part's root.
pub const MAX_DEPTH: usize = 6;
/// Schemas visited per part.
pub const MAX_NODES: usize = 4000;

/// Keywords listed as constraints at the template where they stand (`required`
/// is listed at each required member, `additionalProperties: false` at the
/// object, `oneOf`/`anyOf` at the site).
const CONSTRAINTS: [&str; 15] = [
    "type",
    "enum",
    "const",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minItems",
    "maxItems",
    "uniqueItems",
];

/// The items of one part, by display name.
#[derive(Debug, Default)]
pub struct Targets {
    pub members: BTreeSet<String>,
    pub enum_values: BTreeSet<String>,
    pub branches: BTreeSet<String>,
    pub constraints: BTreeSet<String>,
}

/// How a place in a part is shown: `body /document/type`, `query limit`,
/// `query filter/kind`, `body (root)`.
pub fn site(part: Part, template: &str) -> String {
    match part {
        Part::Body if template.is_empty() => "body (root)".into(),
        Part::Body => format!("body {template}"),
        _ => format!(
            "{} {}",
            part_name(part),
            template.strip_prefix('/').unwrap_or(template)
        ),
    }
}

fn part_name(part: Part) -> &'static str {
    match part {
        Part::Path => "path",
        Part::Query => "query",
        Part::Header => "header",
        Part::Body => "body",
    }
}

/// An enum value item: `query status = "active"`.
pub fn enum_item(part: Part, template: &str, value: &Value) -> String {
    format!("{} = {value}", site(part, template))
}

/// A branch item: `body /document oneOf[1] (Passport)`, the name being the
/// branch's `$defs` name when it is a reference.
pub fn branch_item(part: Part, template: &str, keyword: &str, i: usize, branch: &Value) -> String {
    let name = branch
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
        .map(|n| format!(" ({})", n.replace("~1", "/").replace("~0", "~")))
        .unwrap_or_default();
    format!("{} {keyword}[{i}]{name}", site(part, template))
}

/// A constraint item: `body /amount minimum`.
pub fn constraint_item(part: Part, template: &str, keyword: &str) -> String {
    format!("{} {keyword}", site(part, template))
}

/// `schema` with `$ref`s into the view's `$defs` followed (bounded), and the
/// pointer of what it resolved to, when it is one.
pub fn resolve<'a>(root: &'a Value, schema: &'a Value) -> (&'a Value, Option<&'a str>) {
    let mut s = schema;
    let mut via = None;
    for _ in 0..16 {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => match r.strip_prefix('#').and_then(|p| root.pointer(p)) {
                Some(t) => {
                    via = Some(r);
                    s = t;
                }
                None => break,
            },
            None => break,
        }
    }
    (s, via)
}

/// Everything `view` (the part's JSON Schema view) lists, for `part`.
pub fn targets(part: Part, view: &Value) -> Targets {
    let mut w = Walk {
        root: view,
        part,
        out: Targets::default(),
        stack: Vec::new(),
        nodes: 0,
    };
    w.visit(view, "", 0);
    w.out
}

struct Walk<'a> {
    root: &'a Value,
    part: Part,
    out: Targets,
    stack: Vec<&'a str>,
    nodes: usize,
}

impl<'a> Walk<'a> {
    fn visit(&mut self, schema: &'a Value, template: &str, depth: usize) {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return;
        }
        let (s, via) = resolve(self.root, schema);
        if let Some(r) = via {
            if self.stack.contains(&r) {
                return;
            }
            self.stack.push(r);
        }
        if let Some(m) = s.as_object() {
            self.local(m, template, depth);
        }
        if via.is_some() {
            self.stack.pop();
        }
    }

    fn local(&mut self, m: &'a Map<String, Value>, template: &str, depth: usize) {
        // A parameter part's root is the made-up object holding the parameters.
        let params_root = self.part != Part::Body && template.is_empty();
        if !params_root {
            for k in CONSTRAINTS.iter().filter(|k| m.contains_key(**k)) {
                self.out
                    .constraints
                    .insert(constraint_item(self.part, template, k));
            }
            if m.get("additionalProperties") == Some(&Value::Bool(false)) {
                self.out.constraints.insert(constraint_item(
                    self.part,
                    template,
                    "additionalProperties",
                ));
            }
        }
        if let Some(Value::Array(values)) = m.get("enum") {
            for v in values {
                self.out
                    .enum_values
                    .insert(enum_item(self.part, template, v));
            }
        }
        if depth < MAX_DEPTH {
            // A path without its parameter is another URL: never broken, not listed.
            if let Some(Value::Array(required)) =
                m.get("required").filter(|_| self.part != Part::Path)
            {
                for name in required.iter().filter_map(Value::as_str) {
                    let at = covenant_spec::pointer::join(template, name);
                    self.out
                        .constraints
                        .insert(constraint_item(self.part, &at, "required"));
                }
            }
            if let Some(Value::Object(props)) = m.get("properties") {
                for (name, sub) in props {
                    let at = covenant_spec::pointer::join(template, name);
                    if self.part == Part::Body {
                        self.out.members.insert(at.clone());
                    }
                    self.visit(sub, &at, depth + 1);
                }
            }
            if let Some(items) = m.get("items").filter(|i| i.is_object()) {
                self.visit(items, &format!("{template}/*"), depth + 1);
            }
        }
        if let Some(Value::Array(all)) = m.get("allOf") {
            for sub in all {
                self.visit(sub, template, depth);
            }
        }
        for keyword in ["oneOf", "anyOf"] {
            if let Some(Value::Array(branches)) = m.get(keyword) {
                if !params_root {
                    self.out
                        .constraints
                        .insert(constraint_item(self.part, template, keyword));
                }
                for (i, b) in branches.iter().enumerate() {
                    self.out
                        .branches
                        .insert(branch_item(self.part, template, keyword, i, b));
                    self.visit(b, template, depth);
                }
            }
        }
    }
}

/// The JSON types `schema` admits (resolving `$ref`s), `None` for any.
pub fn admitted(root: &Value, schema: &Value) -> Option<Vec<String>> {
    let (s, _) = resolve(root, schema);
    let m = s.as_object()?;
    if let Some(t) = m.get("type") {
        return Some(match t {
            Value::String(one) => vec![one.clone()],
            Value::Array(many) => many
                .iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect(),
            _ => return None,
        });
    }
    if let Some(Value::Array(values)) = m.get("enum") {
        return Some(values.iter().map(|v| json_type(v).to_string()).collect());
    }
    if m.contains_key("properties") || m.contains_key("required") {
        return Some(vec!["object".into()]);
    }
    if m.contains_key("items") {
        return Some(vec!["array".into()]);
    }
    None
}

/// The JSON Schema type name of a value (`integer` for whole numbers).
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_members_enums_branches_and_constraints_to_a_bound() {
        let view = json!({
            "type": "object",
            "required": ["kind"],
            "additionalProperties": false,
            "properties": {
                "kind": {"type": "string", "enum": ["a", "b"]},
                "tags": {"type": "array", "items": {"type": "string", "maxLength": 3}},
                "doc": {"oneOf": [{"$ref": "#/$defs/Passport"}, {"type": "string"}]},
                "node": {"$ref": "#/$defs/Node"}
            },
            "$defs": {
                "Passport": {"type": "object", "properties": {"number": {"type": "string"}}},
                "Node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/Node"}}}
            }
        });
        let t = targets(Part::Body, &view);
        let members: Vec<&str> = t.members.iter().map(String::as_str).collect();
        assert_eq!(
            members,
            [
                "/doc",
                "/doc/number",
                "/kind",
                "/node",
                "/node/child",
                "/tags"
            ]
        );
        assert!(t.enum_values.contains("body /kind = \"a\""));
        assert!(t.enum_values.contains("body /kind = \"b\""));
        assert!(t.branches.contains("body /doc oneOf[0] (Passport)"));
        assert!(t.branches.contains("body /doc oneOf[1]"));
        for c in [
            "body /kind required",
            "body (root) additionalProperties",
            "body /tags/* maxLength",
            "body /doc oneOf",
            "body /kind enum",
        ] {
            assert!(t.constraints.contains(c), "{c} not in {:?}", t.constraints);
        }
    }

    #[test]
    fn parameters_are_named_by_location_without_the_made_up_root() {
        let view = json!({
            "type": "object",
            "additionalProperties": false,
            "properties": {"limit": {"type": "integer", "maximum": 100}}
        });
        let t = targets(Part::Query, &view);
        assert!(t.members.is_empty());
        let c: Vec<&str> = t.constraints.iter().map(String::as_str).collect();
        assert_eq!(c, ["query limit maximum", "query limit type"]);
    }
}
