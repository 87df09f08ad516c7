//! [`Spec::load`]: reads a file, runs the document checks (`document.rs`) and the
//! extension parser (`ext.rs`), then builds the IR from the JSON value so every node
//! keeps its pointer. Path-level and operation parameters are merged; `Accept`,
//! `Content-Type` and `Authorization` header parameters are dropped, as OpenAPI 3.0.3
//! requires; constructs the toolkit does not support become warnings.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

use crate::document;
use crate::error::{Diagnostic, LoadError, Severity};
use crate::ext::Extensions;
use crate::http::{METHODS, Method, ParameterLocation, StatusCode, essence, is_json_media_type};
use crate::ir::{
    Example, Header, MediaType, Operation, Parameter, RequestBody, Response, SchemaSite,
    SecurityRequirement, SecurityScheme, Spec,
};
use crate::pointer;
use crate::source::SourceFile;
use crate::view::Direction;

impl Spec {
    /// Reads, checks and loads the spec at `path`. Fails on syntax errors, a version
    /// other than OpenAPI 3.0.x or 3.1.x, a document that is not OpenAPI, dangling or cyclic
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
        let dialect = document::check_document(&source)?;
        let (errors, warnings): (Vec<_>, Vec<_>) = document::check_refs(&source)
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
        let mut spec = Spec {
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
            security_schemes: built.schemes,
            extensions: extensions_of(doc),
            info_extensions: info.map(extensions_of).unwrap_or_default(),
            operations: built.operations,
            webhooks: built.webhooks,
            covenant,
            warnings,
            dialect,
            source,
        };
        // Resources the plain document implies, where no extension declares one.
        let inferred = crate::infer::resources(&spec);
        spec.covenant.resources.extend(inferred);
        Ok(spec)
    }
}

fn str_at(v: Option<&Value>, key: &str) -> Option<String> {
    v?.get(key)?.as_str().map(str::to_string)
}

fn extensions_of(v: &Value) -> Map<String, Value> {
    v.as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| k.starts_with("x-"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// What [`Builder::build`] reads from the document.
struct Built {
    operations: Vec<Operation>,
    webhooks: Vec<Operation>,
    schemes: BTreeMap<String, SecurityScheme>,
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

    /// Follows `$ref`s to their target, returning the target and its pointer.
    fn follow<'v>(&self, v: &'v Value, at: &str) -> (&'v Value, String)
    where
        'a: 'v,
    {
        pointer::deref_at(self.source_value(), v, at)
    }

    fn source_value<'v>(&self) -> &'v Value
    where
        'a: 'v,
    {
        // SAFETY of lifetimes: `source` outlives the builder.
        let s: &'a SourceFile = self.source;
        &s.value
    }

    /// The operations under `paths`, the webhooks (3.1's `webhooks`, else 3.0's
    /// `x-webhooks`), and the security schemes.
    fn build(&mut self) -> Built {
        let doc = self.source_value();
        let root_security = doc.get("security").map(parse_security).unwrap_or_default();
        let ops = self.path_items(doc, "/paths", &root_security);
        let webhooks_at = if doc.get("webhooks").is_some() {
            "/webhooks"
        } else {
            "/x-webhooks"
        };
        let webhooks = self.path_items(doc, webhooks_at, &root_security);
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
        Built {
            operations: ops,
            webhooks,
            schemes,
        }
    }

    /// The operations of the path items under `base` (`/paths`, `/webhooks`), each
    /// item's key standing as its path (a webhook's key is its name).
    fn path_items(
        &mut self,
        doc: &Value,
        base: &str,
        root_security: &[SecurityRequirement],
    ) -> Vec<Operation> {
        let mut ops = Vec::new();
        let Some(items) = doc.pointer(base).and_then(Value::as_object) else {
            return ops;
        };
        for (path, item) in items {
            if path.starts_with("x-") {
                continue;
            }
            let item_ptr = pointer::join(base, path);
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
                    root_security,
                ));
            }
            if item.get("servers").is_some() {
                self.warn(
                    "unsupported",
                    &pointer::join(&item_ptr, "servers"),
                    "path-level `servers` is ignored".into(),
                );
            }
        }
        ops
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
        // `content` instead of `schema`: a JSON media type makes the value JSON text
        // (style `json`); any other is read as plain text by its schema.
        let content = p.get("content").and_then(Value::as_object).and_then(|c| {
            let (mt, media) = c.iter().next()?;
            Some((mt.clone(), media.get("schema")?.clone()))
        });
        let json_content = content
            .as_ref()
            .is_some_and(|(mt, _)| crate::http::is_json_media_type(mt));
        if p.get("content").is_some() && content.is_none() {
            self.warn(
                "unsupported",
                &pointer::join(at, "content"),
                format!("parameter `{name}` has `content` without a schema; it is not validated"),
            );
        }
        if json_content && location == ParameterLocation::Header {
            self.warn(
                "unsupported",
                &pointer::join(at, "content"),
                format!(
                    "header parameter `{name}` with JSON `content` is sent and read as plain text"
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
        let style = p
            .get("style")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| {
                (json_content && location != ParameterLocation::Header)
                    .then(|| crate::style::JSON.to_string())
            })
            .unwrap_or_else(|| {
                match location {
                    ParameterLocation::Query | ParameterLocation::Cookie => "form",
                    _ => "simple",
                }
                .to_string()
            });
        let explode = p
            .get("explode")
            .and_then(Value::as_bool)
            .unwrap_or(style == "form");
        Some(Parameter {
            allow_empty_value: p
                .get("allowEmptyValue")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            style,
            explode,
            required: p
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(location == ParameterLocation::Path),
            deprecated: p
                .get("deprecated")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            description: str_at(Some(p), "description"),
            schema: match (p.get("schema"), &content) {
                (Some(s), _) => Some(SchemaSite {
                    schema: s.clone(),
                    pointer: pointer::join(at, "schema"),
                    direction: Direction::Request,
                }),
                (None, Some((mt, s))) => Some(SchemaSite {
                    schema: s.clone(),
                    pointer: format!(
                        "{}/schema",
                        pointer::join(&pointer::join(at, "content"), mt)
                    ),
                    direction: Direction::Request,
                }),
                (None, None) => None,
            },
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
                encoding: encoding_of(body),
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

/// A media type's `encoding` object (form bodies); entries that are not objects
/// and fields of the wrong type are left out.
fn encoding_of(media: &Value) -> BTreeMap<String, crate::ir::Encoding> {
    let Some(map) = media.get("encoding").and_then(Value::as_object) else {
        return BTreeMap::new();
    };
    map.iter()
        .filter(|(_, e)| e.is_object())
        .map(|(name, e)| {
            let text = |k: &str| e.get(k).and_then(Value::as_str).map(str::to_string);
            let entry = crate::ir::Encoding {
                content_type: text("contentType"),
                style: text("style"),
                explode: e.get("explode").and_then(Value::as_bool),
            };
            (name.clone(), entry)
        })
        .collect()
}
