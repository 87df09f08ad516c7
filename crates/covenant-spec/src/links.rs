//! The link graph: which operation's answer feeds which operation's request.
//! Edges come from OpenAPI `links` on any operation's 2xx answer (their
//! `parameters` and `requestBody` as runtime expressions), and from resources
//! (declared or inferred): a create feeds its read, update and delete the id it
//! returned. The runner walks this graph (`link_walk`); evaluating the
//! expressions against real answers is the runner's.

use serde_json::Value;

use crate::ext::{LookupLocation, ResourceRole};
use crate::ir::Spec;
use crate::{ParameterLocation, pointer};

/// Where a value taken from an earlier exchange goes in the next request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    /// A parameter by location and name.
    Param(ParameterLocation, String),
    /// A member of the JSON body (`""`: the whole body).
    Body(String),
}

/// One value a link passes on: `expression` evaluated on the source exchange
/// goes to `slot`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub slot: Slot,
    /// A runtime expression (`$response.body#/id`, `$request.path.id`,
    /// `$response.header.Location`), a string embedding them in braces
    /// (`/v1/{$response.body#/id}`), or a constant.
    pub expression: String,
    /// Take only the last path segment of the value (an id from `Location`).
    pub last_segment: bool,
}

/// An edge: an answer of operation `from` gives `to` the values `bindings` say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// Indexes into `spec.operations`.
    pub from: usize,
    pub to: usize,
    /// The link's name, or `create -> read` for a resource's own edge.
    pub name: String,
    pub bindings: Vec<Binding>,
}

/// Every edge of `spec`'s link graph: OpenAPI links first, then resources' own
/// (a create to each read, update and delete of the same resource).
pub fn edges(spec: &Spec) -> Vec<Edge> {
    let mut out = Vec::new();
    let doc = &spec.source.value;
    let index = |pred: &dyn Fn(&crate::Operation) -> bool| spec.operations.iter().position(pred);
    for (from, op) in spec.operations.iter().enumerate() {
        for r in op.success_responses() {
            let at = pointer::join(&r.pointer, "links");
            let Some(Value::Object(links)) = doc.pointer(&at).map(|v| pointer::deref(doc, v))
            else {
                continue;
            };
            for (name, link) in links {
                let link = pointer::deref(doc, link);
                let to = match (link.get("operationId"), link.get("operationRef")) {
                    (Some(Value::String(id)), _) => index(&|o| o.id == *id),
                    (_, Some(Value::String(r))) => {
                        r.strip_prefix('#').and_then(|r| index(&|o| o.pointer == r))
                    }
                    _ => None,
                };
                let Some(to) = to else { continue };
                let target = &spec.operations[to];
                let mut bindings = Vec::new();
                for (key, expr) in link
                    .get("parameters")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    // `path.id` names the location; a bare name is unambiguous or skipped.
                    let (loc, pname) = match key.split_once('.') {
                        Some((l, n)) => (parse_location(l), n),
                        None => (None, key.as_str()),
                    };
                    let found: Vec<_> = target
                        .parameters
                        .iter()
                        .filter(|p| p.name == pname && loc.is_none_or(|l| l == p.location))
                        .collect();
                    if let ([p], Some(e)) = (found.as_slice(), expression(expr)) {
                        bindings.push(Binding {
                            slot: Slot::Param(p.location, p.name.clone()),
                            expression: e,
                            last_segment: false,
                        });
                    }
                }
                if let Some(e) = link.get("requestBody").and_then(expression) {
                    bindings.push(Binding {
                        slot: Slot::Body(String::new()),
                        expression: e,
                        last_segment: false,
                    });
                }
                if !bindings.is_empty() {
                    out.push(Edge {
                        from,
                        to,
                        name: name.clone(),
                        bindings,
                    });
                }
            }
        }
    }
    for (from, op) in spec.operations.iter().enumerate() {
        let Some(create) = spec
            .covenant
            .resources
            .get(&op.pointer)
            .filter(|r| r.role == ResourceRole::Create)
        else {
            continue;
        };
        let id = create.id_pointer();
        let (expression, last_segment) = if id == crate::ext::LOCATION_ID {
            (id.to_string(), true)
        } else {
            (format!("$response.body#{id}"), false)
        };
        for (to, target) in spec.operations.iter().enumerate() {
            let Some(r) = spec.covenant.resources.get(&target.pointer) else {
                continue;
            };
            if r.name != create.name || r.role == ResourceRole::Create {
                continue;
            }
            let Some(lookup) = &r.lookup else { continue };
            let slot = match lookup.location {
                LookupLocation::Body => Slot::Body(lookup.id_pointer().to_string()),
                LookupLocation::Path => Slot::Param(
                    ParameterLocation::Path,
                    lookup.name.clone().unwrap_or_default(),
                ),
                LookupLocation::Query => Slot::Param(
                    ParameterLocation::Query,
                    lookup.name.clone().unwrap_or_default(),
                ),
            };
            let binding = Binding {
                slot,
                expression: expression.clone(),
                last_segment,
            };
            // A link between the same two operations already says it.
            if out.iter().any(|e| e.from == from && e.to == to) {
                continue;
            }
            out.push(Edge {
                from,
                to,
                name: format!("{} -> {}", op.id, target.id),
                bindings: vec![binding],
            });
        }
    }
    out
}

fn parse_location(s: &str) -> Option<ParameterLocation> {
    match s {
        "path" => Some(ParameterLocation::Path),
        "query" => Some(ParameterLocation::Query),
        "header" => Some(ParameterLocation::Header),
        "cookie" => Some(ParameterLocation::Cookie),
        _ => None,
    }
}

/// A link value as the runner evaluates it: expressions and templates as text, a
/// constant as its JSON text (`=` prefixed, so it is never read as an expression).
fn expression(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if s.starts_with('$') || s.contains("{$") => Some(s.clone()),
        Value::Null => None,
        other => Some(format!("={other}")),
    }
}
