//! Everything the runner needs about one operation, built once before any request:
//! generators for the body and for each parameter location, the compiled response
//! validators (shared JSON Schema view, compiled once), the auth plan, and the
//! operation's idempotency and resource extensions.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use covenant_gen::Generator;
use covenant_spec::book::{Shelf, response_sites};
use covenant_spec::ext::{Idempotency, Resource};
use covenant_spec::{Direction, Operation, ParameterLocation, Spec};

use crate::auth::{self, AuthPlan};
use crate::config::Credentials;

/// Where a generated value goes in a request.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    Path,
    Query,
    Header,
    Body,
}

impl Part {
    pub const PARAMS: [Part; 3] = [Part::Path, Part::Query, Part::Header];

    pub fn location(self) -> Option<ParameterLocation> {
        match self {
            Part::Path => Some(ParameterLocation::Path),
            Part::Query => Some(ParameterLocation::Query),
            Part::Header => Some(ParameterLocation::Header),
            Part::Body => None,
        }
    }
}

/// The validator of one part: for parameters, of an object schema with one property
/// per parameter (so a negative's pointer `/name` names the parameter).
pub struct PartPlan {
    pub validator: jsonschema::Validator,
    /// For parameters and form bodies: the JSON type(s) each member's schema
    /// allows, and its items' under [`items_key`], for coercion of their rendered
    /// text back into values.
    pub types: BTreeMap<String, Vec<String>>,
    /// The part's JSON Schema view (what the validator checks), for readers that
    /// walk members (deepObject parameters).
    pub view: Value,
}

pub struct OpPlan {
    pub index: usize,
    pub op: Operation,
    pub parts: BTreeMap<Part, PartPlan>,
    /// The request media type when there is a body.
    pub content_type: Option<String>,
    /// Members of a multipart body sent as files (`format: binary`/`byte`, or a
    /// `contentMediaType`), with the media type each part is sent as.
    pub body_files: BTreeMap<String, String>,
    /// A urlencoded body's member styles, from its `encoding` object.
    pub body_styles: covenant_spec::form::Styles,
    pub body_required: bool,
    pub auth: AuthPlan,
    pub idempotency: Option<Idempotency>,
    pub resource: Option<Resource>,
    /// Compiled response body validators by (response index, media index), shared
    /// between operations that document the same schema.
    pub bodies: BTreeMap<(usize, usize), covenant_spec::book::Page>,
    /// Compiled response header validators by (response index, header index).
    pub headers: BTreeMap<(usize, usize), (jsonschema::Validator, Vec<String>)>,
    /// Problems building the plan (schemas the generator cannot handle): the run
    /// reports them as could-not-run for this operation.
    pub problems: Vec<String>,
    /// The spec's redaction rules (shared by its operations): findings must not quote
    /// values of secret or personal fields.
    pub redaction: std::sync::Arc<covenant_redact::Rules>,
}

/// Generators of each part of an operation (proptest strategies are not `Send`, so
/// they stay out of [`OpPlan`], which request tasks share).
pub type Generators = BTreeMap<Part, Generator>;

/// Builds the plan of every operation of `spec`, and the generators of their parts.
///
/// Response validators are compiled once per distinct schema: real specs document
/// the same answer on many operations (Stripe's `error` on all 468, each view
/// holding most of its schemas), and one copy each would take gigabytes.
pub fn build(spec: &Spec, creds: &Credentials) -> (Vec<OpPlan>, Vec<Generators>) {
    let redaction = Arc::new(covenant_redact::Rules::from_spec(spec));
    // Response body validators, one page per distinct schema of one book: real
    // specs document the same answer on many operations (Stripe's `error` on all
    // 468), and each reaches most of the spec's schemas.
    let mut shared = Shelf::new(spec, response_sites(spec));
    spec.operations
        .iter()
        .enumerate()
        .map(|(i, op)| build_one(spec, i, op, creds, &redaction, &mut shared))
        .unzip()
}

fn part_plan(
    generator: &Generator,
    types: BTreeMap<String, Vec<String>>,
) -> Result<PartPlan, String> {
    Ok(PartPlan {
        validator: covenant_spec::view::compile(generator.schema())?,
        view: generator.schema().clone(),
        types,
    })
}

fn build_one(
    spec: &Spec,
    index: usize,
    op: &Operation,
    creds: &Credentials,
    redaction: &Arc<covenant_redact::Rules>,
    shared: &mut Shelf,
) -> (OpPlan, Generators) {
    let mut problems = Vec::new();
    let mut parts = BTreeMap::new();
    let mut gens = Generators::new();
    for part in Part::PARAMS {
        let Some(loc) = part.location() else { continue };
        let params: Vec<_> = op
            .parameters_in(loc)
            .filter(|p| p.schema.is_some())
            .collect();
        if params.is_empty() {
            continue;
        }
        let mut props = Map::new();
        let mut required = Vec::new();
        for p in &params {
            if let Some(s) = &p.schema {
                props.insert(p.name.clone(), s.schema.clone());
            }
            if p.required {
                required.push(json!(p.name));
            }
        }
        let openapi = json!({"type": "object", "properties": props, "required": required});
        let view = spec.json_schema_of(&openapi, Direction::Request);
        // Each parameter's types, and its items' under `name[]`: how text reads back.
        let types = params
            .iter()
            .flat_map(|p| {
                let at = format!("/properties/{}", covenant_spec::pointer::escape(&p.name));
                [
                    (p.name.clone(), types_at(&view, &at)),
                    (items_key(&p.name), types_at(&view, &format!("{at}/items"))),
                ]
            })
            .collect();
        match Generator::new(&view)
            .map_err(|e| e.to_string())
            .and_then(|g| Ok((part_plan(&g, types)?, g)))
        {
            Ok((pp, g)) => {
                parts.insert(part, pp);
                gens.insert(part, g);
            }
            Err(e) => problems.push(format!("{} parameters: {e}", loc_name(part))),
        }
    }
    let mut content_type = None;
    let mut body_required = false;
    let mut body_files = BTreeMap::new();
    let mut body_styles = covenant_spec::form::Styles::new();
    if let Some(rb) = &op.request_body {
        body_required = rb.required;
        // JSON first; else a form body (urlencoded or multipart) with a schema.
        let chosen = rb.content.iter().find(|m| m.is_json()).or_else(|| {
            rb.content
                .iter()
                .find(|m| form_kind(&m.essence()).is_some() && m.schema.is_some())
        });
        if let Some(mt) = chosen {
            content_type = Some(mt.media_type.clone());
            if mt.essence() == "application/x-www-form-urlencoded" {
                body_styles = covenant_spec::form::styles_of(&mt.encoding);
            }
            if let Some(site) = &mt.schema {
                // readOnly members are the server's to send: generated requests leave them out.
                let view = covenant_spec::view::for_generation(
                    &spec.json_schema(site),
                    covenant_spec::Direction::Request,
                );
                // A form body is text: the types of its members say how it reads back.
                let types: BTreeMap<String, Vec<String>> = if mt.is_json() {
                    BTreeMap::new()
                } else {
                    let types_of = |s: &Value| {
                        let mut types = Vec::new();
                        collect_types(&view, s, &mut types, 0);
                        types.sort();
                        types.dedup();
                        types
                    };
                    covenant_spec::view::object_properties(&view, &view)
                        .into_iter()
                        .flat_map(|(name, target)| {
                            if is_file(target) {
                                let media = file_media(mt.encoding.get(name), target);
                                body_files.insert(name.to_string(), media);
                            }
                            let items = target.get("items").map(&types_of).unwrap_or_default();
                            [
                                (name.to_string(), types_of(target)),
                                (items_key(name), items),
                            ]
                        })
                        .collect()
                };
                match Generator::new(&view)
                    .map_err(|e| e.to_string())
                    .and_then(|g| Ok((part_plan(&g, types)?, g)))
                {
                    Ok((pp, g)) => {
                        parts.insert(Part::Body, pp);
                        gens.insert(Part::Body, g);
                    }
                    Err(e) => problems.push(format!("request body: {e}")),
                }
            }
        } else if !rb.content.is_empty() {
            problems.push(format!(
                "request body media types {:?} are neither JSON nor a form with a schema; no body is generated for them",
                rb.content
                    .iter()
                    .map(|m| m.media_type.as_str())
                    .collect::<Vec<_>>()
            ));
        }
    }
    let mut bodies = BTreeMap::new();
    let mut headers = BTreeMap::new();
    for (ri, r) in op.responses.iter().enumerate() {
        for (mi, m) in r.content.iter().enumerate() {
            if let (true, Some(site)) = (m.is_json(), &m.schema) {
                match shared.get(spec, site) {
                    Ok(v) => {
                        bodies.insert((ri, mi), v.clone());
                    }
                    Err(e) => problems.push(format!("response {} schema: {e}", r.status)),
                }
            }
        }
        for (hi, h) in r.headers.iter().enumerate() {
            if let Some(site) = &h.schema {
                let view = spec.json_schema(site);
                match covenant_spec::view::compile(&view) {
                    Ok(v) => {
                        headers.insert((ri, hi), (v, types_at(&view, "")));
                    }
                    Err(e) => {
                        problems.push(format!("response {} header {}: {e}", r.status, h.name))
                    }
                }
            }
        }
    }
    let plan = OpPlan {
        index,
        auth: auth::plan(spec, op, creds),
        idempotency: spec.covenant.idempotency.get(&op.pointer).cloned(),
        resource: spec.covenant.resources.get(&op.pointer).cloned(),
        op: op.clone(),
        parts,
        content_type,
        body_files,
        body_styles,
        body_required,
        bodies,
        headers,
        problems,
        redaction: redaction.clone(),
    };
    (plan, gens)
}

fn loc_name(p: Part) -> &'static str {
    match p {
        Part::Path => "path",
        Part::Query => "query",
        Part::Header => "header",
        Part::Body => "body",
    }
}

pub use covenant_spec::style::{collect_types, types_at};

/// The key of an array member's item types in [`PartPlan::types`].
pub fn items_key(name: &str) -> String {
    format!("{name}[]")
}

/// Whether a media type's essence is a form body, and which.
pub fn form_kind(essence: &str) -> Option<&'static str> {
    match essence {
        "application/x-www-form-urlencoded" => Some("urlencoded"),
        "multipart/form-data" => Some("multipart"),
        _ => None,
    }
}

/// Whether a (view) schema describes file content.
fn is_file(s: &Value) -> bool {
    matches!(
        s.get("format").and_then(Value::as_str),
        Some("binary" | "byte")
    ) || s.get("contentMediaType").is_some()
        || s.get("contentEncoding").is_some()
}

/// The media type a file part is sent as: the first its `encoding` entry lists
/// (a range made concrete: `image/*` -> `image/png`), else its schema's
/// `contentMediaType`, else OpenAPI's default for binary, `application/octet-stream`.
fn file_media(encoding: Option<&covenant_spec::Encoding>, schema: &Value) -> String {
    let declared = encoding
        .and_then(|e| e.content_type.as_deref())
        .and_then(|ct| ct.split(',').map(str::trim).find(|t| !t.is_empty()))
        .or_else(|| schema.get("contentMediaType").and_then(Value::as_str));
    declared.map_or_else(
        || "application/octet-stream".to_string(),
        covenant_spec::files::concrete,
    )
}

/// Whether the operation's body is a form (text members, read back by type).
pub fn form_body(plan: &OpPlan) -> bool {
    plan.content_type
        .as_deref()
        .is_some_and(|ct| form_kind(&covenant_spec::ir::essence(ct)).is_some())
}

/// `text` read as the mock (and the shared style rules) read it, by `types`.
pub fn coerce(text: &str, types: &[String]) -> Value {
    covenant_spec::style::coerce(text, &covenant_spec::style::coercions(types))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coerces_by_declared_types() {
        let ints = vec!["integer".to_string()];
        assert_eq!(coerce("5", &ints), json!(5));
        assert_eq!(coerce("x", &ints), json!("x"));
        let strings = vec!["string".to_string()];
        assert_eq!(coerce("5", &strings), json!("5"));
        assert_eq!(coerce("true", &["boolean".to_string()]), json!(true));
    }

    #[test]
    fn types_follow_refs() {
        let view = json!({"properties": {"a": {"$ref": "#/$defs/A"}}, "$defs": {"A": {"type": ["integer", "null"]}}});
        assert_eq!(types_at(&view, "/properties/a"), vec!["integer", "null"]);
    }
}
