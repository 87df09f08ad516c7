//! The intermediate representation every other crate reads: operations with their
//! parameters, bodies, responses and security, named schemas, and `x-` extensions.
//! Schemas stay as OpenAPI JSON values (with `$ref`s); [`Spec::json_schema`] gives
//! the standalone JSON Schema view of any of them.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Diagnostic, LoadError, Location, Severity};
use crate::ext::{Assumption, Extensions};
use crate::pointer;
use crate::source::SourceFile;
use crate::view::{self, Direction};

pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

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
    openapi: openapiv3::OpenAPI,
    source: SourceFile,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    fn parse(s: &str) -> Option<Method> {
        Some(match s {
            "get" => Method::Get,
            "put" => Method::Put,
            "post" => Method::Post,
            "delete" => Method::Delete,
            "options" => Method::Options,
            "head" => Method::Head,
            "patch" => Method::Patch,
            "trace" => Method::Trace,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
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

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ParameterLocation {
    Path,
    Query,
    Header,
    Cookie,
}

impl ParameterLocation {
    fn parse(s: &str) -> Option<ParameterLocation> {
        Some(match s {
            "path" => ParameterLocation::Path,
            "query" => ParameterLocation::Query,
            "header" => ParameterLocation::Header,
            "cookie" => ParameterLocation::Cookie,
            _ => return None,
        })
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

/// `application/json; charset=utf-8` -> `application/json`.
pub fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

pub fn is_json_media_type(media_type: &str) -> bool {
    let e = essence(media_type);
    e == "application/json" || e.ends_with("+json")
}

#[derive(Debug, Clone)]
pub struct Example {
    pub name: Option<String>,
    pub value: Value,
    pub pointer: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StatusCode {
    Code(u16),
    /// `2XX` is `Range(2)`.
    Range(u16),
    Default,
}

impl StatusCode {
    fn parse(s: &str) -> Option<StatusCode> {
        if s == "default" {
            return Some(StatusCode::Default);
        }
        if s.len() == 3 && s[1..].eq_ignore_ascii_case("XX") {
            return s[..1]
                .parse()
                .ok()
                .filter(|c| (1..=5).contains(c))
                .map(StatusCode::Range);
        }
        s.parse()
            .ok()
            .filter(|c| (100..=599).contains(c))
            .map(StatusCode::Code)
    }

    pub fn is_success(self) -> bool {
        match self {
            StatusCode::Code(c) => (200..300).contains(&c),
            StatusCode::Range(c) => c == 2,
            StatusCode::Default => false,
        }
    }

    /// Whether an actual status `code` is covered by this entry.
    pub fn matches(self, code: u16) -> bool {
        match self {
            StatusCode::Code(c) => c == code,
            StatusCode::Range(c) => code / 100 == c,
            StatusCode::Default => true,
        }
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusCode::Code(c) => write!(f, "{c}"),
            StatusCode::Range(c) => write!(f, "{c}XX"),
            StatusCode::Default => f.write_str("default"),
        }
    }
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
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
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
    /// Reads, checks and loads the spec at `path`. Fails on syntax errors, a version
    /// other than OpenAPI 3.0.x, a document that is not OpenAPI, dangling or cyclic
    /// `$ref`s, and malformed covenant extensions; everything else becomes a warning.
    pub fn load(path: impl AsRef<Path>) -> Result<Spec, LoadError> {
        let source = SourceFile::read(path.as_ref())?;
        Spec::from_source(source)
    }

    /// Loads from text already in memory (`path` decides JSON vs YAML and names the file in errors).
    pub fn from_str(path: impl AsRef<Path>, text: &str) -> Result<Spec, LoadError> {
        Spec::from_source(SourceFile::parse(path.as_ref(), text.to_string())?)
    }

    pub fn from_source(source: SourceFile) -> Result<Spec, LoadError> {
        let openapi = crate::document::check_document(&source)?;
        let (errors, warnings): (Vec<_>, Vec<_>) = crate::document::check_refs(&source)
            .into_iter()
            .partition(|d| d.severity == Severity::Error);
        if !errors.is_empty() {
            return Err(LoadError::Invalid(errors));
        }
        let covenant = Extensions::parse(&source).map_err(LoadError::Invalid)?;
        let mut builder = Builder {
            source: &source,
            warnings,
        };
        let built = builder.build();
        let mut warnings = builder.warnings;
        warnings.sort_by(|a, b| a.location.pointer.cmp(&b.location.pointer));
        let doc = &source.value;
        let info = doc.get("info");
        let provider = info
            .and_then(|i| i.get("x-provider"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| {
                source
                    .path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default()
            });
        Ok(Spec {
            provider,
            title: str_at(info, "title").unwrap_or_default(),
            version: str_at(info, "version").unwrap_or_default(),
            servers: doc
                .get("servers")
                .and_then(Value::as_array)
                .map(|s| s.iter().filter_map(|s| str_at(Some(s), "url")).collect())
                .unwrap_or_default(),
            schemas: doc
                .pointer("/components/schemas")
                .and_then(Value::as_object)
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
            security_schemes: built.1,
            extensions: extensions_of(doc),
            info_extensions: info.map(extensions_of).unwrap_or_default(),
            operations: built.0,
            covenant,
            warnings,
            openapi,
            source,
        })
    }

    /// The file the spec was read from.
    pub fn path(&self) -> &Path {
        &self.source.path
    }

    /// The whole document as JSON.
    pub fn document(&self) -> &Value {
        &self.source.value
    }

    /// The document as typed by `openapiv3`.
    pub fn openapi(&self) -> &openapiv3::OpenAPI {
        &self.openapi
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

fn str_at(v: Option<&Value>, key: &str) -> Option<String> {
    v?.get(key)?.as_str().map(str::to_string)
}

pub(crate) fn extensions_of(v: &Value) -> Map<String, Value> {
    v.as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| k.starts_with("x-"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

struct Builder<'a> {
    source: &'a SourceFile,
    warnings: Vec<Diagnostic>,
}

impl<'a> Builder<'a> {
    fn warn(&mut self, code: &'static str, pointer: &str, message: String) {
        self.warnings.push(Diagnostic {
            severity: Severity::Warning,
            code,
            message,
            location: self.source.locate(pointer),
        });
    }

    /// Follows a `$ref` to its target, returning the target and its pointer.
    fn follow<'v>(&self, v: &'v Value, at: &str) -> (&'v Value, String)
    where
        'a: 'v,
    {
        let mut v = v;
        let mut at = at.to_string();
        for _ in 0..64 {
            match v.get("$ref").and_then(Value::as_str) {
                Some(r) if r.starts_with('#') => {
                    match crate::pointer::resolve_ref(self.source_value(), r) {
                        Some(t) => {
                            at = r[1..].to_string();
                            v = t;
                        }
                        None => break,
                    }
                }
                _ => break,
            }
        }
        (v, at)
    }

    fn source_value<'v>(&self) -> &'v Value
    where
        'a: 'v,
    {
        // SAFETY of lifetimes: `source` outlives the builder.
        let s: &'a SourceFile = self.source;
        &s.value
    }

    fn build(&mut self) -> (Vec<Operation>, BTreeMap<String, SecurityScheme>) {
        let doc = self.source_value();
        let root_security = doc.get("security").map(parse_security).unwrap_or_default();
        let mut ops = Vec::new();
        if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                if path.starts_with("x-") {
                    continue;
                }
                let item_ptr = pointer::join("/paths", path);
                let (item, item_ptr) = self.follow(item, &item_ptr);
                let shared = item.get("parameters").cloned().unwrap_or(Value::Null);
                for method in METHODS {
                    let Some(op) = item.get(method) else { continue };
                    let op_ptr = pointer::join(&item_ptr, method);
                    ops.push(self.operation(
                        path,
                        method,
                        op,
                        &op_ptr,
                        &shared,
                        &item_ptr,
                        &root_security,
                    ));
                }
                for key in ["servers"] {
                    if item.get(key).is_some() {
                        self.warn(
                            "unsupported",
                            &pointer::join(&item_ptr, key),
                            format!("path-level `{key}` is ignored"),
                        );
                    }
                }
            }
        }
        let mut schemes = BTreeMap::new();
        if let Some(s) = doc
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
        {
            for (name, scheme) in s {
                let at = pointer::join("/components/securitySchemes", name);
                let (scheme, at) = self.follow(scheme, &at);
                if let Some(parsed) = self.security_scheme(scheme, &at) {
                    schemes.insert(name.clone(), parsed);
                }
            }
        }
        (ops, schemes)
    }

    #[allow(clippy::too_many_arguments)]
    fn operation(
        &mut self,
        path: &str,
        method: &str,
        op: &Value,
        op_ptr: &str,
        shared: &Value,
        item_ptr: &str,
        root_security: &[SecurityRequirement],
    ) -> Operation {
        let mut parameters: Vec<Parameter> = Vec::new();
        for (list, base) in [
            (shared, pointer::join(item_ptr, "parameters")),
            (
                op.get("parameters").unwrap_or(&Value::Null),
                pointer::join(op_ptr, "parameters"),
            ),
        ] {
            for (i, p) in list.as_array().into_iter().flatten().enumerate() {
                let (p, at) = self.follow(p, &format!("{base}/{i}"));
                if let Some(param) = self.parameter(p, &at) {
                    parameters.retain(|q| !(q.name == param.name && q.location == param.location));
                    parameters.push(param);
                }
            }
        }
        let request_body = op.get("requestBody").map(|rb| {
            let (rb, at) = self.follow(rb, &pointer::join(op_ptr, "requestBody"));
            RequestBody {
                required: rb.get("required").and_then(Value::as_bool).unwrap_or(false),
                description: str_at(Some(rb), "description"),
                content: self.content(
                    rb.get("content"),
                    &pointer::join(&at, "content"),
                    Direction::Request,
                ),
                pointer: at,
            }
        });
        let mut responses = Vec::new();
        if let Some(rs) = op.get("responses").and_then(Value::as_object) {
            for (code, r) in rs {
                if code.starts_with("x-") {
                    continue;
                }
                let at = pointer::join(&pointer::join(op_ptr, "responses"), code);
                let Some(status) = StatusCode::parse(code) else {
                    self.warn(
                        "invalid-status",
                        &at,
                        format!(
                            "`{code}` is not a status code, a range like 2XX, or `default`; ignored"
                        ),
                    );
                    continue;
                };
                let (r, at) = self.follow(r, &at);
                let mut headers = Vec::new();
                if let Some(hs) = r.get("headers").and_then(Value::as_object) {
                    for (name, h) in hs {
                        let hat = pointer::join(&pointer::join(&at, "headers"), name);
                        let (h, hat) = self.follow(h, &hat);
                        headers.push(Header {
                            name: name.clone(),
                            required: h.get("required").and_then(Value::as_bool).unwrap_or(false),
                            description: str_at(Some(h), "description"),
                            schema: h.get("schema").map(|s| SchemaSite {
                                schema: s.clone(),
                                pointer: pointer::join(&hat, "schema"),
                                direction: Direction::Response,
                            }),
                            pointer: hat,
                        });
                    }
                }
                responses.push(Response {
                    status,
                    description: str_at(Some(r), "description").unwrap_or_default(),
                    headers,
                    content: self.content(
                        r.get("content"),
                        &pointer::join(&at, "content"),
                        Direction::Response,
                    ),
                    pointer: at,
                });
            }
        }
        responses.sort_by_key(|r| r.status);
        for key in ["callbacks"] {
            if op.get(key).is_some() {
                self.warn(
                    "unsupported",
                    &pointer::join(op_ptr, key),
                    format!("`{key}` are not supported and are ignored"),
                );
            }
        }
        Operation {
            id: str_at(Some(op), "operationId").unwrap_or_else(|| synthetic_id(method, path)),
            method: Method::parse(method).expect("METHODS are all known"),
            path: path.to_string(),
            pointer: op_ptr.to_string(),
            summary: str_at(Some(op), "summary"),
            description: str_at(Some(op), "description"),
            tags: op
                .get("tags")
                .and_then(Value::as_array)
                .map(|t| {
                    t.iter()
                        .filter_map(|t| t.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            deprecated: op
                .get("deprecated")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            parameters,
            request_body,
            responses,
            security: op
                .get("security")
                .map(parse_security)
                .unwrap_or_else(|| root_security.to_vec()),
            extensions: extensions_of(op),
        }
    }

    fn parameter(&mut self, p: &Value, at: &str) -> Option<Parameter> {
        let name = str_at(Some(p), "name")?;
        let location = ParameterLocation::parse(p.get("in")?.as_str()?)?;
        if location == ParameterLocation::Header
            && ["accept", "content-type", "authorization"]
                .contains(&name.to_ascii_lowercase().as_str())
        {
            self.warn("ignored-header", at, format!("header parameter `{name}` is ignored (OpenAPI 3.0.3: use the media types or a security scheme)"));
            return None;
        }
        if location == ParameterLocation::Cookie {
            self.warn(
                "unsupported",
                at,
                format!("cookie parameter `{name}` is not checked by the mock or the runner"),
            );
        }
        if p.get("content").is_some() {
            self.warn(
                "unsupported",
                &pointer::join(at, "content"),
                format!(
                    "parameter `{name}` uses `content` instead of `schema`; it is not validated"
                ),
            );
        }
        let example = p.get("example").cloned().or_else(|| {
            p.pointer("/examples")
                .and_then(Value::as_object)
                .and_then(|m| m.values().next())
                .and_then(|e| e.get("value"))
                .cloned()
        });
        Some(Parameter {
            required: p
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(location == ParameterLocation::Path),
            deprecated: p
                .get("deprecated")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            description: str_at(Some(p), "description"),
            schema: p.get("schema").map(|s| SchemaSite {
                schema: s.clone(),
                pointer: pointer::join(at, "schema"),
                direction: Direction::Request,
            }),
            example,
            extensions: extensions_of(p),
            pointer: at.to_string(),
            name,
            location,
        })
    }

    fn content(
        &mut self,
        content: Option<&Value>,
        at: &str,
        direction: Direction,
    ) -> Vec<MediaType> {
        let mut out = Vec::new();
        for (mt, body) in content.and_then(Value::as_object).into_iter().flatten() {
            let mat = pointer::join(at, mt);
            let mut examples = Vec::new();
            if let Some(e) = body.get("example") {
                examples.push(Example {
                    name: None,
                    value: e.clone(),
                    pointer: pointer::join(&mat, "example"),
                });
            }
            for (name, e) in body
                .get("examples")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let eat = pointer::join(&pointer::join(&mat, "examples"), name);
                let (e, eat) = self.follow(e, &eat);
                if let Some(v) = e.get("value") {
                    examples.push(Example {
                        name: Some(name.clone()),
                        value: v.clone(),
                        pointer: pointer::join(&eat, "value"),
                    });
                } else if e.get("externalValue").is_some() {
                    self.warn(
                        "unsupported",
                        &eat,
                        format!("example `{name}` uses externalValue, which is not read"),
                    );
                }
            }
            if !is_json_media_type(mt) && body.get("schema").is_some() {
                let e = essence(mt);
                if e != "application/x-www-form-urlencoded"
                    && e != "multipart/form-data"
                    && !e.starts_with("text/")
                {
                    self.warn("unsupported", &mat, format!("media type `{mt}` is not validated (only JSON, form and text bodies are)"));
                }
            }
            out.push(MediaType {
                media_type: mt.clone(),
                schema: body.get("schema").map(|s| SchemaSite {
                    schema: s.clone(),
                    pointer: pointer::join(&mat, "schema"),
                    direction,
                }),
                examples,
                pointer: mat,
            });
        }
        out
    }

    fn security_scheme(&mut self, s: &Value, at: &str) -> Option<SecurityScheme> {
        let extensions = extensions_of(s);
        Some(match s.get("type").and_then(Value::as_str)? {
            "apiKey" => SecurityScheme::ApiKey {
                name: str_at(Some(s), "name")?,
                location: ParameterLocation::parse(s.get("in")?.as_str()?)?,
                extensions,
            },
            "http" => SecurityScheme::Http {
                scheme: str_at(Some(s), "scheme")?.to_ascii_lowercase(),
                bearer_format: str_at(Some(s), "bearerFormat"),
                extensions,
            },
            "oauth2" => {
                self.warn("unsupported", at, "oauth2 flows are not exercised; the mock accepts any Bearer token configured for the scheme".into());
                SecurityScheme::OAuth2 { extensions }
            }
            "openIdConnect" => {
                self.warn("unsupported", at, "openIdConnect is not exercised".into());
                SecurityScheme::OpenIdConnect {
                    url: str_at(Some(s), "openIdConnectUrl").unwrap_or_default(),
                    extensions,
                }
            }
            _ => return None,
        })
    }
}

fn parse_security(v: &Value) -> Vec<SecurityRequirement> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|req| SecurityRequirement {
            schemes: req
                .iter()
                .map(|(name, scopes)| {
                    (
                        name.clone(),
                        scopes
                            .as_array()
                            .map(|a| {
                                a.iter()
                                    .filter_map(|s| s.as_str().map(str::to_string))
                                    .collect()
                            })
                            .unwrap_or_default(),
                    )
                })
                .collect(),
        })
        .collect()
}

fn synthetic_id(method: &str, path: &str) -> String {
    let mut id = String::from(method);
    for c in path.chars() {
        id.push(if c.is_ascii_alphanumeric() { c } else { '_' });
    }
    id
}
