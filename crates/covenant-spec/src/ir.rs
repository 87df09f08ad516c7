//! The intermediate representation every other crate reads: operations with their
//! parameters, bodies, responses and security, named schemas, and `x-` extensions.
//! Schemas stay as OpenAPI JSON values (with `$ref`s); [`Spec::json_schema`] gives
//! the standalone JSON Schema view of any of them. `load.rs` builds it.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

pub use crate::http::{
    METHODS, Method, ParameterLocation, StatusCode, essence, is_json_media_type,
};

use crate::error::{Diagnostic, Location};
use crate::ext::{Assumption, Extensions};
use crate::pointer;
use crate::source::SourceFile;
use crate::view::{self, Direction};

/// A loaded, checked spec.
#[derive(Debug)]
pub struct Spec {
    /// Short provider name (`info.x-provider`, else the file stem).
    pub provider: String,
    pub title: String,
    pub version: String,
    pub servers: Vec<String>,
    pub operations: Vec<Operation>,
    /// `components.schemas`, as written (refs intact), sorted by name.
    pub schemas: BTreeMap<String, Value>,
    pub security_schemes: BTreeMap<String, SecurityScheme>,
    /// Root-level `x-` extensions.
    pub extensions: Map<String, Value>,
    /// `info`-level `x-` extensions (`x-source`, `x-provider`).
    pub info_extensions: Map<String, Value>,
    /// Typed covenant extensions (`x-assumptions`, `x-covenant-errors`).
    pub covenant: Extensions,
    /// Warnings about constructs the toolkit does not support yet.
    pub warnings: Vec<Diagnostic>,
    /// The webhooks the provider sends (3.1's `webhooks`, 3.0's `x-webhooks`): one
    /// operation per webhook and method, its `path` being the webhook's name. Not
    /// routed by the mock nor sent by the runner; codegen types their payloads.
    pub webhooks: Vec<Operation>,
    /// OpenAPI 3.0 or 3.1: how the document's schemas read.
    pub dialect: crate::document::Dialect,
    pub(crate) source: SourceFile,
}

#[derive(Debug, Clone)]
pub struct Operation {
    /// `operationId`, or `<method>_<path>` when the spec gives none.
    pub id: String,
    pub method: Method,
    /// The path template, e.g. `/customers/{id}/identifications`.
    pub path: String,
    /// JSON Pointer of the operation object.
    pub pointer: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub deprecated: bool,
    /// Path-item and operation parameters merged (operation wins).
    pub parameters: Vec<Parameter>,
    pub request_body: Option<RequestBody>,
    pub responses: Vec<Response>,
    /// Effective security: alternatives (OR) of requirements (AND). Empty = no auth.
    pub security: Vec<SecurityRequirement>,
    /// The operation's `x-` extensions.
    pub extensions: Map<String, Value>,
}

impl Operation {
    pub fn parameters_in(&self, location: ParameterLocation) -> impl Iterator<Item = &Parameter> {
        self.parameters
            .iter()
            .filter(move |p| p.location == location)
    }

    /// The response documented for `status` (exact code, then `2XX`-style range, then `default`).
    pub fn response_for(&self, status: u16) -> Option<&Response> {
        self.responses
            .iter()
            .find(|r| r.status == StatusCode::Code(status))
            .or_else(|| {
                self.responses
                    .iter()
                    .find(|r| r.status == StatusCode::Range(status / 100))
            })
            .or_else(|| {
                self.responses
                    .iter()
                    .find(|r| r.status == StatusCode::Default)
            })
    }

    /// Documented success responses (2xx codes and the `2XX` range).
    pub fn success_responses(&self) -> impl Iterator<Item = &Response> {
        self.responses.iter().filter(|r| r.status.is_success())
    }
}

#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    pub location: ParameterLocation,
    pub required: bool,
    pub deprecated: bool,
    pub description: Option<String>,
    pub schema: Option<SchemaSite>,
    pub example: Option<Value>,
    pub extensions: Map<String, Value>,
    pub pointer: String,
    /// `style`, else the location's default (`form` for query and cookie,
    /// `simple` for path and header); [`crate::style::JSON`] for a query or path
    /// parameter declared with a JSON `content` (its `schema` is that media type's).
    pub style: String,
    /// `explode`, else true exactly for `form`.
    pub explode: bool,
    /// `allowEmptyValue` (query only; default false).
    pub allow_empty_value: bool,
}

#[derive(Debug, Clone)]
pub struct RequestBody {
    pub required: bool,
    pub description: Option<String>,
    pub content: Vec<MediaType>,
    pub pointer: String,
}

#[derive(Debug, Clone)]
pub struct MediaType {
    /// As written, e.g. `application/json; charset=utf-8`.
    pub media_type: String,
    pub schema: Option<SchemaSite>,
    pub examples: Vec<Example>,
    pub pointer: String,
    /// The `encoding` object of a form body, by top-level property: how each
    /// member is written (urlencoded `style`/`explode`, a multipart part's
    /// `contentType`). Empty for other media types and when not given.
    pub encoding: BTreeMap<String, Encoding>,
}

/// One property's entry in a form body's `encoding` object, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Encoding {
    /// `contentType`: a multipart part's media types (`image/png, image/jpeg`).
    pub content_type: Option<String>,
    /// `style` (urlencoded bodies): `form`, `spaceDelimited`, `pipeDelimited`,
    /// `deepObject`.
    pub style: Option<String>,
    pub explode: Option<bool>,
}

impl Encoding {
    /// The urlencoded `(style, explode)` this entry sets, with OpenAPI's defaults
    /// (`form`; `explode` true for `form` only), or `None` when it sets neither.
    pub fn style(&self) -> Option<(String, bool)> {
        if self.style.is_none() && self.explode.is_none() {
            return None;
        }
        let style = self.style.clone().unwrap_or_else(|| "form".to_string());
        let explode = self.explode.unwrap_or(style == "form");
        Some((style, explode))
    }
}

impl MediaType {
    /// The media type without parameters, lower-cased (`application/json`).
    pub fn essence(&self) -> String {
        essence(&self.media_type)
    }

    /// Whether the body is JSON (`application/json`, `application/problem+json`, `*/*+json`).
    pub fn is_json(&self) -> bool {
        is_json_media_type(&self.media_type)
    }
}

#[derive(Debug, Clone)]
pub struct Example {
    pub name: Option<String>,
    pub value: Value,
    pub pointer: String,
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: StatusCode,
    pub description: String,
    pub headers: Vec<Header>,
    pub content: Vec<MediaType>,
    pub pointer: String,
}

impl Response {
    /// The first JSON media type of this response, if any.
    pub fn json(&self) -> Option<&MediaType> {
        self.content.iter().find(|m| m.is_json())
    }
}

#[derive(Debug, Clone)]
pub struct Header {
    pub name: String,
    pub required: bool,
    pub description: Option<String>,
    pub schema: Option<SchemaSite>,
    pub pointer: String,
}

/// A schema where it appears in the spec: its OpenAPI value (maybe a `$ref`), its
/// pointer, and whether it is read as a request or a response.
#[derive(Debug, Clone)]
pub struct SchemaSite {
    pub schema: Value,
    pub pointer: String,
    pub direction: Direction,
}

impl SchemaSite {
    /// The component name when the site is `$ref: '#/components/schemas/Name'`.
    pub fn name(&self) -> Option<&str> {
        self.schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(pointer::schema_name)
    }
}

/// One security requirement: all listed schemes must be satisfied together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityRequirement {
    pub schemes: Vec<(String, Vec<String>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SecurityScheme {
    ApiKey {
        name: String,
        location: ParameterLocation,
        extensions: Map<String, Value>,
    },
    /// `scheme` lower-cased: `basic`, `bearer`, ...
    Http {
        scheme: String,
        bearer_format: Option<String>,
        extensions: Map<String, Value>,
    },
    OAuth2 {
        extensions: Map<String, Value>,
    },
    OpenIdConnect {
        url: String,
        extensions: Map<String, Value>,
    },
}

impl SecurityScheme {
    pub fn extensions(&self) -> &Map<String, Value> {
        match self {
            SecurityScheme::ApiKey { extensions, .. }
            | SecurityScheme::Http { extensions, .. }
            | SecurityScheme::OAuth2 { extensions }
            | SecurityScheme::OpenIdConnect { extensions, .. } => extensions,
        }
    }
}

impl Spec {
    /// The file the spec was read from.
    pub fn path(&self) -> &Path {
        &self.source.path
    }

    /// The whole document as JSON.
    pub fn document(&self) -> &Value {
        &self.source.value
    }

    /// The seed file named in `info.x-source`.
    pub fn x_source(&self) -> Option<&str> {
        self.info_extensions.get("x-source").and_then(Value::as_str)
    }

    pub fn assumptions(&self) -> &[Assumption] {
        &self.covenant.assumptions
    }

    /// A diagnostic location for a pointer into this spec.
    pub fn locate(&self, pointer: &str) -> Location {
        self.source.locate(pointer)
    }

    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|o| o.id == id)
    }

    /// Follows `$ref`s (local only) to the schema they name.
    pub fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        crate::pointer::deref(&self.source.value, schema)
    }

    /// The standalone JSON Schema (2020-12) view of a schema site.
    pub fn json_schema(&self, site: &SchemaSite) -> Value {
        view::to_json_schema(&self.source.value, &site.schema, site.direction)
    }

    /// The JSON Schema view of any OpenAPI schema value of this spec.
    pub fn json_schema_of(&self, schema: &Value, direction: Direction) -> Value {
        view::to_json_schema(&self.source.value, schema, direction)
    }

    /// The JSON Schema view of one schema node on its own ([`view::node`]): its own
    /// keywords translated, `$ref`s followed, subschemas left out.
    pub fn json_schema_node(&self, schema: &Value) -> Value {
        view::node(&self.source.value, schema)
    }

    /// Compiles the JSON Schema view of a site.
    pub fn compile(&self, site: &SchemaSite) -> Result<jsonschema::Validator, String> {
        view::compile(&self.json_schema(site))
    }

    /// The schema named `name` in `components.schemas`.
    pub fn schema(&self, name: &str) -> Option<&Value> {
        self.schemas.get(name)
    }

    /// Pointer of a named component schema.
    pub fn schema_pointer(name: &str) -> String {
        format!("/components/schemas/{}", pointer::escape(name))
    }
}
