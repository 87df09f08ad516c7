//! covenant's one way into a spec.
//!
//! [`Spec::load`] reads an OpenAPI 3.0 or 3.1 document (YAML or JSON), checks its shape
//! with `openapiv3`, verifies every `$ref` (dangling refs and ref cycles are errors), and
//! builds the IR: [`Operation`]s with parameters, bodies, responses and security;
//! named schemas; `x-` extensions, including covenant's own (see
//! `specs/CONVENTIONS.md`). [`Spec::json_schema`] translates any schema into a
//! standalone JSON Schema 2020-12 document, and [`view::compile`] builds the
//! `jsonschema` validator that the mock and the runner share.
//!
//! ```no_run
//! let spec = covenant_spec::Spec::load("specs/rebilly.yaml")?;
//! let op = spec.operation("postKycRequest").unwrap();
//! let body = op.request_body.as_ref().unwrap().content[0].schema.as_ref().unwrap();
//! let validator = spec.compile(body).unwrap();
//! let errors = covenant_spec::view::violations(&validator, &serde_json::json!({}));
//! assert!(errors.iter().any(|v| v.pointer == "/customerId" && v.keyword == "required"));
//! # Ok::<(), covenant_spec::LoadError>(())
//! ```

pub mod book;
mod document;
pub mod error;
pub mod error_style;
pub mod ext;
pub mod files;
pub mod form;
pub mod http;
pub mod idioms;
pub mod infer;
pub mod ir;
pub mod links;
pub mod lint;
mod load;
pub mod pointer;
pub mod provenance;
pub mod source;
pub mod style;
pub mod view;
pub mod walk;

pub use document::Dialect;
pub use error::{Diagnostic, LoadError, Location, Severity};
pub use ext::{Assumption, ErrorCase, ErrorStyle, Extensions, FieldNotation};
pub use http::{Method, ParameterLocation, StatusCode};
pub use ir::{
    Encoding, Example, Header, MediaType, Operation, Parameter, RequestBody, Response, SchemaSite,
    SecurityRequirement, SecurityScheme, Spec,
};
pub use view::{Direction, Violation};
