//! Resources inferred from the plain document, for specs without
//! `x-covenant-resource` (which always wins, operation by operation).
//!
//! REST paths: `POST /things` beside `GET /things/{thing_id}` is a collection whose
//! create answers a JSON object carrying the new id (the member named like the path
//! parameter, else `id`); `GET`, `PUT`/`PATCH` and `DELETE` of `/things/{thing_id}`
//! read, update and delete what it created. The path may have templated segments
//! before the collection (`/customers/{id}/things`): the runner reads back under the
//! same values it created with. Each inferred [`Resource`] says what it was inferred
//! from (`Resource::inferred`), and the run report repeats it.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::ext::{Lookup, LookupLocation, Resource, ResourceRole};
use crate::ir::{Operation, Spec};
use crate::{Method, pointer, view};

/// The resources the document implies, by operation pointer, for operations that
/// declare none.
pub fn resources(spec: &Spec) -> BTreeMap<String, Resource> {
    let mut out = BTreeMap::new();
    for create in spec.operations.iter().filter(|o| o.method == Method::Post) {
        if spec.covenant.resources.contains_key(&create.pointer) || create.path.ends_with('}') {
            continue;
        }
        let items: Vec<&Operation> = spec
            .operations
            .iter()
            .filter(|o| item_param(&create.path, &o.path).is_some())
            .collect();
        let Some(read) = items.iter().find(|o| o.method == Method::Get) else {
            continue;
        };
        let Some(param) = item_param(&create.path, &read.path) else {
            continue;
        };
        let Some(member) = id_member(spec, create, param) else {
            continue;
        };
        let name = create
            .path
            .rsplit('/')
            .find(|s| !s.is_empty() && !s.starts_with('{'))
            .unwrap_or("resource")
            .to_string();
        let from = format!("REST paths: POST {} beside GET {}", create.path, read.path);
        let id = pointer::join("", &member);
        let resource = |role, lookup| Resource {
            name: name.clone(),
            role,
            id: Some(id.clone()),
            lookup,
            initial: Vec::new(),
            inferred: Some(from.clone()),
        };
        let by_path = || {
            Some(Lookup {
                location: LookupLocation::Path,
                pointer: None,
                name: Some(param.to_string()),
            })
        };
        out.insert(create.pointer.clone(), resource(ResourceRole::Create, None));
        for op in items {
            let role = match op.method {
                Method::Get => ResourceRole::Read,
                Method::Put | Method::Patch => ResourceRole::Update,
                Method::Delete => ResourceRole::Delete,
                _ => continue,
            };
            if !spec.covenant.resources.contains_key(&op.pointer) {
                out.insert(op.pointer.clone(), resource(role, by_path()));
            }
        }
    }
    out
}

/// `thing_id` when `item` is `collection` plus one templated segment `{thing_id}`.
fn item_param<'a>(collection: &str, item: &'a str) -> Option<&'a str> {
    let rest = item.strip_prefix(collection.trim_end_matches('/'))?;
    let seg = rest.strip_prefix('/')?;
    let name = seg.strip_prefix('{')?.strip_suffix('}')?;
    (!name.is_empty() && !name.contains(['/', '{', '}'])).then_some(name)
}

/// The member of the create's success body that carries the new id: named like the
/// path parameter, else `id`; `None` when its schema has neither.
fn id_member(spec: &Spec, create: &Operation, param: &str) -> Option<String> {
    let media = create.success_responses().find_map(|r| r.json())?;
    let site = media.schema.as_ref()?;
    let js = spec.json_schema(site);
    let props = view::object_properties(&js, &js);
    [param, "id"]
        .into_iter()
        .find(|want| props.iter().any(|(n, s)| n == want && is_scalar(s)))
        .map(str::to_string)
}

fn is_scalar(s: &Value) -> bool {
    match s.get("type") {
        Some(Value::String(t)) => matches!(t.as_str(), "string" | "integer" | "number"),
        Some(Value::Array(ts)) => ts
            .iter()
            .any(|t| matches!(t.as_str(), Some("string" | "integer" | "number"))),
        _ => s.get("$ref").is_none() && s.get("properties").is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_paths_are_the_collection_plus_one_parameter() {
        assert_eq!(
            item_param("/things", "/things/{thing_id}"),
            Some("thing_id")
        );
        assert_eq!(
            item_param("/a/{x}/things", "/a/{x}/things/{id}"),
            Some("id")
        );
        assert_eq!(item_param("/things", "/things/{id}/parts"), None);
        assert_eq!(item_param("/things", "/thingsx/{id}"), None);
        assert_eq!(item_param("/things", "/things"), None);
    }
}
