//! Resources inferred from the plain document, for specs without
//! `x-covenant-resource` (which always wins, operation by operation).
//!
//! In order of trust: OpenAPI `links` on a create's success response
//! (`operationId`/`operationRef` and a parameter or body member given by
//! `$response.body#/pointer`); a `Location` header documented on a create's 2xx
//! beside an item path (the id is the header's last path segment, see
//! [`LOCATION_ID`]); RPC pairs (`POST .../session.create` beside
//! `POST .../session.get` whose body names a member the create answers); REST
//! paths. REST paths: `POST /things` beside `GET /things/{thing_id}` is a collection whose
//! create answers a JSON object carrying the new id (the member named like the path
//! parameter, else `id`); `GET`, `PUT`/`PATCH` and `DELETE` of `/things/{thing_id}`
//! read, update and delete what it created. The path may have templated segments
//! before the collection (`/customers/{id}/things`): the runner reads back under the
//! same values it created with. Each inferred [`Resource`] says what it was inferred
//! from (`Resource::inferred`), and the run report repeats it. RPC pairs come
//! before REST paths: the two never claim the same create (an RPC create's path
//! has no item path beside it), so their order only matters for the report.
//! `x-covenant-resource: false` on an operation (or `covenant run --no-infer`,
//! [`reinfer_without`]) turns inference off for it.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::ext::{LOCATION_ID, Lookup, LookupLocation, Resource, ResourceRole};
use crate::ir::{Operation, Spec};
use crate::{Method, pointer, view};

/// The resources the document implies, by operation pointer, for operations that
/// declare none (and are not marked `x-covenant-resource: false`).
pub fn resources(spec: &Spec) -> BTreeMap<String, Resource> {
    let mut out = BTreeMap::new();
    links(spec, &mut out);
    locations(spec, &mut out);
    rpc_pairs(spec, &mut out);
    for create in spec.operations.iter().filter(|o| o.method == Method::Post) {
        if declared(spec, &create.pointer)
            || out.contains_key(&create.pointer)
            || create.path.ends_with('}')
        {
            continue;
        }
        let Some((read, param)) = item_read(spec, create) else {
            continue;
        };
        let Some(id) = id_member(spec, create, param) else {
            continue;
        };
        let from = format!("REST paths: POST {} beside GET {}", create.path, read.path);
        collection(spec, &mut out, create, &id, &from);
    }
    out
}

/// Infers again with the operations `skip` selects marked as if they carried
/// `x-covenant-resource: false` (`covenant run --no-infer`): one wrong inference
/// turned off without editing the spec. Declared resources are untouched.
pub fn reinfer_without(spec: &mut Spec, skip: impl Fn(&Operation) -> bool) {
    let marked: Vec<String> = spec
        .operations
        .iter()
        .filter(|o| skip(o))
        .map(|o| o.pointer.clone())
        .collect();
    spec.covenant.not_resources.extend(marked);
    spec.covenant.resources.retain(|_, r| r.inferred.is_none());
    let again = resources(spec);
    spec.covenant.resources.extend(again);
}

/// Whether the spec says itself what `op` is: `x-covenant-resource`, or `false`.
fn declared(spec: &Spec, op: &str) -> bool {
    spec.covenant.resources.contains_key(op) || spec.covenant.not_resources.contains(op)
}

/// The GET of `create`'s item path (`/things/{thing_id}` beside `POST /things`)
/// and its id parameter.
fn item_read<'s>(spec: &'s Spec, create: &Operation) -> Option<(&'s Operation, &'s str)> {
    spec.operations.iter().find_map(|o| {
        let param = item_param(&create.path, &o.path)?;
        (o.method == Method::Get).then_some((o, param))
    })
}

/// `create` and the operations on its item path (read, update, delete by method)
/// as one resource whose new id is at `id`, looked up by the item path parameter.
fn collection(
    spec: &Spec,
    out: &mut BTreeMap<String, Resource>,
    create: &Operation,
    id: &str,
    from: &str,
) {
    let name = resource_name(&create.path);
    out.insert(
        create.pointer.clone(),
        inferred(&name, ResourceRole::Create, id, None, from),
    );
    for op in &spec.operations {
        let Some(param) = item_param(&create.path, &op.path) else {
            continue;
        };
        let role = match op.method {
            Method::Get => ResourceRole::Read,
            Method::Put | Method::Patch => ResourceRole::Update,
            Method::Delete => ResourceRole::Delete,
            _ => continue,
        };
        if !declared(spec, &op.pointer) {
            let lookup = Lookup {
                location: LookupLocation::Path,
                pointer: None,
                name: Some(param.to_string()),
            };
            out.entry(op.pointer.clone())
                .or_insert_with(|| inferred(&name, role, id, Some(lookup), from));
        }
    }
}

/// `Location` headers: a `POST /things` whose 2xx answer documents `Location`,
/// beside `GET /things/{thing_id}`, creates the thing whose id is the header's
/// last path segment. Where the header is optional and the answer has an id
/// member of its own, the member is the surer source (REST paths take it).
fn locations(spec: &Spec, out: &mut BTreeMap<String, Resource>) {
    for create in spec.operations.iter().filter(|o| o.method == Method::Post) {
        if declared(spec, &create.pointer)
            || out.contains_key(&create.pointer)
            || create.path.ends_with('}')
        {
            continue;
        }
        let Some((status, required)) = create.success_responses().find_map(|r| {
            let h = r
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("location"))?;
            Some((r.status, h.required))
        }) else {
            continue;
        };
        let Some((read, param)) = item_read(spec, create) else {
            continue;
        };
        if !required && id_member(spec, create, param).is_some() {
            continue;
        }
        let from = format!(
            "Location header: POST {} answers {status} with Location, beside GET {}",
            create.path, read.path
        );
        collection(spec, out, create, LOCATION_ID, &from);
    }
}

/// A resource the document implies, saying what it was inferred `from`.
fn inferred(
    name: &str,
    role: ResourceRole,
    id: &str,
    lookup: Option<Lookup>,
    from: &str,
) -> Resource {
    Resource {
        name: name.to_string(),
        role,
        id: Some(id.to_string()),
        lookup,
        initial: Vec::new(),
        inferred: Some(from.to_string()),
    }
}

/// The role an operation plays on a resource, by its method.
fn role_of(method: Method) -> Option<ResourceRole> {
    match method {
        Method::Get => Some(ResourceRole::Read),
        Method::Put | Method::Patch => Some(ResourceRole::Update),
        Method::Delete => Some(ResourceRole::Delete),
        Method::Post => Some(ResourceRole::Read),
        _ => None,
    }
}

/// OpenAPI `links` on a POST's 2xx response: each link to an operation whose
/// parameter (or body member) is `$response.body#/<pointer>` makes the POST a
/// create and the target a read (update, delete: by its method).
fn links(spec: &Spec, out: &mut BTreeMap<String, Resource>) {
    let doc = &spec.source.value;
    for create in spec.operations.iter().filter(|o| o.method == Method::Post) {
        if declared(spec, &create.pointer) {
            continue;
        }
        for r in create.success_responses() {
            let at = pointer::join(&r.pointer, "links");
            let Some(Value::Object(links)) = doc.pointer(&at) else {
                continue;
            };
            for link in links.values() {
                let link = pointer::deref(doc, link);
                let target = link
                    .get("operationId")
                    .and_then(Value::as_str)
                    .and_then(|id| spec.operations.iter().find(|o| o.id == id))
                    .or_else(|| {
                        let r = link.get("operationRef")?.as_str()?.strip_prefix('#')?;
                        spec.operations.iter().find(|o| o.pointer == r)
                    });
                let Some(target) = target else { continue };
                let Some(role) = role_of(target.method) else {
                    continue;
                };
                let params = link.get("parameters").and_then(Value::as_object);
                let body = link
                    .get("requestBody")
                    .and_then(Value::as_str)
                    .and_then(body_expression);
                let by_param = params.into_iter().flatten().find_map(|(name, expr)| {
                    let ptr = body_expression(expr.as_str()?)?;
                    let name = name.rsplit('.').next().unwrap_or(name);
                    let p = target.parameters.iter().find(|p| p.name == name)?;
                    let location = match p.location {
                        crate::ParameterLocation::Path => LookupLocation::Path,
                        crate::ParameterLocation::Query => LookupLocation::Query,
                        _ => return None,
                    };
                    Some((
                        ptr,
                        Lookup {
                            location,
                            pointer: None,
                            name: Some(name.to_string()),
                        },
                    ))
                });
                let Some((id, lookup)) = by_param.or_else(|| {
                    body.map(|ptr| {
                        (
                            ptr.clone(),
                            Lookup {
                                location: LookupLocation::Body,
                                pointer: Some(ptr),
                                name: None,
                            },
                        )
                    })
                }) else {
                    continue;
                };
                let name = resource_name(&create.path);
                let from = format!("OpenAPI link from {} to {}", create.id, target.id);
                let make = |role, lookup| inferred(&name, role, &id, lookup, &from);
                out.entry(create.pointer.clone())
                    .or_insert_with(|| make(ResourceRole::Create, None));
                if !declared(spec, &target.pointer) {
                    out.entry(target.pointer.clone())
                        .or_insert_with(|| make(role, Some(lookup)));
                }
            }
        }
    }
}

/// `/id` for the runtime expression `$response.body#/id`.
fn body_expression(expr: &str) -> Option<String> {
    let ptr = expr.strip_prefix("$response.body#")?;
    (ptr.starts_with('/') && ptr.len() > 1).then(|| ptr.to_string())
}

/// RPC pairs: `POST <prefix>create` beside `POST <prefix>get` (or `read`,
/// `retrieve`, `state`, `status`) whose required body member the create's answer
/// also carries: that member is the id, sent in the read's body.
fn rpc_pairs(spec: &Spec, out: &mut BTreeMap<String, Resource>) {
    for create in spec.operations.iter().filter(|o| o.method == Method::Post) {
        let Some(prefix) = create
            .path
            .strip_suffix("create")
            .filter(|p| p.ends_with(['.', '/', '_']))
        else {
            continue;
        };
        if declared(spec, &create.pointer) || out.contains_key(&create.pointer) {
            continue;
        }
        let Some(answer) = success_members(spec, create) else {
            continue;
        };
        for verb in ["get", "read", "retrieve", "state", "status"] {
            let path = format!("{prefix}{verb}");
            let Some(read) = spec
                .operations
                .iter()
                .find(|o| o.method == Method::Post && o.path == path)
            else {
                continue;
            };
            let Some(site) = read
                .request_body
                .as_ref()
                .and_then(|b| b.content.iter().find(|m| m.is_json()))
                .and_then(|m| m.schema.as_ref())
            else {
                continue;
            };
            let js = spec.json_schema(site);
            let root = pointer::deref(&js, &js);
            let required: Vec<&str> = root
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let Some(member) = required.iter().find(|r| answer.iter().any(|a| a == *r)) else {
                continue;
            };
            let id = pointer::join("", member);
            let from = format!("RPC pair: {} beside {}", create.path, read.path);
            let name = resource_name(prefix);
            let make = |role, lookup| inferred(&name, role, &id, lookup, &from);
            out.entry(create.pointer.clone())
                .or_insert_with(|| make(ResourceRole::Create, None));
            if !declared(spec, &read.pointer) {
                out.entry(read.pointer.clone()).or_insert_with(|| {
                    make(
                        ResourceRole::Read,
                        Some(Lookup {
                            location: LookupLocation::Body,
                            pointer: Some(id.clone()),
                            name: None,
                        }),
                    )
                });
            }
        }
    }
}

/// The scalar members of an operation's 2xx JSON answer.
fn success_members(spec: &Spec, op: &Operation) -> Option<Vec<String>> {
    let media = op.success_responses().find_map(|r| r.json())?;
    let js = spec.json_schema(media.schema.as_ref()?);
    Some(
        view::object_properties(&js, &js)
            .into_iter()
            .filter(|(_, s)| is_scalar(s))
            .map(|(n, _)| n.to_string())
            .collect(),
    )
}

/// The last word of a path that names things: `/v1/things` -> `things`,
/// `/rpc/session.` -> `session`.
fn resource_name(path: &str) -> String {
    path.trim_end_matches(['.', '/', '_'])
        .rsplit(['/', '.'])
        .find(|s| !s.is_empty() && !s.starts_with('{'))
        .unwrap_or("resource")
        .to_string()
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
    let scalar_in = |props: &[(&str, &Value)], want: &str| {
        props.iter().any(|(n, s)| *n == want && is_scalar(s))
    };
    if let Some(want) = [param, "id"].into_iter().find(|w| scalar_in(&props, w)) {
        return Some(pointer::join("", want));
    }
    // A JSON:API document: the resource object is the top-level `data`.
    let (_, data) = props.iter().find(|(n, _)| *n == "data")?;
    scalar_in(&view::object_properties(&js, data), "id").then(|| "/data/id".to_string())
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
