//! Compiling a spec's operations once, at start: for each, its route, compiled
//! parameters ([`crate::request::Param`]), request body validators by media type,
//! the planned success answer ([`crate::plan`]), and the `x-covenant` rules that
//! apply to it (resource role, idempotency).

use covenant_spec::ext::{Idempotency, Resource};
use covenant_spec::{Operation, ParameterLocation, Spec};

use crate::config::MockConfig;
use crate::plan::{Success, plan_success};
use crate::request::{Param, Seg, segments};

#[derive(Debug, Clone, thiserror::Error)]
pub enum EngineError {
    #[error("{provider}: operation {operation}: {message}")]
    Operation {
        provider: String,
        operation: String,
        message: String,
    },
    #[error("{provider}: {message}")]
    Config { provider: String, message: String },
}

/// One media type a request body may be sent as.
pub struct CMedia {
    pub essence: String,
    pub json: bool,
    /// How to read a form body (urlencoded or multipart) into JSON.
    pub form: Option<crate::form::FormShape>,
    /// The body schema (JSON and form media types with a schema).
    pub validator: Option<jsonschema::Validator>,
}

/// One operation, ready to answer.
pub struct CompiledOp {
    /// Its position in the spec's operations (and the engine's table).
    pub index: usize,
    pub op: Operation,
    pub method: http::Method,
    pub segments: Vec<Seg>,
    pub params: Vec<Param>,
    pub body_required: bool,
    pub media: Vec<CMedia>,
    pub success: Success,
    pub idempotency: Option<Idempotency>,
    pub resource: Option<Resource>,
}

/// Compiles operation `op`, the `index`-th of `spec`.
pub fn compile_op(
    spec: &Spec,
    config: &MockConfig,
    op: &Operation,
    index: usize,
    answers: &crate::plan::Answers,
) -> Result<CompiledOp, EngineError> {
    let err = |message: String| EngineError::Operation {
        provider: spec.provider.clone(),
        operation: op.id.clone(),
        message,
    };
    let method = http::Method::from_bytes(op.method.as_str().as_bytes())
        .map_err(|e| err(format!("method: {e}")))?;
    let params = op
        .parameters
        .iter()
        .filter(|p| p.location != ParameterLocation::Cookie)
        .map(|p| Param::compile(spec, p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(err)?;
    let mut media = Vec::new();
    let mut body_required = false;
    if let Some(rb) = &op.request_body {
        body_required = rb.required;
        for m in &rb.content {
            let essence = m.essence();
            let form_kind = crate::form::FormKind::of(&essence);
            let validator = match (&m.schema, m.is_json() || form_kind.is_some()) {
                (Some(site), true) => Some(
                    spec.compile(site)
                        .map_err(|e| err(format!("request body {}: {e}", m.media_type)))?,
                ),
                _ => None,
            };
            let form = form_kind.map(|k| {
                let view = m
                    .schema
                    .as_ref()
                    .map(|site| spec.json_schema(site))
                    .unwrap_or_default();
                let styles = covenant_spec::form::styles_of(&m.encoding);
                crate::form::FormShape::compile(k, &view, styles)
            });
            media.push(CMedia {
                essence,
                json: m.is_json(),
                form,
                validator,
            });
        }
    }
    let resource = spec.covenant.resources.get(&op.pointer).cloned();
    let idempotency = spec.covenant.idempotency.get(&op.pointer).cloned();
    let success = plan_success(spec, config, op, index, resource.as_ref(), answers).map_err(err)?;
    Ok(CompiledOp {
        index,
        op: op.clone(),
        method,
        segments: segments(&op.path),
        params,
        body_required,
        media,
        success,
        idempotency,
        resource,
    })
}
